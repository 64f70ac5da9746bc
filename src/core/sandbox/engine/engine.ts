// The sandbox's simulated Midjourney, shared by both route sets: jobs with their frames and clock,
// their outcomes, and the finished pictures buttons are pressed on. It knows nothing of HTTP or of
// how either API words a job: a route set creates jobs under its own ids and renders them its way.
import { isoNow } from '../ids';
import type { ImageSpec, ImageStore } from '../images';
import type { PromptFlags } from '../prompt-flags';
import type { Action } from './actions';
import { Clock, planFrames, type Frame } from './clock';
import {
  blendOutcome,
  describeText,
  imagineOutcome,
  pressContent,
  pressOutcome,
  type Outcome,
  type Picture,
  type PressInput,
} from './outcomes';
import { gridOf, previewOf, sizeOf } from './pictures';

export type ApiName = 'tnl' | 'midjourney-proxy';

export type JobPhase =
  /** midjourney-proxy's MODAL: waiting for its modal to be submitted; no clock runs. */
  | 'modal'
  /** In a queue (TNL's JOB_QUEUED, midjourney-proxy's NOT_START). */
  | 'waiting'
  /** Accepted, not rendering yet (TNL's progress 0, midjourney-proxy's SUBMITTED). */
  | 'accepted'
  | 'running'
  | 'done'
  | 'failed'
  | 'cancelled';

/** What a route set sees of a job. */
export interface EngineJob {
  readonly id: string;
  readonly owner: ApiName;
  /** The endpoint that made it, for the sandbox's own job list. */
  readonly endpoint: string;
  readonly type: 'imagine' | 'button';
  readonly createdAt: string;
  readonly createdMs: number;
  readonly parent: EngineJob | undefined;
  readonly action: Action | undefined;
  /** The prompt the result carries (sandbox flags removed). */
  readonly content: string;
  readonly phase: JobPhase;
  /** Rendering progress while running; 100 once done. */
  readonly progress: number;
  /** When the job first left its queue (was accepted), and when it ended. */
  readonly acceptedMs: number | undefined;
  readonly endedMs: number | undefined;
  /** Its last frame stays for good (a stall, or never starting). */
  readonly held: boolean;
  readonly failure: { code: string; detail?: string } | undefined;
  /** A finished picture, with the image files it is served as (paths under /images/). */
  readonly picture: Picture | undefined;
  readonly files: { image?: string; tiles?: string[] };
  /** The preview image, once the job is far enough along to show one. */
  readonly previewFile: string | undefined;
  /** A text answer (describe). */
  readonly text: string | undefined;
}

export type JobChange = 'frame' | 'held' | 'ended';
export type JobListener = (job: EngineJob, change: JobChange) => void;

/** What every new job is told by the route set that makes it. */
export interface JobBase {
  id: string;
  owner: ApiName;
  endpoint: string;
  /** Where its queue is, when the prompt asks for one (see planFrames). */
  queueBeforeAccept: boolean;
}

/** What the sandbox tells about a job (GET /_sandbox/jobs), for tests that must know a job exists. */
export interface SandboxJobSummary {
  messageId: string;
  api: ApiName;
  type: 'imagine' | 'button';
  endpoint: string;
  createdAt: string;
  content: string;
  state: 'modal' | 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
  progress: number;
}

/** Previews appear once rendering is this far along, as Midjourney's first blurry look does. */
const PREVIEW_FROM = 31;

class Job implements EngineJob {
  readonly createdAt = isoNow();
  readonly createdMs = Date.now();
  frames: Frame[] = [];
  frame = 0;
  held = false;
  ended: 'done' | 'failed' | 'cancelled' | undefined;
  isModal = false;
  outcome: Outcome | undefined;
  acceptedMs: number | undefined;
  endedMs: number | undefined;
  picture: Picture | undefined;
  files: { image?: string; tiles?: string[] } = {};
  preview: string | undefined;
  stop: (() => void) | undefined;

  constructor(
    readonly base: JobBase,
    readonly type: 'imagine' | 'button',
    public content: string,
    readonly parent: Job | undefined,
    readonly action: Action | undefined,
  ) {}

  get id(): string {
    return this.base.id;
  }
  get owner(): ApiName {
    return this.base.owner;
  }
  get endpoint(): string {
    return this.base.endpoint;
  }
  private get current(): Frame | undefined {
    return this.frames[Math.min(this.frame, this.frames.length - 1)];
  }
  get phase(): JobPhase {
    if (this.ended) return this.ended;
    if (this.isModal) return 'modal';
    return this.current?.phase ?? 'accepted';
  }
  get progress(): number {
    if (this.ended === 'done') return 100;
    const frame = this.current;
    return !this.ended && frame?.phase === 'running' ? frame.progress : 0;
  }
  get failure(): { code: string; detail?: string } | undefined {
    return this.ended === 'failed' && this.outcome?.kind === 'fail' ? this.outcome : undefined;
  }
  get previewFile(): string | undefined {
    return this.phase === 'running' && this.progress >= PREVIEW_FROM ? this.preview : undefined;
  }
  get text(): string | undefined {
    return this.ended === 'done' && this.outcome?.kind === 'text' ? this.outcome.text : undefined;
  }
}

export interface JobEngineOptions {
  images: ImageStore;
  /** Long side of one picture (a grid quadrant). */
  imageSize: () => number;
  stepMs: () => number;
}

export class JobEngine {
  private readonly jobs = new Map<string, Job>();
  private readonly listeners = new Set<JobListener>();
  readonly clock: Clock;

  constructor(private readonly opts: JobEngineOptions) {
    this.clock = new Clock(opts.stepMs);
  }

  on(listener: JobListener): void {
    this.listeners.add(listener);
  }

  get(id: string): EngineJob | undefined {
    return this.jobs.get(id);
  }

  has(id: string): boolean {
    return this.jobs.has(id);
  }

  list(): EngineJob[] {
    return [...this.jobs.values()];
  }

  imagine(base: JobBase, flags: PromptFlags): EngineJob {
    const job = new Job(base, 'imagine', flags.text, undefined, undefined);
    return this.start(job, imagineOutcome(base.id, flags, this.opts.imageSize()), flags);
  }

  blend(base: JobBase, urls: string[], aspect: { w: number; h: number } = { w: 1, h: 1 }): EngineJob {
    const content = urls.join(' ');
    const job = new Job(base, 'imagine', content, undefined, undefined);
    return this.start(job, blendOutcome(base.id, content, this.opts.imageSize(), aspect), undefined);
  }

  describe(base: JobBase, url: string): EngineJob {
    const text = describeText(url);
    const job = new Job(base, 'imagine', text, undefined, undefined);
    return this.start(job, { kind: 'text', text }, undefined);
  }

  /** A button pressed on a finished picture; `action` undefined is a button the picture lacks. */
  async press(
    base: JobBase,
    parent: EngineJob,
    action: Action | undefined,
    input: PressInput = {},
  ): Promise<EngineJob> {
    const from = this.own(parent);
    const job = new Job(base, 'button', pressContent(from.content, action, input), from, action);
    // Registered before the outcome is decided, so an id handed out is never handed out twice.
    this.jobs.set(job.id, job);
    const outcome = from.picture
      ? await pressOutcome(base.id, { picture: from.picture, content: from.content }, action, input)
      : ({ kind: 'fail', code: 'BUTTON_NOT_FOUND', detail: 'the job has no picture' } as const);
    return this.start(job, outcome, input.flags);
  }

  /** A press that waits for a modal (midjourney-proxy's MODAL): nothing runs until submitModal. */
  openModal(base: JobBase, parent: EngineJob, action: Action): EngineJob {
    const from = this.own(parent);
    const job = new Job(base, 'button', '', from, action);
    job.isModal = true;
    this.jobs.set(job.id, job);
    return job;
  }

  /**
   * The modal's answer: the press goes ahead with the prompt (and mask) it brings, or fails with
   * `refusal` when the route set found the modal unusable.
   */
  async submitModal(
    modal: EngineJob,
    input: PressInput,
    refusal?: { code: string; detail?: string },
  ): Promise<void> {
    const job = this.own(modal);
    if (!job.isModal || !job.parent) return;
    job.isModal = false;
    job.content = pressContent(job.parent.content, job.action, input);
    const { picture, content } = job.parent;
    const outcome: Outcome = refusal
      ? { kind: 'fail', ...refusal }
      : picture
        ? await pressOutcome(job.id, { picture, content }, job.action, input)
        : { kind: 'fail', code: 'BUTTON_NOT_FOUND' };
    this.start(job, outcome, input.flags);
  }

  /** A job that fails as soon as its frames have played (a refusal decided by the route set). */
  failing(
    base: JobBase,
    parent: EngineJob | undefined,
    content: string,
    code: string,
    detail: string,
  ): EngineJob {
    const job = new Job(base, parent ? 'button' : 'imagine', content, parent && this.own(parent), undefined);
    return this.start(job, { kind: 'fail', code, detail }, undefined);
  }

  /** Ends a job now, whatever its frames: a server's timeout, a cancel. Finished jobs stay as they are. */
  end(target: EngineJob, ending: Extract<Outcome, { kind: 'fail' | 'cancel' }>): void {
    const job = this.own(target);
    if (job.ended) return;
    job.stop?.();
    job.isModal = false;
    job.outcome = ending;
    this.finish(job);
  }

  summaries(): SandboxJobSummary[] {
    return [...this.jobs.values()].map((job) => ({
      messageId: job.id,
      api: job.owner,
      type: job.type,
      endpoint: job.endpoint,
      createdAt: job.createdAt,
      content: job.content,
      state: summaryState(job.phase),
      progress: job.progress,
    }));
  }

  close(): void {
    this.clock.close();
  }

  private own(job: EngineJob): Job {
    const found = this.jobs.get(job.id);
    if (!found) throw new Error(`unknown job ${job.id}`);
    return found;
  }

  private start(job: Job, outcome: Outcome, flags: PromptFlags | undefined): Job {
    // Ended while its outcome was being decided (a cancel during a mask's decoding): it stays ended.
    if (job.ended) return job;
    job.outcome = outcome;
    const plan = planFrames({
      queued: flags?.queued ?? false,
      never: flags?.never ?? false,
      ...(flags?.stallAt !== undefined ? { stallAt: flags.stallAt } : {}),
      short: outcome.kind !== 'grid' && outcome.kind !== 'single',
      queueBeforeAccept: job.base.queueBeforeAccept,
    });
    job.frames = plan.frames;
    job.frame = 0;
    job.held = false;
    const finalImage =
      outcome.kind === 'grid'
        ? gridOf(job.id, outcome.tiles)
        : outcome.kind === 'single'
          ? outcome.image
          : undefined;
    if (finalImage) {
      job.preview = `${job.id}-preview.png`;
      this.opts.images.register(job.preview, previewOf(job.id, finalImage));
    }
    this.jobs.set(job.id, job);
    this.entered(job);
    this.schedule(job, plan.hold);
    return job;
  }

  private schedule(job: Job, hold: boolean): void {
    job.stop = this.clock.step(() => {
      job.stop = undefined;
      if (job.frame + 1 < job.frames.length) {
        job.frame++;
        this.entered(job);
        this.schedule(job, hold);
      } else if (hold) {
        job.held = true;
        this.emit(job, 'held');
      } else {
        this.finish(job);
      }
    });
  }

  /** Bookkeeping when a frame starts showing. */
  private entered(job: Job): void {
    const phase = job.phase;
    if (job.acceptedMs === undefined && (phase === 'accepted' || phase === 'running'))
      job.acceptedMs = Date.now();
    this.emit(job, 'frame');
  }

  private finish(job: Job): void {
    const { outcome } = job;
    job.endedMs = Date.now();
    if (outcome?.kind === 'grid') {
      const grid = gridOf(job.id, outcome.tiles);
      job.files = {
        image: this.register(`${job.id}.png`, grid),
        tiles: outcome.tiles.map((tile, i) => this.register(`${job.id}-${i}.png`, tile)),
      };
      job.picture = {
        kind: 'grid',
        image: grid,
        tiles: outcome.tiles,
        tileSize: sizeOf(outcome.tiles[0] ?? grid),
        upscaled: new Set(),
      };
      job.ended = 'done';
    } else if (outcome?.kind === 'single') {
      job.files = { image: this.register(`${job.id}.png`, outcome.image) };
      job.picture = {
        kind: 'upscale',
        image: outcome.image,
        tileSize: sizeOf(outcome.image),
        upscaled: new Set(),
      };
      job.ended = 'done';
    } else if (outcome?.kind === 'text') {
      job.ended = 'done';
    } else {
      job.ended = outcome?.kind === 'cancel' ? 'cancelled' : 'failed';
    }
    this.emit(job, 'ended');
  }

  private register(file: string, spec: ImageSpec): string {
    this.opts.images.register(file, spec);
    return file;
  }

  private emit(job: Job, change: JobChange): void {
    for (const listener of this.listeners) listener(job, change);
  }
}

function summaryState(phase: JobPhase): SandboxJobSummary['state'] {
  switch (phase) {
    case 'waiting':
    case 'accepted':
      return 'queued';
    default:
      return phase;
  }
}
