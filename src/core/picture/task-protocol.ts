// What passes between the pool and a picture worker (see worker-task.ts for the worker's side): the
// message that says a task has started, the envelope every outcome comes back in (an Error loses its
// fields crossing threads), and how bytes are sent without copying a whole shared buffer.

import type { PictureProblem } from './picture-error';

export const TASK_STARTED = 'nextleg-picture-task-started';

export interface TaskMessage {
  type: typeof TASK_STARTED;
  id: number;
}

export type TaskEnvelope<T> =
  { ok: true; value: T } | { ok: false; problem: PictureProblem; message: string };

/** Bytes to send to another thread: a copy of exactly these bytes, whose buffer is handed over. */
export function bytesToSend(view: Uint8Array): { bytes: Uint8Array; transfer: ArrayBuffer[] } {
  const bytes = new Uint8Array(view.byteLength);
  bytes.set(view);
  return { bytes, transfer: [bytes.buffer] };
}

/**
 * A picture ready to send to a worker: bytes copied once (the flow may still hold them), text as it
 * is. `owned` bytes, which nobody else holds (a download made just for this), are moved instead of
 * copied when they are the whole of their buffer: a large picture then costs the event loop nothing.
 */
export function pictureToSend(value: unknown, owned = false): { input: unknown; transfer: ArrayBuffer[] } {
  if (value instanceof Uint8Array) {
    const whole = value.byteOffset === 0 && value.byteLength === value.buffer.byteLength;
    if (owned && whole && value.buffer instanceof ArrayBuffer)
      return { input: value, transfer: [value.buffer] };
    const { bytes, transfer } = bytesToSend(value);
    return { input: bytes, transfer };
  }
  return { input: value, transfer: [] };
}
