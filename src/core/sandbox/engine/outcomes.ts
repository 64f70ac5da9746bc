// What a job ends with: decided when it is submitted (or, for a midjourney-proxy MODAL task, when its
// modal is submitted), shown when its frames have played. One table for both APIs: a button does the
// same thing whichever way it was pressed.
import { pictureSize, type ImageSpec } from '../images';
import { decodeMask } from '../mask-decode';
import type { PromptFlags } from '../prompt-flags';
import { actionKey, type Action, type PictureKind } from './actions';
import { patternTiles, repaintTiles, sizeOf, type Size } from './pictures';

export type Outcome =
  /** A result code, as TNL names Midjourney's refusals; `detail` says why in words. */
  | { kind: 'fail'; code: string; detail?: string }
  | { kind: 'cancel' }
  | { kind: 'grid'; tiles: ImageSpec[] }
  | { kind: 'single'; image: ImageSpec }
  | { kind: 'text'; text: string };

/** A finished picture that buttons can be pressed on. */
export interface Picture {
  kind: PictureKind;
  /** The whole picture: the grid, or the one image. */
  image: ImageSpec;
  /** A grid's four pictures, U1 to U4. */
  tiles?: ImageSpec[];
  /** Size of one picture: what a new grid made from this one is drawn at. */
  tileSize: Size;
  /** The U buttons already pressed: Midjourney upscales each tile once. */
  upscaled: Set<number>;
}

export interface PressInput {
  /** The prompt given with the press (Vary (Region), a modal), flags parsed. */
  flags?: PromptFlags;
  /** Vary (Region)'s mask, as bytes. */
  mask?: Buffer;
}

const fail = (code: string, detail?: string): Outcome =>
  detail === undefined ? { kind: 'fail', code } : { kind: 'fail', code, detail };

/** The ending a prompt's flags ask for, if any. */
export function flaggedEnding(flags: PromptFlags | undefined): Outcome | undefined {
  if (flags?.failCode) return fail(flags.failCode);
  if (flags?.cancel) return { kind: 'cancel' };
  return undefined;
}

export function imagineOutcome(jobId: string, flags: PromptFlags, side: number): Outcome {
  return (
    flaggedEnding(flags) ?? {
      kind: 'grid',
      tiles: patternTiles(jobId, pictureSize(side, flags.aspect), flags.text, flags.text),
    }
  );
}

export function blendOutcome(
  jobId: string,
  content: string,
  side: number,
  aspect: { w: number; h: number },
): Outcome {
  return { kind: 'grid', tiles: patternTiles(jobId, pictureSize(side, aspect), content, 'blend') };
}

/** Four prompts in Midjourney's describe layout, made up from the picture's file name. */
export function describeText(url: string): string {
  const subject =
    decodeURIComponent(url.split(/[?#]/)[0]?.split('/').pop() ?? '')
      .replace(/\.[a-z0-9]+$/i, '')
      .replace(/[^A-Za-z0-9]+/g, ' ')
      .trim() || 'an image';
  const styles = [
    'in soft morning light',
    'as a detailed illustration',
    'cinematic, wide angle',
    'minimalist, pastel colours',
  ];
  return styles.map((style, i) => `${i + 1}️⃣ ${subject}, ${style} --ar 1:1`).join('\n\n');
}

async function varyRegion(jobId: string, picture: Picture, input: PressInput): Promise<Outcome> {
  const prompt = input.flags?.text;
  if (!prompt) return fail('INVALID_PARAMETER', 'Vary (Region) needs a prompt');
  if (!input.mask?.length) return fail('INVALID_PARAMETER', 'Vary (Region) needs a mask');
  const region = await decodeMask(input.mask, sizeOf(picture.image));
  if ('problem' in region) return fail('INVALID_PARAMETER', region.detail);
  return (
    flaggedEnding(input.flags) ?? {
      kind: 'grid',
      tiles: repaintTiles(jobId, picture.image, region, `${prompt}|${jobId}`),
    }
  );
}

/** What pressing `action` on `parent` gives; `undefined` is a button the picture does not have. */
export async function pressOutcome(
  jobId: string,
  parent: { picture: Picture; content: string },
  action: Action | undefined,
  input: PressInput,
): Promise<Outcome> {
  const { picture } = parent;
  if (!action) return fail('BUTTON_NOT_FOUND', 'the picture has no such button');
  switch (action.kind) {
    case 'upscale': {
      const tile = picture.tiles?.[action.index - 1];
      if (!tile) return fail('BUTTON_NOT_FOUND', `the picture has no U${action.index}`);
      if (picture.upscaled.has(action.index)) {
        return fail('ALREADY_REQUESTED_UPSCALE', `U${action.index} was already pressed on this grid`);
      }
      picture.upscaled.add(action.index);
      return flaggedEnding(input.flags) ?? { kind: 'single', image: tile };
    }
    case 'favorite':
    case 'upscaleMore':
      if (picture.kind !== 'upscale') return fail('BUTTON_NOT_FOUND', 'only an upscale has this button');
      return flaggedEnding(input.flags) ?? { kind: 'single', image: picture.image };
    case 'varyRegion':
      if (picture.kind !== 'upscale') return fail('BUTTON_NOT_FOUND', 'Vary (Region) is only on upscales');
      return varyRegion(jobId, picture, input);
    default: {
      const content = input.flags?.text || parent.content;
      const seed = `${parent.content}|${actionKey(action)}|${jobId}`;
      return (
        flaggedEnding(input.flags) ?? {
          kind: 'grid',
          tiles: patternTiles(jobId, picture.tileSize, seed, content),
        }
      );
    }
  }
}

/** The prompt a press's result carries: a new prompt replaces the parent's. */
export function pressContent(parentContent: string, action: Action | undefined, input: PressInput): string {
  if (action?.kind === 'upscale' || action?.kind === 'favorite' || action?.kind === 'upscaleMore') {
    return parentContent;
  }
  return input.flags?.text || parentContent;
}
