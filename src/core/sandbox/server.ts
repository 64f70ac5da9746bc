// The sandbox: a local server that speaks TheNextLeg's v2 API (/v2) and midjourney-proxy's (/mj) over
// one simulated Midjourney, for every test, the demo and flows built without credits. This file
// only wires the parts together: the job engine, one route set per API, the sandbox's own pages and
// the HTTP layer they share.
import { JobEngine } from './engine/engine';
import { FaultInjector, type EndpointClass } from './http/faults';
import { HttpLayer } from './http/http-layer';
import { SlidingWindow } from './http/rate-limit';
import { RequestLog, type SandboxRequestLogEntry } from './http/request-log';
import { WebhookSender } from './http/webhook';
import { ImageStore } from './images';
import { MjRoutes } from './mj/mj-routes';
import { DEFAULTS, type ConfigurablePatch, type SandboxOptions } from './options';
import { SandboxPages } from './pages';
import { TNL_REFUSALS, TnlRoutes } from './v2/tnl-routes';

export type {
  FaultOptions,
  MidjourneyProxyOptions,
  RateLimitOptions,
  RelayOptions,
  SandboxOptions,
} from './options';
export type { SandboxRequestLogEntry } from './http/request-log';
export type { SandboxJobSummary } from './engine/engine';
export type { SandboxResult, SandboxMessageBody } from './v2/tnl-results';

export interface Sandbox {
  /** 'http://127.0.0.1:<port>' */
  url: string;
  port: number;
  token: string;
  /** A copy of the request log. */
  requests(): SandboxRequestLogEntry[];
  clearRequests(): void;
  configure(patch: ConfigurablePatch): void;
  /** Stops timers, destroys open sockets (hung ones too) and frees the port. */
  close(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const token = options.token ?? DEFAULTS.token;
  const settings = {
    stepMs: options.stepMs ?? DEFAULTS.stepMs,
    minuteMs: options.minuteMs ?? DEFAULTS.minuteMs,
    prefilterWords: options.prefilterWords ?? [...DEFAULTS.prefilterWords],
    webhookUrl: options.webhookUrl,
    rateLimit: options.rateLimit ?? false,
    refuseDirectImages: options.refuseDirectImages ?? false,
    midjourneyProxy: options.midjourneyProxy ?? {},
  };
  const imageSize = Math.max(16, Math.round(options.imageSize ?? DEFAULTS.imageSize));
  let ownBase = '';

  const images = new ImageStore();
  const log = new RequestLog();
  const webhooks = new WebhookSender();
  const faults = new FaultInjector(options.faults);
  const engine = new JobEngine({ images, imageSize: () => imageSize, stepMs: () => settings.stepMs });

  const submitWindow = new SlidingWindow(DEFAULTS.submitPerWindow, DEFAULTS.submitWindowMs);
  const readWindow = new SlidingWindow(DEFAULTS.messagePerSecond, 1000);
  const applyRateLimit = (): void => {
    const rl = settings.rateLimit || {};
    submitWindow.reset(
      rl.submitPerWindow ?? DEFAULTS.submitPerWindow,
      rl.submitWindowMs ?? DEFAULTS.submitWindowMs,
    );
    readWindow.reset(rl.messagePerSecond ?? DEFAULTS.messagePerSecond, 1000);
  };
  applyRateLimit();
  const throttle = (endpoint: EndpointClass): number => {
    if (!settings.rateLimit || endpoint === 'other') return 0;
    return (endpoint === 'submit' ? submitWindow : readWindow).take();
  };

  const tnl = new TnlRoutes(engine, images, webhooks, {
    token,
    minuteMs: () => settings.minuteMs,
    prefilterWords: () => settings.prefilterWords,
    webhookUrl: () => settings.webhookUrl,
    ownBase: () => ownBase,
  });
  const mj = new MjRoutes(engine, images, webhooks, {
    token,
    options: () => settings.midjourneyProxy,
    minuteMs: () => settings.minuteMs,
    prefilterWords: () => settings.prefilterWords,
    ownBase: () => ownBase,
    faults,
    defaults: { timeoutMinutes: DEFAULTS.mjTimeoutMinutes, relayStatusEmptyMs: DEFAULTS.relayStatusEmptyMs },
  });
  const pages = new SandboxPages(engine, images, log, () => settings.refuseDirectImages);
  const http = new HttpLayer({
    sets: [pages, tnl, mj],
    fallback: TNL_REFUSALS,
    log,
    faults,
    throttle,
    clock: engine.clock,
  });

  const listening = await http.listen(options.port ?? DEFAULTS.port, options.host ?? DEFAULTS.host);
  ownBase = listening.url;

  let closed: Promise<void> | undefined;
  return {
    url: listening.url,
    port: listening.port,
    token,
    requests: () => log.list(),
    clearRequests: () => log.clear(),
    configure(patch: ConfigurablePatch): void {
      if (patch.stepMs !== undefined) settings.stepMs = patch.stepMs;
      if (patch.minuteMs !== undefined) settings.minuteMs = patch.minuteMs;
      if (patch.prefilterWords !== undefined) settings.prefilterWords = [...patch.prefilterWords];
      if ('webhookUrl' in patch) settings.webhookUrl = patch.webhookUrl;
      if (patch.refuseDirectImages !== undefined) settings.refuseDirectImages = patch.refuseDirectImages;
      if ('faults' in patch) faults.configure(patch.faults);
      if ('midjourneyProxy' in patch) settings.midjourneyProxy = patch.midjourneyProxy ?? {};
      if ('rateLimit' in patch) {
        settings.rateLimit = patch.rateLimit ?? false;
        applyRateLimit();
      }
    },
    close(): Promise<void> {
      closed ??= (async () => {
        engine.close();
        webhooks.close();
        await http.close();
        images.clear();
      })();
      return closed;
    },
  };
}
