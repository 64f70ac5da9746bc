// buildMask: the one entry of the mask builder. Picks the size (source image, then `size`, then
// `imageSize`, then width/height), draws the drawn mask or the regions + annotations, refuses an
// empty result, and encodes PNG (own grayscale encoder) or lossless WebP.
//
// Where the work runs: shapes are drawn here, on the caller's event loop, in slices of a few
// milliseconds (cheap, and no copy to another thread); decoding a drawn mask and encoding WebP run in
// a picture worker (../picture/pool.ts), where a hostile file costs a worker, not the process.

import { MaskError, describeValue, type MaskErrorCode } from './mask-error';
import { DEFAULT_MASK_SIDE, DEFAULT_THRESHOLD, MASK_LIMITS } from './mask-limits';
import type { BuildMaskInput, BuildMaskOptions, BuildMaskResult, MaskSizeSource } from './mask-types';
import { eachShape, type Shape } from './mask-shapes';
import { rasterizeShapes, type MaskRaster } from './mask-raster';
import { encodeGrayPng } from './png-encode';
import { createWorkYielder, type WorkYielder } from './work-yielder';
import { releaseRaster } from './raster-pool';
import type { DrawnMaskTask, EncodedMask, WebpMaskTask } from './mask-worker';
import { toPictureBytes } from '../picture/bytes';
import { readDeclaredSize } from '../picture/header';
import { isPictureError } from '../picture/picture-error';
import { runPictureTask, workerModule } from '../picture/pool';
import { pictureToSend } from '../picture/task-protocol';

/**
 * The shapes of all regions and annotations: checking a thousand polygons of a thousand points is
 * itself work for the event loop, so it yields between shapes.
 */
async function parseShapes(
  regions: unknown,
  annotations: unknown,
  size: { width: number; height: number },
  yielder: WorkYielder,
): Promise<Shape[]> {
  const shapes: Shape[] = [];
  for (const shape of eachShape(regions, annotations, size)) {
    shapes.push(shape);
    const pending = yielder.maybeYield(shape.size);
    if (pending) await pending;
  }
  return shapes;
}

const WORKER = workerModule(__dirname, 'mask-worker');

interface Size {
  width: number;
  height: number;
  sizeFrom: MaskSizeSource;
}

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

function sizeObject(value: unknown, field: string, sizeFrom: MaskSizeSource): Size {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MaskError('MASK_BAD_SIZE', `${field} must be {width, height} (got ${describeValue(value)})`);
  }
  const { width, height } = value as { width?: unknown; height?: unknown };
  return { width: side(width, `${field}.width`), height: side(height, `${field}.height`), sizeFrom };
}

function resolveSize(input: BuildMaskInput): Size {
  if (given(input.sourceImage)) {
    const opts = { field: 'sourceImage', subject: 'mask' as const };
    // Only the header is read: the picture itself is never decoded for its size.
    const header = readDeclaredSize(toPictureBytes(input.sourceImage, opts), opts);
    if (header.width > MASK_LIMITS.maxSide || header.height > MASK_LIMITS.maxSide) {
      throw new MaskError(
        'MASK_TOO_LARGE',
        `sourceImage is ${header.width}x${header.height}; a mask side is at most ${MASK_LIMITS.maxSide} pixels`,
      );
    }
    return { width: header.width, height: header.height, sizeFrom: 'image' };
  }
  if (given(input.size)) return sizeObject(input.size, 'size', 'maskSize');
  if (given(input.imageSize)) return sizeObject(input.imageSize, 'imageSize', 'imageSize');
  return {
    width: side(input.width ?? DEFAULT_MASK_SIDE, 'width'),
    height: side(input.height ?? DEFAULT_MASK_SIDE, 'height'),
    sizeFrom: 'node',
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

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A drawn mask: decoded, thresholded and encoded in a picture worker. */
async function fromDrawnMask(
  input: BuildMaskInput,
  size: Size,
  options: ReturnType<typeof resolveOptions>,
  signal: AbortSignal | undefined,
): Promise<EncodedMask> {
  // Oversized bytes are refused here, before they are copied to a worker.
  if (input.maskImage instanceof Uint8Array && input.maskImage.byteLength > MASK_LIMITS.maxInputBytes) {
    throw new MaskError(
      'MASK_TOO_LARGE',
      `maskImage is ${input.maskImage.byteLength} bytes; the limit is ${MASK_LIMITS.maxInputBytes} bytes`,
    );
  }
  const { input: maskImage, transfer } = pictureToSend(input.maskImage);
  const task: DrawnMaskTask = { maskImage, width: size.width, height: size.height, ...options };
  return runPictureTask<EncodedMask>(WORKER, 'drawnMask', { ...task }, { subject: 'mask', signal, transfer });
}

/** Regions and annotations: drawn here in slices, PNG deflated on libuv's pool, WebP in a worker. */
async function fromShapes(
  input: BuildMaskInput,
  size: Size,
  options: ReturnType<typeof resolveOptions>,
  signal: AbortSignal | undefined,
): Promise<EncodedMask> {
  const { width, height } = size;
  const yielder = createWorkYielder(signal);
  const shapes = await parseShapes(input.regions, input.annotations, size, yielder);
  if (shapes.length === 0 && !options.invert) {
    throw new MaskError('MASK_EMPTY', 'nothing to repaint: give regions, annotations or a maskImage');
  }
  let raster: MaskRaster | undefined = await rasterizeShapes(shapes, width, height, options.invert, yielder);
  try {
    yielder.throwIfAborted();
    if (raster.white === 0) return { buffer: new Uint8Array(0), white: 0 };
    if (options.format === 'png') return { buffer: await encodeGrayPng(raster), white: raster.white };
    // The raster is handed to the worker (not copied), so it does not go back to the pool.
    const task: WebpMaskTask = { raster: raster.data, width, height };
    const { white } = raster;
    const transfer = [raster.data.buffer as ArrayBuffer];
    raster = undefined;
    const { buffer } = await runPictureTask<{ buffer: Uint8Array }>(
      WORKER,
      'webpMask',
      { ...task },
      {
        subject: 'mask',
        signal,
        transfer:
          task.raster.byteOffset === 0 && task.raster.byteLength === transfer[0]?.byteLength ? transfer : [],
      },
    ).catch((err: unknown) => {
      // Our own raster cannot be a bad picture: a failure here is the encoder's.
      if (isPictureError(err) && err.problem === 'unreadable') {
        throw new MaskError('MASK_ENCODE_FAILED', `encoding the webp mask failed: ${err.message}`);
      }
      throw err;
    });
    return { buffer, white };
  } finally {
    // Only after the (async) encoder is done with it: a pending deflate still reads the raster.
    if (raster) releaseRaster(raster.data);
  }
}

async function build(input: BuildMaskInput, signal: AbortSignal | undefined): Promise<BuildMaskResult> {
  if (typeof input !== 'object' || input === null) {
    throw new MaskError('MASK_BAD_OPTION', `input must be an object (got ${describeValue(input)})`);
  }
  if (signal?.aborted) throw new MaskError('MASK_ABORTED', 'mask building was aborted');
  const options = resolveOptions(input);
  const size = resolveSize(input);
  const drawn = given(input.maskImage);
  const encoded = drawn
    ? await fromDrawnMask(input, size, options, signal)
    : await fromShapes(input, size, options, signal);
  if (signal?.aborted) throw new MaskError('MASK_ABORTED', 'mask building was aborted');
  if (encoded.white === 0) {
    throw new MaskError(
      'MASK_EMPTY',
      `nothing to repaint: the mask from ${drawn ? 'maskImage' : 'regions'} is all black` +
        (options.invert ? ' after invert' : ''),
    );
  }
  const buffer = asBuffer(encoded.buffer);
  const { width, height, sizeFrom } = size;
  return {
    mask: buffer.toString('base64'),
    buffer,
    info: {
      width,
      height,
      format: options.format,
      coverage: encoded.white / (width * height),
      bytes: buffer.length,
      sizeFrom,
    },
  };
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
    // The picture module's codes for a mask are MaskError codes (MASK_TOO_LARGE, MASK_BAD_IMAGE, MASK_ABORTED).
    if (isPictureError(err)) throw new MaskError(err.as('mask').code as MaskErrorCode, err.message);
    // A runtime fault on hostile input: keep the promise of one error type, and say so.
    throw new MaskError(
      'MASK_INTERNAL',
      `mask building failed unexpectedly: ${(err as Error)?.message ?? String(err)}`,
    );
  }
}
