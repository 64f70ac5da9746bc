// The config node's shape as the API nodes see it, kept apart so node files do not import each other.
import type { Node, NodeDef } from 'node-red';
import type { Account } from '../../core/account';

export interface ConfigNodeDef extends NodeDef {
  baseUrl: string;
  submitInterval?: number | string;
  pollInterval?: number | string;
  maxPollsPerSecond?: number | string;
}

export interface ConfigCredentials {
  token?: string;
}

export interface ConfigNode extends Node<ConfigCredentials> {
  /** The account's client and scheduler; throws a coded error when the config is unusable. */
  getAccount(): Account;
}
