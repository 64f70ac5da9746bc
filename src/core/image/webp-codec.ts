// WebP through the codec @jimp/wasm-webp wraps (@jsquash/webp, libwebp in WebAssembly). The wrapper
// itself cannot start in Node: it re-initialises the codec on every call, and the codec fetches its
// .wasm from a file: URL, which Node's fetch refuses (jimp issue #1366). So the same glue and .wasm
// files are located through @jimp/wasm-webp's own dependency, compiled once from disk and handed to
// the glue, which is the codec's documented way to run outside a browser.

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

interface WebpEncoderModule {
  encode(
    data: Uint8ClampedArray,
    width: number,
    height: number,
    options: Record<string, number>,
  ): Uint8Array | null;
}
interface WebpDecoderModule {
  decode(data: ArrayBuffer): { data: Uint8ClampedArray; width: number; height: number } | null;
}
type ModuleFactory<T> = (overrides: Record<string, unknown>) => Promise<T>;

function codecDir(): string {
  const fromJimp = createRequire(require.resolve('@jimp/wasm-webp/package.json'));
  return dirname(fromJimp.resolve('@jsquash/webp/package.json'));
}

async function instantiate<T>(glueFile: string, wasmFile: string): Promise<T> {
  const dir = codecDir();
  const glue = (await import(pathToFileURL(join(dir, glueFile)).href)) as { default: ModuleFactory<T> };
  const wasm = await WebAssembly.compile(await readFile(join(dir, wasmFile)));
  return glue.default({
    noInitialRun: true,
    instantiateWasm(imports: WebAssembly.Imports, done: (instance: WebAssembly.Instance) => void) {
      const instance = new WebAssembly.Instance(wasm, imports);
      done(instance);
      return instance.exports;
    },
  });
}

let encoder: Promise<WebpEncoderModule> | undefined;
let decoder: Promise<WebpDecoderModule> | undefined;
let encodeOptions: Promise<Record<string, number>> | undefined;

function loadEncoder(): Promise<WebpEncoderModule> {
  // The SIMD build is faster; an engine without WebAssembly SIMD fails to compile it, so fall back.
  encoder ??= instantiate<WebpEncoderModule>(
    'codec/enc/webp_enc_simd.js',
    'codec/enc/webp_enc_simd.wasm',
  ).catch(() => instantiate<WebpEncoderModule>('codec/enc/webp_enc.js', 'codec/enc/webp_enc.wasm'));
  encoder.catch(() => (encoder = undefined));
  return encoder;
}

function loadDecoder(): Promise<WebpDecoderModule> {
  decoder ??= instantiate<WebpDecoderModule>('codec/dec/webp_dec.js', 'codec/dec/webp_dec.wasm');
  decoder.catch(() => (decoder = undefined));
  return decoder;
}

function loadEncodeOptions(): Promise<Record<string, number>> {
  encodeOptions ??= import(pathToFileURL(join(codecDir(), 'meta.js')).href).then(
    (meta: { defaultOptions: Record<string, number> }) => ({
      ...meta.defaultOptions,
      // Lossless keeps the mask pure black/white; quality is effort in lossless mode, and 75 with
      // method 4 measured as fast as the lowest setting for masks while giving far smaller files.
      lossless: 1,
      quality: 75,
      method: 4,
      exact: 1,
    }),
  );
  encodeOptions.catch(() => (encodeOptions = undefined));
  return encodeOptions;
}

/** Lossless WebP of an RGBA bitmap. */
export async function encodeWebp(rgba: Buffer, width: number, height: number): Promise<Buffer> {
  const [module, options] = await Promise.all([loadEncoder(), loadEncodeOptions()]);
  const out = module.encode(
    new Uint8ClampedArray(rgba.buffer, rgba.byteOffset, rgba.length),
    width,
    height,
    options,
  );
  if (!out) throw new Error('WebP encoding failed');
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

/** RGBA bitmap of a WebP file. */
export async function decodeWebp(bytes: Buffer): Promise<{ data: Buffer; width: number; height: number }> {
  const module = await loadDecoder();
  let result: ReturnType<WebpDecoderModule['decode']>;
  try {
    const copy = new Uint8Array(bytes.length);
    copy.set(bytes);
    result = module.decode(copy.buffer);
  } catch (err) {
    // A WebAssembly trap can leave the instance unusable: start a fresh one next time.
    decoder = undefined;
    throw err;
  }
  if (!result) throw new Error('WebP decoding failed');
  const { data } = result;
  return {
    data: Buffer.from(data.buffer, data.byteOffset, data.byteLength),
    width: result.width,
    height: result.height,
  };
}
