// The sandbox's public surface: start a local TNL-compatible server and the shapes it speaks.
export { startSandbox } from './server';
export type { Sandbox } from './server';
export type { FaultOptions, RateLimitOptions, SandboxOptions, ConfigurablePatch } from './options';
export type { SandboxRequestLogEntry } from './request-log';
export type { SandboxResult, SandboxMessageBody, SandboxJobSummary } from './jobs';
export { GRID_BUTTONS, UPSCALE_BUTTONS } from './jobs';
export { parsePromptFlags, type PromptFlags } from './prompt-flags';
