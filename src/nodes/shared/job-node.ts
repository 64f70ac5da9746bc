// The behaviour every TNL API node shares: find the account, submit the node's command(s) in the
// account's submit slots, wait for each job, report progress, deliver one msg or one error, and
// stop everything at once when the node is closed. Jobs in flight are recorded in the node's
// context, so the next instance (after a redeploy or a restart) finishes them. Each node file only
// says what to submit.
import type { Node, NodeAPI, NodeDef, NodeMessageInFlow, NodeStatus } from 'node-red';
import type { Account, Submit } from '../../core/account';
import {
  isExpired,
  remainingTimeoutMs,
  toJsonSafe,
  type JobRecord,
  type PendingPress,
} from '../../core/jobs/job-record';
import type { MessageState, TnlResult } from '../../core/tnl/types';
import type { ConfigNode, JournalSettings } from './config-types';
import { JobJournal, handoverFor } from './job-journal';
import { JobStatusBoard } from './job-status';
import { NodeError, toNodeError } from './node-error';
import { durationMs, positiveNumber, warnSettingProblem } from './numbers';

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

const WAIT_DEFAULTS = { timeoutMin: 15, stallTimeoutMin: 5, expireMins: 12 };

export interface JobStep {
  statusKey: string;
  submit: (previous: TnlResult | undefined) => Submit;
  /**
   * The button this step presses on the previous result (U1 on the grid): what lets another
   * instance make the press after a restart. A job with a step left that lacks it is not recorded.
   */
  press?: string;
}

/** What one input msg asks for: commands to submit in order, or a job that already exists. */
export interface JobPlan {
  /** Each step builds its submit from the previous step's result (imagine, then its upscale). */
  steps: JobStep[];
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

/** The node's account config node, if it names a live one. */
function findConfig(RED: NodeAPI, accountId: string | undefined): ConfigNode | undefined {
  const config = accountId ? (RED.nodes.getNode(accountId) as ConfigNode | null) : null;
  return config && typeof config.getAccount === 'function' ? config : undefined;
}

export function lookupAccount(RED: NodeAPI, accountId: string | undefined): Account {
  const config = findConfig(RED, accountId);
  if (!config) throw new NodeError('NO_ACCOUNT', RED._('nextleg.errors.noAccount'));
  return config.getAccount();
}

function journalSettingsOf(RED: NodeAPI, accountId: string | undefined): JournalSettings | undefined {
  return findConfig(RED, accountId)?.journalSettings();
}

/** The step a recorded press becomes again. */
function pressStep(press: PendingPress): JobStep {
  return {
    statusKey: press.statusKey,
    press: press.button,
    submit: (previous) => (client, signal) => {
      if (!previous?.buttonMessageId) {
        throw new NodeError('BAD_RESPONSE', `The result has no buttonMessageId to press ${press.button} on`);
      }
      return client.button({ button: press.button, buttonMessageId: previous.buttonMessageId }, { signal });
    },
  };
}

export function attachJobHandler(
  RED: NodeAPI,
  node: Node,
  def: WaitingNodeDef,
  buildPlan: PlanBuilder,
  options: { alwaysWait?: boolean; onDelivered?: (delivered: DeliveredResult) => void } = {},
): void {
  const wait = options.alwaysWait || def.wait !== false;
  const minutes = (field: 'timeout' | 'stallTimeout', fallback: number): number =>
    durationMs(def[field], fallback, 60_000, {
      onProblem: warnSettingProblem(RED, node, `nextleg.label.${field}`, def[field], 'nextleg.label.minutes'),
    });
  const settings: JobRecord['options'] = {
    progressOutput: wait && def.progressOutput === true,
    downloadImage: wait && def.downloadImage === true,
    timeoutMs: minutes('timeout', WAIT_DEFAULTS.timeoutMin),
    stallTimeoutMs: minutes('stallTimeout', WAIT_DEFAULTS.stallTimeoutMin),
    expireMins: positiveNumber(def.expireMins, WAIT_DEFAULTS.expireMins),
  };

  const board = new JobStatusBoard(node, (count) => RED._('nextleg.status.jobs', { count }));
  const inFlight = new Set<AbortController>();
  /** Jobs this instance started: a record of one is never resumed by this same instance. */
  const ownKeys = new Set<string>();
  /** Records saved before this instance existed are an earlier instance's; later ones are ours. */
  const startedAt = Date.now();
  let closing = false;
  const journalSettings = journalSettingsOf(RED, def.account);
  const journal =
    wait && journalSettings?.resumeJobs
      ? new JobJournal(node, journalSettings.contextStore, handoverFor(RED))
      : undefined;

  const statusOf = (state: MessageState): NodeStatus =>
    state.state === 'running'
      ? { fill: 'blue', shape: 'dot', text: `${state.progress}%` }
      : { fill: 'yellow', shape: 'ring', text: 'nextleg.status.queued' };

  /** One job on its way, from an input msg or from a record left by an earlier instance. */
  interface Job {
    key: string;
    msg: JobMessage;
    send: (msg: unknown) => void;
    signal: AbortSignal;
    boardId: number;
    options: JobRecord['options'];
    /** The msg as recorded: taken once, before any result is copied onto it. */
    snapshot?: Record<string, unknown>;
  }

  /** Records the job as waiting for `messageId`, or forgets it when what remains cannot be resumed. */
  function record(job: Job, messageId: string, submittedAt: number, remaining: JobStep[]): void {
    if (!journal) return;
    const presses: PendingPress[] = [];
    for (const step of remaining) {
      if (step.press === undefined) return journal.remove(job.key);
      presses.push({ button: step.press, statusKey: step.statusKey });
    }
    job.snapshot ??= toJsonSafe(job.msg) as Record<string, unknown>;
    journal.save(job.key, {
      v: 1,
      messageId,
      submittedAt,
      remaining: presses,
      options: job.options,
      msg: job.snapshot,
    });
  }

  function waitFor(
    job: Job,
    account: Account,
    messageId: string,
    timeoutMs: number,
    resumed: boolean,
  ): Promise<TnlResult> {
    return account.wait(messageId, {
      expireMins: job.options.expireMins,
      timeoutMs,
      stallTimeoutMs: job.options.stallTimeoutMs,
      signal: job.signal,
      // A resumed job may have finished while nobody listened for its webhook: look at once.
      ...(resumed ? { firstPollAfterMs: 0 } : {}),
      onState: (state) => {
        board.set(job.boardId, statusOf(state));
        if (job.options.progressOutput && (state.state === 'running' || state.state === 'queued')) {
          const progress = {
            messageId,
            state: state.state,
            progress: state.progress,
            progressImageUrl: state.state === 'running' ? state.progressImageUrl : null,
          };
          job.send([null, { _msgid: RED.util.generateId(), topic: job.msg.topic, payload: progress }]);
        }
      },
    });
  }

  /** Waits for `current` (if any), then submits and waits for each step; returns the last result. */
  async function run(
    job: Job,
    account: Account,
    steps: JobStep[],
    current?: { messageId: string; submittedAt: number; timeoutMs: number; resumed: boolean },
  ): Promise<{ messageId: string; result: TnlResult }> {
    let result: TnlResult | undefined;
    let messageId: string | undefined;
    if (current) {
      messageId = current.messageId;
      job.msg.messageId = messageId;
      record(job, messageId, current.submittedAt, steps);
      board.set(job.boardId, { fill: 'yellow', shape: 'ring', text: 'nextleg.status.waiting' });
      result = await waitFor(job, account, messageId, current.timeoutMs, current.resumed);
    }
    for (const [index, step] of steps.entries()) {
      board.set(job.boardId, { fill: 'blue', shape: 'ring', text: step.statusKey });
      const ack = await account.submit(step.submit(result), job.signal);
      messageId = ack.messageId;
      job.msg.messageId = messageId;
      record(job, messageId, Date.now(), steps.slice(index + 1));
      result = await waitFor(job, account, messageId, job.options.timeoutMs, false);
    }
    if (!result || !messageId) throw new NodeError('INTERNAL', 'Nothing to wait for');
    return { messageId, result };
  }

  async function deliver(job: Job, account: Account, messageId: string, result: TnlResult): Promise<void> {
    const { msg } = job;
    applyResult(msg, messageId, result);
    if (job.options.downloadImage && result.imageUrl) {
      board.set(job.boardId, { fill: 'blue', shape: 'ring', text: 'nextleg.status.downloading' });
      msg.image = await account.client.getImage(result.imageUrl, { signal: job.signal });
    }
    board.finish(job.boardId, { fill: 'green', shape: 'dot', text: 'nextleg.status.done' });
    job.send(job.options.progressOutput ? [msg, null] : msg);
    options.onDelivered?.({ node, msg, result });
  }

  /** The error path shared by both kinds of job; undefined when the node was stopped meanwhile. */
  function failure(job: Job | undefined, boardId: number | undefined, err: unknown): NodeError | undefined {
    // The node was stopped (redeploy, delete, shutdown): its record, if any, is the next instance's.
    if (closing) return undefined;
    if (job) journal?.remove(job.key);
    const error = toNodeError(err);
    board.finish(boardId, { fill: 'red', shape: 'ring', text: error.code });
    return error;
  }

  async function handle(
    msg: JobMessage,
    send: (msg: unknown) => void,
    done: (err?: Error) => void,
  ): Promise<void> {
    const controller = new AbortController();
    inFlight.add(controller);
    let boardId: number | undefined;
    let job: Job | undefined;
    try {
      const account = lookupAccount(RED, def.account);
      const plan = await buildPlan(msg);
      boardId = board.add({ fill: 'blue', shape: 'ring', text: 'nextleg.status.submitting' });

      const [first] = plan.steps;
      if (!wait && first && !plan.existingMessageId) {
        const ack = await account.submit(first.submit(undefined), controller.signal);
        msg.messageId = ack.messageId;
        msg.payload = ack;
        send(msg);
        board.finish(boardId, { fill: 'green', shape: 'dot', text: 'nextleg.status.submitted' });
        done();
        return;
      }

      const key = RED.util.generateId();
      ownKeys.add(key);
      job = {
        key,
        msg,
        send,
        signal: controller.signal,
        boardId,
        options: settings,
      };
      const current = plan.existingMessageId
        ? {
            messageId: plan.existingMessageId,
            submittedAt: Date.now(),
            timeoutMs: settings.timeoutMs,
            resumed: false,
          }
        : undefined;
      const { messageId, result } = await run(job, account, plan.steps, current);
      await deliver(job, account, messageId, result);
      journal?.remove(job.key);
      done();
    } catch (err) {
      const error = failure(job, boardId, err);
      done(error);
    } finally {
      inFlight.delete(controller);
      if (job) ownKeys.delete(job.key);
    }
  }

  /** Finishes a job an earlier instance of this node recorded; delivers through node.send / node.error. */
  async function resume(key: string, saved: JobRecord): Promise<void> {
    const controller = new AbortController();
    inFlight.add(controller);
    const msg = saved.msg as JobMessage;
    const job: Job = {
      key,
      msg,
      send: (m) => node.send(m as Parameters<Node['send']>[0]),
      signal: controller.signal,
      boardId: board.add({ fill: 'yellow', shape: 'ring', text: 'nextleg.status.resuming' }),
      options: saved.options,
      snapshot: saved.msg,
    };
    try {
      const now = Date.now();
      msg.messageId = saved.messageId;
      if (isExpired(saved, now)) {
        throw new NodeError(
          'EXPIRED',
          RED._('nextleg.errors.expired', { messageId: saved.messageId, minutes: saved.options.expireMins }),
        );
      }
      const timeoutMs = remainingTimeoutMs(saved, now);
      if (timeoutMs <= 0) {
        throw new NodeError(
          'JOB_TIMEOUT',
          `No result within ${Math.round(saved.options.timeoutMs / 1000)} s`,
        );
      }
      const account = lookupAccount(RED, def.account);
      const { messageId, result } = await run(job, account, saved.remaining.map(pressStep), {
        messageId: saved.messageId,
        submittedAt: saved.submittedAt,
        timeoutMs,
        resumed: true,
      });
      await deliver(job, account, messageId, result);
      journal?.remove(key);
    } catch (err) {
      const error = failure(job, job.boardId, err);
      if (error) node.error(error, msg);
    } finally {
      inFlight.delete(controller);
    }
  }

  node.on('input', (msg, send, done) => {
    void handle(msg as JobMessage, send as (m: unknown) => void, done);
  });

  if (journal) {
    // After the constructor: the flow (and its config node) is then fully started.
    setImmediate(() => {
      if (closing) return;
      journal
        .load()
        .then((records) => {
          for (const { jobKey, record: saved } of records) {
            // ownKeys alone is not enough: a job of ours may have finished (and left ownKeys) while
            // the store was being read, and must not run a second time.
            if (!closing && !ownKeys.has(jobKey) && saved.submittedAt < startedAt) void resume(jobKey, saved);
          }
        })
        .catch((err: unknown) => node.warn(`Could not read the jobs to resume: ${toNodeError(err).message}`));
    });
  }

  node.on('close', (removed: boolean, done: () => void) => {
    closing = true;
    for (const controller of inFlight) controller.abort();
    inFlight.clear();
    board.clear();
    // Kept for the next instance on a redeploy or restart; a deleted node's jobs are gone with it.
    if (removed && journal) journal.clear().then(done, done);
    else done();
  });
}
