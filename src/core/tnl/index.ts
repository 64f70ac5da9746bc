// The TNL client's public surface: one import for the nodes and the scheduler.
export * from './types';
export { normaliseBaseUrl } from '../api/base-url';
export { parseMessageState } from './message-state';
export { TnlClient, DEFAULT_TIMEOUT_MS, MAX_IMAGE_BYTES } from './client';
export type { TnlClientOptions } from './client';
export { TnlApi, type TnlApiOptions } from './tnl-api';
