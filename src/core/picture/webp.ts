// WebP through jSquash (libwebp compiled to WebAssembly), by its public entry points: the decode and
// encode modules, each with the `init(wasmModule)` its README gives for hosts where the glue cannot
// fetch its own .wasm (Node's fetch refuses file: URLs). The .wasm files are the ones the package
// documents in its codec directory; each is compiled once and instantiated per init.
//
// One recovery rule for both directions: a call that throws (a WebAssembly trap can leave the
// instance unusable) drops the instance, and the next call starts a fresh one from the compiled
// module. Loaded on first use, normally inside a picture worker.

import { readFile } from 'node:fs/promises';

/** What this file uses of jSquash's decode entry (its default export, as its README documents it). */
interface DecodeModule {
  default(data: ArrayBuffer): Promise<{ data: Uint8ClampedArray; width: number; height: number }>;
}
/** What this file uses of jSquash's encode entry. */
interface EncodeModule {
  default(
    image: { data: Uint8ClampedArray; width: number; height: number; colorSpace: 'srgb' },
    options: Record<string, number>,
  ): Promise<ArrayBuffer>;
}
/** `init(wasmModule)`, as the package's README documents it (its typings list only the options form). */
type InitWithModule = (wasm: WebAssembly.Module) => Promise<unknown>;

export interface RgbaBitmap {
  data: Buffer;
  width: number;
  height: number;
}

interface Codec<M> {
  /** Compiles the codec's .wasm; once per thread: compiling is the slow part, instantiating is cheap. */
  compile: () => Promise<WebAssembly.Module>;
  /** Imports the codec's entry module. */
  entry: () => Promise<M & { init: unknown }>;
  wasm?: Promise<WebAssembly.Module>;
  /** The initialised entry module; dropped after a failure. */
  ready?: Promise<M>;
}

async function compile(file: string): Promise<WebAssembly.Module> {
  return WebAssembly.compile(await readFile(require.resolve(`@jsquash/webp/codec/${file}`)));
}

const decoder: Codec<DecodeModule> = {
  compile: () => compile('dec/webp_dec.wasm'),
  entry: () => import('@jsquash/webp/decode.js'),
};
const encoder: Codec<EncodeModule> = {
  // The encoder's init picks its SIMD build when the engine has WebAssembly SIMD; the module handed
  // to it must be that build. An engine without SIMD cannot compile it, which is the same test.
  compile: () => compile('enc/webp_enc_simd.wasm').catch(() => compile('enc/webp_enc.wasm')),
  entry: () => import('@jsquash/webp/encode.js') as Promise<EncodeModule & { init: unknown }>,
};

async function start<M>(codec: Codec<M>): Promise<M> {
  codec.wasm ??= codec.compile();
  const wasm = await codec.wasm.catch((err: unknown) => {
    codec.wasm = undefined;
    throw err;
  });
  const module = await codec.entry();
  await (module.init as InitWithModule)(wasm);
  return module;
}

async function use<M, T>(codec: Codec<M>, work: (module: M) => Promise<T>): Promise<T> {
  codec.ready ??= start(codec);
  try {
    return await work(await codec.ready);
  } catch (err) {
    codec.ready = undefined;
    throw err;
  }
}

/** RGBA pixels of a WebP file. */
export function decodeWebp(bytes: Uint8Array): Promise<RgbaBitmap> {
  return use(decoder, async (module) => {
    // The decoder wants an ArrayBuffer of exactly the file.
    const copy = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const image = await module.default(copy);
    const { data } = image;
    return {
      data: Buffer.from(data.buffer, data.byteOffset, data.byteLength),
      width: image.width,
      height: image.height,
    };
  });
}

/**
 * Lossless WebP of an RGBA bitmap. Lossless keeps a mask pure black and white; in lossless mode
 * quality is effort, and 75 with method 4 measured as fast as the lowest setting for masks while
 * giving far smaller files.
 */
export function encodeWebp(rgba: Uint8Array, width: number, height: number): Promise<Buffer> {
  return use(encoder, async (module) => {
    const data = new Uint8ClampedArray(rgba.buffer as ArrayBuffer, rgba.byteOffset, width * height * 4);
    const out = await module.default(
      { data, width, height, colorSpace: 'srgb' },
      { lossless: 1, quality: 75, method: 4, exact: 1 },
    );
    return Buffer.from(out);
  });
}
