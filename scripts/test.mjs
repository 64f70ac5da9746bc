// The one test command: builds (the packaging and browser tiers load dist/), then runs every
// test/<tier>/*.test.ts file with node's test runner. A tier can be picked: `npm test -- core`.
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const tiers = process.argv.slice(2);
execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit' });

const testRoot = join(root, 'test');
const files = [];
for (const tier of readdirSync(testRoot).sort()) {
  const dir = join(testRoot, tier);
  if (!statSync(dir).isDirectory() || (tiers.length && !tiers.includes(tier))) continue;
  for (const f of readdirSync(dir).sort()) if (f.endsWith('.test.ts')) files.push(join(dir, f));
}
try {
  execFileSync(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=1', ...files],
    { stdio: 'inherit', cwd: root },
  );
} catch {
  process.exit(1);
}
