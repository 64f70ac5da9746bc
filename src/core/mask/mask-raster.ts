// The mask's one in-memory form: an 8-bit grayscale raster laid out exactly as PNG's filtered
// scanlines (one filter byte, 0 = None, before each row), so the PNG encoder hands it to deflate
// as is, without a copy. Shapes are drawn row by row as merged spans with Buffer.fill (memset),
// which also gives the white-pixel count without a pass over the pixels.

import { acquireRaster } from './raster-pool';
import type { Shape } from './mask-shapes';
import type { RowYielder } from './row-yielder';

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

/** Sorts start/end pairs by start and merges overlapping or touching ones, in place. */
function mergeSpans(spans: number[]): number[] {
  if (spans.length <= 2) return spans;
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i < spans.length; i += 2) pairs.push([spans[i] as number, spans[i + 1] as number]);
  pairs.sort((p, q) => p[0] - q[0]);
  spans.length = 0;
  let [a, b] = pairs[0] as [number, number];
  for (let i = 1; i < pairs.length; i++) {
    const [c, d] = pairs[i] as [number, number];
    if (c <= b) {
      if (d > b) b = d;
    } else {
      spans.push(a, b);
      a = c;
      b = d;
    }
  }
  spans.push(a, b);
  return spans;
}

export async function rasterizeShapes(
  shapes: readonly Shape[],
  width: number,
  height: number,
  invert: boolean,
  yielder: RowYielder,
): Promise<MaskRaster> {
  const raster = allocRaster(width, height);
  const { data } = raster;
  const stride = width + 1;
  const spans: number[] = [];
  let white = 0;
  for (let y = 0; y < height; y++) {
    const pending = yielder.maybeYield(y);
    if (pending) await pending;
    spans.length = 0;
    for (const shape of shapes) if (y >= shape.rowStart && y < shape.rowEnd) shape.spans(y, width, spans);
    mergeSpans(spans);
    const rowStart = y * stride + 1;
    if (invert) {
      let from = 0;
      for (let i = 0; i < spans.length; i += 2) {
        const a = spans[i] as number;
        if (a > from) data.fill(255, rowStart + from, rowStart + a);
        white += a - from;
        from = spans[i + 1] as number;
      }
      if (width > from) data.fill(255, rowStart + from, rowStart + width);
      white += width - from;
    } else {
      for (let i = 0; i < spans.length; i += 2) {
        const a = spans[i] as number;
        const b = spans[i + 1] as number;
        data.fill(255, rowStart + a, rowStart + b);
        white += b - a;
      }
    }
  }
  raster.white = white;
  return raster;
}
