// A drawn mask (any size, PNG/JPEG/WebP) becomes a pure black/white raster of the target size.
// Jimp decodes PNG and JPEG, the WebP codec decodes WebP. Resizing and thresholding are one fused
// loop instead of Jimp's resize() and threshold(): it samples exactly like Jimp's NEAREST_NEIGHBOR
// (source = floor(target * sourceSize / targetSize)), but also composites transparency over black
// (Jimp's threshold ignores alpha), counts white pixels as it goes, writes straight into the PNG
// raster without a second full-size RGBA bitmap, and yields to the event loop between rows.

import { Jimp } from 'jimp';
import { MaskError } from './mask-error';
import { allocRaster, type MaskRaster } from './mask-raster';
import { readImageHeader } from './image-input';
import { decodeWebp } from '../image/webp-codec';
import type { RowYielder } from './row-yielder';

interface Bitmap {
  data: Buffer;
  width: number;
  height: number;
}

export async function decodeImage(bytes: Buffer, field: string): Promise<Bitmap> {
  const header = readImageHeader(bytes, field);
  let bitmap: Bitmap;
  try {
    if (header.format === 'webp') {
      bitmap = await decodeWebp(bytes);
    } else {
      const image = await Jimp.fromBuffer(bytes, {
        'image/jpeg': { maxResolutionInMP: 64, maxMemoryUsageInMB: 512 },
      });
      bitmap = image.bitmap;
    }
  } catch {
    throw new MaskError('MASK_BAD_IMAGE', `${field} could not be decoded as ${header.format.toUpperCase()}`);
  }
  // The header was checked against the pixel cap; a decoder must not have disagreed with it.
  if (
    bitmap.width !== header.width ||
    bitmap.height !== header.height ||
    bitmap.data.length < bitmap.width * bitmap.height * 4
  ) {
    throw new MaskError('MASK_BAD_IMAGE', `${field} decoded to a size that does not match its header`);
  }
  return bitmap;
}

/**
 * White where luminance (Rec. 601: 0.299 R + 0.587 G + 0.114 B) times alpha/255, i.e. the pixel
 * composited over black, is at least `threshold`.
 */
export async function thresholdDrawnMask(
  bitmap: Bitmap,
  width: number,
  height: number,
  threshold: number,
  invert: boolean,
  yielder: RowYielder,
): Promise<MaskRaster> {
  const raster = allocRaster(width, height);
  const out = raster.data;
  const src = bitmap.data;
  const sw = bitmap.width;
  const sh = bitmap.height;
  // Integer form of lum * a / 255 >= threshold, with lum scaled by 1000: no float per pixel.
  const limit = threshold * 1000 * 255;
  const on = invert ? 0 : 255;
  const off = invert ? 255 : 0;
  const columns = new Int32Array(width);
  for (let x = 0; x < width; x++) columns[x] = Math.floor((x * sw) / width) * 4;
  let white = 0;
  for (let y = 0; y < height; y++) {
    const pending = yielder.maybeYield(y);
    if (pending) await pending;
    const srcRow = Math.floor((y * sh) / height) * sw * 4;
    let o = y * (width + 1) + 1;
    for (let x = 0; x < width; x++, o++) {
      const p = srcRow + (columns[x] as number);
      const lum = 299 * (src[p] as number) + 587 * (src[p + 1] as number) + 114 * (src[p + 2] as number);
      const v = lum * (src[p + 3] as number) >= limit ? on : off;
      out[o] = v;
      if (v) white++;
    }
  }
  raster.white = white;
  return raster;
}
