// RequestScheduler as a pure unit: submit spacing, fair FIFO polls, 429 pauses, retry rules, abort and close.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { RequestScheduler, type SchedulerOptions } from '../../src/core/jobs';
import { ApiError } from '../../src/core/api/errors';

const activeTimers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
const baselineTimers = activeTimers();
const schedulers: RequestScheduler[] = [];

function make(options: SchedulerOptions): RequestScheduler {
  const scheduler = new RequestScheduler({ backoffBaseMs: 2, backoffMaxMs: 10, ...options });
  schedulers.push(scheduler);
  return scheduler;
}

const fail = (code: string, extra: Partial<ConstructorParameters<typeof ApiError>[0]> = {}): ApiError =>
  new ApiError({ code, message: code, ...extra });

/** A call that fails with the given errors in turn, then answers 'ok'; counts its invocations. */
function scripted(errors: ApiError[]): { call: () => Promise<string>; calls: number[] } {
  const calls: number[] = [];
  return {
    calls,
    call: async () => {
      calls.push(performance.now());
      const err = errors[calls.length - 1];
      if (err) throw err;
      return 'ok';
    },
  };
}

/**
 * Start k must come at least k spacings after t0, read before anything was queued. Bounds against
 * t0 (not between neighbours) hold however long the process is paused between two clock reads.
 */
function assertSpaced(times: number[], t0: number, spacingMs: number, what: string): void {
  times.forEach((at, k) => {
    assert.ok(
      at - t0 >= k * spacingMs - 0.01,
      `${what} ${k} started ${at - t0} ms after the first was queued`,
    );
  });
}

after(() => {
  for (const s of schedulers) s.close();
  assert.equal(activeTimers(), baselineTimers, 'a scheduler left a timer behind');
});

describe('RequestScheduler submits', () => {
  it('starts submits in FIFO order, each at least submitIntervalMs after the previous one', async () => {
    const s = make({ submitIntervalMs: 25 });
    const started: { id: number; at: number }[] = [];
    const t0 = performance.now();
    const results = await Promise.all(
      [0, 1, 2, 3].map((id) =>
        s.submit(async () => {
          started.push({ id, at: performance.now() });
          return id;
        }),
      ),
    );
    assert.deepEqual(results, [0, 1, 2, 3]);
    assert.deepEqual(
      started.map((x) => x.id),
      [0, 1, 2, 3],
    );
    assertSpaced(
      started.map((x) => x.at),
      t0,
      25,
      'submit',
    );
    assert.equal(s.stats.submits, 4);
    assert.equal(s.pending, 0);
  });

  it('never repeats a submit after an error that may have reached TNL', async () => {
    for (const err of [
      fail('NETWORK', { sent: true, retryable: true }),
      fail('HTTP_500', { retryable: true, status: 500 }),
      fail('HTTP_502', { retryable: true, status: 502 }),
      fail('TIMEOUT', { sent: true, retryable: true }),
    ]) {
      const s = make({ submitIntervalMs: 0 });
      const script = scripted([err, err, err]);
      await assert.rejects(s.submit(script.call), (e: unknown) => e === err);
      assert.equal(script.calls.length, 1, `${err.code} was repeated`);
      assert.equal(s.stats.retries, 0);
    }
  });

  it('repeats a submit that surely was not sent', async () => {
    const s = make({ submitIntervalMs: 0 });
    const refused = fail('NETWORK', { sent: false, retryable: true });
    const script = scripted([refused, refused]);
    assert.equal(await s.submit(script.call), 'ok');
    assert.equal(script.calls.length, 3);
    assert.equal(s.stats.retries, 2);
  });

  it('does not repeat a submit rejected for its input', async () => {
    const s = make({ submitIntervalMs: 0 });
    const script = scripted([fail('INVALID_INPUT', { sent: false })]);
    await assert.rejects(s.submit(script.call), { code: 'INVALID_INPUT' });
    assert.equal(script.calls.length, 1);
  });

  it('pauses the whole submit lane for Retry-After on a 429, then succeeds', async () => {
    const s = make({ submitIntervalMs: 1 });
    const first = scripted([fail('HTTP_429', { retryable: true, retryAfterMs: 60, status: 429 })]);
    const second = scripted([]);
    const refused = s.submit(first.call);
    await new Promise((r) => setImmediate(r)); // the 429 has come back; the next submit is queued behind it
    assert.equal(first.calls.length, 1);
    const [a, b] = await Promise.all([refused, s.submit(second.call)]);
    assert.deepEqual([a, b], ['ok', 'ok']);
    assert.equal(first.calls.length, 2);
    assert.equal(second.calls.length, 1);
    const pause = second.calls[0]! - first.calls[0]!;
    assert.ok(pause >= 59, `the other submit went out ${pause} ms after the 429, inside the pause`);
    assert.ok(first.calls[1]! <= second.calls[0]!, 'the refused submit lost its turn');
    assert.equal(s.stats.throttled, 1);
    assert.equal(s.stats.retries, 1);
  });
});

describe('RequestScheduler polls', () => {
  it('shares polls round-robin across jobs (FIFO), so no job starves', async () => {
    const s = make({ pollIntervalMs: 0, maxPollsPerSecond: 500 });
    const order: string[] = [];
    const jobs = Array.from({ length: 8 }, (_, i) => `job${i}`);
    await Promise.all(
      jobs.map(async (job) => {
        for (let n = 0; n < 4; n++) {
          await s.poll(
            async () => {
              order.push(job);
            },
            { jobKey: job },
          );
        }
      }),
    );
    assert.equal(order.length, 32);
    for (let round = 0; round < 4; round++) {
      assert.deepEqual(
        order.slice(round * 8, round * 8 + 8),
        jobs,
        `round ${round} was not one poll per job`,
      );
    }
    assert.equal(s.stats.polls, 32);
  });

  it('polls one job no more often than pollIntervalMs while other jobs go meanwhile', async () => {
    const s = make({ pollIntervalMs: 30, maxPollsPerSecond: 1000 });
    const seen: { job: string; at: number }[] = [];
    const t0 = performance.now();
    const pollJob = async (job: string, times: number): Promise<void> => {
      for (let n = 0; n < times; n++) {
        await s.poll(async () => void seen.push({ job, at: performance.now() }), { jobKey: job });
      }
    };
    await Promise.all([pollJob('slow', 3), pollJob('other', 3)]);
    const slow = seen.filter((x) => x.job === 'slow').map((x) => x.at);
    assertSpaced(slow, t0, 30, 'poll of the job');
    // The second job's first poll does not wait for the first job's interval.
    assert.ok(seen[1]!.job === 'other' && seen[1]!.at < slow[1]!);
  });

  it('spreads polls account-wide at no more than maxPollsPerSecond', async () => {
    const s = make({ pollIntervalMs: 0, maxPollsPerSecond: 50 });
    const at: number[] = [];
    const t0 = performance.now();
    await Promise.all(
      ['a', 'b', 'c', 'd'].map((job) => s.poll(async () => void at.push(performance.now()), { jobKey: job })),
    );
    assert.equal(at.length, 4);
    assertSpaced(at, t0, 20, 'poll');
  });

  it('retries a poll after 502s and then answers', async () => {
    const s = make({ pollIntervalMs: 0, maxPollsPerSecond: 1000 });
    const bad = fail('HTTP_502', { retryable: true, status: 502 });
    const script = scripted([bad, bad, fail('NETWORK', { retryable: true })]);
    assert.equal(await s.poll(script.call, { jobKey: 'x' }), 'ok');
    assert.equal(script.calls.length, 4);
    assert.equal(s.stats.retries, 3);
  });

  it('gives up a poll after maxRetries consecutive failures', async () => {
    const s = make({ pollIntervalMs: 0, maxPollsPerSecond: 1000, maxRetries: 3 });
    const bad = fail('HTTP_503', { retryable: true, status: 503 });
    const script = scripted(Array.from({ length: 10 }, () => bad));
    await assert.rejects(s.poll(script.call), { code: 'HTTP_503' });
    assert.equal(script.calls.length, 4);
    assert.equal(s.stats.retries, 3);
  });

  it('does not retry a poll that failed for good (404)', async () => {
    const s = make({ pollIntervalMs: 0, maxPollsPerSecond: 1000 });
    const script = scripted([fail('HTTP_404', { status: 404 })]);
    await assert.rejects(s.poll(script.call), { code: 'HTTP_404' });
    assert.equal(script.calls.length, 1);
  });

  it('pauses every job’s polls on a 429, then goes on', async () => {
    const s = make({ pollIntervalMs: 0, maxPollsPerSecond: 1000 });
    const first = scripted([fail('HTTP_429', { retryable: true, retryAfterMs: 50, status: 429 })]);
    const second = scripted([]);
    const refused = s.poll(first.call, { jobKey: 'a' });
    await new Promise((r) => setImmediate(r));
    await Promise.all([refused, s.poll(second.call, { jobKey: 'b' })]);
    assert.ok(second.calls[0]! - first.calls[0]! >= 49, 'job b was polled inside the pause');
    assert.equal(s.stats.throttled, 1);
  });
});

describe('RequestScheduler cancelling', () => {
  it('rejects a queued call on abort without ever running it', async () => {
    const s = make({ submitIntervalMs: 10_000 });
    const first = scripted([]);
    const second = scripted([]);
    const controller = new AbortController();
    await s.submit(first.call);
    const queued = s.submit(second.call, { signal: controller.signal });
    assert.equal(s.pending, 1);
    controller.abort();
    await assert.rejects(queued, { code: 'ABORTED' });
    assert.equal(second.calls.length, 0);
    assert.equal(s.pending, 0);
    assert.equal(activeTimers(), baselineTimers, 'the lane timer outlived its last task');
  });

  it('rejects a running call on abort at once and aborts its signal', async () => {
    const s = make({ pollIntervalMs: 0 });
    const controller = new AbortController();
    let seen: AbortSignal | undefined;
    const running = s.poll(
      (signal) =>
        new Promise<never>(() => {
          seen = signal;
        }),
      { signal: controller.signal },
    );
    await new Promise((r) => setImmediate(r));
    controller.abort();
    await assert.rejects(running, { code: 'ABORTED' });
    assert.equal(seen?.aborted, true);
  });

  it('close() rejects queued and running work with ABORTED and clears every timer', async () => {
    const before = activeTimers();
    const s = new RequestScheduler({
      submitIntervalMs: 10_000,
      pollIntervalMs: 10_000,
      maxPollsPerSecond: 1,
    });
    const hang = (): Promise<never> => new Promise<never>(() => undefined);
    const work = [
      s.submit(hang),
      s.submit(hang),
      s.submit(hang),
      s.poll(hang, { jobKey: 'a' }),
      s.poll(hang, { jobKey: 'b' }),
    ];
    await new Promise((r) => setImmediate(r));
    assert.equal(s.pending, 5);
    assert.ok(activeTimers() > before, 'queued work should be waiting on a timer');
    s.close();
    const outcomes = await Promise.allSettled(work);
    for (const o of outcomes) {
      assert.equal(o.status, 'rejected');
      assert.equal((o as PromiseRejectedResult).reason.code, 'ABORTED');
    }
    assert.equal(s.pending, 0);
    assert.equal(activeTimers(), before);
    await assert.rejects(s.submit(hang), { code: 'ABORTED' });
  });

  it('refuses invalid options', () => {
    assert.throws(() => new RequestScheduler({ submitIntervalMs: -1 }), { code: 'INVALID_CONFIG' });
    assert.throws(() => new RequestScheduler({ maxRetries: Number.NaN }), { code: 'INVALID_CONFIG' });
  });
});
