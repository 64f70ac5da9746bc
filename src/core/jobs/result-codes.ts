// The human meaning of every result code TNL puts in `response.content`, worded after TNL's own
// Vary (Region) page, kept in one place so errors, logs and node status all say the same thing.
import { TRANSIENT_RESULT_CODES, TnlError, isResultCode, type ResultCode } from '../tnl/errors';
import type { TnlResult } from '../tnl/types';

export const RESULT_CODE_MEANINGS: Readonly<Record<ResultCode, string>> = {
  ALREADY_REQUESTED_UPSCALE: "You've already requested an upscale for this image",
  BOT_TOOK_TOO_LONG_TO_PROCESS_YOUR_COMMAND: 'Midjourney Bot took too long to process your command',
  APPEAL_ACCEPTED: 'Your appeal has been accepted',
  APPEAL_REJECTED: 'Your appeal has been rejected',
  BANNED_PROMPT: "You can't use this prompt",
  BLOCKED: 'This message has been blocked',
  BUTTON_NOT_FOUND: 'Button not found',
  FAILED_TO_PROCESS_YOUR_COMMAND: 'Midjourney failed to process your command',
  FAILED_TO_REQUEST: 'Failed to request',
  IMAGE_BLOCKED: 'This image has been blocked',
  INTERNAL_ERROR: 'Midjourney had an internal error',
  INVALID_LINK: 'Invalid link',
  INVALID_PARAMETER: 'Invalid parameter',
  JOB_ACTION_RESTRICTED: 'Job action restricted',
  JOB_QUEUED: 'Job queued',
  MODERATION_OUTAGE: 'There is a content moderator outage',
  NO_FAST_HOURS: "You've run out of fast hours",
  PLEASE_SUBSCRIBE_TO_MJ_IN_YOUR_DASHBOARD: "You're not subscribed to Midjourney",
  QUEUE_FULL: 'Queue full',
};

/** The meaning of a result code; an unknown code (a newer Midjourney message) is named as it is. */
export function describeResultCode(code: string): string {
  return isResultCode(code) ? RESULT_CODE_MEANINGS[code] : `Midjourney answered ${code}`;
}

/** The error a job that ended with a result code becomes; transient codes are worth a later retry. */
export function resultCodeError(code: string, messageId: string): TnlError {
  return new TnlError({
    code,
    message: describeResultCode(code),
    retryable: TRANSIENT_RESULT_CODES.has(code),
    messageId,
  });
}

/**
 * The result code a pushed result (a webhook body) carries instead of an image, if any. Webhooks
 * arrive for failures too, so a code in `content` must not be taken for a finished image.
 */
export function resultCodeOf(result: TnlResult): string | undefined {
  const content = typeof result.content === 'string' ? result.content.trim() : '';
  return isResultCode(content) ? content : undefined;
}
