// Which failures may be repeated. A submit that reached TNL may have created a job, and repeating it
// would create a second one (and spend credits twice); a poll is a read and is always safe to repeat.
import { ApiError } from '../api/errors';

/** NETWORK, TIMEOUT, HTTP_429 and HTTP_5xx: failures that say nothing about the request itself. */
export function isTransientError(err: unknown): err is ApiError {
  if (!(err instanceof ApiError)) return false;
  const code = String(err.code);
  return code === 'NETWORK' || code === 'TIMEOUT' || code === 'HTTP_429' || /^HTTP_5\d\d$/.test(code);
}

/** The server refused the request for load (rate limit, full queue): nothing was created, slow down. */
export function isThrottle(err: unknown): err is ApiError {
  return err instanceof ApiError && err.throttled;
}

/** A submit is repeated only when it surely created no job: refused (429) or never sent. */
export function mayRetrySubmit(err: unknown): err is ApiError {
  return isThrottle(err) || (isTransientError(err) && err.sent === false);
}

export function mayRetryPoll(err: unknown): err is ApiError {
  return isTransientError(err);
}
