// Small previews of result pictures and masks, made on the server so the editor only ever receives
// a few kilobytes. The header is checked against the pixel cap before decoding (the same guard the
// mask builder uses), and a picture already small enough is never enlarged.

import { Jimp, ResizeStrategy } from 'jimp';
import { decodeImage } from '../mask/drawn-mask';
import { toImageBytes } from '../mask/image-input';

export type ThumbnailFormat = 'png' | 'jpeg';

export interface ThumbnailOptions {
  /** Longest side of the thumbnail in pixels (default 160). */
  maxSide?: number;
  /** PNG keeps masks crisp and transparency; JPEG keeps photographs small (default png). */
  format?: ThumbnailFormat;
  /** JPEG quality 1..100 (default 80). */
  quality?: number;
}

export interface Thumbnail {
  data: Buffer;
  mime: 'image/png' | 'image/jpeg';
  width: number;
  height: number;
  sourceWidth: number;
  sourceHeight: number;
}

export const DEFAULT_THUMBNAIL_SIDE = 160;

/** The thumbnail's size: the long side becomes `maxSide` (never larger than the source). */
export function thumbnailSize(
  width: number,
  height: number,
  maxSide: number,
): { width: number; height: number } {
  const scale = Math.min(1, maxSide / Math.max(width, height));
  return {
    width: Math.max(1, Math.round(width * scale)),
    height: Math.max(1, Math.round(height * scale)),
  };
}

/** `image` is a Buffer, bare base64 or a data URL of a PNG, JPEG or WebP picture. */
export async function makeThumbnail(image: unknown, options: ThumbnailOptions = {}): Promise<Thumbnail> {
  const maxSide = Math.max(1, Math.floor(options.maxSide ?? DEFAULT_THUMBNAIL_SIDE));
  const format = options.format ?? 'png';
  const bitmap = await decodeImage(toImageBytes(image, 'The image'), 'The image');
  const size = thumbnailSize(bitmap.width, bitmap.height, maxSide);
  const picture = Jimp.fromBitmap({ data: bitmap.data, width: bitmap.width, height: bitmap.height });
  if (size.width !== bitmap.width || size.height !== bitmap.height) {
    // Bilinear sampling of a 6x reduction skips most pixels; Hermite averages them (no aliasing).
    picture.resize({ w: size.width, h: size.height, mode: ResizeStrategy.HERMITE });
  }
  const data =
    format === 'jpeg'
      ? await picture.getBuffer('image/jpeg', { quality: options.quality ?? 80 })
      : await picture.getBuffer('image/png');
  return {
    data,
    mime: format === 'jpeg' ? 'image/jpeg' : 'image/png',
    width: picture.bitmap.width,
    height: picture.bitmap.height,
    sourceWidth: bitmap.width,
    sourceHeight: bitmap.height,
  };
}

export function thumbnailDataUrl(thumbnail: Thumbnail): string {
  return `data:${thumbnail.mime};base64,${thumbnail.data.toString('base64')}`;
}
