// The shapes midjourney-proxy speaks (docs/midjourney-proxy-api.md): the submit envelope and the task
// object of trueai-org's and novicezk's servers and of the new-api relays that copy them. Servers add
// keys freely and differ in which they send, so everything here is optional and read defensively.

/** What every `/mj/submit/*` call answers. */
export interface MjpEnvelope {
  code?: number | string;
  description?: string;
  /** The task id: a string, a number on some resellers. */
  result?: unknown;
  properties?: Record<string, unknown>;
  [extra: string]: unknown;
}

/** One of a task's buttons, as Discord listed it. */
export interface MjpButton {
  customId: string;
  /** An emoji ("🔄", "🖌️"), a custom emoji's name ("upscale_1"), or "". */
  emoji?: string;
  label?: string;
  type?: number;
  style?: number;
}

/** `GET /mj/task/{id}/fetch`, a `list-by-condition` entry, and a notifyHook body. */
export interface MjpTask {
  id: string;
  action?: string;
  /** NOT_START, SUBMITTED, MODAL, IN_PROGRESS, FAILURE, SUCCESS, CANCEL; "" on a relay at first. */
  status?: string;
  prompt?: string;
  /** "0%".."100%", null before start, "" on failure. */
  progress?: string | null;
  imageUrl?: string | null;
  imageWidth?: number | null;
  imageHeight?: number | null;
  failReason?: string | null;
  buttons?: MjpButton[];
  properties?: Record<string, unknown>;
  [extra: string]: unknown;
}

/** How the account authenticates: the header servers read, or the one new-api relays read. */
export type MjpAuthScheme = 'mj-api-secret' | 'bearer';
