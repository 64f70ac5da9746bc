// Hostile pictures made on the fly (nothing large is checked in): small files whose headers or
// compressed data promise far more than they are. A zlib stream of N zero bytes is built from one
// precomputed segment: after a full flush deflate starts afresh, so every MiB of zeros compresses
// to the same ~1 KB, and the 3.5 GiB bomb costs milliseconds to make.
import zlib from 'node:zlib';
import { pngChunk } from '../../src/core/mask/png-encode';

const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

let zeroMiB: Buffer | undefined;

/** A zlib stream that inflates to `length` zero bytes (Adler-32 included, so it is valid). */
export function zerosDeflate(length: number): Buffer {
  zeroMiB ??= zlib.deflateRawSync(Buffer.alloc(MiB), { level: 9, finishFlush: zlib.constants.Z_FULL_FLUSH });
  const whole = Math.floor(length / MiB);
  const rest = length - whole * MiB;
  const parts: Buffer[] = [Buffer.from([0x78, 0xda])];
  for (let i = 0; i < whole; i++) parts.push(zeroMiB);
  if (rest > 0) {
    parts.push(zlib.deflateRawSync(Buffer.alloc(rest), { finishFlush: zlib.constants.Z_FULL_FLUSH }));
  }
  parts.push(Buffer.from([0x03, 0x00])); // an empty final block
  // Adler-32 of zeros: the low sum stays 1, the high sum adds 1 per byte.
  const adler = Buffer.alloc(4);
  adler.writeUInt16BE(length % 65521, 0);
  adler.writeUInt16BE(1, 2);
  parts.push(adler);
  return Buffer.concat(parts);
}

export { pngChunk };

export function ihdr(
  width: number,
  height: number,
  opts: { colorType?: number; bitDepth?: number; interlace?: number } = {},
): Buffer {
  const body = Buffer.alloc(13);
  body.writeUInt32BE(width, 0);
  body.writeUInt32BE(height, 4);
  body[8] = opts.bitDepth ?? 8;
  body[9] = opts.colorType ?? 6;
  body[12] = opts.interlace ?? 0;
  return pngChunk('IHDR', body);
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function pngOf(...chunks: Buffer[]): Buffer {
  return Buffer.concat([PNG_SIGNATURE, ...chunks, pngChunk('IEND', Buffer.alloc(0))]);
}

/** Declares 1x1, interlaced, but its data inflates to `inflated` bytes (3.5 GiB: a 3.7 MB file). */
export function interlacedPngBomb(inflated = 3.5 * GiB): Buffer {
  return pngOf(ihdr(1, 1, { interlace: 1 }), pngChunk('IDAT', zerosDeflate(inflated)));
}

/** A 16x16 IHDR, then a second one of 16000x16000 with the data to fill it (a 1 MB file). */
export function secondIhdrPngBomb(): Buffer {
  const big = 16_000;
  return pngOf(ihdr(16, 16), ihdr(big, big), pngChunk('IDAT', zerosDeflate(big * (big * 4 + 1))));
}

/** A baseline JPEG whose frame header (SOF0) declares `width` x `height`, with no real scan. */
export function jpegDeclaring(width: number, height: number): Buffer {
  const sof = Buffer.from([
    0xff, 0xc0, 0x00, 0x11, 0x08, 0, 0, 0, 0, 0x03, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0,
  ]);
  sof.writeUInt16BE(height, 5);
  sof.writeUInt16BE(width, 7);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), sof, Buffer.from([0xff, 0xd9])]);
}

/** A JPEG with a small frame header first and a huge one after it. */
export function secondSofJpegBomb(): Buffer {
  const small = jpegDeclaring(16, 16);
  const large = jpegDeclaring(60_000, 60_000);
  return Buffer.concat([small.subarray(0, 2 + 19), large.subarray(2)]);
}

function riff(chunks: Buffer[]): Buffer {
  const body = Buffer.concat([Buffer.from('WEBP', 'latin1'), ...chunks]);
  const head = Buffer.alloc(8);
  head.write('RIFF', 0, 'latin1');
  head.writeUInt32LE(body.length, 4);
  return Buffer.concat([head, body]);
}

function riffChunk(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.write(type, 0, 'latin1');
  head.writeUInt32LE(body.length, 4);
  return Buffer.concat([head, body, body.length % 2 ? Buffer.alloc(1) : Buffer.alloc(0)]);
}

/** A VP8X (extended) WebP whose canvas is 16x16 but whose lossless bitstream declares 16384x16384. */
export function webpCanvasBomb(): Buffer {
  const vp8x = Buffer.alloc(10);
  vp8x.writeUIntLE(15, 4, 3);
  vp8x.writeUIntLE(15, 7, 3);
  const vp8l = Buffer.alloc(5 + 16);
  vp8l[0] = 0x2f;
  vp8l.writeUInt32LE(16383 | (16383 << 14), 1);
  return riff([riffChunk('VP8X', vp8x), riffChunk('VP8L', vp8l)]);
}

export interface Bomb {
  name: string;
  bytes: Buffer;
}

/** The two bombs measured against the previous design (they froze Node-RED for 15 s and 5 s). */
export function headlineBombs(): Bomb[] {
  return [
    { name: 'interlaced PNG, 1x1 inflating to 3.5 GiB', bytes: interlacedPngBomb() },
    { name: 'PNG with a second IHDR of 16000x16000', bytes: secondIhdrPngBomb() },
  ];
}

/**
 * A valid baseline JPEG of `width` x `height` flat mid-grey pixels, made in milliseconds at any size:
 * one-symbol Huffman tables make every 8x8 block two zero bits (DC difference 0, end of block), so
 * the scan is a run of zero bytes. Three components, no subsampling: the decoder's costliest layout.
 */
export function flatJpeg(width: number, height: number): Buffer {
  const segment = (marker: number, body: number[]): Buffer => {
    const out = Buffer.alloc(4 + body.length);
    out[0] = 0xff;
    out[1] = marker;
    out.writeUInt16BE(body.length + 2, 2);
    Buffer.from(body).copy(out, 4);
    return out;
  };
  const dqt = segment(0xdb, [0x00, ...new Array<number>(64).fill(1)]);
  const sof = segment(0xc0, [
    8,
    height >> 8,
    height & 255,
    width >> 8,
    width & 255,
    3,
    1,
    0x11,
    0,
    2,
    0x11,
    0,
    3,
    0x11,
    0,
  ]);
  const oneSymbol = (tableClass: number): number[] => [
    tableClass << 4,
    1,
    ...new Array<number>(15).fill(0),
    0,
  ];
  const dht = segment(0xc4, [...oneSymbol(0), ...oneSymbol(1)]);
  const sos = segment(0xda, [3, 1, 0x00, 2, 0x00, 3, 0x00, 0, 63, 0]);
  const blocks = 3 * Math.ceil(width / 8) * Math.ceil(height / 8);
  const bits = blocks * 2;
  const scan = Buffer.alloc(Math.ceil(bits / 8));
  // Pad the last byte with one bits, as the standard asks.
  if (bits % 8) scan[scan.length - 1] = (1 << (8 - (bits % 8))) - 1;
  return Buffer.concat([Buffer.from([0xff, 0xd8]), dqt, sof, dht, sos, scan, Buffer.from([0xff, 0xd9])]);
}
