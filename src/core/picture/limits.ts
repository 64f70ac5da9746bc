// Every cap on pictures, in one table: what a flow may hand over, what may be decoded, how long and
// how much memory a decode may take. The help, the README and the tests all read these numbers.
//
// A 4096 px side is the largest Midjourney upscale; pictures may have twice that many pixels, so a
// 2x upscale of a wide picture still fits (4096x8192 and 5792x5792 are both inside).

const MiB = 1024 * 1024;

export const PICTURE_LIMITS = {
  /** Largest encoded picture accepted (a drawn mask, msg.image, a result downloaded for a preview), in bytes. */
  maxInputBytes: 20 * MiB,
  /** Largest picture decoded, in pixels (width x height); its RGBA bitmap is 4 bytes a pixel. */
  maxInputPixels: 2 * 4096 * 4096,
  /** Largest side of a mask, in pixels. */
  maxMaskSide: 4096,
  /** Largest mask sent to Vary (Region), in bytes. */
  maxMaskBytes: 10 * MiB,
  /** Most regions + annotations in one mask. */
  maxRegions: 1000,
  /** Most points in one polygon. */
  maxPolygonPoints: 1000,
  /**
   * Most drawing work in one mask: the rows each region covers, and for a polygon the rows each of
   * its edges crosses, added up. 1000 full-height rectangles on a 4096² mask are 4 million; a 4096²
   * polygon of 1000 points zigzagging top to bottom is 4 billion (minutes of work), and is refused.
   */
  maxDrawRows: 50_000_000,
  /** Longest one decode, resize or encode may run before its worker is stopped. */
  taskTimeoutMs: 30_000,
  /**
   * JavaScript heap of a picture worker. Pixels live outside it (Buffers, WebAssembly memory) and are
   * bounded by the pixel cap; the JPEG decoder keeps its blocks as small objects on the heap, which
   * at the pixel cap need a few hundred MB.
   */
  workerHeapMb: 768,
} as const;

export type PictureLimits = typeof PICTURE_LIMITS;
