// A Vary (Region) mask as a flow hands it over (Buffer, base64, data URL), checked before anything
// is sent: a wasted submit costs a rate-limit slot and, on a real service, credits. Only the header
// is read, so a 74-byte PNG declaring 30000x30000 is refused at once.

import { toPictureBytes } from './bytes';
import { readDeclaredSize, type PictureFormat } from './header';
import { PICTURE_LIMITS } from './limits';
import { tooLarge } from './picture-error';

export interface MaskToSend {
  bytes: Buffer;
  /** Bare standard base64 (no data: prefix), as the APIs' `mask` field wants it. */
  base64: string;
  format: PictureFormat;
  width: number;
  height: number;
}

/**
 * Decodes `value` to bytes, reads the format and declared size, and refuses a mask over the mask
 * builder's caps (bytes, side) with a PictureError coded MASK_TOO_LARGE; anything that is not a PNG,
 * JPEG or WebP picture is a PictureError coded MASK_BAD_IMAGE.
 */
export function readMaskToSend(value: unknown, field = 'msg.mask'): MaskToSend {
  const opts = { field, subject: 'mask' as const, maxBytes: PICTURE_LIMITS.maxMaskBytes };
  const bytes = toPictureBytes(value, opts);
  const size = readDeclaredSize(bytes, opts);
  if (size.width > PICTURE_LIMITS.maxMaskSide || size.height > PICTURE_LIMITS.maxMaskSide) {
    throw tooLarge(
      `${field} is ${size.width}x${size.height}; a mask side is at most ${PICTURE_LIMITS.maxMaskSide} pixels`,
      'mask',
    );
  }
  return { bytes, base64: bytes.toString('base64'), ...size };
}
