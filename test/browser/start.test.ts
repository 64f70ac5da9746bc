// `npm start` as a newcomer runs it: it prints the editor's URL, what to click and where the
// pictures appear; the editor answers at that URL; Ctrl-C stops Node-RED and the sandbox.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ensureBuilt } from '../support/demo';

const root = join(__dirname, '..', '..');

describe('npm start', { timeout: 90_000 }, () => {
  it('says where the editor is, what to click and where to look, and stops on Ctrl-C', async () => {
    ensureBuilt();
    const userDir = mkdtempSync(join(tmpdir(), 'nextleg-start-'));
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', SANDBOX_PORT: '0' };
    delete env.TNL_BASE_URL;
    delete env.TNL_TOKEN;
    delete env.NEXTLEG_API;
    const child = spawn(process.execPath, ['scripts/start.mjs', '--no-build', '--user-dir', userDir], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += String(chunk)));
    child.stderr.on('data', (chunk: Buffer) => (output += String(chunk)));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no instructions:\n${output}`)), 60_000);
        const check = (): void => {
          if (/Ctrl-C stops/.test(output)) {
            clearTimeout(timer);
            resolve();
          }
        };
        child.stdout.on('data', check);
        void exited.then(() => reject(new Error(`npm start exited:\n${output}`)));
      });
      const editorUrl = /Node-RED editor: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output)?.[1];
      assert.ok(editorUrl, output);
      const sandboxUrl = /the sandbox at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      assert.ok(sandboxUrl, output);
      assert.match(output, /Click the square on the left of the "prompt" inject node/);
      assert.match(output, /pictures appear under the nodes/);
      assert.match(output, /Debug sidebar/);
      assert.equal((await fetch(editorUrl)).status, 200);
      assert.ok((await fetch(`${sandboxUrl}/v2/message/none`)).status > 0);

      child.kill('SIGINT');
      assert.equal(await exited, 0);
      // Both servers are gone.
      await assert.rejects(fetch(editorUrl));
      await assert.rejects(fetch(`${sandboxUrl}/v2/message/none`));
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(userDir, { recursive: true, force: true });
    }
  });
});
