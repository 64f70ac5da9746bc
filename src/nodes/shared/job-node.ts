// The Node-RED side of every API node: find the account, run the node's plan with core's job runner,
// show where each job stands, deliver one msg or one error, record jobs in flight in the node's
// context (so the next instance finishes them after a redeploy or a restart), and stop everything
// at once when the node is closed. Each node file only says what one msg asks for.
import type { Node, NodeAPI, NodeDef, NodeMessageInFlow, NodeStatus } from 'node-red';
import type { Account } from '../../core/account';
import type { JobResult, JobState } from '../../core/api/job-model';
import {
  type Checkpoint,
  type JobPlan,
  type RunHooks,
  resumeRecord,
  runPlan,
  submitStep,
} from '../../core/jobs/job-runner';
import { toJsonSafe, type JobRecord } from '../../core/jobs/job-record';
import { journalSettingsOf, lookupAccount } from './account-lookup';
import { JobJournal, handoverFor } from './job-journal';
import { JobStatusBoard } from './job-status';
import { toNodeError, type NodeError } from './node-error';
import { durationMs, positiveNumber, warnSettingProblem } from './numbers';
import { applyResult, resultPicture } from './result-msg';

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

export type JobMessage = NodeMessageInFlow & Record<string, unknown>;

/** What one msg asks for; the account is there for what depends on its API (e.g. mask formats). */
export type PlanBuilder = (msg: JobMessage, account: Account) => JobPlan | Promise<JobPlan>;

/** Hooks the preview feature and tests can observe. */
export interface DeliveredResult {
  node: Node;
  msg: JobMessage;
  result: JobResult;
}

const QUEUED: NodeStatus = { fill: 'yellow', shape: 'ring', text: 'nextleg.status.queued' };

function statusOf(state: JobState): NodeStatus {
  return state.state === 'running' ? { fill: 'blue', shape: 'dot', text: `${state.progress}%` } : QUEUED;
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

  /** Status, progress output and checkpoints of a job, from the runner's callbacks. */
  function hooksFor(job: Job): RunHooks {
    return {
      onSubmit: (step) => board.set(job.boardId, { fill: 'blue', shape: 'ring', text: step.status }),
      onJob: (jobId) => {
        job.msg.messageId = jobId;
        board.set(job.boardId, { fill: 'yellow', shape: 'ring', text: 'nextleg.status.waiting' });
      },
      onState: (jobId, state) => {
        board.set(job.boardId, statusOf(state));
        if (!job.options.progressOutput || (state.state !== 'running' && state.state !== 'queued')) return;
        const progress = {
          messageId: jobId,
          state: state.state,
          progress: state.progress,
          progressImageUrl: state.state === 'running' ? state.progressImageUrl : null,
        };
        job.send([null, { _msgid: RED.util.generateId(), topic: job.msg.topic, payload: progress }]);
      },
      onCheckpoint: (checkpoint) => record(job, checkpoint),
    };
  }

  function record(job: Job, checkpoint: Checkpoint | undefined): void {
    if (!journal) return;
    if (!checkpoint) return journal.remove(job.key);
    job.snapshot ??= toJsonSafe(job.msg) as Record<string, unknown>;
    journal.save(job.key, {
      v: 1,
      messageId: checkpoint.jobId,
      submittedAt: checkpoint.submittedAt,
      remaining: checkpoint.remaining,
      options: job.options,
      msg: job.snapshot,
    });
  }

  async function deliver(job: Job, account: Account, jobId: string, result: JobResult): Promise<void> {
    const { msg } = job;
    const picture = await resultPicture(account, result, {
      download: job.options.downloadImage,
      signal: job.signal,
      onDownload: () =>
        board.set(job.boardId, { fill: 'blue', shape: 'ring', text: 'nextleg.status.downloading' }),
      onSizeUnknown: (err) => node.debug(`picture size unknown: ${toNodeError(err).message}`),
    });
    applyResult(msg, jobId, result, picture);
    board.finish(job.boardId, { fill: 'green', shape: 'dot', text: 'nextleg.status.done' });
    job.send(job.options.progressOutput ? [msg, null] : msg);
    options.onDelivered?.({ node, msg, result });
  }

  /** Runs a job to its delivery; the error (if any) is returned, undefined when stopped meanwhile. */
  async function execute(
    job: Job,
    run: (account: Account) => Promise<{ jobId: string; result: JobResult }>,
  ): Promise<NodeError | undefined> {
    try {
      const account = lookupAccount(RED, def.account);
      const { jobId, result } = await run(account);
      await deliver(job, account, jobId, result);
      journal?.remove(job.key);
      return undefined;
    } catch (err) {
      // The node was stopped (redeploy, delete, shutdown): its record, if any, is the next instance's.
      if (closing) return undefined;
      journal?.remove(job.key);
      const error = toNodeError(err);
      board.finish(job.boardId, { fill: 'red', shape: 'ring', text: error.code });
      return error;
    }
  }

  function newJob(msg: JobMessage, send: Job['send'], signal: AbortSignal, status: NodeStatus): Job {
    return { key: RED.util.generateId(), msg, send, signal, boardId: board.add(status), options: settings };
  }

  async function handle(
    msg: JobMessage,
    send: (msg: unknown) => void,
    done: (err?: Error) => void,
  ): Promise<void> {
    const controller = new AbortController();
    inFlight.add(controller);
    let job: Job | undefined;
    try {
      const account = lookupAccount(RED, def.account);
      const plan = await buildPlan(msg, account);
      const [first] = plan.steps;
      if (!wait && first && !plan.existingJobId) {
        const boardId = board.add({ fill: 'blue', shape: 'ring', text: 'nextleg.status.submitting' });
        try {
          const submitted = await submitStep(account, first, undefined, controller.signal);
          msg.messageId = submitted.jobId;
          msg.payload = submitted.payload;
        } catch (err) {
          const error = toNodeError(err);
          board.finish(boardId, { fill: 'red', shape: 'ring', text: error.code });
          done(closing ? undefined : error);
          return;
        }
        board.finish(boardId, { fill: 'green', shape: 'dot', text: 'nextleg.status.submitted' });
        send(msg);
        done();
        return;
      }
      job = newJob(msg, send, controller.signal, {
        fill: 'blue',
        shape: 'ring',
        text: 'nextleg.status.submitting',
      });
      ownKeys.add(job.key);
      const running = job;
      const error = await execute(job, (acc) =>
        runPlan(acc, plan, { signal: controller.signal, limits: settings, hooks: hooksFor(running) }),
      );
      done(error);
    } catch (err) {
      // Refused before any job existed (bad input, no account).
      if (closing) return done();
      const error = toNodeError(err);
      board.finish(undefined, { fill: 'red', shape: 'ring', text: error.code });
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
    msg.messageId = saved.messageId;
    const job: Job = {
      ...newJob(msg, (m) => node.send(m as Parameters<Node['send']>[0]), controller.signal, {
        fill: 'yellow',
        shape: 'ring',
        text: 'nextleg.status.resuming',
      }),
      key,
      options: saved.options,
      snapshot: saved.msg,
    };
    try {
      const error = await execute(job, (account) =>
        resumeRecord(account, saved, { signal: controller.signal, hooks: hooksFor(job) }),
      );
      if (error) node.error(error, msg);
    } finally {
      inFlight.delete(controller);
    }
  }

  node.on('input', (msg, send, done) => {
    void handle(msg, send as (m: unknown) => void, done);
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
        .catch((err: unknown) =>
          node.warn(RED._('nextleg.errors.resumeRead', { reason: toNodeError(err).message })),
        );
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
