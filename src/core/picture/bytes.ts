// Untrusted pictures arrive as a Buffer, a Uint8Array, bare base64 (standard or URL-safe), a data
// URL, or a Buffer that went through JSON ({type: 'Buffer', data: [...]}). This turns any of them
// into bytes, refusing oversized input before decoding it. Clean base64 is decoded in one native
// pass and checked by its length; only text with whitespace or stray characters takes the slower,
// strict path.

import { PICTURE_LIMITS } from './limits';
import { tooLarge, unreadable, type PictureSubject } from './picture-error';

const DATA_URL = /^data:[^,]{0,100},/i;
const BASE64_DATA_URL = /;base64,$/i;
const STRICT_BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

export interface BytesOptions {
  /** How the value is named in messages, e.g. 'msg.maskImage'. */
  field: string;
  subject?: PictureSubject;
  /** Default PICTURE_LIMITS.maxInputBytes. */
  maxBytes?: number;
}

/** A short, safe rendering of a value's type for a message (never the value itself). */
export function describeKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return 'a string';
  return typeof value === 'object' ? 'an object' : typeof value;
}

function decodeBase64(text: string, opts: Required<BytesOptions>): Buffer {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const bytes = Buffer.from(text, 'base64');
  if (text.length % 4 !== 1 && bytes.length === Math.floor((text.length * 3) / 4) - padding) return bytes;
  // Whitespace (line-wrapped base64) or characters outside the alphabet: check strictly.
  const compact = text.replace(/\s+/g, '');
  if (!STRICT_BASE64.test(compact) || compact.length % 4 === 1) {
    throw unreadable(`${opts.field} is a string but not base64 or a base64 data URL`, opts.subject);
  }
  return Buffer.from(compact, 'base64');
}

function fromJsonBuffer(data: unknown[], opts: Required<BytesOptions>): Buffer {
  if (data.length > opts.maxBytes) {
    throw tooLarge(
      `${opts.field} is ${data.length} bytes; the limit is ${opts.maxBytes} bytes`,
      opts.subject,
    );
  }
  const bytes = Buffer.allocUnsafe(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (typeof v !== 'number' || (v & 0xff) !== v) {
      throw unreadable(`${opts.field}.data must hold byte values 0..255`, opts.subject);
    }
    bytes[i] = v;
  }
  return bytes;
}

/** The bytes of a picture given in any of the accepted forms; throws PictureError. */
export function toPictureBytes(value: unknown, options: BytesOptions): Buffer {
  const opts: Required<BytesOptions> = {
    subject: 'image',
    maxBytes: PICTURE_LIMITS.maxInputBytes,
    ...options,
  };
  let bytes: Buffer;
  if (Buffer.isBuffer(value)) {
    bytes = value;
  } else if (value instanceof Uint8Array) {
    bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  } else if (typeof value === 'string') {
    // base64 is 4 characters for 3 bytes: refuse an oversized string before decoding it.
    if (value.length > Math.ceil(opts.maxBytes / 3) * 4 + 200) {
      throw tooLarge(
        `${opts.field} is about ${Math.floor((value.length * 3) / 4)} bytes; the limit is ${opts.maxBytes} bytes`,
        opts.subject,
      );
    }
    let text = value.trim();
    const prefix = DATA_URL.exec(text);
    if (prefix) {
      if (!BASE64_DATA_URL.test(prefix[0])) {
        throw unreadable(`${opts.field} is a data URL that is not base64-encoded`, opts.subject);
      }
      text = text.slice(prefix[0].length);
    }
    if (text.length === 0) throw unreadable(`${opts.field} is empty`, opts.subject);
    bytes = decodeBase64(text, opts);
  } else if (
    typeof value === 'object' &&
    value !== null &&
    (value as { type?: unknown }).type === 'Buffer' &&
    Array.isArray((value as { data?: unknown }).data)
  ) {
    bytes = fromJsonBuffer((value as { data: unknown[] }).data, opts);
  } else {
    throw unreadable(
      `${opts.field} must be a Buffer, base64 or a data URL (got ${describeKind(value)})`,
      opts.subject,
    );
  }
  if (bytes.length > opts.maxBytes) {
    throw tooLarge(
      `${opts.field} is ${bytes.length} bytes; the limit is ${opts.maxBytes} bytes`,
      opts.subject,
    );
  }
  if (bytes.length === 0) throw unreadable(`${opts.field} is empty`, opts.subject);
  return bytes;
}

/** Whether a value has one of the forms toPictureBytes accepts (without decoding it). */
export function looksLikePicture(value: unknown): boolean {
  return (
    Buffer.isBuffer(value) ||
    value instanceof Uint8Array ||
    (typeof value === 'string' && value.length > 0) ||
    (typeof value === 'object' &&
      value !== null &&
      (value as { type?: unknown }).type === 'Buffer' &&
      Array.isArray((value as { data?: unknown }).data))
  );
}
