// What a picture says about itself before anything is decoded. readPictureSize reads the first size
// a file declares from a prefix of it (a ranged download, a msg.image); inspectPicture walks the
// whole file and checks every chunk or marker that declares a size, so a decoder that trusts a later
// one (a second PNG IHDR, a second JPEG frame, a WebP bitstream bigger than its canvas) never sees
// a file that claims more than the caps allow. Pure functions over bytes.

import { PICTURE_LIMITS } from './limits';
import { tooLarge, unreadable, type PictureSubject } from './picture-error';

export type PictureFormat = 'png' | 'jpeg' | 'webp';

export interface PictureSize {
  format: PictureFormat;
  width: number;
  height: number;
}

export interface PictureLayout extends PictureSize {
  /** PNG only: the exact size of the image data once inflated. */
  inflatedBytes?: number;
  /** PNG only: Adam7 interlacing. */
  interlaced?: boolean;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The format from the first bytes, or undefined; a prefix too short to tell is undefined too. */
export function sniffPictureFormat(bytes: Uint8Array): PictureFormat | undefined {
  if (bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 12 && ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return 'webp';
  return undefined;
}

function ascii(b: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end && i < b.length; i++) s += String.fromCharCode(b[i] as number);
  return s;
}

const u16be = (b: Uint8Array, i: number): number => ((b[i] as number) << 8) | (b[i + 1] as number);
const u32be = (b: Uint8Array, i: number): number => u16be(b, i) * 65536 + u16be(b, i + 2);
const u16le = (b: Uint8Array, i: number): number => (b[i] as number) | ((b[i + 1] as number) << 8);
const u24le = (b: Uint8Array, i: number): number => u16le(b, i) | ((b[i + 2] as number) << 16);
const u32le = (b: Uint8Array, i: number): number => u24le(b, i) + (b[i + 3] as number) * 16777216;

/** Whether `prefix` could still be the start of a PNG, JPEG or WebP file. */
function couldBePicture(prefix: Uint8Array): boolean {
  const n = prefix.length;
  const matches = (sig: ReadonlyArray<number | undefined>): boolean =>
    sig.every((b, i) => i >= n || b === undefined || prefix[i] === b);
  const riff = [0x52, 0x49, 0x46, 0x46, undefined, undefined, undefined, undefined, 0x57, 0x45, 0x42, 0x50];
  return matches(PNG_SIGNATURE) || matches([0xff, 0xd8, 0xff]) || matches(riff);
}

/** A JPEG marker that starts a frame (SOF0-15, except DHT, JPG and DAC, which share the range). */
function isFrameMarker(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

/** Markers with no length field: TEM, RST0-7, SOI, EOI. */
function isStandalone(marker: number): boolean {
  return marker === 0x01 || (marker >= 0xd0 && marker <= 0xd9);
}

type FoundSize = { width: number; height: number } | 'need-more' | undefined;

function jpegFirstFrame(b: Uint8Array): FoundSize {
  let i = 2;
  for (;;) {
    if (i + 4 > b.length) return 'need-more';
    if (b[i] !== 0xff) return undefined;
    const marker = b[i + 1] as number;
    if (marker === 0xff) {
      i += 1; // fill byte
      continue;
    }
    if (isStandalone(marker)) {
      if (marker === 0xd9) return undefined; // end of image before any frame
      i += 2;
      continue;
    }
    if (marker === 0xda) return undefined; // a scan before any frame header
    const length = u16be(b, i + 2);
    if (length < 2) return undefined;
    if (isFrameMarker(marker)) {
      if (i + 9 > b.length) return 'need-more';
      return { height: u16be(b, i + 5), width: u16be(b, i + 7) };
    }
    i += 2 + length;
  }
}

interface WebpBitstream {
  kind: 'VP8 ' | 'VP8L' | 'VP8X';
  width: number;
  height: number;
}

/** Sizes of one WebP chunk whose body starts at `at`; undefined when the chunk is damaged. */
function webpChunkSize(b: Uint8Array, kind: string, at: number): WebpBitstream | undefined | 'need-more' {
  if (kind === 'VP8 ') {
    if (at + 10 > b.length) return 'need-more';
    if (b[at + 3] !== 0x9d || b[at + 4] !== 0x01 || b[at + 5] !== 0x2a) return undefined;
    return { kind, width: u16le(b, at + 6) & 0x3fff, height: u16le(b, at + 8) & 0x3fff };
  }
  if (kind === 'VP8L') {
    if (at + 5 > b.length) return 'need-more';
    if (b[at] !== 0x2f) return undefined;
    const bits = u32le(b, at + 1);
    return { kind, width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (kind === 'VP8X') {
    if (at + 10 > b.length) return 'need-more';
    return { kind, width: u24le(b, at + 4) + 1, height: u24le(b, at + 7) + 1 };
  }
  return undefined;
}

/**
 * The size a picture declares first, from as many of its first bytes as are at hand: PNG's IHDR,
 * JPEG's frame header after any APPn (EXIF) segments, WebP's VP8/VP8L/VP8X header. 'need-more' when
 * the prefix ends before the size; undefined when the bytes are not (the start of) a PNG, JPEG or
 * WebP picture, or its header is damaged.
 */
export function readPictureSize(prefix: Uint8Array): PictureSize | 'need-more' | undefined {
  const format = sniffPictureFormat(prefix);
  if (!format) return couldBePicture(prefix) ? 'need-more' : undefined;
  let size: FoundSize;
  if (format === 'png') {
    if (prefix.length < 24) size = 'need-more';
    else if (ascii(prefix, 12, 16) !== 'IHDR') size = undefined;
    else size = { width: u32be(prefix, 16), height: u32be(prefix, 20) };
  } else if (format === 'jpeg') {
    size = jpegFirstFrame(prefix);
  } else {
    if (prefix.length < 20) return 'need-more';
    const chunk = webpChunkSize(prefix, ascii(prefix, 12, 16), 20);
    size =
      chunk === undefined || chunk === 'need-more' ? chunk : { width: chunk.width, height: chunk.height };
  }
  if (size === undefined || size === 'need-more') return size;
  if (size.width < 1 || size.height < 1) return undefined;
  return { format, ...size };
}

export interface InspectOptions {
  /** How the picture is named in messages. */
  field: string;
  subject?: PictureSubject;
  /** Default PICTURE_LIMITS.maxInputPixels. */
  maxPixels?: number;
}

function checkPixels(width: number, height: number, what: string, opts: InspectOptions): void {
  const maxPixels = opts.maxPixels ?? PICTURE_LIMITS.maxInputPixels;
  if (width < 1 || height < 1) throw unreadable(`${opts.field} declares an empty ${what}`, opts.subject);
  if (width * height > maxPixels) {
    throw tooLarge(
      `${opts.field} declares ${width}x${height} pixels${what === 'picture' ? '' : ` in its ${what}`}; ` +
        `the limit is ${maxPixels} pixels`,
      opts.subject,
    );
  }
}

/** PNG: channels per colour type, and the bit depths each allows. */
const PNG_COLOUR_TYPES: Record<number, { channels: number; depths: number[] }> = {
  0: { channels: 1, depths: [1, 2, 4, 8, 16] },
  2: { channels: 3, depths: [8, 16] },
  3: { channels: 1, depths: [1, 2, 4, 8] },
  4: { channels: 2, depths: [8, 16] },
  6: { channels: 4, depths: [8, 16] },
};

/** Adam7: x start, y start, x step, y step of each of the seven passes. */
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

/** Bytes of image data once inflated: each row is a filter byte and its packed pixels. */
export function pngInflatedBytes(
  width: number,
  height: number,
  bitsPerPixel: number,
  interlaced: boolean,
): number {
  const rows = (w: number, h: number): number =>
    w > 0 && h > 0 ? h * (1 + Math.ceil((w * bitsPerPixel) / 8)) : 0;
  if (!interlaced) return rows(width, height);
  let total = 0;
  for (const [x0, y0, dx, dy] of ADAM7) {
    total += rows(Math.ceil((width - x0) / dx), Math.ceil((height - y0) / dy));
  }
  return total;
}

function inspectPng(b: Uint8Array, opts: InspectOptions): PictureLayout {
  let i = 8;
  let header: { width: number; height: number; bits: number; interlaced: boolean } | undefined;
  let dataChunks = 0;
  while (i + 8 <= b.length) {
    const length = u32be(b, i);
    const type = ascii(b, i + 4, i + 8);
    if (i + 12 + length > b.length)
      throw unreadable(`${opts.field} is cut short (in its ${type} chunk)`, opts.subject);
    if (type === 'IHDR') {
      // A decoder takes the last IHDR it sees; only the first is what a size check would read.
      if (header) throw unreadable(`${opts.field} has a second IHDR chunk`, opts.subject);
      if (i !== 8 || length !== 13) throw unreadable(`${opts.field} has a damaged IHDR chunk`, opts.subject);
      const width = u32be(b, i + 8);
      const height = u32be(b, i + 12);
      checkPixels(width, height, 'picture', opts);
      const depth = b[i + 16] as number;
      const colour = PNG_COLOUR_TYPES[b[i + 17] as number];
      const interlace = b[i + 20] as number;
      if (!colour || !colour.depths.includes(depth) || interlace > 1) {
        throw unreadable(`${opts.field} has an unknown PNG pixel format`, opts.subject);
      }
      header = { width, height, bits: colour.channels * depth, interlaced: interlace === 1 };
    } else if (!header) {
      throw unreadable(`${opts.field} does not start with an IHDR chunk`, opts.subject);
    } else if (type === 'IDAT') {
      dataChunks++;
    } else if (type === 'IEND') {
      break;
    }
    i += 12 + length;
  }
  if (!header || dataChunks === 0) throw unreadable(`${opts.field} has no image data`, opts.subject);
  return {
    format: 'png',
    width: header.width,
    height: header.height,
    interlaced: header.interlaced,
    inflatedBytes: pngInflatedBytes(header.width, header.height, header.bits, header.interlaced),
  };
}

function inspectJpeg(b: Uint8Array, opts: InspectOptions): PictureLayout {
  let frame: { width: number; height: number } | undefined;
  let i = 2;
  let inScan = false;
  while (i + 1 < b.length) {
    if (inScan) {
      // Entropy-coded data: a marker is 0xFF followed by anything but 0x00 (a stuffed byte) or RSTn.
      i = b.indexOf(0xff, i);
      if (i < 0 || i + 1 >= b.length) break;
      const next = b[i + 1] as number;
      if (next === 0x00 || next === 0xff || (next >= 0xd0 && next <= 0xd7)) {
        i += next === 0xff ? 1 : 2;
        continue;
      }
      inScan = false;
    }
    if (b[i] !== 0xff) throw unreadable(`${opts.field} has a damaged JPEG marker`, opts.subject);
    const marker = b[i + 1] as number;
    if (marker === 0xff) {
      i++;
      continue;
    }
    if (isStandalone(marker)) {
      if (marker === 0xd9) break;
      i += 2;
      continue;
    }
    if (i + 4 > b.length) break;
    const length = u16be(b, i + 2);
    if (length < 2) throw unreadable(`${opts.field} has a damaged JPEG marker`, opts.subject);
    if (isFrameMarker(marker)) {
      if (i + 9 > b.length) break;
      if (frame) throw unreadable(`${opts.field} has more than one JPEG frame`, opts.subject);
      frame = { height: u16be(b, i + 5), width: u16be(b, i + 7) };
      checkPixels(frame.width, frame.height, 'picture', opts);
    } else if (marker === 0xda) {
      if (!frame) throw unreadable(`${opts.field} has a scan before its frame header`, opts.subject);
      inScan = true;
    }
    i += 2 + length;
  }
  if (!frame) throw unreadable(`${opts.field} has no JPEG frame header`, opts.subject);
  return { format: 'jpeg', ...frame };
}

function inspectWebp(b: Uint8Array, opts: InspectOptions): PictureLayout {
  const riffEnd = Math.min(b.length, 8 + u32le(b, 4));
  let canvas: WebpBitstream | undefined;
  let bitstream: WebpBitstream | undefined;
  let i = 12;
  while (i + 8 <= riffEnd) {
    const kind = ascii(b, i, i + 4);
    const length = u32le(b, i + 4);
    if (i + 8 + length > riffEnd)
      throw unreadable(`${opts.field} is cut short (in its ${kind} chunk)`, opts.subject);
    if (kind === 'ANIM' || kind === 'ANMF') {
      throw unreadable(`${opts.field} is an animated WebP, which is not supported`, opts.subject);
    }
    if (kind === 'VP8X' || kind === 'VP8 ' || kind === 'VP8L') {
      const size = webpChunkSize(b, kind, i + 8);
      if (size === undefined || size === 'need-more' || length < 5) {
        throw unreadable(`${opts.field} has a damaged ${kind.trim()} header`, opts.subject);
      }
      checkPixels(size.width, size.height, kind === 'VP8X' ? 'canvas' : 'bitstream', opts);
      if (kind === 'VP8X') {
        if (canvas || bitstream) throw unreadable(`${opts.field} has a misplaced VP8X chunk`, opts.subject);
        canvas = size;
      } else {
        if (bitstream) throw unreadable(`${opts.field} has more than one WebP bitstream`, opts.subject);
        bitstream = size;
      }
    }
    i += 8 + length + (length % 2);
  }
  if (!bitstream) throw unreadable(`${opts.field} has no WebP bitstream`, opts.subject);
  if (canvas && (canvas.width !== bitstream.width || canvas.height !== bitstream.height)) {
    throw unreadable(`${opts.field}'s WebP canvas and bitstream sizes differ`, opts.subject);
  }
  return { format: 'webp', width: bitstream.width, height: bitstream.height };
}

/**
 * The whole file's layout, after checking every size it declares against the caps. Throws
 * PictureError: 'too-large' for a size over the caps, 'unreadable' for anything damaged or not a
 * PNG, JPEG or WebP picture.
 */
export function inspectPicture(bytes: Uint8Array, opts: InspectOptions): PictureLayout {
  const format = sniffPictureFormat(bytes);
  if (format === 'png') return inspectPng(bytes, opts);
  if (format === 'jpeg') return inspectJpeg(bytes, opts);
  if (format === 'webp') return inspectWebp(bytes, opts);
  throw unreadable(`${opts.field} is not a PNG, JPEG or WebP picture`, opts.subject);
}

/**
 * The first declared size, checked against the caps, for callers that only need the size (the mask
 * builder sizing a mask after msg.image, vary-region checking a mask before sending it).
 */
export function readDeclaredSize(bytes: Uint8Array, opts: InspectOptions): PictureSize {
  const size = readPictureSize(bytes);
  if (size === undefined || size === 'need-more') {
    throw unreadable(
      sniffPictureFormat(bytes)
        ? `${opts.field} has a damaged or unreadable picture header`
        : `${opts.field} is not a PNG, JPEG or WebP picture`,
      opts.subject,
    );
  }
  checkPixels(size.width, size.height, 'picture', opts);
  return size;
}
