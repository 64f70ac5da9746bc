// `npm start`: builds the package, then runs the demo (scripts/demo.mjs): the sandbox on 8733
// (unless TNL_BASE_URL and TNL_TOKEN name a real service) and Node-RED on 127.0.0.1:1880 with the
// user directory .nodered/ and the demo flow deployed, then says what to click and where to look.
// Flags: --no-build, --reset (rewrite the demo flow), --api tnl|midjourney-proxy (the account's
// API; also NEXTLEG_API), --user-dir <dir> (default .nodered). Env: PORT, SANDBOX_PORT (0: any
// free port). Ctrl-C stops both.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { APIS, startDemo } from './demo.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

const { values: flags } = parseArgs({
  options: {
    'no-build': { type: 'boolean', default: false },
    reset: { type: 'boolean', default: false },
    api: { type: 'string', default: process.env.NEXTLEG_API || 'tnl' },
    'user-dir': { type: 'string' },
  },
});
if (!APIS.includes(flags.api)) {
  console.error(`--api must be one of ${APIS.join(', ')} (got ${flags.api})`);
  process.exit(2);
}

if (!flags['no-build']) {
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit' });
}

const demo = await startDemo({
  port: Number(process.env.PORT || 1880),
  sandboxPort: Number(process.env.SANDBOX_PORT || 8733),
  reset: flags.reset,
  api: flags.api,
  userDir: flags['user-dir'],
  log: (text) => process.stdout.write(text),
});

const apiName = flags.api === 'tnl' ? 'TheNextLeg v2 (/v2)' : 'midjourney-proxy (/mj)';
const server = demo.sandbox ? `the sandbox at ${demo.baseUrl}` : demo.baseUrl;
const stops = demo.sandbox ? 'Node-RED and the sandbox' : 'Node-RED';
console.log(`
────────────────────────────────────────────────────────────────────────────
 Node-RED editor: ${demo.editorUrl}
 The demo's account speaks ${apiName} to ${server}.

 1. Open the editor URL in a browser: the tab "TheNextLeg demo" is deployed.
 2. Click the square on the left of the "prompt" inject node.
 3. Watch each node's status count up (15%, 31%, ... then "done") while the
    job runs: imagine, upscale U1, build the mask, Vary (Region).
 4. The pictures appear under the nodes: the upscale under "imagine → U1",
    the mask under "mask: 1 region", the repainted grid under the vary-region
    node "a red hot-air balloon".
    The Debug sidebar (bug icon, top right) shows each whole msg.

 Ctrl-C stops ${stops}. npm start -- --reset restores the demo flow.
────────────────────────────────────────────────────────────────────────────
`);

let stopping = false;
async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  await demo.stop();
  process.exit(code);
}
void demo.exited.then((code) => shutdown(code ?? 0));
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
