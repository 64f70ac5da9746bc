// The one HTTP route the API posts results to (TNL's webhookOverride, midjourney-proxy's
// notifyHook), on Node-RED's HTTP-in server: mounted once per runtime when the package loads, it
// hands each body to the live config node named in the path, after checking the secret beside it;
// the config's API reads it exactly as it reads a polled state. Unknown config and wrong secret answer the same 404, so the route
// tells a prober nothing; the secret is compared in constant time and never logged.
//
// The route reads its own body, with its own limit, whatever else runs in front of it: with
// Node-RED's defaults the admin API and the HTTP-in server share the root `/`, so the admin API's
// body parsers (5 MB, JSON and forms) see every request first. Only JSON is taken, as both APIs
// post it (`Content-Type: application/json`); anything else is refused with 415 before it is read.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NodeAPI } from 'node-red';

/** Mounted under Node-RED's httpNodeRoot. */
export const WEBHOOK_ROUTE = '/nextleg/webhook/:configId/:secret';
/** Far above any result TNL sends (a few hundred bytes of URLs and text). */
export const MAX_WEBHOOK_BYTES = 1024 * 1024;

const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  400: 'Bad Request',
  404: 'Not Found',
  413: 'Too Large',
  415: 'Unsupported Media Type',
};

export interface WebhookReceiver {
  secret: string;
  /** Returns what became of the body, for the debug log; undefined when it is no result of the API. */
  receive(body: unknown): string | undefined;
}

type RouteRequest = IncomingMessage & { params?: Record<string, string>; body?: unknown; _body?: boolean };

const receivers = new Map<string, WebhookReceiver>();
const mounted = new WeakSet<object>();
/** Compared against when the config id is unknown, so both 404s take the same time. */
const DECOY = randomBytes(32).toString('base64url');

export function newWebhookSecret(): string {
  return randomBytes(24).toString('base64url');
}

/** Makes a live config node reachable; the returned function removes it (on close). */
export function registerWebhookReceiver(configId: string, receiver: WebhookReceiver): () => void {
  receivers.set(configId, receiver);
  return () => {
    if (receivers.get(configId) === receiver) receivers.delete(configId);
  };
}

/** The URL TNL must post to: the public base, Node-RED's httpNodeRoot, the route. */
export function webhookUrl(baseUrl: string, httpNodeRoot: unknown, configId: string, secret: string): string {
  const root = typeof httpNodeRoot === 'string' ? httpNodeRoot : '/';
  const path = `/${root}/nextleg/webhook/${encodeURIComponent(configId)}/${encodeURIComponent(secret)}`;
  return baseUrl.trim().replace(/\/+$/, '') + path.replace(/\/{2,}/g, '/');
}

function sameSecret(given: string, expected: string): boolean {
  // Digests have equal lengths, which timingSafeEqual needs, whatever the lengths of the secrets.
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * Answers, and for a refusal closes the connection: what the caller is still sending is not read
 * (a refused body may be any size), and nothing else can come on that connection.
 */
function answer(res: ServerResponse, status: number): void {
  if (res.headersSent) return;
  res.statusCode = status;
  res.setHeader('content-type', 'text/plain; charset=utf-8');
  if (status !== 200) res.setHeader('connection', 'close');
  res.end(STATUS_TEXT[status] ?? 'Error');
}

/** application/json or a +json type, any parameters (charset): what TNL and midjourney-proxy post. */
export function isJsonContentType(header: string | undefined): boolean {
  const type = header?.split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || /^application\/[\w.-]+\+json$/.test(type);
}

type BodyOutcome = { text: string } | { refused: 400 | 413 | 415 };

/** The body as text, or why it is refused; reads at most MAX_WEBHOOK_BYTES of it. */
function readBody(req: RouteRequest): Promise<BodyOutcome> {
  if (!isJsonContentType(req.headers['content-type'])) return Promise.resolve({ refused: 415 });
  const declared = Number(req.headers['content-length']);
  if (declared > MAX_WEBHOOK_BYTES) return Promise.resolve({ refused: 413 });
  if (req._body === true) {
    // A parser in front (the admin API's under a shared root, an httpNodeMiddleware) has read the
    // stream already, under its own limit. Its JSON, written out again, is about as long as the
    // body it came from, which is what a chunked body without a Content-Length is measured by.
    const body = req.body;
    const text =
      typeof body === 'string' ? body : Buffer.isBuffer(body) ? body.toString('utf8') : JSON.stringify(body);
    if (typeof text !== 'string') return Promise.resolve({ refused: 400 });
    if (Buffer.byteLength(text) > MAX_WEBHOOK_BYTES) return Promise.resolve({ refused: 413 });
    return Promise.resolve({ text });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (outcome: BodyOutcome): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      resolve(outcome);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > MAX_WEBHOOK_BYTES) {
        req.pause();
        finish({ refused: 413 });
      } else chunks.push(chunk);
    };
    const onEnd = (): void => finish({ text: Buffer.concat(chunks).toString('utf8') });
    const onError = (): void => finish({ refused: 400 });
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

/** The body as JSON; undefined when it is not JSON. */
function parseJson(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}

async function handle(RED: NodeAPI, req: RouteRequest, res: ServerResponse): Promise<void> {
  const configId = req.params?.configId ?? '';
  const secret = req.params?.secret ?? '';
  const receiver = receivers.get(configId);
  const ok = sameSecret(secret, receiver?.secret ?? DECOY);
  if (!receiver || !ok) {
    answer(res, 404);
    return;
  }
  const body = await readBody(req);
  if ('refused' in body) {
    answer(res, body.refused);
    return;
  }
  const parsed = parseJson(body.text);
  const outcome = parsed ? receiver.receive(parsed.value) : undefined;
  if (outcome === undefined) {
    answer(res, 400);
    return;
  }
  // Unknown ids and repeats are acknowledged too: the API has nothing better to do with a refusal.
  RED.log.debug(`nextleg webhook: ${outcome}`);
  answer(res, 200);
}

/** Adds the route to this runtime's HTTP-in server, once however many times the package loads. */
export function mountWebhookRoute(RED: NodeAPI): void {
  const app = RED.httpNode as unknown as
    { post(path: string, handler: (req: RouteRequest, res: ServerResponse) => void): void } | undefined;
  // httpNodeRoot: false turns the HTTP-in server off; webhooks then cannot work (the config warns).
  if (!app || typeof app.post !== 'function' || mounted.has(app)) return;
  mounted.add(app);
  app.post(WEBHOOK_ROUTE, (req, res) => {
    handle(RED, req, res).catch(() => {
      if (!res.headersSent) answer(res, 400);
    });
  });
}
