// The sandbox's pictures. A job only records how its images would be drawn (an ImageSpec); pixels are
// made on the first fetch and kept in a small cache, so jobs whose images nobody looks at cost nothing.
// Drawn on plain RGBA bitmaps and encoded with Jimp's PNG codec; the prompt is printed with two
// bitmap fonts of our own (see bitmap-font.ts).
import { blackBitmap, encodePng, type Bitmap } from '../picture/codecs';
import { loadBitmapFont, printText, type BitmapFont } from './bitmap-font';
import { SANS_16_WHITE, SANS_32_WHITE } from './font-data';
import { scaleMask, type MaskBits } from './mask-decode';

/** A picture being drawn. */
interface Canvas {
  bitmap: Bitmap;
}

export type ImageSpec =
  /** One picture of a grid: a pattern seeded from the prompt and its index, with the prompt printed. */
  | { kind: 'tile'; id: string; width: number; height: number; seed: string; label: string; index: number }
  /** Vary (Region): `base` with the mask's white area repainted, everything else untouched. */
  | {
      kind: 'repaint';
      id: string;
      width: number;
      height: number;
      base: ImageSpec;
      mask: MaskBits;
      seed: string;
      index: number;
    }
  /** 2x2 tiles, each at its own full size. */
  | { kind: 'grid'; id: string; width: number; height: number; tiles: ImageSpec[] }
  /** A dim, blurred look at an image, for progressImageUrl. */
  | { kind: 'preview'; id: string; width: number; height: number; of: ImageSpec };

/** Width and height of one picture: `size` on the long side, the aspect ratio respected. */
export function pictureSize(
  size: number,
  aspect: { w: number; h: number },
): { width: number; height: number } {
  if (aspect.w >= aspect.h)
    return { width: size, height: Math.max(1, Math.round((size * aspect.h) / aspect.w)) };
  return { width: Math.max(1, Math.round((size * aspect.w) / aspect.h)), height: size };
}

function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function hsv(h: number, s: number, v: number): [number, number, number] {
  const f = (n: number): number => {
    const k = (n + h / 60) % 6;
    return Math.round(255 * (v - v * s * Math.max(0, Math.min(k, 4 - k, 1))));
  };
  return [f(5), f(3), f(1)];
}

interface Painter {
  colourAt(x: number, y: number): [number, number, number];
}

function painter(seed: string, variant: number, vivid: boolean): Painter {
  const h = hash(seed);
  const hue = h % 360;
  const a = hsv(hue, vivid ? 0.9 : 0.55, vivid ? 1 : 0.75);
  const b = hsv((hue + 120 + ((h >>> 9) % 120)) % 360, vivid ? 1 : 0.7, vivid ? 0.55 : 0.35);
  const period = 24 + ((h >>> 17) % 40);
  const pick = (on: boolean): [number, number, number] => (on ? a : b);
  switch (variant % 4) {
    case 0:
      return { colourAt: (x, y) => pick(Math.floor((x + y) / period) % 2 === 0) };
    case 1:
      return { colourAt: (x, y) => pick((Math.floor(x / period) + Math.floor(y / period)) % 2 === 0) };
    case 2:
      return { colourAt: (x, y) => pick(Math.floor(Math.hypot(x - 200, y - 160) / (period / 2)) % 2 === 0) };
    default:
      return {
        colourAt: (x, y) => pick(Math.floor((y + Math.sin(x / period) * period) / (period / 1.5)) % 2 === 0),
      };
  }
}

let fonts: { small: BitmapFont; large: BitmapFont } | undefined;
/** Read on the first picture drawn: a sandbox nobody looks at never decodes them. */
function loadFonts(): NonNullable<typeof fonts> {
  fonts ??= { small: loadBitmapFont(SANS_16_WHITE), large: loadBitmapFont(SANS_32_WHITE) };
  return fonts;
}

/** Bitmap fonts know printable ASCII only. */
function printable(text: string, max: number): string {
  const plain = text.replace(/[^\x20-\x7e]/g, '').trim();
  return plain.length > max ? `${plain.slice(0, max - 3)}...` : plain;
}

function renderTile(spec: Extract<ImageSpec, { kind: 'tile' }>): Canvas {
  const image = { bitmap: blackBitmap(spec.width, spec.height) };
  const data = image.bitmap.data;
  const paint = painter(`${spec.seed}#${spec.index}`, spec.index + hash(spec.seed), false);
  const band = Math.min(spec.height, 64);
  for (let y = 0, p = 0; y < spec.height; y++) {
    for (let x = 0; x < spec.width; x++, p += 4) {
      const [r, g, b] = paint.colourAt(x, y);
      // A dark band keeps the printed prompt readable on any pattern.
      const dim = y < band ? 0.35 : 1;
      data[p] = r * dim;
      data[p + 1] = g * dim;
      data[p + 2] = b * dim;
      data[p + 3] = 255;
    }
  }
  const { small, large } = loadFonts();
  const text = printable(spec.label, 140);
  if (text) printText(image.bitmap, small, { x: 8, y: 6, text, maxWidth: Math.max(16, spec.width - 16) });
  if (spec.height > 96 && spec.width > 64) {
    printText(image.bitmap, large, { x: 10, y: spec.height - 48, text: String(spec.index + 1) });
  }
  return image;
}

export class ImageStore {
  private readonly specs = new Map<string, ImageSpec>();
  private readonly bitmaps = new Map<string, Promise<Canvas>>();
  private readonly pngs = new Map<string, Promise<Buffer>>();

  constructor(
    private readonly maxBitmaps = 12,
    private readonly maxPngs = 48,
  ) {}

  register(file: string, spec: ImageSpec): void {
    this.specs.set(file, spec);
  }

  has(file: string): boolean {
    return this.specs.has(file);
  }

  /** The PNG bytes of a registered file, or undefined for a file the sandbox never made. */
  png(file: string): Promise<Buffer> | undefined {
    const spec = this.specs.get(file);
    if (!spec) return undefined;
    return this.cached(this.pngs, file, this.maxPngs, async () =>
      encodePng((await this.bitmap(spec)).bitmap),
    );
  }

  clear(): void {
    this.bitmaps.clear();
    this.pngs.clear();
  }

  private cached<T>(
    cache: Map<string, Promise<T>>,
    key: string,
    max: number,
    make: () => Promise<T>,
  ): Promise<T> {
    const hit = cache.get(key);
    if (hit) {
      // Re-inserting moves the entry to the young end: the Map's order is the LRU order.
      cache.delete(key);
      cache.set(key, hit);
      return hit;
    }
    const made = make();
    made.catch(() => cache.delete(key));
    cache.set(key, made);
    while (cache.size > max) {
      const oldest = cache.keys().next().value as string;
      cache.delete(oldest);
    }
    return made;
  }

  private bitmap(spec: ImageSpec): Promise<Canvas> {
    return this.cached(this.bitmaps, spec.id, this.maxBitmaps, () => this.render(spec));
  }

  private async render(spec: ImageSpec): Promise<Canvas> {
    switch (spec.kind) {
      case 'tile':
        return renderTile(spec);
      case 'grid':
        return this.renderGrid(spec);
      case 'repaint':
        return this.renderRepaint(spec);
      case 'preview':
        return this.renderPreview(spec);
    }
  }

  private async renderGrid(spec: Extract<ImageSpec, { kind: 'grid' }>): Promise<Canvas> {
    const grid = { bitmap: blackBitmap(spec.width, spec.height) };
    const tiles = await Promise.all(spec.tiles.map((tile) => this.bitmap(tile)));
    tiles.forEach((tile, i) => {
      const ox = (i % 2) * tile.bitmap.width;
      const oy = Math.floor(i / 2) * tile.bitmap.height;
      const rowBytes = tile.bitmap.width * 4;
      for (let y = 0; y < tile.bitmap.height; y++) {
        tile.bitmap.data.copy(
          grid.bitmap.data,
          ((oy + y) * spec.width + ox) * 4,
          y * rowBytes,
          (y + 1) * rowBytes,
        );
      }
    });
    return grid;
  }

  private async renderRepaint(spec: Extract<ImageSpec, { kind: 'repaint' }>): Promise<Canvas> {
    const base = await this.bitmap(spec.base);
    const image = { bitmap: blackBitmap(spec.width, spec.height) };
    base.bitmap.data.copy(image.bitmap.data);
    const bits = scaleMask(spec.mask, spec.width, spec.height);
    const paint = painter(`${spec.seed}#region#${spec.index}`, spec.index, true);
    const data = image.bitmap.data;
    for (let y = 0, i = 0; y < spec.height; y++) {
      for (let x = 0; x < spec.width; x++, i++) {
        if (!bits[i]) continue;
        const p = i * 4;
        let [r, g, b] = paint.colourAt(x, y);
        // Every masked pixel must visibly change, even where the new pattern happens to match the old.
        if (
          Math.abs(r - (data[p] ?? 0)) + Math.abs(g - (data[p + 1] ?? 0)) + Math.abs(b - (data[p + 2] ?? 0)) <
          48
        ) {
          [r, g, b] = [255 - r, 255 - g, 255 - b];
          if (Math.abs(r - (data[p] ?? 0)) < 48) r = (r + 128) % 256;
        }
        data[p] = r;
        data[p + 1] = g;
        data[p + 2] = b;
        data[p + 3] = 255;
      }
    }
    return image;
  }

  private async renderPreview(spec: Extract<ImageSpec, { kind: 'preview' }>): Promise<Canvas> {
    const source = await this.bitmap(spec.of);
    const { width, height } = source.bitmap;
    const image = { bitmap: blackBitmap(width, height) };
    const block = 32;
    const src = source.bitmap.data;
    const out = image.bitmap.data;
    // Block averages, dimmed: a blurred hint of the picture to come, as Midjourney's previews are.
    for (let by = 0; by < height; by += block) {
      for (let bx = 0; bx < width; bx += block) {
        const sum = [0, 0, 0];
        let n = 0;
        for (let y = by; y < Math.min(height, by + block); y++) {
          for (let x = bx; x < Math.min(width, bx + block); x++, n++) {
            const p = (y * width + x) * 4;
            sum[0]! += src[p] ?? 0;
            sum[1]! += src[p + 1] ?? 0;
            sum[2]! += src[p + 2] ?? 0;
          }
        }
        for (let y = by; y < Math.min(height, by + block); y++) {
          for (let x = bx; x < Math.min(width, bx + block); x++) {
            const p = (y * width + x) * 4;
            out[p] = (sum[0]! / n) * 0.5;
            out[p + 1] = (sum[1]! / n) * 0.5;
            out[p + 2] = (sum[2]! / n) * 0.5;
            out[p + 3] = 255;
          }
        }
      }
    }
    return image;
  }
}
