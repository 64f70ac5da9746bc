// Drawing a mask from shapes runs on Node-RED's one event loop, so it gives the loop back every
// couple of milliseconds. Callers count the work they do (pixels filled, polygon edges crossed); the
// clock is read only after enough work to matter, so checking stays cheap, and often enough that no
// slice runs long.
//
// All builds share one queue of turns, one build's slice per turn of the loop: ten masks built at
// once must not take ten slices in a row between two chances for timers and I/O to run.

import { MaskError } from './mask-error';

const SLICE_MS = 2;
const UNITS_PER_CHECK = 1024;

const waiting: Array<() => void> = [];
let scheduled = false;

function giveTurn(): void {
  scheduled = false;
  const next = waiting.shift();
  // Scheduled from inside this turn, the next one comes after the loop has polled for I/O again.
  if (waiting.length > 0) {
    scheduled = true;
    setImmediate(giveTurn);
  }
  next?.();
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(resolve);
    if (!scheduled) {
      scheduled = true;
      setImmediate(giveTurn);
    }
  });
}

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
