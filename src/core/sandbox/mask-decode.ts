// Turns a Vary (Region) mask into a one-bit region: white (luminance >= 128) is the part to repaint.
// The mask's header is read first: a few bytes declaring a huge picture, or a picture of another
// shape than the one it repaints, is refused before a single pixel is allocated.
import { decodePictureOffThread } from '../picture/decode-task';
import { readDeclaredSize, type PictureSize } from '../picture/header';
import { PICTURE_LIMITS } from '../picture/limits';

type Declared = PictureSize;

export interface MaskBits {
  width: number;
  height: number;
  /** 1 = repaint, row-major. */
  bits: Uint8Array;
  whiteCount: number;
}

export type MaskProblem = 'undecodable' | 'too-large' | 'wrong-aspect' | 'no-white';

/** Why a mask cannot be used, in words a failure reason can carry. */
export interface MaskRefusal {
  problem: MaskProblem;
  detail: string;
}

/** Midjourney's largest picture side; a mask larger than that on any side is refused unread. */
export const MASK_MAX_SIDE = PICTURE_LIMITS.maxMaskSide;
/** How far (as a share) a mask's aspect ratio may be from the picture's: Midjourney lays it over the picture. */
export const ASPECT_TOLERANCE = 0.02;

/** The bytes of a mask sent as bare base64 or a `data:` URL of any type (TNL accepts both). */
export function maskBytes(mask: string): Buffer {
  // A mask sent as a GET query parameter may have lost its '+' signs to URL decoding.
  const b64 = mask
    .trim()
    .replace(/^data:[^,]{0,100};base64,/i, '')
    .replace(/ /g, '+')
    .replace(/\s/g, '');
  return Buffer.from(b64, 'base64');
}

/** Whether the mask's aspect ratio is within 2% of the picture's. */
export function aspectMatches(
  mask: { width: number; height: number },
  picture: { width: number; height: number },
): boolean {
  const ratio = mask.width / mask.height / (picture.width / picture.height);
  return Math.abs(ratio - 1) <= ASPECT_TOLERANCE;
}

function header(bytes: Buffer): Declared | MaskRefusal {
  let found: Declared;
  try {
    found = readDeclaredSize(bytes, { field: 'the mask', subject: 'mask' });
  } catch (err) {
    const tooLarge = (err as { code?: unknown }).code === 'MASK_TOO_LARGE';
    return {
      problem: tooLarge ? 'too-large' : 'undecodable',
      detail: err instanceof Error ? err.message : 'the mask is not a picture',
    };
  }
  if (found.width > MASK_MAX_SIDE || found.height > MASK_MAX_SIDE) {
    return {
      problem: 'too-large',
      detail: `the mask is ${found.width}x${found.height}; its sides may be ${MASK_MAX_SIDE} pixels at most`,
    };
  }
  return found;
}

/** Checks, decodes and thresholds the mask of a repaint of `picture`, or says why it cannot be used. */
export async function decodeMask(
  bytes: Buffer,
  picture: { width: number; height: number },
): Promise<MaskBits | MaskRefusal> {
  const declared = header(bytes);
  if ('problem' in declared) return declared;
  if (!aspectMatches(declared, picture)) {
    return {
      problem: 'wrong-aspect',
      detail:
        `the mask is ${declared.width}x${declared.height} and the picture ${picture.width}x${picture.height}: ` +
        'their aspect ratios differ by more than 2%',
    };
  }
  let pixels: { data: Buffer; width: number; height: number };
  try {
    // Off the event loop, in a worker bounded in time and memory: the sandbox runs beside the tests.
    pixels = await decodePictureOffThread(bytes, { field: 'the mask', subject: 'mask' });
  } catch {
    return {
      problem: 'undecodable',
      detail: `the mask's ${declared.format.toUpperCase()} data does not decode`,
    };
  }
  const { data, width, height } = pixels;
  // The header was checked, not the data: a decoder that found another size is not trusted either.
  if (width !== declared.width || height !== declared.height || data.length < width * height * 4) {
    return { problem: 'undecodable', detail: 'the mask decodes to another size than its header declares' };
  }
  const bits = new Uint8Array(width * height);
  let whiteCount = 0;
  for (let i = 0, p = 0; i < bits.length; i++, p += 4) {
    // Masks are meant to be opaque; a transparent pixel is read as laid over black.
    const alpha = (data[p + 3] ?? 255) / 255;
    const lum = (0.299 * (data[p] ?? 0) + 0.587 * (data[p + 1] ?? 0) + 0.114 * (data[p + 2] ?? 0)) * alpha;
    if (lum >= 128) {
      bits[i] = 1;
      whiteCount++;
    }
  }
  if (whiteCount === 0) return { problem: 'no-white', detail: 'the mask has no white pixel to repaint' };
  return { width, height, bits, whiteCount };
}

/** The mask scaled (nearest neighbour) to the image's size. */
export function scaleMask(mask: MaskBits, width: number, height: number): Uint8Array {
  if (mask.width === width && mask.height === height) return mask.bits;
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(mask.height - 1, Math.floor((y * mask.height) / height));
    for (let x = 0; x < width; x++) {
      const sx = Math.min(mask.width - 1, Math.floor((x * mask.width) / width));
      out[y * width + x] = mask.bits[sy * mask.width + sx] ?? 0;
    }
  }
  return out;
}
