// A real Node-RED process (the runtime under test: Node-RED 5 when NODE_RED_RUNTIME names it) in a
// temporary user dir with this package linked in as npm would install it (dist/, built by `npm test`),
// running a given flow, for tests that need Node-RED's own HTTP set-up rather than the test helper's.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './demo';
import { eventually } from './node-red';

const root = join(__dirname, '..', '..');
const redJs = require.resolve('node-red/red.js', { paths: [process.env.NODE_RED_RUNTIME ?? root] });

export interface NodeRedProcess {
  /** 'http://127.0.0.1:<port>' */
  url: string;
  port: number;
  /** What the process printed so far. */
  output(): string;
  /** Stops the process and removes its user dir. */
  stop(): Promise<void>;
}

export async function startNodeRedProcess(options: {
  /** The flow, or a function of the port Node-RED will listen on (for URLs that point back at it). */
  flow: Array<Record<string, unknown>> | ((port: number) => Array<Record<string, unknown>>);
  credentials: Record<string, Record<string, string>>;
  /** Extra settings.js entries; the defaults leave the admin API and HTTP-in roots both at `/`. */
  settings?: Record<string, unknown>;
}): Promise<NodeRedProcess> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'nextleg-process-'));
  mkdirSync(join(dir, 'node_modules', '@seedflows'), { recursive: true });
  symlinkSync(root, join(dir, 'node_modules', '@seedflows', 'node-red-thenextleg'), 'dir');
  const flow = typeof options.flow === 'function' ? options.flow(port) : options.flow;
  writeFileSync(join(dir, 'flows.json'), JSON.stringify(flow));
  writeFileSync(join(dir, 'flows_cred.json'), JSON.stringify(options.credentials));
  const settings = {
    uiHost: '127.0.0.1',
    uiPort: port,
    flowFile: 'flows.json',
    credentialSecret: false,
    logging: { console: { level: 'info' } },
    editorTheme: { tours: false, projects: { enabled: false } },
    ...options.settings,
  };
  writeFileSync(join(dir, 'settings.js'), `module.exports = ${JSON.stringify(settings)};\n`);
  const proc: ChildProcess = spawn(
    process.execPath,
    [redJs, '--userDir', dir, '--settings', join(dir, 'settings.js')],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let log = '';
  proc.stdout?.on('data', (chunk: Buffer) => (log += String(chunk)));
  proc.stderr?.on('data', (chunk: Buffer) => (log += String(chunk)));
  const stop = async (): Promise<void> => {
    if (proc.exitCode === null && proc.signalCode === null) {
      await new Promise<void>((done) => {
        proc.once('exit', () => done());
        proc.kill('SIGINT');
      });
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await eventually(
      () => log.includes('Started flows') || proc.exitCode !== null,
      30_000,
      'Node-RED to start',
    );
    if (proc.exitCode !== null) throw new Error(`Node-RED exited:\n${log}`);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url: `http://127.0.0.1:${port}`, port, output: () => log, stop };
}
