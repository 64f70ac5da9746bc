// buildMask: the one entry of the mask builder. Picks the size (source image, then `size`, then
// width/height), draws the drawn mask or the regions + annotations, refuses an empty result, and
// encodes PNG (own grayscale encoder) or lossless WebP.

import { MaskError, describeValue } from './mask-error';
import { DEFAULT_MASK_SIDE, DEFAULT_THRESHOLD, MASK_LIMITS } from './mask-limits';
import type { BuildMaskInput, BuildMaskOptions, BuildMaskResult } from './mask-types';
import { readImageHeader, toImageBytes } from './image-input';
import { decodeImage, thresholdDrawnMask } from './drawn-mask';
import { parseShapes } from './mask-shapes';
import { rasterizeShapes, type MaskRaster } from './mask-raster';
import { encodeGrayPng } from './png-encode';
import { encodeWebp } from '../image/webp-codec';
import { createRowYielder, type RowYielder } from './row-yielder';
import { releaseRaster } from './raster-pool';

function side(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new MaskError(
      'MASK_BAD_SIZE',
      `${field} must be a whole number of pixels >= 1 (got ${describeValue(value)})`,
    );
  }
  if (value > MASK_LIMITS.maxSide) {
    throw new MaskError(
      'MASK_TOO_LARGE',
      `${field} is ${value}; a mask side is at most ${MASK_LIMITS.maxSide} pixels`,
    );
  }
  return value;
}

function given(value: unknown): boolean {
  return value !== undefined && value !== null;
}

function resolveSize(input: BuildMaskInput): { width: number; height: number } {
  if (given(input.sourceImage)) {
    const header = readImageHeader(toImageBytes(input.sourceImage, 'sourceImage'), 'sourceImage');
    if (header.width > MASK_LIMITS.maxSide || header.height > MASK_LIMITS.maxSide) {
      throw new MaskError(
        'MASK_TOO_LARGE',
        `sourceImage is ${header.width}x${header.height}; a mask side is at most ${MASK_LIMITS.maxSide} pixels`,
      );
    }
    return { width: header.width, height: header.height };
  }
  if (given(input.size)) {
    const size = input.size as unknown;
    if (typeof size !== 'object' || size === null || Array.isArray(size)) {
      throw new MaskError('MASK_BAD_SIZE', `size must be {width, height} (got ${describeValue(size)})`);
    }
    const { width, height } = size as { width?: unknown; height?: unknown };
    return { width: side(width, 'size.width'), height: side(height, 'size.height') };
  }
  return {
    width: side(input.width ?? DEFAULT_MASK_SIDE, 'width'),
    height: side(input.height ?? DEFAULT_MASK_SIDE, 'height'),
  };
}

function resolveOptions(input: BuildMaskInput): {
  format: 'png' | 'webp';
  invert: boolean;
  threshold: number;
} {
  const format = (input.format ?? 'png') as unknown;
  if (format !== 'png' && format !== 'webp') {
    throw new MaskError('MASK_BAD_OPTION', `format must be "png" or "webp" (got ${describeValue(format)})`);
  }
  const invert = (input.invert ?? false) as unknown;
  if (typeof invert !== 'boolean') {
    throw new MaskError('MASK_BAD_OPTION', `invert must be true or false (got ${describeValue(invert)})`);
  }
  const threshold = (input.threshold ?? DEFAULT_THRESHOLD) as unknown;
  if (typeof threshold !== 'number' || !(threshold >= 0 && threshold <= 255)) {
    throw new MaskError(
      'MASK_BAD_OPTION',
      `threshold must be a number from 0 to 255 (got ${describeValue(threshold)})`,
    );
  }
  return { format, invert, threshold };
}

/** Opaque RGBA for the WebP encoder: one 32-bit store per pixel, whole runs with fill(). */
async function toRgba(raster: MaskRaster, yielder: RowYielder): Promise<Buffer> {
  const { width, height, data } = raster;
  const rgba = Buffer.alloc(width * height * 4);
  const px = new Uint32Array(rgba.buffer, rgba.byteOffset, width * height);
  // Native-endian words for opaque black and white, whatever the platform's byte order.
  const words = new Uint32Array(new Uint8Array([0, 0, 0, 255, 255, 255, 255, 255]).buffer);
  const black = words[0] as number;
  const whiteWord = words[1] as number;
  px.fill(black);
  for (let y = 0; y < height; y++) {
    const pending = yielder.maybeYield(y);
    if (pending) await pending;
    const row = y * (width + 1) + 1;
    let x = 0;
    while (x < width) {
      if (data[row + x] === 0) {
        x++;
        continue;
      }
      const start = x;
      while (x < width && data[row + x] !== 0) x++;
      px.fill(whiteWord, y * width + start, y * width + x);
    }
  }
  return rgba;
}

async function build(input: BuildMaskInput, signal: AbortSignal | undefined): Promise<BuildMaskResult> {
  if (typeof input !== 'object' || input === null) {
    throw new MaskError('MASK_BAD_OPTION', `input must be an object (got ${describeValue(input)})`);
  }
  const yielder = createRowYielder(signal);
  yielder.throwIfAborted();
  const { format, invert, threshold } = resolveOptions(input);
  const { width, height } = resolveSize(input);

  let raster: MaskRaster | undefined;
  try {
    let source: string;
    if (given(input.maskImage)) {
      const bitmap = await decodeImage(toImageBytes(input.maskImage, 'maskImage'), 'maskImage');
      yielder.throwIfAborted();
      raster = await thresholdDrawnMask(bitmap, width, height, threshold, invert, yielder);
      source = 'maskImage';
    } else {
      const shapes = parseShapes(input.regions, input.annotations, { width, height });
      if (shapes.length === 0 && !invert) {
        throw new MaskError('MASK_EMPTY', 'nothing to repaint: give regions, annotations or a maskImage');
      }
      raster = await rasterizeShapes(shapes, width, height, invert, yielder);
      source = 'regions';
    }
    if (raster.white === 0) {
      throw new MaskError(
        'MASK_EMPTY',
        `nothing to repaint: the mask from ${source} is all black${invert ? ' after invert' : ''}`,
      );
    }
    const coverage = raster.white / (width * height);
    let buffer: Buffer;
    try {
      buffer =
        format === 'png'
          ? await encodeGrayPng(raster)
          : await encodeWebp(await toRgba(raster, yielder), width, height);
    } catch (err) {
      if (err instanceof MaskError) throw err;
      throw new MaskError('MASK_ENCODE_FAILED', `encoding the ${format} mask failed`);
    }
    yielder.throwIfAborted();
    return {
      mask: buffer.toString('base64'),
      buffer,
      info: { width, height, format, coverage, bytes: buffer.length },
    };
  } finally {
    // Only after the (async) encoder is done with it: a pending deflate still reads the raster.
    if (raster) releaseRaster(raster.data);
  }
}

/**
 * Builds the Vary (Region) mask: opaque, black background, white = repaint, as bare base64.
 * Every failure is a MaskError with a stable code; nothing else is thrown.
 */
export async function buildMask(
  input: BuildMaskInput,
  opts: BuildMaskOptions = {},
): Promise<BuildMaskResult> {
  try {
    return await build(input, opts.signal);
  } catch (err) {
    if (err instanceof MaskError) throw err;
    // A decoder or runtime fault on hostile input: keep the promise of one error type, and say so.
    throw new MaskError(
      'MASK_INTERNAL',
      `mask building failed unexpectedly: ${(err as Error)?.message ?? String(err)}`,
    );
  }
}
