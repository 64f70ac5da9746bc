// A one-channel PNG (grayscale, bit depth 8, colour type 0) written directly: a mask is only 0 and
// 255, so Jimp's RGBA PNG would deflate four times the bytes for the same picture.
//
// Rows use filter type 0 (None) and zlib's Z_RLE strategy. RLE only looks for runs (distance-1
// matches), which is what a black/white mask is made of: it deflates the raw rows about as fast as
// Up-filtered ones and far faster than the default strategy, so filtering would add a pass over
// every pixel for about 10% smaller files. Unfiltered rows also let the raster go to deflate as is.
// Deflate runs through zlib's async API, on the libuv thread pool, so the event loop stays free
// (inside a picture worker it frees that worker's loop the same way).

import zlib from 'node:zlib';
import { promisify } from 'node:util';
import type { MaskRaster } from './mask-raster';

/** The deflate settings of the mask PNG; the benchmark's floor uses the same ones. */
export const PNG_DEFLATE_OPTIONS: zlib.ZlibOptions = {
  level: 6,
  strategy: zlib.constants.Z_RLE,
};

const deflateAsync = promisify(zlib.deflate);

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

let crcTable: Int32Array | undefined;

function tableCrc32(data: Buffer, crc = 0): number {
  if (!crcTable) {
    crcTable = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c;
    }
  }
  let c = ~crc;
  for (let i = 0; i < data.length; i++)
    c = (crcTable[(c ^ (data[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return ~c >>> 0;
}

// zlib.crc32 (native) exists from Node 20.15 / 22.2; the table version covers older runtimes.
const nativeCrc32 = (zlib as { crc32?: (data: Buffer, value?: number) => number }).crc32;
export const crc32: (data: Buffer, crc?: number) => number = nativeCrc32
  ? (data, crc = 0) => nativeCrc32(data, crc)
  : tableCrc32;

/** One PNG chunk: length, type, body and the CRC of type and body. */
export function pngChunk(type: string, body: Buffer): Buffer {
  const out = Buffer.alloc(12 + body.length);
  out.writeUInt32BE(body.length, 0);
  out.write(type, 4, 'latin1');
  body.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + body.length)), 8 + body.length);
  return out;
}

export async function encodeGrayPng(raster: MaskRaster): Promise<Buffer> {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(raster.width, 0);
  ihdr.writeUInt32BE(raster.height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // colour type: grayscale
  // compression, filter method and interlace stay 0
  const idat = await deflateAsync(raster.data, PNG_DEFLATE_OPTIONS);
  return Buffer.concat([
    SIGNATURE,
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', idat),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}
