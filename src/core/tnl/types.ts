// The shapes TheNextLeg's v2 API speaks, as real responses show them (docs/tnl-api.md): every
// field of a result but `content` may be missing, so everything else is optional here.

export { VARY_REGION_BUTTON } from '../api/buttons';

/** The acknowledgement every async command answers with at once. */
export interface Acknowledgement {
  success: true;
  messageId: string;
  createdAt: string;
}

/** A finished job's result: the `response` of GET /v2/message, and the body of a webhook POST. */
export interface TnlResult {
  content: string;
  createdAt?: string;
  responseAt?: string;
  originatingMessageId?: string;
  buttonMessageId?: string;
  buttons?: string[];
  imageUrl?: string;
  imageUrls?: string[];
  description?: string;
  type?: string;
  ref?: string;
  [extra: string]: unknown;
}

/** What GET /v2/message/<id> means, once the flattened and nested shapes are told apart. */
export type MessageState =
  /** Waiting to start; `code` is JOB_QUEUED when Midjourney said the job is in its queue. */
  | { state: 'queued'; progress: number; code?: 'JOB_QUEUED' }
  | { state: 'running'; progress: number; progressImageUrl: string | null }
  | { state: 'done'; progress: 100; result: TnlResult }
  /** Midjourney answered with a result code (BANNED_PROMPT, ...) instead of an image. */
  | { state: 'failed'; progress: 100; code: string; result: TnlResult }
  /** TNL gave up: `expireMins` passed without a result. */
  | { state: 'incomplete' };

export interface ImagineRequest {
  prompt: string;
  ref?: string;
  webhookOverride?: string;
}

export interface ButtonRequest {
  button: string;
  buttonMessageId: string;
  /** Vary (Region) and Custom Zoom take a prompt. */
  prompt?: string;
  /** Vary (Region): bare base64 of the mask image. */
  mask?: string;
  /** Custom Zoom: the zoom factor (1.0 to 2.0). */
  zoom?: number;
  ref?: string;
  webhookOverride?: string;
}

/** Every call can be cancelled; a removed Node-RED node aborts what it started. */
export type { CallOptions, DownloadOptions } from '../api/job-model';
