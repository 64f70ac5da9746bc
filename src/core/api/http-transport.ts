// The one place either API client makes a request: timeout, cancellation, size caps, logging and
// error wrapping. The secret travels only in the headers the client names, only to its base URL,
// never across a redirect, and is masked in everything this file writes (errors, log lines).
import type { AxiosInstance } from 'axios';
import type { Readable } from 'node:stream';
import { ApiError } from './errors';
import {
  type CallContext,
  abortedError,
  badResponseError,
  bodyMessage,
  httpStatusError,
  quote,
  timeoutError,
  transportError,
} from './http-errors';

export const DEFAULT_TIMEOUT_MS = 30_000;
/** Larger image downloads are refused rather than buffered. */
export const MAX_IMAGE_BYTES = 50 * 1024 * 1024;
/** No JSON answer from either API comes anywhere near this. */
const MAX_JSON_BYTES = 10 * 1024 * 1024;

export interface TransportOptions {
  /** Already normalised (see normaliseBaseUrl). */
  baseUrl: string;
  /** The secret; checked here, masked in every error and log line. */
  token: string;
  /** Builds the auth headers from the token: each API reads its own header. */
  authHeaders: (token: string) => Record<string, string>;
  /** Per request, including reading the body; default 30000. */
  timeoutMs?: number;
  /** Debug log: method, path (no query), status or error code, duration. Never the token or a body. */
  logger?: (line: string) => void;
}

export interface Exchange {
  method: 'GET' | 'POST';
  url: string;
  /** What errors and logs name: the path without any query, or origin + path for foreign URLs. */
  path: string;
  body?: unknown;
  auth: boolean;
  maxBytes: number;
  jobId?: string;
  accept: string;
  headers?: Record<string, string>;
  /**
   * A picture, read as it streams in: `whole` (more than maxBytes fails), or `prefix` (read at most
   * maxBytes and stop: a header read).
   */
  stream?: 'whole' | 'prefix';
}

export interface Answer {
  status: number;
  data: Buffer;
  header(name: string): string | undefined;
}

export interface JsonAnswer {
  /** undefined for an empty body (204, or 200 with nothing). */
  json: unknown;
  status: number;
  ctx: CallContext;
  text: string;
}

/** An http(s) URL: nothing else is fetched or told to the services. */
export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function invalidInput(message: string): ApiError {
  return new ApiError({ code: 'INVALID_INPUT', message, sent: false });
}

/** What transportError reads as "too large": the same code axios gives a body over its cap. */
function bodyTooLarge(max: number): Error {
  return Object.assign(new Error(`the answer is larger than ${max} bytes`), {
    code: 'ERR_FR_MAX_BODY_LENGTH_EXCEEDED',
  });
}

/**
 * Reads a picture as it arrives, chunk by chunk as the socket delivers them (an async iterator
 * would join whatever has piled up into one long copy). With a Content-Length it goes straight into
 * one buffer of that size, so a large picture is never joined at the end either; `prefix` stops
 * after `max` bytes (a server that ignores the Range asked for sends no more than that is read),
 * `whole` fails past them.
 */
function readStream(
  stream: Readable,
  max: number,
  mode: 'whole' | 'prefix',
  declared: number | undefined,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (mode === 'whole' && declared !== undefined && declared > max) {
      stream.destroy();
      return reject(bodyTooLarge(max));
    }
    const exact = mode === 'whole' && declared !== undefined ? Buffer.allocUnsafe(declared) : undefined;
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (outcome: { data: Buffer } | { error: unknown }): void => {
      if (settled) return;
      settled = true;
      stream.destroy();
      if ('error' in outcome) reject(outcome.error);
      else resolve(outcome.data);
    };
    const collected = (): Buffer => {
      if (exact) return size === exact.length ? exact : exact.subarray(0, size);
      return Buffer.concat(chunks, size).subarray(0, Math.min(size, max));
    };
    stream.on('data', (chunk: Buffer) => {
      if (settled) return;
      if (mode === 'whole' && size + chunk.length > (exact?.length ?? max))
        return finish({ error: bodyTooLarge(max) });
      if (exact) chunk.copy(exact, size);
      else chunks.push(chunk);
      size += chunk.length;
      if (mode === 'prefix' && size >= max) finish({ data: collected() });
    });
    stream.on('end', () => finish({ data: collected() }));
    stream.on('error', (error: unknown) => finish({ error }));
    // Destroyed from outside (the request's abort): what it was reading is no answer.
    stream.on('close', () => finish({ error: new Error('the answer was cut off') }));
  });
}

export class HttpTransport {
  readonly baseUrl: string;
  // Private fields stay out of JSON.stringify and util.inspect of the transport.
  readonly #token: string;
  readonly #authHeaders: (token: string) => Record<string, string>;
  readonly #timeoutMs: number;
  readonly #logger: ((line: string) => void) | undefined;
  #client: AxiosInstance | undefined;

  constructor(options: TransportOptions) {
    this.baseUrl = options.baseUrl;
    // Control characters or spaces would break (or be echoed by) the header code.
    if (typeof options.token !== 'string' || !/^[\x21-\x7e]+$/.test(options.token)) {
      throw new ApiError({
        code: 'INVALID_CONFIG',
        message: 'The API token is missing or contains spaces or non-ASCII characters',
        sent: false,
      });
    }
    this.#token = options.token;
    this.#authHeaders = options.authHeaders;
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new ApiError({
        code: 'INVALID_CONFIG',
        message: 'timeoutMs must be a positive number',
        sent: false,
      });
    }
    this.#timeoutMs = timeoutMs;
    this.#logger = options.logger;
  }

  /**
   * The HTTP client, loaded on the first request: Node-RED loads this package's nodes at start even
   * in flows that never use them, and that start should not pay for an HTTP library.
   */
  get #http(): AxiosInstance {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    this.#client ??= (require('axios') as typeof import('axios')).create({
      validateStatus: () => true,
      responseType: 'arraybuffer',
      transformResponse: [(data: unknown) => data],
    });
    return this.#client;
  }

  /** Text with the token masked, should a server have echoed it. */
  mask(text: string): string {
    return text.split(this.#token).join('***');
  }

  /** Server text made safe to quote: one line, bounded, the token masked. */
  quote(text: string): string {
    return quote(text, this.#token);
  }

  badResponse(ctx: CallContext, why: string, status?: number): ApiError {
    return badResponseError(ctx, why, this.#token, status);
  }

  statusError(ctx: CallContext, answer: { status: number; text: string; retryAfter?: string }): ApiError {
    return httpStatusError(ctx, answer.status, answer.text, answer.retryAfter, this.#token);
  }

  /**
   * One authenticated API call answered with JSON (or nothing). A non-2xx answer is handed to
   * `onStatus` first (a dialect may read its own error shapes), then becomes HTTP_<status>.
   */
  async json(
    call: { method: 'GET' | 'POST'; path: string; query?: string; body?: unknown; jobId?: string },
    opts: { signal?: AbortSignal; onStatus?: (answer: JsonAnswer) => ApiError | undefined } = {},
  ): Promise<JsonAnswer> {
    const ctx: CallContext = { method: call.method, path: call.path, messageId: call.jobId };
    const answer = await this.exchange(
      {
        method: call.method,
        url: `${this.baseUrl}${call.path}${call.query ?? ''}`,
        path: call.path,
        body: call.body,
        auth: true,
        maxBytes: MAX_JSON_BYTES,
        jobId: call.jobId,
        accept: 'application/json',
      },
      opts.signal,
    );
    const text = answer.data.toString('utf8');
    let json: unknown;
    let parsed = text.trim() === '';
    if (!parsed) {
      try {
        json = JSON.parse(text) as unknown;
        parsed = true;
      } catch {
        // reported below: an error status wins over an unreadable body
      }
    }
    const result: JsonAnswer = { json, status: answer.status, ctx, text };
    if (answer.status < 200 || answer.status > 299) {
      const own = opts.onStatus?.(result);
      if (own) throw own;
      throw httpStatusError(ctx, answer.status, text, answer.header('retry-after'), this.#token);
    }
    if (!parsed) throw this.badResponse(ctx, `the answer is not JSON: ${this.quote(text)}`, answer.status);
    return result;
  }

  /**
   * Downloads a picture: directly without the token (the URL is usually a foreign CDN), then,
   * when `fallback` is given and the CDN refuses server-side downloads (401/403/404), through the
   * API's own authenticated route. With `maxBytes` only that many bytes are read (a header).
   */
  async picture(
    imageUrl: string,
    options: {
      signal?: AbortSignal;
      fallback?: { path: string; body: unknown };
      headBytes?: number;
      /** Refuse a larger picture while it downloads; default MAX_IMAGE_BYTES. */
      maxBytes?: number;
    } = {},
  ): Promise<Buffer> {
    if (typeof imageUrl !== 'string' || !isHttpUrl(imageUrl))
      throw invalidInput('The image URL must be http(s)');
    const target = new URL(imageUrl);
    const head = options.headBytes;
    const direct: Exchange = {
      method: 'GET',
      url: target.href,
      path: `${target.origin}${target.pathname}`,
      auth: false,
      maxBytes: head ?? options.maxBytes ?? MAX_IMAGE_BYTES,
      accept: 'image/*',
      // A server that honours ranges sends only the header; one that does not is cut off anyway.
      ...(head ? { headers: { Range: `bytes=0-${head - 1}` }, stream: 'prefix' } : { stream: 'whole' }),
    };
    let answer = await this.exchange(direct, options.signal);
    let ctx: CallContext = { method: direct.method, path: direct.path };
    if (options.fallback && [401, 403, 404].includes(answer.status)) {
      const fallback: Exchange = {
        method: 'POST',
        url: `${this.baseUrl}${options.fallback.path}`,
        path: options.fallback.path,
        body: options.fallback.body,
        auth: true,
        maxBytes: head ?? options.maxBytes ?? MAX_IMAGE_BYTES,
        accept: 'image/*',
        stream: head ? 'prefix' : 'whole',
      };
      answer = await this.exchange(fallback, options.signal);
      ctx = { method: fallback.method, path: fallback.path };
    }
    const text = (): string => answer.data.subarray(0, 4096).toString('utf8');
    if (answer.status < 200 || answer.status > 299) {
      throw httpStatusError(ctx, answer.status, text(), answer.header('retry-after'), this.#token);
    }
    if (answer.data.length === 0) throw this.badResponse(ctx, 'the image is empty', answer.status);
    if (/json|text\/html/i.test(answer.header('content-type') ?? '')) {
      const said = bodyMessage(text()) ?? text();
      throw this.badResponse(ctx, `expected an image, got ${said}`, answer.status);
    }
    return answer.data;
  }

  /** The single place a request is made: timeout, cancellation, logging and error wrapping. */
  async exchange(call: Exchange, signal: AbortSignal | undefined): Promise<Answer> {
    const ctx: CallContext = { method: call.method, path: call.path, messageId: call.jobId };
    if (signal?.aborted) throw abortedError(ctx, false);
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.#timeoutMs);
    const onAbort = (): void => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const started = Date.now();
    let outcome = 'ERROR';
    try {
      const headers: Record<string, string> = { Accept: call.accept, ...call.headers };
      if (call.body !== undefined) headers['Content-Type'] = 'application/json';
      if (call.auth) Object.assign(headers, this.#authHeaders(this.#token));
      const res = await this.#http.request<unknown>({
        method: call.method,
        url: call.url,
        headers,
        data: call.body === undefined ? undefined : JSON.stringify(call.body),
        signal: controller.signal,
        maxContentLength: call.stream ? -1 : call.maxBytes,
        ...(call.stream ? { responseType: 'stream' as const } : {}),
        // Redirects of authenticated calls are not followed: the token must not travel elsewhere.
        maxRedirects: call.auth ? 0 : 5,
      });
      outcome = String(res.status);
      const raw = res.data;
      const resHeaders = res.headers as Record<string, unknown>;
      const length = Number(resHeaders['content-length']);
      const data = call.stream
        ? await readStream(
            raw as Readable,
            call.maxBytes,
            call.stream,
            Number.isSafeInteger(length) ? length : undefined,
          )
        : Buffer.isBuffer(raw)
          ? raw
          : raw instanceof ArrayBuffer
            ? Buffer.from(raw)
            : Buffer.from(typeof raw === 'string' ? raw : '');
      return {
        status: res.status,
        data,
        header: (name) => {
          const value = resHeaders[name.toLowerCase()];
          return typeof value === 'string' ? value : Array.isArray(value) ? value.join(', ') : undefined;
        },
      };
    } catch (err) {
      // The transport's error holds the request config (headers, token): only plain facts leave here.
      const wrapped = timedOut
        ? timeoutError(ctx, this.#timeoutMs)
        : signal?.aborted
          ? abortedError(ctx, true)
          : transportError(ctx, err);
      outcome = wrapped.code;
      throw wrapped;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      this.#log(`${call.method} ${call.path} ${outcome} ${Date.now() - started}ms`);
    }
  }

  #log(line: string): void {
    if (!this.#logger) return;
    try {
      this.#logger(quote(line, this.#token));
    } catch {
      // a failing logger must not fail the call
    }
  }
}
