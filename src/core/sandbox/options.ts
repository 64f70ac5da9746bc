// The sandbox's options and their defaults, in one place for the server and the CLI.

export interface RateLimitOptions {
  /** Submits (imagine, button, describe, blend) allowed per window; default 1. */
  submitPerWindow?: number;
  /** Sliding window for submits; default 3000 ms (TNL: "one request every 3 seconds"). */
  submitWindowMs?: number;
  /** GET /v2/message calls allowed per second; default 10. */
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
}

export type ConfigurablePatch = Partial<
  Pick<
    SandboxOptions,
    'stepMs' | 'minuteMs' | 'rateLimit' | 'faults' | 'webhookUrl' | 'refuseDirectImages' | 'prefilterWords'
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
} as const;
