// Rasterizing, thresholding and expanding a 4096² mask are tens of milliseconds of synchronous work
// each; Node-RED runs every flow on the one event loop, so these loops give it back every few
// milliseconds. Checking the clock only every `rowsPerCheck` rows keeps the check itself free.

import { setImmediate as nextTurn } from 'node:timers/promises';
import { MaskError } from './mask-error';

const SLICE_MS = 4;

export interface RowYielder {
  /** Call once per row; resolves at once unless the time slice is used up. */
  maybeYield(row: number): Promise<void> | undefined;
  throwIfAborted(): void;
}

export function createRowYielder(signal: AbortSignal | undefined, rowsPerCheck = 32): RowYielder {
  let sliceStart = performance.now();
  const throwIfAborted = (): void => {
    if (signal?.aborted) throw new MaskError('MASK_ABORTED', 'mask building was aborted');
  };
  return {
    throwIfAborted,
    maybeYield(row: number) {
      if (row % rowsPerCheck !== 0 || performance.now() - sliceStart < SLICE_MS) return undefined;
      return nextTurn().then(() => {
        throwIfAborted();
        sliceStart = performance.now();
      });
    },
  };
}
