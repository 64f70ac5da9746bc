// The longest event-loop delay while some work runs, from two probes on the measured thread:
// Node's monitorEventLoopDelay histogram (1 ms resolution) and a 1 ms interval timer that records
// the largest gap between its own ticks.
//
// Both probes learn of a stall only when their timer fires after it. The histogram throws away its
// first sample after enable(), so work that blocks at once would go unseen, and a stall at the very
// end would go unseen if the probes were read before their timers fired again. So the probes run for
// a few ticks before the work starts, and get one more turn of the loop after it ends.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

const SETTLE_MS = 5;

export interface LoopDelay<T> {
  result: T;
  /** The larger of the two probes' longest delays. */
  maxDelayMs: number;
  histogramMs: number;
  probeMs: number;
}

export async function measureLoopDelay<T>(work: () => Promise<T>): Promise<LoopDelay<T>> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  let last = performance.now();
  let probeMs = 0;
  const probe = setInterval(() => {
    const now = performance.now();
    probeMs = Math.max(probeMs, now - last);
    last = now;
  }, 1);
  try {
    await sleep(SETTLE_MS);
    // Only what the work causes counts: the settling ticks are not part of it.
    histogram.reset();
    probeMs = 0;
    last = performance.now();
    const result = await work();
    await sleep(SETTLE_MS);
    const histogramMs = histogram.max / 1e6;
    return { result, histogramMs, probeMs, maxDelayMs: Math.max(histogramMs, probeMs) };
  } finally {
    histogram.disable();
    clearInterval(probe);
  }
}
