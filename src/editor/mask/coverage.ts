// What the dialog says about the regions, computed by the mask builder's own rule (the core's
// readShapes: scaling, rounding, clipping, ellipses, polygons), so the editor can never disagree
// with the mask the node builds.
import { readShapes } from '../../core/mask/mask-shapes';

export interface Size {
  width: number;
  height: number;
}

/** Why the mask builder would refuse this region at this size, in its words; undefined if fine. */
export function regionProblem(region: unknown, index: number, size: Size): string | undefined {
  try {
    readShapes([region], undefined, size);
    return undefined;
  } catch (err) {
    // Checked alone, the region is regions[0] to the parser.
    return String((err as Error).message).replace(/^regions\[0\]/, `regions[${index}]`);
  }
}

/** Why the whole list would be refused (a bad region, too many); undefined if fine. */
export function regionsProblem(regions: unknown, size: Size): string | undefined {
  try {
    readShapes(regions, undefined, size);
    return undefined;
  } catch (err) {
    return String((err as Error).message);
  }
}

/** Total length of a list of [start, end) spans given as start, end pairs, overlaps counted once. */
function unionLength(spans: number[]): number {
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i + 1 < spans.length; i += 2) pairs.push([spans[i] as number, spans[i + 1] as number]);
  pairs.sort((a, b) => a[0] - b[0]);
  let length = 0;
  let end = -Infinity;
  for (const [start, stop] of pairs) {
    if (stop <= end) continue;
    length += stop - Math.max(start, end);
    end = stop;
  }
  return length;
}

/** The share (0-1) of white pixels of the mask these (valid) regions make at this size. */
export function coverage(regions: unknown[], size: Size, invert: boolean): number {
  const shapes = readShapes(regions, undefined, size);
  const spans: number[] = [];
  let covered = 0;
  for (let row = 0; row < size.height; row++) {
    spans.length = 0;
    for (const shape of shapes) {
      if (row >= shape.rowStart && row < shape.rowEnd) shape.spans(row, size.width, spans);
    }
    covered += unionLength(spans);
  }
  // Counted in whole pixels, as the builder counts them, so the share is the same number.
  const pixels = size.width * size.height;
  return (invert ? pixels - covered : covered) / pixels;
}
