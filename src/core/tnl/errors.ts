// One error type for everything that can go wrong talking to TNL, with a stable `code` a flow can
// switch on. It is built from plain fields only, never from an axios error, so the request headers
// (and the token in them) can never ride along into a log, a msg or a Catch node.

/** Result codes TNL puts in `response.content` instead of an image (TNL's Vary (Region) page). */
export const RESULT_CODES = [
  'ALREADY_REQUESTED_UPSCALE',
  'BOT_TOOK_TOO_LONG_TO_PROCESS_YOUR_COMMAND',
  'APPEAL_ACCEPTED',
  'APPEAL_REJECTED',
  'BANNED_PROMPT',
  'BLOCKED',
  'BUTTON_NOT_FOUND',
  'FAILED_TO_PROCESS_YOUR_COMMAND',
  'FAILED_TO_REQUEST',
  'IMAGE_BLOCKED',
  'INTERNAL_ERROR',
  'INVALID_LINK',
  'INVALID_PARAMETER',
  'JOB_ACTION_RESTRICTED',
  'JOB_QUEUED',
  'MODERATION_OUTAGE',
  'NO_FAST_HOURS',
  'PLEASE_SUBSCRIBE_TO_MJ_IN_YOUR_DASHBOARD',
  'QUEUE_FULL',
] as const;
export type ResultCode = (typeof RESULT_CODES)[number];

/** Codes worth trying again later: the fault was on TNL's or Midjourney's side. */
export const TRANSIENT_RESULT_CODES: ReadonlySet<string> = new Set([
  'INTERNAL_ERROR',
  'FAILED_TO_PROCESS_YOUR_COMMAND',
  'FAILED_TO_REQUEST',
  'BOT_TOOK_TOO_LONG_TO_PROCESS_YOUR_COMMAND',
  'MODERATION_OUTAGE',
  'QUEUE_FULL',
]);

export function isResultCode(value: unknown): value is ResultCode {
  return typeof value === 'string' && (RESULT_CODES as readonly string[]).includes(value);
}

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

export type TnlErrorCode = ClientErrorCode | ResultCode | (string & {});

export interface TnlErrorFields {
  code: TnlErrorCode;
  message: string;
  retryable?: boolean;
  retryAfterMs?: number;
  status?: number;
  messageId?: string;
  /** Whether the request may have reached the server (a submit that did must not be repeated). */
  sent?: boolean;
}

export class TnlError extends Error {
  readonly code: TnlErrorCode;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly status: number | undefined;
  readonly messageId: string | undefined;
  readonly sent: boolean;

  constructor(fields: TnlErrorFields) {
    super(fields.message);
    this.name = 'TnlError';
    this.code = fields.code;
    this.retryable = fields.retryable ?? false;
    this.retryAfterMs = fields.retryAfterMs;
    this.status = fields.status;
    this.messageId = fields.messageId;
    this.sent = fields.sent ?? true;
  }

  /** The plain shape flows see as `msg.error`. */
  toJSON(): { code: string; message: string; messageId?: string } {
    return this.messageId
      ? { code: this.code, message: this.message, messageId: this.messageId }
      : { code: this.code, message: this.message };
  }
}

export function isTnlError(value: unknown): value is TnlError {
  return value instanceof TnlError;
}
