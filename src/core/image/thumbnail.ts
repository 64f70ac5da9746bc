// Small previews of result pictures and masks, made on the server so the editor only ever receives
// a few kilobytes. The picture is decoded, resized and encoded in a picture worker (see
// ../picture/pool.ts); a picture already small enough is never enlarged. Failures are PictureErrors
// with IMAGE_* codes: a thumbnail is never a mask.

import { PICTURE_LIMITS } from '../picture/limits';
import { runPictureTask, workerModule } from '../picture/pool';
import { pictureToSend } from '../picture/task-protocol';
import { tooLarge } from '../picture/picture-error';

export type ThumbnailFormat = 'png' | 'jpeg';

export interface ThumbnailOptions {
  /** Longest side of the thumbnail in pixels (default 160). */
  maxSide?: number;
  /** PNG keeps masks crisp and transparency; JPEG keeps photographs small (default png). */
  format?: ThumbnailFormat;
  /** JPEG quality 1..100 (default 80). */
  quality?: number;
  /** How the picture is named in error messages (default 'The image'). */
  field?: string;
  /** Cancels the work, stopping the worker if it has begun. */
  signal?: AbortSignal;
  /** The caller hands `image` over (nobody else holds it): its bytes are moved, not copied. */
  owned?: boolean;
}

export interface Thumbnail {
  data: Buffer;
  mime: 'image/png' | 'image/jpeg';
  width: number;
  height: number;
  sourceWidth: number;
  sourceHeight: number;
}

/** What the worker is asked (see thumbnail-worker.ts): a picture, or where to download one. */
export interface ThumbnailTask {
  image?: unknown;
  download?: { url: string; maxBytes: number };
  field: string;
  maxSide: number;
  format: ThumbnailFormat;
  quality: number;
}

export const DEFAULT_THUMBNAIL_SIDE = 160;

const WORKER = workerModule(__dirname, 'thumbnail-worker');

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
  const field = options.field ?? 'The image';
  // A Buffer over the cap is refused here, before it is copied to a worker.
  if (image instanceof Uint8Array && image.byteLength > PICTURE_LIMITS.maxInputBytes) {
    throw tooLarge(
      `${field} is ${image.byteLength} bytes; the limit is ${PICTURE_LIMITS.maxInputBytes} bytes`,
    );
  }
  const { input, transfer } = pictureToSend(image, options.owned);
  return thumbnailTask({ image: input }, options, transfer);
}

/**
 * The thumbnail of the picture at `url`, downloaded by the worker itself (no token; at most
 * `maxBytes`): a large result picture then never passes through the event loop. A picture the
 * address refuses (a CDN that blocks servers) fails as `unavailable`, for the caller to fetch
 * another way.
 */
export function makeThumbnailOfUrl(
  url: string,
  options: ThumbnailOptions & { maxBytes?: number } = {},
): Promise<Thumbnail> {
  const maxBytes = Math.min(options.maxBytes ?? PICTURE_LIMITS.maxInputBytes, PICTURE_LIMITS.maxInputBytes);
  return thumbnailTask({ download: { url, maxBytes } }, options, []);
}

async function thumbnailTask(
  picture: Pick<ThumbnailTask, 'image' | 'download'>,
  options: ThumbnailOptions,
  transfer: ArrayBuffer[],
): Promise<Thumbnail> {
  const task: ThumbnailTask = {
    ...picture,
    field: options.field ?? 'The image',
    maxSide: Math.max(1, Math.floor(options.maxSide ?? DEFAULT_THUMBNAIL_SIDE)),
    format: options.format ?? 'png',
    quality: options.quality ?? 80,
  };
  const made = await runPictureTask<Thumbnail>(
    WORKER,
    'thumbnail',
    { ...task },
    {
      subject: 'image',
      signal: options.signal,
      transfer,
    },
  );
  // Buffers arrive from another thread as plain Uint8Arrays.
  return { ...made, data: Buffer.from(made.data.buffer, made.data.byteOffset, made.data.byteLength) };
}

export function thumbnailDataUrl(thumbnail: Thumbnail): string {
  return `data:${thumbnail.mime};base64,${thumbnail.data.toString('base64')}`;
}
