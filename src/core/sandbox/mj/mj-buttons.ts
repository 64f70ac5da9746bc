// midjourney-proxy's buttons: Discord's message components copied as the servers return them,
// `{customId, emoji, label, type, style}`, with the job's hash in every customId. How trueai and a
// new-api relay classify a customId they are asked to press is here too, as each does it.
import { PAN_DIRECTIONS, TILE_INDEXES, type Action, type PictureKind } from '../engine/actions';

export interface MjButton {
  customId: string;
  /** The emoji's name: a unicode emoji, a custom emoji's name, or '' for U/V. */
  emoji: string;
  label: string;
  /** 2: a Discord button. */
  type: 2;
  /** 2: grey. */
  style: 2;
}

const ARROWS: Record<string, string> = { left: '⬅️', right: '➡️', up: '⬆️', down: '⬇️' };

const button = (customId: string, emoji: string, label: string): MjButton => ({
  customId,
  emoji,
  label,
  type: 2,
  style: 2,
});

/** The buttons of a finished picture, each with what it does (undefined: the server does not support it). */
export function buttonsOf(kind: PictureKind, hash: string): Array<{ button: MjButton; action?: Action }> {
  if (kind === 'grid') {
    return [
      ...TILE_INDEXES.map((index) => ({
        button: button(`MJ::JOB::upsample::${index}::${hash}`, '', `U${index}`),
        action: { kind: 'upscale', index } as const,
      })),
      { button: button(`MJ::JOB::reroll::0::${hash}::SOLO`, '🔄', ''), action: { kind: 'reroll' } },
      ...TILE_INDEXES.map((index) => ({
        button: button(`MJ::JOB::variation::${index}::${hash}`, '', `V${index}`),
        action: { kind: 'variation', index } as const,
      })),
    ];
  }
  return [
    {
      button: button(`MJ::JOB::upsample_v6_2x_subtle::1::${hash}::SOLO`, 'upscale_1', 'Upscale (Subtle)'),
      action: { kind: 'upscaleMore', mode: 'subtle' },
    },
    {
      button: button(`MJ::JOB::upsample_v6_2x_creative::1::${hash}::SOLO`, 'upscale_1', 'Upscale (Creative)'),
      action: { kind: 'upscaleMore', mode: 'creative' },
    },
    {
      button: button(`MJ::JOB::low_variation::1::${hash}::SOLO`, '🪄', 'Vary (Subtle)'),
      action: { kind: 'vary', strength: 'subtle' },
    },
    {
      button: button(`MJ::JOB::high_variation::1::${hash}::SOLO`, '🪄', 'Vary (Strong)'),
      action: { kind: 'vary', strength: 'strong' },
    },
    {
      button: button(`MJ::Inpaint::1::${hash}::SOLO`, '🖌️', 'Vary (Region)'),
      action: { kind: 'varyRegion' },
    },
    {
      button: button(`MJ::Outpaint::50::1::${hash}::SOLO`, '🔍', 'Zoom Out 2x'),
      action: { kind: 'zoomOut', factor: '2x' },
    },
    {
      button: button(`MJ::Outpaint::75::1::${hash}::SOLO`, '🔍', 'Zoom Out 1.5x'),
      action: { kind: 'zoomOut', factor: '1.5x' },
    },
    { button: button(`MJ::CustomZoom::${hash}`, '🔍', 'Custom Zoom'), action: { kind: 'customZoom' } },
    ...PAN_DIRECTIONS.map((direction) => ({
      button: button(`MJ::JOB::pan_${direction}::1::${hash}::SOLO`, ARROWS[direction] as string, ''),
      action: { kind: 'pan', direction } as const,
    })),
    // Discord shows it; trueai's /action does not know it and refuses it as an unknown action type.
    { button: button(`MJ::BOOKMARK::${hash}`, '❤️', '') },
  ];
}

/** trueai's task action for a customId, by its prefix (SubmitController.Action); undefined: unknown type. */
export function trueaiActionOf(customId: string): string | undefined {
  const prefixes: Array<[string, string]> = [
    ['MJ::JOB::upsample::', 'UPSCALE'],
    ['MJ::JOB::video_virtual_upscale', 'UPSCALE'],
    ['MJ::JOB::variation::', 'VARIATION'],
    ['MJ::JOB::reroll::', 'REROLL'],
    ['MJ::Outpaint::', 'ZOOM'],
    ['MJ::JOB::pan_', 'PAN'],
    ['MJ::JOB::upsample_', 'UPSCALE_HD'],
    ['MJ::CustomZoom::', 'ZOOM'],
    ['MJ::Inpaint::', 'VARIATION'],
    ['MJ::JOB::animate_', 'VIDEO'],
    ['MJ::Job::PicReader', 'IMAGINE'],
  ];
  if (customId.includes('high_variation') || customId.includes('low_variation')) return 'VARIATION';
  if (customId.includes('MJ::Picread::Retry')) return 'DESCRIBE';
  return prefixes.find(([prefix]) => customId.startsWith(prefix))?.[1];
}

/** A new-api relay's own action for a customId (CoverPlusActionToNormalAction); undefined: it refuses it. */
export function relayActionOf(customId: string): string | undefined {
  const parts = customId.split('::');
  const name = (parts[1] === 'JOB' ? parts[2] : parts[1]) ?? '';
  if (name.includes('upsample')) return 'UPSCALE';
  if (name === 'variation') return 'VARIATION';
  if (name === 'low_variation') return 'LOW_VARIATION';
  if (name === 'high_variation') return 'HIGH_VARIATION';
  if (name.includes('pan')) return 'PAN';
  if (name.includes('reroll')) return 'REROLL';
  if (name === 'Outpaint') return 'ZOOM';
  if (name === 'CustomZoom') return 'CUSTOM_ZOOM';
  if (name === 'Inpaint') return 'INPAINT';
  return undefined;
}

/** Whether pressing this action opens a MODAL first: always for Vary (Region) and Custom Zoom, with Remix on for the rest. */
export function opensModal(action: Action, remix: boolean): boolean {
  switch (action.kind) {
    case 'varyRegion':
    case 'customZoom':
      return true;
    case 'variation':
    case 'vary':
    case 'pan':
    case 'reroll':
      return remix;
    default:
      return false;
  }
}

/** The task action trueai records for a press (a reroll takes its parent's). */
export function taskActionOf(action: Action, parentAction: string): string {
  switch (action.kind) {
    case 'upscale':
      return 'UPSCALE';
    case 'upscaleMore':
      return 'UPSCALE_HD';
    case 'reroll':
      return parentAction === 'UPSCALE' ? 'IMAGINE' : parentAction;
    case 'pan':
      return 'PAN';
    case 'zoomOut':
    case 'customZoom':
      return 'ZOOM';
    default:
      return 'VARIATION';
  }
}
