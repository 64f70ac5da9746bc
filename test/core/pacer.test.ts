// AdaptivePace as a pure unit on a simulated clock: it starts at the account's setting and never goes
// faster, a refusal slows it, fine answers bring it back in steps to just under the refused rate, and
// against a server's sliding-window limit it finds the limit with few refusals.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AdaptivePace } from '../../src/core/jobs/pacer';

/** A server limit as TNL-style servers count: at most `limit` accepted calls in any `windowMs`. */
class SlidingWindowServer {
  private readonly accepted: number[] = [];
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Whether a call arriving at `at` is accepted (a refused call does not count). */
  take(at: number): boolean {
    while (this.accepted.length && (this.accepted[0] as number) <= at - this.windowMs) this.accepted.shift();
    if (this.accepted.length >= this.limit) return false;
    this.accepted.push(at);
    return true;
  }
}

interface RunResult {
  /** Time from the first start to the last accepted start. */
  spanMs: number;
  refused: number;
  /** Start times of the accepted calls. */
  acceptedAt: number[];
  pace: AdaptivePace;
}

/**
 * Sends `calls` calls one after the other through the pace (each refused call is sent again later),
 * answered after `rttMs`, to the server. Deterministic: simulated time only.
 */
function run(pace: AdaptivePace, server: SlidingWindowServer, calls: number, rttMs = 1): RunResult {
  let t = 0;
  let refused = 0;
  const acceptedAt: number[] = [];
  let lastAnswerAt = 0;
  while (acceptedAt.length < calls) {
    // One call out at a time while the pace waits for room; otherwise as the pace allows.
    t = Math.max(t, pace.nextStartAt(), pace.waitingForRoom ? lastAnswerAt : -Infinity);
    pace.started(t);
    const ok = server.take(t + rttMs / 2);
    lastAnswerAt = t + rttMs;
    if (ok) {
      acceptedAt.push(t);
      pace.accepted(t, lastAnswerAt);
    } else {
      refused++;
      pace.refused(t, lastAnswerAt, 1000);
    }
    // With no spacing of its own the lane sends the next call when this one is answered.
    if (pace.spacingMs === 0) t = lastAnswerAt;
  }
  return { spanMs: (acceptedAt.at(-1) as number) - (acceptedAt[0] as number), refused, acceptedAt, pace };
}

describe('AdaptivePace', () => {
  it('starts at the account’s spacing and never goes faster, however many fine answers', () => {
    const pace = new AdaptivePace({ fastestMs: 50 });
    const starts: number[] = [];
    let t = 0;
    for (let i = 0; i < 500; i++) {
      t = Math.max(t, pace.nextStartAt());
      pace.started(t);
      starts.push(t);
      pace.accepted(t, t + 1);
    }
    assert.equal(pace.spacingMs, 50);
    for (let i = 1; i < starts.length; i++) {
      assert.ok((starts[i] as number) - (starts[i - 1] as number) >= 50, `start ${i} came early`);
    }
  });

  it('a refusal slows the pace to about half the rate it ran at, then probes for room', () => {
    const pace = new AdaptivePace({ fastestMs: 10 });
    for (let t = 0; t < 100; t += 10) {
      pace.started(t);
      pace.accepted(t, t + 1);
    }
    pace.started(100);
    pace.refused(100, 101, 1000);
    assert.ok(pace.spacingMs > 19 && pace.spacingMs < 22, `spacing ${pace.spacingMs}`);
    assert.equal(pace.waitingForRoom, true);
    // The first probe goes at the new pace: after a small overshoot there is room at once.
    const firstProbe = pace.nextStartAt();
    assert.ok(firstProbe - 101 < 22, `first probe ${firstProbe - 101} ms after the refusal`);
    pace.started(firstProbe);
    pace.refused(firstProbe, firstProbe + 1, 1000);
    // Still no room: the window is long, so the next probe waits an eighth of Retry-After, and the
    // pace is not cut again for it.
    const secondProbe = pace.nextStartAt();
    assert.ok(
      secondProbe - (firstProbe + 1) >= 125 - 0.01,
      `second probe ${secondProbe - firstProbe - 1} ms later`,
    );
    assert.ok(pace.spacingMs > 19 && pace.spacingMs < 22, `spacing ${pace.spacingMs} after a refused probe`);
    const spacing = pace.spacingMs;
    pace.started(secondProbe);
    pace.accepted(secondProbe, secondProbe + 1);
    assert.equal(pace.waitingForRoom, false);
    assert.equal(pace.spacingMs, spacing);
  });

  it('a refusal of a call sent before the slowdown does not slow it again', () => {
    const pace = new AdaptivePace({ fastestMs: 10 });
    for (let t = 0; t <= 50; t += 10) pace.started(t);
    pace.refused(40, 55, 1000);
    const spacing = pace.spacingMs;
    pace.refused(50, 56, 1000);
    assert.equal(pace.spacingMs, spacing);
  });

  it('does not slow below what the server accepted over its window', () => {
    // 250 calls accepted in the last second at 400/s, then a refusal: the limit is about 250/s.
    const pace = new AdaptivePace({ fastestMs: 2.5 });
    let t = 0;
    for (let i = 0; i < 250; i++, t += 2.5) {
      pace.started(t);
      pace.accepted(t, t + 1);
    }
    pace.started(t);
    pace.refused(t, t + 1, 1000);
    const perSecond = 1000 / pace.spacingMs;
    assert.ok(perSecond > 235 && perSecond < 250, `${perSecond.toFixed(0)}/s after the refusal`);
  });

  it('fine answers bring the pace back to just under the refused rate, then to the fastest', () => {
    const pace = new AdaptivePace({ fastestMs: 10 });
    pace.started(0);
    pace.started(10);
    pace.refused(10, 11, 1000);
    let t = 11;
    let closest = Infinity;
    for (let i = 0; i < 2000; i++) {
      t = Math.max(t + 0.01, pace.nextStartAt());
      pace.started(t);
      pace.accepted(t, t + 1);
      closest = Math.min(closest, Math.abs(pace.spacingMs - 10 / 0.97));
      if (pace.spacingMs === 10) break;
    }
    assert.ok(closest < 0.3, 'the pace never settled just under the refused rate');
    assert.equal(pace.spacingMs, 10, 'the pace did not return to the account’s setting');
  });

  it('a lane with no spacing of its own gets one when its very first call is refused', () => {
    const pace = new AdaptivePace({ fastestMs: 0 });
    pace.started(0);
    pace.refused(0, 4, 1000);
    assert.ok(pace.spacingMs >= 4, `spacing ${pace.spacingMs} after a refused first call`);
  });

  it('a pace that held is stepped down a little on a refusal, and cut once the server accepts less', () => {
    const pace = new AdaptivePace({ fastestMs: 10 });
    let t = 0;
    for (let i = 0; i < 200; i++, t += 10) {
      pace.started(t);
      pace.accepted(t, t + 1);
    }
    pace.started(t);
    pace.refused(t, t + 1, 1000);
    assert.ok(pace.spacingMs > 10 && pace.spacingMs < 10.5, `spacing ${pace.spacingMs} after one refusal`);
    // Then the server takes next to nothing for two seconds (another client took the account over).
    t += 2000;
    pace.started(t);
    pace.accepted(t, t + 1);
    t = pace.nextStartAt() + 1;
    pace.started(t);
    pace.refused(t, t + 1, 1000);
    assert.ok(pace.spacingMs > 19, `spacing ${pace.spacingMs} after a refusal with little accepted`);
  });

  it('never falls below the slowest pace', () => {
    const pace = new AdaptivePace({ fastestMs: 100, slowestMs: 1000 });
    let t = 0;
    for (let i = 0; i < 50; i++) {
      t = Math.max(t + 1, pace.nextStartAt());
      pace.started(t);
      pace.accepted(t, t + 1); // ends the wait for room, so the next refusal slows again
      t = Math.max(t + 1, pace.nextStartAt());
      pace.started(t);
      pace.refused(t, t + 1, 1000);
    }
    assert.equal(pace.spacingMs, 1000);
  });

  it('against 20 calls per 100 ms from an account with no spacing: under 2% refused, then near the limit', () => {
    const result = run(new AdaptivePace({ fastestMs: 0 }), new SlidingWindowServer(20, 100), 2000, 2);
    assert.ok(result.refused <= 40, `${result.refused} refusals`);
    // The second half of the run: the pace found, the rate within 15% of the limit (200/s).
    const half = result.acceptedAt.slice(1000);
    const rate = (half.length - 1) / ((half.at(-1) as number) - (half[0] as number));
    assert.ok(rate > 0.17 && rate <= 0.2, `${(rate * 1000).toFixed(0)} calls/s in the second half`);
  });

  it('against one call per 400 ms from an account set to 200 ms: 24 calls within 1.15x the floor', () => {
    const result = run(new AdaptivePace({ fastestMs: 200 }), new SlidingWindowServer(1, 400), 24);
    const floor = 23 * 400;
    assert.ok(result.spanMs <= 1.15 * floor, `${result.spanMs} ms for a floor of ${floor} ms`);
    assert.ok(result.refused <= 3, `${result.refused} refusals`);
  });

  it('against 250 calls per second from an account at 400/s: near the limit within two seconds', () => {
    const result = run(new AdaptivePace({ fastestMs: 2.5 }), new SlidingWindowServer(250, 1000), 2500, 3);
    const after = result.acceptedAt.filter((at) => at >= 2000);
    const rate = (after.length - 1) / ((after.at(-1) as number) - (after[0] as number));
    assert.ok(rate > 0.22 && rate <= 0.25, `${(rate * 1000).toFixed(0)} calls/s after two seconds`);
    assert.ok(result.refused <= 50, `${result.refused} refusals`);
  });
});
