// What a midjourney-proxy server accepts as input, as trueai reads it: image inputs (data URLs, bare
// base64, links), the Vary (Region) mask it passes on, blend dimensions, its speed prefixes.
import type { Flavour } from './mj-fail-reasons';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** trueai strips exactly this prefix from a mask and passes the rest on as is. */
const PNG_DATA_URL = 'data:image/png;base64,';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const PICTURE_DATA_URL = /^data:image\/[a-z0-9.+-]+;base64,[A-Za-z0-9+/]+={0,2}$/i;
/** The speed prefixes trueai maps its controllers under (`/mj-relax/mj/...`). */
export const TRUEAI_MODES = new Set(['mj-fast', 'mj-relax', 'mj-turbo']);
export const BLEND_DIMENSIONS: Record<string, { w: number; h: number }> = {
  PORTRAIT: { w: 2, h: 3 },
  SQUARE: { w: 1, h: 1 },
  LANDSCAPE: { w: 3, h: 2 },
};

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

/** An image input trueai takes: a data URL, bare base64 (read as PNG) or an http(s) link. */
export function isPictureInput(value: unknown, flavour: Flavour): boolean {
  if (typeof value !== 'string' || !value) return false;
  if (PICTURE_DATA_URL.test(value)) return true;
  // novicezk's servers decode data URLs only; trueai also takes bare base64 and links.
  return flavour === 'trueai' && (BASE64.test(value) || /^https?:\/\/\S+$/i.test(value));
}

/** The mask bytes trueai would pass on, or undefined when what it passes on is not a PNG. */
export function trueaiMaskBytes(value: unknown): Buffer | undefined {
  if (typeof value !== 'string' || !value) return undefined;
  const rest = value.split(PNG_DATA_URL).join('');
  if (!BASE64.test(rest)) return undefined;
  const bytes = Buffer.from(rest, 'base64');
  return bytes.subarray(0, PNG_SIGNATURE.length).equals(PNG_SIGNATURE) ? bytes : undefined;
}
