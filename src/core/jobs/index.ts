// The request scheduler and job waiting: what the config node owns and every API node waits through.
export {
  RequestScheduler,
  type PollOptions,
  type SchedulerOptions,
  type SchedulerStats,
  type SubmitOptions,
} from './scheduler';
export { waitForResult, type MessageReader, type ResultFeed, type WaitOptions } from './wait-for-result';
export { backoffDelay } from './backoff';
export { isTransientError, isThrottle, mayRetryPoll, mayRetrySubmit } from './retry-policy';
export { clampTimerMs, MAX_TIMER_MS } from './timers';
