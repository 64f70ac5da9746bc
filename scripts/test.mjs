// The one test command: builds (the packaging and browser tiers load dist/), then runs every
// test/<tier>/*.test.ts file with node's test runner. A tier can be picked: `npm test -- core`.
// `npm test -- --node-red-5` runs the node-level tiers again under Node-RED 5 on Node 22 (CI does
// both): Node-RED 5 is installed apart from the devDependency, in node_modules/.cache/node-red-5,
// and Node 22 comes from the `node@22` npm package.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const nodeRed5 = args.includes('--node-red-5');
/** The tiers that start the Node-RED runtime, so the only ones that depend on its version. */
const NODE_RED_TIERS = ['nodes', 'reliability'];
const tiers = nodeRed5 ? NODE_RED_TIERS : args;
execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit' });

const testRoot = join(root, 'test');
const files = [];
for (const tier of readdirSync(testRoot).sort()) {
  const dir = join(testRoot, tier);
  if (!statSync(dir).isDirectory() || (tiers.length && !tiers.includes(tier))) continue;
  for (const f of readdirSync(dir).sort()) if (f.endsWith('.test.ts')) files.push(join(dir, f));
}

let nodeBinary = process.execPath;
const env = { ...process.env };
if (nodeRed5) {
  const prefix = join(root, 'node_modules/.cache/node-red-5');
  if (!existsSync(join(prefix, 'node_modules/node-red/package.json'))) {
    execFileSync(
      'npm',
      [
        'install',
        '--prefix',
        prefix,
        '--no-save',
        '--no-package-lock',
        '--no-audit',
        '--no-fund',
        'node-red@5',
      ],
      { stdio: 'inherit' },
    );
  }
  nodeBinary = execFileSync('npx', ['-y', '-p', 'node@22', 'node', '-p', 'process.execPath'], {
    encoding: 'utf8',
  }).trim();
  env.NODE_RED_RUNTIME = prefix;
  const version = execFileSync(nodeBinary, ['-v'], { encoding: 'utf8' }).trim();
  console.log(`Node-RED 5 run: node ${version}, runtime from ${prefix}`);
}

try {
  execFileSync(
    nodeBinary,
    ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=1', ...files],
    { stdio: 'inherit', cwd: root, env },
  );
} catch {
  process.exit(1);
}
