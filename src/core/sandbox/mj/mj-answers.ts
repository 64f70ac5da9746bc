// The shapes a midjourney-proxy server answers in: the submit envelope `{code, description, result,
// properties}`, trueai's second envelope `{success:false, code:-1, message, timestamp}` for limit
// errors outside /imagine, and a new-api relay's own `{description, type:"upstream_error", code}` and
// OpenAI-style `{error:{message,type}}`. Also the HTTP layer's refusals in each server's manner.
import { empty, json, text, type HttpAnswer } from '../http/answer';
import type { Refusals } from '../http/route-set';

export interface Envelope {
  code: number;
  description: string;
  result: string | null;
  properties: Record<string, unknown>;
}

export const envelope = (
  code: number,
  description: string,
  result: string | null = null,
  properties: Record<string, unknown> = {},
): Envelope => ({ code, description, result, properties });

/** .NET ticks (100 ns since year 1), as trueai's Result.timestamp carries them. */
function dotnetTicks(ms: number): string {
  return (BigInt(ms) * 10_000n + 621_355_968_000_000_000n).toString();
}

/** trueai's global exception filter: HTTP 200 (500 for an unexpected error) and another shape. */
export function secondEnvelope(message: string, status = 200): HttpAnswer {
  return json(status, { success: false, code: -1, message, timestamp: dotnetTicks(Date.now()) });
}

/** A new-api relay's own refusal: `description` is "<desc> <result>", as its handler formats it. */
export function relayError(description: string, code = 4, status = 400, result = ''): HttpAnswer {
  return json(status, { description: `${description} ${result}`, type: 'upstream_error', code });
}

/** A new-api relay's auth and routing errors, in OpenAI's shape. */
export function openAiError(status: number, message: string, type = 'new_api_error'): HttpAnswer {
  return json(status, { error: { message, type, param: '', code: '' } });
}

const RELAY_SATURATED = '当前分组负载已饱和，请稍后再试，或升级账户以提升服务质量。';

export function refusalsOf(mode: 'trueai' | 'plus' | 'relay'): Refusals {
  const serverError = (status: 500 | 502): HttpAnswer =>
    status === 500 ? secondEnvelope('操作失败', 500) : text(502, 'Bad Gateway');
  if (mode === 'relay') {
    return {
      notFound: (method, path) =>
        openAiError(404, `Invalid URL (${method} ${path})`, 'invalid_request_error'),
      tooLarge: () => openAiError(413, 'request body too large'),
      badJson: () => relayError('bind_request_body_failed'),
      serverError,
      rateLimited: (seconds) => ({
        ...relayError('', 30, 429, RELAY_SATURATED),
        headers: { 'retry-after': String(seconds) },
      }),
    };
  }
  return {
    notFound: () => empty(404),
    tooLarge: () => empty(413),
    badJson: () =>
      json(400, {
        type: 'https://tools.ietf.org/html/rfc9110#section-15.5.1',
        title: 'One or more validation errors occurred.',
        status: 400,
      }),
    serverError,
    // The servers themselves set no rate limit; what a client meets in front of them is a relay's 429.
    rateLimited: (seconds) => ({
      ...relayError('', 30, 429, RELAY_SATURATED),
      headers: { 'retry-after': String(seconds) },
    }),
  };
}
