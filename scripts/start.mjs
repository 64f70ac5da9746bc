// `npm start`: builds the package, starts the TNL sandbox (unless TNL_BASE_URL and TNL_TOKEN name a
// real TNL-compatible service), and starts Node-RED with a private user directory in .nodered/
// holding this package and the example flow "Imagine, upscale, repaint a region", deployed.
// Ctrl-C stops both servers.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const root = new URL('..', import.meta.url).pathname;
const userDir = join(root, '.nodered');
const port = Number(process.env.PORT || 1880);
const DEMO_FLOW = 'Imagine, upscale, repaint a region.json';

if (!process.argv.includes('--no-build')) {
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit' });
}

let sandbox;
let baseUrl = process.env.TNL_BASE_URL;
let token = process.env.TNL_TOKEN;
if (!baseUrl || !token) {
  const { startSandbox } = require(join(root, 'dist/core/sandbox/server.js'));
  // A few seconds per job: fast enough for a demo, slow enough to watch the progress.
  sandbox = await startSandbox({ port: Number(process.env.SANDBOX_PORT || 8733), stepMs: 350 });
  baseUrl = sandbox.url;
  token = sandbox.token;
  console.log(`TNL sandbox: ${baseUrl}`);
} else {
  console.log(`TNL service: ${baseUrl}`);
}

// The user directory: this package linked in as npm would install it, and the demo flow.
mkdirSync(join(userDir, 'node_modules', '@seedflows'), { recursive: true });
const link = join(userDir, 'node_modules', '@seedflows', 'node-red-thenextleg');
rmSync(link, { recursive: true, force: true });
symlinkSync(root, link, 'dir');
writeFileSync(
  join(userDir, 'settings.js'),
  `module.exports = ${JSON.stringify(
    {
      uiHost: '127.0.0.1',
      uiPort: port,
      flowFile: 'flows.json',
      // The only credential is a reference to the TNL_TOKEN environment variable, not a secret.
      credentialSecret: false,
      logging: { console: { level: 'info' } },
      editorTheme: { tours: false, projects: { enabled: false } },
    },
    null,
    2,
  )};\n`,
);
const flowFile = join(userDir, 'flows.json');
if (!existsSync(flowFile) || process.argv.includes('--reset')) {
  const flow = JSON.parse(readFileSync(join(root, 'examples', DEMO_FLOW), 'utf8'));
  const credentials = {};
  for (const node of flow) {
    if (node.type === 'nextleg-config') {
      node.baseUrl = '${TNL_BASE_URL}';
      credentials[node.id] = { token: '${TNL_TOKEN}' };
    }
  }
  writeFileSync(flowFile, JSON.stringify(flow, null, 2));
  writeFileSync(join(userDir, 'flows_cred.json'), JSON.stringify(credentials, null, 2));
}

const red = spawn(
  process.execPath,
  [require.resolve('node-red/red.js'), '--userDir', userDir, '--settings', join(userDir, 'settings.js')],
  { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, TNL_BASE_URL: baseUrl, TNL_TOKEN: token } },
);
red.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  if (String(chunk).includes('Started flows')) {
    console.log(`\nNode-RED editor: http://127.0.0.1:${port}/  (Ctrl-C stops Node-RED and the sandbox)\n`);
  }
});

let stopping = false;
async function stop(code) {
  if (stopping) return;
  stopping = true;
  red.kill('SIGINT');
  await sandbox?.close();
  process.exitCode = code;
}
red.on('exit', (code) => {
  void stop(code ?? 0).then(() => process.exit());
});
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
