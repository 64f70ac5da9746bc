// The one error type of the mask builder. Every bad input ends here with a stable `code` a flow can
// switch on and a message naming the field (and index) at fault; decoder and zlib errors are wrapped
// so nothing else ever escapes buildMask.

export type MaskErrorCode =
  /** Nothing to repaint: coverage 0 (no region on canvas, an all-black drawing, an inverted full mask). */
  | 'MASK_EMPTY'
  /** A region or annotation that is not an object, has non-finite or non-positive numbers, or lies off-canvas. */
  | 'MASK_BAD_REGION'
  /** A mask size of 0, negative, non-integer or non-numeric. */
  | 'MASK_BAD_SIZE'
  /** An image (drawn mask or source) that is not PNG/JPEG/WebP or cannot be decoded. */
  | 'MASK_BAD_IMAGE'
  /** A mask side over MASK_LIMITS.maxSide, an input over maxInputBytes/maxInputPixels, too many regions or points. */
  | 'MASK_TOO_LARGE'
  /** `format`, `invert` or `threshold` of the wrong type or range. */
  | 'MASK_BAD_OPTION'
  /** The AbortSignal fired. */
  | 'MASK_ABORTED'
  /** Encoding failed (should not happen; kept distinct from bad input). */
  | 'MASK_ENCODE_FAILED'
  /** Any other fault, wrapped so that buildMask only ever throws MaskError. */
  | 'MASK_INTERNAL';

export class MaskError extends Error {
  readonly code: MaskErrorCode;

  constructor(code: MaskErrorCode, message: string) {
    super(message);
    this.name = 'MaskError';
    this.code = code;
  }

  /** The plain shape flows see as `msg.error`. */
  toJSON(): { code: MaskErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

/** A short, safe rendering of a bad value for a message (never a whole payload). */
export function describeValue(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value;
}
