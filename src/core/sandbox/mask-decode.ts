// Turns a Vary (Region) mask as TNL receives it (bare base64 or a data: URL of a PNG, WebP or JPEG)
// into a one-bit region: white (luminance >= 128) is the part to repaint.
import { decodePictureOffThread } from '../picture/decode-task';

export interface MaskBits {
  width: number;
  height: number;
  /** 1 = repaint, row-major. */
  bits: Uint8Array;
  whiteCount: number;
}

export type MaskProblem = 'undecodable' | 'no-white';

function bytesOf(mask: string): Buffer {
  // A mask sent as a GET query parameter may have lost its '+' signs to URL decoding.
  const b64 = mask
    .trim()
    .replace(/^data:[^,]*?;base64,/i, '')
    .replace(/ /g, '+')
    .replace(/\s/g, '');
  return Buffer.from(b64, 'base64');
}

/** Decodes and thresholds a mask, or says why it cannot be used. */
export async function decodeMask(mask: string): Promise<MaskBits | MaskProblem> {
  let pixels: { data: Buffer; width: number; height: number };
  try {
    pixels = await decodePictureOffThread(bytesOf(mask), { field: 'mask', subject: 'mask' });
  } catch {
    return 'undecodable';
  }
  const { data, width, height } = pixels;
  if (width < 1 || height < 1 || data.length < width * height * 4) return 'undecodable';
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
  if (whiteCount === 0) return 'no-white';
  return { width, height, bits, whiteCount };
}

/** Whether the mask's aspect ratio is within 2% of the image's. */
export function aspectMatches(
  mask: { width: number; height: number },
  image: { width: number; height: number },
): boolean {
  const ratio = mask.width / mask.height / (image.width / image.height);
  return Math.abs(ratio - 1) <= 0.02;
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
