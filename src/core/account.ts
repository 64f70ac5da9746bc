// One TheNextLeg account: its client and the scheduler that spaces every request made with it.
// The Node-RED config node owns one of these; nothing here knows about Node-RED.
import { RequestScheduler, waitForResult, type WaitOptions } from './jobs';
import { TnlClient } from './tnl/client';
import type { Acknowledgement, TnlResult } from './tnl/types';

export interface AccountOptions {
  baseUrl: string;
  token: string;
  /** Seconds-based settings of the config node, converted by the caller. */
  submitIntervalMs?: number;
  pollIntervalMs?: number;
  maxPollsPerSecond?: number;
  requestTimeoutMs?: number;
  logger?: (line: string) => void;
}

export type Submit = (client: TnlClient, signal: AbortSignal) => Promise<Acknowledgement>;

export class Account {
  readonly client: TnlClient;
  readonly scheduler: RequestScheduler;

  constructor(options: AccountOptions) {
    this.client = new TnlClient({
      baseUrl: options.baseUrl,
      token: options.token,
      timeoutMs: options.requestTimeoutMs,
      logger: options.logger,
    });
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

  /** Polls a job until it is terminal, sharing the account's poll budget with every other job. */
  wait(messageId: string, options: WaitOptions): Promise<TnlResult> {
    return waitForResult(this.client, this.scheduler, messageId, options);
  }

  close(): void {
    this.scheduler.close();
  }
}
