// Compiles src/ to CommonJS in dist/ and copies the editor files (.html, icons, locales) beside the
// compiled nodes, where Node-RED's loader looks for them.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const root = new URL('..', import.meta.url).pathname;
const tsc = require.resolve('typescript/bin/tsc');

rmSync(join(root, 'dist'), { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.json')], { stdio: 'inherit' });

const srcNodes = join(root, 'src/nodes');
const distNodes = join(root, 'dist/nodes');
for (const entry of readdirSync(srcNodes)) {
  if (entry.endsWith('.html')) cpSync(join(srcNodes, entry), join(distNodes, entry));
}
for (const dir of ['icons', 'locales']) {
  if (existsSync(join(srcNodes, dir))) cpSync(join(srcNodes, dir), join(distNodes, dir), { recursive: true });
}
