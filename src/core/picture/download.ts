// A picture downloaded inside a picture worker, for a preview: the bytes never touch the event loop
// that runs the flows, and a download larger than the cap stops as soon as it passes it. Only plain
// addresses are fetched here, without any token: a picture that needs the account's credentials
// (TheNextLeg's /getImage) is fetched by the account on the main thread instead.
import { PICTURE_LIMITS } from './limits';
import { PictureError, tooLarge } from './picture-error';

function unavailable(message: string): PictureError {
  return new PictureError('unavailable', message, 'image');
}

export async function downloadPicture(url: string, maxBytes: number): Promise<Buffer> {
  const target = new URL(url);
  if (target.protocol !== 'http:' && target.protocol !== 'https:')
    throw unavailable('the picture URL must be http(s)');
  let res: Response;
  try {
    res = await fetch(target, {
      headers: { accept: 'image/*' },
      signal: AbortSignal.timeout(PICTURE_LIMITS.taskTimeoutMs),
    });
  } catch {
    throw unavailable(`${target.origin}${target.pathname} did not answer`);
  }
  const where = `${target.origin}${target.pathname}`;
  if (!res.ok || !res.body) {
    await res.body?.cancel();
    throw unavailable(`${where} answered HTTP ${res.status}`);
  }
  const declared = Number(res.headers.get('content-length'));
  if (Number.isSafeInteger(declared) && declared > maxBytes) {
    await res.body.cancel();
    throw tooLarge(`the picture is ${declared} bytes; the limit is ${maxBytes} bytes`);
  }
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      size += next.value.byteLength;
      if (size > maxBytes) throw tooLarge(`the picture is over ${maxBytes} bytes, the limit`);
      chunks.push(next.value);
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks, size);
}
