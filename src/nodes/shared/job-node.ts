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
const SUBMITTING: NodeStatus = { fill: 'blue', shape: 'ring', text: 'nextleg.status.submitting' };
const RESUMING: NodeStatus = { fill: 'yellow', shape: 'ring', text: 'nextleg.status.resuming' };

function statusOf(state: JobState): NodeStatus {
  return state.state === 'running' ? { fill: 'blue', shape: 'dot', text: `${state.progress}%` } : QUEUED;
}

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

interface HandlerOptions {
  alwaysWait?: boolean;
  onDelivered?: (delivered: DeliveredResult) => void;
}

/** The jobs of one API node instance: run, shown, delivered, recorded, resumed, stopped. */
class NodeJobs {
  private readonly wait: boolean;
  private readonly settings: JobRecord['options'];
  private readonly board: JobStatusBoard;
  private readonly journal: JobJournal | undefined;
  private readonly inFlight = new Set<AbortController>();
  /** Jobs this instance started: a record of one is never resumed by this same instance. */
  private readonly ownKeys = new Set<string>();
  /** Records saved before this instance existed are an earlier instance's; later ones are ours. */
  private readonly startedAt = Date.now();
  private closing = false;

  constructor(
    private readonly RED: NodeAPI,
    private readonly node: Node,
    private readonly def: WaitingNodeDef,
    private readonly buildPlan: PlanBuilder,
    private readonly options: HandlerOptions,
  ) {
    this.wait = options.alwaysWait || def.wait !== false;
    const minutes = (field: 'timeout' | 'stallTimeout', fallback: number): number =>
      durationMs(def[field], fallback, 60_000, {
        onProblem: warnSettingProblem(
          RED,
          node,
          `nextleg.label.${field}`,
          def[field],
          'nextleg.label.minutes',
        ),
      });
    this.settings = {
      progressOutput: this.wait && def.progressOutput === true,
      downloadImage: this.wait && def.downloadImage === true,
      timeoutMs: minutes('timeout', WAIT_DEFAULTS.timeoutMin),
      stallTimeoutMs: minutes('stallTimeout', WAIT_DEFAULTS.stallTimeoutMin),
      expireMins: positiveNumber(def.expireMins, WAIT_DEFAULTS.expireMins),
    };
    this.board = new JobStatusBoard(node, (count) => RED._('nextleg.status.jobs', { count }));
    const journalSettings = journalSettingsOf(RED, def.account);
    this.journal =
      this.wait && journalSettings?.resumeJobs
        ? new JobJournal(node, journalSettings.contextStore, handoverFor(RED))
        : undefined;
  }

  /** One input msg: refused, submitted without waiting, or run to its result. */
  async handle(msg: JobMessage, send: (msg: unknown) => void, done: (err?: Error) => void): Promise<void> {
    const controller = this.track();
    let job: Job | undefined;
    try {
      const account = lookupAccount(this.RED, this.def.account);
      const plan = await this.buildPlan(msg, account);
      const [first] = plan.steps;
      if (!this.wait && first && !plan.existingJobId) {
        return await this.submitOnly(account, first, msg, send, done, controller.signal);
      }
      job = this.newJob(msg, send, controller.signal, SUBMITTING);
      this.ownKeys.add(job.key);
      const hooks = this.hooksFor(job);
      done(
        await this.execute(job, (acc) =>
          runPlan(acc, plan, { signal: controller.signal, limits: this.settings, hooks }),
        ),
      );
    } catch (err) {
      // Refused before any job existed (bad input, no account).
      if (this.closing) return done();
      const error = toNodeError(err);
      this.board.finish(undefined, { fill: 'red', shape: 'ring', text: error.code });
      done(error);
    } finally {
      this.inFlight.delete(controller);
      if (job) this.ownKeys.delete(job.key);
    }
  }

  /** Picks up the jobs an earlier instance recorded, once the flow (and its account) has started. */
  resumeRecorded(): void {
    const journal = this.journal;
    if (!journal) return;
    setImmediate(() => {
      if (this.closing) return;
      journal
        .load()
        .then((records) => {
          for (const { jobKey, record } of records) {
            // ownKeys alone is not enough: a job of ours may have finished (and left ownKeys) while
            // the store was being read, and must not run a second time.
            if (this.closing || this.ownKeys.has(jobKey) || record.submittedAt >= this.startedAt) continue;
            void this.resume(jobKey, record);
          }
        })
        .catch((err: unknown) =>
          this.node.warn(this.RED._('nextleg.errors.resumeRead', { reason: toNodeError(err).message })),
        );
    });
  }

  /** Stops every job at once; a deleted node's records go with it, a redeployed one's stay. */
  close(removed: boolean, done: () => void): void {
    this.closing = true;
    for (const controller of this.inFlight) controller.abort();
    this.inFlight.clear();
    this.board.clear();
    if (removed && this.journal) this.journal.clear().then(done, done);
    else done();
  }

  private track(): AbortController {
    const controller = new AbortController();
    this.inFlight.add(controller);
    return controller;
  }

  /** Wait unticked: the acknowledgement is the msg. */
  private async submitOnly(
    account: Account,
    step: JobPlan['steps'][number],
    msg: JobMessage,
    send: (msg: unknown) => void,
    done: (err?: Error) => void,
    signal: AbortSignal,
  ): Promise<void> {
    const boardId = this.board.add(SUBMITTING);
    try {
      const submitted = await submitStep(account, step, undefined, signal);
      msg.messageId = submitted.jobId;
      msg.payload = submitted.payload;
    } catch (err) {
      const error = toNodeError(err);
      this.board.finish(boardId, { fill: 'red', shape: 'ring', text: error.code });
      return done(this.closing ? undefined : error);
    }
    this.board.finish(boardId, { fill: 'green', shape: 'dot', text: 'nextleg.status.submitted' });
    send(msg);
    done();
  }

  /** Finishes a job an earlier instance recorded; delivers through node.send / node.error. */
  private async resume(key: string, saved: JobRecord): Promise<void> {
    const controller = this.track();
    const msg = saved.msg as JobMessage;
    msg.messageId = saved.messageId;
    const send = (m: unknown): void => this.node.send(m as Parameters<Node['send']>[0]);
    const job: Job = {
      ...this.newJob(msg, send, controller.signal, RESUMING),
      key,
      options: saved.options,
      snapshot: saved.msg,
    };
    try {
      const hooks = this.hooksFor(job);
      const error = await this.execute(job, (account) =>
        resumeRecord(account, saved, { signal: controller.signal, hooks }),
      );
      if (error) this.node.error(error, msg);
    } finally {
      this.inFlight.delete(controller);
    }
  }

  private newJob(msg: JobMessage, send: Job['send'], signal: AbortSignal, status: NodeStatus): Job {
    const boardId = this.board.add(status);
    return { key: this.RED.util.generateId(), msg, send, signal, boardId, options: this.settings };
  }

  /** Runs a job to its delivery; the error (if any) is returned, undefined when stopped meanwhile. */
  private async execute(
    job: Job,
    run: (account: Account) => Promise<{ jobId: string; result: JobResult }>,
  ): Promise<NodeError | undefined> {
    try {
      const account = lookupAccount(this.RED, this.def.account);
      const { jobId, result } = await run(account);
      await this.deliver(job, account, jobId, result);
      this.journal?.remove(job.key);
      return undefined;
    } catch (err) {
      // The node was stopped (redeploy, delete, shutdown): its record, if any, is the next instance's.
      if (this.closing) return undefined;
      this.journal?.remove(job.key);
      const error = toNodeError(err);
      this.board.finish(job.boardId, { fill: 'red', shape: 'ring', text: error.code });
      return error;
    }
  }

  private async deliver(job: Job, account: Account, jobId: string, result: JobResult): Promise<void> {
    const { msg } = job;
    const picture = await resultPicture(account, result, {
      download: job.options.downloadImage,
      signal: job.signal,
      onDownload: () =>
        this.board.set(job.boardId, { fill: 'blue', shape: 'ring', text: 'nextleg.status.downloading' }),
      onSizeUnknown: (err) => this.node.debug(`picture size unknown: ${toNodeError(err).message}`),
    });
    applyResult(msg, jobId, result, picture);
    this.board.finish(job.boardId, { fill: 'green', shape: 'dot', text: 'nextleg.status.done' });
    job.send(job.options.progressOutput ? [msg, null] : msg);
    this.options.onDelivered?.({ node: this.node, msg, result });
  }

  /** Status, progress output and checkpoints of a job, from the runner's callbacks. */
  private hooksFor(job: Job): RunHooks {
    return {
      onSubmit: (step) => this.board.set(job.boardId, { fill: 'blue', shape: 'ring', text: step.status }),
      onJob: (jobId) => {
        job.msg.messageId = jobId;
        this.board.set(job.boardId, { fill: 'yellow', shape: 'ring', text: 'nextleg.status.waiting' });
      },
      onState: (jobId, state) => {
        this.board.set(job.boardId, statusOf(state));
        if (job.options.progressOutput) this.sendProgress(job, jobId, state);
      },
      onCheckpoint: (checkpoint) => this.record(job, checkpoint),
    };
  }

  private sendProgress(job: Job, jobId: string, state: JobState): void {
    if (state.state !== 'running' && state.state !== 'queued') return;
    const progress = {
      messageId: jobId,
      state: state.state,
      progress: state.progress,
      progressImageUrl: state.state === 'running' ? state.progressImageUrl : null,
    };
    job.send([null, { _msgid: this.RED.util.generateId(), topic: job.msg.topic, payload: progress }]);
  }

  private record(job: Job, checkpoint: Checkpoint | undefined): void {
    if (!this.journal) return;
    if (!checkpoint) return this.journal.remove(job.key);
    job.snapshot ??= toJsonSafe(job.msg) as Record<string, unknown>;
    this.journal.save(job.key, {
      v: 1,
      messageId: checkpoint.jobId,
      submittedAt: checkpoint.submittedAt,
      remaining: checkpoint.remaining,
      options: job.options,
      msg: job.snapshot,
    });
  }
}

/** Gives an API node its job handling: input, resume of recorded jobs, close. */
export function attachJobHandler(
  RED: NodeAPI,
  node: Node,
  def: WaitingNodeDef,
  buildPlan: PlanBuilder,
  options: HandlerOptions = {},
): void {
  const jobs = new NodeJobs(RED, node, def, buildPlan, options);
  node.on('input', (msg, send, done) => void jobs.handle(msg, send as (m: unknown) => void, done));
  node.on('close', (removed: boolean, done: () => void) => jobs.close(removed, done));
  jobs.resumeRecorded();
}
