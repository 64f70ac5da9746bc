// Decoding a picture to RGBA pixels from the main thread: the work runs in a picture worker.

import type { DecodedPicture } from './decode';
import type { DecodeTask } from './decode-worker';
import type { PictureSubject } from './picture-error';
import { runPictureTask, workerModule } from './pool';
import { pictureToSend } from './task-protocol';

const WORKER = workerModule(__dirname, 'decode-worker');

/** RGBA pixels of a PNG, JPEG or WebP picture given in any accepted form; throws PictureError. */
export async function decodePictureOffThread(
  picture: unknown,
  options: { field: string; subject: PictureSubject; signal?: AbortSignal },
): Promise<DecodedPicture> {
  const { input, transfer } = pictureToSend(picture);
  const task: DecodeTask = { input, field: options.field, subject: options.subject };
  const decoded = await runPictureTask<DecodedPicture>(
    WORKER,
    'decode',
    { ...task },
    {
      subject: options.subject,
      signal: options.signal,
      transfer,
    },
  );
  const { data } = decoded;
  return { ...decoded, data: Buffer.from(data.buffer, data.byteOffset, data.byteLength) };
}
