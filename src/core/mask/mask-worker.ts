// The mask builder's tasks inside a picture worker: a drawn mask decoded, thresholded to the mask's
// size and encoded; and a mask drawn from shapes on the main thread encoded as WebP (lossless WebP
// of a 2048² mask is tens of milliseconds of WebAssembly).

import { toPictureBytes } from '../picture/bytes';
import { decodePicture } from '../picture/decode';
import { encodeWebp } from '../picture/webp';
import { ownBuffer, pictureTask } from '../picture/worker-task';
import { rasterToRgba, thresholdDrawnMask } from './drawn-mask';
import { releaseRaster } from './raster-pool';
import { encodeGrayPng } from './png-encode';

export interface DrawnMaskTask {
  maskImage: unknown;
  width: number;
  height: number;
  threshold: number;
  invert: boolean;
  format: 'png' | 'webp';
}

export interface EncodedMask {
  /** The encoded mask; empty when nothing is white (the caller refuses that). */
  buffer: Uint8Array;
  white: number;
}

export interface WebpMaskTask {
  /** The raster as mask-raster.ts lays it out (a filter byte before each row). */
  raster: Uint8Array;
  width: number;
  height: number;
}

const handBack = (value: { buffer: Uint8Array }): Array<ArrayBuffer | undefined> => [ownBuffer(value.buffer)];

export const drawnMask = pictureTask(async (task: DrawnMaskTask): Promise<EncodedMask> => {
  const opts = { field: 'maskImage', subject: 'mask' as const };
  const bitmap = await decodePicture(toPictureBytes(task.maskImage, opts), opts);
  const raster = thresholdDrawnMask(bitmap, task.width, task.height, task.threshold, task.invert);
  try {
    if (raster.white === 0) return { buffer: new Uint8Array(0), white: 0 };
    const buffer =
      task.format === 'png'
        ? await encodeGrayPng(raster)
        : await encodeWebp(rasterToRgba(raster), task.width, task.height);
    return { buffer, white: raster.white };
  } finally {
    releaseRaster(raster.data);
  }
}, handBack);

export const webpMask = pictureTask(
  async (task: WebpMaskTask): Promise<{ buffer: Uint8Array }> => ({
    buffer: await encodeWebp(
      rasterToRgba({ data: task.raster, width: task.width, height: task.height }),
      task.width,
      task.height,
    ),
  }),
  handBack,
);
