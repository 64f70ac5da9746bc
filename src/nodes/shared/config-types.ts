// The config node's shape as the API nodes see it, kept apart so node files do not import each other.
import type { Node, NodeDef } from 'node-red';
import type { Account } from '../../core/account';

export interface ConfigNodeDef extends NodeDef {
  /** 'tnl' (default) or 'midjourney-proxy'. */
  api?: string;
  /** midjourney-proxy: 'mj-api-secret' (default, the servers) or 'bearer' (new-api relays). */
  authScheme?: string;
  baseUrl: string;
  submitInterval?: number | string;
  pollInterval?: number | string;
  maxPollsPerSecond?: number | string;
  /** Seconds. */
  requestTimeout?: number | string;
  /** Public base URL under which TNL reaches this Node-RED; '' = no webhook, poll only. */
  webhookBaseUrl?: string;
  /** With a webhook, poll each job this many times less often, as a fallback; default 10. */
  webhookPollFactor?: number | string;
  /** Record jobs in flight so a redeploy or restart finishes them; default true. */
  resumeJobs?: boolean;
  /** Context store for those records; '' = the default store. */
  contextStore?: string;
}

export interface ConfigCredentials {
  token?: string;
  /** In the webhook's path, so only TNL (told the URL) can post results. */
  webhookSecret?: string;
}

/** Where and whether the API nodes record their jobs in flight. */
export interface JournalSettings {
  resumeJobs: boolean;
  /** undefined = the default context store. */
  contextStore: string | undefined;
}

export interface ConfigNode extends Node<ConfigCredentials> {
  /** The account's client and scheduler; throws a coded error when the config is unusable. */
  getAccount(): Account;
  journalSettings(): JournalSettings;
}
