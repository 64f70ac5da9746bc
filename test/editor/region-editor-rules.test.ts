// The mask builder dialog's own modules, without a browser: the coverage and the reasons it shows
// are what the mask builder itself makes of the same regions (random rectangles, ellipses and
// polygons, in pixels and fractions), and the canvas geometry keeps rectangles on the picture.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildMask, MaskError } from '../../src/core/mask';
import { coverage, regionProblem, regionsProblem } from '../../src/editor/mask/coverage';
import { moveWithin, toEdges, toRegion } from '../../src/editor/mask/region-geometry';
import { prng } from '../support/prng';

function randomRegion(next: () => number, size: { width: number; height: number }): Record<string, unknown> {
  const fraction = next() < 0.5;
  const scaleX = fraction ? 1 : size.width;
  const scaleY = fraction ? 1 : size.height;
  const unit = fraction ? 'fraction' : next() < 0.5 ? 'px' : undefined;
  const kind = next();
  if (kind < 0.2) {
    const points = Array.from({ length: 3 + Math.floor(next() * 4) }, () => [
      (next() * 1.2 - 0.1) * scaleX,
      (next() * 1.2 - 0.1) * scaleY,
    ]);
    return { points, ...(unit ? { unit } : {}) };
  }
  return {
    x: (next() * 1.1 - 0.1) * scaleX,
    y: (next() * 1.1 - 0.1) * scaleY,
    width: next() * 0.6 * scaleX + (fraction ? 0.001 : 0.5),
    height: next() * 0.6 * scaleY + (fraction ? 0.001 : 0.5),
    ...(unit ? { unit } : {}),
    ...(kind < 0.5 ? { shape: 'ellipse' } : {}),
  };
}

describe("the dialog's coverage", () => {
  it('equals the coverage of the mask the builder makes, for 300 random region sets', async () => {
    const next = prng(20240611);
    let compared = 0;
    for (let run = 0; run < 300; run++) {
      const size = { width: 1 + Math.floor(next() * 240), height: 1 + Math.floor(next() * 240) };
      const invert = next() < 0.25;
      const regions = Array.from({ length: 1 + Math.floor(next() * 5) }, () => randomRegion(next, size));
      const valid = regions.filter((r, i) => regionProblem(r, i, size) === undefined);
      const shown = coverage(valid, size, invert);
      try {
        const { info } = await buildMask({ ...size, regions: valid, invert });
        assert.equal(shown, info.coverage, JSON.stringify({ size, invert, valid }));
        compared++;
      } catch (err) {
        // The builder refuses an empty mask; the dialog says so by showing 0 (or 100 % inverted).
        assert.ok(err instanceof MaskError && err.code === 'MASK_EMPTY', String(err));
        assert.equal(shown, 0, JSON.stringify({ size, invert, valid }));
      }
    }
    assert.ok(compared > 200, `only ${compared} masks compared`);
  });

  it("names a refused region and why, in the builder's words", async () => {
    const size = { width: 100, height: 50 };
    const regions = [
      { x: 0, y: 0, width: 10, height: 10 },
      { x: 200, y: 0, width: 10, height: 10 },
    ];
    assert.equal(regionProblem(regions[0], 0, size), undefined);
    const reason = regionProblem(regions[1], 1, size);
    await assert.rejects(buildMask({ ...size, regions }), (err: MaskError) => err.message === reason);
    assert.match(reason ?? '', /^regions\[1\]/);
    assert.equal(regionsProblem(regions, size), reason);
    assert.match(regionProblem({ x: 0, y: 0, width: 0, height: 1 }, 3, size) ?? '', /regions\[3\]\.width/);
  });
});

describe("the region editor's geometry", () => {
  it('stores a rectangle dragged in any direction as fractions on the picture, 4 decimals', () => {
    assert.deepEqual(toRegion({ x0: 0.7, y0: 0.5, x1: 0.1, y1: 0.2 }), {
      x: 0.1,
      y: 0.2,
      width: 0.6,
      height: 0.3,
      unit: 'fraction',
    });
    assert.deepEqual(toRegion({ x0: -0.5, y0: 0.123456, x1: 1.5, y1: 0.5 }), {
      x: 0,
      y: 0.1235,
      width: 1,
      height: 0.3765,
      unit: 'fraction',
    });
  });

  it('reads pixel rows with the mask size and keeps a moved rectangle whole on the picture', () => {
    assert.deepEqual(toEdges({ x: 256, y: 128, width: 512, height: 256 }, { width: 1024, height: 512 }), {
      x0: 0.25,
      y0: 0.25,
      x1: 0.75,
      y1: 0.75,
    });
    const moved = moveWithin({ x0: 0.6, y0: 0.6, x1: 0.9, y1: 0.8 }, 0.5, -0.9);
    assert.ok(Math.abs(moved.x0 - 0.7) < 1e-9 && Math.abs(moved.x1 - 1) < 1e-9, JSON.stringify(moved));
    assert.ok(moved.y0 === 0 && Math.abs(moved.y1 - 0.2) < 1e-9, JSON.stringify(moved));
  });
});
