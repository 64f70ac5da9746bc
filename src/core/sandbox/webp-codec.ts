// WebP through @jimp/wasm-webp. Its emscripten glue loads the .wasm with fetch(file://...), which
// Node's fetch refuses; while the codec initialises, file: URLs are answered from disk instead.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

interface WebpCodec {
  decode(data: Buffer): Promise<{ data: Buffer | Uint8Array; width: number; height: number }>;
  encode(
    bitmap: { data: Buffer; width: number; height: number },
    options?: { lossless?: 0 | 1; quality?: number },
  ): Promise<Buffer>;
}

let codec: Promise<WebpCodec> | undefined;

function fileUrlOf(input: unknown): string | undefined {
  const url =
    typeof input === 'string' ? input : input instanceof URL ? input.href : (input as { url?: string })?.url;
  return typeof url === 'string' && url.startsWith('file:') ? url : undefined;
}

async function withFileFetch<T>(work: () => Promise<T>): Promise<T> {
  const original = globalThis.fetch;
  const patched = (async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    const fileUrl = fileUrlOf(input);
    if (!fileUrl) return original(input, init);
    const bytes = await readFile(fileURLToPath(fileUrl));
    return new Response(bytes, { headers: { 'content-type': 'application/wasm' } });
  }) as typeof fetch;
  globalThis.fetch = patched;
  try {
    return await work();
  } finally {
    if (globalThis.fetch === patched) globalThis.fetch = original;
  }
}

async function load(): Promise<WebpCodec> {
  const mod = (await import('@jimp/wasm-webp')) as unknown as { default: () => WebpCodec };
  const raw = mod.default();
  // Both wasm modules initialise lazily on first use: warm them up while the fetch shim is in place.
  await withFileFetch(async () => {
    const probe = await raw.encode({ data: Buffer.alloc(4, 255), width: 1, height: 1 }, { lossless: 1 });
    await raw.decode(probe);
  });
  return raw;
}

export function webpCodec(): Promise<WebpCodec> {
  codec ??= load().catch((err: unknown) => {
    codec = undefined;
    throw err;
  });
  return codec;
}

export async function decodeWebp(data: Buffer): Promise<{ data: Buffer; width: number; height: number }> {
  const out = await (await webpCodec()).decode(data);
  return { data: Buffer.from(out.data.buffer, out.data.byteOffset, out.data.byteLength), width: out.width, height: out.height };
}

export async function encodeWebp(bitmap: { data: Buffer; width: number; height: number }): Promise<Buffer> {
  return (await webpCodec()).encode(bitmap, { lossless: 1 });
}
