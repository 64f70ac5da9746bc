// A local TheNextLeg-compatible HTTP server (node:http only, as it ships in the package's runtime):
// the fixture for every test, the demo's default and a way to build flows without credits.
import http from 'node:http';
import type { Socket } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { isoNow } from './ids';
import { ImageStore } from './images';
import { JobStore, withBase, type SandboxResult, type SubmitCommon } from './jobs';
import { FaultInjector, type EndpointClass, type Fault } from './faults';
import { DEFAULTS, type ConfigurablePatch, type SandboxOptions } from './options';
import { findPrefilterWord, parsePromptFlags } from './prompt-flags';
import { retryAfterSeconds, SlidingWindow } from './rate-limit';
import { RequestLog, scrubBody, scrubQuery, type SandboxRequestLogEntry } from './request-log';
import { WebhookSender } from './webhook';

export type { FaultOptions, RateLimitOptions, SandboxOptions } from './options';
export type { SandboxRequestLogEntry } from './request-log';
export type { SandboxResult, SandboxMessageBody, SandboxJobSummary } from './jobs';

export interface Sandbox {
  /** 'http://127.0.0.1:<port>' */
  url: string;
  port: number;
  token: string;
  /** A copy of the request log. */
  requests(): SandboxRequestLogEntry[];
  clearRequests(): void;
  configure(patch: ConfigurablePatch): void;
  /** Stops timers, destroys open sockets (hung ones too) and frees the port. */
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 30 * 1024 * 1024;
const SUBMITS = new Set(['/v2/imagine', '/v2/button', '/v2/describe', '/v2/blend']);

class HttpAnswer {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {}
}

const fail = (status: number, msg: string, headers?: Record<string, string>): HttpAnswer =>
  new HttpAnswer(status, { success: false, msg }, headers);

function tokenMatches(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  // timingSafeEqual needs equal lengths; comparing b with itself keeps the timing independent of `given`.
  return a.length === b.length ? timingSafeEqual(a, b) : (timingSafeEqual(b, b), false);
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function str(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function endpointClass(path: string): EndpointClass {
  if (path.startsWith('/v2/message/')) return 'message';
  return SUBMITS.has(path) ? 'submit' : 'other';
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const token = options.token ?? DEFAULTS.token;
  const settings = {
    stepMs: options.stepMs ?? DEFAULTS.stepMs,
    minuteMs: options.minuteMs ?? DEFAULTS.minuteMs,
    prefilterWords: options.prefilterWords ?? [...DEFAULTS.prefilterWords],
    webhookUrl: options.webhookUrl,
    rateLimit: options.rateLimit ?? false,
    refuseDirectImages: options.refuseDirectImages ?? false,
  };
  const imageSize = Math.max(16, Math.round(options.imageSize ?? DEFAULTS.imageSize));
  const log = new RequestLog();
  const images = new ImageStore();
  const webhooks = new WebhookSender();
  const faults = new FaultInjector(options.faults);
  const submitWindow = new SlidingWindow(DEFAULTS.submitPerWindow, DEFAULTS.submitWindowMs);
  const messageWindow = new SlidingWindow(DEFAULTS.messagePerSecond, 1000);
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let baseUrl = '';

  const applyRateLimit = (): void => {
    const rl = settings.rateLimit || {};
    submitWindow.reset(
      rl.submitPerWindow ?? DEFAULTS.submitPerWindow,
      rl.submitWindowMs ?? DEFAULTS.submitWindowMs,
    );
    messageWindow.reset(rl.messagePerSecond ?? DEFAULTS.messagePerSecond, 1000);
  };
  applyRateLimit();

  const jobs = new JobStore({
    images,
    imageSize: () => imageSize,
    stepMs: () => settings.stepMs,
    onFinish: (result: SandboxResult, webhookUrl) => {
      const target = webhookUrl || settings.webhookUrl;
      if (target) webhooks.send(target, withBase(result, baseUrl));
    },
  });

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  /** Where image URLs point: the host the client used, so a sandbox reached by another name still works. */
  const baseFor = (req: http.IncomingMessage): string => {
    const host = req.headers.host;
    return host && /^[A-Za-z0-9.\-:[\]]+$/.test(host) ? `http://${host}` : baseUrl;
  };

  function common(params: Record<string, unknown>): SubmitCommon {
    return { ref: str(params.ref) ?? '', webhookUrl: str(params.webhookOverride) || undefined };
  }

  async function api(
    path: string,
    params: Record<string, unknown>,
    req: http.IncomingMessage,
  ): Promise<HttpAnswer> {
    switch (path) {
      case '/v2/imagine': {
        const msg = str(params.msg)?.trim();
        if (!msg) return fail(400, 'Missing msg');
        const banned = findPrefilterWord(msg, settings.prefilterWords);
        if (banned) return fail(400, `Invalid phrase: '${banned}'`);
        return new HttpAnswer(200, { success: true, ...jobs.imagine(parsePromptFlags(msg), common(params)) });
      }
      case '/v2/button': {
        const button = str(params.button);
        const buttonMessageId = str(params.buttonMessageId);
        if (!buttonMessageId) return fail(400, 'Invalid buttonMessageId');
        if (!button) return fail(400, 'Missing button');
        const prompt = str(params.prompt)?.trim();
        if (prompt) {
          const banned = findPrefilterWord(prompt, settings.prefilterWords);
          if (banned) return fail(400, `Invalid phrase: '${banned}'`);
        }
        const press = {
          button,
          buttonMessageId,
          ...(prompt ? { prompt, flags: parsePromptFlags(prompt) } : {}),
        };
        const mask = str(params.mask);
        const ack = await jobs.button(mask ? { ...press, mask } : press, common(params));
        if ('refused' in ack) return fail(400, ack.refused);
        return new HttpAnswer(200, { success: true, ...ack });
      }
      case '/v2/describe': {
        const url = str(params.url);
        if (!url) return fail(400, 'Missing url');
        return new HttpAnswer(200, { success: true, ...jobs.describe(url, common(params)) });
      }
      case '/v2/blend': {
        const raw = params.urls;
        const urls = (Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : [])
          .map((u) => str(u)?.trim() ?? '')
          .filter(Boolean);
        if (urls.length < 2 || urls.length > 5) return fail(400, 'urls must hold 2 to 5 image URLs');
        return new HttpAnswer(200, { success: true, ...jobs.blend(urls, common(params)) });
      }
      case '/v2/info':
        return new HttpAnswer(200, {
          success: true,
          subscription: 'Sandbox (no credits used)',
          jobMode: 'Fast',
          visibilityMode: 'Public',
          fastTimeRemaining: '10/10 hours',
          lifetimeUsage: '0 images (0 hours)',
          relaxedUsage: '0 images (0 hours)',
          queuedJobsFast: '0',
          queuedJobsRelax: '0',
          runningJobs: String(jobs.pendingCount()),
        });
      case '/getImage': {
        const file = imageFileOf(str(params.imgUrl));
        const png = file ? images.png(file) : undefined;
        if (!png) return fail(404, 'Not found');
        return new HttpAnswer(200, await png, { 'content-type': 'image/png' });
      }
    }
    if (path.startsWith('/v2/message/')) {
      const id = decodeURIComponent(path.slice('/v2/message/'.length));
      const mins = Number(str(params.expireMins) ?? 12);
      const expireMs = (Number.isFinite(mins) && mins > 0 ? mins : 12) * settings.minuteMs;
      const body = jobs.message(id, expireMs, baseFor(req));
      return body ? new HttpAnswer(200, body) : fail(404, 'Not found');
    }
    return fail(404, 'Not found');
  }

  function imageFileOf(imgUrl: string | undefined): string | undefined {
    if (!imgUrl) return undefined;
    try {
      const m = /^\/images\/([A-Za-z0-9_.-]+\.png)$/.exec(new URL(imgUrl, 'http://sandbox').pathname);
      return m?.[1];
    } catch {
      return undefined;
    }
  }

  const API_PATHS = new Set([...SUBMITS, '/v2/info', '/getImage']);

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim();
    const queryToken = url.searchParams.get('authToken') ?? undefined;
    const auth: SandboxRequestLogEntry['auth'] =
      bearer !== undefined && tokenMatches(bearer, token)
        ? 'bearer'
        : queryToken !== undefined && tokenMatches(queryToken, token)
          ? 'query'
          : bearer !== undefined || queryToken !== undefined || req.headers.authorization !== undefined
            ? 'invalid'
            : 'none';
    const entry = log.add({
      time: isoNow(),
      method,
      path,
      query: scrubQuery(url.searchParams),
      auth,
      status: 0,
    });

    const send = (answer: HttpAnswer): void => {
      entry.status = answer.status;
      if (res.writableEnded || res.destroyed) return;
      const isBytes = Buffer.isBuffer(answer.body);
      const payload = isBytes ? answer.body : Buffer.from(JSON.stringify(answer.body));
      res.writeHead(answer.status, {
        'content-type': isBytes ? 'application/octet-stream' : 'application/json; charset=utf-8',
        'content-length': payload.length,
        ...answer.headers,
      });
      res.end(method === 'HEAD' ? undefined : payload);
    };
    const drop = (): void => {
      entry.status = 0;
      req.socket.destroy();
    };
    const applyFault = (fault: Fault): boolean => {
      if (!fault) return false;
      if (fault.kind === 'hang') entry.status = 0;
      else if (fault.kind === 'drop') drop();
      else send(fail(fault.status, fault.status === 500 ? 'Internal Server Error' : 'Bad Gateway'));
      return true;
    };

    // The sandbox's own pages: no auth, no faults, never a token in them.
    if (path === '/_sandbox/requests' && method === 'GET') return send(new HttpAnswer(200, log.list()));
    if (path === '/_sandbox/jobs' && method === 'GET') return send(new HttpAnswer(200, jobs.summaries()));
    if (path.startsWith('/images/') && (method === 'GET' || method === 'HEAD')) {
      if (settings.refuseDirectImages) return send(fail(403, 'Forbidden'));
      const png = images.png(decodeURIComponent(path.slice('/images/'.length)));
      if (!png) return send(fail(404, 'Not found'));
      return send(
        new HttpAnswer(200, await png, {
          'content-type': 'image/png',
          'cache-control': 'public, max-age=86400',
        }),
      );
    }

    const isMessage = path.startsWith('/v2/message/') && path.length > '/v2/message/'.length;
    const postable = API_PATHS.has(path);
    if (!(isMessage && method === 'GET') && !(postable && (method === 'GET' || method === 'POST'))) {
      return send(fail(404, 'Not found'));
    }

    let body: unknown;
    if (method === 'POST') {
      let raw: Buffer;
      try {
        raw = await readBody(req);
      } catch {
        return send(fail(413, 'Request body too large'));
      }
      if (raw.length) {
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch {
          return send(fail(400, 'Invalid JSON'));
        }
        entry.body = scrubBody(body);
      }
    }

    const endpoint = endpointClass(path);
    if (applyFault(faults.before(endpoint))) return;
    const latency = faults.latencyMs(endpoint);
    if (latency > 0) await sleep(latency);
    if (closing) return drop();

    if (auth !== 'bearer' && auth !== 'query') return send(fail(401, 'Unauthorized'));

    if (settings.rateLimit && endpoint !== 'other') {
      const wait = (endpoint === 'submit' ? submitWindow : messageWindow).take();
      if (wait > 0)
        return send(fail(429, 'Too many requests', { 'retry-after': String(retryAfterSeconds(wait)) }));
    }

    // GET forms carry the body fields as query parameters; a POST's JSON body wins over its query.
    const params: Record<string, unknown> = {};
    for (const key of new Set(url.searchParams.keys())) {
      if (key === 'authToken') continue;
      const all = url.searchParams.getAll(key);
      params[key] = all.length > 1 ? all : all[0];
    }
    if (body && typeof body === 'object' && !Array.isArray(body)) Object.assign(params, body);

    const answer = await api(path, params, req);
    if (answer.status === 200 && applyFault(faults.afterAccept(endpoint))) return;
    send(answer);
  }

  let closing = false;
  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ success: false, msg: 'Internal Server Error' }));
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const host = options.host ?? DEFAULTS.host;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEFAULTS.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  baseUrl = `http://${urlHost}:${port}`;

  let closed: Promise<void> | undefined;
  return {
    url: baseUrl,
    port,
    token,
    requests: () => log.list(),
    clearRequests: () => log.clear(),
    configure(patch: ConfigurablePatch): void {
      if (patch.stepMs !== undefined) settings.stepMs = patch.stepMs;
      if (patch.minuteMs !== undefined) settings.minuteMs = patch.minuteMs;
      if (patch.prefilterWords !== undefined) settings.prefilterWords = [...patch.prefilterWords];
      if ('webhookUrl' in patch) settings.webhookUrl = patch.webhookUrl;
      if (patch.refuseDirectImages !== undefined) settings.refuseDirectImages = patch.refuseDirectImages;
      if ('faults' in patch) faults.configure(patch.faults);
      if ('rateLimit' in patch) {
        settings.rateLimit = patch.rateLimit ?? false;
        applyRateLimit();
      }
    },
    close(): Promise<void> {
      closed ??= new Promise<void>((resolve) => {
        closing = true;
        jobs.close();
        webhooks.close();
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        images.clear();
      });
      return closed;
    },
  };
}
