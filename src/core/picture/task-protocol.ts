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

/** A picture as a flow gave it, ready to send to a worker: bytes copied once, text as it is. */
export function pictureToSend(value: unknown): { input: unknown; transfer: ArrayBuffer[] } {
  if (value instanceof Uint8Array) {
    const { bytes, transfer } = bytesToSend(value);
    return { input: bytes, transfer };
  }
  return { input: value, transfer: [] };
}
