// One account of an image API: the API's dialect (TheNextLeg or midjourney-proxy) and the scheduler
// that spaces every request made with it. The Node-RED config node owns one of these; nothing here
// knows about Node-RED, and nothing past this file knows which API it talks to.
import type { JobApi } from './api/job-model';
import { RequestScheduler, waitForJob, type StateFeed, type WaitEnd, type WaitOptions } from './jobs';
import { clampTimerMs } from './jobs/timers';
import { MjpApi } from './mjp/mjp-api';
import type { MjpAuthScheme } from './mjp/types';
import { TnlApi } from './tnl/tnl-api';

/** The APIs an account can speak. */
export const API_NAMES = ['tnl', 'midjourney-proxy'] as const;
export type ApiName = (typeof API_NAMES)[number];

export interface AccountOptions {
  /** Default 'tnl'. */
  api?: ApiName;
  baseUrl: string;
  token: string;
  /** midjourney-proxy only: the header the token travels in; default mj-api-secret. */
  authScheme?: MjpAuthScheme;
  /** Seconds-based settings of the config node, converted by the caller. */
  submitIntervalMs?: number;
  pollIntervalMs?: number;
  maxPollsPerSecond?: number;
  requestTimeoutMs?: number;
  logger?: (line: string) => void;
  /**
   * Where the API should POST each job's result (TNL's webhookOverride, midjourney-proxy's
   * notifyHook), sent with every submit. Holds a secret: never logged.
   */
  webhookUrl?: string;
  /** The pushed states, so a wait ends as soon as its webhook arrives. */
  stateFeed?: StateFeed;
  /** With a webhook, polling is only the fallback: the poll interval times this; default 10. */
  fallbackPollFactor?: number;
}

export const DEFAULT_FALLBACK_POLL_FACTOR = 10;

function createApi(options: AccountOptions, webhookUrl: string | undefined): JobApi {
  const common = {
    baseUrl: options.baseUrl,
    token: options.token,
    // The client times each request with a timer: a longer limit would fire at once.
    timeoutMs: options.requestTimeoutMs === undefined ? undefined : clampTimerMs(options.requestTimeoutMs),
    logger: options.logger,
    webhookUrl,
  };
  const api = options.api ?? 'tnl';
  if (api === 'midjourney-proxy') return new MjpApi({ ...common, authScheme: options.authScheme });
  return new TnlApi(common);
}

export class Account {
  readonly api: JobApi;
  readonly scheduler: RequestScheduler;
  readonly stateFeed: StateFeed | undefined;
  /** Pause between two polls of one job when results are pushed; 0 without a webhook. */
  readonly fallbackPollGapMs: number;

  constructor(options: AccountOptions) {
    const pushed = Boolean(options.webhookUrl && options.stateFeed);
    this.api = createApi(options, pushed ? options.webhookUrl : undefined);
    this.stateFeed = pushed ? options.stateFeed : undefined;
    const factor = options.fallbackPollFactor ?? DEFAULT_FALLBACK_POLL_FACTOR;
    this.fallbackPollGapMs = pushed ? Math.max(0, factor) * (options.pollIntervalMs ?? 2000) : 0;
    this.scheduler = new RequestScheduler({
      submitIntervalMs: options.submitIntervalMs,
      pollIntervalMs: options.pollIntervalMs,
      maxPollsPerSecond: options.maxPollsPerSecond,
    });
  }

  /** Sends a command in the account's next submit slot. */
  submit<T>(call: (api: JobApi, signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    return this.scheduler.submit((s) => call(this.api, s), { signal });
  }

  /**
   * Polls a job until it ends, sharing the account's poll budget with every other job; with a
   * webhook the pushed state ends the wait and polling slows down to a fallback.
   */
  wait(jobId: string, options: WaitOptions): Promise<WaitEnd> {
    const pushed: WaitOptions = this.stateFeed
      ? { stateFeed: this.stateFeed, pollGapMs: this.fallbackPollGapMs }
      : {};
    return waitForJob(this.api, this.scheduler, jobId, { ...pushed, ...options });
  }

  close(): void {
    this.scheduler.close();
  }
}
