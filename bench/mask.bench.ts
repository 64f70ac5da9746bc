// Mask builder benchmark: build+encode time against the deflate floor, Jimp's RGBA PNG path for
// comparison, and the longest event-loop stall while a 2048² mask is built. A measurement, not a
// test: it prints PASS/FAIL per target and never fails the process.
//
// The floor is a synchronous deflateSync of the same raw raster with the encoder's own options: the
// least any PNG encoder of this raster must spend. (Our encoder deflates asynchronously to keep the
// loop free; the thread-pool hop is part of our cost, not of the floor.)

import zlib from 'node:zlib';
import { setTimeout as sleep } from 'node:timers/promises';
import { Jimp } from 'jimp';
import { buildMask } from '../src/core/mask';
import { PNG_DEFLATE_OPTIONS } from '../src/core/mask/png-encode';
import { resetPicturePool } from '../src/core/picture/pool';
import { measureLoopDelay } from './support/loop-delay';

const WARMUP = 5;
const RUNS = 21;
const JIMP_RUNS = 5;
const STALL_BUILDS = 10;
const RATIO_TARGET = 3;
const STALL_TARGET_MS = 20;

/** Two overlapping rectangles, as a typical inpainting request might send. */
const REGIONS = [
  { x: 0.1, y: 0.1, width: 0.3, height: 0.4, unit: 'fraction' as const },
  { x: 0.3, y: 0.4, width: 0.6, height: 0.4, unit: 'fraction' as const },
];

function pixelRects(side: number): Array<[number, number, number, number]> {
  return REGIONS.map((r) => [
    Math.round(r.x * side),
    Math.round(r.y * side),
    Math.round((r.x + r.width) * side),
    Math.round((r.y + r.height) * side),
  ]);
}

/** The floor's input: the same raw grayscale raster, one (None) filter byte per row. */
function rawRaster(side: number): Buffer {
  const stride = side + 1;
  const raster = Buffer.alloc(stride * side);
  for (const [x0, y0, x1, y1] of pixelRects(side)) {
    for (let y = y0; y < y1; y++) raster.fill(255, y * stride + 1 + x0, y * stride + 1 + x1);
  }
  return raster;
}

async function jimpPng(side: number): Promise<Buffer> {
  const image = new Jimp({ width: side, height: side, color: 0x000000ff });
  const px = new Uint32Array(image.bitmap.data.buffer, image.bitmap.data.byteOffset, side * side);
  for (const [x0, y0, x1, y1] of pixelRects(side)) {
    for (let y = y0; y < y1; y++) px.fill(0xffffffff, y * side + x0, y * side + x1);
  }
  return image.getBuffer('image/png');
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

async function timeIt(fn: () => unknown): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

function build(side: number) {
  return buildMask({ width: side, height: side, regions: REGIONS });
}

function verdict(ok: boolean, text: string): boolean {
  console.log(`${ok ? 'PASS' : 'FAIL'} ${text}`);
  return ok;
}

async function measureStall(side: number): Promise<boolean> {
  const start = performance.now();
  const during = await measureLoopDelay(async () => {
    for (let i = 0; i < STALL_BUILDS; i++) await build(side);
  });
  const elapsed = performance.now() - start;
  // The same time spent idle: what the machine itself adds (other processes, GC of earlier work).
  const idle = await measureLoopDelay(() => sleep(elapsed));
  console.log(
    `  ${side}x${side}: longest event-loop delay over ${STALL_BUILDS} builds ${during.maxDelayMs.toFixed(2)} ms ` +
      `(monitorEventLoopDelay ${during.histogramMs.toFixed(2)} ms, 1 ms timer probe ${during.probeMs.toFixed(2)} ms); ` +
      `idle baseline ${idle.maxDelayMs.toFixed(2)} ms`,
  );
  return verdict(
    during.maxDelayMs <= STALL_TARGET_MS,
    `${side}x${side} event-loop stall under ${STALL_TARGET_MS} ms (${during.maxDelayMs.toFixed(2)} ms)`,
  );
}

async function measureRatio(side: number): Promise<{ ok: boolean; oursMs: number }> {
  const raster = rawRaster(side);
  const floor = () => zlib.deflateSync(raster, PNG_DEFLATE_OPTIONS);
  for (let i = 0; i < WARMUP; i++) {
    await build(side);
    floor();
  }
  const ours: number[] = [];
  const floors: number[] = [];
  // Interleaved, so drift in machine load hits both alike.
  for (let i = 0; i < RUNS; i++) {
    ours.push(await timeIt(() => build(side)));
    floors.push(await timeIt(floor));
  }
  const [m, f] = [median(ours), median(floors)];
  const { info } = await build(side);
  const ratio = m / f;
  console.log(
    `  ${side}x${side}: build+encode ${m.toFixed(2)} ms (median of ${RUNS}), floor (deflateSync) ` +
      `${f.toFixed(2)} ms, ratio ${ratio.toFixed(2)}x; png ${info.bytes} B, coverage ${info.coverage.toFixed(4)}`,
  );
  const ok = verdict(
    ratio <= RATIO_TARGET,
    `${side}x${side} build+encode within ${RATIO_TARGET}x the synchronous deflate floor (${ratio.toFixed(2)}x)`,
  );
  return { ok, oursMs: m };
}

async function measureJimp(side: number, oursMs: number): Promise<void> {
  const first = await jimpPng(side);
  const times: number[] = [];
  for (let i = 0; i < JIMP_RUNS; i++) times.push(await timeIt(() => jimpPng(side)));
  const j = median(times);
  console.log(
    `  ${side}x${side}: Jimp RGBA PNG (new Jimp + getBuffer('image/png')) ${j.toFixed(2)} ms ` +
      `(median of ${JIMP_RUNS}), ${(j / oursMs).toFixed(1)}x our time, ${first.length} B`,
  );
}

async function measureExtras(): Promise<void> {
  const big = 4096;
  await build(big);
  const times: number[] = [];
  for (let i = 0; i < 5; i++) times.push(await timeIt(() => build(big)));
  const stall = await measureLoopDelay(() => build(big));
  console.log(
    `  ${big}x${big}: build+encode ${median(times).toFixed(2)} ms, stall ${stall.maxDelayMs.toFixed(2)} ms (info, no target)`,
  );
  const webp = () => buildMask({ width: 2048, height: 2048, regions: REGIONS, format: 'webp' });
  await webp();
  const webpTimes: number[] = [];
  for (let i = 0; i < 3; i++) webpTimes.push(await timeIt(webp));
  const webpStall = await measureLoopDelay(webp);
  console.log(
    `  2048x2048 WebP (lossless, WebAssembly, encoded in a picture worker): ${median(webpTimes).toFixed(2)} ms, ` +
      `${(await webp()).info.bytes} B, stall ${webpStall.maxDelayMs.toFixed(2)} ms (info, no target)`,
  );
}

export async function runMaskBench(): Promise<boolean> {
  console.log(
    'mask builder: PNG, two rectangles; floor = zlib deflate of the raw raster with the same options',
  );
  for (let i = 0; i < WARMUP; i++) await build(2048);
  // Stall first, before the comparisons leave large garbage for the collector to find mid-build.
  const stallOk = await measureStall(2048);
  const small = await measureRatio(1024);
  const large = await measureRatio(2048);
  await measureJimp(1024, small.oursMs);
  await measureJimp(2048, large.oursMs);
  await measureExtras();
  // The WebP builds started a worker: end it so the process can exit.
  await resetPicturePool();
  return stallOk && small.ok && large.ok;
}
