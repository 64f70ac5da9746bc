// The thumbnail task, run inside a picture worker: bytes from any accepted form, every declared size
// checked, decoded, shrunk with Hermite sampling (bilinear sampling of a 6x reduction skips most
// pixels; Hermite averages them), encoded.

import { toPictureBytes } from '../picture/bytes';
import { decodePicture } from '../picture/decode';
import { downloadPicture } from '../picture/download';
import { encodeJpeg, encodePng, resizeBitmap } from '../picture/codecs';
import { pictureTask } from '../picture/worker-task';
import { thumbnailSize, type Thumbnail, type ThumbnailTask } from './thumbnail';

export const thumbnail = pictureTask(async (task: ThumbnailTask): Promise<Thumbnail> => {
  const opts = { field: task.field, subject: 'image' as const };
  const bytes = task.download
    ? await downloadPicture(task.download.url, task.download.maxBytes)
    : toPictureBytes(task.image, opts);
  const bitmap = await decodePicture(bytes, opts);
  const size = thumbnailSize(bitmap.width, bitmap.height, task.maxSide);
  const picture =
    size.width !== bitmap.width || size.height !== bitmap.height
      ? resizeBitmap(bitmap, size.width, size.height)
      : bitmap;
  const data = task.format === 'jpeg' ? encodeJpeg(picture, task.quality) : encodePng(picture);
  return {
    data,
    mime: task.format === 'jpeg' ? 'image/jpeg' : 'image/png',
    width: picture.width,
    height: picture.height,
    sourceWidth: bitmap.width,
    sourceHeight: bitmap.height,
  };
});
