// The thumbnail core on real pixels: size and aspect, formats in and out, no enlarging, bad input.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Jimp } from 'jimp';
import { makeThumbnail, thumbnailDataUrl, thumbnailSize } from '../../src/core/image/thumbnail';
import { encodeWebp } from '../../src/core/picture/webp';

const RED = 0xff0000ff;
const BLUE = 0x0000ffff;

/** Left half red, right half blue, so a mirrored or shifted resize would show. */
async function halves(width: number, height: number): Promise<Buffer> {
  const image = new Jimp({ width, height, color: RED });
  for (let y = 0; y < height; y++)
    for (let x = Math.floor(width / 2); x < width; x++) image.setPixelColor(BLUE, x, y);
  return image.getBuffer('image/png');
}

function pixel(image: { bitmap: { data: Buffer; width: number } }, x: number, y: number): number[] {
  const i = (y * image.bitmap.width + x) * 4;
  return [...image.bitmap.data.subarray(i, i + 4)];
}

describe('thumbnailSize', () => {
  it('brings the long side to the limit and keeps the aspect', () => {
    assert.deepEqual(thumbnailSize(1024, 512, 160), { width: 160, height: 80 });
    assert.deepEqual(thumbnailSize(300, 1200, 160), { width: 40, height: 160 });
    assert.deepEqual(thumbnailSize(5000, 3, 160), { width: 160, height: 1 });
  });
  it('never enlarges', () => {
    assert.deepEqual(thumbnailSize(100, 50, 160), { width: 100, height: 50 });
  });
});

describe('makeThumbnail', () => {
  it('shrinks a wide PNG to the long side, same picture, same aspect', async () => {
    const thumb = await makeThumbnail(await halves(1000, 400), { maxSide: 160 });
    assert.equal(thumb.mime, 'image/png');
    assert.deepEqual(
      [thumb.width, thumb.height, thumb.sourceWidth, thumb.sourceHeight],
      [160, 64, 1000, 400],
    );
    const decoded = await Jimp.read(thumb.data);
    assert.deepEqual([decoded.width, decoded.height], [160, 64]);
    assert.deepEqual(pixel(decoded, 10, 32), [255, 0, 0, 255]);
    assert.deepEqual(pixel(decoded, 150, 32), [0, 0, 255, 255]);
    assert.ok(thumb.data.length < 4000, `${thumb.data.length} bytes`);
  });

  it('makes JPEG from base64 and data URLs of a tall picture', async () => {
    const png = await halves(300, 900);
    for (const input of [png.toString('base64'), `data:image/png;base64,${png.toString('base64')}`]) {
      const thumb = await makeThumbnail(input, { format: 'jpeg', maxSide: 90 });
      assert.equal(thumb.mime, 'image/jpeg');
      const decoded = await Jimp.read(thumb.data);
      assert.deepEqual([decoded.width, decoded.height], [30, 90]);
      const [r, , b] = pixel(decoded, 3, 45);
      assert.ok(r! > 200 && b! < 60, `left is red: ${pixel(decoded, 3, 45).join(',')}`);
    }
  });

  it('reads WebP', async () => {
    const source = await Jimp.read(await halves(320, 320));
    const webp = await encodeWebp(source.bitmap.data, 320, 320);
    const thumb = await makeThumbnail(webp, { maxSide: 32 });
    assert.deepEqual([thumb.width, thumb.height], [32, 32]);
  });

  it('keeps a small picture at its size', async () => {
    const thumb = await makeThumbnail(await halves(40, 20));
    assert.deepEqual([thumb.width, thumb.height], [40, 20]);
  });

  it('gives a data URL of its bytes', async () => {
    const thumb = await makeThumbnail(await halves(8, 8));
    const url = thumbnailDataUrl(thumb);
    assert.ok(url.startsWith('data:image/png;base64,'));
    assert.deepEqual(Buffer.from(url.split(',')[1]!, 'base64'), thumb.data);
  });

  it('refuses what is not a picture, and a header claiming too many pixels', async () => {
    // Thumbnails are result pictures, not masks: their codes say IMAGE_.
    await assert.rejects(makeThumbnail(Buffer.from('not an image')), { code: 'IMAGE_UNREADABLE' });
    const huge = await halves(4, 4);
    huge.writeUInt32BE(100_000, 16);
    huge.writeUInt32BE(100_000, 20);
    await assert.rejects(makeThumbnail(huge), { code: 'IMAGE_TOO_LARGE' });
  });
});
