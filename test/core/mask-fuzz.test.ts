// Random inputs to buildMask (seeded, reproducible): random JSON for every field, random bytes and
// damaged real images as drawn masks and sources. Each call must end, quickly, in a valid mask or a
// MaskError with a known code; never another throw, never MASK_INTERNAL.

import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { Jimp } from 'jimp';
import { buildMask, MaskError, type BuildMaskInput } from '../../src/core/mask';
import { prng } from '../support/prng';

const ITERATIONS = 2000;
const PER_CALL_TIMEOUT_MS = 10_000;
const SEED = Number(process.env.MASK_FUZZ_SEED ?? 20240611);

const KEYS = ['x', 'y', 'width', 'height', 'w', 'h', 'r', 'bbox', 'type', 'unit', 'shape', 'points', 'label'];
const STRINGS = [
  '',
  'rect',
  'circle',
  'ellipse',
  'fraction',
  'px',
  'png',
  'webp',
  '10',
  'NaN',
  '{"x":1}',
  '[]',
];
const NUMBERS = [
  0,
  -0,
  1,
  -1,
  0.5,
  2.5,
  7,
  63,
  64,
  65,
  4096,
  4097,
  1e9,
  -1e9,
  NaN,
  Infinity,
  -Infinity,
  1e-9,
];
const CODES = new Set([
  'MASK_EMPTY',
  'MASK_BAD_REGION',
  'MASK_BAD_SIZE',
  'MASK_BAD_IMAGE',
  'MASK_TOO_LARGE',
  'MASK_BAD_OPTION',
  'MASK_ABORTED',
  'MASK_ENCODE_FAILED',
]);

describe('buildMask on random input', () => {
  const images: Buffer[] = [];

  before(async () => {
    const base = new Jimp({ width: 12, height: 9, color: 0x000000ff });
    for (let i = 0; i < 30; i++) base.bitmap.data[i * 13] = 255;
    images.push(await base.getBuffer('image/png'), await base.getBuffer('image/jpeg'));
    images.push(
      (
        await buildMask({
          width: 12,
          height: 9,
          format: 'webp',
          regions: [{ x: 2, y: 2, width: 5, height: 4 }],
        })
      ).buffer,
    );
  });

  it(`survives ${ITERATIONS} random inputs (seed ${SEED})`, { timeout: 120_000 }, async () => {
    const rand = prng(SEED);
    const int = (n: number) => Math.floor(rand() * n);
    const pick = <T>(list: readonly T[]): T => list[int(list.length)] as T;
    const num = (): number => (rand() < 0.6 ? pick(NUMBERS) : (rand() - 0.3) * 80);

    const json = (depth: number): unknown => {
      const kind = int(depth > 2 ? 5 : 8);
      if (kind === 0) return num();
      if (kind === 1) return pick(STRINGS);
      if (kind === 2) return rand() < 0.5;
      if (kind === 3) return rand() < 0.5 ? null : undefined;
      if (kind === 4) return num();
      if (kind === 5 || kind === 6) {
        const obj: Record<string, unknown> = {};
        for (let i = int(6); i > 0; i--) obj[pick(KEYS)] = rand() < 0.7 ? num() : json(depth + 1);
        return obj;
      }
      return Array.from({ length: int(5) }, () => json(depth + 1));
    };
    const region = (): unknown => {
      if (rand() < 0.2) return json(1);
      const r: Record<string, unknown> = { x: num(), y: num(), width: num(), height: num() };
      if (rand() < 0.3) r.unit = pick(['fraction', 'px', 'bad']);
      if (rand() < 0.3) r.shape = pick(['ellipse', 'rect', 'star']);
      if (rand() < 0.2)
        r.points = Array.from({ length: int(7) }, () => (rand() < 0.9 ? [num(), num()] : json(2)));
      return r;
    };
    const annotation = (): unknown =>
      rand() < 0.5
        ? {
            type: pick(['rect', 'circle', 'line', undefined]),
            x: num(),
            y: num(),
            w: num(),
            h: num(),
            r: num(),
          }
        : { bbox: Array.from({ length: rand() < 0.9 ? 4 : int(6) }, num) };
    const bytes = (): unknown => {
      const choice = int(6);
      if (choice === 0) return Buffer.from(Array.from({ length: int(200) }, () => int(256)));
      if (choice === 5) return json(1);
      const image = Buffer.from(pick(images));
      if (choice === 1) return image.subarray(0, int(image.length));
      // Flip a few bytes, sometimes in the header where the size lives.
      for (let i = 1 + int(4); i > 0; i--) image[rand() < 0.3 ? int(40) : int(image.length)] = int(256);
      if (choice === 2) return image.toString('base64');
      if (choice === 3) return `data:image/png;base64,${image.toString('base64')}`;
      return image;
    };

    const codes = new Map<string, number>();
    for (let i = 0; i < ITERATIONS; i++) {
      const input: Record<string, unknown> = {};
      if (rand() < 0.4) {
        // Plausible input with random geometry, so that valid masks are built too, not only refusals.
        input.width = 1 + int(64);
        input.height = 1 + int(64);
        const plausible = () => ({
          x: rand() * 80 - 10,
          y: rand() * 80 - 10,
          width: rand() * 40,
          height: rand() * 40,
        });
        input.regions = Array.from({ length: 1 + int(4) }, () =>
          rand() < 0.2 ? { ...plausible(), shape: 'ellipse' } : plausible(),
        );
        if (rand() < 0.2) input.maskImage = pick(images);
        if (rand() < 0.3) input.format = 'webp';
        if (rand() < 0.3) input.invert = true;
      } else {
        if (rand() < 0.7) input.width = rand() < 0.8 ? 1 + int(64) : num();
        if (rand() < 0.7) input.height = rand() < 0.8 ? 1 + int(64) : num();
        if (rand() < 0.1) input.size = rand() < 0.7 ? { width: 1 + int(64), height: num() } : json(1);
        if (rand() < 0.6) input.regions = rand() < 0.8 ? Array.from({ length: int(5) }, region) : json(0);
        if (rand() < 0.3)
          input.annotations = rand() < 0.8 ? Array.from({ length: int(4) }, annotation) : json(0);
        if (rand() < 0.4) input.maskImage = bytes();
        if (rand() < 0.1) input.sourceImage = bytes();
        if (rand() < 0.2) input.format = pick(['png', 'webp', 'jpeg', 1]);
        if (rand() < 0.2) input.invert = pick([true, false, 'yes']);
        if (rand() < 0.2) input.threshold = pick([0, 1, 128, 255, 256, -1, NaN, '5']);
      }

      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`iteration ${i} hung`)), PER_CALL_TIMEOUT_MS);
      });
      try {
        const result = await Promise.race([buildMask(input as BuildMaskInput), timeout]);
        assert.ok(result.info.width >= 1 && result.info.width <= 4096, `iteration ${i}: width`);
        assert.ok(result.info.coverage > 0 && result.info.coverage <= 1, `iteration ${i}: coverage`);
        assert.equal(result.info.bytes, result.buffer.length);
        assert.equal(result.mask, result.buffer.toString('base64'));
        codes.set('ok', (codes.get('ok') ?? 0) + 1);
      } catch (err) {
        if (!(err instanceof MaskError)) {
          assert.fail(`iteration ${i} (seed ${SEED}) threw a non-MaskError: ${String(err)}`);
        }
        assert.ok(CODES.has(err.code), `iteration ${i} (seed ${SEED}): ${err.code}: ${err.message}`);
        assert.ok(err.message.length > 0);
        codes.set(err.code, (codes.get(err.code) ?? 0) + 1);
      } finally {
        clearTimeout(timer);
      }
    }
    if (process.env.MASK_FUZZ_VERBOSE) console.log(JSON.stringify([...codes]));
    // The generator must reach both outcomes, or it tests nothing.
    assert.ok((codes.get('ok') ?? 0) > 100, `few successes: ${JSON.stringify([...codes])}`);
    assert.ok((codes.get('MASK_BAD_IMAGE') ?? 0) > 20, `few image errors: ${JSON.stringify([...codes])}`);
    assert.ok((codes.get('MASK_BAD_REGION') ?? 0) > 50, `few region errors: ${JSON.stringify([...codes])}`);
  });
});
