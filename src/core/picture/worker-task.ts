// The worker's side of a picture task. A worker module exports task functions wrapped by
// pictureTask(): the wrapper tells the pool the task has started (which arms its deadline), turns
// every outcome into a plain envelope, and hands big result buffers back instead of copying them.
// Loaded only inside picture workers.

import { parentPort } from 'node:worker_threads';
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { isPictureError } from './picture-error';
import { TASK_STARTED, type TaskEnvelope, type TaskMessage } from './task-protocol';

/**
 * The ArrayBuffer behind `view` when the view is all of it, so it can be handed over instead of
 * copied; a view into a shared or pooled buffer (small Buffers share one) must be copied.
 */
export function ownBuffer(view: Uint8Array): ArrayBuffer | undefined {
  const { buffer } = view;
  return buffer instanceof ArrayBuffer && view.byteOffset === 0 && view.byteLength === buffer.byteLength
    ? buffer
    : undefined;
}

/**
 * A worker-side task: `run` gets the payload the pool was given and may throw PictureError.
 * `transferOf` names the buffers of the result to hand back instead of copying.
 */
export function pictureTask<P, T>(
  run: (payload: P) => Promise<T> | T,
  transferOf?: (value: T) => Array<ArrayBuffer | undefined>,
): (task: { id: number; payload: P }) => Promise<TaskEnvelope<T>> {
  return async ({ id, payload }) => {
    parentPort?.postMessage({ type: TASK_STARTED, id } satisfies TaskMessage);
    try {
      const value = await run(payload);
      const envelope: TaskEnvelope<T> = { ok: true, value };
      const transfer = transferOf?.(value).filter((b): b is ArrayBuffer => b !== undefined) ?? [];
      if (transfer.length === 0) return envelope;
      // piscina's way to hand buffers back: an object naming them and the value, marked movable.
      return move({ [transferableSymbol]: transfer, [valueSymbol]: envelope }) as never;
    } catch (err) {
      if (isPictureError(err)) return { ok: false, problem: err.problem, message: err.message };
      // A decoder's own complaint about a damaged file (or a WebAssembly trap) means it is unreadable.
      const reason = err instanceof Error ? err.message : String(err);
      return { ok: false, problem: 'unreadable', message: `the picture could not be decoded (${reason})` };
    }
  };
}
