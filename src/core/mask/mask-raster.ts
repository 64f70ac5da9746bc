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

/** Pixels covered by a few spans (start, end pairs, possibly overlapping), without touching pixels. */
function coveredBy(spans: number[]): number {
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i < spans.length; i += 2) pairs.push([spans[i] as number, spans[i + 1] as number]);
  pairs.sort((p, q) => p[0] - q[0]);
  let covered = 0;
  let end = -1;
  for (const [a, b] of pairs) {
    if (b <= end) continue;
    covered += b - Math.max(a, end);
    end = b;
  }
  return covered;
}

/** Up to this many spans in a row are merged to count its pixels; more are counted in the row. */
const MERGE_SPANS = 64;

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
    // The row's spans, kept while there are few enough to merge.
    spans.length = 0;
    let drawn = 0;
    for (const shape of shapes) {
      if (y < shape.rowStart || y >= shape.rowEnd) continue;
      const from = drawn > MERGE_SPANS ? (spans.length = 0) : spans.length;
      const work = shape.spans(y, width, spans);
      for (let i = from; i < spans.length; i += 2) {
        data.fill(ink, rowStart + (spans[i] as number), rowStart + (spans[i + 1] as number));
      }
      drawn += (spans.length - from) / 2;
      const pending = yielder.maybeYield(work + spans.length - from);
      if (pending) await pending;
    }
    let covered: number;
    if (drawn <= MERGE_SPANS) covered = coveredBy(spans);
    else {
      // Many spans may overlap in many ways: count what the row now holds (a byte is cheaper than a span).
      const inked = countWhite(data, rowStart, rowEnd);
      covered = invert ? width - inked : inked;
      const pending = yielder.maybeYield(width >> 3);
      if (pending) await pending;
    }
    white += invert ? width - covered : covered;
    const pending = yielder.maybeYield(1);
    if (pending) await pending;
  }
  raster.white = white;
  return raster;
}
