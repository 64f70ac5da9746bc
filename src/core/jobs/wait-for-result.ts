// Waiting for one job: polls through the account's scheduler until the job is terminal, bounded by
// an overall limit and by a stall limit that only a job whose progress stopped moving can hit.
import { ApiError } from '../api/errors';
import type { MessageState, TnlResult } from '../tnl/types';
import { resultCodeError } from '../api/result-codes';
import { resultCodeOf } from '../tnl/message-state';
import type { RequestScheduler } from './scheduler';
import { clampTimerMs } from './timers';

/** All the waiting needs from a client, so any reader (the real client, a test script) will do. */
export interface MessageReader {
  getMessage(id: string, opts: { signal?: AbortSignal; expireMins?: number }): Promise<MessageState>;
}

/** Results pushed from elsewhere (a webhook receiver). */
export interface ResultFeed {
  /** Returns the unsubscribe function. */
  subscribe(messageId: string, onResult: (result: TnlResult) => void): () => void;
}

export interface WaitOptions {
  /** Passed to getMessage: after this many minutes TNL answers "incomplete"; default 12. */
  expireMins?: number;
  /** Overall limit; default 15 min → ApiError JOB_TIMEOUT. */
  timeoutMs?: number;
  /** Limit without a progress change while running; default 5 min → STALLED. Restarts on every change. */
  stallTimeoutMs?: number;
  /** Abort → ApiError ABORTED at once, and no further request. */
  signal?: AbortSignal;
  /** Every polled state that is not terminal (queued, JOB_QUEUED, running). */
  onState?: (state: MessageState) => void;
  /** When a result for this id arrives here, the wait finishes at once. */
  resultFeed?: ResultFeed;
  /** Extra pause before each poll, on top of the scheduler's spacing (polling as a slow fallback). */
  pollGapMs?: number;
  /** Pause before the first poll; default pollGapMs. */
  firstPollAfterMs?: number;
}

const DEFAULT_EXPIRE_MINS = 12;
const DEFAULT_TIMEOUT_MS = 15 * 60_000;
const DEFAULT_STALL_TIMEOUT_MS = 5 * 60_000;

function seconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`;
}

/** The same error with the job's id on it, so a Catch node can tell which job failed. */
function withMessageId(err: unknown, messageId: string): ApiError {
  if (err instanceof ApiError) {
    if (err.messageId === messageId) return err;
    return new ApiError({
      code: err.code,
      message: err.message,
      retryable: err.retryable,
      retryAfterMs: err.retryAfterMs,
      status: err.status,
      sent: err.sent,
      messageId,
    });
  }
  // Only the message is kept: a foreign error object may carry request details (and the token).
  const message = err instanceof Error ? err.message : String(err);
  return new ApiError({ code: 'BAD_RESPONSE', message: `Reading the job failed: ${message}`, messageId });
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

export function waitForResult(
  reader: MessageReader,
  scheduler: RequestScheduler,
  messageId: string,
  options: WaitOptions = {},
): Promise<TnlResult> {
  const expireMins = options.expireMins ?? DEFAULT_EXPIRE_MINS;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const stallTimeoutMs = options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
  const { signal, onState, resultFeed } = options;

  if (signal?.aborted) {
    return Promise.reject(
      new ApiError({ code: 'ABORTED', message: 'Cancelled before waiting began', sent: false, messageId }),
    );
  }

  return new Promise<TnlResult>((resolve, reject) => {
    let settled = false;
    // Aborting this cancels the poll that is queued or running when the wait ends for any reason.
    const polling = new AbortController();
    let stallTimer: NodeJS.Timeout | undefined;
    let stalledAt: number | undefined;
    let unsubscribe: (() => void) | undefined;

    const finish = (outcome: { result: TnlResult } | { error: ApiError }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(overallTimer);
      clearTimeout(stallTimer);
      signal?.removeEventListener('abort', onAbort);
      unsubscribe?.();
      polling.abort();
      if ('result' in outcome) resolve(outcome.result);
      else reject(outcome.error);
    };
    const fail = (code: string, message: string, retryable = false): void =>
      finish({ error: new ApiError({ code, message, retryable, messageId }) });

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

    const finishWith = (result: TnlResult): void => {
      const code = resultCodeOf(result);
      if (code === 'JOB_QUEUED') return; // not an outcome: the job still waits in Midjourney's queue
      if (code !== undefined) finish({ error: resultCodeError(code, messageId) });
      else finish({ result });
    };

    if (resultFeed) {
      const off = resultFeed.subscribe(messageId, (result) => finishWith(result));
      // A feed may answer synchronously from a result it already holds.
      if (settled) off();
      else unsubscribe = off;
    }

    const handle = (state: MessageState): void => {
      switch (state.state) {
        case 'done':
          finish({ result: state.result });
          return;
        case 'failed':
          finish({ error: resultCodeError(state.code, messageId) });
          return;
        case 'incomplete':
          fail('INCOMPLETE', `TNL gave up on the job: no result within ${expireMins} min`, true);
          return;
        case 'running':
          watchProgress(state.progress);
          break;
        case 'queued':
          break;
      }
      try {
        onState?.(state);
      } catch {
        // An observer's failure must not end the job's wait.
      }
    };

    let pause = options.firstPollAfterMs ?? options.pollGapMs ?? 0;
    const loop = async (): Promise<void> => {
      while (!settled) {
        if (pause > 0) await pauseFor(pause, polling.signal);
        pause = options.pollGapMs ?? 0;
        if (settled) return;
        const state = await scheduler.poll((s) => reader.getMessage(messageId, { signal: s, expireMins }), {
          signal: polling.signal,
          jobKey: messageId,
        });
        if (!settled) handle(state);
      }
    };
    loop().catch((err: unknown) => {
      if (!settled) finish({ error: withMessageId(err, messageId) });
    });
  });
}
