// Reads a midjourney-proxy task object (fetched or pushed) as a job state. Servers disagree on the
// details (docs/midjourney-proxy-api.md): progress is a string ("46%", null, "" on failure), a relay
// shows status "" until it has polled its upstream, failures are free text in English or Chinese.
import { ApiError } from '../api/errors';
import { isJobId } from '../api/ids';
import type { JobResult, JobState } from '../api/job-model';
import { describeResultCode } from '../api/result-codes';
import { buttonNames, readButtons } from './buttons';

/** The longest piece of a failReason quoted in an error. */
const MAX_REASON = 300;

/**
 * failReason texts that mean one of the shared result codes, as the servers word them: Midjourney's
 * own messages (the embed titles trueai writes as "<title>, <description>" and novicezk as "[<title>]
 * <description>", the account-level titles, the texts TheNextLeg's result codes stand for), plus's
 * translations and the proxies' own Chinese texts. Anything else fails as JOB_FAILED with the text
 * itself. Checked in order: the first that matches wins.
 */
const REASONS: Array<[RegExp, string]> = [
  [
    /可能包含敏感词|banned prompt|可能包含违规|community standards|blocked prompt|can't use this prompt/i,
    'BANNED_PROMPT',
  ],
  [/image denied|图片可能违规|image filters|image (has been )?blocked/i, 'IMAGE_BLOCKED'],
  [/invalid parameter|unrecognized parameter/i, 'INVALID_PARAMETER'],
  [/invalid link|could not validate this link/i, 'INVALID_LINK'],
  [/already requested an upscale/i, 'ALREADY_REQUESTED_UPSCALE'],
  [/job action restricted/i, 'JOB_ACTION_RESTRICTED'],
  [/(ran|run) out of fast hours/i, 'NO_FAST_HOURS'],
  [
    /subscription (required|paused)|plan cancelled|not subscribed/i,
    'PLEASE_SUBSCRIBE_TO_MJ_IN_YOUR_DASHBOARD',
  ],
  [/appeal (has been )?accepted/i, 'APPEAL_ACCEPTED'],
  [/appeal (has been )?rejected/i, 'APPEAL_REJECTED'],
  [/^\W*blocked\b|message has been blocked|pending mod message/i, 'BLOCKED'],
  [/moderat\w* outage/i, 'MODERATION_OUTAGE'],
  [/队列已满|queue (is )?full/i, 'QUEUE_FULL'],
  [/failed to process your command/i, 'FAILED_TO_PROCESS_YOUR_COMMAND'],
  [/failed to request/i, 'FAILED_TO_REQUEST'],
  [/took too long|超时|timed? ?out/i, 'BOT_TOOK_TOO_LONG_TO_PROCESS_YOUR_COMMAND'],
  [/任务失败，请重试|internal (server )?error/i, 'INTERNAL_ERROR'],
  [/取消任务|^\s*cancel/i, 'CANCELLED'],
];

export function failureCode(reason: string): string {
  for (const [pattern, code] of REASONS) if (pattern.test(reason)) return code;
  return 'JOB_FAILED';
}

function isPlain(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** "46%", "46", 46 → 46; null, "", nonsense → undefined. */
function readProgress(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return Math.min(100, Math.max(0, value));
  if (typeof value !== 'string') return undefined;
  const match = /^\s*(\d{1,3}(?:\.\d+)?)\s*%?\s*$/.exec(value);
  return match ? Math.min(100, Number(match[1])) : undefined;
}

function positiveInt(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}

/** The task's id as a string: servers send it as text, some resellers as a number. */
export function taskId(value: unknown): string | undefined {
  const id = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
  return isJobId(id) ? id : undefined;
}

/** A finished task in the shared terms; the task object itself is the payload. */
export function mjpJobResult(task: Record<string, unknown>, id: string): JobResult {
  const result: JobResult = {
    buttonMessageId: id,
    buttons: buttonNames(readButtons(task.buttons)),
    payload: task,
  };
  const imageUrl = text(task.imageUrl);
  if (imageUrl) result.imageUrl = imageUrl;
  // trueai lists the grid's pictures as [{url, thumbnail}].
  if (Array.isArray(task.imageUrls)) {
    const urls = task.imageUrls
      .map((entry: unknown) =>
        typeof entry === 'string' ? entry : isPlain(entry) ? text(entry.url) : undefined,
      )
      .filter((url): url is string => typeof url === 'string' && url !== '');
    if (urls.length > 0) result.imageUrls = urls;
  }
  const width = positiveInt(task.imageWidth);
  const height = positiveInt(task.imageHeight);
  if (width && height) result.imageSize = { width, height };
  const prompt = text(task.prompt);
  if (prompt) result.prompt = prompt;
  return result;
}

/** The message a failed task becomes: the shared meaning, and the server's own words. */
function failure(code: string, reason: string): string {
  const said = reason.replace(/\p{Cc}+/gu, ' ').trim();
  const quoted = said.length > MAX_REASON ? `${said.slice(0, MAX_REASON)}…` : said;
  if (code === 'JOB_FAILED') return `midjourney-proxy reports the job failed${quoted ? `: ${quoted}` : ''}`;
  const meaning = code === 'CANCELLED' ? 'The job was cancelled' : describeResultCode(code);
  return quoted ? `${meaning}: ${quoted}` : meaning;
}

/**
 * A task object as a job state. Throws ApiError BAD_RESPONSE for what is not a task; `jobId` is the
 * id asked for, named in the error.
 */
export function parseTask(body: unknown, jobId?: string): JobState {
  const bad = (why: string): ApiError =>
    new ApiError({
      code: 'BAD_RESPONSE',
      message: `Unexpected task${jobId ? ` ${jobId}` : ''}: ${why}`,
      messageId: jobId,
    });
  if (!isPlain(body)) throw bad('not a JSON object');
  const id = taskId(body.id) ?? jobId;
  if (!id) throw bad('it has no id');
  const status = typeof body.status === 'string' ? body.status.trim().toUpperCase() : '';
  const progress = readProgress(body.progress);
  switch (status) {
    case 'SUCCESS':
      return { state: 'done', result: mjpJobResult(body, id) };
    case 'FAILURE': {
      const reason = text(body.failReason) ?? '';
      const code = failureCode(reason);
      return { state: 'failed', code, message: failure(code, reason), payload: body };
    }
    case 'CANCEL':
      return {
        state: 'failed',
        code: 'CANCELLED',
        message: failure('CANCELLED', text(body.failReason) ?? ''),
        payload: body,
      };
    case 'MODAL':
      return { state: 'modal' };
    case 'IN_PROGRESS': {
      const preview = text(body.imageUrl);
      return { state: 'running', progress: progress ?? 0, progressImageUrl: preview || null };
    }
    default:
      // "", NOT_START, SUBMITTED, and any status a newer server adds: not an outcome yet.
      return { state: 'queued', progress: progress ?? 0 };
  }
}
