// A drawn mask (any size) becomes a pure black/white raster of the target size, inside a picture
// worker. Resizing and thresholding are one fused loop instead of Jimp's resize() and threshold():
// it samples exactly like Jimp's NEAREST_NEIGHBOR (source = floor(target * sourceSize / targetSize)),
// but also composites transparency over black (Jimp's threshold ignores alpha), counts white pixels
// as it goes, and writes straight into the PNG raster without a second full-size RGBA bitmap.

import { allocRaster, type MaskRaster } from './mask-raster';

export interface RgbaPixels {
  data: Uint8Array;
  width: number;
  height: number;
}

/**
 * White where luminance (Rec. 601: 0.299 R + 0.587 G + 0.114 B) times alpha/255, i.e. the pixel
 * composited over black, is at least `threshold`.
 */
export function thresholdDrawnMask(
  bitmap: RgbaPixels,
  width: number,
  height: number,
  threshold: number,
  invert: boolean,
): MaskRaster {
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

/** Opaque RGBA for the WebP encoder: one 32-bit store per pixel, whole runs with fill(). */
export function rasterToRgba(raster: { width: number; height: number; data: Uint8Array }): Buffer {
  const { width, height, data } = raster;
  const rgba = Buffer.alloc(width * height * 4);
  const px = new Uint32Array(rgba.buffer, rgba.byteOffset, width * height);
  // Native-endian words for opaque black and white, whatever the platform's byte order.
  const words = new Uint32Array(new Uint8Array([0, 0, 0, 255, 255, 255, 255, 255]).buffer);
  px.fill(words[0] as number);
  const whiteWord = words[1] as number;
  for (let y = 0; y < height; y++) {
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
