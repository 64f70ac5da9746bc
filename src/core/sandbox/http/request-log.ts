// What the sandbox was asked, for tests and for users debugging their flows. The log is served
// without a token, so it keeps summaries, never bodies: no token, webhook URLs cut to their origin
// (their path and query carry the receiver's secret), pictures as their length, long texts clipped.
// Every entry is small, and the log keeps the newest few thousand, so a flood cannot grow it.

export type AuthVia =
  /** TNL's `Authorization: Bearer`, and a new-api relay's. */
  | 'bearer'
  /** TNL's `?authToken=`. */
  | 'query'
  /** midjourney-proxy's raw `Authorization` header (trueai). */
  | 'authorization'
  | 'mj-api-secret'
  | 'none'
  | 'invalid';

export interface SandboxRequestLogEntry {
  time: string;
  method: string;
  /** The path, clipped past 300 characters. */
  path: string;
  /** Query parameters, summarised like the body; authToken removed. */
  query: Record<string, string>;
  /** A summary of the JSON body: see summariseBody. */
  body?: unknown;
  auth: AuthVia;
  /** The answer's status (0 when dropped or never answered). */
  status: number;
}

const SECRET_KEYS = new Set(['authtoken', 'token', 'authorization', 'mj-api-secret', 'apikey', 'secret']);
const WEBHOOK_KEYS = new Set(['webhookoverride', 'notifyhook', 'webhookurl', 'webhook']);
const MASK_KEYS = new Set(['mask', 'maskbase64']);
const PICTURE_KEYS = new Set(['base64', 'base64array', 'sourcebase64', 'targetbase64']);
const MAX_TEXT = 200;
const MAX_KEYS = 20;
const MAX_ITEMS = 10;
const MAX_DEPTH = 2;
const MAX_PATH = 300;

/** A webhook URL without what it hides: only its scheme, host and port stay. */
export function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    const bare = url.pathname === '/' && !url.search && !url.hash;
    return `${url.protocol}//${url.host}${bare ? '/' : '/…'}`;
  } catch {
    return '<not a URL>';
  }
}

function clip(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}… <${text.length} chars>` : text;
}

function summariseValue(key: string, value: unknown, depth: number): unknown {
  const name = key.toLowerCase();
  if (WEBHOOK_KEYS.has(name)) return typeof value === 'string' ? redactUrl(value) : '<redacted>';
  if (MASK_KEYS.has(name) && typeof value === 'string') return `<mask: ${value.length} base64 chars>`;
  if (PICTURE_KEYS.has(name)) {
    if (typeof value === 'string') return `<picture: ${value.length} chars>`;
    if (Array.isArray(value)) {
      return value
        .slice(0, MAX_ITEMS)
        .map((item) => (typeof item === 'string' ? `<picture: ${item.length} chars>` : '<?>'));
    }
  }
  if (typeof value === 'string') return clip(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return Array.isArray(value) ? `<array of ${value.length}>` : '<object>';
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_ITEMS).map((item) => summariseValue('', item, depth + 1));
    return value.length > MAX_ITEMS ? [...items, `<${value.length - MAX_ITEMS} more>`] : items;
  }
  return summariseObject(value as Record<string, unknown>, depth + 1);
}

function summariseObject(body: Record<string, unknown>, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const entries = Object.entries(body);
  for (const [key, value] of entries.slice(0, MAX_KEYS)) {
    if (SECRET_KEYS.has(key.toLowerCase())) continue;
    out[clip(key)] = summariseValue(key, value, depth);
  }
  if (entries.length > MAX_KEYS) out['…'] = `<${entries.length - MAX_KEYS} more keys>`;
  return out;
}

/** A request body as the log keeps it. */
export function summariseBody(body: unknown): unknown {
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    return summariseObject(body as Record<string, unknown>, 0);
  }
  return summariseValue('', body, 0);
}

export function summariseQuery(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  let count = 0;
  for (const [key, value] of params) {
    if (SECRET_KEYS.has(key.toLowerCase())) continue;
    if (++count > MAX_KEYS) break;
    out[clip(key)] = String(summariseValue(key, value, MAX_DEPTH));
  }
  return out;
}

export function clipPath(path: string): string {
  return path.length > MAX_PATH ? `${path.slice(0, MAX_PATH)}…` : path;
}

export class RequestLog {
  private readonly entries: SandboxRequestLogEntry[] = [];

  constructor(private readonly max = 5000) {}

  add(entry: SandboxRequestLogEntry): SandboxRequestLogEntry {
    this.entries.push(entry);
    if (this.entries.length > this.max) this.entries.splice(0, this.entries.length - this.max);
    return entry;
  }

  list(): SandboxRequestLogEntry[] {
    return this.entries.map((e) => structuredClone(e));
  }

  clear(): void {
    this.entries.length = 0;
  }
}
