// The pictures a job ends with, as ImageStore specs (drawn only when fetched): a grid is always
// four tiles of one size, whatever made them (an imagine, a blend, a button, a repaint).
import type { ImageSpec } from '../images';
import type { MaskBits } from '../mask-decode';

export interface Size {
  width: number;
  height: number;
}

/** Four tiles made by `make`, each with the id the image cache knows it by. */
function fourTiles(jobId: string, make: (index: number, id: string) => ImageSpec): ImageSpec[] {
  return [0, 1, 2, 3].map((index) => make(index, `${jobId}:tile:${index}`));
}

/** Tiles of a pattern seeded from `seed`, with `label` printed on them. */
export function patternTiles(jobId: string, size: Size, seed: string, label: string): ImageSpec[] {
  return fourTiles(jobId, (index, id) => ({ kind: 'tile', id, ...size, seed, label, index }));
}

/** Tiles of `base` with the mask's white area repainted, each differently. */
export function repaintTiles(jobId: string, base: ImageSpec, mask: MaskBits, seed: string): ImageSpec[] {
  return fourTiles(jobId, (index, id) => ({
    kind: 'repaint',
    id,
    width: base.width,
    height: base.height,
    base,
    mask,
    seed,
    index,
  }));
}

/** The 2x2 grid of four tiles of one size. */
export function gridOf(jobId: string, tiles: ImageSpec[]): ImageSpec {
  const first = tiles[0];
  return {
    kind: 'grid',
    id: `${jobId}:grid`,
    width: (first?.width ?? 1) * 2,
    height: (first?.height ?? 1) * 2,
    tiles,
  };
}

export function previewOf(jobId: string, image: ImageSpec): ImageSpec {
  return { kind: 'preview', id: `${jobId}:preview`, width: image.width, height: image.height, of: image };
}

export function sizeOf(spec: ImageSpec): Size {
  return { width: spec.width, height: spec.height };
}
