// The sandbox's pictures, checked on pixels: distinct quadrants, U1 = quadrant 1, Vary (Region) only inside the mask.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Jimp } from 'jimp';
import { startSandbox, type Sandbox } from '../../src/core/sandbox/server';
import { VARY_REGION_BUTTON } from '../../src/core/tnl/types';
import { call, fetchImage, imagine, mask, press, region } from '../support/sandbox-http';

describe('sandbox images', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox({ stepMs: 5, imageSize: 128 });
  });
  after(() => sb.close());

  it('a grid is four different quadrants of the upscale size, --ar respected', async () => {
    const grid = await imagine(sb, 'a wide valley --ar 2:1');
    const image = await fetchImage(grid.imageUrl);
    assert.equal(image.width, 256);
    assert.equal(image.height, 128);
    const quads = [0, 1, 2, 3].map((i) => region(image, (i % 2) * 128, Math.floor(i / 2) * 64, 128, 64));
    for (let a = 0; a < 4; a++)
      for (let b = a + 1; b < 4; b++) assert.ok(!quads[a]!.equals(quads[b]!), `quadrants ${a} and ${b}`);
    // Each imageUrls entry is its quadrant.
    for (let i = 0; i < 4; i++) {
      const q = await fetchImage(grid.imageUrls[i]);
      assert.ok(region(q, 0, 0, 128, 64).equals(quads[i]!));
    }
  });

  it("U1's image is exactly quadrant 1", async () => {
    const grid = await imagine(sb, 'a lake');
    const up = await press(sb, grid.buttonMessageId, 'U1');
    const [gridImage, upImage] = await Promise.all([fetchImage(grid.imageUrl), fetchImage(up.imageUrl)]);
    assert.equal(upImage.width, 128);
    assert.equal(upImage.height, 128);
    assert.ok(region(gridImage, 0, 0, 128, 128).equals(region(upImage, 0, 0, 128, 128)));
    assert.ok(!region(gridImage, 128, 0, 128, 128).equals(region(upImage, 0, 0, 128, 128)));
  });

  it('different prompts give different pictures', async () => {
    const [a, b] = await Promise.all([imagine(sb, 'a red sun'), imagine(sb, 'a blue moon')]);
    const [ia, ib] = await Promise.all([fetchImage(a.imageUrls[0]), fetchImage(b.imageUrls[0])]);
    assert.ok(!ia.bitmap.data.equals(ib.bitmap.data));
  });

  it('Vary (Region) repaints every pixel inside the mask and none outside', async () => {
    const grid = await imagine(sb, 'a quiet street');
    const up = await press(sb, grid.buttonMessageId, 'U2');
    const base = await fetchImage(up.imageUrl);
    // A 64x64 mask scaled x2 onto the 128x128 image: white from (10,20) to (30,45) in mask pixels.
    const inMask = (x: number, y: number): boolean => x >= 10 && x < 30 && y >= 20 && y < 45;
    const varied = await press(sb, up.buttonMessageId, VARY_REGION_BUTTON, {
      prompt: 'a red car',
      mask: await mask(64, 64, inMask),
    });
    const gridImage = await fetchImage(varied.imageUrl);
    assert.equal(gridImage.width, 256);
    const repaints: Buffer[] = [];
    for (let i = 0; i < 4; i++) {
      const tile = await fetchImage(varied.imageUrls[i]);
      let inside = 0;
      let changedInside = 0;
      let changedOutside = 0;
      for (let y = 0; y < 128; y++) {
        for (let x = 0; x < 128; x++) {
          const same = tile.getPixelColor(x, y) === base.getPixelColor(x, y);
          if (inMask(Math.floor(x / 2), Math.floor(y / 2))) {
            inside++;
            if (!same) changedInside++;
          } else if (!same) changedOutside++;
        }
      }
      assert.equal(inside, 40 * 50);
      assert.equal(changedInside, inside, `quadrant ${i}: every masked pixel changes`);
      assert.equal(changedOutside, 0, `quadrant ${i}: nothing outside the mask changes`);
      repaints.push(region(tile, 20, 40, 40, 50));
    }
    assert.equal(
      new Set(repaints.map((r) => r.toString('hex'))).size,
      4,
      'each quadrant repaints differently',
    );
  });

  it('progressImageUrl points to a preview image', async () => {
    sb.configure({ stepMs: 30 });
    try {
      const ack = await call(sb, '/v2/imagine', { msg: 'a windmill' });
      let preview: string | null = null;
      for (let i = 0; i < 200 && !preview; i++) {
        const { json } = await call(sb, `/v2/message/${ack.json.messageId}`);
        if (json.progress === 100) break;
        preview = json.progressImageUrl ?? null;
        await new Promise((r) => setTimeout(r, 5));
      }
      assert.ok(preview, 'a preview url was offered');
      const image = await fetchImage(preview);
      assert.equal(image.width, 256);
    } finally {
      sb.configure({ stepMs: 5 });
    }
  });

  describe('refuseDirectImages', () => {
    it('answers 403 directly but returns the bytes through /getImage', async () => {
      const grid = await imagine(sb, 'a cliff');
      sb.configure({ refuseDirectImages: true });
      try {
        assert.equal((await fetch(grid.imageUrl)).status, 403);
        const res = await fetch(`${sb.url}/getImage`, {
          method: 'POST',
          headers: { authorization: `Bearer ${sb.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ imgUrl: grid.imageUrl }),
        });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('content-type'), 'image/png');
        const image = await Jimp.fromBuffer(Buffer.from(await res.arrayBuffer()));
        assert.equal(image.width, 256);
        const missing = await call(sb, '/getImage', { imgUrl: `${sb.url}/images/nothing.png` });
        assert.equal(missing.status, 404);
        assert.equal((await call(sb, '/getImage', { imgUrl: grid.imageUrl }, { auth: 'none' })).status, 401);
      } finally {
        sb.configure({ refuseDirectImages: false });
      }
    });
  });
});
