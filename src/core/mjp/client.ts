// The midjourney-proxy client: the wire format, call by call (docs/midjourney-proxy-api.md). Servers
// answer submits with one envelope and several meanings per code, and refuse in more shapes than one
// (trueai's `{success:false, code:-1, message}`, new-api's `{error:{message}}`, HTTP 404 with code 3):
// every answer becomes a Submitted or an ApiError with a stable code. The token travels in the one
// header the account names, only to the base URL.
import { normaliseBaseUrl } from '../api/base-url';
import { ApiError } from '../api/errors';
import { isJobId } from '../api/ids';
import { HttpTransport } from '../api/http-transport';
import type { CallContext } from '../api/http-errors';
import type { CallOptions, DownloadOptions, JobState, Submitted } from '../api/job-model';
import { parseTask, taskId } from './task-state';
import type { MjpAuthScheme } from './types';

export interface MjpClientOptions {
  /** Everything before `/mj` (a trailing `/mj` is dropped): `http://host:8080`, `https://relay/mj-relax`. */
  baseUrl: string;
  token: string;
  /** `mj-api-secret` (the servers) or `bearer` (new-api relays); never both. Default mj-api-secret. */
  authScheme?: MjpAuthScheme;
  timeoutMs?: number;
  logger?: (line: string) => void;
}

/** Body of a submit: the API's fields; `notifyHook` is added by the caller when results are pushed. */
type SubmitBody = Record<string, unknown>;

/** A task that does not exist (any more): trueai 204, novicezk 200 with no body, new-api 400. */
const UNKNOWN: JobState = { state: 'unknown' };

function isPlain(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** "Slow down, nothing was created": trueai's queue-full code 9 and its per-user limits. */
const LIMIT_TEXT = /队列已满|并发数已达上限|队列数已达上限|queue (is )?full|too many/i;

export function authHeaders(scheme: MjpAuthScheme | undefined, token: string): Record<string, string> {
  // trueai reads Authorization before mj-api-secret and does not strip "Bearer ": one header only.
  return scheme === 'bearer' ? { Authorization: `Bearer ${token}` } : { 'mj-api-secret': token };
}

export class MjpClient {
  readonly baseUrl: string;
  readonly #http: HttpTransport;

  constructor(options: MjpClientOptions) {
    if (!isPlain(options)) {
      throw new ApiError({
        code: 'INVALID_CONFIG',
        message: 'midjourney-proxy options are missing',
        sent: false,
      });
    }
    const scheme = options.authScheme ?? 'mj-api-secret';
    if (scheme !== 'mj-api-secret' && scheme !== 'bearer') {
      throw new ApiError({
        code: 'INVALID_CONFIG',
        message: 'authScheme must be "mj-api-secret" or "bearer"',
        sent: false,
      });
    }
    this.#http = new HttpTransport({
      baseUrl: normaliseBaseUrl(options.baseUrl, /\/mj$/i),
      token: options.token,
      authHeaders: (token) => authHeaders(scheme, token),
      timeoutMs: options.timeoutMs,
      logger: options.logger,
    });
    this.baseUrl = this.#http.baseUrl;
  }

  /** POST /mj/submit/imagine. */
  imagine(body: SubmitBody, opts?: CallOptions): Promise<Submitted> {
    return this.#submit('/mj/submit/imagine', body, opts);
  }

  /** POST /mj/submit/action: presses the button `customId` of task `taskId`. */
  action(body: SubmitBody, opts?: CallOptions): Promise<Submitted> {
    return this.#submit('/mj/submit/action', body, opts);
  }

  /** POST /mj/submit/modal: the dialog of a task in MODAL (Vary (Region)'s prompt and mask). */
  modal(body: SubmitBody, opts?: CallOptions): Promise<Submitted> {
    return this.#submit('/mj/submit/modal', body, opts);
  }

  /** GET /mj/task/{id}/fetch: the task object, or undefined when the server does not know the id. */
  async fetchTask(id: string, opts?: CallOptions): Promise<Record<string, unknown> | undefined> {
    if (!isJobId(id)) {
      throw new ApiError({
        code: 'INVALID_INPUT',
        message: 'The task id must be a midjourney-proxy id',
        sent: false,
      });
    }
    let unknown = false;
    const answer = await this.#http
      .json(
        { method: 'GET', path: `/mj/task/${id}/fetch`, jobId: id },
        {
          signal: opts?.signal,
          onStatus: (a) => {
            // new-api: 400 task_no_found; trueai's other routes: 404 with code 3.
            if ((a.status === 400 || a.status === 404) && /task_no_found|"code"\s*:\s*3\b/.test(a.text)) {
              unknown = true;
              return new ApiError({ code: 'NOT_FOUND', message: `Task ${id} is unknown`, messageId: id });
            }
            return undefined;
          },
        },
      )
      .catch((err: unknown) => {
        if (unknown) return undefined;
        throw err;
      });
    if (!answer || answer.json === undefined || answer.json === null) return undefined;
    if (!isPlain(answer.json))
      throw this.#http.badResponse(answer.ctx, 'the task is not a JSON object', answer.status);
    return answer.json;
  }

  /** The task read as a job state; `unknown` when the server does not know the id. */
  async readTask(id: string, opts?: CallOptions): Promise<JobState> {
    const task = await this.fetchTask(id, opts);
    return task ? this.masked(parseTask(task, id)) : UNKNOWN;
  }

  /** A state whose message quotes the server (failReason) with the token masked. */
  masked(state: JobState): JobState {
    return state.state === 'failed' ? { ...state, message: this.#http.mask(state.message) } : state;
  }

  getImage(imageUrl: string, opts?: DownloadOptions): Promise<Buffer> {
    return this.#http.picture(imageUrl, { signal: opts?.signal, maxBytes: opts?.maxBytes });
  }

  getImageHead(imageUrl: string, maxBytes: number, opts?: CallOptions): Promise<Buffer> {
    return this.#http.picture(imageUrl, { signal: opts?.signal, headBytes: maxBytes });
  }

  async #submit(path: string, body: SubmitBody, opts?: CallOptions): Promise<Submitted> {
    const answer = await this.#http.json(
      { method: 'POST', path, body },
      {
        signal: opts?.signal,
        // A 4xx may carry an envelope (trueai: 404 + code 3). 429 and 5xx stay HTTP errors, which
        // keep Retry-After and the rules for repeating a submit.
        onStatus: (a) =>
          a.status >= 400 && a.status < 500 && a.status !== 429 && isPlain(a.json)
            ? this.#refusal(a.ctx, a.json, a.status)
            : undefined,
      },
    );
    const { json, ctx, status } = answer;
    if (!isPlain(json)) throw this.#http.badResponse(ctx, 'the answer is not a JSON object', status);
    const code = Number(json.code);
    if (code === 1 || code === 22 || code === 21) {
      const jobId = taskId(json.result);
      if (!jobId) throw this.#http.badResponse(ctx, `code ${code} without a task id in result`, status);
      // 21: the task waits for its dialog (/mj/submit/modal) before anything is sent to Midjourney.
      return code === 21 ? { jobId, modal: true, payload: json } : { jobId, payload: json };
    }
    throw this.#refusal(ctx, json, status) ?? this.#http.badResponse(ctx, 'the answer has no code', status);
  }

  /** What a refusing envelope means; undefined when the body is no envelope at all. */
  #refusal(ctx: CallContext, json: Record<string, unknown>, status: number): ApiError | undefined {
    const said = (value: unknown): string => (typeof value === 'string' ? this.#http.quote(value) : '');
    // trueai's second envelope, for limits and bans outside /imagine.
    if (json.success === false && typeof json.message === 'string') {
      const message = said(json.message);
      const limit = LIMIT_TEXT.test(json.message);
      return new ApiError({
        code: limit ? 'QUEUE_FULL' : 'SUBMIT_REFUSED',
        message: `${ctx.method} ${ctx.path} was refused: ${message}`,
        status,
        throttled: limit,
        // An HTTP 500 in this shape is a crash: the request may have done something.
        sent: !limit,
      });
    }
    if (json.code === undefined || json.code === null) return undefined;
    const code = Number(json.code);
    const description = said(json.description);
    const detail = description ? `: ${description}` : '';
    const fields = { status, sent: true };
    // Nothing was created: slow down and send it again. trueai words its per-user limits on /imagine
    // as code 4 and a full queue as code 9; novicezk and plus say 23.
    const busy = typeof json.description === 'string' && LIMIT_TEXT.test(json.description);
    if (busy || code === 23) {
      return new ApiError({
        ...fields,
        code: 'QUEUE_FULL',
        message: `The service is busy${detail}`,
        throttled: true,
        sent: false,
      });
    }
    switch (code) {
      case 9: // novicezk: the submit failed
        return new ApiError({
          ...fields,
          code: 'FAILED_TO_REQUEST',
          message: `The submit failed${detail}`,
          retryable: true,
        });
      case 24: {
        const props = isPlain(json.properties) ? json.properties : {};
        const word = said(props.bannedWord);
        return new ApiError({
          ...fields,
          code: 'BANNED_PROMPT',
          message: `The prompt was refused${word ? ` for the word "${word}"` : ''}${detail}`,
        });
      }
      case 3:
        return new ApiError({
          ...fields,
          code: 'NOT_FOUND',
          message: `The task is unknown or expired${detail}`,
        });
      case 4:
        return new ApiError({
          ...fields,
          code: 'INVALID_PARAMETER',
          message: `The request was refused${detail}`,
        });
      case 30: // new-api: the relay's group is saturated
        return new ApiError({
          ...fields,
          code: 'HTTP_429',
          message: `Too many requests${detail}`,
          throttled: true,
          sent: false,
        });
      default:
        return new ApiError({
          ...fields,
          code: 'SUBMIT_REFUSED',
          message: `${ctx.method} ${ctx.path} was refused (code ${Number.isFinite(code) ? code : '?'})${detail}`,
        });
    }
  }
}
