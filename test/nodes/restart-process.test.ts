// A real Node-RED process (the runtime under test) with a localfilesystem context store, stopped in
// the middle of a job and started again, on either API: the job is delivered once after the restart;
// a job older than expireMins fails EXPIRED.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startSandbox, type Sandbox } from '../../src/core/sandbox/server';
import { CONFIG_ID } from '../flows/api-flows';
import { placed, restartFlow } from '../flows/webhook-flows';
import { DIALECTS } from '../support/dialects';
import { eventually, sleep } from '../support/node-red';
import type { Loose } from '../support/sandbox-http';

const ROOT = resolve(__dirname, '../..');
// Node-RED 5 when NODE_RED_RUNTIME names it, as for the helper-based tests.
const RED_JS = require.resolve('node-red/red.js', { paths: [process.env.NODE_RED_RUNTIME ?? ROOT] });
let sandbox: Sandbox;
const dirs: string[] = [];
const running = new Set<ChildProcess>();

function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => done(port));
    });
  });
}

/** A user dir with this package linked in, a file context store, the flow and its credentials. */
function userDir(flow: Array<Record<string, unknown>>): string {
  const dir = mkdtempSync(join(tmpdir(), 'nextleg-restart-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'node_modules', '@seedflows'), { recursive: true });
  symlinkSync(ROOT, join(dir, 'node_modules', '@seedflows', 'node-red-thenextleg'), 'dir');
  writeFileSync(join(dir, 'flows.json'), JSON.stringify(placed(flow)));
  writeFileSync(join(dir, 'flows_cred.json'), JSON.stringify({ [CONFIG_ID]: { token: sandbox.token } }));
  return dir;
}

async function startNodeRed(dir: string): Promise<{ port: number; proc: ChildProcess }> {
  const port = await freePort();
  writeFileSync(
    join(dir, 'settings.js'),
    `module.exports = ${JSON.stringify({
      uiHost: '127.0.0.1',
      uiPort: port,
      flowFile: 'flows.json',
      credentialSecret: false,
      contextStorage: { default: { module: 'localfilesystem' } },
      logging: { console: { level: 'info' } },
      editorTheme: { tours: false },
    })};\n`,
  );
  const proc = spawn(process.execPath, [RED_JS, '--userDir', dir, '--settings', join(dir, 'settings.js')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(proc);
  proc.on('exit', () => running.delete(proc));
  let log = '';
  proc.stdout?.on('data', (chunk: Buffer) => (log += String(chunk)));
  proc.stderr?.on('data', (chunk: Buffer) => (log += String(chunk)));
  await eventually(
    () => log.includes('Started flows') || proc.exitCode !== null,
    30_000,
    'Node-RED to start',
  );
  if (proc.exitCode !== null) throw new Error(`Node-RED exited:\n${log}`);
  return { port, proc };
}

function stopNodeRed(proc: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (proc.exitCode !== null) return done();
    proc.once('exit', () => done());
    proc.kill('SIGINT');
  });
}

const lines = (file: string): Array<Record<string, Loose>> =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>)
    : [];

const inject = (id: string, tag: string, prompt: string) => ({
  id,
  z: 'tab1',
  type: 'inject',
  props: [{ p: 'payload' }, { p: 'tag', v: tag, vt: 'str' }],
  payload: prompt,
  payloadType: 'str',
  repeat: '',
  once: false,
  wires: [['dut']],
});

const trigger = async (port: number, id: string): Promise<void> => {
  const res = await fetch(`http://127.0.0.1:${port}/inject/${id}`, { method: 'POST' });
  assert.equal(res.status, 200);
};

before(async () => {
  // A job takes a few seconds: time to stop Node-RED in its middle.
  sandbox = await startSandbox({ stepMs: 400 });
});
after(async () => {
  for (const proc of running) await stopNodeRed(proc);
  await sandbox.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

for (const d of DIALECTS) {
  const polls = (): number => sandbox.requests().filter(d.isPoll).length;

  describe(`${d.name}: jobs across a Node-RED restart (localfilesystem context)`, () => {
    it('a job in flight when Node-RED stops is delivered once after it starts again', async () => {
      const out = join(tmpdir(), `nextleg-restart-out-${process.pid}-${d.api}-1.txt`);
      dirs.push(out);
      const dir = userDir([
        ...restartFlow(sandbox.url, out, {}, d.config),
        inject('go', 'before-restart', 'a mill by a river'),
      ]);
      sandbox.clearRequests();
      const first = await startNodeRed(dir);
      await trigger(first.port, 'go');
      await eventually(() => polls() >= 1, 10_000, 'the first poll');
      await stopNodeRed(first.proc);
      assert.deepEqual(lines(out), [], 'delivered before the restart: the test proves nothing');

      await startNodeRed(dir);
      await eventually(() => lines(out).length >= 1, 30_000, 'the resumed result');
      await sleep(500);
      const got = lines(out);
      assert.equal(got.length, 1, 'delivered more than once');
      assert.equal(got[0]?.tag, 'before-restart');
      assert.equal(d.promptOf(got[0]?.result), 'a mill by a river');
      assert.match(got[0]?.messageId, d.jobId);
      assert.ok(!d.isGrid(got[0]?.result), 'the U1 upscale was not made after the restart');
      const submits = sandbox.requests().filter((r) => d.isImagine(r) && r.status === 200);
      assert.equal(submits.length, 1, 'the job was submitted again');
    });

    it('a job older than expireMins when Node-RED comes back fails EXPIRED without a request', async () => {
      const out = join(tmpdir(), `nextleg-restart-out-${process.pid}-${d.api}-2.txt`);
      dirs.push(out);
      // 0.05 min = 3 s; the sandbox itself would only give up after its own 12 minutes.
      const flow = [
        ...restartFlow(sandbox.url, out, { expireMins: 0.05, upscale: '' }, d.config),
        inject('go', 'too-old', 'waits --sandbox-never'),
      ];
      const dir = userDir(flow);
      sandbox.clearRequests();
      const first = await startNodeRed(dir);
      await trigger(first.port, 'go');
      await eventually(() => polls() >= 1, 10_000, 'the first poll');
      await stopNodeRed(first.proc);
      await sleep(3200);
      const count = sandbox.requests().length;

      await startNodeRed(dir);
      await eventually(() => lines(out).length >= 1, 30_000, 'the EXPIRED error');
      const got = lines(out);
      assert.equal(got.length, 1);
      assert.equal(got[0]?.error, 'EXPIRED');
      assert.equal(got[0]?.tag, 'too-old');
      assert.equal(sandbox.requests().length, count, 'an expired job was still polled');
    });
  });
}
