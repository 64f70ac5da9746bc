// Errors handed to Node-RED's done(err). Node-RED builds msg.error for Catch nodes from the error's
// message and its own `code` property, so every failure becomes a plain Error carrying both, made
// from fields we chose: nothing from a request (headers, token) can ride along.
import { isApiError } from '../../core/api/errors';

export class NodeError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'NodeError';
    this.code = code;
  }

  /** Node-RED shows `err.toString()` as msg.error.message: the text alone reads best there. */
  override toString(): string {
    return this.message;
  }
}

function hasCode(value: unknown): value is { code: string; message: string } {
  return (
    value instanceof Error && typeof (value as { code?: unknown }).code === 'string' && value.message !== ''
  );
}

export function toNodeError(err: unknown): NodeError {
  if (err instanceof NodeError) return err;
  if (isApiError(err) || hasCode(err)) return new NodeError(err.code, err.message);
  const message = err instanceof Error ? err.message : String(err);
  return new NodeError('INTERNAL', message || 'Unexpected error');
}
