// The TheNextLeg account: base URL and API token (a credential, never exported with the flow). It
// owns the account's one client and one scheduler, so every node using it shares TNL's rate limit.
import type { NodeAPI } from 'node-red';
import { Account } from '../core/account';
import type { ConfigCredentials, ConfigNode, ConfigNodeDef } from './shared/config-types';
import { NodeError } from './shared/node-error';
import { nonNegativeNumber, positiveNumber } from './shared/numbers';

const CONFIG_DEFAULTS = {
  baseUrl: 'https://api.thenextleg.io',
  submitInterval: 3,
  pollInterval: 2,
  maxPollsPerSecond: 5,
};

/** `${NAME}` in the token field reads that environment variable, as Node-RED does for properties. */
const ENV_REFERENCE = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

export = (RED: NodeAPI): void => {
  function NextlegConfigNode(this: ConfigNode, def: ConfigNodeDef): void {
    RED.nodes.createNode(this, def);
    let account: Account | undefined;

    const resolveToken = (): string => {
      const raw = (this.credentials as ConfigCredentials | undefined)?.token?.trim() ?? '';
      const env = ENV_REFERENCE.exec(raw);
      const token = env ? RED.util.evaluateNodeProperty(env[1] as string, 'env', this, {}) : raw;
      if (typeof token !== 'string' || token.trim() === '') {
        throw new NodeError('NO_TOKEN', RED._('nextleg.errors.noToken'));
      }
      return token.trim();
    };

    this.getAccount = (): Account => {
      // Built on first use, so a config without a token only fails the flows that use it.
      account ??= new Account({
        baseUrl: (def.baseUrl || CONFIG_DEFAULTS.baseUrl).trim(),
        token: resolveToken(),
        submitIntervalMs: nonNegativeNumber(def.submitInterval, CONFIG_DEFAULTS.submitInterval) * 1000,
        pollIntervalMs: nonNegativeNumber(def.pollInterval, CONFIG_DEFAULTS.pollInterval) * 1000,
        maxPollsPerSecond: positiveNumber(def.maxPollsPerSecond, CONFIG_DEFAULTS.maxPollsPerSecond),
        logger: (line) => this.debug(line),
      });
      return account;
    };

    this.on('close', (done: () => void) => {
      account?.close();
      account = undefined;
      done();
    });
  }
  // The runtime types `this` as a plain Node; getAccount is added in the constructor above.
  RED.nodes.registerType(
    'nextleg-config',
    NextlegConfigNode as unknown as Parameters<typeof RED.nodes.registerType>[1],
    {
      credentials: { token: { type: 'password' } },
    },
  );
};
