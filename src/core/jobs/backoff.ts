// Exponential backoff with jitter, so many nodes that failed together do not all retry together.

/**
 * Delay before retry number `attempt` (1 for the first retry): base doubled per retry, capped,
 * then "equal jitter" (between half and all of it) so the delay never collapses to zero.
 */
export function backoffDelay(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  const capped = Math.max(0, exp);
  return capped / 2 + (random() * capped) / 2;
}
