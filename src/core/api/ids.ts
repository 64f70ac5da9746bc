// The one rule for a job id, wherever one comes from (a msg, a webhook, an answer): TheNextLeg's
// ids are 20 alphanumerics, midjourney-proxy's 16 digits, other compatible servers use UUIDs. None
// has spaces or slashes, which is what keeps an id safe to put in a URL path.
export const JOB_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

export function isJobId(value: unknown): value is string {
  return typeof value === 'string' && JOB_ID_PATTERN.test(value);
}
