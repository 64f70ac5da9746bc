// Waiting for one job: polls through the account's scheduler until the job is terminal, bounded by
// an overall limit and by a stall limit that only a job whose progress stopped moving can hit.
// States read by polling and states pushed by a webhook go through the same rules (`handle`), so a
// job ends the same way whichever arrives first.
import { ApiError } from '../api/errors';
import type { JobResult, JobState } from '../api/job-model';
import { isTransientResultCode } from '../api/result-codes';
import type { RequestScheduler } from './scheduler';
import { clampTimerMs } from './timers';

/** All the waiting needs from an API, so any reader (the real API, a test script) will do. */
export interface JobReader {
  readJob(jobId: string, opts: { signal?: AbortSignal; expireMins?: number }): Promise<JobState>;
}

/** Job states pushed from elsewhere (a webhook receiver). */
export interface StateFeed {
  /** Returns the unsubscribe function. */
  subscribe(jobId: string, onState: (state: JobState) => void): () => void;
}

export interface WaitOptions {
  /** Passed to the reader: after this many minutes TNL answers "incomplete"; default 12. */
  expireMins?: number;
  /** Overall limit; default 15 min → ApiError JOB_TIMEOUT. */
  timeoutMs?: number;
  /** Limit without a progress change while running; default 5 min → STALLED. Restarts on every change. */
  stallTimeoutMs?: number;
  /** Abort → ApiError ABORTED at once, and no further request. */
  signal?: AbortSignal;
  /** Each state that is not an outcome (queued, JOB_QUEUED, running) once, in order, never backwards. */
  onState?: (state: JobState) => void;
  /** States pushed for this job end (or advance) the wait as polled ones do. */
  stateFeed?: StateFeed;
  /** Extra pause before each poll, on top of the scheduler's spacing (polling as a slow fallback). */
  pollGapMs?: number;
  /** Pause before the first poll; default pollGapMs. */
  firstPollAfterMs?: number;
  /**
   * What a job waiting for its dialog (`modal`) means: `fail` (default: nothing will answer it),
   * `end` (the caller sends the dialog), or `pending` (the dialog was sent; a relay that lags
   * behind its upstream still shows the old state, so keep waiting).
   */
  onModal?: 'fail' | 'end' | 'pending';
  /** Reads in a row that find no such job before it fails as NOT_FOUND; default 5. */
  unknownLimit?: number;
}

/** How a wait ended: the job's result, or (with onModal 'end') its dialog waiting to be sent. */
export type WaitEnd = { modal: false; result: JobResult } | { modal: true };

const DEFAULT_EXPIRE_MINS = 12;
const DEFAULT_TIMEOUT_MS = 15 * 60_000;
const DEFAULT_STALL_TIMEOUT_MS = 5 * 60_000;
const DEFAULT_UNKNOWN_LIMIT = 5;

function seconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`;
}

/** The same error with the job's id on it, so a Catch node can tell which job failed. */
function withJobId(err: unknown, jobId: string): ApiError {
  if (err instanceof ApiError) {
    if (err.messageId === jobId) return err;
    return new ApiError({
      code: err.code,
      message: err.message,
      retryable: err.retryable,
      retryAfterMs: err.retryAfterMs,
      status: err.status,
      sent: err.sent,
      throttled: err.throttled,
      messageId: jobId,
    });
  }
  // Only the message is kept: a foreign error object may carry request details (and the token).
  const message = err instanceof Error ? err.message : String(err);
  return new ApiError({
    code: 'BAD_RESPONSE',
    message: `Reading the job failed: ${message}`,
    messageId: jobId,
  });
}

/** Resolves after `ms`, or at once when the signal aborts (the caller checks whether it is done). */
function pauseFor(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, clampTimerMs(ms));
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Where a state stands in a job's life: a state that ranks below the last one seen is stale. */
function rank(state: JobState): number {
  if (state.state === 'queued') return state.code === 'JOB_QUEUED' ? 0.5 : 0;
  if (state.state === 'running') return 1 + state.progress / 100;
  return 3;
}

/** Why a job that waits for a dialog (remix mode) fails: the one message, polled or answered at submit. */
export const MODAL_MESSAGE =
  'The job waits for a dialog to be submitted (midjourney-proxy code 21 or status MODAL): the account ' +
  'has remix mode on, which opens one for this button. Turn remix off, or press the button where its ' +
  'dialog can be answered.';

/** One wait: its limits, the state seen so far, and the one way it ends (`finish`). */
class JobWait {
  private settled = false;
  /** Aborting this cancels the poll that is queued or running when the wait ends for any reason. */
  private readonly polling = new AbortController();
  private readonly overallTimer: NodeJS.Timeout;
  private stallTimer: NodeJS.Timeout | undefined;
  private stalledAt: number | undefined;
  private unsubscribe: (() => void) | undefined;
  private highest = -1;
  private unknownReads = 0;
  private readonly expireMins: number;
  private readonly stallTimeoutMs: number;
  private readonly onAbort = (): void => this.fail('ABORTED', 'Cancelled while waiting for the job');

  constructor(
    private readonly reader: JobReader,
    private readonly scheduler: RequestScheduler,
    private readonly jobId: string,
    private readonly options: WaitOptions,
    private readonly resolve: (end: WaitEnd) => void,
    private readonly reject: (err: ApiError) => void,
  ) {
    this.expireMins = options.expireMins ?? DEFAULT_EXPIRE_MINS;
    this.stallTimeoutMs = options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    options.signal?.addEventListener('abort', this.onAbort, { once: true });
    this.overallTimer = setTimeout(
      () => this.fail('JOB_TIMEOUT', `No result within ${seconds(timeoutMs)}`, true),
      clampTimerMs(timeoutMs),
    );
  }

  start(): void {
    if (this.options.stateFeed) {
      const off = this.options.stateFeed.subscribe(this.jobId, (state) => this.handle(state));
      // A feed may answer synchronously from a result it already holds.
      if (this.settled) off();
      else this.unsubscribe = off;
    }
    this.poll().catch((err: unknown) => {
      if (!this.settled) this.finish({ error: withJobId(err, this.jobId) });
    });
  }

  private async poll(): Promise<void> {
    const { pollGapMs = 0 } = this.options;
    let pause = this.options.firstPollAfterMs ?? pollGapMs;
    while (!this.settled) {
      if (pause > 0) await pauseFor(pause, this.polling.signal);
      pause = pollGapMs;
      if (this.settled) return;
      const state = await this.scheduler.poll(
        (s) => this.reader.readJob(this.jobId, { signal: s, expireMins: this.expireMins }),
        { signal: this.polling.signal, jobKey: this.jobId },
      );
      this.handle(state);
    }
  }

  /** The one place a state is judged, whether it was polled or pushed. */
  private handle(state: JobState): void {
    if (this.settled) return;
    if (state.state !== 'unknown') this.unknownReads = 0;
    switch (state.state) {
      case 'done':
        return this.finish({ modal: false, result: state.result });
      case 'failed':
        return this.fail(state.code, state.message, isTransientResultCode(state.code));
      case 'incomplete':
        return this.fail(
          'INCOMPLETE',
          `The service gave up on the job: no result within ${this.expireMins} min`,
          true,
        );
      case 'modal':
        if (this.options.onModal === 'pending') return;
        if (this.options.onModal === 'end') return this.finish({ modal: true });
        return this.fail('MODAL', MODAL_MESSAGE);
      case 'unknown':
        if (++this.unknownReads < (this.options.unknownLimit ?? DEFAULT_UNKNOWN_LIMIT)) return;
        return this.fail(
          'NOT_FOUND',
          `The service does not know the job ${this.jobId} (asked ${this.unknownReads} times)`,
        );
      case 'running':
      case 'queued':
        return this.progress(state);
    }
  }

  private progress(state: Extract<JobState, { state: 'queued' | 'running' }>): void {
    // A push and a poll can cross, and a poll repeats what the last one said: only news counts.
    if (rank(state) <= this.highest) return;
    this.highest = rank(state);
    if (state.state === 'running') this.watchStall(state.progress);
    try {
      this.options.onState?.(state);
    } catch {
      // An observer's failure must not end the job's wait.
    }
  }

  /** The stall limit restarts whenever the progress moves. */
  private watchStall(progress: number): void {
    if (progress === this.stalledAt && this.stallTimer !== undefined) return;
    this.stalledAt = progress;
    clearTimeout(this.stallTimer);
    this.stallTimer = setTimeout(
      () => this.fail('STALLED', `Progress stuck at ${progress}% for ${seconds(this.stallTimeoutMs)}`, true),
      clampTimerMs(this.stallTimeoutMs),
    );
  }

  private fail(code: string, message: string, retryable = false): void {
    this.finish({ error: new ApiError({ code, message, retryable, messageId: this.jobId }) });
  }

  private finish(outcome: WaitEnd | { error: ApiError }): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.overallTimer);
    clearTimeout(this.stallTimer);
    this.options.signal?.removeEventListener('abort', this.onAbort);
    this.unsubscribe?.();
    this.polling.abort();
    if ('error' in outcome) this.reject(outcome.error);
    else this.resolve(outcome);
  }
}

/** Waits for a job's result (or, with onModal 'end', for its dialog to open). */
export function waitForJob(
  reader: JobReader,
  scheduler: RequestScheduler,
  jobId: string,
  options: WaitOptions = {},
): Promise<WaitEnd> {
  if (options.signal?.aborted) {
    return Promise.reject(
      new ApiError({
        code: 'ABORTED',
        message: 'Cancelled before waiting began',
        sent: false,
        messageId: jobId,
      }),
    );
  }
  return new Promise<WaitEnd>((resolve, reject) => {
    new JobWait(reader, scheduler, jobId, options, resolve, reject).start();
  });
}

/** Waits for a job's result; a job that opens a dialog fails as MODAL. */
export async function waitForResult(
  reader: JobReader,
  scheduler: RequestScheduler,
  jobId: string,
  options: Omit<WaitOptions, 'onModal'> = {},
): Promise<JobResult> {
  const end = await waitForJob(reader, scheduler, jobId, { ...options, onModal: 'fail' });
  // onModal 'fail': a modal ended the wait with an error instead.
  if (end.modal)
    throw new ApiError({ code: 'MODAL', message: 'The job waits for a dialog', messageId: jobId });
  return end.result;
}
