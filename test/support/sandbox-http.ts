// Shared plumbing for the sandbox tests: raw HTTP calls on both APIs, polling to the end, masks,
// pictures, a webhook receiver and bomb pictures.
import http from 'node:http';
import { deflateSync } from 'node:zlib';
import { Jimp } from 'jimp';
import type { Sandbox } from '../../src/core/sandbox/server';
import { encodeWebp } from '../../src/core/picture/webp';

/** JSON off the wire: the tests assert its shape field by field. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Loose = any;
export type Picture = Awaited<ReturnType<typeof Jimp.fromBuffer>>;

export interface Answer {
  status: number;
  headers: Headers;
  json: Loose;
}

export async function call(
  sb: Sandbox,
  path: string,
  body?: unknown,
  opts: { method?: string; auth?: 'bearer' | 'query' | 'none' | 'wrong' } = {},
): Promise<Answer> {
  const auth = opts.auth ?? 'bearer';
  const url = new URL(sb.url + path);
  const headers: Record<string, string> = {};
  if (auth === 'bearer') headers.authorization = `Bearer ${sb.token}`;
  if (auth === 'wrong') headers.authorization = 'Bearer not-the-token';
  if (auth === 'query') url.searchParams.set('authToken', sb.token);
  return send(url, opts.method ?? (body === undefined ? 'GET' : 'POST'), headers, body);
}

/** One JSON request; the answer's body parsed when it is JSON, else kept as text. */
async function send(
  url: URL | string,
  method: string,
  headers: Record<string, string>,
  body: unknown,
): Promise<Answer & { text: string }> {
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, {
    method,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, headers: res.headers, json, text };
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls a job until it ends; returns every body seen, the last one final. */
export async function pollToEnd(
  sb: Sandbox,
  messageId: string,
  opts: { expireMins?: number; everyMs?: number; maxPolls?: number } = {},
): Promise<Loose[]> {
  const seen: Loose[] = [];
  const query = opts.expireMins !== undefined ? `?expireMins=${opts.expireMins}` : '';
  for (let i = 0; i < (opts.maxPolls ?? 400); i++) {
    const { status, json } = await call(sb, `/v2/message/${messageId}${query}`);
    if (status !== 200) throw new Error(`message answered ${status}`);
    seen.push(json);
    if (json.progress === 100 || json.progress === 'incomplete') return seen;
    await pause(opts.everyMs ?? 3);
  }
  throw new Error('job did not end');
}

export async function finalResult(sb: Sandbox, messageId: string): Promise<Loose> {
  const seen = await pollToEnd(sb, messageId);
  return seen[seen.length - 1].response;
}

export async function imagine(sb: Sandbox, msg: string, extra: Record<string, unknown> = {}): Promise<Loose> {
  const ack = await call(sb, '/v2/imagine', { msg, ...extra });
  if (ack.status !== 200) throw new Error(`imagine answered ${ack.status}`);
  return finalResult(sb, ack.json.messageId);
}

export async function press(
  sb: Sandbox,
  buttonMessageId: string,
  button: string,
  extra: Record<string, unknown> = {},
): Promise<Loose> {
  const ack = await call(sb, '/v2/button', { button, buttonMessageId, ...extra });
  if (ack.status !== 200) throw new Error(`button answered ${ack.status}: ${JSON.stringify(ack.json)}`);
  return finalResult(sb, ack.json.messageId);
}

/** A mask drawn pixel by pixel: white where `inside` says so, black elsewhere. */
export async function mask(
  width: number,
  height: number,
  inside: (x: number, y: number) => boolean,
  format: 'png' | 'webp' | 'jpeg' = 'png',
): Promise<string> {
  const image = new Jimp({ width, height, color: 0x000000ff });
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) if (inside(x, y)) image.setPixelColor(0xffffffff, x, y);
  const bytes =
    format === 'webp'
      ? await encodeWebp(image.bitmap.data, image.bitmap.width, image.bitmap.height)
      : await image.getBuffer(format === 'png' ? 'image/png' : 'image/jpeg');
  return bytes.toString('base64');
}

export async function fetchImage(url: string): Promise<Picture> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`image answered ${res.status}`);
  return Jimp.fromBuffer(Buffer.from(await res.arrayBuffer()));
}

/** The RGBA bytes of a rectangle of an image. */
export function region(image: Picture, x0: number, y0: number, w: number, h: number): Buffer {
  const out = Buffer.alloc(w * h * 4);
  for (let y = 0; y < h; y++) {
    image.bitmap.data.copy(
      out,
      y * w * 4,
      ((y0 + y) * image.bitmap.width + x0) * 4,
      ((y0 + y) * image.bitmap.width + x0 + w) * 4,
    );
  }
  return out;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/**
 * A valid-looking PNG of a few dozen bytes whose header declares `width` x `height` pixels: a
 * decoder that trusts the header allocates the whole bitmap (30000² is 3.6 GB of RGBA).
 */
export function bombPng(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  const idat = deflateSync(Buffer.alloc(16));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', idat),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** midjourney-proxy's ways to send the token. */
export type MjAuth = 'mj-api-secret' | 'authorization' | 'bearer' | 'none' | Record<string, string>;

export async function mjCall(
  sb: Sandbox,
  path: string,
  body?: unknown,
  auth: MjAuth = 'mj-api-secret',
): Promise<Answer & { text: string }> {
  const headers: Record<string, string> =
    auth === 'mj-api-secret'
      ? { 'mj-api-secret': sb.token }
      : auth === 'authorization'
        ? { authorization: sb.token }
        : auth === 'bearer'
          ? { authorization: `Bearer sk-${sb.token}` }
          : auth === 'none'
            ? {}
            : auth;
  return send(sb.url + path, body === undefined ? 'GET' : 'POST', headers, body);
}

const MJ_FINAL = new Set(['SUCCESS', 'FAILURE', 'CANCEL']);

/** Fetches a task until its status is final (or one of `until`); returns every task object seen. */
export async function mjPoll(
  sb: Sandbox,
  id: string,
  opts: { until?: string[]; auth?: MjAuth; maxPolls?: number } = {},
): Promise<Loose[]> {
  const seen: Loose[] = [];
  const stop = new Set(opts.until ?? MJ_FINAL);
  for (let i = 0; i < (opts.maxPolls ?? 2000); i++) {
    const { status, json } = await mjCall(sb, `/mj/task/${id}/fetch`, undefined, opts.auth);
    if (status !== 200) throw new Error(`fetch answered ${status}`);
    seen.push(json);
    if (stop.has(json.status)) return seen;
    await pause(2);
  }
  throw new Error(`task ${id} did not end`);
}

export async function mjFinal(sb: Sandbox, id: string, auth?: MjAuth): Promise<Loose> {
  const seen = await mjPoll(sb, id, auth ? { auth } : {});
  return seen[seen.length - 1];
}

/** Submits an imagine and waits for its task to end. */
export async function mjImagine(
  sb: Sandbox,
  prompt: string,
  extra: Record<string, unknown> = {},
): Promise<Loose> {
  const ack = await mjCall(sb, '/mj/submit/imagine', { prompt, ...extra });
  if (ack.status !== 200 || ![1, 22].includes(ack.json.code)) {
    throw new Error(`imagine answered ${ack.status} ${ack.text}`);
  }
  return mjFinal(sb, ack.json.result);
}

/** The customId of a task's button, by label or emoji. */
export function customIdOf(task: Loose, name: string): string {
  const button = task.buttons.find((b: Loose) => b.label === name || (b.label === '' && b.emoji === name));
  if (!button) throw new Error(`no button ${name} among ${JSON.stringify(task.buttons)}`);
  return button.customId;
}

/** Presses a button and waits for the task it makes to end. */
export async function mjPress(sb: Sandbox, task: Loose, name: string): Promise<Loose> {
  const ack = await mjCall(sb, '/mj/submit/action', { taskId: task.id, customId: customIdOf(task, name) });
  if (ack.status !== 200 || ack.json.code !== 1) throw new Error(`action answered ${ack.status} ${ack.text}`);
  return mjFinal(sb, ack.json.result);
}

/** A local receiver for webhook posts (TNL results, midjourney-proxy tasks). */
export async function hookReceiver(): Promise<{
  url: string;
  posts: Array<{ path: string; body: Loose }>;
  /** Waits until `count` posts arrived, or one for which `until` is true. */
  waitFor(
    count: number | ((post: { path: string; body: Loose }) => boolean),
    timeoutMs?: number,
  ): Promise<void>;
  close(): Promise<void>;
}> {
  const posts: Array<{ path: string; body: Loose }> = [];
  let wake: (() => void) | undefined;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      posts.push({ path: req.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res.end('ok');
      wake?.();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    posts,
    async waitFor(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      const done = (): boolean => (typeof count === 'number' ? posts.length >= count : posts.some(count));
      while (!done() && Date.now() < deadline) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 20);
        });
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
