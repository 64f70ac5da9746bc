// The package's library entry (package.json `main`): the pure core, usable without Node-RED, e.g.
// to script the sandbox in another project's tests or build masks in a plain Node.js program.
export * from './api';
export * from './tnl';
export * from './mjp';
export * from './jobs';
export { buildMask, MaskError, MASK_LIMITS } from './mask';
export type { BuildMaskInput, MaskInfo, MaskRegion, MaskSizeSource } from './mask';
export { PICTURE_LIMITS, PictureError, readPictureSize, readMaskToSend } from './picture';
export type { PictureFormat, PictureSize } from './picture';
export { startSandbox } from './sandbox';
export type { Sandbox, SandboxOptions, FaultOptions, SandboxRequestLogEntry } from './sandbox';
export { Account, API_NAMES } from './account';
export type { AccountOptions, ApiName } from './account';
