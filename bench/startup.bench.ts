// What the package costs a Node-RED that has it installed but does not use it, and what it costs on
// disk. The packed tarball is installed for production (no dev dependencies) into a fresh user
// directory: `du` of its node_modules is the install size. Then Node-RED starts, alternately, in
// that directory and in an empty one, in pairs, and the medians of time to "Started flows" and of
// RSS once started are compared. A measurement: PASS/FAIL lines only.
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { freePort } from '../test/support/demo';

const run = promisify(execFile);
const root = join(__dirname, '..');

const PAIRS = 7;
const TIME_RATIO_TARGET = 1.05;
const RSS_DELTA_TARGET_MIB = 6;
const INSTALL_TARGET_MB = 20;
/** RSS is read this long after "Started flows", once start-up garbage has had a chance to go. */
const SETTLE_MS = 1000;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function verdict(ok: boolean, text: string): boolean {
  console.log(`${ok ? 'PASS' : 'FAIL'} ${text}`);
  return ok;
}

function userDir(dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'flows.json'), '[]');
  const settings = {
    uiHost: '127.0.0.1',
    flowFile: 'flows.json',
    credentialSecret: false,
    logging: { console: { level: 'info' } },
    telemetry: { enabled: false, updateNotification: false },
    editorTheme: { tours: false, projects: { enabled: false }, palette: { catalogues: [] } },
  };
  writeFileSync(join(dir, 'settings.js'), `module.exports = ${JSON.stringify(settings)};\n`);
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

/** Starts Node-RED in `dir`; resolves with the time to "Started flows" and the RSS after settling. */
async function startOnce(dir: string): Promise<{ ms: number; rss: number }> {
  const port = await freePort();
  const started = performance.now();
  const red = spawn(
    process.execPath,
    [
      require.resolve('node-red/red.js'),
      '--userDir',
      dir,
      '--settings',
      join(dir, 'settings.js'),
      '--port',
      String(port),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  try {
    const ms = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`Node-RED did not start:\n${output.slice(-2000)}`)),
        60_000,
      );
      const onData = (chunk: Buffer): void => {
        output += String(chunk);
        if (output.includes('Started flows')) {
          clearTimeout(timer);
          resolve(performance.now() - started);
        }
      };
      red.stdout.on('data', onData);
      red.stderr.on('data', onData);
      red.once('exit', (code) => reject(new Error(`Node-RED exited (${code}):\n${output.slice(-2000)}`)));
    });
    await sleep(SETTLE_MS);
    return { ms, rss: rssMiB(red.pid!) };
  } finally {
    const exited = new Promise((resolve) => red.once('exit', resolve));
    red.kill('SIGINT');
    const force = setTimeout(() => red.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(force);
  }
}

async function du(dir: string): Promise<{ human: string; mb: number }> {
  const human = (await run('du', ['-sh', dir])).stdout.split('\t')[0]!;
  const kb = Number((await run('du', ['-sk', dir])).stdout.split('\t')[0]);
  return { human, mb: (kb * 1024) / 1e6 };
}

export async function runStartupBench(): Promise<boolean> {
  const work = mkdtempSync(join(tmpdir(), 'nextleg-startup-'));
  try {
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', work], { cwd: root });
    const [packed] = JSON.parse(stdout) as { filename: string }[];
    const tarball = join(work, packed!.filename.replace(/^@/, '').replace('/', '-'));
    const withPackage = join(work, 'with');
    const without = join(work, 'without');
    userDir(withPackage);
    userDir(without);
    writeFileSync(
      join(withPackage, 'package.json'),
      JSON.stringify({ name: 'node-red-user', private: true }),
    );
    await run('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline', tarball], {
      cwd: withPackage,
      timeout: 180_000,
    });
    const size = await du(join(withPackage, 'node_modules'));
    console.log(
      `install: production install of the packed tarball, du -sh node_modules: ${size.human} (${size.mb.toFixed(1)} MB)`,
    );
    let ok = verdict(
      size.mb <= INSTALL_TARGET_MB,
      `production install <= ${INSTALL_TARGET_MB} MB (${size.mb.toFixed(1)} MB)`,
    );

    const times = { with: [] as number[], without: [] as number[] };
    const rss = { with: [] as number[], without: [] as number[] };
    // One start of each first, unmeasured: the first start of all pays for a cold disk cache.
    await startOnce(withPackage);
    await startOnce(without);
    for (let i = 0; i < PAIRS; i++) {
      // Alternate which goes first, so a drift in machine load does not favour one side.
      const order = i % 2 ? (['with', 'without'] as const) : (['without', 'with'] as const);
      for (const side of order) {
        const result = await startOnce(side === 'with' ? withPackage : without);
        times[side].push(result.ms);
        rss[side].push(result.rss);
      }
    }
    const ratio = median(times.with) / median(times.without);
    const delta = median(rss.with) - median(rss.without);
    console.log(
      `startup: Node-RED with the package installed and unused vs without, medians of ${PAIRS} pairs: ` +
        `${median(times.with).toFixed(0)} ms vs ${median(times.without).toFixed(0)} ms (${ratio.toFixed(3)}x), ` +
        `RSS ${median(rss.with).toFixed(1)} MiB vs ${median(rss.without).toFixed(1)} MiB (+${delta.toFixed(1)} MiB)`,
    );
    ok =
      verdict(ratio <= TIME_RATIO_TARGET, `startup time <= ${TIME_RATIO_TARGET}x (${ratio.toFixed(3)}x)`) &&
      ok;
    ok =
      verdict(
        delta <= RSS_DELTA_TARGET_MIB,
        `startup RSS <= +${RSS_DELTA_TARGET_MIB} MiB (+${delta.toFixed(1)} MiB)`,
      ) && ok;
    return ok;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  void runStartupBench();
}
