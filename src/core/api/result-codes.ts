// What each result code means, in one table: the codes Midjourney answers with instead of a
// picture (TheNextLeg puts them in a result's `content`; the midjourney-proxy dialect maps its
// failures onto the same names), worded after TheNextLeg's Vary (Region) page, and whether each is
// worth trying again later (the fault was on the service's side). Errors, logs and node status all
// read from here.
import { ApiError } from './errors';

interface CodeInfo {
  meaning: string;
  /** The fault was on the service's or Midjourney's side: the same request may succeed later. */
  transient: boolean;
}

const TABLE = {
  ALREADY_REQUESTED_UPSCALE: {
    meaning: "You've already requested an upscale for this image",
    transient: false,
  },
  BOT_TOOK_TOO_LONG_TO_PROCESS_YOUR_COMMAND: {
    meaning: 'Midjourney Bot took too long to process your command',
    transient: true,
  },
  APPEAL_ACCEPTED: { meaning: 'Your appeal has been accepted', transient: false },
  APPEAL_REJECTED: { meaning: 'Your appeal has been rejected', transient: false },
  BANNED_PROMPT: { meaning: "You can't use this prompt", transient: false },
  BLOCKED: { meaning: 'This message has been blocked', transient: false },
  BUTTON_NOT_FOUND: { meaning: 'Button not found', transient: false },
  FAILED_TO_PROCESS_YOUR_COMMAND: { meaning: 'Midjourney failed to process your command', transient: true },
  FAILED_TO_REQUEST: { meaning: 'Failed to request', transient: true },
  IMAGE_BLOCKED: { meaning: 'This image has been blocked', transient: false },
  INTERNAL_ERROR: { meaning: 'Midjourney had an internal error', transient: true },
  INVALID_LINK: { meaning: 'Invalid link', transient: false },
  INVALID_PARAMETER: { meaning: 'Invalid parameter', transient: false },
  JOB_ACTION_RESTRICTED: { meaning: 'Job action restricted', transient: false },
  JOB_QUEUED: { meaning: 'Job queued', transient: false },
  MODERATION_OUTAGE: { meaning: 'There is a content moderator outage', transient: true },
  NO_FAST_HOURS: { meaning: "You've run out of fast hours", transient: false },
  PLEASE_SUBSCRIBE_TO_MJ_IN_YOUR_DASHBOARD: {
    meaning: "You're not subscribed to Midjourney",
    transient: false,
  },
  QUEUE_FULL: { meaning: 'Queue full', transient: true },
} as const satisfies Record<string, CodeInfo>;

export type ResultCode = keyof typeof TABLE;

/** Every result code, in the order of TheNextLeg's list. */
export const RESULT_CODES = Object.keys(TABLE) as readonly ResultCode[];

export function isResultCode(value: unknown): value is ResultCode {
  return typeof value === 'string' && Object.hasOwn(TABLE, value);
}

/** The meaning of a result code; an unknown code (a newer Midjourney message) is named as it is. */
export function describeResultCode(code: string): string {
  return isResultCode(code) ? TABLE[code].meaning : `Midjourney answered ${code}`;
}

export function isTransientResultCode(code: string): boolean {
  return isResultCode(code) && TABLE[code].transient;
}

/** The error a job that ended with a result code becomes; transient codes are worth a later retry. */
export function resultCodeError(code: string, messageId: string, detail?: string): ApiError {
  const meaning = describeResultCode(code);
  return new ApiError({
    code,
    message: detail ? `${meaning}: ${detail}` : meaning,
    retryable: isTransientResultCode(code),
    messageId,
  });
}
