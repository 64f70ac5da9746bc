// Picture benchmark: valid pictures and decompression bombs through every path that decodes one
// (a drawn mask, drawn regions, a result's preview, the mask builder's last-image endpoint) in a
// running Node-RED, each scenario in a fresh process, one item at a time and then ten at once.
// Prints the longest event-loop delay, how long each bomb took to end in a coded error, the RSS
// growth and the answer times of an unrelated HTTP-in flow. A measurement: PASS/FAIL lines only.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Jimp } from 'jimp';
import { encodeWebp } from '../src/core/picture/webp';
import { secondIhdrPngBomb, interlacedPngBomb } from '../test/support/picture-bombs';
import type { Path, RunReport } from './support/picture-run';

const run = promisify(execFile);

const DELAY_TARGET_MS = 20;
const BOMB_TIME_TARGET_MS = 2000;
const BOMB_RSS_TARGET_MIB = 300;
const SCENARIO_TIMEOUT_MS = 15 * 60_000;

interface Scenario {
  name: string;
  path: Path;
  file: string;
  maskSide: number;
  /** A bomb, or input refused by a cap: a coded error is the right outcome, fast and small. */
  bomb: boolean;
}

/** A drawn mask as a person would paint it: a soft-edged white blob and a stroke on black. */
function drawnMask(side: number): InstanceType<typeof Jimp> {
  const image = new Jimp({ width: side, height: side, color: 0x000000ff });
  const data = image.bitmap.data;
  const c = side / 2;
  const r = side / 4;
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const d = Math.hypot(x - c, y - c);
      let v = d < r ? 255 : d < r + 16 ? Math.round(255 * (1 - (d - r) / 16)) : 0;
      if (Math.abs(x - y) < 12) v = 255;
      const p = (y * side + x) * 4;
      data[p] = data[p + 1] = data[p + 2] = v;
    }
  }
  return image;
}

/** A photograph-like picture: smooth gradients with grain, so JPEG has real work to do. */
function photo(side: number): InstanceType<typeof Jimp> {
  const image = new Jimp({ width: side, height: side, color: 0x000000ff });
  const data = image.bitmap.data;
  let seed = 12345;
  for (let y = 0, p = 0; y < side; y++) {
    for (let x = 0; x < side; x++, p += 4) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const grain = (seed >> 16) % 24;
      data[p] = ((x * 255) / side + grain) & 255;
      data[p + 1] = ((y * 255) / side + grain) & 255;
      data[p + 2] = (((x + y) * 127) / side + grain) & 255;
    }
  }
  return image;
}

/** Zigzag polygons of 1000 points across a 4096² mask: every edge spans the whole height. */
function zigzagPolygons(side: number, count: number): unknown[] {
  const polygons: unknown[] = [];
  for (let k = 0; k < count; k++) {
    const points: Array<[number, number]> = [];
    for (let i = 0; i < 1000; i++) {
      const x = (i * side) / 1000 + (k % 4);
      points.push([x, i % 2 ? side - 1 - (k % 7) : k % 5]);
    }
    polygons.push({ points });
  }
  return polygons;
}

async function makeInputs(dir: string): Promise<Scenario[]> {
  const file = (name: string, bytes: Buffer | string): string => {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return path;
  };
  const mask = drawnMask(2048);
  const webp = file('mask-2048.webp', await encodeWebp(mask.bitmap.data, 2048, 2048));
  const png = file('mask-2048.png', await mask.getBuffer('image/png'));
  const jpeg = file('result-4096.jpg', await photo(4096).getBuffer('image/jpeg', { quality: 85 }));
  const polygons = file('polygons.json', JSON.stringify(zigzagPolygons(4096, 1000)));
  // The most drawing the cap allows: 12 such polygons are 49 million edge-rows of the 50 million.
  const capPolygons = file('polygons-at-cap.json', JSON.stringify(zigzagPolygons(4096, 12)));
  const scenarios: Scenario[] = [
    { name: 'WebP mask 2048²', path: 'maskImage', file: webp, maskSide: 2048, bomb: false },
    { name: 'drawn PNG mask 2048²', path: 'maskImage', file: png, maskSide: 2048, bomb: false },
    { name: 'JPEG result 4096², preview', path: 'preview', file: jpeg, maskSide: 1024, bomb: false },
    {
      name: '12 polygons x 1000 points, 4096² (at the drawing cap)',
      path: 'regions',
      file: capPolygons,
      maskSide: 4096,
      bomb: false,
    },
    // Over the drawing cap (4 billion edge-rows, minutes of work): refused before drawing.
    {
      name: '1000 polygons x 1000 points, 4096²',
      path: 'regions',
      file: polygons,
      maskSide: 4096,
      bomb: true,
    },
  ];
  const bombs = [
    { name: 'interlaced PNG 1x1 -> 3.5 GiB', file: file('bomb-interlaced.png', interlacedPngBomb()) },
    { name: 'PNG second IHDR 16000²', file: file('bomb-ihdr.png', secondIhdrPngBomb()) },
  ];
  for (const bomb of bombs) {
    for (const path of ['maskImage', 'preview', 'lastImage'] as const) {
      scenarios.push({ name: `${bomb.name}, ${path}`, path, file: bomb.file, maskSide: 1024, bomb: true });
    }
  }
  return scenarios;
}

async function runOne(scenario: Scenario): Promise<RunReport | string> {
  try {
    const { stdout } = await run(
      process.execPath,
      [
        '--import',
        'tsx',
        join(__dirname, 'support', 'picture-run.ts'),
        scenario.name,
        scenario.path,
        scenario.file,
        String(scenario.maskSide),
      ],
      { timeout: SCENARIO_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 },
    );
    const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
    return line
      ? (JSON.parse(line.slice('RESULT '.length)) as RunReport)
      : `no result: ${stdout.slice(-500)}`;
  } catch (err) {
    const e = err as { killed?: boolean; signal?: string; code?: number; stderr?: string };
    return e.killed
      ? 'killed after the scenario time limit'
      : `failed (${e.signal ?? e.code}): ${e.stderr?.slice(-800)}`;
  }
}

const ms = (v: number): string => `${v.toFixed(1)} ms`;

function counts(outcomes: string[]): string {
  const tally = new Map<string, number>();
  for (const o of outcomes) tally.set(o, (tally.get(o) ?? 0) + 1);
  return [...tally].map(([o, n]) => `${n}x ${o}`).join(', ');
}

function verdict(ok: boolean, text: string): boolean {
  console.log(`${ok ? 'PASS' : 'FAIL'} ${text}`);
  return ok;
}

function judge(scenario: Scenario, report: RunReport): boolean {
  const { cold, alone, together } = report;
  console.log(
    `  ${scenario.name}: longest event-loop delay ${ms(alone.maxDelayMs)} one at a time, ` +
      `${ms(together.maxDelayMs)} ten at once (idle baseline ${ms(report.idleDelayMs)}; the first item, ` +
      `which loads what loads on first use, ${ms(cold.maxDelayMs)}); items ${counts([...alone.outcomes, ...together.outcomes])}; ` +
      `slowest item ${ms(Math.max(...alone.itemMs))} alone, ${ms(Math.max(...together.itemMs))} of ten; ` +
      `RSS +${report.rssGrowthMiB.toFixed(0)} MiB; HTTP-in p50 ${ms(report.httpP50Ms)}, ` +
      `p99 ${ms(report.httpP99Ms)}, max ${ms(report.httpMaxMs)} (${report.httpRequests} requests)`,
  );
  const delay = Math.max(alone.maxDelayMs, together.maxDelayMs);
  let ok = verdict(
    delay <= DELAY_TARGET_MS,
    `${scenario.name}: event-loop delay <= ${DELAY_TARGET_MS} ms (${ms(delay)})`,
  );
  const outcomes = [...alone.outcomes, ...together.outcomes];
  if (scenario.bomb) {
    const slowest = Math.max(...alone.itemMs, ...together.itemMs);
    const coded = outcomes.every((o) => o !== 'ok' && o !== 'timeout' && o !== 'error');
    ok =
      verdict(
        coded && slowest < BOMB_TIME_TARGET_MS,
        `${scenario.name}: a coded error in < 2 s (${ms(slowest)}, ${counts(outcomes)})`,
      ) && ok;
    ok =
      verdict(
        report.rssGrowthMiB < BOMB_RSS_TARGET_MIB,
        `${scenario.name}: RSS growth < ${BOMB_RSS_TARGET_MIB} MiB (+${report.rssGrowthMiB.toFixed(0)} MiB)`,
      ) && ok;
  } else {
    ok =
      verdict(
        outcomes.every((o) => o === 'ok'),
        `${scenario.name}: every item succeeds (${counts(outcomes)})`,
      ) && ok;
  }
  ok =
    verdict(
      report.httpRequests > 0 && Number.isFinite(report.httpP99Ms),
      `${scenario.name}: the HTTP-in flow kept answering (p99 ${ms(report.httpP99Ms)})`,
    ) && ok;
  return ok;
}

export async function runPictureBench(): Promise<boolean> {
  console.log(
    'pictures in a running Node-RED: each input alone, then ten at once; a fresh process per scenario',
  );
  const dir = mkdtempSync(join(tmpdir(), 'nextleg-picture-bench-'));
  try {
    const only = process.env.PICTURE_BENCH_ONLY;
    const scenarios = (await makeInputs(dir)).filter((s) => !only || s.name.includes(only));
    let allOk = true;
    for (const scenario of scenarios) {
      const report = await runOne(scenario);
      if (typeof report === 'string') {
        allOk = verdict(false, `${scenario.name}: ${report}`) && false;
        continue;
      }
      allOk = judge(scenario, report) && allOk;
    }
    return allOk;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  void runPictureBench();
}
