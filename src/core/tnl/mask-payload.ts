// Turns whatever a flow hands over as a Vary (Region) mask into the bare base64 TNL expects, and
// refuses what cannot be an image before any request is made (a wasted submit costs a rate-limit
// slot and, on the real service, credits).
import { ApiError } from '../api/errors';

/** Larger than any sensible mask (a 4096² PNG of two rectangles is tens of kilobytes). */
export const MAX_MASK_BYTES = 10 * 1024 * 1024;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const BASE64URL = /^[A-Za-z0-9_-]*={0,2}$/;

export type MaskFormat = 'png' | 'jpeg' | 'webp';

function sniffImageFormat(bytes: Buffer): MaskFormat | undefined {
  if (bytes.length >= 8 && bytes.readUInt32BE(0) === 0x89504e47 && bytes.readUInt32BE(4) === 0x0d0a1a0a) {
    return 'png';
  }
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (
    bytes.length >= 12 &&
    bytes.toString('latin1', 0, 4) === 'RIFF' &&
    bytes.toString('latin1', 8, 12) === 'WEBP'
  ) {
    return 'webp';
  }
  return undefined;
}

function invalid(reason: string): ApiError {
  return new ApiError({ code: 'INVALID_INPUT', message: `Invalid mask: ${reason}`, sent: false });
}

/**
 * Accepts a Buffer, a data: URL or bare base64 (standard or URL-safe) of a PNG, WebP or JPEG and
 * returns bare standard base64. Throws ApiError INVALID_INPUT (sent: false) otherwise.
 */
export function toBareBase64Mask(input: unknown): { base64: string; format: MaskFormat; bytes: number } {
  let bytes: Buffer;
  if (Buffer.isBuffer(input)) {
    bytes = input;
  } else if (typeof input === 'string') {
    let text = input.trim();
    const dataUrl = /^data:([^;,]*)(;base64)?,/i.exec(text);
    if (dataUrl) {
      if (!dataUrl[2]) throw invalid('a data: URL must be base64-encoded');
      text = text.slice(dataUrl[0].length);
    }
    text = text.replace(/\s+/g, '');
    if (text.length === 0) throw invalid('it is empty');
    if (text.length > (MAX_MASK_BYTES * 4) / 3 + 4)
      throw invalid(`it is larger than ${MAX_MASK_BYTES} bytes`);
    if (BASE64.test(text)) bytes = Buffer.from(text, 'base64');
    else if (BASE64URL.test(text)) bytes = Buffer.from(text, 'base64url');
    else throw invalid('it is not base64');
  } else {
    throw invalid(`expected a Buffer or a base64 string, got ${input === null ? 'null' : typeof input}`);
  }
  if (bytes.length === 0) throw invalid('it is empty');
  if (bytes.length > MAX_MASK_BYTES) throw invalid(`it is larger than ${MAX_MASK_BYTES} bytes`);
  const format = sniffImageFormat(bytes);
  if (!format) throw invalid('it is not a PNG, WebP or JPEG image');
  return { base64: bytes.toString('base64'), format, bytes: bytes.length };
}
