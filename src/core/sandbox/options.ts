// The sandbox's options and their defaults, in one place for the server and the CLI.

export interface RateLimitOptions {
  /** Submits (imagine, button, describe, blend; /mj/submit/*) allowed per window; default 1. */
  submitPerWindow?: number;
  /** Sliding window for submits; default 3000 ms (TNL: "one request every 3 seconds"). */
  submitWindowMs?: number;
  /** Reads (GET /v2/message, /mj/task/{id}/fetch, list-by-condition) allowed per second; default 10. */
  messagePerSecond?: number;
}

export interface FaultOptions {
  /** Share (0..1) of API requests answered 500 or 502 (alternating), before any work. */
  errorRate?: number;
  /** Share of API requests whose socket is destroyed with no answer. */
  dropRate?: number;
  /** Added before answering. */
  latencyMs?: number;
  /** Share of requests never answered (socket left open until close()). */
  hangRate?: number;
  /** Share of submits whose job IS created but whose answer is a 500 or a dropped socket (alternating). */
  failAfterAcceptRate?: number;
  /** Which endpoints faults apply to; default 'all'. */
  only?: 'message' | 'submit' | 'all';
  /**
   * Share of /mj submits refused as "queue full, retry later" with nothing created: trueai's code 9
   * `提交失败，队列已满，请稍后重试`, or code 23 with the 'plus' flavour.
   */
  queueFullRate?: number;
  /** The next N /mj submits are refused that way (counted from the last configure). */
  queueFullNext?: number;
}

/** The new-api relay in front of a midjourney-proxy server (see MidjourneyProxyOptions.relay). */
export interface RelayOptions {
  /** How long a new task shows `status: ""` before the relay's poller has seen it; default 200 ms. */
  statusEmptyMs?: number;
  /** Rewrite code 21 to 1 for Vary (Region) and Custom Zoom too, as some relays do; default false. */
  rewriteModalCode?: boolean;
}

/** How /mj behaves where midjourney-proxy's implementations differ (trueai's way by default). */
export interface MidjourneyProxyOptions {
  /**
   * Whose habits /mj copies: 'trueai' (trueai-org/midjourney-proxy, the default) or 'plus'
   * (novicezk's midjourney-proxy-plus, and the open-source edition where they agree).
   */
  flavour?: 'trueai' | 'plus';
  /** Answer as a new-api relay in front of the server; an object tunes it. Default false. */
  relay?: boolean | RelayOptions;
  /** The account has Remix on: V1-V4, Vary (Strong/Subtle), pans and 🔄 open a MODAL. Default false. */
  remix?: boolean;
  /** Tasks one user may have under way at once; over it trueai refuses (`并发数已达上限`). 0 = no cap. */
  concurrencyLimit?: number;
  /** The token is an admin's, so POST /mj/task/{id}/cancel works. Default true. */
  admin?: boolean;
  /** Minutes (of minuteMs) a started task may run before it fails as timed out. Default 5, as trueai. */
  timeoutMinutes?: number;
  /** The hook for tasks submitted without a notifyHook (trueai's NotifyHook setting). */
  notifyHook?: string;
}

export interface SandboxOptions {
  /** Default 0 (any free port). */
  port?: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 'sandbox-token'. */
  token?: string;
  /** Time between progress steps; default 400 (a job takes about 3 s). */
  stepMs?: number;
  /** How long one "minute" of expireMins lasts; default 60000. */
  minuteMs?: number;
  /** Default ['forbiddenword', 'bannedword']. */
  prefilterWords?: string[];
  /** Default webhook for every finished job (a job's webhookOverride wins). */
  webhookUrl?: string;
  /** Default false; an object turns TNL's limits on (see RateLimitOptions for the defaults). */
  rateLimit?: false | RateLimitOptions;
  /** Default none. */
  faults?: FaultOptions;
  /** Images answer 403 when fetched directly (like Midjourney's CDN); POST /getImage still returns them. */
  refuseDirectImages?: boolean;
  /** Side of one upscaled image (a grid quadrant); default 512. */
  imageSize?: number;
  /** The midjourney-proxy route set (/mj). */
  midjourneyProxy?: MidjourneyProxyOptions;
}

export type ConfigurablePatch = Partial<
  Pick<
    SandboxOptions,
    | 'stepMs'
    | 'minuteMs'
    | 'rateLimit'
    | 'faults'
    | 'webhookUrl'
    | 'refuseDirectImages'
    | 'prefilterWords'
    | 'midjourneyProxy'
  >
>;

export const DEFAULTS = {
  port: 0,
  host: '127.0.0.1',
  token: 'sandbox-token',
  stepMs: 400,
  minuteMs: 60_000,
  prefilterWords: ['forbiddenword', 'bannedword'],
  imageSize: 512,
  submitPerWindow: 1,
  submitWindowMs: 3000,
  messagePerSecond: 10,
  mjTimeoutMinutes: 5,
  relayStatusEmptyMs: 200,
} as const;
