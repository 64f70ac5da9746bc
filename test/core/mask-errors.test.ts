// Every bad input to buildMask is a MaskError with a stable code and a message naming the field.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Jimp } from 'jimp';
import {
  buildMask,
  MASK_LIMITS,
  MaskError,
  type BuildMaskInput,
  type MaskErrorCode,
} from '../../src/core/mask';

async function rejectsWith(input: BuildMaskInput, code: MaskErrorCode, message: RegExp): Promise<void> {
  await assert.rejects(buildMask(input), (err: unknown) => {
    assert.ok(err instanceof MaskError, `expected a MaskError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    assert.match(err.message, message);
    return true;
  });
}

const ok = { x: 1, y: 1, width: 2, height: 2 };

describe('buildMask bad regions', () => {
  it('names the index and field of a non-numeric, NaN or Infinity coordinate', async () => {
    await rejectsWith(
      { width: 8, height: 8, regions: [ok, { ...ok, x: '3' }] },
      'MASK_BAD_REGION',
      /regions\[1\]\.x/,
    );
    await rejectsWith(
      { width: 8, height: 8, regions: [{ ...ok, y: NaN }] },
      'MASK_BAD_REGION',
      /regions\[0\]\.y/,
    );
    await rejectsWith(
      { width: 8, height: 8, regions: [{ ...ok, width: Infinity }] },
      'MASK_BAD_REGION',
      /regions\[0\]\.width/,
    );
    await rejectsWith(
      { width: 8, height: 8, regions: [{ x: 1, y: 1, width: 2 }] },
      'MASK_BAD_REGION',
      /regions\[0\]\.height/,
    );
  });

  it('refuses negative and zero sizes', async () => {
    await rejectsWith(
      { width: 8, height: 8, regions: [{ ...ok, width: -2 }] },
      'MASK_BAD_REGION',
      /regions\[0\]\.width.*> 0|greater than 0/,
    );
    await rejectsWith(
      { width: 8, height: 8, regions: [{ ...ok, height: 0 }] },
      'MASK_BAD_REGION',
      /regions\[0\]\.height/,
    );
  });

  it('refuses regions entirely off the canvas, in pixels and fractions', async () => {
    await rejectsWith(
      { width: 8, height: 8, regions: [ok, { x: 8, y: 0, width: 3, height: 3 }] },
      'MASK_BAD_REGION',
      /regions\[1\].*outside the 8x8/,
    );
    await rejectsWith(
      { width: 8, height: 8, regions: [{ x: -5, y: -5, width: 4.4, height: 9 }] },
      'MASK_BAD_REGION',
      /outside/,
    );
    await rejectsWith(
      { width: 8, height: 8, regions: [{ ...ok, x: 1.2, unit: 'fraction' }] },
      'MASK_BAD_REGION',
      /outside/,
    );
    await rejectsWith(
      { width: 8, height: 8, annotations: [{ type: 'circle', x: -10, y: 4, r: 3 }] },
      'MASK_BAD_REGION',
      /annotations\[0\]/,
    );
  });

  it('refuses unknown units, shapes and annotation types, and non-objects', async () => {
    await rejectsWith(
      { width: 8, height: 8, regions: [{ ...ok, unit: '%' }] },
      'MASK_BAD_REGION',
      /regions\[0\]\.unit/,
    );
    await rejectsWith(
      { width: 8, height: 8, regions: [{ ...ok, shape: 'star' }] },
      'MASK_BAD_REGION',
      /regions\[0\]\.shape/,
    );
    await rejectsWith(
      { width: 8, height: 8, annotations: [{ type: 'line', x: 1, y: 1 }] },
      'MASK_BAD_REGION',
      /annotations\[0\]\.type/,
    );
    await rejectsWith(
      { width: 8, height: 8, annotations: [{ bbox: [1, 1, 2] }] },
      'MASK_BAD_REGION',
      /annotations\[0\]\.bbox/,
    );
    await rejectsWith(
      { width: 8, height: 8, regions: [ok, 5] },
      'MASK_BAD_REGION',
      /regions\[1\] must be an object/,
    );
    await rejectsWith({ width: 8, height: 8, regions: 42 }, 'MASK_BAD_REGION', /regions must be an array/);
    await rejectsWith({ width: 8, height: 8, regions: '[{' }, 'MASK_BAD_REGION', /not valid JSON/);
    await rejectsWith(
      {
        width: 8,
        height: 8,
        regions: [
          {
            points: [
              [0, 0],
              [1, 1],
            ],
          },
        ],
      },
      'MASK_BAD_REGION',
      /points/,
    );
    await rejectsWith(
      {
        width: 8,
        height: 8,
        regions: [
          {
            points: [
              [0, 0],
              [4, 0],
              [0, 'a'],
            ],
          },
        ],
      },
      'MASK_BAD_REGION',
      /points\[2\]\[1\]/,
    );
  });

  it('refuses too many regions', async () => {
    const regions = Array.from({ length: MASK_LIMITS.maxRegions + 1 }, () => ok);
    await rejectsWith({ width: 8, height: 8, regions }, 'MASK_TOO_LARGE', /limit is 1000/);
  });

  it('refuses drawing work out of all proportion, before drawing anything', async () => {
    // 20 polygons of 1000 points zigzagging across the whole height: 80 million edge-rows.
    const zigzag = (k: number) => ({
      points: Array.from({ length: 1000 }, (_, i) => [(i * 4096) / 1000 + k, i % 2 ? 4095 : 0]),
    });
    const regions = Array.from({ length: 20 }, (_, k) => zigzag(k));
    await rejectsWith(
      { width: 4096, height: 4096, regions },
      'MASK_TOO_LARGE',
      /too complex.*limit is 50000000/,
    );
    // The same polygons, fewer of them, are drawn.
    const { info } = await buildMask({ width: 4096, height: 4096, regions: regions.slice(0, 2) });
    assert.ok(info.coverage > 0.3 && info.coverage < 0.7, `coverage ${info.coverage}`);
  });

  it('refuses an empty result: no regions at all, or regions that round to nothing', async () => {
    await rejectsWith({ width: 8, height: 8 }, 'MASK_EMPTY', /nothing to repaint/);
    await rejectsWith({ width: 8, height: 8, regions: [] }, 'MASK_EMPTY', /nothing to repaint/);
    await rejectsWith(
      { width: 8, height: 8, regions: [{ x: 2, y: 2, width: 0.4, height: 3 }] },
      'MASK_EMPTY',
      /all black/,
    );
  });
});

describe('buildMask bad sizes and options', () => {
  it('refuses a size of 0, negative, non-integer or non-numeric', async () => {
    await rejectsWith({ width: 0, regions: [ok] }, 'MASK_BAD_SIZE', /^width/);
    await rejectsWith({ height: -4, regions: [ok] }, 'MASK_BAD_SIZE', /^height/);
    await rejectsWith({ width: 10.5, regions: [ok] }, 'MASK_BAD_SIZE', /^width/);
    await rejectsWith({ width: '512' as unknown as number, regions: [ok] }, 'MASK_BAD_SIZE', /^width/);
    await rejectsWith({ size: { width: 64, height: NaN }, regions: [ok] }, 'MASK_BAD_SIZE', /^size\.height/);
    await rejectsWith(
      { size: 'big' as unknown as { width: number; height: number }, regions: [ok] },
      'MASK_BAD_SIZE',
      /^size/,
    );
  });

  it('refuses a side over the cap', async () => {
    await rejectsWith({ width: MASK_LIMITS.maxSide + 1, regions: [ok] }, 'MASK_TOO_LARGE', /at most 4096/);
    await rejectsWith({ size: { width: 64, height: 5000 }, regions: [ok] }, 'MASK_TOO_LARGE', /size\.height/);
  });

  it('refuses a source image larger than the cap, read from its header only', async () => {
    const big = await new Jimp({ width: 4097, height: 1, color: 0xffffffff }).getBuffer('image/png');
    await rejectsWith({ sourceImage: big, regions: [ok] }, 'MASK_TOO_LARGE', /sourceImage is 4097x1/);
  });

  it('refuses bad format, invert and threshold values', async () => {
    await rejectsWith({ regions: [ok], format: 'jpeg' as 'png' }, 'MASK_BAD_OPTION', /format/);
    await rejectsWith({ regions: [ok], invert: 'yes' as unknown as boolean }, 'MASK_BAD_OPTION', /invert/);
    await rejectsWith({ regions: [ok], threshold: 256 }, 'MASK_BAD_OPTION', /threshold/);
    await rejectsWith({ regions: [ok], threshold: NaN }, 'MASK_BAD_OPTION', /threshold/);
  });
});

describe('buildMask bad images', () => {
  it('refuses what is not PNG, JPEG or WebP', async () => {
    await rejectsWith(
      { maskImage: Buffer.from('GIF89a....'), width: 8, height: 8 },
      'MASK_BAD_IMAGE',
      /maskImage is not a PNG/,
    );
    await rejectsWith(
      { maskImage: 'not base64 at all!', width: 8, height: 8 },
      'MASK_BAD_IMAGE',
      /maskImage.*base64/,
    );
    await rejectsWith({ maskImage: 12, width: 8, height: 8 }, 'MASK_BAD_IMAGE', /maskImage must be/);
    await rejectsWith({ maskImage: '', width: 8, height: 8 }, 'MASK_BAD_IMAGE', /maskImage/);
    await rejectsWith(
      { sourceImage: Buffer.from([1, 2, 3]), regions: [ok] },
      'MASK_BAD_IMAGE',
      /sourceImage/,
    );
  });

  it('refuses a truncated or corrupted image', async () => {
    const png = await new Jimp({ width: 32, height: 32, color: 0xffffffff }).getBuffer('image/png');
    await rejectsWith(
      { maskImage: png.subarray(0, 40), width: 8, height: 8 },
      'MASK_BAD_IMAGE',
      /maskImage has no image data/,
    );
    const jpeg = await new Jimp({ width: 32, height: 32, color: 0xffffffff }).getBuffer('image/jpeg');
    await rejectsWith(
      { maskImage: jpeg.subarray(0, 12), width: 8, height: 8 },
      'MASK_BAD_IMAGE',
      /maskImage/,
    );
    const webp = (await buildMask({ width: 32, height: 32, regions: [ok], format: 'webp' })).buffer;
    const broken = Buffer.from(webp);
    broken.fill(0x55, 25);
    await rejectsWith({ maskImage: broken, width: 8, height: 8 }, 'MASK_BAD_IMAGE', /maskImage/);
  });

  it('refuses oversized inputs by bytes and by header pixel count', async () => {
    const huge = Buffer.alloc(MASK_LIMITS.maxInputBytes + 1);
    await rejectsWith({ maskImage: huge, width: 8, height: 8 }, 'MASK_TOO_LARGE', /limit is 20971520 bytes/);
    await rejectsWith(
      { maskImage: 'A'.repeat(30_000_000), width: 8, height: 8 },
      'MASK_TOO_LARGE',
      /maskImage/,
    );
    // A tiny PNG header claiming 20000x20000 pixels: refused before any decoding.
    const bomb = Buffer.alloc(33);
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(bomb);
    bomb.writeUInt32BE(13, 8);
    bomb.write('IHDR', 12, 'latin1');
    bomb.writeUInt32BE(20000, 16);
    bomb.writeUInt32BE(20000, 20);
    await rejectsWith({ maskImage: bomb, width: 8, height: 8 }, 'MASK_TOO_LARGE', /20000x20000/);
  });
});
