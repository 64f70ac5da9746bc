// The mask builder's public surface: everything the nextleg-mask-builder node and flows need.

export { buildMask } from './build-mask';
export { MaskError, type MaskErrorCode } from './mask-error';
export { MASK_LIMITS } from './mask-limits';
export type {
  BuildMaskInput,
  BuildMaskOptions,
  BuildMaskResult,
  MaskInfo,
  MaskPolygon,
  MaskRegion,
  MaskSizeSource,
} from './mask-types';
