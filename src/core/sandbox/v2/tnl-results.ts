// How TheNextLeg words a job: the buttons by their labels, the flat result a job ends with (nested
// under `response` by GET /v2/message, posted as is to a webhook) and the progress bodies before it.
import { VARY_REGION_BUTTON } from '../../api/buttons';
import { isoNow } from '../ids';
import { PAN_DIRECTIONS, TILE_INDEXES, type Action, type PictureKind } from '../engine/actions';
import type { EngineJob } from '../engine/engine';

/** A finished job's result, as GET /v2/message nests it under `response` and a webhook posts it. */
export interface SandboxResult {
  createdAt: string;
  responseAt: string;
  originatingMessageId: string;
  buttonMessageId?: string;
  buttons?: string[];
  imageUrl?: string;
  imageUrls?: string[];
  content: string;
  description: string;
  type: 'imagine' | 'button';
  ref: string;
}

/** The body of GET /v2/message/<id>. */
export type SandboxMessageBody =
  | { progress: 0 }
  | { progress: 0; response: { content: 'JOB_QUEUED' } }
  | { progress: number; progressImageUrl: string | null; response: Record<string, never> }
  | { progress: 100; response: SandboxResult }
  | { progress: 'incomplete' };

const ARROWS: Record<string, string> = { left: '⬅️', right: '➡️', up: '⬆️', down: '⬇️' };

/** TNL's labels, in the order its results list them. */
const LABELLED: Record<PictureKind, ReadonlyArray<readonly [string, Action]>> = {
  grid: [
    ...TILE_INDEXES.map((index) => [`U${index}`, { kind: 'upscale', index }] as const),
    ['🔄', { kind: 'reroll' }],
    ...TILE_INDEXES.map((index) => [`V${index}`, { kind: 'variation', index }] as const),
  ],
  upscale: [
    ['🪄 Make Variations', { kind: 'makeVariations' }],
    ['🪄 Vary (Strong)', { kind: 'vary', strength: 'strong' }],
    ['🪄 Vary (Subtle)', { kind: 'vary', strength: 'subtle' }],
    ['🔍 Zoom Out 2x', { kind: 'zoomOut', factor: '2x' }],
    ['🔍 Zoom Out 1.5x', { kind: 'zoomOut', factor: '1.5x' }],
    ['🔍 Custom Zoom', { kind: 'customZoom' }],
    [VARY_REGION_BUTTON, { kind: 'varyRegion' }],
    ...PAN_DIRECTIONS.map((direction) => [ARROWS[direction] as string, { kind: 'pan', direction }] as const),
    ['❤️ Favorite', { kind: 'favorite' }],
  ],
};

export const GRID_BUTTONS: readonly string[] = LABELLED.grid.map(([label]) => label);
export const UPSCALE_BUTTONS: readonly string[] = LABELLED.upscale.map(([label]) => label);

/** The action a label stands for on a picture of this kind; undefined when the picture has no such button. */
export function actionOf(kind: PictureKind, label: string): Action | undefined {
  return LABELLED[kind].find(([name]) => name === label)?.[1];
}

export function labelsOf(kind: PictureKind): string[] {
  return LABELLED[kind].map(([label]) => label);
}

/** A job's flat result, with image paths still relative (`/images/...`), in TNL's key order. */
export function resultOf(job: EngineJob, ref: string, buttonMessageId: string | undefined): SandboxResult {
  const result: SandboxResult = {
    createdAt: job.createdAt,
    responseAt: isoNow(),
    originatingMessageId: job.id,
    content: job.failure?.code ?? (job.phase === 'cancelled' ? 'CANCEL' : job.content),
    description: '',
    type: job.type,
    ref,
  };
  const picture = job.picture;
  if (picture && buttonMessageId) {
    result.buttonMessageId = buttonMessageId;
    result.buttons = labelsOf(picture.kind);
    if (job.files.image) result.imageUrl = `/images/${job.files.image}`;
    if (job.files.tiles) result.imageUrls = job.files.tiles.map((file) => `/images/${file}`);
  }
  // A fixed key order, matching TNL's payloads, keeps results easy to read in a debug sidebar.
  const keys: (keyof SandboxResult)[] = [
    'createdAt',
    'responseAt',
    'originatingMessageId',
    'buttonMessageId',
    'buttons',
    'imageUrl',
    'imageUrls',
    'content',
    'description',
    'type',
    'ref',
  ];
  const ordered: Record<string, unknown> = {};
  for (const key of keys) if (result[key] !== undefined) ordered[key] = result[key];
  return ordered as unknown as SandboxResult;
}

/** A copy of a result with its image paths made absolute. */
export function withBase(result: SandboxResult, prefix: string): SandboxResult {
  const copy: SandboxResult = { ...result };
  if (copy.imageUrl) copy.imageUrl = prefix + copy.imageUrl;
  if (copy.imageUrls) copy.imageUrls = copy.imageUrls.map((u) => prefix + u);
  if (copy.buttons) copy.buttons = [...copy.buttons];
  return copy;
}

/** GET /v2/message/<id>: what TNL reports for a job at this moment. */
export function messageBody(
  job: EngineJob,
  result: SandboxResult | undefined,
  expireMs: number,
  base: string,
): SandboxMessageBody {
  if (result) return { progress: 100, response: withBase(result, base) };
  if (Date.now() - job.createdMs >= expireMs) return { progress: 'incomplete' };
  switch (job.phase) {
    case 'waiting':
      return { progress: 0, response: { content: 'JOB_QUEUED' } };
    case 'running': {
      const preview = job.previewFile ? `${base}/images/${job.previewFile}` : null;
      return { progress: job.progress, progressImageUrl: preview, response: {} };
    }
    default:
      return { progress: 0 };
  }
}
