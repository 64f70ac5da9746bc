// A real Node-RED process with this package installed, logging at trace level, on either API: after
// a deploy and a success and two failures, the token is only in the credentials file, never in
// flows.json, the admin API's flows, the debug sidebar (the editor's websocket) or the log.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { startSandbox, type Sandbox } from '../../src/core/sandbox/server';
import { DIALECTS, type Dialect } from '../support/dialects';

const TOKEN = 'tnl-SECRET-process-token-51be0a';
const WRONG_TOKEN = 'wrong-SECRET-process-token-c4d1';
const root = join(__dirname, '..', '..');
// The same runtime as the helper-based tests: Node-RED 5 when NODE_RED_RUNTIME names it.
const redJs = require.resolve('node-red/red.js', {
  paths: [process.env.NODE_RED_RUNTIME ?? root],
});

let sandbox: Sandbox;
let userDir = '';
let port = 0;
let red: ChildProcess | undefined;
let socket: WebSocket | undefined;
let output = '';
let sidebar: unknown[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port: p } = server.address() as net.AddressInfo;
      server.close(() => resolve(p));
    });
  });
}

async function until<T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  ms = 20_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > end)
      throw new Error(`timed out waiting for ${what}; Node-RED said:\n${output.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const admin = (path: string, init?: RequestInit): Promise<Response> =>
  fetch(`http://127.0.0.1:${port}${path}`, init);

/** Starts the sandbox and a Node-RED process with an empty flow, and listens to its debug sidebar. */
async function startAll(): Promise<void> {
  output = '';
  sidebar = [];
  sandbox = await startSandbox({ stepMs: 5, token: TOKEN });
  port = await freePort();
  userDir = mkdtempSync(join(tmpdir(), 'nextleg-nodered-'));
  // Installed as npm would: the package (dist/, built by `npm test`) under the user dir's node_modules.
  mkdirSync(join(userDir, 'node_modules', '@seedflows'), { recursive: true });
  symlinkSync(root, join(userDir, 'node_modules', '@seedflows', 'node-red-thenextleg'), 'dir');
  const settings = {
    uiHost: '127.0.0.1',
    uiPort: port,
    flowFile: 'flows.json',
    // Unencrypted on purpose: the test can then see the token is in this file and no other.
    credentialSecret: false,
    logging: { console: { level: 'trace', metrics: false, audit: true } },
    editorTheme: { tours: false, projects: { enabled: false } },
  };
  writeFileSync(join(userDir, 'settings.js'), `module.exports = ${JSON.stringify(settings)};\n`);
  red = spawn(process.execPath, [redJs, '--userDir', userDir, '--settings', join(userDir, 'settings.js')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  red.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  red.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await until('the editor to answer', async () => {
    try {
      return (await admin('/settings')).ok ? true : undefined;
    } catch {
      return undefined;
    }
  });
  const ws = new WebSocket(`ws://127.0.0.1:${port}/comms`);
  socket = ws;
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  ws.on('message', (data: WebSocket.RawData) => {
    const parsed = JSON.parse(data.toString()) as unknown;
    for (const item of Array.isArray(parsed) ? parsed : [parsed]) {
      const { topic, data: body } = item as { topic?: string; data?: unknown };
      if (topic === 'debug') sidebar.push(body);
    }
  });
  ws.send(JSON.stringify({ subscribe: 'debug' }));
}

async function stopAll(): Promise<void> {
  socket?.terminate();
  if (red && red.exitCode === null) {
    const exited = new Promise((resolve) => red?.once('exit', resolve));
    red.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (red.exitCode === null) red.kill('SIGKILL');
  }
  await sandbox.close();
  if (userDir) rmSync(userDir, { recursive: true, force: true });
}

function flow(d: Dialect): Array<Record<string, unknown>> {
  const inject = (id: string, payload: string, target: string) => ({
    id,
    type: 'inject',
    z: 'tab1',
    once: true,
    onceDelay: 0.2,
    repeat: '',
    topic: `topic-${payload.length}`,
    payload,
    payloadType: 'str',
    props: [{ p: 'payload' }, { p: 'topic', vt: 'str' }],
    wires: [[target]],
  });
  const debug = { type: 'debug', z: 'tab1', active: true, tosidebar: true, console: true, complete: 'true' };
  return [
    { id: 'tab1', type: 'tab', label: 'secrets' },
    {
      id: 'cfg',
      type: 'nextleg-config',
      name: 'ok',
      baseUrl: sandbox.url,
      submitInterval: 0,
      pollInterval: 0.01,
      ...d.config,
      credentials: { token: TOKEN },
    },
    {
      id: 'cfgWrong',
      type: 'nextleg-config',
      name: 'wrong',
      baseUrl: sandbox.url,
      submitInterval: 0,
      pollInterval: 0.01,
      ...d.config,
      credentials: { token: WRONG_TOKEN },
    },
    inject('goOk', 'a lighthouse', 'imagineOk'),
    inject('goRefused', 'a forbiddenword', 'imagineOk'),
    inject('goWrong', 'a cat', 'imagineWrong'),
    {
      id: 'imagineOk',
      type: 'nextleg-imagine-result',
      z: 'tab1',
      account: 'cfg',
      progressOutput: true,
      wires: [['dbg'], ['dbg']],
    },
    { id: 'imagineWrong', type: 'nextleg-imagine-result', z: 'tab1', account: 'cfgWrong', wires: [['dbg']] },
    { id: 'catcher', type: 'catch', z: 'tab1', scope: null, uncaught: false, wires: [['dbg']] },
    { id: 'statuses', type: 'status', z: 'tab1', scope: null, wires: [['dbg']] },
    { id: 'dbg', ...debug },
  ];
}

for (const d of DIALECTS) {
  describe(`${d.name}: a real Node-RED process`, () => {
    before(startAll);
    after(stopAll);

    it('keeps the token in the credentials file only', async () => {
      const deployed = await admin('/flows', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'Node-RED-Deployment-Type': 'full' },
        body: JSON.stringify(flow(d)),
      });
      assert.ok(deployed.ok, `deploy answered ${deployed.status}`);

      const text = (x: unknown) => JSON.stringify(x);
      await until('a result and two errors in the debug sidebar', () => {
        const all = sidebar.map(text).join('\n');
        const done =
          all.includes('buttonMessageId') &&
          all.includes(d.codes.prefilter) &&
          all.includes(d.codes.badToken);
        return done ? true : undefined;
      });

      const flowsFile = readFileSync(join(userDir, 'flows.json'), 'utf8');
      const credFile = readFileSync(join(userDir, 'flows_cred.json'), 'utf8');
      const apiFlows = await (await admin('/flows')).text();
      assert.ok(flowsFile.includes('nextleg-config'), 'flows.json was not written');
      assert.ok(
        credFile.includes(TOKEN) && credFile.includes(WRONG_TOKEN),
        'the credentials file lacks the tokens',
      );
      const places: Record<string, string> = {
        'flows.json': flowsFile,
        'GET /flows': apiFlows,
        'debug sidebar': sidebar.map(text).join('\n'),
        'Node-RED log': output,
      };
      assert.ok(output.includes('[debug]') || output.includes('[trace]'), 'the log was not at debug level');
      for (const [place, content] of Object.entries(places)) {
        for (const secret of [TOKEN, WRONG_TOKEN]) {
          assert.ok(!content.includes(secret), `the token is in ${place}`);
        }
      }
      // The sandbox did see the token, in the header the API reads (midjourney-proxy: that one alone,
      // as a raw Authorization would be logged as such), so the flow really used it.
      const api = sandbox.requests().filter(d.isApiCall);
      assert.ok(api.some((r) => r.status === 200));
      assert.ok(
        api.every((r) => d.authenticated(r) || r.auth === 'invalid'),
        'a request used another header',
      );
    });
  });
}
