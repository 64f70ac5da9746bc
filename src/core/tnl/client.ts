// The typed TNL v2 client. Every failure is a ApiError with a stable code and a `sent` flag (the
// scheduler never repeats a submit that may have reached TNL); the token travels only in the
// Authorization header to the configured base URL and is kept out of errors, logs and results.
import axios, { type AxiosInstance } from 'axios';
import { normaliseBaseUrl } from './base-url';
import { ApiError } from '../api/errors';
import { isJobId } from '../api/ids';
import {
  type CallContext,
  abortedError,
  badResponseError,
  bodyMessage,
  httpStatusError,
  quote,
  timeoutError,
  transportError,
} from '../api/http-errors';
import { parseMessageState } from './message-state';
import type { Acknowledgement, ButtonRequest, CallOptions, ImagineRequest, MessageState } from './types';

export interface TnlClientOptions {
  /** http(s) only; trailing slashes and a trailing '/v2' are dropped (the client adds /v2 itself). */
  baseUrl: string;
  /** Sent only as `Authorization: Bearer`, only to the base URL. */
  token: string;
  /** Per request, including reading the body; default 30000. */
  timeoutMs?: number;
  /** Debug log: method, path (no query), status or error code, duration. Never the token or a body. */
  logger?: (line: string) => void;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
/** Larger image downloads are refused rather than buffered. */
export const MAX_IMAGE_BYTES = 50 * 1024 * 1024;
/** No JSON answer from TNL comes anywhere near this. */
const MAX_JSON_BYTES = 10 * 1024 * 1024;
/** The direct image GET is refused this way by CDNs that block server-side downloads. */
const FALLBACK_STATUSES = new Set([401, 403, 404]);

interface Exchange {
  method: 'GET' | 'POST';
  url: string;
  /** What errors and logs name: the path without any query, or origin + path for foreign URLs. */
  path: string;
  body?: unknown;
  auth: boolean;
  maxBytes: number;
  messageId?: string;
  accept: string;
}

interface Answer {
  status: number;
  data: Buffer;
  header(name: string): string | undefined;
}

function invalidInput(message: string): ApiError {
  return new ApiError({ code: 'INVALID_INPUT', message, sent: false });
}

function isPlain(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(value: unknown, name: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw invalidInput(`${name} must be a string`);
  return value;
}

function optionalWebhook(value: unknown): string {
  const url = optionalString(value, 'webhookOverride');
  if (url !== '' && !isHttpUrl(url)) throw invalidInput('webhookOverride must be an http(s) URL');
  return url;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function checkId(value: unknown, name: string): string {
  if (!isJobId(value)) {
    throw invalidInput(`${name} must be a TNL message id (letters, digits, '-' or '_')`);
  }
  return value;
}

export class TnlClient {
  readonly baseUrl: string;
  // A private field stays out of JSON.stringify and util.inspect of the client.
  readonly #token: string;
  readonly #timeoutMs: number;
  readonly #logger: ((line: string) => void) | undefined;
  readonly #http: AxiosInstance;

  constructor(options: TnlClientOptions) {
    if (!isPlain(options)) {
      throw new ApiError({ code: 'INVALID_CONFIG', message: 'TNL client options are missing', sent: false });
    }
    this.baseUrl = normaliseBaseUrl(options.baseUrl);
    // Control characters or spaces would break (or be echoed by) the header code.
    if (typeof options.token !== 'string' || !/^[\x21-\x7e]+$/.test(options.token)) {
      throw new ApiError({
        code: 'INVALID_CONFIG',
        message: 'The TNL API token is missing or contains spaces or non-ASCII characters',
        sent: false,
      });
    }
    this.#token = options.token;
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
    this.#http = axios.create({
      validateStatus: () => true,
      responseType: 'arraybuffer',
      transformResponse: [(data: unknown) => data],
    });
  }

  /** POST /v2/imagine. */
  async imagine(req: ImagineRequest, opts?: CallOptions): Promise<Acknowledgement> {
    if (!isPlain(req)) throw invalidInput('imagine needs a request object');
    if (typeof req.prompt !== 'string' || req.prompt.trim() === '') throw invalidInput('The prompt is empty');
    const body = {
      msg: req.prompt,
      ref: optionalString(req.ref, 'ref'),
      webhookOverride: optionalWebhook(req.webhookOverride),
    };
    return this.#submit('/v2/imagine', body, opts);
  }

  /** POST /v2/button; Vary (Region) adds `prompt` and `mask`, Custom Zoom `prompt` and `zoom`. */
  async button(req: ButtonRequest, opts?: CallOptions): Promise<Acknowledgement> {
    if (!isPlain(req)) throw invalidInput('button needs a request object');
    if (typeof req.button !== 'string' || req.button.trim() === '') {
      throw invalidInput('button must be a non-empty string, exactly as listed in a result');
    }
    const body: Record<string, unknown> = {
      button: req.button,
      buttonMessageId: checkId(req.buttonMessageId, 'buttonMessageId'),
      ref: optionalString(req.ref, 'ref'),
      webhookOverride: optionalWebhook(req.webhookOverride),
    };
    if (req.prompt !== undefined) body.prompt = optionalString(req.prompt, 'prompt');
    if (req.mask !== undefined) {
      if (typeof req.mask !== 'string' || req.mask === '')
        throw invalidInput('mask must be non-empty base64');
      body.mask = req.mask;
    }
    if (req.zoom !== undefined) {
      if (typeof req.zoom !== 'number' || !Number.isFinite(req.zoom))
        throw invalidInput('zoom must be a number');
      body.zoom = req.zoom;
    }
    return this.#submit('/v2/button', body, opts);
  }

  /** POST /v2/describe. */
  async describe(url: string, opts?: CallOptions): Promise<Acknowledgement> {
    if (typeof url !== 'string' || !isHttpUrl(url)) throw invalidInput('describe needs an http(s) image URL');
    return this.#submit('/v2/describe', { url }, opts);
  }

  /** POST /v2/blend with 2 to 5 image URLs. */
  async blend(urls: string[], opts?: CallOptions): Promise<Acknowledgement> {
    if (!Array.isArray(urls) || urls.length < 2 || urls.length > 5) {
      throw invalidInput('blend needs 2 to 5 image URLs');
    }
    if (!urls.every((u) => typeof u === 'string' && isHttpUrl(u))) {
      throw invalidInput('blend needs http(s) image URLs');
    }
    return this.#submit('/v2/blend', { urls }, opts);
  }

  /** GET /v2/info: account information, returned as TNL sends it. */
  async info(opts?: CallOptions): Promise<Record<string, unknown>> {
    const { json, ctx, status } = await this.#json({ method: 'GET', path: '/v2/info' }, opts);
    if (!isPlain(json)) throw badResponseError(ctx, 'the answer is not a JSON object', this.#token, status);
    return json;
  }

  /** GET /v2/message/<id>, interpreted by parseMessageState. */
  async getMessage(messageId: string, opts?: CallOptions & { expireMins?: number }): Promise<MessageState> {
    const id = checkId(messageId, 'messageId');
    let query = '';
    if (opts?.expireMins !== undefined) {
      const mins = opts.expireMins;
      if (typeof mins !== 'number' || !Number.isFinite(mins) || mins <= 0) {
        throw invalidInput('expireMins must be a positive number');
      }
      query = `?expireMins=${encodeURIComponent(String(mins))}`;
    }
    const { json } = await this.#json(
      { method: 'GET', path: `/v2/message/${id}`, query, messageId: id },
      opts,
    );
    return parseMessageState(json, id);
  }

  /**
   * Downloads a result image: first directly (without the token: the URL is usually a foreign CDN),
   * then, when the CDN refuses server-side downloads, through TNL's POST /getImage.
   */
  async getImage(imageUrl: string, opts?: CallOptions): Promise<Buffer> {
    if (typeof imageUrl !== 'string' || !isHttpUrl(imageUrl))
      throw invalidInput('The image URL must be http(s)');
    const target = new URL(imageUrl);
    const direct: Exchange = {
      method: 'GET',
      url: target.href,
      path: `${target.origin}${target.pathname}`,
      auth: false,
      maxBytes: MAX_IMAGE_BYTES,
      accept: 'image/*',
    };
    let answer = await this.#exchange(direct, opts?.signal);
    let ctx: CallContext = { method: direct.method, path: direct.path };
    if (FALLBACK_STATUSES.has(answer.status)) {
      const fallback: Exchange = {
        method: 'POST',
        url: `${this.baseUrl}/getImage`,
        path: '/getImage',
        body: { imgUrl: imageUrl },
        auth: true,
        maxBytes: MAX_IMAGE_BYTES,
        accept: 'image/*',
      };
      answer = await this.#exchange(fallback, opts?.signal);
      ctx = { method: fallback.method, path: fallback.path };
    }
    const text = (): string => answer.data.subarray(0, 4096).toString('utf8');
    if (answer.status < 200 || answer.status > 299) {
      throw httpStatusError(ctx, answer.status, text(), answer.header('retry-after'), this.#token);
    }
    if (answer.data.length === 0)
      throw badResponseError(ctx, 'the image is empty', this.#token, answer.status);
    if (/json|text\/html/i.test(answer.header('content-type') ?? '')) {
      const said = bodyMessage(text()) ?? text();
      throw badResponseError(ctx, `expected an image, got ${said}`, this.#token, answer.status);
    }
    return answer.data;
  }

  async #submit(path: string, body: Record<string, unknown>, opts?: CallOptions): Promise<Acknowledgement> {
    const { json, ctx, status } = await this.#json({ method: 'POST', path, body }, opts);
    if (!isPlain(json) || json.success !== true) {
      const msg = isPlain(json) && typeof json.msg === 'string' ? `: ${json.msg}` : '';
      throw badResponseError(ctx, `success is not true${msg}`, this.#token, status);
    }
    if (typeof json.messageId !== 'string' || json.messageId === '') {
      throw badResponseError(ctx, 'the acknowledgement has no messageId', this.#token, status);
    }
    return {
      success: true,
      messageId: json.messageId,
      // Some servers omit it; the time the acknowledgement arrived is the closest truth.
      createdAt: typeof json.createdAt === 'string' ? json.createdAt : new Date().toISOString(),
    };
  }

  /** One authenticated API call answered with JSON; any non-2xx becomes an HTTP_/PREFILTER error. */
  async #json(
    call: { method: 'GET' | 'POST'; path: string; query?: string; body?: unknown; messageId?: string },
    opts?: CallOptions,
  ): Promise<{ json: unknown; ctx: CallContext; status: number }> {
    const ctx: CallContext = { method: call.method, path: call.path, messageId: call.messageId };
    const answer = await this.#exchange(
      {
        method: call.method,
        url: `${this.baseUrl}${call.path}${call.query ?? ''}`,
        path: call.path,
        body: call.body,
        auth: true,
        maxBytes: MAX_JSON_BYTES,
        messageId: call.messageId,
        accept: 'application/json',
      },
      opts?.signal,
    );
    const text = answer.data.toString('utf8');
    if (answer.status < 200 || answer.status > 299) {
      throw httpStatusError(ctx, answer.status, text, answer.header('retry-after'), this.#token);
    }
    try {
      return { json: JSON.parse(text) as unknown, ctx, status: answer.status };
    } catch {
      throw badResponseError(
        ctx,
        `the answer is not JSON: ${quote(text, this.#token)}`,
        this.#token,
        answer.status,
      );
    }
  }

  /** The single place a request is made: timeout, cancellation, logging and error wrapping. */
  async #exchange(call: Exchange, signal: AbortSignal | undefined): Promise<Answer> {
    const ctx: CallContext = { method: call.method, path: call.path, messageId: call.messageId };
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
      const headers: Record<string, string> = { Accept: call.accept };
      if (call.body !== undefined) headers['Content-Type'] = 'application/json';
      if (call.auth) headers.Authorization = `Bearer ${this.#token}`;
      const res = await this.#http.request<unknown>({
        method: call.method,
        url: call.url,
        headers,
        data: call.body === undefined ? undefined : JSON.stringify(call.body),
        signal: controller.signal,
        maxContentLength: call.maxBytes,
        // Redirects of authenticated calls are not followed: the token must not travel elsewhere.
        maxRedirects: call.auth ? 0 : 5,
      });
      outcome = String(res.status);
      const raw = res.data;
      const data = Buffer.isBuffer(raw)
        ? raw
        : raw instanceof ArrayBuffer
          ? Buffer.from(raw)
          : Buffer.from(typeof raw === 'string' ? raw : '');
      const resHeaders = res.headers as Record<string, unknown>;
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
