// The picture module's pure parts: every accepted input form, the declared size read from a prefix
// (truncated at every byte), the whole-file checks that stop bombs before any decoder, and the
// Vary (Region) mask check.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Jimp } from 'jimp';
import {
  inspectPicture,
  PICTURE_LIMITS,
  readMaskToSend,
  readPictureSize,
  toPictureBytes,
} from '../../src/core/picture';
import { encodeWebp } from '../../src/core/picture/webp';
import {
  flatJpeg,
  ihdr,
  interlacedPngBomb,
  jpegDeclaring,
  pngChunk,
  pngOf,
  secondIhdrPngBomb,
  secondSofJpegBomb,
  webpCanvasBomb,
  zerosDeflate,
} from '../support/picture-bombs';

const opts = { field: 'pic', subject: 'mask' as const };

async function png(width: number, height: number): Promise<Buffer> {
  return new Jimp({ width, height, color: 0x336699ff }).getBuffer('image/png');
}

/** A JPEG with an EXIF (APP1) segment of `exifBytes` before its frame header. */
function jpegWithExif(width: number, height: number, exifBytes: number): Buffer {
  const jpeg = flatJpeg(width, height);
  const app1 = Buffer.alloc(4 + exifBytes, 0x20);
  app1[0] = 0xff;
  app1[1] = 0xe1;
  app1.writeUInt16BE(exifBytes + 2, 2);
  app1.write('Exif\0\0', 4, 'latin1');
  return Buffer.concat([jpeg.subarray(0, 2), app1, jpeg.subarray(2)]);
}

describe('toPictureBytes', () => {
  it('takes a Buffer, a Uint8Array, base64, URL-safe base64, a data URL and a JSON Buffer alike', async () => {
    const bytes = await png(3, 2);
    const forms: unknown[] = [
      bytes,
      new Uint8Array(bytes),
      bytes.toString('base64'),
      bytes.toString('base64url'),
      `data:image/png;base64,${bytes.toString('base64')}`,
      `  ${bytes.toString('base64').replace(/(.{20})/g, '$1\n')}  `,
      JSON.parse(JSON.stringify(bytes)),
    ];
    for (const form of forms) assert.deepEqual(toPictureBytes(form, opts), bytes);
  });

  it('refuses what is no picture input with coded errors for its purpose', () => {
    for (const bad of [
      42,
      null,
      {},
      [],
      'not base64 at all!',
      'data:text/plain,hello',
      '',
      { type: 'Buffer', data: [300] },
    ]) {
      assert.throws(() => toPictureBytes(bad, opts), { code: 'MASK_BAD_IMAGE' }, String(bad));
      assert.throws(() => toPictureBytes(bad, { field: 'pic' }), { code: 'IMAGE_UNREADABLE' });
    }
  });

  it('refuses oversized input before decoding it', () => {
    assert.throws(() => toPictureBytes(Buffer.alloc(PICTURE_LIMITS.maxInputBytes + 1), opts), {
      code: 'MASK_TOO_LARGE',
      message: /limit is 20971520 bytes/,
    });
    assert.throws(() => toPictureBytes('A'.repeat(30_000_000), opts), { code: 'MASK_TOO_LARGE' });
    assert.throws(
      () => toPictureBytes({ type: 'Buffer', data: new Array(100).fill(0) }, { ...opts, maxBytes: 10 }),
      {
        code: 'MASK_TOO_LARGE',
      },
    );
  });
});

describe('readPictureSize from a prefix', () => {
  it('reads PNG, JPEG (after a 64 KB EXIF segment) and the three WebP headers', async () => {
    const source = await Jimp.read(await png(37, 21));
    const cases: Array<[string, Buffer, { width: number; height: number }]> = [
      ['png', await png(37, 21), { width: 37, height: 21 }],
      ['jpeg', await source.getBuffer('image/jpeg'), { width: 37, height: 21 }],
      ['jpeg', jpegWithExif(300, 200, 65_000), { width: 300, height: 200 }],
      ['webp', await encodeWebp(source.bitmap.data, 37, 21), { width: 37, height: 21 }],
      ['webp', webpCanvasBomb(), { width: 16, height: 16 }],
    ];
    // A lossy (VP8) header, as cameras and the web send them: frame tag, start code, 14-bit sizes.
    const vp8 = Buffer.alloc(30);
    vp8.write('RIFF', 0, 'latin1');
    vp8.writeUInt32LE(22, 4);
    vp8.write('WEBPVP8 ', 8, 'latin1');
    vp8.writeUInt32LE(10, 16);
    Buffer.from([0x9d, 0x01, 0x2a]).copy(vp8, 23);
    vp8.writeUInt16LE(640, 26);
    vp8.writeUInt16LE(480, 28);
    cases.push(['webp', vp8, { width: 640, height: 480 }]);
    for (const [format, bytes, size] of cases) {
      assert.deepEqual(readPictureSize(bytes), { format, ...size }, format);
    }
  });

  it("answers 'need-more' for every prefix too short to hold the size, never a wrong size", async () => {
    const pictures = [await png(37, 21), jpegWithExif(300, 200, 5000), webpCanvasBomb()];
    for (const whole of pictures) {
      const full = readPictureSize(whole);
      assert.ok(full && full !== 'need-more');
      let firstKnown = -1;
      for (let n = 0; n <= whole.length; n++) {
        const answer = readPictureSize(whole.subarray(0, n));
        if (answer === 'need-more') {
          assert.equal(firstKnown, -1, `need-more after the size was known (${full.format}, ${n} bytes)`);
          continue;
        }
        assert.deepEqual(answer, full, `${full.format} prefix of ${n} bytes`);
        if (firstKnown < 0) firstKnown = n;
      }
      assert.ok(
        firstKnown > 0 && firstKnown <= (full.format === 'jpeg' ? 5100 : 30),
        `${full.format}: ${firstKnown}`,
      );
    }
  });

  it('says undefined for what is not a picture or a damaged header', () => {
    assert.equal(readPictureSize(Buffer.from('GIF89a....')), undefined);
    assert.equal(readPictureSize(Buffer.from('hello world, not a picture')), undefined);
    const noIhdr = pngOf(pngChunk('tEXt', Buffer.from('x')));
    assert.equal(readPictureSize(noIhdr), undefined);
    assert.equal(readPictureSize(Buffer.from([0xff, 0xd8, 0xff, 0xd9, 0, 0])), undefined);
  });
});

describe('inspectPicture', () => {
  it('accepts real pictures and gives their layout', async () => {
    assert.deepEqual(inspectPicture(await png(5, 4), opts), {
      format: 'png',
      width: 5,
      height: 4,
      interlaced: false,
      inflatedBytes: 4 * (1 + 5 * 4),
    });
    assert.deepEqual(inspectPicture(flatJpeg(33, 17), opts), { format: 'jpeg', width: 33, height: 17 });
  });

  it('computes the exact inflated size of interlaced data (all seven passes)', () => {
    // 3x3 RGBA 8-bit: passes 1, 4 (2 of them: x=2), 6 (x=1), 7 (row 1): see Adam7.
    const layout = inspectPicture(
      pngOf(ihdr(3, 3, { interlace: 1 }), pngChunk('IDAT', zerosDeflate(1))),
      opts,
    );
    // pass1 1x1, pass4 1x1 (x=2,y=0), pass5 2x1 (y=2), pass6 1x2 (x=1), pass7 3x1 (y=1): rows of 1+4w bytes
    assert.equal(layout.inflatedBytes, 5 + 5 + 9 + 2 * 5 + 13);
  });

  it('stops every bomb at its header, with the code for its purpose', () => {
    const cases: Array<[string, Buffer, string, RegExp]> = [
      ['second IHDR', secondIhdrPngBomb(), 'MASK_BAD_IMAGE', /second IHDR/],
      ['second JPEG frame', secondSofJpegBomb(), 'MASK_BAD_IMAGE', /more than one JPEG frame/],
      ['WebP bitstream larger than its canvas', webpCanvasBomb(), 'MASK_TOO_LARGE', /16384x16384/],
      ['JPEG declaring 60000x60000', jpegDeclaring(60_000, 60_000), 'MASK_TOO_LARGE', /60000x60000/],
      [
        'PNG declaring 30000x30000',
        pngOf(ihdr(30_000, 30_000), pngChunk('IDAT', zerosDeflate(1))),
        'MASK_TOO_LARGE',
        /30000x30000/,
      ],
      ['PNG cut short', interlacedPngBomb(1 << 20).subarray(0, 500), 'MASK_BAD_IMAGE', /cut short/],
    ];
    for (const [name, bytes, code, message] of cases) {
      assert.throws(() => inspectPicture(bytes, opts), { code, message }, name);
    }
    assert.throws(() => inspectPicture(secondIhdrPngBomb(), { field: 'pic' }), { code: 'IMAGE_UNREADABLE' });
  });
});

describe('readMaskToSend', () => {
  it('returns bare base64, format and size of a mask in any form', async () => {
    const bytes = await png(48, 27);
    for (const form of [
      bytes,
      bytes.toString('base64'),
      `data:image/png;base64,${bytes.toString('base64')}`,
    ]) {
      const mask = readMaskToSend(form);
      assert.deepEqual(
        { base64: mask.base64, format: mask.format, width: mask.width, height: mask.height },
        { base64: bytes.toString('base64'), format: 'png', width: 48, height: 27 },
      );
      assert.deepEqual(mask.bytes, bytes);
    }
  });

  it('refuses a 74-byte PNG declaring 30000x30000 from its header, and masks over the byte cap', () => {
    const tiny = pngOf(ihdr(30_000, 30_000), pngChunk('IDAT', zerosDeflate(1)));
    assert.ok(tiny.length < 80, `${tiny.length} bytes`);
    assert.throws(() => readMaskToSend(tiny.toString('base64')), {
      code: 'MASK_TOO_LARGE',
      message: /30000x30000/,
    });
    assert.throws(() => readMaskToSend(Buffer.alloc(PICTURE_LIMITS.maxMaskBytes + 1)), {
      code: 'MASK_TOO_LARGE',
    });
    const wide = pngOf(ihdr(4097, 10), pngChunk('IDAT', zerosDeflate(1)));
    assert.throws(() => readMaskToSend(wide), { code: 'MASK_TOO_LARGE', message: /at most 4096/ });
  });

  it('refuses what is not a picture as MASK_BAD_IMAGE', () => {
    for (const bad of ['aGVsbG8gd29ybGQ=', '***', 'iVBORw0KGgo=', 42]) {
      assert.throws(() => readMaskToSend(bad), { code: 'MASK_BAD_IMAGE' }, String(bad));
    }
  });
});
