// Untrusted pictures (a drawn mask, a source image) arrive as a Buffer, a Uint8Array, bare base64,
// a data URL, or a Buffer that went through JSON ({type:'Buffer', data:[...]}). Their size is read
// from the file header before anything is decoded, so a small file claiming a huge picture (a
// decompression bomb) is refused without allocating its bitmap.

import { MaskError, describeValue } from './mask-error';
import { MASK_LIMITS } from './mask-limits';

export type ImageFormat = 'png' | 'jpeg' | 'webp';

export interface ImageHeader {
  format: ImageFormat;
  width: number;
  height: number;
}

const DATA_URL = /^data:[^,]{0,100};base64,/i;
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

function tooLarge(field: string, bytes: number): MaskError {
  return new MaskError(
    'MASK_TOO_LARGE',
    `${field} is ${bytes} bytes; the limit is ${MASK_LIMITS.maxInputBytes} bytes`,
  );
}

export function toImageBytes(value: unknown, field: string): Buffer {
  let bytes: Buffer;
  if (Buffer.isBuffer(value)) {
    bytes = value;
  } else if (value instanceof Uint8Array) {
    bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  } else if (typeof value === 'string') {
    // base64 is 4 characters for 3 bytes: refuse an oversized string before decoding it.
    if (value.length > Math.ceil(MASK_LIMITS.maxInputBytes / 3) * 4 + 200) {
      throw tooLarge(field, Math.floor((value.length * 3) / 4));
    }
    const text = value.trim().replace(DATA_URL, '').replace(/\s+/g, '');
    if (!text || !BASE64.test(text)) {
      throw new MaskError('MASK_BAD_IMAGE', `${field} is a string but not base64 or a base64 data URL`);
    }
    bytes = Buffer.from(text, text.includes('-') || text.includes('_') ? 'base64url' : 'base64');
  } else if (
    typeof value === 'object' &&
    value !== null &&
    (value as { type?: unknown }).type === 'Buffer' &&
    Array.isArray((value as { data?: unknown }).data)
  ) {
    const data = (value as { data: unknown[] }).data;
    if (data.length > MASK_LIMITS.maxInputBytes) throw tooLarge(field, data.length);
    if (!data.every((b) => typeof b === 'number' && Number.isInteger(b) && b >= 0 && b <= 255)) {
      throw new MaskError('MASK_BAD_IMAGE', `${field}.data must hold byte values 0..255`);
    }
    bytes = Buffer.from(data as number[]);
  } else {
    throw new MaskError(
      'MASK_BAD_IMAGE',
      `${field} must be a Buffer, base64 or a data URL (got ${describeValue(value)})`,
    );
  }
  if (bytes.length > MASK_LIMITS.maxInputBytes) throw tooLarge(field, bytes.length);
  if (bytes.length === 0) throw new MaskError('MASK_BAD_IMAGE', `${field} is empty`);
  return bytes;
}

function jpegSize(b: Buffer): { width: number; height: number } | undefined {
  let i = 2;
  while (i + 3 < b.length) {
    if (b[i] !== 0xff) return undefined;
    const marker = b[i + 1] as number;
    if (marker === 0xff) {
      i += 1; // fill byte
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return undefined; // end or scan before any frame header
    const length = b.readUInt16BE(i + 2);
    if (length < 2) return undefined;
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) {
      if (i + 9 > b.length) return undefined;
      return { height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7) };
    }
    i += 2 + length;
  }
  return undefined;
}

function webpSize(b: Buffer): { width: number; height: number } | undefined {
  if (b.length < 30) return undefined;
  const chunk = b.toString('latin1', 12, 16);
  if (chunk === 'VP8 ') {
    if (b[23] !== 0x9d || b[24] !== 0x01 || b[25] !== 0x2a) return undefined;
    return { width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff };
  }
  if (chunk === 'VP8L') {
    if (b[20] !== 0x2f) return undefined;
    const bits = b.readUInt32LE(21);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8X') return { width: b.readUIntLE(24, 3) + 1, height: b.readUIntLE(27, 3) + 1 };
  return undefined;
}

/** Format and pixel size from the header alone; PNG, JPEG and WebP only. */
export function readImageHeader(b: Buffer, field: string): ImageHeader {
  let header: ImageHeader | undefined;
  if (b.length >= 24 && b.readUInt32BE(0) === 0x89504e47 && b.readUInt32BE(4) === 0x0d0a1a0a) {
    if (b.toString('latin1', 12, 16) === 'IHDR') {
      header = { format: 'png', width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
    }
  } else if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) {
    const size = jpegSize(b);
    if (size) header = { format: 'jpeg', ...size };
  } else if (
    b.length >= 16 &&
    b.toString('latin1', 0, 4) === 'RIFF' &&
    b.toString('latin1', 8, 12) === 'WEBP'
  ) {
    const size = webpSize(b);
    if (size) header = { format: 'webp', ...size };
  } else {
    throw new MaskError('MASK_BAD_IMAGE', `${field} is not a PNG, JPEG or WebP image`);
  }
  if (!header || header.width < 1 || header.height < 1) {
    throw new MaskError('MASK_BAD_IMAGE', `${field} has a damaged or unreadable image header`);
  }
  if (header.width * header.height > MASK_LIMITS.maxInputPixels) {
    throw new MaskError(
      'MASK_TOO_LARGE',
      `${field} is ${header.width}x${header.height} pixels; the limit is ${MASK_LIMITS.maxInputPixels} pixels`,
    );
  }
  return header;
}
