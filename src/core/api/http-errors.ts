// Turns every way an API call can fail into a ApiError built from plain fields. Nothing from the
// transport (config, headers, request objects) is ever copied, so the token cannot leak through.
import { ApiError } from './errors';

/** The longest piece of a server's answer quoted in an error message. */
const MAX_QUOTE = 200;

/** Error codes meaning the connection was never made, so the server surely never saw the request. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_NONAME',
  'EAI_FAIL',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'EADDRNOTAVAIL',
]);

export interface CallContext {
  method: string;
  /** Path (or origin + path for foreign URLs) without any query string. */
  path: string;
  messageId?: string;
}

/** Quotes server text safely: one line, bounded, with the token (should a server echo it) masked. */
export function quote(text: string, token: string): string {
  let clean = text.replace(/\p{Cc}+/gu, ' ').trim();
  if (token) clean = clean.split(token).join('***');
  return clean.length > MAX_QUOTE ? `${clean.slice(0, MAX_QUOTE)}…` : clean;
}

/** Retry-After is either delay-seconds or an HTTP date. */
export function parseRetryAfter(value: unknown, now = Date.now()): number | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * What a JSON error body says, in the shapes the APIs use: TNL's `msg`, midjourney-proxy's
 * `description`, trueai's `message`, new-api's `error.message` (or a plain `error` string).
 */
export function bodyMessage(text: string): string | undefined {
  try {
    const body: unknown = JSON.parse(text);
    if (typeof body !== 'object' || body === null) return undefined;
    const record = body as Record<string, unknown>;
    const nested = record.error;
    if (typeof nested === 'object' && nested !== null) {
      const inner = (nested as Record<string, unknown>).message;
      if (typeof inner === 'string' && inner.trim() !== '') return inner;
    }
    for (const key of ['msg', 'message', 'description', 'error']) {
      const value = record[key];
      if (typeof value === 'string' && value.trim() !== '') return value;
    }
  } catch {
    // not JSON: the caller quotes the raw text instead
  }
  return undefined;
}

export function httpStatusError(
  ctx: CallContext,
  status: number,
  bodyText: string,
  retryAfterHeader: unknown,
  token: string,
): ApiError {
  const msg = bodyMessage(bodyText);
  const said = msg !== undefined ? quote(msg, token) : quote(bodyText, token);
  return new ApiError({
    code: `HTTP_${status}`,
    message: `${ctx.method} ${ctx.path} answered HTTP ${status}${said ? `: ${said}` : ''}`,
    status,
    retryable: status === 429 || status >= 500,
    retryAfterMs: status === 429 || status === 503 ? parseRetryAfter(retryAfterHeader) : undefined,
    messageId: ctx.messageId,
    sent: true,
  });
}

export function badResponseError(ctx: CallContext, why: string, token: string, status?: number): ApiError {
  return new ApiError({
    code: 'BAD_RESPONSE',
    message: `${ctx.method} ${ctx.path} gave an unexpected answer: ${quote(why, token)}`,
    status,
    messageId: ctx.messageId,
    sent: true,
  });
}

export function timeoutError(ctx: CallContext, timeoutMs: number): ApiError {
  return new ApiError({
    code: 'TIMEOUT',
    message: `${ctx.method} ${ctx.path} got no answer within ${timeoutMs} ms`,
    retryable: true,
    messageId: ctx.messageId,
    sent: true,
  });
}

export function abortedError(ctx: CallContext, sent: boolean): ApiError {
  return new ApiError({
    code: 'ABORTED',
    message: `${ctx.method} ${ctx.path} was aborted`,
    messageId: ctx.messageId,
    sent,
  });
}

/** Every system error code an error carries, including those inside AggregateErrors and causes. */
function systemCodes(err: unknown, depth = 0): string[] {
  if (typeof err !== 'object' || err === null || depth > 3) return [];
  const record = err as { code?: unknown; cause?: unknown; errors?: unknown };
  const codes = typeof record.code === 'string' ? [record.code] : [];
  codes.push(...systemCodes(record.cause, depth + 1));
  if (Array.isArray(record.errors)) for (const e of record.errors) codes.push(...systemCodes(e, depth + 1));
  return codes;
}

/** A failure with no HTTP answer: refused, reset, DNS, or a body that could not be read. */
export function transportError(ctx: CallContext, err: unknown): ApiError {
  const codes = systemCodes(err);
  if (codes.includes('ERR_BAD_RESPONSE') || codes.includes('ERR_FR_MAX_BODY_LENGTH_EXCEEDED')) {
    return new ApiError({
      code: 'BAD_RESPONSE',
      message: `${ctx.method} ${ctx.path} gave an answer that could not be read (too large or corrupt)`,
      messageId: ctx.messageId,
      sent: true,
    });
  }
  const known = codes.find((c) => /^E[A-Z]+$/.test(c));
  // Unknown failures count as sent: a submit that may have created a job must not be repeated.
  const sent = !codes.some((c) => NOT_SENT_CODES.has(c));
  return new ApiError({
    code: 'NETWORK',
    message: `${ctx.method} ${ctx.path} got no answer${known ? ` (${known})` : ''}`,
    retryable: true,
    messageId: ctx.messageId,
    sent,
  });
}
