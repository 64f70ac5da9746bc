// The job model both API dialects map onto. The nodes, the scheduler and the job runner speak only
// these terms and never test which API they talk to; each dialect (src/core/tnl, src/core/mjp)
// turns its wire format into them.

export interface PictureSize {
  width: number;
  height: number;
}

/** A finished job, in the terms every API shares. */
export interface JobResult {
  /** The id to press this result's buttons on (TNL: a new id per result; midjourney-proxy: the task's). */
  buttonMessageId?: string;
  /** The buttons, named as a TheNextLeg flow names them on either API (U1, 🔄, 🖌️ Vary (Region), ...). */
  buttons?: string[];
  imageUrl?: string;
  /** The grid's four pictures, when the API lists them apart. */
  imageUrls?: string[];
  /** The picture's size, when the API says it. */
  imageSize?: PictureSize;
  /** The prompt the job ran with, when the API says it. */
  prompt?: string;
  /** The provider's own result object as received (normalised only where a field had the wrong type). */
  payload: Record<string, unknown>;
}

/** What reading a job (polled or pushed) says about it. */
export type JobState =
  /** Waiting to start; `code` is JOB_QUEUED when Midjourney said the job waits in its queue. */
  | { state: 'queued'; progress: number; code?: 'JOB_QUEUED' }
  | { state: 'running'; progress: number; progressImageUrl: string | null }
  | { state: 'done'; result: JobResult }
  /** Ended without a picture: a result code (BANNED_PROMPT, ...) and what the service said. */
  | { state: 'failed'; code: string; message: string; payload?: Record<string, unknown> }
  /** The service gave up on the job (TNL's expireMins). */
  | { state: 'incomplete' }
  /** The job waits for a dialog to be submitted (midjourney-proxy's MODAL: Vary (Region), remix). */
  | { state: 'modal' }
  /** The service does not know the id (yet: a relay may lag behind its upstream). */
  | { state: 'unknown' };

/** A submit's answer: the id of the job it created. */
export interface Submitted {
  jobId: string;
  /** The job waits for a dialog (midjourney-proxy code 21) before it does anything. */
  modal?: boolean;
  /** The provider's acknowledgement as received. */
  payload: Record<string, unknown>;
}

/** The result a button is pressed on: its id, and what the previous node knew of it. */
export interface ParentRef {
  buttonMessageId: string;
  /** Button names as listed on the msg, when known. */
  buttons?: readonly string[];
  /** The provider's result object, when the msg carries it (saves reading the parent again). */
  payload?: unknown;
}

/** Vary (Region)'s dialog: the new prompt and the mask (opaque, black = keep, white = repaint). */
export interface RegionEdit {
  prompt: string;
  /** The mask's bytes; each dialect encodes them as its API wants (bare base64, a data URL). */
  mask: Buffer;
  /** The mask's format as sniffed from its bytes. */
  maskFormat: 'png' | 'jpeg' | 'webp';
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface DownloadOptions extends CallOptions {
  /** Refuse a picture larger than this many bytes, while it downloads; default 50 MiB. */
  maxBytes?: number;
}

/** A pushed result (webhook body) read by the dialect: which job it is about, and its state. */
export interface PushedState {
  jobId: string;
  state: JobState;
}

/** What the job engine needs from an API. */
export interface JobApi {
  /** 'tnl' or 'midjourney-proxy': for logs and docs only; the engine never branches on it. */
  readonly name: string;
  readonly baseUrl: string;
  /** The mask formats the API takes; a mask in another format is converted to the first first. */
  readonly maskFormats: readonly RegionEdit['maskFormat'][];
  imagine(prompt: string, opts?: CallOptions): Promise<Submitted>;
  /** Presses a button (a name from `buttons`, a plain label, or the API's own button id). */
  press(parent: ParentRef, button: string, opts?: CallOptions): Promise<Submitted>;
  /**
   * Starts Vary (Region) on an upscale. A dialect whose API does it in one call sends `edit` now;
   * one that opens a dialog first answers `modal: true` (or a job that reaches the `modal` state),
   * and the edit is then sent with `submitModal`.
   */
  varyRegion(parent: ParentRef, edit: RegionEdit, opts?: CallOptions): Promise<Submitted>;
  /** Sends a dialog's content for a job in the `modal` state; answers the job that now runs. */
  submitModal(jobId: string, edit: RegionEdit, opts?: CallOptions): Promise<Submitted>;
  readJob(jobId: string, opts?: CallOptions & { expireMins?: number }): Promise<JobState>;
  /** A webhook body: undefined when it is not a result of this API. Pure, never throws. */
  readPushed(body: unknown): PushedState | undefined;
  /** Downloads a result picture. */
  getImage(imageUrl: string, opts?: DownloadOptions): Promise<Buffer>;
  /** The first bytes of a result picture (enough for its header), without downloading all of it. */
  getImageHead(imageUrl: string, maxBytes: number, opts?: CallOptions): Promise<Buffer>;
}

/** A state that ends the wait. */
export function isTerminal(state: JobState): boolean {
  return state.state === 'done' || state.state === 'failed' || state.state === 'incomplete';
}
