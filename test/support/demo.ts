// Starts the demo runtime (scripts/demo.mjs: sandbox + Node-RED child process with the demo flow)
// in a temporary user directory on free ports, for the browser tests.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Sandbox } from '../../src/core/sandbox';

const root = join(__dirname, '..', '..');

export interface Demo {
  /** 'http://127.0.0.1:<port>/' */
  editorUrl: string;
  sandbox: Sandbox;
  userDir: string;
  /** Stops Node-RED and the sandbox and removes the user directory. */
  stop(): Promise<void>;
}

interface DemoModule {
  startDemo(options: {
    port?: number;
    userDir?: string;
    sandboxPort?: number;
    sandboxStepMs?: number;
    reset?: boolean;
    api?: 'tnl' | 'midjourney-proxy';
    log?: (text: string) => void;
  }): Promise<{ editorUrl: string; sandbox?: Sandbox; userDir: string; stop(): Promise<void> }>;
}

/** A free TCP port on 127.0.0.1: listen on port 0, read the port back, close. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Builds dist/ unless it is there (`npm test` builds first; a lone test file may not have). */
export function ensureBuilt(): void {
  if (!existsSync(join(root, 'dist', 'nodes', 'nextleg-config.js'))) {
    execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
  }
}

/**
 * The demo as `npm start` runs it (the sandbox's pace, the demo flow) unless `sandboxStepMs` makes
 * the jobs faster; `api` is the account's API.
 */
export async function startDemo(
  opts: { sandboxStepMs?: number; api?: 'tnl' | 'midjourney-proxy' } = {},
): Promise<Demo> {
  ensureBuilt();
  // The env of this process must not point the demo at a real service during tests.
  const saved = { url: process.env.TNL_BASE_URL, token: process.env.TNL_TOKEN };
  delete process.env.TNL_BASE_URL;
  delete process.env.TNL_TOKEN;
  const userDir = mkdtempSync(join(tmpdir(), 'nextleg-demo-'));
  // A computed specifier keeps this a runtime import of the .mjs (typed by DemoModule above).
  const specifier = pathToFileURL(join(root, 'scripts', 'demo.mjs')).href;
  try {
    const { startDemo: start } = (await import(specifier)) as DemoModule;
    const demo = await start({ port: 0, sandboxPort: 0, userDir, reset: true, ...opts });
    if (!demo.sandbox) throw new Error('the demo started without its sandbox');
    const sandbox = demo.sandbox;
    return {
      editorUrl: demo.editorUrl,
      sandbox,
      userDir,
      async stop() {
        await demo.stop();
        rmSync(userDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(userDir, { recursive: true, force: true });
    throw err;
  } finally {
    if (saved.url !== undefined) process.env.TNL_BASE_URL = saved.url;
    if (saved.token !== undefined) process.env.TNL_TOKEN = saved.token;
  }
}
