// One scheduler per account: every submit and every poll of every node of that account goes
// through it, so the account's rate limits hold however many flows run at once. Submits and polls
// are two lanes, each with its own pace (see pacer.ts): a refusal for load slows the lane that got
// it, and the refused call alone waits out the server's Retry-After.
import { ApiError } from '../api/errors';
import { backoffDelay } from './backoff';
import { AdaptivePace } from './pacer';
import { isThrottle, mayRetryPoll, mayRetrySubmit } from './retry-policy';
import { clampTimerMs } from './timers';

export interface SchedulerOptions {
  /**
   * Spacing between two submits of the account, where the pace starts and the fastest it goes;
   * default 3000 (TNL: 1 request per 3 s). Refusals for load widen it, fine answers narrow it back.
   */
  submitIntervalMs?: number;
  /** Minimum spacing between two polls of the same job; default 2000. */
  pollIntervalMs?: number;
  /**
   * Account-wide rate of polls, spread evenly over each second: where the poll pace starts and the
   * fastest it goes; default 5.
   */
  maxPollsPerSecond?: number;
  /** Retries per call for transient failures; default 6. */
  maxRetries?: number;
  /**
   * Retries per call after 429 answers; default 100. Counted apart from maxRetries: a 429 says
   * "later", not "broken", and with other clients sharing the account a storm can be long.
   */
  maxThrottledRetries?: number;
  /** First backoff delay, doubled per retry with jitter; default 500. */
  backoffBaseMs?: number;
  /** Cap on one backoff delay; default 30000. */
  backoffMaxMs?: number;
}

export interface SchedulerStats {
  /** Submit calls started, retries included. */
  submits: number;
  /** Poll calls started, retries included. */
  polls: number;
  /** Calls started again after a transient failure. */
  retries: number;
  /** Refusals for load (429, a full queue) received; each slows its lane or lengthens its wait. */
  throttled: number;
  /** The spacing the submit lane keeps now, ms (0: one submit after the other, as fast as answered). */
  submitSpacingMs: number;
  /** The spacing the poll lane keeps now, ms. */
  pollSpacingMs: number;
}

export interface SubmitOptions {
  signal?: AbortSignal;
}

export interface PollOptions {
  signal?: AbortSignal;
  /** The job polled: the same job is not polled more often than pollIntervalMs. */
  jobKey?: string;
}

type Call = (signal: AbortSignal) => Promise<unknown>;

interface Lane {
  readonly kind: 'submit' | 'poll';
  readonly pace: AdaptivePace;
  readonly queue: Task[];
  readonly running: Set<Task>;
  timer: NodeJS.Timeout | undefined;
}

interface Task {
  readonly lane: Lane;
  readonly call: Call;
  readonly jobKey: string | undefined;
  readonly controller: AbortController;
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: unknown) => void;
  detach: () => void;
  state: 'queued' | 'running' | 'settled';
  failures: number;
  throttles: number;
  notBefore: number;
  /** When the call last went out: tells the pace which of its paces an answer is about. */
  startedAt: number;
}

const DEFAULTS = {
  submitIntervalMs: 3000,
  pollIntervalMs: 2000,
  maxPollsPerSecond: 5,
  maxRetries: 6,
  maxThrottledRetries: 100,
  backoffBaseMs: 500,
  backoffMaxMs: 30000,
} satisfies Required<SchedulerOptions>;

function option(options: SchedulerOptions, name: keyof SchedulerOptions): number {
  const value = options[name] ?? DEFAULTS[name];
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
    throw new ApiError({
      code: 'INVALID_CONFIG',
      message: `${name} must be a number >= 0`,
      sent: false,
    });
  }
  return value;
}

function aborted(message: string, sent: boolean): ApiError {
  return new ApiError({ code: 'ABORTED', message, sent });
}

const now = (): number => performance.now();

export class RequestScheduler {
  private readonly pollIntervalMs: number;
  private readonly maxRetries: number;
  private readonly maxThrottledRetries: number;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly submitLane: Lane;
  private readonly pollLane: Lane;
  /** When each job was last polled; entries older than pollIntervalMs constrain nothing and go. */
  private readonly lastPollAt = new Map<string, number>();
  private readonly counters = { submits: 0, polls: 0, retries: 0, throttled: 0 };
  private closed = false;

  constructor(options: SchedulerOptions = {}) {
    const submitIntervalMs = option(options, 'submitIntervalMs');
    const maxPollsPerSecond = option(options, 'maxPollsPerSecond');
    this.pollIntervalMs = option(options, 'pollIntervalMs');
    this.maxRetries = Math.floor(option(options, 'maxRetries'));
    this.maxThrottledRetries = Math.floor(option(options, 'maxThrottledRetries'));
    this.backoffBaseMs = option(options, 'backoffBaseMs');
    this.backoffMaxMs = option(options, 'backoffMaxMs');
    this.submitLane = RequestScheduler.lane('submit', submitIntervalMs);
    // Even spacing rather than a burst window: TNL-style servers count in sliding windows.
    const pollSpacing =
      maxPollsPerSecond > 0 && Number.isFinite(maxPollsPerSecond) ? 1000 / maxPollsPerSecond : 0;
    this.pollLane = RequestScheduler.lane('poll', pollSpacing);
  }

  private static lane(kind: Lane['kind'], spacingMs: number): Lane {
    return {
      kind,
      pace: new AdaptivePace({ fastestMs: spacingMs }),
      queue: [],
      running: new Set(),
      timer: undefined,
    };
  }

  get stats(): SchedulerStats {
    return {
      ...this.counters,
      submitSpacingMs: this.submitLane.pace.spacingMs,
      pollSpacingMs: this.pollLane.pace.spacingMs,
    };
  }

  get pending(): number {
    const { submitLane: s, pollLane: p } = this;
    return s.queue.length + s.running.size + p.queue.length + p.running.size;
  }

  /** Runs a submit (imagine/button/...) when the account's submit slot is free. */
  submit<T>(call: (signal: AbortSignal) => Promise<T>, opts: SubmitOptions = {}): Promise<T> {
    return this.enqueue(this.submitLane, call, opts.signal, undefined);
  }

  /** Runs one poll when the account's poll budget allows; FIFO across all jobs, so polls are shared fairly. */
  poll<T>(call: (signal: AbortSignal) => Promise<T>, opts: PollOptions = {}): Promise<T> {
    return this.enqueue(this.pollLane, call, opts.signal, opts.jobKey);
  }

  /** Rejects everything queued or running with ABORTED and clears all timers; later calls are refused. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const lane of [this.submitLane, this.pollLane]) {
      this.clearTimer(lane);
      for (const task of [...lane.queue]) this.abortTask(task, 'The request scheduler was closed');
      for (const task of [...lane.running]) this.abortTask(task, 'The request scheduler was closed');
    }
    this.lastPollAt.clear();
  }

  private enqueue<T>(
    lane: Lane,
    call: (signal: AbortSignal) => Promise<T>,
    signal: AbortSignal | undefined,
    jobKey: string | undefined,
  ): Promise<T> {
    if (this.closed) return Promise.reject(aborted('The request scheduler was closed', false));
    if (signal?.aborted) return Promise.reject(aborted('Cancelled before the request was sent', false));
    return new Promise<T>((resolve, reject) => {
      const task: Task = {
        lane,
        call,
        jobKey,
        controller: new AbortController(),
        resolve: resolve as (value: unknown) => void,
        reject,
        detach: () => undefined,
        state: 'queued',
        failures: 0,
        throttles: 0,
        notBefore: -Infinity,
        startedAt: -Infinity,
      };
      if (signal) {
        const onAbort = (): void => this.abortTask(task, 'Cancelled');
        signal.addEventListener('abort', onAbort, { once: true });
        task.detach = () => signal.removeEventListener('abort', onAbort);
      }
      lane.queue.push(task);
      this.pump(lane);
    });
  }

  /** Settles at once, even while the call runs: the call gets the abort through its signal. */
  private abortTask(task: Task, message: string): void {
    if (task.state === 'settled') return;
    const sent = task.state === 'running';
    task.controller.abort();
    this.settle(task, { error: aborted(message, sent) });
    this.pump(task.lane);
  }

  private settle(task: Task, outcome: { value: unknown } | { error: unknown }): void {
    if (task.state === 'settled') return;
    const { lane } = task;
    if (task.state === 'queued') {
      const index = lane.queue.indexOf(task);
      if (index >= 0) lane.queue.splice(index, 1);
    }
    lane.running.delete(task);
    task.state = 'settled';
    task.detach();
    if ('error' in outcome) task.reject(outcome.error);
    else task.resolve(outcome.value);
  }

  private start(task: Task): void {
    const { lane } = task;
    task.state = 'running';
    lane.running.add(task);
    // Read the clock right before the call goes out, so a pause of the process elsewhere cannot
    // shrink the spacing the server sees.
    const at = now();
    task.startedAt = at;
    lane.pace.started(at);
    if (lane.kind === 'submit') this.counters.submits++;
    else {
      this.counters.polls++;
      if (task.jobKey !== undefined) this.lastPollAt.set(task.jobKey, at);
    }
    let result: Promise<unknown>;
    try {
      result = Promise.resolve(task.call(task.controller.signal));
    } catch (err) {
      result = Promise.reject(err);
    }
    result.then(
      (value) => {
        if (task.state === 'running') lane.pace.accepted(task.startedAt, now());
        this.settle(task, { value });
        this.pump(lane);
      },
      (err: unknown) => this.failed(task, err),
    );
  }

  private failed(task: Task, err: unknown): void {
    if (task.state !== 'running') return; // already aborted: the caller has its answer
    const { lane } = task;
    const at = now();
    const throttled = isThrottle(err);
    let waitMs = backoffDelay(
      (throttled ? task.throttles : task.failures) + 1,
      this.backoffBaseMs,
      this.backoffMaxMs,
    );
    if (throttled) {
      this.counters.throttled++;
      const retryAfterMs =
        err.retryAfterMs !== undefined && err.retryAfterMs > 0 ? err.retryAfterMs : undefined;
      lane.pace.refused(task.startedAt, at, retryAfterMs);
      // Retry-After is a floor for this call's next try; the rest of the lane goes on at its new pace.
      if (retryAfterMs !== undefined) waitMs = retryAfterMs;
    } else if (err instanceof ApiError && err.status !== undefined) {
      // The server answered, and not "slow down": as far as the pace goes, the call was accepted.
      lane.pace.accepted(task.startedAt, at);
    }
    const retryable = lane.kind === 'submit' ? mayRetrySubmit(err) : mayRetryPoll(err);
    const exhausted = throttled
      ? task.throttles >= this.maxThrottledRetries
      : task.failures >= this.maxRetries;
    if (!retryable || exhausted || this.closed) {
      this.settle(task, { error: err });
      this.pump(lane);
      return;
    }
    if (throttled) task.throttles++;
    else task.failures++;
    this.counters.retries++;
    lane.running.delete(task);
    task.state = 'queued';
    task.notBefore = at + waitMs;
    lane.queue.unshift(task); // a retry keeps its turn
    this.pump(lane);
  }

  /** When a queued task may start, ignoring the lane's own pace. */
  private readyAt(task: Task): number {
    if (task.lane.kind === 'poll' && task.jobKey !== undefined) {
      const last = this.lastPollAt.get(task.jobKey);
      if (last !== undefined) return Math.max(task.notBefore, last + this.pollIntervalMs);
    }
    return task.notBefore;
  }

  private pump(lane: Lane): void {
    if (this.closed) return;
    if (lane.kind === 'poll') this.forgetOldPolls();
    for (;;) {
      if (lane.queue.length === 0 || (this.oneAtATime(lane) && lane.running.size > 0)) {
        this.clearTimer(lane);
        return;
      }
      const at = now();
      let wakeAt = lane.pace.nextStartAt();
      if (wakeAt <= at) {
        // FIFO among the tasks that may start: one job waiting out its interval blocks no other job.
        let earliest = Infinity;
        const next = lane.queue.find((task) => {
          const ready = this.readyAt(task);
          earliest = Math.min(earliest, ready);
          return ready <= at;
        });
        if (next) {
          lane.queue.splice(lane.queue.indexOf(next), 1);
          this.start(next);
          continue;
        }
        wakeAt = earliest;
      }
      this.armTimer(lane, wakeAt - at);
      return;
    }
  }

  /**
   * Whether the lane waits for its call out to be answered (the answer pumps it again): while the
   * server's window is still full after a refusal, and for submits without a spacing of their own
   * (then they go one after the other, as fast as they are answered, not all at once).
   */
  private oneAtATime(lane: Lane): boolean {
    return lane.pace.waitingForRoom || (lane.kind === 'submit' && lane.pace.spacingMs === 0);
  }

  private forgetOldPolls(): void {
    const horizon = now() - this.pollIntervalMs;
    for (const [key, at] of this.lastPollAt) if (at <= horizon) this.lastPollAt.delete(key);
  }

  private armTimer(lane: Lane, delayMs: number): void {
    this.clearTimer(lane);
    lane.timer = setTimeout(
      () => {
        lane.timer = undefined;
        this.pump(lane);
      },
      Math.max(1, clampTimerMs(Math.ceil(delayMs))),
    );
  }

  private clearTimer(lane: Lane): void {
    if (lane.timer !== undefined) clearTimeout(lane.timer);
    lane.timer = undefined;
  }
}
