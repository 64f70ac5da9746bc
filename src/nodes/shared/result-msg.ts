// A finished job's result as the msg a flow receives: the same properties on either API, and the
// picture (downloaded when the node is asked to) with its size, which the mask builder sizes its
// mask after.
import type { Account } from '../../core/account';
import type { JobResult, PictureSize } from '../../core/api/job-model';
import { resultPictureSize } from '../../core/jobs/result-picture';

/** Fields that describe a result: one left by an earlier node that this result lacks is removed. */
const RESULT_FIELDS = ['buttonMessageId', 'buttons', 'imageUrl', 'imageUrls', 'imageSize'] as const;

export function applyResult(
  msg: Record<string, unknown>,
  jobId: string,
  result: JobResult,
  picture: { image?: Buffer; imageSize?: PictureSize },
): void {
  msg.payload = result.payload;
  msg.messageId = jobId;
  const fields: JobResult = picture.imageSize ? { ...result, imageSize: picture.imageSize } : result;
  for (const field of RESULT_FIELDS) {
    if (fields[field] !== undefined) msg[field] = fields[field];
    else delete msg[field];
  }
  if (picture.image) msg.image = picture.image;
}

/**
 * The result's picture when `download` asks for it, and its size. A size that cannot be read is
 * left out (`onSizeUnknown` says why): it is a courtesy for the mask builder, and the picture is
 * still the job's result.
 */
export async function resultPicture(
  account: Account,
  result: JobResult,
  options: {
    download: boolean;
    signal: AbortSignal;
    onDownload?: () => void;
    onSizeUnknown?: (err: unknown) => void;
  },
): Promise<{ image?: Buffer; imageSize?: PictureSize }> {
  let image: Buffer | undefined;
  if (options.download && result.imageUrl) {
    options.onDownload?.();
    image = await account.api.getImage(result.imageUrl, { signal: options.signal });
  }
  const imageSize = await resultPictureSize(account.api, result, { image, signal: options.signal }).catch(
    (err: unknown) => {
      options.onSizeUnknown?.(err);
      return undefined;
    },
  );
  return { ...(image ? { image } : {}), ...(imageSize ? { imageSize } : {}) };
}
