// Decoding an untrusted picture, inside a picture worker. inspectPicture has checked every size the
// file declares; what it cannot see is how far compressed data inflates, so that is bounded too:
// the PNG decoder stops a plain PNG's data at the size its one IHDR implies, and an interlaced PNG
// (which that decoder inflates without a limit) is first inflated here with maxOutputLength set to
// its exact size. The JPEG decoder gets a memory budget from the frame it will decode.

import zlib from 'node:zlib';
import { inspectPicture, type InspectOptions, type PictureFormat, type PictureLayout } from './header';
import { PICTURE_LIMITS } from './limits';
import { tooLarge, unreadable } from './picture-error';
import { decodeWebp, type RgbaBitmap } from './webp';

export interface DecodedPicture extends RgbaBitmap {
  format: PictureFormat;
}

const MiB = 1024 * 1024;

/** jpeg-js keeps up to 4 components' blocks (16 B a pixel), lines and output: 30 B a pixel covers it. */
function jpegBudgetMb(width: number, height: number): number {
  return Math.ceil((width * height * 30) / MiB) + 16;
}

function idatData(bytes: Uint8Array): Buffer[] {
  const parts: Buffer[] = [];
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 8; i + 8 <= view.length;) {
    const length = view.readUInt32BE(i);
    const type = view.toString('latin1', i + 4, i + 8);
    if (type === 'IDAT') parts.push(view.subarray(i + 8, i + 8 + length));
    if (type === 'IEND') break;
    i += 12 + length;
  }
  return parts;
}

function checkInflation(bytes: Uint8Array, layout: PictureLayout, opts: InspectOptions): void {
  const expected = layout.inflatedBytes ?? 0;
  try {
    zlib.inflateSync(Buffer.concat(idatData(bytes)), { maxOutputLength: Math.max(1, expected) });
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
      throw tooLarge(
        `${opts.field} holds more data than the ${layout.width}x${layout.height} pixels it declares ` +
          '(a decompression bomb)',
        opts.subject,
      );
    }
    throw unreadable(`${opts.field}'s PNG data is damaged`, opts.subject);
  }
}

async function decodeChecked(
  bytes: Uint8Array,
  layout: PictureLayout,
  opts: InspectOptions,
): Promise<RgbaBitmap> {
  if (layout.format === 'webp') return decodeWebp(bytes);
  // Required here, not at the top: the codecs load only in a thread that decodes PNG or JPEG.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const codecs = require('./codecs') as typeof import('./codecs');
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (layout.format === 'png') return codecs.decodePng(buffer);
  const maxPixels = opts.maxPixels ?? PICTURE_LIMITS.maxInputPixels;
  return codecs.decodeJpeg(buffer, {
    maxResolutionInMP: maxPixels / 1e6,
    maxMemoryUsageInMB: jpegBudgetMb(layout.width, layout.height),
  });
}

/** RGBA pixels of a PNG, JPEG or WebP picture, or a PictureError. */
export async function decodePicture(bytes: Uint8Array, opts: InspectOptions): Promise<DecodedPicture> {
  const layout = inspectPicture(bytes, opts);
  if (layout.format === 'png' && layout.interlaced) checkInflation(bytes, layout, opts);
  let bitmap: RgbaBitmap;
  try {
    bitmap = await decodeChecked(bytes, layout, opts);
  } catch (err) {
    // The JPEG decoder's own limits are set from the caps; should one still trip, say so truly.
    if (/maxMemoryUsageInMB|maxResolutionInMP/.test((err as Error)?.message ?? '')) {
      throw tooLarge(`${opts.field} needs more memory to decode than the caps allow`, opts.subject);
    }
    // The decoder's own complaint about a damaged file (or a WebAssembly trap).
    throw unreadable(`${opts.field} could not be decoded as ${layout.format.toUpperCase()}`, opts.subject);
  }
  // A decoder must not disagree with the header that was checked (EXIF may turn a JPEG a quarter).
  const sameSize = bitmap.width === layout.width && bitmap.height === layout.height;
  const turned = layout.format === 'jpeg' && bitmap.width === layout.height && bitmap.height === layout.width;
  if ((!sameSize && !turned) || bitmap.data.length < bitmap.width * bitmap.height * 4) {
    throw unreadable(`${opts.field} decoded to a size that does not match its header`, opts.subject);
  }
  return { format: layout.format, data: bitmap.data, width: bitmap.width, height: bitmap.height };
}
