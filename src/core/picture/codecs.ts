// PNG and JPEG codecs and resizing, straight from Jimp's modular packages on plain RGBA bitmaps:
// the format plugins and the resize plugin each work on `{ data, width, height }`, so Jimp's core
// (its image class, its plugin registry) is not needed. Only picture workers and the sandbox load
// this module.

import jpegFormat from '@jimp/js-jpeg';
import pngFormat from '@jimp/js-png';
import { methods as resize, ResizeStrategy } from '@jimp/plugin-resize';

export { ResizeStrategy };

export interface Bitmap {
  data: Buffer;
  width: number;
  height: number;
}

const png = pngFormat();
const jpeg = jpegFormat();

export function decodePng(bytes: Buffer): Bitmap {
  const { data, width, height } = png.decode(bytes);
  return { data, width, height };
}

/** The JPEG decoder's own caps are given by the caller, from the picture caps. */
export function decodeJpeg(
  bytes: Buffer,
  limits: { maxResolutionInMP: number; maxMemoryUsageInMB: number },
): Bitmap {
  const { data, width, height } = jpeg.decode(bytes, { ...limits, useTArray: false, formatAsRGBA: true });
  return { data: Buffer.from(data.buffer, data.byteOffset, data.byteLength), width, height };
}

export function encodePng(bitmap: Bitmap): Buffer {
  return png.encode(bitmap);
}

export function encodeJpeg(bitmap: Bitmap, quality: number): Buffer {
  return jpeg.encode(bitmap, { quality });
}

/** An opaque black bitmap. */
export function blackBitmap(width: number, height: number): Bitmap {
  const data = Buffer.alloc(width * height * 4);
  for (let i = 3; i < data.length; i += 4) data[i] = 255;
  return { data, width, height };
}

/** The bitmap resized to width x height with `mode` (Hermite averages what a large reduction skips). */
export function resizeBitmap(
  bitmap: Bitmap,
  width: number,
  height: number,
  mode: ResizeStrategy = ResizeStrategy.HERMITE,
): Bitmap {
  const holder = { bitmap: { ...bitmap } };
  resize.resize(holder as never, { w: width, h: height, mode });
  return holder.bitmap;
}
