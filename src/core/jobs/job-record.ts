// What a job in flight leaves behind so another process can finish it: the id to wait for, the
// button presses still to make, the waiting limits, and the JSON-safe part of the msg to deliver.
// Records go through a context store (a JSON file at worst), so everything here is plain data.

/** A button to press on the previous step's result (e.g. U1 on the grid), once that result exists. */
export interface PendingPress {
  button: string;
  statusKey: string;
}

export interface JobRecord {
  v: 1;
  /** The job being waited for now. */
  messageId: string;
  /** When that job was submitted (ms since the epoch): expireMins and the timeout count from here. */
  submittedAt: number;
  remaining: PendingPress[];
  options: {
    expireMins: number;
    timeoutMs: number;
    stallTimeoutMs: number;
    downloadImage: boolean;
    progressOutput: boolean;
  };
  msg: Record<string, unknown>;
}

const MAX_DEPTH = 32;

/**
 * A deep copy holding only what survives JSON: plain objects, arrays, strings, finite numbers,
 * booleans, null, and Dates as ISO text. Buffers, typed arrays, class instances (msg.req, msg.res,
 * sockets), functions and cycles are left out, not walked: they would not survive a restart anyway.
 */
export function toJsonSafe(value: unknown, seen = new Set<object>(), depth = 0): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'object' || depth > MAX_DEPTH || seen.has(value)) return undefined;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
  const proto = Object.getPrototypeOf(value) as unknown;
  if (Array.isArray(value)) {
    seen.add(value);
    const out = value.map((item) => toJsonSafe(item, seen, depth + 1) ?? null);
    seen.delete(value);
    return out;
  }
  if (proto !== Object.prototype && proto !== null) return undefined;
  seen.add(value);
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const safe = toJsonSafe(item, seen, depth + 1);
    if (safe !== undefined) out[key] = safe;
  }
  seen.delete(value);
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const finiteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/** A record read back from a store, checked; anything else (a foreign value, an older shape) is undefined. */
export function parseJobRecord(value: unknown): JobRecord | undefined {
  if (!isPlainObject(value) || value.v !== 1) return undefined;
  const { messageId, submittedAt, remaining, options, msg } = value;
  if (typeof messageId !== 'string' || messageId === '' || !finiteNumber(submittedAt)) return undefined;
  if (!Array.isArray(remaining) || !isPlainObject(options) || !isPlainObject(msg)) return undefined;
  const presses: PendingPress[] = [];
  for (const step of remaining) {
    if (!isPlainObject(step) || typeof step.button !== 'string' || typeof step.statusKey !== 'string') {
      return undefined;
    }
    presses.push({ button: step.button, statusKey: step.statusKey });
  }
  const { expireMins, timeoutMs, stallTimeoutMs } = options;
  if (!finiteNumber(expireMins) || !finiteNumber(timeoutMs) || !finiteNumber(stallTimeoutMs))
    return undefined;
  return {
    v: 1,
    messageId,
    submittedAt,
    remaining: presses,
    options: {
      expireMins,
      timeoutMs,
      stallTimeoutMs,
      downloadImage: options.downloadImage === true,
      progressOutput: options.progressOutput === true,
    },
    msg,
  };
}

/** TNL itself gives up on a job after expireMins; a record that old is not worth a request. */
export function isExpired(record: JobRecord, now: number): boolean {
  return now - record.submittedAt >= record.options.expireMins * 60_000;
}

/** What is left of the overall limit of the job's current wait. */
export function remainingTimeoutMs(record: JobRecord, now: number): number {
  return record.options.timeoutMs - (now - record.submittedAt);
}
