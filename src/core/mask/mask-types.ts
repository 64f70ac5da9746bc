// The public shapes of the mask builder's input and output.

export interface MaskRegion {
  x: number;
  y: number;
  width: number;
  height: number;
  /** 'px' (default) or 'fraction' of the mask size (0..1). */
  unit?: 'px' | 'fraction';
  /** 'rect' (default) or the ellipse inscribed in the rectangle. */
  shape?: 'rect' | 'ellipse';
}

/** A polygon region: pixel centres inside by the even-odd rule are white. */
export interface MaskPolygon {
  points: Array<[number, number] | { x: number; y: number }>;
  unit?: 'px' | 'fraction';
}

export interface BuildMaskInput {
  /** Target size, default 1024x1024. */
  width?: number;
  height?: number;
  /** Overrides width/height (msg.maskSize). */
  size?: { width: number; height: number };
  /** A picture (PNG/JPEG/WebP, Buffer, base64 or data URL): the mask takes ITS size. */
  sourceImage?: unknown;
  /** Untrusted: an array of MaskRegion | MaskPolygon (or one of them, or its JSON). */
  regions?: unknown;
  /** Untrusted: node-red-node-annotate-image annotations ({type:'rect',x,y,w,h} | bbox | circle). */
  annotations?: unknown;
  /** Untrusted: a drawn mask, Buffer | base64 | data URL of PNG/JPEG/WebP. Wins over regions. */
  maskImage?: unknown;
  /** Default 'png'. */
  format?: 'png' | 'webp';
  /** Default false. */
  invert?: boolean;
  /** 0..255, default 128: drawn-mask pixels whose luminance (over black) is >= threshold are white. */
  threshold?: number;
}

export interface MaskInfo {
  width: number;
  height: number;
  format: 'png' | 'webp';
  /** Share of white (repaint) pixels, 0..1. */
  coverage: number;
  /** Encoded size in bytes. */
  bytes: number;
}

export interface BuildMaskResult {
  /** Bare base64 of the encoded mask (no data: prefix), as TNL's `mask` field wants it. */
  mask: string;
  info: MaskInfo;
  buffer: Buffer;
}

export interface BuildMaskOptions {
  signal?: AbortSignal;
}
