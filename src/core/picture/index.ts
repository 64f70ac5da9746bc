// Pictures as this package reads them: one way to turn any input into bytes, read its format and
// declared size, check it against the caps, and decode it in a worker. The bottom layer: mask/ and
// image/ build on it, it knows neither.

export { PICTURE_LIMITS, type PictureLimits } from './limits';
export {
  PictureError,
  isPictureError,
  type PictureErrorCode,
  type PictureProblem,
  type PictureSubject,
} from './picture-error';
export { toPictureBytes, looksLikePicture, type BytesOptions } from './bytes';
export {
  sniffPictureFormat,
  readPictureSize,
  readDeclaredSize,
  inspectPicture,
  type PictureFormat,
  type PictureSize,
  type PictureLayout,
} from './header';
export { readMaskToSend, type MaskToSend } from './mask-to-send';
export { decodePictureOffThread } from './decode-task';
export type { DecodedPicture } from './decode';
