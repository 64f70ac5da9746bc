// An HTTP answer as the route sets build it, before the layer writes it: JSON (the usual case), raw
// bytes (pictures), plain text (some servers' refusals) or nothing at all.

export interface HttpAnswer {
  status: number;
  /** A JSON value; ignored when `raw` is set. */
  body?: unknown;
  /** Bytes or text sent as they are, with `contentType`. */
  raw?: Buffer | string;
  contentType?: string;
  headers?: Record<string, string>;
  /** The request created a job: a fault may still lose this answer (failAfterAcceptRate). */
  created?: boolean;
}

export const json = (status: number, body: unknown, headers?: Record<string, string>): HttpAnswer =>
  headers ? { status, body, headers } : { status, body };

export const text = (status: number, value: string): HttpAnswer => ({
  status,
  raw: value,
  contentType: 'text/plain; charset=utf-8',
});

export const bytes = (
  status: number,
  value: Buffer,
  contentType: string,
  headers?: Record<string, string>,
): HttpAnswer =>
  headers ? { status, raw: value, contentType, headers } : { status, raw: value, contentType };

/** No body at all (a 204, or an empty 200 as some servers answer an unknown id). */
export const empty = (status: number): HttpAnswer => ({ status, raw: Buffer.alloc(0) });

/**
 * A picture as a CDN serves it: the whole file, or the one byte range a `Range: bytes=a-b` asks
 * for (206 with Content-Range), as a client reading only a picture's header does.
 */
export function picture(
  value: Buffer,
  contentType: string,
  range: string | undefined,
  headers: Record<string, string> = {},
): HttpAnswer {
  const asked = range ? /^bytes=(\d+)-(\d*)$/.exec(range.trim()) : null;
  const all = { 'accept-ranges': 'bytes', ...headers };
  if (!asked) return bytes(200, value, contentType, all);
  const start = Number(asked[1]);
  const end = Math.min(value.length - 1, asked[2] ? Number(asked[2]) : value.length - 1);
  if (start >= value.length || end < start) {
    return { status: 416, raw: Buffer.alloc(0), headers: { 'content-range': `bytes */${value.length}` } };
  }
  return bytes(206, value.subarray(start, end + 1), contentType, {
    ...all,
    'content-range': `bytes ${start}-${end}/${value.length}`,
  });
}
