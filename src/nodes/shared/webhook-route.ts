// The one HTTP route the API posts results to (TNL's webhookOverride, midjourney-proxy's
// notifyHook), on Node-RED's HTTP-in server: mounted once per runtime when the package loads, it
// hands each body to the live config node named in the path, after checking the secret beside it;
// the config's API reads it exactly as it reads a polled state. Unknown config and wrong secret answer the same 404, so the route
// tells a prober nothing; the secret is compared in constant time and never logged.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NodeAPI } from 'node-red';

/** Mounted under Node-RED's httpNodeRoot. */
export const WEBHOOK_ROUTE = '/nextleg/webhook/:configId/:secret';
/** Far above any result TNL sends (a few hundred bytes of URLs and text). */
export const MAX_WEBHOOK_BYTES = 1024 * 1024;

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

function answer(res: ServerResponse, status: number): void {
  res.statusCode = status;
  res.setHeader('content-type', 'text/plain; charset=utf-8');
  res.end(
    status === 200 ? 'OK' : status === 400 ? 'Bad Request' : status === 413 ? 'Too Large' : 'Not Found',
  );
}

/** The body as text; undefined when it is too large (the answer is then already sent). */
function readBody(req: RouteRequest, res: ServerResponse): Promise<string | undefined> {
  // An httpNodeMiddleware may have parsed it already.
  if (req._body || req.body !== undefined) {
    const body = req.body;
    return Promise.resolve(
      typeof body === 'string' ? body : Buffer.isBuffer(body) ? body.toString('utf8') : JSON.stringify(body),
    );
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_WEBHOOK_BYTES) {
        answer(res, 413);
        req.destroy();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
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
    req.resume();
    answer(res, 404);
    return;
  }
  const text = await readBody(req, res);
  if (text === undefined) return;
  const parsed = parseJson(text);
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
