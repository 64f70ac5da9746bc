// Shared helpers of the mask tests: decode a mask back to a 0/1 grid with Jimp, and draw expectations.

import assert from 'node:assert/strict';
import { Jimp } from 'jimp';
import { decodeWebp } from '../../src/core/picture/webp';

export interface Grid {
  width: number;
  height: number;
  /** 1 = white, 0 = black, row-major. */
  cells: number[];
}

/** Decodes PNG or WebP with Jimp and checks every pixel is opaque pure black or white. */
export async function decodeMask(buffer: Buffer): Promise<Grid> {
  const isWebp = buffer.toString('latin1', 8, 12) === 'WEBP';
  const image = isWebp ? Jimp.fromBitmap(await decodeWebp(buffer)) : await Jimp.fromBuffer(buffer);
  const { width, height, data } = image.bitmap;
  const cells: number[] = [];
  for (let i = 0; i < width * height; i++) {
    const [r, g, b, a] = [data[i * 4], data[i * 4 + 1], data[i * 4 + 2], data[i * 4 + 3]];
    assert.equal(a, 255, `pixel ${i} is not opaque`);
    assert.ok((r === 0 || r === 255) && r === g && g === b, `pixel ${i} is not pure black or white`);
    cells.push(r === 255 ? 1 : 0);
  }
  return { width, height, cells };
}

export function gridFrom(width: number, height: number, white: (x: number, y: number) => boolean): Grid {
  const cells: number[] = [];
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) cells.push(white(x, y) ? 1 : 0);
  return { width, height, cells };
}

/** The mask builder's rectangle rule: x <= px < x+width after rounding each edge to the nearest pixel. */
export function inRect(px: number, py: number, x: number, y: number, w: number, h: number): boolean {
  return px >= Math.round(x) && px < Math.round(x + w) && py >= Math.round(y) && py < Math.round(y + h);
}

/** Renders a grid as lines of '#' and '.', so a failure shows the picture. */
export function picture(grid: Grid): string {
  const lines: string[] = [];
  for (let y = 0; y < grid.height; y++) {
    lines.push(
      grid.cells
        .slice(y * grid.width, (y + 1) * grid.width)
        .map((c) => (c ? '#' : '.'))
        .join(''),
    );
  }
  return lines.join('\n');
}

export function coverageOf(grid: Grid): number {
  return grid.cells.reduce((a, b) => a + b, 0) / grid.cells.length;
}

/** An RGBA PNG made with Jimp from a per-pixel colour function. */
export async function pngFrom(
  width: number,
  height: number,
  rgba: (x: number, y: number) => [number, number, number, number],
): Promise<Buffer> {
  const image = new Jimp({ width, height });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b, a] = rgba(x, y);
      image.bitmap.data.set([r, g, b, a], (y * width + x) * 4);
    }
  }
  return image.getBuffer('image/png');
}
