// The region editor's geometry: it works in fractions of the picture (0-1), so what it stores fits
// any image size; a pixel row is converted with the dialog's mask size.

/** Edges as fractions: left, top, right, bottom. */
export interface Edges {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface FractionRegion {
  x: number;
  y: number;
  width: number;
  height: number;
  unit: 'fraction';
}

export interface RegionFields {
  x?: unknown;
  y?: unknown;
  width?: unknown;
  height?: unknown;
  unit?: unknown;
  shape?: unknown;
  points?: unknown;
}

/** Stored with 4 decimals: a tenth of a pixel on the largest mask, and short in the flow file. */
export function round4(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

export function clamp01(value: number): number {
  return Math.min(1, Math.max(0, value));
}

/** Rows the canvas can draw and edit: rectangles (ellipses and polygons stay in the list). */
export function isRect(region: RegionFields): boolean {
  return region.points === undefined && (region.shape === undefined || region.shape === 'rect');
}

export function toEdges(
  region: { x: number; y: number; width: number; height: number; unit?: unknown },
  size: { width: number; height: number },
): Edges {
  const sx = region.unit === 'fraction' ? 1 : 1 / size.width;
  const sy = region.unit === 'fraction' ? 1 : 1 / size.height;
  return {
    x0: region.x * sx,
    y0: region.y * sy,
    x1: (region.x + region.width) * sx,
    y1: (region.y + region.height) * sy,
  };
}

/** Edges dragged in any direction, clipped to the picture, as a fraction region. */
export function toRegion(edges: Edges): FractionRegion {
  const x0 = round4(clamp01(Math.min(edges.x0, edges.x1)));
  const y0 = round4(clamp01(Math.min(edges.y0, edges.y1)));
  const x1 = round4(clamp01(Math.max(edges.x0, edges.x1)));
  const y1 = round4(clamp01(Math.max(edges.y0, edges.y1)));
  return { x: x0, y: y0, width: round4(x1 - x0), height: round4(y1 - y0), unit: 'fraction' };
}

/** A rectangle moved by (dx, dy), kept whole on the picture: pushed against an edge, it stops there. */
export function moveWithin(edges: Edges, dx: number, dy: number): Edges {
  const w = edges.x1 - edges.x0;
  const h = edges.y1 - edges.y0;
  const x0 = Math.min(Math.max(0, edges.x0 + dx), Math.max(0, 1 - w));
  const y0 = Math.min(Math.max(0, edges.y0 + dy), Math.max(0, 1 - h));
  return { x0, y0, x1: x0 + w, y1: y0 + h };
}
