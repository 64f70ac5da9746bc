// The typed TNL v2 client: the wire format, call by call. Every failure is an ApiError with a
// stable code and a `sent` flag (the scheduler never repeats a submit that may have reached TNL);
// the token travels only in the Authorization header to the configured base URL (see
// HttpTransport) and is kept out of errors, logs and results.
import { normaliseBaseUrl } from '../api/base-url';
import { ApiError } from '../api/errors';
import { isJobId } from '../api/ids';
import {
  DEFAULT_TIMEOUT_MS,
  HttpTransport,
  isHttpUrl,
  MAX_IMAGE_BYTES,
  type JsonAnswer,
} from '../api/http-transport';
import { parseMessageState } from './message-state';
import type {
  Acknowledgement,
  ButtonRequest,
  CallOptions,
  DownloadOptions,
  ImagineRequest,
  MessageState,
} from './types';

export { DEFAULT_TIMEOUT_MS, MAX_IMAGE_BYTES };

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

function checkId(value: unknown, name: string): string {
  if (!isJobId(value)) {
    throw invalidInput(`${name} must be a TNL message id (letters, digits, '-' or '_')`);
  }
  return value;
}

/** TNL's banned-word prefilter answers 400 `{"success":false,"msg":"Invalid phrase: 'x'"}`. */
function prefilterError(answer: JsonAnswer, quote: (text: string) => string): ApiError | undefined {
  const msg = isPlain(answer.json) && typeof answer.json.msg === 'string' ? answer.json.msg : undefined;
  if (answer.status !== 400 || !msg?.trim().startsWith('Invalid phrase')) return undefined;
  return new ApiError({
    code: 'PREFILTER',
    message: `TNL's prompt prefilter refused the prompt: ${quote(msg)}`,
    status: answer.status,
    sent: true,
  });
}

export class TnlClient {
  readonly baseUrl: string;
  readonly #http: HttpTransport;

  constructor(options: TnlClientOptions) {
    if (!isPlain(options)) {
      throw new ApiError({ code: 'INVALID_CONFIG', message: 'TNL client options are missing', sent: false });
    }
    this.#http = new HttpTransport({
      baseUrl: normaliseBaseUrl(options.baseUrl),
      token: options.token,
      authHeaders: (token) => ({ Authorization: `Bearer ${token}` }),
      timeoutMs: options.timeoutMs,
      logger: options.logger,
    });
    this.baseUrl = this.#http.baseUrl;
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
    if (!isPlain(json)) throw this.#http.badResponse(ctx, 'the answer is not a JSON object', status);
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
    const { json } = await this.#json({ method: 'GET', path: `/v2/message/${id}`, query, jobId: id }, opts);
    return parseMessageState(json, id);
  }

  /**
   * Downloads a result image: first directly (without the token: the URL is usually a foreign CDN),
   * then, when the CDN refuses server-side downloads, through TNL's POST /getImage.
   */
  getImage(imageUrl: string, opts?: DownloadOptions): Promise<Buffer> {
    return this.#http.picture(imageUrl, {
      signal: opts?.signal,
      fallback: this.#imageFallback(imageUrl),
      maxBytes: opts?.maxBytes,
    });
  }

  /** The first `maxBytes` of a result image (its header), by the same path as getImage. */
  getImageHead(imageUrl: string, maxBytes: number, opts?: CallOptions): Promise<Buffer> {
    return this.#http.picture(imageUrl, {
      signal: opts?.signal,
      fallback: this.#imageFallback(imageUrl),
      headBytes: maxBytes,
    });
  }

  #imageFallback(imageUrl: string): { path: string; body: unknown } {
    return { path: '/getImage', body: { imgUrl: imageUrl } };
  }

  async #submit(path: string, body: Record<string, unknown>, opts?: CallOptions): Promise<Acknowledgement> {
    const { json, ctx, status } = await this.#json({ method: 'POST', path, body }, opts);
    if (!isPlain(json) || json.success !== true) {
      const msg = isPlain(json) && typeof json.msg === 'string' ? `: ${json.msg}` : '';
      throw this.#http.badResponse(ctx, `success is not true${msg}`, status);
    }
    if (typeof json.messageId !== 'string' || json.messageId === '') {
      throw this.#http.badResponse(ctx, 'the acknowledgement has no messageId', status);
    }
    return {
      success: true,
      messageId: json.messageId,
      // Some servers omit it; the time the acknowledgement arrived is the closest truth.
      createdAt: typeof json.createdAt === 'string' ? json.createdAt : new Date().toISOString(),
    };
  }

  /** One authenticated call answered with JSON; a non-2xx answer is an HTTP_<status> or PREFILTER error. */
  async #json(
    call: { method: 'GET' | 'POST'; path: string; query?: string; body?: unknown; jobId?: string },
    opts?: CallOptions,
  ): Promise<JsonAnswer> {
    const answer = await this.#http.json(call, {
      signal: opts?.signal,
      onStatus: (a) => prefilterError(a, (text) => this.#http.quote(text)),
    });
    if (answer.json === undefined)
      throw this.#http.badResponse(answer.ctx, 'the answer is empty', answer.status);
    return answer;
  }
}
