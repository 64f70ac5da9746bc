// RequestScheduler as a pure unit: submit spacing, fair FIFO polls, pacing after 429s (per lane, Retry-After
// for the refused call only), retry rules, abort and close.
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

  it('a 429 slows the submit lane; the refused submit alone waits out Retry-After', async () => {
    const s = make({ submitIntervalMs: 5, pollIntervalMs: 0, maxPollsPerSecond: 1000 });
    const first = scripted([fail('HTTP_429', { retryable: true, retryAfterMs: 80, status: 429 })]);
    const second = scripted([]);
    const third = scripted([]);
    const results = await Promise.all([s.submit(first.call), s.submit(second.call), s.submit(third.call)]);
    assert.deepEqual(results, ['ok', 'ok', 'ok']);
    assert.equal(first.calls.length, 2);
    assert.ok(
      first.calls[1]! - first.calls[0]! >= 79,
      'the refused submit was retried inside its Retry-After',
    );
    // The lane went on meanwhile: the other submits did not wait for the refused one's Retry-After.
    assert.ok(third.calls[0]! < first.calls[1]!, 'the whole lane waited for Retry-After');
    assert.ok(second.calls[0]! < third.calls[0]!, 'the submits after the refused one went out of order');
    assert.ok(s.stats.submitSpacingMs > 5, 'the submit lane kept its pace after a 429');
    assert.equal(s.stats.pollSpacingMs, 1, 'a submit 429 slowed the polls');
    assert.equal(s.stats.throttled, 1);
    assert.equal(s.stats.retries, 1);
  });

  it('a refused submit that gets no Retry-After still waits a backoff, and is not counted as sent', async () => {
    const s = make({ submitIntervalMs: 0, backoffBaseMs: 30, backoffMaxMs: 30 });
    const queueFull = fail('QUEUE_FULL', { throttled: true, status: 200 });
    const script = scripted([queueFull]);
    assert.equal(await s.submit(script.call), 'ok');
    assert.equal(script.calls.length, 2);
    assert.ok(script.calls[1]! - script.calls[0]! >= 14, 'retried at once after a refusal for load');
    assert.equal(s.stats.throttled, 1);
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

  it('a 429 on a poll holds back that job’s poll only; the other jobs keep their turns', async () => {
    const s = make({ pollIntervalMs: 0, maxPollsPerSecond: 1000 });
    const refused = scripted([fail('HTTP_429', { retryable: true, retryAfterMs: 60, status: 429 })]);
    const others = ['b', 'c', 'd'].map(() => scripted([]));
    await Promise.all([
      s.poll(refused.call, { jobKey: 'a' }),
      ...others.map((script, i) => s.poll(script.call, { jobKey: `job${i}` })),
    ]);
    assert.ok(
      refused.calls[1]! - refused.calls[0]! >= 59,
      'the refused poll came back inside its Retry-After',
    );
    const otherStarts = others.map((script) => script.calls[0]!);
    assert.deepEqual(
      [...otherStarts].sort((x, y) => x - y),
      otherStarts,
      'the other jobs lost their order',
    );
    assert.ok(otherStarts.at(-1)! < refused.calls[1]!, 'the other jobs waited for the refused poll');
    assert.ok(s.stats.pollSpacingMs > 1, 'the poll lane kept its pace after a 429');
    assert.equal(s.stats.submitSpacingMs, 3000, 'a poll 429 slowed the submits');
    assert.equal(s.stats.throttled, 1);
  });

  it('keeps a lane under a sliding-window limit with few refusals', async () => {
    // A server that accepts 5 polls in any 50 ms; the account asks for 1000 a second.
    const s = make({ pollIntervalMs: 0, maxPollsPerSecond: 1000 });
    const accepted: number[] = [];
    let refusals = 0;
    const call = async (): Promise<string> => {
      const at = performance.now();
      while (accepted.length && accepted[0]! <= at - 50) accepted.shift();
      if (accepted.length >= 5) {
        refusals++;
        throw fail('HTTP_429', { retryable: true, retryAfterMs: 100, status: 429 });
      }
      accepted.push(at);
      return 'ok';
    };
    await Promise.all(Array.from({ length: 120 }, (_, i) => s.poll(call, { jobKey: `job${i}` })));
    assert.equal(s.stats.polls - refusals, 120, 'a poll was lost or repeated');
    assert.ok(refusals <= 15, `${refusals} of 120 polls refused`);
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
