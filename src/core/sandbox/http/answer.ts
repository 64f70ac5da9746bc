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
