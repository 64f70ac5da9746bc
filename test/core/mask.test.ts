// Pixel-exact behaviour of buildMask: rectangles, fractions, clipping, annotations, shapes, invert,
// drawn masks (threshold, transparency, resize), sizing, and both output formats decoded back.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Jimp, ResizeStrategy } from 'jimp';
import { buildMask, MaskError } from '../../src/core/mask';
import {
  coverageOf,
  decodeMask,
  gridFrom,
  inRect,
  picture,
  pngFrom,
  type Grid,
} from '../support/mask-pixels';

function assertGrid(actual: Grid, expected: Grid): void {
  assert.equal(actual.width, expected.width);
  assert.equal(actual.height, expected.height);
  assert.equal(picture(actual), picture(expected));
}

describe('buildMask regions', () => {
  it('fills x <= px < x+width after rounding each edge to the nearest pixel', async () => {
    const { buffer, info } = await buildMask({
      width: 8,
      height: 6,
      regions: [{ x: 1, y: 1, width: 3, height: 2 }],
    });
    const grid = await decodeMask(buffer);
    assert.equal(
      picture(grid),
      ['........', '.###....', '.###....', '........', '........', '........'].join('\n'),
    );
    assert.equal(info.coverage, 6 / 48);
  });

  it('rounds fractional edges independently (half up)', async () => {
    const cases = [
      { x: 1.5, y: 0.49, width: 2.2, height: 3.51 }, // x 2..4, y 0..4
      { x: 0.4, y: 1.6, width: 0.2, height: 2.8 }, // x 0..1 (0.6 rounds to 1), y 2..4
      { x: 2.49, y: 2.5, width: 3.02, height: 0.99 }, // y 3..3 (3.49 rounds to 3): nothing, MASK_EMPTY
    ];
    for (const r of cases) {
      const expected = gridFrom(8, 6, (px, py) => inRect(px, py, r.x, r.y, r.width, r.height));
      if (coverageOf(expected) === 0) {
        await assert.rejects(buildMask({ width: 8, height: 6, regions: [r] }), { code: 'MASK_EMPTY' });
        continue;
      }
      const { buffer, info } = await buildMask({ width: 8, height: 6, regions: [r] });
      assertGrid(await decodeMask(buffer), expected);
      assert.equal(info.coverage, coverageOf(expected));
    }
  });

  it('scales unit "fraction" regions by the mask size', async () => {
    const region = { x: 0.25, y: 0.5, width: 0.5, height: 0.25, unit: 'fraction' as const };
    const { buffer } = await buildMask({ width: 16, height: 8, regions: [region] });
    assertGrid(
      await decodeMask(buffer),
      gridFrom(16, 8, (px, py) => px >= 4 && px < 12 && py >= 4 && py < 6),
    );
  });

  it('clips regions that stick out of the canvas on every side', async () => {
    const regions = [
      { x: -3, y: -2, width: 5, height: 4 },
      { x: 6, y: 4, width: 10, height: 10 },
    ];
    const { buffer, info } = await buildMask({ width: 8, height: 6, regions });
    const expected = gridFrom(8, 6, (px, py) => (px < 2 && py < 2) || (px >= 6 && py >= 4));
    assertGrid(await decodeMask(buffer), expected);
    assert.equal(info.coverage, 8 / 48);
  });

  it('unions overlapping regions and counts coverage once', async () => {
    const regions = [
      { x: 0, y: 0, width: 5, height: 4 },
      { x: 3, y: 2, width: 4, height: 4 },
    ];
    const { buffer, info } = await buildMask({ width: 8, height: 6, regions });
    const expected = gridFrom(8, 6, (px, py) => inRect(px, py, 0, 0, 5, 4) || inRect(px, py, 3, 2, 4, 4));
    assertGrid(await decodeMask(buffer), expected);
    assert.equal(info.coverage, coverageOf(expected));
  });

  it('accepts annotate-image annotations in both forms, together with regions', async () => {
    const annotations = [
      { type: 'rect', x: 0, y: 0, w: 2, h: 3, label: 'a' },
      { bbox: [5, 1, 2, 2], label: 'b' },
    ];
    const regions = [{ x: 3, y: 5, width: 2, height: 1 }];
    const { buffer } = await buildMask({ width: 8, height: 6, annotations, regions });
    const expected = gridFrom(
      8,
      6,
      (px, py) => inRect(px, py, 0, 0, 2, 3) || inRect(px, py, 5, 1, 2, 2) || inRect(px, py, 3, 5, 2, 1),
    );
    assertGrid(await decodeMask(buffer), expected);
  });

  it('draws ellipses inscribed in the rounded rectangle, by pixel centre', async () => {
    const { buffer } = await buildMask({
      width: 20,
      height: 12,
      regions: [{ x: 2.2, y: 1, width: 15.6, height: 9, shape: 'ellipse' }],
    });
    // Rounded box x 2..18, y 1..10: centre (10, 5.5), radii (8, 4.5).
    const inside = (px: number, py: number) =>
      ((px + 0.5 - 10) / 8) ** 2 + ((py + 0.5 - 5.5) / 4.5) ** 2 <= 1;
    const grid = await decodeMask(buffer);
    assertGrid(grid, gridFrom(20, 12, inside));
    assert.equal(grid.cells[5 * 20 + 2], 1, 'widest row reaches the left edge of the box');
    assert.equal(grid.cells[1 * 20 + 2], 0, 'box corner stays black');
  });

  it('draws annotate-image circles (x, y, r) by pixel centre', async () => {
    const { buffer } = await buildMask({
      width: 16,
      height: 16,
      annotations: [{ type: 'circle', x: 8, y: 7, r: 5 }],
    });
    const inside = (px: number, py: number) => (px + 0.5 - 8) ** 2 + (py + 0.5 - 7) ** 2 <= 25;
    assertGrid(await decodeMask(buffer), gridFrom(16, 16, inside));
  });

  it('fills polygons by the even-odd rule at pixel centres', async () => {
    // An axis-aligned polygon must equal the rectangle of the same edges.
    const square = await buildMask({
      width: 8,
      height: 6,
      regions: [
        {
          points: [
            [1, 1],
            [5, 1],
            [5, 4],
            [1, 4],
          ],
        },
      ],
    });
    assertGrid(
      await decodeMask(square.buffer),
      gridFrom(8, 6, (px, py) => inRect(px, py, 1, 1, 4, 3)),
    );
    // A right triangle with legs on the axes: centre inside when x + y < 8 (diagonal x + y = 8).
    const triangle = await buildMask({
      width: 10,
      height: 10,
      regions: [
        {
          points: [
            { x: 0, y: 0 },
            { x: 8, y: 0 },
            { x: 0, y: 8 },
          ],
        },
      ],
    });
    assertGrid(
      await decodeMask(triangle.buffer),
      gridFrom(10, 10, (px, py) => px + 0.5 + (py + 0.5) < 8),
    );
    const fraction = await buildMask({
      width: 10,
      height: 10,
      regions: [
        {
          points: [
            [0, 0],
            [0.8, 0],
            [0, 0.8],
          ],
          unit: 'fraction',
        },
      ],
    });
    assert.deepEqual(fraction.buffer, triangle.buffer);
  });

  it('inverts: the complement of the regions, coverage 1 - c', async () => {
    const regions = [{ x: 1, y: 1, width: 3, height: 2 }];
    const plain = await buildMask({ width: 8, height: 6, regions });
    const inverted = await buildMask({ width: 8, height: 6, regions, invert: true });
    const expected = gridFrom(8, 6, (px, py) => !inRect(px, py, 1, 1, 3, 2));
    assertGrid(await decodeMask(inverted.buffer), expected);
    assert.equal(inverted.info.coverage, 1 - plain.info.coverage);
  });

  it('rejects a full mask that is inverted (all black) as MASK_EMPTY', async () => {
    await assert.rejects(
      buildMask({ width: 8, height: 6, regions: [{ x: -1, y: -1, width: 20, height: 20 }], invert: true }),
      (err: unknown) => err instanceof MaskError && err.code === 'MASK_EMPTY' && /invert/.test(err.message),
    );
  });
});

describe('buildMask size', () => {
  it('defaults to 1024x1024, takes width/height, and size overrides them', async () => {
    const region = [{ x: 0.1, y: 0.1, width: 0.5, height: 0.5, unit: 'fraction' as const }];
    assert.deepEqual((await buildMask({ regions: region })).info.width, 1024);
    const wh = await buildMask({ width: 30, height: 20, regions: region });
    assert.deepEqual([wh.info.width, wh.info.height], [30, 20]);
    const sized = await buildMask({ width: 30, height: 20, size: { width: 12, height: 7 }, regions: region });
    const grid = await decodeMask(sized.buffer);
    assert.deepEqual([grid.width, grid.height, sized.info.width, sized.info.height], [12, 7, 12, 7]);
  });

  it('takes the size of sourceImage (PNG, JPEG, WebP) over size and width/height', async () => {
    const source = new Jimp({ width: 37, height: 23, color: 0x336699ff });
    const png = await source.getBuffer('image/png');
    const jpeg = await source.getBuffer('image/jpeg');
    const webp = (
      await buildMask({
        width: 37,
        height: 23,
        format: 'webp',
        regions: [{ x: 0, y: 0, width: 5, height: 5 }],
      })
    ).buffer;
    for (const sourceImage of [
      png,
      jpeg,
      webp,
      png.toString('base64'),
      `data:image/png;base64,${png.toString('base64')}`,
    ]) {
      const { buffer, info } = await buildMask({
        sourceImage,
        size: { width: 100, height: 100 },
        width: 50,
        regions: [{ x: 0, y: 0, width: 0.5, height: 1, unit: 'fraction' }],
      });
      assert.deepEqual([info.width, info.height], [37, 23]);
      // 0.5 * 37 = 18.5 rounds to 19 columns.
      assertGrid(
        await decodeMask(buffer),
        gridFrom(37, 23, (px) => px < 19),
      );
    }
  });
});

describe('buildMask drawn masks', () => {
  it('thresholds luminance at 128 by default, transparency counts as black', async () => {
    // One pixel per case; columns: gray 127, gray 128, white alpha 0, white alpha 128, white alpha 127,
    // pure green (lum 149.7), pure red (lum 76.2), white.
    const colours: Array<[number, number, number, number]> = [
      [127, 127, 127, 255],
      [128, 128, 128, 255],
      [255, 255, 255, 0],
      [255, 255, 255, 128],
      [255, 255, 255, 127],
      [0, 255, 0, 255],
      [255, 0, 0, 255],
      [255, 255, 255, 255],
    ];
    const drawn = await pngFrom(8, 1, (x) => colours[x] as [number, number, number, number]);
    const { buffer, info } = await buildMask({ width: 8, height: 1, maskImage: drawn });
    assert.equal(picture(await decodeMask(buffer)), '.#.#.#.#');
    assert.equal(info.coverage, 4 / 8);

    const strict = await buildMask({ width: 8, height: 1, maskImage: drawn, threshold: 200 });
    assert.equal(picture(await decodeMask(strict.buffer)), '.......#');
    const inverted = await buildMask({ width: 8, height: 1, maskImage: drawn, invert: true });
    assert.equal(picture(await decodeMask(inverted.buffer)), '#.#.#.#.');
  });

  it('accepts base64, a data URL and a JSON-serialised Buffer, all giving the same mask', async () => {
    const drawn = await pngFrom(6, 4, (x, y) => (x > 2 && y > 0 ? [255, 255, 255, 255] : [0, 0, 0, 255]));
    const ref = (await buildMask({ width: 6, height: 4, maskImage: drawn })).buffer;
    for (const maskImage of [
      drawn.toString('base64'),
      `data:image/png;base64,${drawn.toString('base64')}`,
      JSON.parse(JSON.stringify(drawn)) as unknown,
      new Uint8Array(drawn),
    ]) {
      assert.deepEqual((await buildMask({ width: 6, height: 4, maskImage })).buffer, ref);
    }
  });

  it('resizes drawn masks by nearest neighbour to the target size, staying pure black/white', async () => {
    const pattern = ['#..#', '.##.', '#...'];
    const drawn = await pngFrom(4, 3, (x, y) =>
      pattern[y]?.[x] === '#' ? [250, 250, 250, 255] : [5, 5, 5, 255],
    );
    const up = await buildMask({ width: 8, height: 6, maskImage: drawn });
    assertGrid(
      await decodeMask(up.buffer),
      gridFrom(8, 6, (px, py) => pattern[py >> 1]?.[px >> 1] === '#'),
    );
  });

  it('samples like Jimp NEAREST_NEIGHBOR resize followed by the threshold, at odd ratios', async () => {
    const drawn = await pngFrom(13, 11, (x, y) => {
      const v = (x * 37 + y * 91) % 256;
      return [v, 255 - v, (x * y * 13) % 256, 255];
    });
    for (const [w, h] of [
      [7, 5],
      [29, 17],
      [13, 30],
    ] as const) {
      const { buffer } = await buildMask({ width: w, height: h, maskImage: drawn, threshold: 100 });
      const ref = (await Jimp.fromBuffer(drawn)).resize({ w, h, mode: ResizeStrategy.NEAREST_NEIGHBOR });
      const d = ref.bitmap.data;
      const expected = gridFrom(w, h, (px, py) => {
        const i = (py * w + px) * 4;
        return (299 * (d[i] ?? 0) + 587 * (d[i + 1] ?? 0) + 114 * (d[i + 2] ?? 0)) / 1000 >= 100;
      });
      assertGrid(await decodeMask(buffer), expected);
    }
  });

  it('takes a drawn mask over regions', async () => {
    const drawn = await pngFrom(4, 4, (x) => (x < 2 ? [255, 255, 255, 255] : [0, 0, 0, 255]));
    const { buffer } = await buildMask({
      width: 4,
      height: 4,
      maskImage: drawn,
      regions: [{ x: 2, y: 0, width: 2, height: 4 }],
    });
    assertGrid(
      await decodeMask(buffer),
      gridFrom(4, 4, (px) => px < 2),
    );
  });

  it('rejects an all-black drawing as MASK_EMPTY', async () => {
    const drawn = await pngFrom(4, 4, () => [255, 255, 255, 0]);
    await assert.rejects(buildMask({ width: 4, height: 4, maskImage: drawn }), { code: 'MASK_EMPTY' });
  });
});

describe('buildMask output', () => {
  const regions = [
    { x: 3, y: 2, width: 10, height: 7 },
    { x: 0.5, y: 0.4, width: 0.4, height: 0.5, unit: 'fraction' as const, shape: 'ellipse' as const },
  ];

  it('writes PNG as 8-bit grayscale (colour type 0) and WebP, both decoding to the same pixels', async () => {
    const png = await buildMask({ width: 40, height: 30, regions });
    const webp = await buildMask({ width: 40, height: 30, regions, format: 'webp' });
    assert.equal(png.buffer.toString('latin1', 12, 16), 'IHDR');
    assert.equal(png.buffer[24], 8, 'bit depth');
    assert.equal(png.buffer[25], 0, 'colour type grayscale');
    assert.equal(webp.buffer.toString('latin1', 0, 4), 'RIFF');
    assert.equal(webp.buffer.toString('latin1', 12, 16), 'VP8L', 'lossless');
    const a = await decodeMask(png.buffer);
    const b = await decodeMask(webp.buffer);
    assertGrid(b, a);
    assert.equal(png.info.coverage, coverageOf(a));
    assert.equal(webp.info.coverage, png.info.coverage);
    assert.deepEqual([webp.info.format, png.info.format], ['webp', 'png']);
  });

  it('returns bare base64 of the buffer and its byte count', async () => {
    const { mask, buffer, info } = await buildMask({ width: 40, height: 30, regions, format: 'webp' });
    assert.match(mask, /^[A-Za-z0-9+/]+=*$/);
    assert.deepEqual(Buffer.from(mask, 'base64'), buffer);
    assert.equal(info.bytes, buffer.length);
  });

  it('stops with MASK_ABORTED when the signal fires', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(buildMask({ regions }, { signal: controller.signal }), { code: 'MASK_ABORTED' });
  });
});
