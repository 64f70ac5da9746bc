// Node's timers hold at most 2^31 - 1 ms (about 24.8 days); a longer delay fires at once. Every
// duration a user can set ends up in a timer, so this is the ceiling they are all checked against.
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A delay a timer honours: longer ones are cut to MAX_TIMER_MS (a wait of 24.8 days instead of none
 * at all), negative ones and NaN become 0. Every setTimeout of a duration that comes from a setting,
 * a record or a server goes through this.
 */
export function clampTimerMs(ms: number): number {
  if (Number.isNaN(ms) || ms <= 0) return 0;
  return Math.min(ms, MAX_TIMER_MS);
}
