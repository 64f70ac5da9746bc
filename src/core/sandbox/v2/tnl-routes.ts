// TheNextLeg's v2 API over the job engine: imagine, button (Vary (Region) with its mask), describe,
// blend, info, message polling, /getImage, and one webhook POST per finished job. Auth is
// `Authorization: Bearer <token>` or `?authToken=`, and every POST also answers a GET whose query
// carries the body's fields, as TNL's docs allow.
import type http from 'node:http';
import { newId } from '../ids';
import type { ImageStore } from '../images';
import { maskBytes } from '../mask-decode';
import { findPrefilterWord, parsePromptFlags } from '../prompt-flags';
import type { EngineJob, JobBase, JobEngine } from '../engine/engine';
import { json, bytes, type HttpAnswer } from '../http/answer';
import { tokenMatches } from '../http/auth';
import {
  BODY_LIMITS,
  type ApiRequest,
  type AuthResult,
  type Refusals,
  type Route,
  type RouteSet,
} from '../http/route-set';
import type { WebhookSender } from '../http/webhook';
import { actionOf, messageBody, resultOf, withBase, type SandboxResult } from './tnl-results';

export interface TnlSettings {
  token: string;
  minuteMs(): number;
  prefilterWords(): readonly string[];
  /** Where finished jobs are posted when they bring no webhookOverride. */
  webhookUrl(): string | undefined;
  /** The sandbox's own address, for webhook bodies (no request to take a host from). */
  ownBase(): string;
}

interface TnlJobInfo {
  ref: string;
  webhookUrl: string | undefined;
  result?: SandboxResult;
}

const fail = (status: number, msg: string, headers?: Record<string, string>): HttpAnswer =>
  json(status, { success: false, msg }, headers);

const accepted = (job: EngineJob): HttpAnswer => ({
  status: 200,
  body: { success: true, messageId: job.id, createdAt: job.createdAt },
  created: true,
});

function str(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

export const TNL_REFUSALS: Refusals = {
  notFound: () => fail(404, 'Not found'),
  tooLarge: () => fail(413, 'Request body too large'),
  badJson: () => fail(400, 'Invalid JSON'),
  serverError: (status) => fail(status, status === 500 ? 'Internal Server Error' : 'Bad Gateway'),
  rateLimited: (seconds) => fail(429, 'Too many requests', { 'retry-after': String(seconds) }),
};

export class TnlRoutes implements RouteSet {
  private readonly info = new Map<string, TnlJobInfo>();
  /** A finished picture's buttonMessageId → the job that made it. */
  private readonly pressable = new Map<string, string>();
  private readonly table: Route[];

  constructor(
    private readonly engine: JobEngine,
    private readonly images: ImageStore,
    private readonly webhooks: WebhookSender,
    private readonly settings: TnlSettings,
  ) {
    engine.on((job, change) => {
      if (job.owner === 'tnl' && change === 'ended') this.ended(job);
    });
    const either = ['GET', 'POST'] as const;
    this.table = [
      {
        methods: either,
        pattern: '/v2/imagine',
        endpoint: 'submit',
        bodyLimit: BODY_LIMITS.small,
        handle: (r) => this.imagine(r),
      },
      {
        methods: either,
        pattern: '/v2/button',
        endpoint: 'submit',
        bodyLimit: BODY_LIMITS.picture,
        handle: (r) => this.button(r),
      },
      {
        methods: either,
        pattern: '/v2/describe',
        endpoint: 'submit',
        bodyLimit: BODY_LIMITS.small,
        handle: (r) => this.describe(r),
      },
      {
        methods: either,
        pattern: '/v2/blend',
        endpoint: 'submit',
        bodyLimit: BODY_LIMITS.small,
        handle: (r) => this.blend(r),
      },
      {
        methods: either,
        pattern: '/v2/info',
        endpoint: 'other',
        bodyLimit: BODY_LIMITS.none,
        handle: () => this.accountInfo(),
      },
      {
        methods: either,
        pattern: '/getImage',
        endpoint: 'other',
        bodyLimit: BODY_LIMITS.none,
        handle: (r) => this.getImage(r),
      },
      {
        methods: ['GET'],
        pattern: '/v2/message/:id',
        endpoint: 'message',
        bodyLimit: BODY_LIMITS.none,
        handle: (r) => this.message(r),
      },
    ];
  }

  localPath(path: string): string | undefined {
    return path.startsWith('/v2/') || path === '/getImage' ? path : undefined;
  }

  routes(): readonly Route[] {
    return this.table;
  }

  refusals(): Refusals {
    return TNL_REFUSALS;
  }

  authenticate(req: http.IncomingMessage, url: URL): AuthResult {
    const header = req.headers.authorization;
    const bearer = /^Bearer\s+(.+)$/i.exec(header ?? '')?.[1]?.trim();
    const query = url.searchParams.get('authToken') ?? undefined;
    if (bearer !== undefined && tokenMatches(bearer, this.settings.token)) return { ok: true, via: 'bearer' };
    if (query !== undefined && tokenMatches(query, this.settings.token)) return { ok: true, via: 'query' };
    const via = bearer !== undefined || query !== undefined || header !== undefined ? 'invalid' : 'none';
    return { ok: false, via, answer: fail(401, 'Unauthorized') };
  }

  /** GET forms carry the body fields as query parameters; a POST's JSON body wins over its query. */
  private params(request: ApiRequest): Record<string, unknown> {
    const params: Record<string, unknown> = {};
    for (const key of new Set(request.url.searchParams.keys())) {
      if (key === 'authToken') continue;
      const all = request.url.searchParams.getAll(key);
      params[key] = all.length > 1 ? all : all[0];
    }
    const { body } = request;
    if (body && typeof body === 'object' && !Array.isArray(body)) Object.assign(params, body);
    return params;
  }

  private newJob(endpoint: string, params: Record<string, unknown>): JobBase {
    const base: JobBase = { id: newId(), owner: 'tnl', endpoint, queueBeforeAccept: false };
    this.info.set(base.id, {
      ref: str(params.ref) ?? '',
      webhookUrl: str(params.webhookOverride) || undefined,
    });
    return base;
  }

  private banned(prompt: string): HttpAnswer | undefined {
    const word = findPrefilterWord(prompt, this.settings.prefilterWords());
    return word ? fail(400, `Invalid phrase: '${word}'`) : undefined;
  }

  private imagine(request: ApiRequest): HttpAnswer {
    const params = this.params(request);
    const msg = str(params.msg)?.trim();
    if (!msg) return fail(400, 'Missing msg');
    const refused = this.banned(msg);
    if (refused) return refused;
    // CANCEL is midjourney-proxy's; TNL has no such ending, so its flag means nothing here.
    const flags = { ...parsePromptFlags(msg), cancel: false };
    return accepted(this.engine.imagine(this.newJob('imagine', params), flags));
  }

  private async button(request: ApiRequest): Promise<HttpAnswer> {
    const params = this.params(request);
    const button = str(params.button);
    const buttonMessageId = str(params.buttonMessageId);
    if (!buttonMessageId) return fail(400, 'Invalid buttonMessageId');
    if (!button) return fail(400, 'Missing button');
    const prompt = str(params.prompt)?.trim();
    if (prompt) {
      const refused = this.banned(prompt);
      if (refused) return refused;
    }
    const parentId = this.pressable.get(buttonMessageId);
    const parent = parentId ? this.engine.get(parentId) : undefined;
    if (!parent?.picture) return fail(400, 'Invalid buttonMessageId');
    const action = actionOf(parent.picture.kind, button);
    // Only Vary (Region) reads a prompt and a mask; any other button acts on the picture alone.
    const mask = str(params.mask);
    const input =
      action?.kind === 'varyRegion'
        ? {
            ...(prompt ? { flags: { ...parsePromptFlags(prompt), cancel: false } } : {}),
            ...(mask ? { mask: maskBytes(mask) } : {}),
          }
        : {};
    return accepted(await this.engine.press(this.newJob('button', params), parent, action, input));
  }

  private describe(request: ApiRequest): HttpAnswer {
    const params = this.params(request);
    const url = str(params.url);
    if (!url) return fail(400, 'Missing url');
    return accepted(this.engine.describe(this.newJob('describe', params), url));
  }

  private blend(request: ApiRequest): HttpAnswer {
    const params = this.params(request);
    const raw = params.urls;
    const urls = (Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : [])
      .map((u) => str(u)?.trim() ?? '')
      .filter(Boolean);
    if (urls.length < 2 || urls.length > 5) return fail(400, 'urls must hold 2 to 5 image URLs');
    return accepted(this.engine.blend(this.newJob('blend', params), urls));
  }

  private accountInfo(): HttpAnswer {
    const running = this.engine
      .list()
      .filter((job) => job.owner === 'tnl' && job.endedMs === undefined).length;
    return json(200, {
      success: true,
      subscription: 'Sandbox (no credits used)',
      jobMode: 'Fast',
      visibilityMode: 'Public',
      fastTimeRemaining: '10/10 hours',
      lifetimeUsage: '0 images (0 hours)',
      relaxedUsage: '0 images (0 hours)',
      queuedJobsFast: '0',
      queuedJobsRelax: '0',
      runningJobs: String(running),
    });
  }

  private async getImage(request: ApiRequest): Promise<HttpAnswer> {
    const file = imageFileOf(str(this.params(request).imgUrl));
    const png = file ? this.images.png(file) : undefined;
    if (!png) return fail(404, 'Not found');
    return bytes(200, await png, 'image/png');
  }

  private message(request: ApiRequest): HttpAnswer {
    const job = this.engine.get(request.params.id ?? '');
    const info = job && job.owner === 'tnl' ? this.info.get(job.id) : undefined;
    if (!job || !info) return fail(404, 'Not found');
    const mins = Number(request.url.searchParams.get('expireMins') ?? 12);
    const expireMs = (Number.isFinite(mins) && mins > 0 ? mins : 12) * this.settings.minuteMs();
    return json(200, messageBody(job, info.result, expireMs, request.base));
  }

  private ended(job: EngineJob): void {
    const info = this.info.get(job.id);
    if (!info) return;
    let buttonMessageId: string | undefined;
    if (job.picture) {
      buttonMessageId = newId();
      this.pressable.set(buttonMessageId, job.id);
    }
    info.result = resultOf(job, info.ref, buttonMessageId);
    const target = info.webhookUrl || this.settings.webhookUrl();
    if (target) this.webhooks.send(target, withBase(info.result, this.settings.ownBase()));
  }
}

/** The file name of one of the sandbox's image URLs, whatever host it names. */
function imageFileOf(imgUrl: string | undefined): string | undefined {
  if (!imgUrl) return undefined;
  try {
    const m = /^\/images\/([A-Za-z0-9_.-]+\.png)$/.exec(new URL(imgUrl, 'http://sandbox').pathname);
    return m?.[1];
  } catch {
    return undefined;
  }
}
