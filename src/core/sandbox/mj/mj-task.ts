// The midjourney-proxy task object (GET /mj/task/{id}/fetch, list-by-condition, the notifyHook body)
// made from an engine job: status and string progress, failReason, the picture with its size and
// buttons, properties. A new-api relay shows its own record of the task instead (relayTaskObject).
import { createHash } from 'node:crypto';
import type { EngineJob } from '../engine/engine';
import { buttonsOf } from './mj-buttons';
import type { Flavour } from './mj-fail-reasons';

export type TaskStatus =
  'NOT_START' | 'SUBMITTED' | 'MODAL' | 'IN_PROGRESS' | 'FAILURE' | 'SUCCESS' | 'CANCEL';

/** What the /mj route set knows of a task beyond the engine's job. */
export interface MjTaskInfo {
  /** trueai's task action (IMAGINE, UPSCALE, VARIATION, ZOOM, ...). */
  action: string;
  /** The action a new-api relay records (INPAINT, CUSTOM_ZOOM, HIGH_VARIATION, ...). */
  relayAction: string;
  /** The job's hash: in the image's name and in every customId of its buttons. */
  hash: string;
  /** The prompt as submitted (sandbox flags and all); finalPrompt is what Midjourney echoed. */
  prompt: string;
  description: string;
  /** The submit answer's description, which a relay shows for good. */
  submitDescription: string;
  state: string | null;
  notifyHook: string | undefined;
  /** Set when the task ends in FAILURE or CANCEL. */
  failReason?: string;
  /** A relay shows `status: ""` until then. */
  visibleFromMs: number;
}

/** The channel the servers report tasks on; any fixed Discord-like id does. */
const CHANNEL_ID = '1118138338562560102';
/** Discord signs attachment links for a day: `ex` is when the link expires, `is` when it was issued. */
const LINK_LIFETIME_S = 86_400;

export function statusOf(job: EngineJob): TaskStatus {
  switch (job.phase) {
    case 'modal':
      return 'MODAL';
    case 'waiting':
      return 'NOT_START';
    case 'accepted':
      return 'SUBMITTED';
    case 'running':
      return 'IN_PROGRESS';
    case 'done':
      return 'SUCCESS';
    case 'cancelled':
      return 'CANCEL';
    default:
      return 'FAILURE';
  }
}

/** `null` before the task is submitted, `"0%"`..`"100%"` after, `""` once it failed. */
function progressOf(job: EngineJob, status: TaskStatus): string | null {
  switch (status) {
    case 'NOT_START':
    case 'MODAL':
      return null;
    case 'SUBMITTED':
      return '0%';
    case 'IN_PROGRESS':
      return `${job.progress}%`;
    case 'SUCCESS':
      return '100%';
    default:
      return '';
  }
}

/** A finished picture's link, signed the way Discord's attachment links are (expiry not enforced). */
function signedLink(base: string, file: string, issuedMs: number): string {
  const issued = Math.floor(issuedMs / 1000);
  const ex = (issued + LINK_LIFETIME_S).toString(16);
  const is = issued.toString(16);
  const hm = createHash('sha256').update(`${file}:${is}`).digest('hex');
  return `${base}/images/${file}?ex=${ex}&is=${is}&hm=${hm}&`;
}

/** The picture a task shows now: a preview while rendering, the result once done. */
export function currentImage(job: EngineJob): string | undefined {
  if (job.phase === 'running') return job.previewFile;
  if (job.phase === 'done') return job.files.image;
  return undefined;
}

export function taskObject(
  job: EngineJob,
  info: MjTaskInfo,
  base: string,
  flavour: Flavour,
): Record<string, unknown> {
  const status = statusOf(job);
  const done = status === 'SUCCESS';
  const picture = done ? job.picture : undefined;
  const file = currentImage(job);
  const imageUrl = file
    ? done
      ? signedLink(base, file, job.endedMs ?? Date.now())
      : `${base}/images/${file}`
    : null;
  const finalPrompt = status === 'MODAL' && job.action?.kind === 'varyRegion' ? '' : job.content;
  const properties: Record<string, unknown> = {
    discordInstanceId: CHANNEL_ID,
    ...(flavour === 'trueai' ? { discordChannelId: CHANNEL_ID } : {}),
    botType: 'MID_JOURNEY',
    notifyHook: info.notifyHook ?? null,
    finalPrompt,
    ...(job.acceptedMs !== undefined ? { messageHash: info.hash } : {}),
    ...(done ? { messageContent: `**${job.content}** - <@1050702627576483930> (fast)` } : {}),
    ...(status === 'MODAL' ? { remix: true } : {}),
  };
  return {
    id: job.id,
    properties,
    action: info.action,
    status,
    prompt: info.prompt,
    promptEn: info.prompt,
    description: info.description,
    submitTime: job.createdMs,
    startTime: job.acceptedMs ?? null,
    finishTime: job.endedMs ?? null,
    progress: progressOf(job, status),
    imageUrl,
    imageHeight: picture ? picture.image.height : null,
    imageWidth: picture ? picture.image.width : null,
    failReason: info.failReason ?? null,
    state: info.state,
    buttons: picture ? buttonsOf(picture.kind, info.hash).map((b) => b.button) : [],
    ...(flavour === 'trueai' ? { parentId: job.parent?.id ?? null, botType: 'MID_JOURNEY' } : {}),
  };
}

/**
 * A new-api relay's record of the task: its own action, the submit's description for good, links
 * through its unauthenticated /mj/image/{id}, only finalPrompt in properties, and `status: ""`
 * until its poller has caught up.
 */
export function relayTaskObject(job: EngineJob, info: MjTaskInfo, base: string): Record<string, unknown> {
  const seen = Date.now() >= info.visibleFromMs;
  const status = seen ? statusOf(job) : '';
  const upstream = seen ? taskObject(job, info, base, 'trueai') : undefined;
  const hasImage = seen && currentImage(job) !== undefined;
  const imageUrl = hasImage
    ? `${base}/mj/image/${job.id}${status === 'SUCCESS' ? '' : `?rand=${process.hrtime.bigint()}`}`
    : '';
  return {
    id: job.id,
    action: info.relayAction,
    customId: '',
    botType: '',
    prompt: info.prompt,
    promptEn: info.prompt,
    description: info.submitDescription,
    state: info.state ?? '',
    submitTime: job.createdMs,
    startTime: job.acceptedMs ?? job.createdMs,
    finishTime: (seen && job.endedMs) || 0,
    imageUrl,
    status,
    progress: upstream ? (upstream.progress ?? '0%') : '0%',
    failReason: upstream?.failReason ?? '',
    buttons: upstream ? upstream.buttons : null,
    maskBase64: '',
    properties: upstream ? { finalPrompt: job.content, finalZhPrompt: '' } : null,
  };
}
