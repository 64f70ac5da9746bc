// `npm start`: builds the package, then runs the demo (scripts/demo.mjs): the TNL sandbox on 8733
// (unless TNL_BASE_URL and TNL_TOKEN name a real TNL-compatible service) and Node-RED on
// 127.0.0.1:1880 with the user directory .nodered/ and the demo flow deployed.
// Flags: --no-build, --reset (rewrite the demo flow). Env: PORT, SANDBOX_PORT. Ctrl-C stops both.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startDemo } from './demo.mjs';

const root = new URL('..', import.meta.url).pathname;

if (!process.argv.includes('--no-build')) {
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit' });
}

const demo = await startDemo({
  port: Number(process.env.PORT || 1880),
  sandboxPort: Number(process.env.SANDBOX_PORT || 8733),
  // About 1.6 s per job: fast enough for a demo, slow enough to watch the progress. The demo's
  // account keeps TNL's own pacing (a submit every 3 s), so the chain takes about 8 s.
  sandboxStepMs: 200,
  reset: process.argv.includes('--reset'),
  log: (text) => process.stdout.write(text),
});
console.log(demo.sandbox ? `TNL sandbox: ${demo.sandbox.url}` : `TNL service: ${process.env.TNL_BASE_URL}`);
console.log(`\nNode-RED editor: ${demo.editorUrl}  (Ctrl-C stops Node-RED and the sandbox)\n`);

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
