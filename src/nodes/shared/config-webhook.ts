// The account's webhook: on only with a usable public base URL and Node-RED's HTTP-in server
// running. Pushed bodies are read by the account's own API, exactly as polled states are, and handed
// to the waits through the account's feed.
import type { Node, NodeAPI } from 'node-red';
import type { Account } from '../../core/account';
import type { StateFeedHub } from '../../core/jobs/state-feed';
import { newWebhookSecret, registerWebhookReceiver, webhookUrl } from './webhook-route';

export interface ConfigWebhook {
  /** The URL sent with every submit; undefined when there is no webhook. */
  url: string | undefined;
  /** Makes the route forget this config (on close). */
  unregister(): void;
}

const NONE: ConfigWebhook = { url: undefined, unregister: () => undefined };

export function configWebhook(
  RED: NodeAPI,
  node: Node,
  settings: { baseUrl: string | undefined; storedSecret: string | undefined },
  feed: StateFeedHub,
  account: () => Account,
): ConfigWebhook {
  const base = settings.baseUrl?.trim() ?? '';
  if (base === '') return NONE;
  const httpNodeRoot = (RED.settings as { httpNodeRoot?: unknown }).httpNodeRoot;
  if (!/^https?:\/\/[^\s/?#]+[^\s?#]*$/i.test(base)) {
    node.warn(RED._('nextleg-config.errors.webhookBaseUrl'));
    return NONE;
  }
  if (httpNodeRoot === false) {
    node.warn(RED._('nextleg-config.errors.noHttpNode'));
    return NONE;
  }
  // Without a stored secret (a flow written by hand) this run gets its own; jobs submitted with an
  // older one still finish by polling.
  const secret = settings.storedSecret?.trim() || newWebhookSecret();
  const unregister = registerWebhookReceiver(node.id, {
    secret,
    receive: (body) => {
      let pushed;
      try {
        pushed = account().api.readPushed(body);
      } catch {
        return undefined; // no usable account: nothing waits for results
      }
      return (
        pushed && `${pushed.state.state} for ${pushed.jobId}: ${feed.publish(pushed.jobId, pushed.state)}`
      );
    },
  });
  return { url: webhookUrl(base, httpNodeRoot, node.id, secret), unregister };
}
