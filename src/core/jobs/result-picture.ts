// The size of a result's picture, for the mask that will be laid over it: from the API when it
// says it, else from a download made anyway, else from the picture's first bytes (its header), read
// by the same path as a download (TNL's /getImage fallback included) so nothing else is fetched.
import type { JobApi, JobResult, PictureSize } from '../api/job-model';
import { readPictureSize } from '../picture/header';

/** Enough for a PNG's IHDR and a WebP's header, and a JPEG's frame header after its EXIF block. */
export const HEADER_BYTES = 64 * 1024;

function sizeFromBytes(bytes: Buffer): PictureSize | undefined {
  const size = readPictureSize(bytes);
  return size === undefined || size === 'need-more' ? undefined : { width: size.width, height: size.height };
}

export async function resultPictureSize(
  api: Pick<JobApi, 'getImageHead'>,
  result: JobResult,
  options: { image?: Buffer; signal?: AbortSignal } = {},
): Promise<PictureSize | undefined> {
  if (result.imageSize) return result.imageSize;
  if (options.image) return sizeFromBytes(options.image);
  if (!result.imageUrl) return undefined;
  const head = await api.getImageHead(result.imageUrl, HEADER_BYTES, { signal: options.signal });
  return sizeFromBytes(head);
}
