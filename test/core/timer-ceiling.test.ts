// Durations longer than a timer can hold (2^31 - 1 ms, about 24.8 days) are capped there instead of
// firing at once: the overall and stall limits of a wait, the pause between fallback polls, a
// Retry-After, and the request timeout of an account.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Account } from '../../src/core/account';
import { ApiError } from '../../src/core/api/errors';
import { RequestScheduler, waitForResult, type JobReader } from '../../src/core/jobs';
import { clampTimerMs, MAX_TIMER_MS } from '../../src/core/jobs/timers';

/** Far beyond the ceiling: Node would fire such a timer after 1 ms. */
const YEARS_MS = 2 ** 40;
/** Long enough for a timer that fires at once to have fired many times over. */
const SETTLE_MS = 150;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Always running at 50%: only a limit can end the wait. */
const runningReader = (): JobReader & { reads: number } => {
  const reader = {
    reads: 0,
    async readJob() {
      reader.reads++;
      return { state: 'running' as const, progress: 50, progressImageUrl: null };
    },
  };
  return reader;
};

/** Which way a promise went within SETTLE_MS: 'pending' if neither. */
async function outcomeWithin<T>(promise: Promise<T>): Promise<'pending' | 'resolved' | string> {
  let outcome: 'pending' | 'resolved' | string = 'pending';
  promise.then(
    () => (outcome = 'resolved'),
    (err: unknown) => (outcome = err instanceof ApiError ? String(err.code) : String(err)),
  );
  await sleep(SETTLE_MS);
  return outcome;
}

describe('clampTimerMs', () => {
  it('keeps what a timer holds, caps longer delays at the ceiling, makes nonsense 0', () => {
    assert.equal(clampTimerMs(1500), 1500);
    assert.equal(clampTimerMs(MAX_TIMER_MS), MAX_TIMER_MS);
    assert.equal(clampTimerMs(MAX_TIMER_MS + 1), MAX_TIMER_MS);
    assert.equal(clampTimerMs(Infinity), MAX_TIMER_MS);
    assert.equal(clampTimerMs(-5), 0);
    assert.equal(clampTimerMs(Number.NaN), 0);
  });
});

describe('limits beyond the ceiling wait instead of firing at once', () => {
  const scheduler = new RequestScheduler({ pollIntervalMs: 5, maxPollsPerSecond: 1000 });
  after(() => scheduler.close());

  it('an overall limit and a stall limit of years keep the wait going', async () => {
    const reader = runningReader();
    const controller = new AbortController();
    const waiting = waitForResult(reader, scheduler, 'AAAAAAAAAAAAAAAAAAA1', {
      timeoutMs: YEARS_MS,
      stallTimeoutMs: YEARS_MS,
      signal: controller.signal,
    });
    assert.equal(await outcomeWithin(waiting), 'pending');
    assert.ok(reader.reads >= 2, 'the job was not polled while waiting');
    controller.abort();
    await assert.rejects(waiting, { code: 'ABORTED' });
  });

  it('a fallback poll gap of years does not poll again at once', async () => {
    const reader = runningReader();
    const controller = new AbortController();
    const waiting = waitForResult(reader, scheduler, 'AAAAAAAAAAAAAAAAAAA2', {
      pollGapMs: YEARS_MS,
      firstPollAfterMs: 0,
      signal: controller.signal,
    });
    await sleep(SETTLE_MS);
    assert.equal(reader.reads, 1);
    controller.abort();
    await assert.rejects(waiting, { code: 'ABORTED' });
  });

  it('a Retry-After of years holds the refused call back', async () => {
    const s = new RequestScheduler({ submitIntervalMs: 0 });
    let calls = 0;
    const refusedOnce = async (): Promise<string> => {
      calls++;
      if (calls === 1) {
        throw new ApiError({ code: 'HTTP_429', message: 'slow down', status: 429, retryAfterMs: YEARS_MS });
      }
      return 'ok';
    };
    const submitting = s.submit(refusedOnce);
    assert.equal(await outcomeWithin(submitting), 'pending');
    assert.equal(calls, 1);
    s.close();
    await assert.rejects(submitting, { code: 'ABORTED' });
  });
});

describe('an account’s request timeout beyond the ceiling', () => {
  let server: Server;
  let url: string;
  before(async () => {
    // Never answers: only the request timeout (or the caller) can end a request.
    server = createServer(() => undefined);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('leaves a hung request waiting instead of failing it as TIMEOUT at once', async () => {
    const account = new Account({
      baseUrl: url,
      token: 't',
      submitIntervalMs: 0,
      requestTimeoutMs: YEARS_MS,
    });
    const controller = new AbortController();
    const submitting = account.submit((api, signal) => api.imagine('a fox', { signal }), controller.signal);
    assert.equal(await outcomeWithin(submitting), 'pending');
    controller.abort();
    await assert.rejects(submitting, { code: 'ABORTED' });
    account.close();
  });
});
