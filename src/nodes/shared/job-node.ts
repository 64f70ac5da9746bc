// The behaviour every TNL API node shares: find the account, submit the node's command(s) in the
// account's submit slots, wait for each job, report progress, deliver one msg or one error, and
// stop everything at once when the node is closed. Each node file only says what to submit.
import type { Node, NodeAPI, NodeDef, NodeMessageInFlow, NodeStatus } from 'node-red';
import type { Account, Submit } from '../../core/account';
import type { MessageState, TnlResult } from '../../core/tnl/types';
import type { ConfigNode } from './config-types';
import { JobStatusBoard } from './job-status';
import { NodeError, toNodeError } from './node-error';
import { positiveNumber } from './numbers';

export interface WaitingNodeDef extends NodeDef {
  account: string;
  wait?: boolean;
  /** Minutes. */
  timeout?: number | string;
  /** Minutes without progress before a running job is declared stalled. */
  stallTimeout?: number | string;
  expireMins?: number | string;
  downloadImage?: boolean;
  progressOutput?: boolean;
}

export const WAIT_DEFAULTS = { timeoutMin: 15, stallTimeoutMin: 5, expireMins: 12 };

/** What one input msg asks for: commands to submit in order, or a job that already exists. */
export interface JobPlan {
  /** Each step builds its submit from the previous step's result (imagine, then its upscale). */
  steps: Array<{ statusKey: string; submit: (previous: TnlResult | undefined) => Submit }>;
  /** get-message: wait for this job instead of submitting. */
  existingMessageId?: string;
}

export type JobMessage = NodeMessageInFlow & Record<string, unknown>;

export type PlanBuilder = (msg: JobMessage) => JobPlan | Promise<JobPlan>;

/** Hooks the preview feature and tests can observe. */
export interface DeliveredResult {
  node: Node;
  msg: JobMessage;
  result: TnlResult;
}

const RESULT_FIELDS = ['buttonMessageId', 'buttons', 'imageUrl', 'imageUrls'] as const;

/** Copies the result onto the msg, dropping fields a previous node left that this result lacks. */
function applyResult(msg: JobMessage, messageId: string, result: TnlResult): void {
  msg.payload = result;
  msg.messageId = messageId;
  for (const field of RESULT_FIELDS) {
    if (result[field] !== undefined) msg[field] = result[field];
    else delete msg[field];
  }
}

export function lookupAccount(RED: NodeAPI, accountId: string | undefined): Account {
  const config = accountId ? (RED.nodes.getNode(accountId) as ConfigNode | null) : null;
  if (!config || typeof config.getAccount !== 'function') {
    throw new NodeError('NO_ACCOUNT', RED._('nextleg.errors.noAccount'));
  }
  return config.getAccount();
}

export function attachJobHandler(
  RED: NodeAPI,
  node: Node,
  def: WaitingNodeDef,
  buildPlan: PlanBuilder,
  options: { alwaysWait?: boolean; onDelivered?: (delivered: DeliveredResult) => void } = {},
): void {
  const wait = options.alwaysWait || def.wait !== false;
  const progressOutput = wait && def.progressOutput === true;
  const downloadImage = wait && def.downloadImage === true;
  const timeoutMs = positiveNumber(def.timeout, WAIT_DEFAULTS.timeoutMin) * 60_000;
  const stallTimeoutMs = positiveNumber(def.stallTimeout, WAIT_DEFAULTS.stallTimeoutMin) * 60_000;
  const expireMins = positiveNumber(def.expireMins, WAIT_DEFAULTS.expireMins);

  const board = new JobStatusBoard(node, (count) => RED._('nextleg.status.jobs', { count }));
  const inFlight = new Set<AbortController>();
  let closing = false;

  const statusOf = (state: MessageState): NodeStatus =>
    state.state === 'running'
      ? { fill: 'blue', shape: 'dot', text: `${state.progress}%` }
      : { fill: 'yellow', shape: 'ring', text: 'nextleg.status.queued' };

  async function handle(
    msg: JobMessage,
    send: (msg: unknown) => void,
    done: (err?: Error) => void,
  ): Promise<void> {
    const controller = new AbortController();
    inFlight.add(controller);
    let jobId: number | undefined;
    let messageId: string | undefined;
    try {
      const account = lookupAccount(RED, def.account);
      const plan = await buildPlan(msg);
      jobId = board.add({ fill: 'blue', shape: 'ring', text: 'nextleg.status.submitting' });
      const id = jobId;

      const waitFor = (jobMessageId: string): Promise<TnlResult> =>
        account.wait(jobMessageId, {
          expireMins,
          timeoutMs,
          stallTimeoutMs,
          signal: controller.signal,
          onState: (state) => {
            board.set(id, statusOf(state));
            if (progressOutput && (state.state === 'running' || state.state === 'queued')) {
              const progress = {
                messageId: jobMessageId,
                state: state.state,
                progress: state.progress,
                progressImageUrl: state.state === 'running' ? state.progressImageUrl : null,
              };
              send([null, { _msgid: RED.util.generateId(), topic: msg.topic, payload: progress }]);
            }
          },
        });

      let result: TnlResult | undefined;
      if (plan.existingMessageId) {
        messageId = plan.existingMessageId;
        board.set(id, { fill: 'yellow', shape: 'ring', text: 'nextleg.status.waiting' });
        result = await waitFor(messageId);
      }
      for (const step of plan.steps) {
        board.set(id, { fill: 'blue', shape: 'ring', text: step.statusKey });
        const ack = await account.submit(step.submit(result), controller.signal);
        messageId = ack.messageId;
        if (!wait) {
          msg.messageId = ack.messageId;
          msg.payload = ack;
          send(msg);
          board.finish(id, { fill: 'green', shape: 'dot', text: 'nextleg.status.submitted' });
          done();
          return;
        }
        result = await waitFor(ack.messageId);
      }
      if (!result || !messageId) throw new NodeError('INTERNAL', 'Nothing to wait for');

      applyResult(msg, messageId, result);
      if (downloadImage && result.imageUrl) {
        board.set(id, { fill: 'blue', shape: 'ring', text: 'nextleg.status.downloading' });
        msg.image = await account.client.getImage(result.imageUrl, { signal: controller.signal });
      }
      board.finish(id, { fill: 'green', shape: 'dot', text: 'nextleg.status.done' });
      send(progressOutput ? [msg, null] : msg);
      options.onDelivered?.({ node, msg, result });
      done();
    } catch (err) {
      if (closing) {
        // The node was stopped (redeploy, delete, shutdown): nobody waits for this msg any more.
        done();
        return;
      }
      const error = toNodeError(err);
      if (messageId) msg.messageId = messageId;
      board.finish(jobId, { fill: 'red', shape: 'ring', text: error.code });
      done(error);
    } finally {
      inFlight.delete(controller);
    }
  }

  node.on('input', (msg, send, done) => {
    void handle(msg as JobMessage, send as (m: unknown) => void, done);
  });

  node.on('close', (_removed: boolean, done: () => void) => {
    closing = true;
    for (const controller of inFlight) controller.abort();
    inFlight.clear();
    board.clear();
    done();
  });
}
