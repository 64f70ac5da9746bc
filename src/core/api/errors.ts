// One error type for everything that can go wrong talking to an image API (either dialect), with a
// stable `code` a flow can switch on. It is built from plain fields only, never from an axios
// error, so the request headers (and the token in them) can never ride along into a log, a msg or a
// Catch node.

/**
 * Codes of our own, beside the TNL result codes:
 * - `HTTP_<status>` any non-2xx answer (HTTP_401 bad token, HTTP_429 slow down, HTTP_5xx);
 * - `PREFILTER` TNL's banned-word prefilter (400 with `Invalid phrase`);
 * - `NETWORK` no answer (refused, reset, DNS); `TIMEOUT` the per-request timeout; `ABORTED` cancelled;
 * - `BAD_RESPONSE` an answer that is not what TNL sends; `INCOMPLETE` TNL gave up (expireMins);
 * - `STALLED` / `JOB_TIMEOUT` our own waiting limits; `INVALID_INPUT` caught before any request.
 */
export type ClientErrorCode =
  | `HTTP_${number}`
  | 'PREFILTER'
  | 'NETWORK'
  | 'TIMEOUT'
  | 'ABORTED'
  | 'BAD_RESPONSE'
  | 'INCOMPLETE'
  | 'STALLED'
  | 'JOB_TIMEOUT'
  | 'INVALID_INPUT'
  | 'INVALID_CONFIG';

/** Our own codes, the result codes of result-codes.ts, and any code a service may add. */
export type ApiErrorCode = ClientErrorCode | (string & {});

export interface ApiErrorFields {
  code: ApiErrorCode;
  message: string;
  retryable?: boolean;
  retryAfterMs?: number;
  status?: number;
  messageId?: string;
  /** Whether the request may have reached the server (a submit that did must not be repeated). */
  sent?: boolean;
  /**
   * The server refused for load (HTTP 429, a full queue) and created nothing: slow down and try
   * again. Default: true for HTTP_429.
   */
  throttled?: boolean;
}

export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly status: number | undefined;
  readonly messageId: string | undefined;
  readonly sent: boolean;
  readonly throttled: boolean;

  constructor(fields: ApiErrorFields) {
    super(fields.message);
    this.name = 'ApiError';
    this.code = fields.code;
    this.retryable = fields.retryable ?? false;
    this.retryAfterMs = fields.retryAfterMs;
    this.status = fields.status;
    this.messageId = fields.messageId;
    this.sent = fields.sent ?? true;
    this.throttled = fields.throttled ?? fields.code === 'HTTP_429';
  }

  /** The plain shape flows see as `msg.error`. */
  toJSON(): { code: string; message: string; messageId?: string } {
    return this.messageId
      ? { code: this.code, message: this.message, messageId: this.messageId }
      : { code: this.code, message: this.message };
  }
}

export function isApiError(value: unknown): value is ApiError {
  return value instanceof ApiError;
}
