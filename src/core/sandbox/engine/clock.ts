// How a job moves: a plan of frames (waiting in a queue, accepted, rendering at N%) and one timer per
// job that shows each frame for a full step, however jobs overlap.

export type Frame = { phase: 'waiting' } | { phase: 'accepted' } | { phase: 'running'; progress: number };

export interface FramePlan {
  frames: Frame[];
  /** The last frame stays for good: the job never finishes by itself. */
  hold: boolean;
}

/** The coarse steps Midjourney reports while it renders. */
const RUNNING_STEPS = [15, 31, 46, 62, 78, 93];
const WAITING_STEPS = 3;
/** setTimeout's ceiling: a longer delay would fire at once. */
const MAX_DELAY_MS = 2 ** 31 - 1;

export interface PlanInput {
  /** Wait in a queue for a few steps first. */
  queued: boolean;
  /** Never get past the first frame. */
  never: boolean;
  /** Stop rendering at this progress for good. */
  stallAt?: number;
  /** A job that ends without rendering (a failure, a text answer) shows one running step only. */
  short: boolean;
  /**
   * Where the queue is: TNL accepts first and then reports Midjourney's own queue (JOB_QUEUED);
   * a midjourney-proxy server holds the task in its queue (NOT_START) before submitting it.
   */
  queueBeforeAccept: boolean;
}

export function planFrames(input: PlanInput): FramePlan {
  const waiting: Frame[] = input.queued
    ? Array.from({ length: WAITING_STEPS }, () => ({ phase: 'waiting' }))
    : [];
  const accepted: Frame = { phase: 'accepted' };
  if (input.never) {
    return {
      frames: [input.queued && input.queueBeforeAccept ? { phase: 'waiting' } : accepted],
      hold: true,
    };
  }
  const frames: Frame[] = input.queueBeforeAccept ? [...waiting, accepted] : [accepted, ...waiting];
  if (input.short) {
    frames.push({ phase: 'running', progress: RUNNING_STEPS[0] as number });
    return { frames, hold: false };
  }
  const stall = input.stallAt;
  for (const progress of RUNNING_STEPS) {
    if (stall !== undefined && progress >= stall) break;
    frames.push({ phase: 'running', progress });
  }
  if (stall !== undefined) {
    frames.push({ phase: 'running', progress: stall });
    return { frames, hold: true };
  }
  return { frames, hold: false };
}

/** Every timer the engine and the route sets start, so close() can stop them all at once. */
export class Clock {
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(readonly stepMs: () => number) {}

  /** Runs `fn` after `ms`; returns a function that cancels it. */
  after(ms: number, fn: () => void): () => void {
    if (this.closed) return () => undefined;
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        fn();
      },
      Math.min(MAX_DELAY_MS, Math.max(1, ms)),
    );
    // The HTTP server keeps a CLI alive; a test process must be free to exit without waiting for jobs.
    timer.unref();
    this.timers.add(timer);
    return () => {
      clearTimeout(timer);
      this.timers.delete(timer);
    };
  }

  /** Runs `fn` after one progress step. */
  step(fn: () => void): () => void {
    return this.after(this.stepMs(), fn);
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
