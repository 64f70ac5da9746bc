// The failReason a midjourney-proxy task ends with, worded as the servers word it. Midjourney's
// refusals reach them as Discord embeds: trueai writes "<title>, <description>", novicezk's servers
// (and plus) "[<title>] <description>"; other texts are the proxy's own or copied verbatim. The
// sandbox's failure codes are TNL's result codes, so one prompt flag reaches the same failure on
// both APIs; the table below is documented in docs/sandbox.md.

export type Flavour = 'trueai' | 'plus';

/** Endings the midjourney-proxy side adds to TNL's result codes. */
export const MJ_ENDINGS = {
  /** trueai's own banned-word check, run by its queue worker after the submit was accepted. */
  promptFiltered: 'PROMPT_FILTERED',
  /** A started task that ran past the server's timeout. */
  timedOut: 'TIMED_OUT',
  /** A task that never left the server's queue. */
  neverSubmitted: 'NEVER_SUBMITTED',
  /** A Vary (Region) mask the server could not pass on (not a PNG, or another data: prefix than PNG's). */
  maskNotSent: 'MASK_NOT_SENT',
  /** POST /mj/task/{id}/cancel on trueai, which writes FAILURE rather than CANCEL. */
  cancelledByRequest: 'CANCELLED_BY_REQUEST',
} as const;

type Wording =
  /** A Discord embed from Midjourney: title and description, joined the server's way. */
  | { embed: string; description: string }
  /** Text that reads the same on every server. */
  | { plain: string }
  /** Text each server writes its own way. */
  | { trueai: string; plus: string };

const WORDING: Record<string, Wording> = {
  BANNED_PROMPT: { embed: 'Banned prompt detected', description: "You can't use this prompt" },
  IMAGE_BLOCKED: { embed: 'Image denied', description: 'This image has been blocked' },
  INVALID_PARAMETER: { embed: 'Invalid parameter', description: 'Invalid value' },
  JOB_ACTION_RESTRICTED: { plain: 'Job action restricted' },
  INVALID_LINK: { plain: 'Invalid link! Could not validate this link' },
  BLOCKED: { plain: 'Blocked' },
  PLEASE_SUBSCRIBE_TO_MJ_IN_YOUR_DASHBOARD: { plain: 'Subscription required' },
  NO_FAST_HOURS: { plain: "You've ran out of fast hours" },
  ALREADY_REQUESTED_UPSCALE: { plain: "You've already requested an upscale for this image" },
  // The press reaches Discord for a component the message does not have: Discord's answer is copied.
  BUTTON_NOT_FOUND: { plain: 'Invalid Form Body' },
  QUEUE_FULL: { plain: 'Queue full' },
  MODERATION_OUTAGE: { plain: 'There is a content moderator outage' },
  FAILED_TO_PROCESS_YOUR_COMMAND: { plain: 'Failed to process your command' },
  FAILED_TO_REQUEST: { plain: 'Failed to request' },
  BOT_TOOK_TOO_LONG_TO_PROCESS_YOUR_COMMAND: { plain: 'Bot took too long to process your command' },
  APPEAL_ACCEPTED: { plain: 'Your appeal has been accepted' },
  APPEAL_REJECTED: { plain: 'Your appeal has been rejected' },
  INTERNAL_ERROR: { trueai: '任务失败，请重试', plus: '[Internal Server Error] Internal error' },
  [MJ_ENDINGS.promptFiltered]: { plain: '可能包含敏感词' },
  [MJ_ENDINGS.neverSubmitted]: { trueai: '任务提交超时', plus: '任务超时' },
  [MJ_ENDINGS.maskNotSent]: { trueai: '提交失败', plus: '500 Internal Server Error: Internal Server Error' },
  [MJ_ENDINGS.cancelledByRequest]: { plain: '取消任务' },
};

/**
 * The failReason for a failure code. `detail` replaces an embed's generic description when the
 * sandbox knows better (a mask of the wrong shape); `timeoutMinutes` words the running timeout.
 */
export function failReasonOf(code: string, flavour: Flavour, detail?: string, timeoutMinutes = 5): string {
  if (code === MJ_ENDINGS.timedOut)
    return flavour === 'trueai' ? `执行超时 ${timeoutMinutes} 分钟` : '任务超时';
  const wording = WORDING[code];
  if (!wording) return code;
  if ('plain' in wording) return wording.plain;
  if ('trueai' in wording) return wording[flavour];
  const description = detail ?? wording.description;
  return flavour === 'trueai' ? `${wording.embed}, ${description}` : `[${wording.embed}] ${description}`;
}
