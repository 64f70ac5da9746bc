// Drawing a mask from shapes runs on Node-RED's one event loop, so it gives the loop back every few
// milliseconds. Callers count the work they do (pixels filled, polygon edges crossed); the clock is
// read only after enough work to matter, so checking stays cheap, and often enough that no slice can
// run long: a polygon row is at most MASK_LIMITS.maxPolygonPoints crossings between checks.

import { setImmediate as nextTurn } from 'node:timers/promises';
import { MaskError } from './mask-error';

const SLICE_MS = 4;
const UNITS_PER_CHECK = 4096;

export interface WorkYielder {
  /** Call after each piece of work; resolves at once unless the time slice is used up. */
  maybeYield(units: number): Promise<void> | undefined;
  throwIfAborted(): void;
}

export function createWorkYielder(signal: AbortSignal | undefined): WorkYielder {
  let sliceStart = performance.now();
  let units = 0;
  const throwIfAborted = (): void => {
    if (signal?.aborted) throw new MaskError('MASK_ABORTED', 'mask building was aborted');
  };
  return {
    throwIfAborted,
    maybeYield(done: number) {
      units += done;
      if (units < UNITS_PER_CHECK) return undefined;
      units = 0;
      if (performance.now() - sliceStart < SLICE_MS) return undefined;
      return nextTurn().then(() => {
        throwIfAborted();
        sliceStart = performance.now();
      });
    },
  };
}
