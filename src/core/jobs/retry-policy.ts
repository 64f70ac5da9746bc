// Which failures may be repeated. A submit that reached TNL may have created a job, and repeating it
// would create a second one (and spend credits twice); a poll is a read and is always safe to repeat.
import { TnlError } from '../tnl/errors';

/** NETWORK, TIMEOUT, HTTP_429 and HTTP_5xx: failures that say nothing about the request itself. */
export function isTransientError(err: unknown): err is TnlError {
  if (!(err instanceof TnlError)) return false;
  const code = String(err.code);
  return code === 'NETWORK' || code === 'TIMEOUT' || code === 'HTTP_429' || /^HTTP_5\d\d$/.test(code);
}

/** TNL refused the request because of its rate limit: nothing was created, slow down. */
export function isThrottle(err: unknown): err is TnlError {
  return err instanceof TnlError && err.code === 'HTTP_429';
}

/** A submit is repeated only when it surely created no job: refused (429) or never sent. */
export function mayRetrySubmit(err: unknown): err is TnlError {
  return isThrottle(err) || (isTransientError(err) && err.sent === false);
}

export function mayRetryPoll(err: unknown): err is TnlError {
  return isTransientError(err);
}
