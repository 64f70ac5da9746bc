// The public shapes of the mask builder's input and output.

/** A rectangle (or the ellipse inside it) to repaint. Pixel values are the mask's own pixels, i.e. the picture's. */
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

/**
 * Where the mask's size came from, first found wins: 'image' (the picture in `sourceImage`, read
 * from its header), 'maskSize' (`size`), 'imageSize' (the picture's size as a result node reported
 * it), 'node' (width/height, the node's own setting).
 */
export type MaskSizeSource = 'image' | 'maskSize' | 'imageSize' | 'node';

export interface BuildMaskInput {
  /** Target size when nothing else gives one, default 1024x1024. */
  width?: number;
  height?: number;
  /** Overrides width/height and imageSize (msg.maskSize). */
  size?: { width: number; height: number };
  /** The size of the picture to repaint (msg.imageSize); overrides width/height. */
  imageSize?: { width: number; height: number };
  /** A picture (PNG/JPEG/WebP, Buffer, base64 or data URL): the mask takes ITS size, before anything else. */
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
  /** Which input gave the mask its size. */
  sizeFrom: MaskSizeSource;
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
