// One TheNextLeg account: its client and the scheduler that spaces every request made with it.
// The Node-RED config node owns one of these; nothing here knows about Node-RED.
import { RequestScheduler, waitForResult, type ResultFeed, type WaitOptions } from './jobs';
import { MAX_TIMER_MS } from './jobs/timers';
import { TnlClient, type TnlClientOptions } from './tnl/client';
import type { Acknowledgement, ButtonRequest, CallOptions, ImagineRequest, TnlResult } from './tnl/types';

export interface AccountOptions {
  baseUrl: string;
  token: string;
  /** Seconds-based settings of the config node, converted by the caller. */
  submitIntervalMs?: number;
  pollIntervalMs?: number;
  maxPollsPerSecond?: number;
  requestTimeoutMs?: number;
  logger?: (line: string) => void;
  /**
   * Where TNL should POST each result; sent as `webhookOverride` with every imagine and button press
   * that does not name its own. Holds a secret: never logged.
   */
  webhookUrl?: string;
  /** The pushed results, so a wait ends as soon as its webhook arrives. */
  resultFeed?: ResultFeed;
  /** With a webhook, polling is only the fallback: the poll interval times this; default 10. */
  fallbackPollFactor?: number;
}

export const DEFAULT_FALLBACK_POLL_FACTOR = 10;

/** A client that asks TNL to push every job's result to our webhook. */
class WebhookClient extends TnlClient {
  readonly #webhookUrl: string;

  constructor(options: TnlClientOptions, webhookUrl: string) {
    super(options);
    this.#webhookUrl = webhookUrl;
  }

  override imagine(req: ImagineRequest, opts?: CallOptions): Promise<Acknowledgement> {
    return super.imagine({ ...req, webhookOverride: req.webhookOverride || this.#webhookUrl }, opts);
  }

  override button(req: ButtonRequest, opts?: CallOptions): Promise<Acknowledgement> {
    return super.button({ ...req, webhookOverride: req.webhookOverride || this.#webhookUrl }, opts);
  }
}

export type Submit = (client: TnlClient, signal: AbortSignal) => Promise<Acknowledgement>;

export class Account {
  readonly client: TnlClient;
  readonly scheduler: RequestScheduler;
  readonly resultFeed: ResultFeed | undefined;
  /** Pause between two polls of one job when results are pushed; 0 without a webhook. */
  readonly fallbackPollGapMs: number;

  constructor(options: AccountOptions) {
    const clientOptions: TnlClientOptions = {
      baseUrl: options.baseUrl,
      token: options.token,
      // The client times each request with a timer: a longer limit would fire at once.
      timeoutMs:
        options.requestTimeoutMs === undefined ? undefined : Math.min(options.requestTimeoutMs, MAX_TIMER_MS),
      logger: options.logger,
    };
    const pushed = Boolean(options.webhookUrl && options.resultFeed);
    this.client = pushed
      ? new WebhookClient(clientOptions, options.webhookUrl as string)
      : new TnlClient(clientOptions);
    this.resultFeed = pushed ? options.resultFeed : undefined;
    const factor = options.fallbackPollFactor ?? DEFAULT_FALLBACK_POLL_FACTOR;
    this.fallbackPollGapMs = pushed ? Math.max(0, factor) * (options.pollIntervalMs ?? 2000) : 0;
    this.scheduler = new RequestScheduler({
      submitIntervalMs: options.submitIntervalMs,
      pollIntervalMs: options.pollIntervalMs,
      maxPollsPerSecond: options.maxPollsPerSecond,
    });
  }

  /** Sends a command in the account's next submit slot. */
  submit(call: Submit, signal?: AbortSignal): Promise<Acknowledgement> {
    return this.scheduler.submit((s) => call(this.client, s), { signal });
  }

  /**
   * Polls a job until it is terminal, sharing the account's poll budget with every other job; with a
   * webhook the pushed result ends the wait and polling slows down to a fallback.
   */
  wait(messageId: string, options: WaitOptions): Promise<TnlResult> {
    const pushed: WaitOptions = this.resultFeed
      ? { resultFeed: this.resultFeed, pollGapMs: this.fallbackPollGapMs }
      : {};
    return waitForResult(this.client, this.scheduler, messageId, { ...pushed, ...options });
  }

  close(): void {
    this.scheduler.close();
  }
}
