// The account: which API (TheNextLeg or midjourney-proxy), its base URL and token (a credential,
// never exported with the flow). It owns the account's one API client and one scheduler, so every
// node using it shares the service's rate limit, and, when a public base URL is set, the webhook
// through which the service pushes results to the waits.
import type { NodeAPI } from 'node-red';
import { Account, DEFAULT_FALLBACK_POLL_FACTOR, type ApiName } from '../core/account';
import { StateFeedHub } from '../core/jobs/state-feed';
import { MAX_TIMER_MS } from '../core/jobs/timers';
import type { ConfigNode, ConfigNodeDef, JournalSettings } from './shared/config-types';
import { exportedSettings } from './shared/editor-settings';
import { NodeError } from './shared/node-error';
import { durationMs, positiveNumber, warnSettingProblem } from './shared/numbers';
import { configWebhook } from './shared/config-webhook';
import { mountWebhookRoute } from './shared/webhook-route';

const CONFIG_DEFAULTS = {
  /** TheNextLeg's public address; midjourney-proxy servers have none (each user runs or rents one). */
  baseUrl: 'https://api.thenextleg.io',
  submitInterval: 3,
  pollInterval: 2,
  maxPollsPerSecond: 5,
  /** Seconds one request may take before it fails as TIMEOUT (polls are then retried). */
  requestTimeout: 30,
};

/** `${NAME}` in the token field reads that environment variable, as Node-RED does for properties. */
const ENV_REFERENCE = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

export = (RED: NodeAPI): void => {
  mountWebhookRoute(RED);

  function NextlegConfigNode(this: ConfigNode, def: ConfigNodeDef): void {
    RED.nodes.createNode(this, def);
    let account: Account | undefined;
    const api: ApiName = def.api === 'midjourney-proxy' ? 'midjourney-proxy' : 'tnl';
    const credentials = this.credentials ?? {};

    const resolveToken = (): string => {
      const raw = credentials.token?.trim() ?? '';
      const env = ENV_REFERENCE.exec(raw);
      const token: unknown = env ? RED.util.evaluateNodeProperty(env[1] as string, 'env', this, {}) : raw;
      if (typeof token !== 'string' || token.trim() === '') {
        throw new NodeError('NO_TOKEN', RED._('nextleg.errors.noToken'));
      }
      return token.trim();
    };

    // Read once, at deploy, so a value that cannot be used as written is reported there.
    const seconds = (
      field: 'submitInterval' | 'pollInterval' | 'requestTimeout',
      options: { allowZero?: boolean } = {},
    ): number =>
      durationMs(def[field], CONFIG_DEFAULTS[field], 1000, {
        ...options,
        onProblem: warnSettingProblem(
          RED,
          this,
          `nextleg-config.label.${field}`,
          def[field],
          'nextleg-config.label.seconds',
        ),
      });
    const pacing = {
      submitIntervalMs: seconds('submitInterval', { allowZero: true }),
      pollIntervalMs: seconds('pollInterval', { allowZero: true }),
      maxPollsPerSecond: positiveNumber(def.maxPollsPerSecond, CONFIG_DEFAULTS.maxPollsPerSecond),
      requestTimeoutMs: seconds('requestTimeout'),
    };

    const feed = new StateFeedHub();
    const webhook = configWebhook(
      RED,
      this,
      { baseUrl: def.webhookBaseUrl, storedSecret: credentials.webhookSecret },
      feed,
      () => this.getAccount(),
    );

    this.getAccount = (): Account => {
      // Built on first use, so a config without a token only fails the flows that use it.
      account ??= new Account({
        api,
        baseUrl: (def.baseUrl || (api === 'tnl' ? CONFIG_DEFAULTS.baseUrl : '')).trim(),
        token: resolveToken(),
        authScheme: def.authScheme === 'bearer' ? 'bearer' : 'mj-api-secret',
        ...pacing,
        logger: (line) => this.debug(line),
        webhookUrl: webhook.url,
        stateFeed: feed,
        fallbackPollFactor: positiveNumber(def.webhookPollFactor, DEFAULT_FALLBACK_POLL_FACTOR),
      });
      return account;
    };

    this.journalSettings = (): JournalSettings => ({
      resumeJobs: def.resumeJobs !== false,
      contextStore: def.contextStore?.trim() || undefined,
    });

    this.on('close', (done: () => void) => {
      webhook.unregister();
      feed.clear();
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
      credentials: { token: { type: 'password' }, webhookSecret: { type: 'password' } },
      // The dialog's durations (intervals, request timeout) are checked against the timer ceiling.
      settings: exportedSettings('nextleg-config', { MaxTimerMs: MAX_TIMER_MS }),
    },
  );
};
