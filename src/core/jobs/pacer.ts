// How fast one lane of an account (its submits, or its polls) may start calls. The account's setting
// is where the pace starts and the fastest it ever goes.
//
// A refusal for load (HTTP 429, a full queue) slows this lane only, to about half the rate it ran
// at, but not below what the server accepted over its last Retry-After, nor below a pace that held.
// Until a call is accepted again the server's window is still full: one call at a time probes for
// room, waiting longer after each refused probe. Answers that are fine speed the lane up
// again in steps, each after the pace has held a while, halfway to the slowest rate refused (a
// binary search between what held and what was refused, as TCP's BIC does with its window). So the
// pace settles just under the server's limit instead of running into it again and again, and still
// finds its way back up when the limit rises.
//
// Pure: every method takes the time from the caller (performance.now() in the scheduler).
import { MAX_TIMER_MS } from './timers';

export interface PaceOptions {
  /** Fastest spacing between two starts, ms: the account's setting. 0 = as fast as answers come. */
  fastestMs: number;
  /** Slowest spacing the pace falls to however often the server refuses; default 60 s. */
  slowestMs?: number;
}

/** After a refusal the pace falls to this share of the rate that was refused... */
const SLOW_DOWN = 0.5;
/** ...or to what the server accepted over the last Retry-After, when that is more (see slowDown). */
const DEFAULT_REFUSAL_WINDOW_MS = 1000;
/**
 * While the server's window is still full after a refusal, the first probe goes at the new pace:
 * after a small overshoot room comes back at once. Once a probe is refused too, the window is long,
 * and the waits grow from this share of Retry-After (a coarse upper bound on when room appears:
 * whole seconds), doubling: a window of seconds is spanned in a few probes, not a dozen.
 */
const LATER_PROBE_SHARE = 1 / 8;
/** Paces are kept this far under a rate that was refused: clocks jitter, a limit is not a target. */
const MARGIN = 0.03;
/**
 * A pace holds this many accepted calls, and at least as long as the server's window may be (its
 * last Retry-After, at least HOLD_MIN_MS), before the next step up: a window that long has to fill
 * at the new pace before a refusal can show that the pace is too fast.
 */
const HOLD_CALLS = 50;
const HOLD_MIN_MS = 1000;
/** Beyond a pace that converged, or with nothing refused to aim at, a step waits this many holds. */
const PROBE_HOLDS = 2;
/** Each step up goes this share of the way to the refused rate (less the margin). */
const STEP_SHARE = 0.5;
/** Steps this close to the refused rate are not worth a refusal: the search has converged. */
const CONVERGED = 0.02;
/** With nothing refused to aim at, each step up goes this much faster (after the same hold). */
const PROBE_GROWTH = 1.25;
/**
 * A learned pace may start a call this much before its slot, so timers that fire late on a busy
 * event loop do not add up into a slower pace than the one learned (a virtual schedule, as GCRA
 * keeps). Never so much that two starts come closer than the account's own spacing.
 */
const LATENESS_ALLOWANCE_MS = 2;
/** Starts remembered to measure the rate the lane actually ran at. */
const RECENT_STARTS = 16;
/** Accepted starts remembered to measure what the server accepted over a Retry-After. */
const ACCEPTED_MEMORY = 2048;
const DEFAULT_SLOWEST_MS = 60_000;

/** Rates are in calls per millisecond; Infinity when the lane has no spacing of its own. */
const rateOf = (spacingMs: number): number => (spacingMs > 0 ? 1 / spacingMs : Infinity);
const spacingOf = (rate: number): number => (rate === Infinity ? 0 : 1 / rate);

export class AdaptivePace {
  private readonly fastestRate: number;
  private readonly slowestRate: number;
  private rate: number;
  /** The slowest rate refused since the search last restarted; undefined: nothing to aim under. */
  private refusedRate: number | undefined;
  /** The fastest rate that held a full hold since; a refusal never sends the pace below it. */
  private acceptedRate: number | undefined;
  /** When the pace last slowed: refusals of calls started before that are already accounted for. */
  private slowedAt = -Infinity;
  /** When the pace last changed, and the calls started since then that the server accepted. */
  private changedAt = -Infinity;
  private acceptedSinceChange = 0;
  /** Refused, and nothing started since the slowdown accepted yet: the server's window is still full. */
  private draining = false;
  private drainRefusals = 0;
  /** The server's Retry-After at the last slowdown (or 1 s): how long its window may stay full. */
  private retryHintMs = DEFAULT_REFUSAL_WINDOW_MS;
  private lastRefusalAt = -Infinity;
  private lastStartAt = -Infinity;
  /** Where the last start belonged on the lane's schedule (at or after the moment it went out). */
  private lastSlotAt = -Infinity;
  private readonly recentStarts: number[] = [];
  private readonly acceptedStarts: number[] = [];
  private holdMs = HOLD_MIN_MS;

  constructor(options: PaceOptions) {
    const fastestMs = Math.max(0, options.fastestMs);
    const slowestMs = Math.min(MAX_TIMER_MS, Math.max(fastestMs, options.slowestMs ?? DEFAULT_SLOWEST_MS));
    this.fastestRate = rateOf(fastestMs);
    this.slowestRate = rateOf(slowestMs);
    this.rate = this.fastestRate;
  }

  /** The spacing the lane keeps between two starts now, ms (0: no spacing of its own). */
  get spacingMs(): number {
    return spacingOf(this.rate);
  }

  /**
   * Refused, and no call started since has been accepted: the server's window is still full. One
   * call at a time should find out whether it has emptied, not every queued one at once.
   */
  get waitingForRoom(): boolean {
    return this.draining;
  }

  /** The earliest time the next call may start. */
  nextStartAt(): number {
    if (!this.draining) return this.lastSlotAt + this.spacingMs - this.allowanceMs();
    const refusals = this.drainRefusals;
    const fromHint = refusals > 0 ? this.retryHintMs * LATER_PROBE_SHARE * 2 ** (refusals - 1) : 0;
    const gap = Math.min(spacingOf(this.slowestRate), Math.max(this.spacingMs * 2 ** refusals, fromHint));
    return Math.max(this.lastStartAt, this.lastRefusalAt) + gap;
  }

  started(at: number): void {
    // The account's own pace holds from the lane's first call on, like any later pace from its change.
    if (this.changedAt === -Infinity) this.changedAt = at;
    // A start within the allowance keeps the schedule; a later one moves it (no burst after a lull).
    this.lastSlotAt = this.draining ? at : Math.max(this.lastSlotAt + this.spacingMs, at);
    this.lastStartAt = at;
    this.recentStarts.push(at);
    if (this.recentStarts.length > RECENT_STARTS) this.recentStarts.shift();
  }

  /** The server answered a call that started at `startedAt` without refusing it for load. */
  accepted(startedAt: number, at: number): void {
    this.acceptedStarts.push(startedAt);
    if (this.acceptedStarts.length > ACCEPTED_MEMORY) this.acceptedStarts.shift();
    // A call sent at an older pace says nothing about the current one.
    if (startedAt < this.slowedAt) return;
    this.draining = false;
    this.drainRefusals = 0;
    if (startedAt < this.changedAt) return;
    this.acceptedSinceChange++;
    const holds = this.refusedRate === undefined ? PROBE_HOLDS : 1;
    if (this.acceptedSinceChange >= HOLD_CALLS * holds && at - this.changedAt >= this.holdMs * holds)
      this.stepUp(at);
  }

  /**
   * The server refused a call that started at `startedAt` for load. `retryAfterMs` is the server's
   * own hint, when it gave one: the refused call waits at least that long (the scheduler sees to
   * it); here it only sizes the look back at what the server accepted.
   */
  refused(startedAt: number, at: number, retryAfterMs?: number): void {
    this.lastRefusalAt = at;
    // Sent before the last slowdown: at the pace that was already found too fast.
    if (startedAt < this.slowedAt) return;
    // The server's window has not emptied since the slowdown: waiting longer, not slowing further,
    // is the answer (each refused probe lengthens the wait for the next, see nextStartAt). The pace
    // itself was set for after the window, and a window still full of a burst says nothing about it.
    if (this.draining) {
      this.drainRefusals++;
      return;
    }
    const window = Math.min(
      MAX_TIMER_MS,
      retryAfterMs !== undefined && retryAfterMs > 0 ? retryAfterMs : DEFAULT_REFUSAL_WINDOW_MS,
    );
    this.holdMs = Math.max(HOLD_MIN_MS, window);
    this.slowDown(at, window);
  }

  private slowDown(at: number, windowMs: number): void {
    // The rate the lane really ran at: with no spacing of its own, or short of work, it may have
    // gone slower than its pace.
    const ranAt = Math.min(this.rate, this.observedRate(at));
    this.refusedRate = ranAt;
    let next: number;
    if (this.acceptedRate !== undefined && ranAt <= this.acceptedRate) {
      // Refused at a pace that held before: jitter at a limit just under it, or the limit came
      // down (another client, a new plan). First a small step down; the held pace is forgotten,
      // so a further refusal slows by the rule below.
      this.acceptedRate = undefined;
      next = ranAt * (1 - MARGIN);
    } else {
      // Halving may overshoot a limit just under the refused rate; what the server accepted over
      // the last window is a rate it demonstrably allows, so the pace does not fall below that.
      const demonstrated = Math.min(this.acceptedSince(at - windowMs) / windowMs, ranAt);
      next = Math.max(ranAt * SLOW_DOWN, demonstrated) * (1 - MARGIN);
      if (this.acceptedRate !== undefined) next = Math.max(next, this.acceptedRate);
    }
    this.setRate(Math.max(this.slowestRate, next), at);
    this.slowedAt = at;
    this.draining = true;
    this.drainRefusals = 0;
    this.retryHintMs = windowMs;
  }

  private stepUp(at: number): void {
    this.acceptedRate = Math.max(this.acceptedRate ?? 0, this.rate);
    if (this.rate >= this.fastestRate) return;
    if (this.refusedRate === undefined) {
      // Nothing refused to aim under (any more): the limit may have risen; look a little further.
      this.setRate(Math.min(this.fastestRate, this.rate * PROBE_GROWTH), at);
      return;
    }
    const aim = this.refusedRate * (1 - MARGIN);
    if (aim > this.rate * (1 + CONVERGED)) {
      this.setRate(Math.min(this.fastestRate, this.rate + (aim - this.rate) * STEP_SHARE), at);
    } else {
      // Converged just under the refused rate: stay, and only after longer look beyond it.
      this.refusedRate = undefined;
      this.setRate(this.rate, at);
    }
  }

  private setRate(rate: number, at: number): void {
    this.rate = rate;
    this.changedAt = at;
    this.acceptedSinceChange = 0;
  }

  private allowanceMs(): number {
    const spacing = this.spacingMs;
    return Math.max(0, Math.min(LATENESS_ALLOWANCE_MS, spacing / 2, spacing - spacingOf(this.fastestRate)));
  }

  /**
   * The rate of the recent starts; with too few to tell (a first call refused), one call per answer,
   * which is the most a lane without a spacing of its own sends.
   */
  private observedRate(at: number): number {
    const starts = this.recentStarts;
    const span = starts.length >= 2 ? (starts[starts.length - 1] as number) - (starts[0] as number) : 0;
    if (span > 0) return (starts.length - 1) / span;
    return 1 / Math.max(1, at - this.lastStartAt);
  }

  private acceptedSince(from: number): number {
    const starts = this.acceptedStarts;
    let n = 0;
    for (let i = starts.length - 1; i >= 0 && (starts[i] as number) > from; i--) n++;
    return n;
  }
}
