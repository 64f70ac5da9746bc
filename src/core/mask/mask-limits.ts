// Caps that keep one message from taking the whole Node-RED process down: a 4096 px side is the
// largest Midjourney upscale; inputs may be twice that many pixels so a 2x upscale still fits.

export const MASK_LIMITS = {
  /** Largest mask side in pixels. */
  maxSide: 4096,
  /** Largest encoded input image (drawn mask or source image), in bytes after base64 decoding. */
  maxInputBytes: 20 * 1024 * 1024,
  /** Largest decoded input image, in pixels (its RGBA bitmap is 4 bytes a pixel). */
  maxInputPixels: 2 * 4096 * 4096,
  /** Most regions + annotations in one mask. */
  maxRegions: 1000,
  /** Most points in one polygon. */
  maxPolygonPoints: 1000,
} as const;

export const DEFAULT_MASK_SIDE = 1024;
export const DEFAULT_THRESHOLD = 128;
