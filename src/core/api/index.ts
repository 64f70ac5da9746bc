// What every API dialect shares: the error type, the result codes and their meanings.
export * from './errors';
export * from './result-codes';
export { parseRetryAfter } from './http-errors';
export * from './ids';
export * from './job-model';
export * from './buttons';
