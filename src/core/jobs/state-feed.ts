// Job states pushed to us (webhooks), already read by the API's dialect, handed to whoever waits
// for that job. An outcome may come before the wait subscribes (the ack and the webhook race), so it
// is held for a while; a repeated outcome already handed over is dropped, so one job never finishes
// twice. States that are not outcomes (progress, JOB_QUEUED) only go to current waiters.
import { isTerminal, type JobState } from '../api/job-model';
import type { StateFeed } from './wait-for-result';

export interface StateFeedOptions {
  /** How long a result nobody waits for yet is kept; default 10 min (a redeploy may sit in between). */
  holdMs?: number;
  /** Cap on results kept for later; the oldest goes first. Default 1000. */
  maxHeld?: number;
  /** How long a handed-over id is remembered to drop repeats; default 30 min. */
  rememberMs?: number;
  /** Cap on remembered ids; default 10000. */
  maxRemembered?: number;
  /** Clock, for tests. */
  now?: () => number;
}

/** What became of one pushed result. */
export type PublishOutcome = 'delivered' | 'held' | 'duplicate' | 'progress';

type Listener = (state: JobState) => void;

const DEFAULTS = { holdMs: 10 * 60_000, maxHeld: 1000, rememberMs: 30 * 60_000, maxRemembered: 10_000 };

/** Drops entries older than `maxAgeMs`, then the oldest beyond `max` (a Map keeps insertion order). */
function prune<T extends { at: number }>(
  map: Map<string, T>,
  now: number,
  maxAgeMs: number,
  max: number,
): void {
  for (const [key, entry] of map) {
    if (now - entry.at < maxAgeMs && map.size <= max) break;
    map.delete(key);
  }
}

export class StateFeedHub implements StateFeed {
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly held = new Map<string, { at: number; state: JobState }>();
  private readonly handedOver = new Map<string, { at: number }>();
  private readonly holdMs: number;
  private readonly maxHeld: number;
  private readonly rememberMs: number;
  private readonly maxRemembered: number;
  private readonly now: () => number;

  constructor(options: StateFeedOptions = {}) {
    this.holdMs = options.holdMs ?? DEFAULTS.holdMs;
    this.maxHeld = options.maxHeld ?? DEFAULTS.maxHeld;
    this.rememberMs = options.rememberMs ?? DEFAULTS.rememberMs;
    this.maxRemembered = options.maxRemembered ?? DEFAULTS.maxRemembered;
    this.now = options.now ?? Date.now;
  }

  subscribe(messageId: string, onResult: Listener): () => void {
    this.prune();
    const early = this.held.get(messageId);
    if (early) {
      this.held.delete(messageId);
      this.remember(messageId);
      onResult(early.state);
      return () => undefined;
    }
    let set = this.listeners.get(messageId);
    if (!set) this.listeners.set(messageId, (set = new Set()));
    set.add(onResult);
    return () => {
      const current = this.listeners.get(messageId);
      if (!current) return;
      current.delete(onResult);
      if (current.size === 0) this.listeners.delete(messageId);
    };
  }

  /** Hands a pushed state (keyed by its job's id) to its waiters, or keeps an outcome for them. */
  publish(messageId: string, state: JobState): PublishOutcome {
    this.prune();
    const listeners = this.listeners.get(messageId);
    // Progress is news, not an outcome: the result is still to come under the same id.
    if (!isTerminal(state)) {
      for (const listener of [...(listeners ?? [])]) {
        try {
          listener(state);
        } catch {
          // One waiter's failure must not keep the news from the others.
        }
      }
      return 'progress';
    }
    if (this.handedOver.has(messageId) || this.held.has(messageId)) return 'duplicate';
    if (!listeners || listeners.size === 0) {
      this.held.set(messageId, { at: this.now(), state });
      prune(this.held, this.now(), this.holdMs, this.maxHeld);
      return 'held';
    }
    this.listeners.delete(messageId);
    this.remember(messageId);
    for (const listener of listeners) {
      try {
        listener(state);
      } catch {
        // One waiter's failure must not keep the result from the others.
      }
    }
    return 'delivered';
  }

  /** Ids with a waiter, and results kept for later: for tests and status. */
  get size(): { waiting: number; held: number } {
    return { waiting: this.listeners.size, held: this.held.size };
  }

  clear(): void {
    this.listeners.clear();
    this.held.clear();
    this.handedOver.clear();
  }

  private remember(messageId: string): void {
    this.handedOver.set(messageId, { at: this.now() });
    prune(this.handedOver, this.now(), this.rememberMs, this.maxRemembered);
  }

  private prune(): void {
    const now = this.now();
    prune(this.held, now, this.holdMs, this.maxHeld);
    prune(this.handedOver, now, this.rememberMs, this.maxRemembered);
  }
}
