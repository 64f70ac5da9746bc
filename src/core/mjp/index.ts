// The midjourney-proxy dialect's public surface.
export * from './types';
export { MjpClient, type MjpClientOptions } from './client';
export { MjpApi, type MjpApiOptions } from './mjp-api';
export { parseTask, failureCode } from './task-state';
export { buttonName, buttonNames, findButton } from './buttons';
