// The mask builder's view of the picture caps (../picture/limits.ts holds the one table).

import { PICTURE_LIMITS } from '../picture/limits';

export const MASK_LIMITS = {
  /** Largest mask side in pixels. */
  maxSide: PICTURE_LIMITS.maxMaskSide,
  /** Largest encoded input image (drawn mask or source image), in bytes after base64 decoding. */
  maxInputBytes: PICTURE_LIMITS.maxInputBytes,
  /** Largest decoded input image, in pixels (its RGBA bitmap is 4 bytes a pixel). */
  maxInputPixels: PICTURE_LIMITS.maxInputPixels,
  /** Most regions + annotations in one mask. */
  maxRegions: PICTURE_LIMITS.maxRegions,
  /** Most points in one polygon. */
  maxPolygonPoints: PICTURE_LIMITS.maxPolygonPoints,
  /** Most drawing work: rows of every region, and rows crossed by every polygon edge, added up. */
  maxDrawRows: PICTURE_LIMITS.maxDrawRows,
} as const;

export const DEFAULT_MASK_SIDE = 1024;
export const DEFAULT_THRESHOLD = 128;
