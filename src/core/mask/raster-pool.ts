// Raster buffers are reused between builds. A fresh multi-megabyte Buffer is new memory from the
// kernel: every 4 KiB page faults on first write, which measured 0.3 ms unloaded and over 10 ms on a
// busy machine for a 2048² raster, against 0.2 ms to clear a reused one. The pool is small and is
// dropped after a quiet minute, so an idle Node-RED keeps none of it.

const MAX_POOLED_BYTES = 20 * 1024 * 1024;
const IDLE_MS = 60_000;

let free: Buffer[] = [];
let pooledBytes = 0;
let idleTimer: NodeJS.Timeout | undefined;

/** A zero-filled buffer of exactly `length` bytes, reused when one is free. */
export function acquireRaster(length: number): Buffer {
  const index = free.findIndex((b) => b.length === length);
  if (index < 0) return Buffer.alloc(length);
  const [buffer] = free.splice(index, 1) as [Buffer];
  pooledBytes -= buffer.length;
  return buffer.fill(0);
}

/** Gives a buffer back once nothing (no pending deflate, no caller) reads it any more. */
export function releaseRaster(buffer: Buffer): void {
  if (buffer.length > MAX_POOLED_BYTES || free.includes(buffer)) return;
  // Make room by dropping the oldest buffers; the newest size is the likeliest to come again.
  while (free.length > 0 && pooledBytes + buffer.length > MAX_POOLED_BYTES) {
    pooledBytes -= (free.shift() as Buffer).length;
  }
  free.push(buffer);
  pooledBytes += buffer.length;
  if (idleTimer) idleTimer.refresh();
  else {
    idleTimer = setTimeout(() => {
      free = [];
      pooledBytes = 0;
      idleTimer = undefined;
    }, IDLE_MS);
    // Never keep a process (a test run, a CLI) alive for the pool's sake.
    idleTimer.unref();
  }
}
