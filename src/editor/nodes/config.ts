// nextleg-config: the account. Which API it speaks decides which fields apply (the auth header only
// for midjourney-proxy) and what the base URL defaults to; durations are checked against the timer
// ceiling the runtime exports.
import { duration, fieldText, invalid, positive } from '../validators';

const TYPE = 'nextleg-config';
const SECOND_MS = 1000;
export const APIS = ['tnl', 'midjourney-proxy'] as const;
export const AUTH_SCHEMES = ['mj-api-secret', 'bearer'] as const;
/** TheNextLeg's own address; midjourney-proxy servers are self-hosted, so they have no default. */
export const TNL_BASE_URL = 'https://api.thenextleg.io';
const URL_PATTERN = /^https?:\/\/[^\s/?#]+[^\s]*$/i;
const WEBHOOK_BASE_PATTERN = /^https?:\/\/[^\s/?#]+[^\s?#]*$/i;

/** Flows written before a setting existed load without it: empty means the default. */
function oneOf(values: readonly string[], key: string): EditorValidator {
  return function (value, opt) {
    const text = fieldText(value);
    const ok = text === '' || values.includes(text);
    return ok ? true : invalid(this, opt, key);
  };
}

function apiOf(value: unknown): (typeof APIS)[number] {
  return value === 'midjourney-proxy' ? 'midjourney-proxy' : 'tnl';
}

/** Catalog keys use camel case: `nextleg-config.api.midjourneyProxy`. */
function apiKey(api: (typeof APIS)[number]): string {
  return api === 'midjourney-proxy' ? 'midjourneyProxy' : 'tnl';
}

/** Shows the rows and tips of the chosen API, and its base URL placeholder. */
function showApi(node: EditorNode, api: (typeof APIS)[number]): void {
  const mjp = api === 'midjourney-proxy';
  $('.nextleg-config-mjp').toggle(mjp);
  $('.nextleg-config-tnl').toggle(!mjp);
  const baseUrl = $('#node-config-input-baseUrl');
  baseUrl.attr('placeholder', node._(`nextleg-config.placeholder.baseUrl.${apiKey(api)}`));
  // TheNextLeg's address is no default for a self-hosted server, and an empty field switched back
  // to TheNextLeg gets its address again.
  const current = fieldText(baseUrl.val());
  if (mjp && current === TNL_BASE_URL) baseUrl.val('');
  if (!mjp && current === '') baseUrl.val(TNL_BASE_URL);
  $('#node-config-input-token').attr(
    'placeholder',
    node._(`nextleg-config.placeholder.token.${apiKey(api)}`),
  );
  RED.tray.resize();
}

/** The webhook's secret: random, made in the dialog so it is stored as a credential with the flow. */
function newSecret(): string | undefined {
  if (!window.crypto?.getRandomValues) return undefined;
  const bytes = new Uint8Array(24);
  window.crypto.getRandomValues(bytes);
  const text = btoa(String.fromCharCode(...bytes));
  return text.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function registerConfig(): void {
  RED.nodes.registerType(TYPE, {
    category: 'config',
    defaults: {
      name: { value: '' },
      api: { value: 'tnl', validate: oneOf(APIS, 'nextleg-config.errors.api') },
      baseUrl: {
        value: TNL_BASE_URL,
        required: true,
        validate(value, opt) {
          return URL_PATTERN.test(fieldText(value))
            ? true
            : invalid(this, opt, 'nextleg-config.errors.baseUrl');
        },
      },
      authScheme: {
        value: 'mj-api-secret',
        validate: oneOf(AUTH_SCHEMES, 'nextleg-config.errors.authScheme'),
      },
      submitInterval: { value: 3, required: true, validate: duration(TYPE, SECOND_MS, { inclusive: true }) },
      pollInterval: { value: 2, required: true, validate: duration(TYPE, SECOND_MS, { inclusive: true }) },
      maxPollsPerSecond: { value: 5, required: true, validate: positive() },
      // Optional: flows written before this setting existed use the runtime's default (30 s).
      requestTimeout: { value: 30, validate: duration(TYPE, SECOND_MS, { optional: true }) },
      webhookBaseUrl: {
        value: '',
        validate(value, opt) {
          const text = fieldText(value);
          return text === '' || WEBHOOK_BASE_PATTERN.test(text)
            ? true
            : invalid(this, opt, 'nextleg-config.errors.webhookBaseUrl');
        },
      },
      // Optional: flows written before this setting existed use the runtime's default.
      webhookPollFactor: {
        value: 10,
        validate(value, opt) {
          if (fieldText(value) === '') return true;
          return positive().call(this, value, opt);
        },
      },
      resumeJobs: { value: true },
      contextStore: { value: '' },
    },
    credentials: {
      token: { type: 'password' },
      webhookSecret: { type: 'password' },
    },
    paletteLabel() {
      return this._?.('nextleg-config.paletteLabel') ?? TYPE;
    },
    label() {
      if (this.name) return this.name;
      const host = fieldText(this.baseUrl)
        .replace(/^https?:\/\//i, '')
        .replace(/\/.*$/, '');
      return host || this._('nextleg-config.paletteLabel');
    },
    oneditprepare() {
      $('#node-config-input-submitInterval').spinner({ min: 0, step: 0.5 });
      $('#node-config-input-pollInterval').spinner({ min: 0, step: 0.5 });
      $('#node-config-input-maxPollsPerSecond').spinner({ min: 0.1, step: 1 });
      $('#node-config-input-requestTimeout').spinner({ min: 1, step: 5 });
      $('#node-config-input-webhookPollFactor').spinner({ min: 1, step: 1 });

      // Flows from before the setting have none: TheNextLeg, and the most common header.
      const api = $('#node-config-input-api');
      if (!api.val()) api.val('tnl');
      const scheme = $('#node-config-input-authScheme');
      if (!scheme.val()) scheme.val('mj-api-secret');
      api.on('change', () => showApi(this, apiOf(api.val())));
      showApi(this, apiOf(api.val()));

      const secret = $('#node-config-input-webhookSecret');
      if (!this.credentials?.has_webhookSecret && !secret.val()) {
        const made = newSecret();
        if (made) secret.val(made);
      }
    },
  });
}
