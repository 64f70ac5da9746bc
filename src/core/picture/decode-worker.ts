// The plain decode task, inside a picture worker: any accepted form in, RGBA pixels out (handed
// back, not copied). For callers that need the pixels themselves, such as the sandbox reading a
// Vary (Region) mask.

import { toPictureBytes } from './bytes';
import { decodePicture, type DecodedPicture } from './decode';
import type { PictureSubject } from './picture-error';
import { ownBuffer, pictureTask } from './worker-task';

export interface DecodeTask {
  input: unknown;
  field: string;
  subject: PictureSubject;
}

export const decode = pictureTask(
  async (task: DecodeTask): Promise<DecodedPicture> => {
    const opts = { field: task.field, subject: task.subject };
    const picture = await decodePicture(toPictureBytes(task.input, opts), opts);
    // The decoder may return a view into a bigger buffer; hand back exactly the pixels.
    const data = ownBuffer(picture.data) ? picture.data : Buffer.from(picture.data);
    return { ...picture, data };
  },
  (value) => [ownBuffer(value.data)],
);
