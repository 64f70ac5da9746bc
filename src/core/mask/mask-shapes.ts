// Turns untrusted regions and annotate-image annotations into shapes in mask pixels, checking every
// field, and answers for each shape the white spans of one row. Spans are half-open [start, end)
// pixel ranges clipped to the canvas; a pixel belongs to a curved shape when its centre does.

import { MaskError, describeValue } from './mask-error';
import { MASK_LIMITS } from './mask-limits';

export interface Shape {
  /** First and one-past-last row the shape may touch, clipped to the canvas. */
  readonly rowStart: number;
  readonly rowEnd: number;
  /** How much drawing the shape takes: its rows, and for a polygon the rows each edge crosses. */
  readonly work: number;
  /** How much input it took to read the shape (a polygon's points), for yielding while reading. */
  readonly size: number;
  /**
   * Appends this row's white spans as start, end pairs (clipped to 0..width) and returns the work
   * it took. Rows are asked in increasing order.
   */
  spans(row: number, width: number, out: number[]): number;
}

interface Size {
  width: number;
  height: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function finite(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new MaskError('MASK_BAD_REGION', `${field} must be a finite number (got ${describeValue(value)})`);
  }
  return value;
}

function positive(value: unknown, field: string): number {
  const n = finite(value, field);
  if (n <= 0) throw new MaskError('MASK_BAD_REGION', `${field} must be greater than 0 (got ${n})`);
  return n;
}

function clip(value: number, max: number): number {
  return value < 0 ? 0 : value > max ? max : value;
}

function offCanvas(field: string, size: Size): MaskError {
  return new MaskError(
    'MASK_BAD_REGION',
    `${field} lies entirely outside the ${size.width}x${size.height} mask`,
  );
}

/** Edges rounded to the nearest pixel (x <= px < x+width), as the mask builder's help defines a rectangle. */
function rectShape(x: number, y: number, w: number, h: number, field: string, size: Size): Shape {
  const x0 = Math.round(x);
  const x1 = Math.round(x + w);
  const y0 = Math.round(y);
  const y1 = Math.round(y + h);
  if (x1 <= 0 || y1 <= 0 || x0 >= size.width || y0 >= size.height) throw offCanvas(field, size);
  const a = clip(x0, size.width);
  const b = clip(x1, size.width);
  const rowStart = clip(y0, size.height);
  const rowEnd = clip(y1, size.height);
  return {
    rowStart,
    rowEnd,
    work: Math.max(0, rowEnd - rowStart),
    size: 1,
    spans(_row, _width, out) {
      if (b > a) out.push(a, b);
      return 1;
    },
  };
}

/** Pixels whose centre lies in the ellipse ((px+.5-cx)/rx)² + ((py+.5-cy)/ry)² <= 1. */
function ellipseShape(cx: number, cy: number, rx: number, ry: number, field: string, size: Size): Shape {
  if (cx + rx <= 0 || cy + ry <= 0 || cx - rx >= size.width || cy - ry >= size.height) {
    throw offCanvas(field, size);
  }
  const rowStart = clip(Math.floor(cy - ry), size.height);
  const rowEnd = clip(Math.ceil(cy + ry), size.height);
  return {
    rowStart,
    rowEnd,
    work: rowEnd - rowStart,
    size: 1,
    spans(row, width, out) {
      const dy = (row + 0.5 - cy) / ry;
      const q = 1 - dy * dy;
      if (q < 0) return 1;
      const half = rx * Math.sqrt(q);
      const a = clip(Math.ceil(cx - half - 0.5), width);
      const b = clip(Math.floor(cx + half - 0.5) + 1, width);
      if (b > a) out.push(a, b);
      return 1;
    },
  };
}

interface Edge {
  xa: number;
  ya: number;
  xb: number;
  yb: number;
  /** Rows whose centre may lie in [min(ya, yb), max(ya, yb)), one row of slack each side. */
  first: number;
  last: number;
}

/**
 * Even-odd fill at pixel centres; an edge owns its lower end only, so vertices are not counted twice.
 * Rows are drawn top to bottom, so each row only looks at the edges that cross it (an active-edge
 * list), not at every edge of the polygon.
 */
function polygonShape(xs: number[], ys: number[], field: string, size: Size): Shape {
  const minX = Math.min(...xs);
  const maxX = Math.max(...xs);
  const minY = Math.min(...ys);
  const maxY = Math.max(...ys);
  if (maxX <= 0 || maxY <= 0 || minX >= size.width || minY >= size.height) throw offCanvas(field, size);
  const rowStart = clip(Math.floor(minY), size.height);
  const rowEnd = clip(Math.ceil(maxY), size.height);
  const edges: Edge[] = [];
  let work = 0;
  for (let i = 0, j = xs.length - 1; i < xs.length; j = i++) {
    const ya = ys[i] as number;
    const yb = ys[j] as number;
    if (ya === yb) continue; // a horizontal edge crosses no row centre
    const first = Math.max(rowStart, Math.ceil(Math.min(ya, yb) - 0.5) - 1);
    const last = Math.min(rowEnd - 1, Math.ceil(Math.max(ya, yb) - 0.5));
    if (last < first) continue;
    edges.push({ xa: xs[i] as number, ya, xb: xs[j] as number, yb, first, last });
    work += last - first + 1;
  }
  edges.sort((p, q) => p.first - q.first);
  const active: Edge[] = [];
  const crossings: number[] = [];
  let next = 0;
  return {
    rowStart,
    rowEnd,
    work,
    size: xs.length,
    spans(row, width, out) {
      while (next < edges.length && (edges[next] as Edge).first <= row) active.push(edges[next++] as Edge);
      let kept = 0;
      for (const edge of active) if (edge.last >= row) active[kept++] = edge;
      active.length = kept;
      const yc = row + 0.5;
      crossings.length = 0;
      for (const { xa, ya, xb, yb } of active) {
        if (ya <= yc !== yb <= yc) crossings.push(xa + ((yc - ya) * (xb - xa)) / (yb - ya));
      }
      crossings.sort((p, q) => p - q);
      for (let k = 0; k + 1 < crossings.length; k += 2) {
        const a = clip(Math.ceil((crossings[k] as number) - 0.5), width);
        const b = clip(Math.ceil((crossings[k + 1] as number) - 0.5), width);
        if (b > a) out.push(a, b);
      }
      return kept + 1;
    },
  };
}

function unitScale(region: Record<string, unknown>, field: string, size: Size): [number, number] {
  const unit = region.unit;
  if (unit === undefined || unit === 'px') return [1, 1];
  if (unit === 'fraction') return [size.width, size.height];
  throw new MaskError(
    'MASK_BAD_REGION',
    `${field}.unit must be "px" or "fraction" (got ${describeValue(unit)})`,
  );
}

function polygonFromPoints(points: unknown, sx: number, sy: number, field: string, size: Size): Shape {
  if (!Array.isArray(points) || points.length < 3) {
    throw new MaskError('MASK_BAD_REGION', `${field}.points must be an array of at least 3 points`);
  }
  if (points.length > MASK_LIMITS.maxPolygonPoints) {
    throw new MaskError(
      'MASK_TOO_LARGE',
      `${field}.points has ${points.length} points; the limit is ${MASK_LIMITS.maxPolygonPoints}`,
    );
  }
  const xs: number[] = [];
  const ys: number[] = [];
  points.forEach((p: unknown, i) => {
    const at = `${field}.points[${i}]`;
    if (Array.isArray(p) && p.length === 2) {
      xs.push(finite(p[0], `${at}[0]`) * sx);
      ys.push(finite(p[1], `${at}[1]`) * sy);
    } else if (isRecord(p)) {
      xs.push(finite(p.x, `${at}.x`) * sx);
      ys.push(finite(p.y, `${at}.y`) * sy);
    } else {
      throw new MaskError('MASK_BAD_REGION', `${at} must be [x, y] or {x, y} (got ${describeValue(p)})`);
    }
  });
  return polygonShape(xs, ys, field, size);
}

function regionShape(region: unknown, field: string, size: Size): Shape {
  if (!isRecord(region)) {
    throw new MaskError('MASK_BAD_REGION', `${field} must be an object (got ${describeValue(region)})`);
  }
  const [sx, sy] = unitScale(region, field, size);
  if (region.points !== undefined) return polygonFromPoints(region.points, sx, sy, field, size);
  const x = finite(region.x, `${field}.x`) * sx;
  const y = finite(region.y, `${field}.y`) * sy;
  const w = positive(region.width, `${field}.width`) * sx;
  const h = positive(region.height, `${field}.height`) * sy;
  const shape = region.shape;
  if (shape === undefined || shape === 'rect') return rectShape(x, y, w, h, field, size);
  if (shape === 'ellipse') {
    // Inscribed in the rounded rectangle, so an ellipse never leaves the box its rect would fill.
    const x0 = Math.round(x);
    const x1 = Math.round(x + w);
    const y0 = Math.round(y);
    const y1 = Math.round(y + h);
    if (x1 <= x0 || y1 <= y0) return rectShape(x, y, w, h, field, size);
    return ellipseShape((x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2, (y1 - y0) / 2, field, size);
  }
  throw new MaskError(
    'MASK_BAD_REGION',
    `${field}.shape must be "rect" or "ellipse" (got ${describeValue(shape)})`,
  );
}

/** node-red-node-annotate-image: {type:'rect', x, y, w, h} or bbox [x, y, w, h]; {type:'circle', x, y, r}. */
function annotationShape(annotation: unknown, field: string, size: Size): Shape {
  if (!isRecord(annotation)) {
    throw new MaskError('MASK_BAD_REGION', `${field} must be an object (got ${describeValue(annotation)})`);
  }
  const type = annotation.type ?? 'rect';
  const bbox = annotation.bbox;
  let box: [number, number, number, number] | undefined;
  if (bbox !== undefined) {
    if (!Array.isArray(bbox) || bbox.length !== 4) {
      throw new MaskError('MASK_BAD_REGION', `${field}.bbox must be [x, y, w, h]`);
    }
    box = [
      finite(bbox[0], `${field}.bbox[0]`),
      finite(bbox[1], `${field}.bbox[1]`),
      positive(bbox[2], `${field}.bbox[2]`),
      positive(bbox[3], `${field}.bbox[3]`),
    ];
  }
  if (type === 'rect') {
    if (box) return rectShape(box[0], box[1], box[2], box[3], field, size);
    return rectShape(
      finite(annotation.x, `${field}.x`),
      finite(annotation.y, `${field}.y`),
      positive(annotation.w, `${field}.w`),
      positive(annotation.h, `${field}.h`),
      field,
      size,
    );
  }
  if (type === 'circle') {
    if (box) {
      const r = Math.min(box[2], box[3]) / 2;
      return ellipseShape(box[0] + box[2] / 2, box[1] + box[3] / 2, r, r, field, size);
    }
    const r = positive(annotation.r, `${field}.r`);
    return ellipseShape(
      finite(annotation.x, `${field}.x`),
      finite(annotation.y, `${field}.y`),
      r,
      r,
      field,
      size,
    );
  }
  throw new MaskError(
    'MASK_BAD_REGION',
    `${field}.type must be "rect" or "circle" (got ${describeValue(type)})`,
  );
}

/** Regions may come as an array, a single region, or the JSON text of either (a config field). */
function asList(value: unknown, name: string): unknown[] {
  if (value === undefined || value === null) return [];
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value) as unknown;
    } catch {
      throw new MaskError('MASK_BAD_REGION', `${name} is a string that is not valid JSON`);
    }
  }
  if (Array.isArray(parsed)) return parsed;
  if (isRecord(parsed)) return [parsed];
  throw new MaskError(
    'MASK_BAD_REGION',
    `${name} must be an array of objects (got ${describeValue(parsed)})`,
  );
}

/**
 * Each shape of the regions and annotations in turn, checked, refusing the input as soon as the
 * drawing work it adds up to passes MASK_LIMITS.maxDrawRows, before the rest is even read.
 */
export function* eachShape(regions: unknown, annotations: unknown, size: Size): Generator<Shape> {
  const regionList = asList(regions, 'regions');
  const annotationList = asList(annotations, 'annotations');
  const total = regionList.length + annotationList.length;
  if (total > MASK_LIMITS.maxRegions) {
    throw new MaskError(
      'MASK_TOO_LARGE',
      `${total} regions and annotations; the limit is ${MASK_LIMITS.maxRegions}`,
    );
  }
  let work = 0;
  const inputs = [
    ...regionList.map((r, i) => () => regionShape(r, `regions[${i}]`, size)),
    ...annotationList.map((a, i) => () => annotationShape(a, `annotations[${i}]`, size)),
  ];
  for (const make of inputs) {
    const shape = make();
    work += shape.work;
    if (work > MASK_LIMITS.maxDrawRows) {
      throw new MaskError(
        'MASK_TOO_LARGE',
        `the regions are too complex to draw: their edges cross more than ${MASK_LIMITS.maxDrawRows} mask ` +
          `rows in all, the limit is ${MASK_LIMITS.maxDrawRows} (use fewer polygon points or a smaller mask)`,
      );
    }
    yield shape;
  }
}

/** All shapes at once: for the editor's dialog, which checks a handful of regions. */
export function readShapes(regions: unknown, annotations: unknown, size: Size): Shape[] {
  return [...eachShape(regions, annotations, size)];
}
