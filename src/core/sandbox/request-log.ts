// What the sandbox was asked, for tests and for users debugging their flows. It never holds the token,
// and a mask is summarised so one Vary (Region) call does not fill the log with megabytes of base64.

export interface SandboxRequestLogEntry {
  time: string;
  method: string;
  path: string;
  /** Query parameters, authToken removed. */
  query: Record<string, string>;
  /** The JSON body; `mask` replaced by '<mask: N base64 chars>'. */
  body?: unknown;
  auth: 'bearer' | 'query' | 'none' | 'invalid';
  /** The answer's status (0 when dropped or never answered). */
  status: number;
}

const SECRET_KEYS = new Set(['authtoken', 'token', 'authorization']);

function summarise(key: string, value: unknown): unknown {
  if (key === 'mask' && typeof value === 'string') return `<mask: ${value.length} base64 chars>`;
  return value;
}

export function scrubQuery(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of params) {
    if (SECRET_KEYS.has(key.toLowerCase())) continue;
    out[key] = summarise(key, value) as string;
  }
  return out;
}

export function scrubBody(body: unknown): unknown {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (SECRET_KEYS.has(key.toLowerCase())) continue;
    out[key] = summarise(key, value);
  }
  return out;
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
