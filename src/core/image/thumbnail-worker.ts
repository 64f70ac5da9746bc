// The thumbnail task, run inside a picture worker: bytes from any accepted form, every declared size
// checked, decoded, shrunk with Hermite sampling (bilinear sampling of a 6x reduction skips most
// pixels; Hermite averages them), encoded.

import { toPictureBytes } from '../picture/bytes';
import { decodePicture } from '../picture/decode';
import { PictureJimp, ResizeStrategy } from '../picture/jimp';
import { pictureTask } from '../picture/worker-task';
import { thumbnailSize, type Thumbnail, type ThumbnailTask } from './thumbnail';

export const thumbnail = pictureTask(async (task: ThumbnailTask): Promise<Thumbnail> => {
  const opts = { field: task.field, subject: 'image' as const };
  const bitmap = await decodePicture(toPictureBytes(task.image, opts), opts);
  const size = thumbnailSize(bitmap.width, bitmap.height, task.maxSide);
  const picture = PictureJimp.fromBitmap({ data: bitmap.data, width: bitmap.width, height: bitmap.height });
  if (size.width !== bitmap.width || size.height !== bitmap.height) {
    picture.resize({ w: size.width, h: size.height, mode: ResizeStrategy.HERMITE });
  }
  const data =
    task.format === 'jpeg'
      ? await picture.getBuffer('image/jpeg', { quality: task.quality })
      : await picture.getBuffer('image/png');
  return {
    data,
    mime: task.format === 'jpeg' ? 'image/jpeg' : 'image/png',
    width: picture.bitmap.width,
    height: picture.bitmap.height,
    sourceWidth: bitmap.width,
    sourceHeight: bitmap.height,
  };
});
