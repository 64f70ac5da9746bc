// The mask's one in-memory form: an 8-bit grayscale raster laid out exactly as PNG's filtered
// scanlines (one filter byte, 0 = None, before each row), so the PNG encoder hands it to deflate
// as is, without a copy. Shapes are drawn row by row as spans with Buffer.fill (memset); spans of
// different shapes may overlap, so a row's white pixels are counted after drawing it, which costs
// one pass over the row instead of sorting and merging every span of every shape.

import { acquireRaster } from './raster-pool';
import type { Shape } from './mask-shapes';
import type { WorkYielder } from './work-yielder';

export interface MaskRaster {
  width: number;
  height: number;
  /** height rows of (1 filter byte + width pixels), pixels 0 (keep) or 255 (repaint). */
  data: Buffer;
  /** Number of white pixels. */
  white: number;
}

export function allocRaster(width: number, height: number): MaskRaster {
  // Zero-filled: black pixels and filter type 0 for free. Give it back with releaseRaster().
  return { width, height, data: acquireRaster((width + 1) * height), white: 0 };
}

function countWhite(data: Buffer, from: number, to: number): number {
  let white = 0;
  for (let i = from; i < to; i++) if (data[i] !== 0) white++;
  return white;
}

export async function rasterizeShapes(
  shapes: readonly Shape[],
  width: number,
  height: number,
  invert: boolean,
  yielder: WorkYielder,
): Promise<MaskRaster> {
  const raster = allocRaster(width, height);
  const { data } = raster;
  const stride = width + 1;
  const ink = invert ? 0 : 255;
  const spans: number[] = [];
  let white = 0;
  for (let y = 0; y < height; y++) {
    const rowStart = y * stride + 1;
    const rowEnd = rowStart + width;
    if (invert) data.fill(255, rowStart, rowEnd);
    let drawn = 0;
    let lastA = 0;
    let lastB = 0;
    for (const shape of shapes) {
      if (y < shape.rowStart || y >= shape.rowEnd) continue;
      spans.length = 0;
      const work = shape.spans(y, width, spans);
      for (let i = 0; i < spans.length; i += 2) {
        lastA = spans[i] as number;
        lastB = spans[i + 1] as number;
        data.fill(ink, rowStart + lastA, rowStart + lastB);
      }
      drawn += spans.length / 2;
      const pending = yielder.maybeYield(work + spans.length);
      if (pending) await pending;
    }
    // One span needs no count; several may overlap, so count what the row now holds.
    let spanWhite: number;
    if (drawn === 0) spanWhite = 0;
    else if (drawn === 1) spanWhite = lastB - lastA;
    else {
      spanWhite = countWhite(data, rowStart, rowEnd);
      if (invert) spanWhite = width - spanWhite;
      const pending = yielder.maybeYield(width);
      if (pending) await pending;
    }
    white += invert ? width - spanWhite : spanWhite;
    if (drawn === 0) {
      const pending = yielder.maybeYield(1);
      if (pending) await pending;
    }
  }
  raster.white = white;
  return raster;
}
