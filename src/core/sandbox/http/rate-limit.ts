// TNL's sliding-window limits: one submit every 3 s, and about 10 message reads a second.

export class SlidingWindow {
  private readonly times: number[] = [];

  constructor(
    private limit: number,
    private windowMs: number,
  ) {}

  reset(limit: number, windowMs: number): void {
    this.limit = limit;
    this.windowMs = windowMs;
    this.times.length = 0;
  }

  /** Counts the request and returns 0 if it is allowed, else the milliseconds until it would be. */
  take(now = Date.now()): number {
    while (this.times.length && (this.times[0] ?? 0) <= now - this.windowMs) this.times.shift();
    if (this.times.length >= Math.max(1, this.limit)) {
      return Math.max(1, (this.times[0] ?? now) + this.windowMs - now);
    }
    this.times.push(now);
    return 0;
  }
}

/** Retry-After in whole seconds, rounded up and never 0 (a 0 would invite an immediate retry). */
export function retryAfterSeconds(waitMs: number): number {
  return Math.max(1, Math.ceil(waitMs / 1000));
}
