// The demo runtime behind `npm start` and the browser tests: the sandbox in-process (unless
// TNL_BASE_URL and TNL_TOKEN name a real service) and Node-RED 4.1 as a child process, with a user
// directory holding this package and the demo flow, deployed. Expects dist/ to be built.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clearTimeout, setTimeout } from 'node:timers';

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL('..', import.meta.url));
const DEMO_FLOW = 'Imagine, upscale, repaint a region.json';
const DEMO_TAB = 'demo-tab';
const DEMO_ACCOUNT = 'ex1-account';
/** The sandbox's step: a job runs through 8 steps, so about 4 s, long enough to watch it move. */
export const DEMO_STEP_MS = 500;
/** The demo account polls its sandbox this often (seconds), so each job shows several percentages. */
export const DEMO_POLL_INTERVAL_S = 0.5;
export const APIS = ['tnl', 'midjourney-proxy'];
const STOP_GRACE_MS = 5000;
const START_TIMEOUT_MS = 60_000;

/** A free TCP port on 127.0.0.1: listen on port 0, read the port back, close. */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

function linkPackage(userDir) {
  // Linked in as npm would install it, so Node-RED finds it through its usual node_modules scan.
  mkdirSync(join(userDir, 'node_modules', '@seedflows'), { recursive: true });
  const link = join(userDir, 'node_modules', '@seedflows', 'node-red-thenextleg');
  rmSync(link, { recursive: true, force: true });
  symlinkSync(root, link, 'dir');
}

function writeSettings(userDir, port) {
  const settings = {
    uiHost: '127.0.0.1',
    uiPort: port,
    flowFile: 'flows.json',
    // The only credential is a reference to the TNL_TOKEN environment variable, not a secret.
    credentialSecret: false,
    logging: { console: { level: 'info' } },
    // No palette catalogue: the editor would fetch it from the internet at every load.
    editorTheme: { tours: false, projects: { enabled: false }, palette: { catalogues: [] } },
    // No consent dialog in the editor and no calls home: the demo talks to 127.0.0.1 only.
    telemetry: { enabled: false, updateNotification: false },
  };
  writeFileSync(join(userDir, 'settings.js'), `module.exports = ${JSON.stringify(settings, null, 2)};\n`);
}

/**
 * Writes the demo flow (examples/<DEMO_FLOW>) unless the user directory has one already, or `reset`.
 * Either way the account is then pointed at the server this run uses: its address and API are
 * decided by how the demo is started, so they are filled in at every start; the rest of the flow
 * is the user's to edit.
 */
function writeDemoFlow(userDir, { reset, baseUrl, api, sandbox }) {
  const flowFile = join(userDir, 'flows.json');
  let nodes;
  if (existsSync(flowFile) && !reset) {
    nodes = JSON.parse(readFileSync(flowFile, 'utf8'));
  } else {
    const flow = JSON.parse(readFileSync(join(root, 'examples', DEMO_FLOW), 'utf8'));
    // Examples carry no tab (the editor's import puts them on the current one); a flow file needs one.
    nodes = [{ id: DEMO_TAB, type: 'tab', label: 'TheNextLeg demo', disabled: false, info: '' }];
    for (const node of flow) {
      if (node.type !== 'nextleg-config' && !node.z) node.z = DEMO_TAB;
      // The sandbox answers at once: polling it often shows the progress moving.
      if (node.id === DEMO_ACCOUNT && sandbox) node.pollInterval = DEMO_POLL_INTERVAL_S;
      nodes.push(node);
    }
    // The token is a reference to an environment variable the demo sets, never the token itself.
    const credentials = { [DEMO_ACCOUNT]: { token: '${TNL_TOKEN}' } };
    writeFileSync(join(userDir, 'flows_cred.json'), JSON.stringify(credentials, null, 2));
  }
  const account = nodes.find((node) => node.id === DEMO_ACCOUNT);
  if (account) {
    account.baseUrl = baseUrl;
    account.api = api;
    account.authScheme ??= 'mj-api-secret';
    if (sandbox) account.name = api === 'tnl' ? 'TNL sandbox' : 'midjourney-proxy sandbox';
  }
  writeFileSync(flowFile, JSON.stringify(nodes, null, 2));
}

/**
 * Starts the sandbox (unless TNL_BASE_URL and TNL_TOKEN are set) and Node-RED; resolves once
 * Node-RED logs "Started flows".
 * @param {{ port?: number, userDir?: string, sandboxPort?: number, sandboxStepMs?: number,
 *   reset?: boolean, api?: 'tnl' | 'midjourney-proxy', log?: (text: string) => void }} [options]
 *   port 0 (or unset) picks a free port; api is the account's API (default 'tnl'; the sandbox
 *   serves both); log receives Node-RED's output (default: discarded).
 * @returns {Promise<{ editorUrl: string, sandbox: object | undefined, baseUrl: string, api: string,
 *   userDir: string, stop: () => Promise<void>, exited: Promise<number | null> }>}
 *   baseUrl: the server the account uses; exited: Node-RED's exit code
 */
export async function startDemo(options = {}) {
  const userDir = resolve(options.userDir ?? join(root, '.nodered'));
  const log = options.log ?? (() => {});
  const port = options.port || (await freePort());
  const api = options.api ?? 'tnl';
  if (!APIS.includes(api)) throw new Error(`api must be one of ${APIS.join(', ')} (got ${api})`);

  let sandbox;
  let baseUrl = process.env.TNL_BASE_URL;
  let token = process.env.TNL_TOKEN;
  if (!baseUrl || !token) {
    const { startSandbox } = require(join(root, 'dist/core/sandbox/server.js'));
    sandbox = await startSandbox({
      port: options.sandboxPort ?? 0,
      stepMs: options.sandboxStepMs ?? DEMO_STEP_MS,
    });
    baseUrl = sandbox.url;
    token = sandbox.token;
  }

  let red;
  try {
    mkdirSync(userDir, { recursive: true });
    linkPackage(userDir);
    writeSettings(userDir, port);
    writeDemoFlow(userDir, { reset: options.reset ?? false, baseUrl, api, sandbox: !!sandbox });
    red = spawn(
      process.execPath,
      [require.resolve('node-red/red.js'), '--userDir', userDir, '--settings', join(userDir, 'settings.js')],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TNL_BASE_URL: baseUrl, TNL_TOKEN: token } },
    );
  } catch (err) {
    await sandbox?.close();
    throw err;
  }

  const exited = new Promise((resolveExit) => red.once('exit', (code) => resolveExit(code)));
  // A test runner that dies must not leave Node-RED holding a port.
  const killOnExit = () => red.kill('SIGKILL');
  process.once('exit', killOnExit);

  let stopping;
  const stop = () => {
    stopping ??= (async () => {
      process.removeListener('exit', killOnExit);
      if (red.exitCode === null && red.signalCode === null) {
        red.kill('SIGINT');
        const timer = setTimeout(() => red.kill('SIGKILL'), STOP_GRACE_MS);
        await exited;
        clearTimeout(timer);
      }
      await sandbox?.close();
    })();
    return stopping;
  };

  // Kept for the error message when Node-RED does not start.
  let recent = '';
  await new Promise((resolveStart, reject) => {
    const timer = setTimeout(
      () => fail(new Error(`Node-RED did not start in ${START_TIMEOUT_MS} ms`)),
      START_TIMEOUT_MS,
    );
    function fail(err) {
      clearTimeout(timer);
      void stop().then(() => reject(new Error(`${err.message}\n${recent.slice(-4000)}`)));
    }
    const onOutput = (chunk) => {
      const text = String(chunk);
      log(text);
      recent = (recent + text).slice(-8000);
      if (recent.includes('Started flows')) {
        clearTimeout(timer);
        resolveStart();
      }
    };
    red.stdout.on('data', onOutput);
    red.stderr.on('data', onOutput);
    red.once('exit', (code, signal) =>
      fail(new Error(`Node-RED exited (${signal ?? code}) before starting`)),
    );
    red.once('error', fail);
  });

  return { editorUrl: `http://127.0.0.1:${port}/`, sandbox, baseUrl, api, userDir, stop, exited };
}
