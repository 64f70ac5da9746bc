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

/** Waits for a job's result (or, with onModal 'end', for its dialog to open). */
export function waitForJob(
  reader: JobReader,
  scheduler: RequestScheduler,
  jobId: string,
  options: WaitOptions = {},
): Promise<WaitEnd> {
  const expireMins = options.expireMins ?? DEFAULT_EXPIRE_MINS;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const stallTimeoutMs = options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
  const unknownLimit = options.unknownLimit ?? DEFAULT_UNKNOWN_LIMIT;
  const { signal, onState, stateFeed } = options;

  if (signal?.aborted) {
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
    let settled = false;
    // Aborting this cancels the poll that is queued or running when the wait ends for any reason.
    const polling = new AbortController();
    let stallTimer: NodeJS.Timeout | undefined;
    let stalledAt: number | undefined;
    let unsubscribe: (() => void) | undefined;
    let highest = -1;
    let unknownReads = 0;

    const finish = (outcome: WaitEnd | { error: ApiError }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(overallTimer);
      clearTimeout(stallTimer);
      signal?.removeEventListener('abort', onAbort);
      unsubscribe?.();
      polling.abort();
      if ('error' in outcome) reject(outcome.error);
      else resolve(outcome);
    };
    const fail = (code: string, message: string, retryable = false): void =>
      finish({ error: new ApiError({ code, message, retryable, messageId: jobId }) });

    const onAbort = (): void => fail('ABORTED', 'Cancelled while waiting for the job');
    signal?.addEventListener('abort', onAbort, { once: true });

    const overallTimer = setTimeout(
      () => fail('JOB_TIMEOUT', `No result within ${seconds(timeoutMs)}`, true),
      clampTimerMs(timeoutMs),
    );

    const watchProgress = (progress: number): void => {
      if (progress === stalledAt && stallTimer !== undefined) return;
      stalledAt = progress;
      clearTimeout(stallTimer);
      stallTimer = setTimeout(
        () => fail('STALLED', `Progress stuck at ${progress}% for ${seconds(stallTimeoutMs)}`, true),
        clampTimerMs(stallTimeoutMs),
      );
    };

    /** The one place a state is judged, whether it was polled or pushed. */
    const handle = (state: JobState): void => {
      if (settled) return;
      if (state.state !== 'unknown') unknownReads = 0;
      switch (state.state) {
        case 'done':
          finish({ modal: false, result: state.result });
          return;
        case 'failed':
          finish({
            error: new ApiError({
              code: state.code,
              message: state.message,
              retryable: isTransientResultCode(state.code),
              messageId: jobId,
            }),
          });
          return;
        case 'incomplete':
          fail('INCOMPLETE', `The service gave up on the job: no result within ${expireMins} min`, true);
          return;
        case 'modal':
          if (options.onModal === 'pending') return;
          if (options.onModal === 'end') finish({ modal: true });
          else
            fail(
              'MODAL',
              'The job waits for a dialog to be submitted (midjourney-proxy status MODAL): the account ' +
                'has remix mode on, which opens one for this button. Turn remix off, or press the ' +
                'button where its dialog can be answered.',
            );
          return;
        case 'unknown':
          if (++unknownReads >= unknownLimit) {
            fail('NOT_FOUND', `The service does not know the job ${jobId} (asked ${unknownReads} times)`);
          }
          return;
        case 'running':
        case 'queued':
          // A push and a poll can cross, and a poll repeats what the last one said: only news counts.
          if (rank(state) <= highest) return;
          highest = rank(state);
          if (state.state === 'running') watchProgress(state.progress);
          try {
            onState?.(state);
          } catch {
            // An observer's failure must not end the job's wait.
          }
      }
    };

    if (stateFeed) {
      const off = stateFeed.subscribe(jobId, handle);
      // A feed may answer synchronously from a result it already holds.
      if (settled) off();
      else unsubscribe = off;
    }

    let pause = options.firstPollAfterMs ?? options.pollGapMs ?? 0;
    const loop = async (): Promise<void> => {
      while (!settled) {
        if (pause > 0) await pauseFor(pause, polling.signal);
        pause = options.pollGapMs ?? 0;
        if (settled) return;
        const state = await scheduler.poll((s) => reader.readJob(jobId, { signal: s, expireMins }), {
          signal: polling.signal,
          jobKey: jobId,
        });
        handle(state);
      }
    };
    loop().catch((err: unknown) => {
      if (!settled) finish({ error: withJobId(err, jobId) });
    });
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
