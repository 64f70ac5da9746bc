// What a button does, in the simulated Midjourney's own terms. Each route set names these its own way
// (TNL's "U1" and "🖌️ Vary (Region)", midjourney-proxy's `MJ::JOB::upsample::1::<hash>`), and offers
// only the actions a picture has: a grid can be upscaled, an upscale can be varied, zoomed, panned.

export type PanDirection = 'left' | 'right' | 'up' | 'down';

export type Action =
  | { kind: 'upscale'; index: number }
  | { kind: 'variation'; index: number }
  | { kind: 'reroll' }
  /** TNL's "🪄 Make Variations" on an upscale. */
  | { kind: 'makeVariations' }
  | { kind: 'vary'; strength: 'strong' | 'subtle' }
  /** Midjourney v6's Upscale (Subtle) / (Creative): the same picture, larger. */
  | { kind: 'upscaleMore'; mode: 'subtle' | 'creative' }
  | { kind: 'zoomOut'; factor: '2x' | '1.5x' }
  | { kind: 'customZoom' }
  | { kind: 'pan'; direction: PanDirection }
  | { kind: 'varyRegion' }
  | { kind: 'favorite' };

/** Which buttons a finished picture carries. */
export type PictureKind = 'grid' | 'upscale';

export const TILE_INDEXES = [1, 2, 3, 4] as const;
export const PAN_DIRECTIONS: readonly PanDirection[] = ['left', 'right', 'up', 'down'];

/** Actions that make a new picture from the parent's prompt alone (a new grid). */
export function makesNewGrid(action: Action): boolean {
  switch (action.kind) {
    case 'variation':
    case 'reroll':
    case 'makeVariations':
    case 'vary':
    case 'zoomOut':
    case 'customZoom':
    case 'pan':
      return true;
    default:
      return false;
  }
}

/** A stable text for an action, for seeds and logs. */
export function actionKey(action: Action): string {
  switch (action.kind) {
    case 'upscale':
    case 'variation':
      return `${action.kind}${action.index}`;
    case 'vary':
      return `vary-${action.strength}`;
    case 'upscaleMore':
      return `upscale-${action.mode}`;
    case 'zoomOut':
      return `zoom-${action.factor}`;
    case 'pan':
      return `pan-${action.direction}`;
    default:
      return action.kind;
  }
}
