// The request scheduler and job waiting: what the config node owns and every API node waits through.
export {
  RequestScheduler,
  type PollOptions,
  type SchedulerOptions,
  type SchedulerStats,
  type SubmitOptions,
} from './scheduler';
export {
  waitForJob,
  waitForResult,
  type JobReader,
  type StateFeed,
  type WaitEnd,
  type WaitOptions,
} from './wait-for-result';
export { runPlan, resumeRecord, submitStep, type JobPlan, type JobStep, type JobAccount } from './job-runner';
export { StateFeedHub } from './state-feed';
export { backoffDelay } from './backoff';
export { isTransientError, isThrottle, mayRetryPoll, mayRetrySubmit } from './retry-policy';
export { clampTimerMs, MAX_TIMER_MS } from './timers';
