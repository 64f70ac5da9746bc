// Shared plumbing for the sandbox tests: raw HTTP calls, polling to the end, masks and pixels.
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
  const method = opts.method ?? (body === undefined ? 'GET' : 'POST');
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
  return { status: res.status, headers: res.headers, json };
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
