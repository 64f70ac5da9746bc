// The sandbox's simulated Midjourney: jobs advance one coarse progress step per tick and end with a
// result (an image grid, one upscaled image, text) or a result code, the way TNL reports them.
import { VARY_REGION_BUTTON } from '../tnl/types';
import { isoNow, newId } from './ids';
import { pictureSize, type ImageSpec, type ImageStore } from './images';
import { aspectMatches, decodeMask } from './mask-decode';
import type { PromptFlags } from './prompt-flags';

export const GRID_BUTTONS: readonly string[] = ['U1', 'U2', 'U3', 'U4', '🔄', 'V1', 'V2', 'V3', 'V4'];
export const UPSCALE_BUTTONS: readonly string[] = [
  '🪄 Make Variations',
  '🪄 Vary (Strong)',
  '🪄 Vary (Subtle)',
  '🔍 Zoom Out 2x',
  '🔍 Zoom Out 1.5x',
  '🔍 Custom Zoom',
  VARY_REGION_BUTTON,
  '⬅️',
  '➡️',
  '⬆️',
  '⬇️',
  '❤️ Favorite',
];
const RUNNING_STEPS = [15, 31, 46, 62, 78, 93];
const JOB_QUEUED_STEPS = 3;
const FAVORITE = '❤️ Favorite';

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

/** What the sandbox tells about a job (GET /_sandbox/jobs), for tests that must know a job exists. */
export interface SandboxJobSummary {
  messageId: string;
  type: 'imagine' | 'button';
  endpoint: string;
  createdAt: string;
  content: string;
  state: 'queued' | 'running' | 'done' | 'failed';
  progress: number;
}

type Frame = { state: 'queued' } | { state: 'jobQueued' } | { state: 'running'; progress: number };

type Outcome =
  | { kind: 'fail'; code: string }
  | { kind: 'grid'; tiles: ImageSpec[] }
  | { kind: 'single'; image: ImageSpec; buttons: readonly string[] }
  | { kind: 'text' };

interface Job {
  id: string;
  endpoint: string;
  type: 'imagine' | 'button';
  createdAt: string;
  createdMs: number;
  content: string;
  ref: string;
  webhookUrl: string | undefined;
  frames: Frame[];
  frame: number;
  hold: boolean;
  outcome: Outcome;
  previewFile: string | undefined;
  timer?: NodeJS.Timeout;
  result?: SandboxResult;
}

/** What a later button press may act on: a finished result, by its buttonMessageId. */
interface Pressable {
  content: string;
  buttons: readonly string[];
  tiles?: ImageSpec[];
  image?: ImageSpec;
  size: { width: number; height: number };
  pressed: Set<string>;
}

export interface SubmitCommon {
  ref: string;
  webhookUrl: string | undefined;
}

export type SubmitRefusal = { refused: string };
export interface SubmitAck {
  messageId: string;
  createdAt: string;
}

export interface JobStoreOptions {
  images: ImageStore;
  imageSize: () => number;
  stepMs: () => number;
  /** Called with image paths still relative (`/images/...`). */
  onFinish: (result: SandboxResult, webhookUrl: string | undefined) => void;
}

function planFrames(flags: PromptFlags | undefined, short: boolean): { frames: Frame[]; hold: boolean } {
  const frames: Frame[] = [{ state: 'queued' }];
  if (flags?.never) return { frames, hold: true };
  if (flags?.queued) for (let i = 0; i < JOB_QUEUED_STEPS; i++) frames.push({ state: 'jobQueued' });
  if (short) {
    frames.push({ state: 'running', progress: RUNNING_STEPS[0] ?? 15 });
    return { frames, hold: false };
  }
  const stall = flags?.stallAt;
  for (const progress of RUNNING_STEPS) {
    if (stall !== undefined && progress >= stall) break;
    frames.push({ state: 'running', progress });
  }
  if (stall !== undefined) {
    frames.push({ state: 'running', progress: stall });
    return { frames, hold: true };
  }
  return { frames, hold: false };
}

export class JobStore {
  private readonly jobs = new Map<string, Job>();
  private readonly pressables = new Map<string, Pressable>();
  private readonly active = new Set<Job>();
  private closed = false;

  constructor(private readonly opts: JobStoreOptions) {}

  imagine(flags: PromptFlags, common: SubmitCommon): SubmitAck {
    const size = pictureSize(this.opts.imageSize(), flags.aspect);
    const id = newId();
    const tiles = [0, 1, 2, 3].map((index): ImageSpec => ({
      kind: 'tile',
      id: `${id}:tile:${index}`,
      ...size,
      seed: flags.text,
      label: flags.text,
      index,
    }));
    const outcome: Outcome = flags.failCode
      ? { kind: 'fail', code: flags.failCode }
      : { kind: 'grid', tiles };
    return this.add(id, 'imagine', 'imagine', flags.text, common, outcome, flags);
  }

  blend(urls: string[], common: SubmitCommon): SubmitAck {
    const size = pictureSize(this.opts.imageSize(), { w: 1, h: 1 });
    const id = newId();
    const content = urls.join(' ');
    const tiles = [0, 1, 2, 3].map((index): ImageSpec => ({
      kind: 'tile',
      id: `${id}:tile:${index}`,
      ...size,
      seed: content,
      label: 'blend',
      index,
    }));
    return this.add(id, 'blend', 'imagine', content, common, { kind: 'grid', tiles }, undefined);
  }

  describe(url: string, common: SubmitCommon): SubmitAck {
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
    const content = styles.map((style, i) => `${i + 1}️⃣ ${subject}, ${style} --ar 1:1`).join('\n\n');
    const id = newId();
    return this.add(id, 'describe', 'imagine', content, common, { kind: 'text' }, undefined);
  }

  /** A button press: refused at once for an unknown buttonMessageId, otherwise the job decides. */
  async button(
    press: { button: string; buttonMessageId: string; prompt?: string; mask?: string; flags?: PromptFlags },
    common: SubmitCommon,
  ): Promise<SubmitAck | SubmitRefusal> {
    const source = this.pressables.get(press.buttonMessageId);
    if (!source) return { refused: 'Invalid buttonMessageId' };
    const id = newId();
    const { button } = press;
    let outcome: Outcome;
    let content = source.content;
    let flags: PromptFlags | undefined;
    if (!source.buttons.includes(button)) {
      outcome = { kind: 'fail', code: 'BUTTON_NOT_FOUND' };
    } else if (/^U[1-4]$/.test(button)) {
      const tile = source.tiles?.[Number(button.slice(1)) - 1];
      if (source.pressed.has(button)) outcome = { kind: 'fail', code: 'ALREADY_REQUESTED_UPSCALE' };
      else if (!tile) outcome = { kind: 'fail', code: 'BUTTON_NOT_FOUND' };
      else outcome = { kind: 'single', image: tile, buttons: UPSCALE_BUTTONS };
      source.pressed.add(button);
    } else if (button === VARY_REGION_BUTTON) {
      flags = press.flags;
      outcome = await this.varyRegion(id, source, press.mask, flags);
      if (flags?.text) content = flags.text;
    } else if (button === FAVORITE && source.image) {
      outcome = { kind: 'single', image: source.image, buttons: source.buttons };
    } else {
      const seed = `${source.content}|${button}|${id}`;
      const tiles = [0, 1, 2, 3].map((index): ImageSpec => ({
        kind: 'tile',
        id: `${id}:tile:${index}`,
        ...source.size,
        seed,
        label: source.content,
        index,
      }));
      outcome = { kind: 'grid', tiles };
    }
    return this.add(id, 'button', 'button', content, common, outcome, flags);
  }

  private async varyRegion(
    id: string,
    source: Pressable,
    mask: string | undefined,
    flags: PromptFlags | undefined,
  ): Promise<Outcome> {
    const base = source.image;
    if (!base || !flags?.text || !mask) return { kind: 'fail', code: 'INVALID_PARAMETER' };
    const region = await decodeMask(mask);
    if (typeof region === 'string' || !aspectMatches(region, base))
      return { kind: 'fail', code: 'INVALID_PARAMETER' };
    if (flags.failCode) return { kind: 'fail', code: flags.failCode };
    const tiles = [0, 1, 2, 3].map((index): ImageSpec => ({
      kind: 'repaint',
      id: `${id}:tile:${index}`,
      width: base.width,
      height: base.height,
      base,
      mask: region,
      seed: `${flags.text}|${id}`,
      index,
    }));
    return { kind: 'grid', tiles };
  }

  private add(
    id: string,
    endpoint: string,
    type: Job['type'],
    content: string,
    common: SubmitCommon,
    outcome: Outcome,
    flags: PromptFlags | undefined,
  ): SubmitAck {
    const { frames, hold } = planFrames(flags, outcome.kind === 'fail' || outcome.kind === 'text');
    let previewFile: string | undefined;
    const finalImage =
      outcome.kind === 'grid'
        ? this.gridSpec(id, outcome.tiles)
        : outcome.kind === 'single'
          ? outcome.image
          : undefined;
    if (finalImage) {
      previewFile = `${id}-preview.png`;
      this.opts.images.register(previewFile, {
        kind: 'preview',
        id: `${id}:preview`,
        width: finalImage.width,
        height: finalImage.height,
        of: finalImage,
      });
    }
    const job: Job = {
      id,
      endpoint,
      type,
      createdAt: isoNow(),
      createdMs: Date.now(),
      content,
      ref: common.ref,
      webhookUrl: common.webhookUrl,
      frames,
      frame: 0,
      hold,
      outcome,
      previewFile,
    };
    this.jobs.set(id, job);
    this.active.add(job);
    this.schedule(job);
    return { messageId: id, createdAt: job.createdAt };
  }

  /** Jobs not finished yet (a stalled or never-starting job counts). */
  pendingCount(): number {
    let n = 0;
    for (const job of this.jobs.values()) if (!job.result) n++;
    return n;
  }

  private gridSpec(id: string, tiles: ImageSpec[]): ImageSpec {
    const first = tiles[0];
    const width = (first?.width ?? 1) * 2;
    const height = (first?.height ?? 1) * 2;
    return { kind: 'grid', id: `${id}:grid`, width, height, tiles };
  }

  /** Each job keeps its own clock, so every frame lasts a full step however jobs overlap. */
  private schedule(job: Job): void {
    if (this.closed) return;
    job.timer = setTimeout(
      () => {
        job.timer = undefined;
        this.advance(job);
      },
      Math.max(1, this.opts.stepMs()),
    );
    // The HTTP server keeps a CLI alive; a test process must be free to exit without waiting for jobs.
    job.timer.unref();
  }

  private advance(job: Job): void {
    job.frame++;
    if (job.frame < job.frames.length) return this.schedule(job);
    this.active.delete(job);
    if (job.hold) job.frame = job.frames.length - 1;
    else this.finish(job);
  }

  private finish(job: Job): void {
    const result: SandboxResult = {
      createdAt: job.createdAt,
      responseAt: isoNow(),
      originatingMessageId: job.id,
      content: job.content,
      description: '',
      type: job.type,
      ref: job.ref,
    };
    const { outcome } = job;
    const { images } = this.opts;
    if (outcome.kind === 'fail') {
      result.content = outcome.code;
    } else if (outcome.kind === 'grid') {
      const buttonMessageId = newId();
      const files = outcome.tiles.map((tile, i) => {
        images.register(`${job.id}-${i}.png`, tile);
        return `/images/${job.id}-${i}.png`;
      });
      images.register(`${job.id}.png`, this.gridSpec(job.id, outcome.tiles));
      const first = outcome.tiles[0];
      this.pressables.set(buttonMessageId, {
        content: job.content,
        buttons: GRID_BUTTONS,
        tiles: outcome.tiles,
        size: { width: first?.width ?? 1, height: first?.height ?? 1 },
        pressed: new Set(),
      });
      Object.assign(result, {
        buttonMessageId,
        buttons: [...GRID_BUTTONS],
        imageUrl: `/images/${job.id}.png`,
        imageUrls: files,
      });
    } else if (outcome.kind === 'single') {
      const buttonMessageId = newId();
      images.register(`${job.id}.png`, outcome.image);
      this.pressables.set(buttonMessageId, {
        content: job.content,
        buttons: outcome.buttons,
        image: outcome.image,
        size: { width: outcome.image.width, height: outcome.image.height },
        pressed: new Set(),
      });
      Object.assign(result, {
        buttonMessageId,
        buttons: [...outcome.buttons],
        imageUrl: `/images/${job.id}.png`,
      });
    }
    // A fixed key order, matching TNL's payloads, keeps results easy to read in a debug sidebar.
    job.result = reorder(result);
    this.opts.onFinish(job.result, job.webhookUrl);
  }

  /** GET /v2/message/<id>; `undefined` for an id the sandbox never issued. Paths are made absolute with `base`. */
  message(id: string, expireMs: number, base: string): SandboxMessageBody | undefined {
    const job = this.jobs.get(id);
    if (!job) return undefined;
    if (job.result) return { progress: 100, response: withBase(job.result, base) };
    if (Date.now() - job.createdMs >= expireMs) return { progress: 'incomplete' };
    const frame = job.frames[Math.min(job.frame, job.frames.length - 1)] ?? { state: 'queued' };
    if (frame.state === 'queued') return { progress: 0 };
    if (frame.state === 'jobQueued') return { progress: 0, response: { content: 'JOB_QUEUED' } };
    const preview = job.previewFile && frame.progress >= 31 ? `${base}/images/${job.previewFile}` : null;
    return { progress: frame.progress, progressImageUrl: preview, response: {} };
  }

  summaries(): SandboxJobSummary[] {
    return [...this.jobs.values()].map((job) => {
      const frame = job.frames[Math.min(job.frame, job.frames.length - 1)];
      const progress = job.result ? 100 : frame?.state === 'running' ? frame.progress : 0;
      const state = job.result
        ? job.outcome.kind === 'fail'
          ? 'failed'
          : 'done'
        : frame?.state === 'running'
          ? 'running'
          : 'queued';
      return {
        messageId: job.id,
        type: job.type,
        endpoint: job.endpoint,
        createdAt: job.createdAt,
        content: job.content,
        state,
        progress,
      };
    });
  }

  close(): void {
    this.closed = true;
    for (const job of this.active) if (job.timer) clearTimeout(job.timer);
    this.active.clear();
  }
}

function reorder(r: SandboxResult): SandboxResult {
  const out: Partial<SandboxResult> = {};
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
  for (const key of keys) if (r[key] !== undefined) (out as Record<string, unknown>)[key] = r[key];
  return out as SandboxResult;
}

/** A copy of a result with its image paths made absolute. */
export function withBase(result: SandboxResult, prefix: string): SandboxResult {
  const copy: SandboxResult = { ...result };
  if (copy.imageUrl) copy.imageUrl = prefix + copy.imageUrl;
  if (copy.imageUrls) copy.imageUrls = copy.imageUrls.map((u) => prefix + u);
  if (copy.buttons) copy.buttons = [...copy.buttons];
  return copy;
}
