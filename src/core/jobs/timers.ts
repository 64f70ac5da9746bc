// Node's timers hold at most 2^31 - 1 ms (about 24.8 days); a longer delay fires at once. Every
// duration a user can set ends up in a timer, so this is the ceiling they are all checked against.
export const MAX_TIMER_MS = 2 ** 31 - 1;
