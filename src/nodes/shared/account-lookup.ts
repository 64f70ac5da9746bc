// The one way a node reaches its account: the config node it names, checked to be a live account.
import type { NodeAPI } from 'node-red';
import type { Account } from '../../core/account';
import type { ConfigNode, JournalSettings } from './config-types';
import { NodeError } from './node-error';

function findConfig(RED: NodeAPI, accountId: string | undefined): ConfigNode | undefined {
  const config = accountId ? (RED.nodes.getNode(accountId) as ConfigNode | null) : null;
  return config && typeof config.getAccount === 'function' ? config : undefined;
}

/** The account's API and scheduler; NO_ACCOUNT when the node names none, NO_TOKEN when it has no token. */
export function lookupAccount(RED: NodeAPI, accountId: string | undefined): Account {
  const config = findConfig(RED, accountId);
  if (!config) throw new NodeError('NO_ACCOUNT', RED._('nextleg.errors.noAccount'));
  return config.getAccount();
}

/** Whether and where the node records its jobs in flight; undefined without an account. */
export function journalSettingsOf(RED: NodeAPI, accountId: string | undefined): JournalSettings | undefined {
  return findConfig(RED, accountId)?.journalSettings();
}
