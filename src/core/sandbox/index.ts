// The sandbox's public surface: start a local server that speaks TNL's v2 API and midjourney-proxy's,
// and the shapes it speaks.
export { startSandbox } from './server';
export type { Sandbox } from './server';
export type {
  FaultOptions,
  RateLimitOptions,
  SandboxOptions,
  ConfigurablePatch,
  MidjourneyProxyOptions,
  RelayOptions,
} from './options';
export type { SandboxRequestLogEntry } from './http/request-log';
export type { SandboxJobSummary } from './engine/engine';
export type { SandboxResult, SandboxMessageBody } from './v2/tnl-results';
export { GRID_BUTTONS, UPSCALE_BUTTONS } from './v2/tnl-results';
export { parsePromptFlags, type PromptFlags } from './prompt-flags';
