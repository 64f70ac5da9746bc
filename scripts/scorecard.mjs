// The Node-RED flow library's scorecard criteria (what `node-red-dev validate` scores), checked
// against this package: `npm run scorecard` prints one line per criterion and exits 1 if any fails.
// `--offline` skips the one criterion that needs the npm registry (dependencies at their latest
// versions); the package test runs the offline ones on every `npm test`.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
/** The scorecard's ceiling on runtime dependencies. */
const MAX_DEPENDENCIES = 6;

/**
 * Runs the checks on the package at `dir` (default: this repository).
 * @param {{ dir?: string, registry?: boolean }} [options] registry: also ask the npm registry
 * @returns {Array<{ criterion: string, ok: boolean | null, detail: string }>} ok null: not checked
 */
export function scorecard(options = {}) {
  const dir = options.dir ?? root;
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const nodeTypes = Object.keys(pkg['node-red']?.nodes ?? {});
  const results = [];
  const check = (criterion, ok, detail) => results.push({ criterion, ok, detail });

  check(
    'scoped package name',
    /^@[a-z0-9-~][a-z0-9-._~]*\/[a-z0-9-~][a-z0-9-._~]*$/.test(pkg.name),
    pkg.name,
  );
  check('license', typeof pkg.license === 'string' && pkg.license !== '', String(pkg.license));
  const repository = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url;
  check('repository', typeof repository === 'string' && repository !== '', String(repository));
  check('"node-red" keyword', (pkg.keywords ?? []).includes('node-red'), (pkg.keywords ?? []).join(', '));
  check('node-red.version', typeof pkg['node-red']?.version === 'string', String(pkg['node-red']?.version));
  check('engines.node', typeof pkg.engines?.node === 'string', String(pkg.engines?.node));

  // The catalogue itself is online; what this package controls is that every type carries its
  // prefix, so none can clash with another package's or with a core node.
  const prefix = 'nextleg-';
  const unprefixed = nodeTypes.filter((type) => !type.startsWith(prefix));
  check(
    'node types prefixed (unique across the catalogue)',
    nodeTypes.length > 0 && unprefixed.length === 0,
    unprefixed.length
      ? `not prefixed: ${unprefixed.join(', ')}`
      : `${nodeTypes.length} types, all ${prefix}*`,
  );

  // Config nodes need no example of their own (their category is "config" in the editor code).
  const used = new Set();
  for (const file of readdirSync(join(dir, 'examples')).filter((f) => f.endsWith('.json'))) {
    for (const node of JSON.parse(readFileSync(join(dir, 'examples', file), 'utf8'))) used.add(node.type);
  }
  const configTypes = nodeTypes.filter((type) => type.endsWith('-config'));
  const missing = nodeTypes.filter((type) => !configTypes.includes(type) && !used.has(type));
  check(
    'every non-config node in an example',
    missing.length === 0,
    missing.length
      ? `no example uses ${missing.join(', ')}`
      : `${nodeTypes.length - configTypes.length} node types`,
  );

  const dependencies = Object.entries(pkg.dependencies ?? {});
  check(
    `at most ${MAX_DEPENDENCIES} runtime dependencies`,
    dependencies.length <= MAX_DEPENDENCIES,
    `${dependencies.length}: ${dependencies.map(([name]) => name).join(', ')}`,
  );

  if (options.registry) {
    const behind = [];
    for (const [name, range] of dependencies) {
      const latest = npmView([`${name}`, 'dist-tags.latest']);
      const matching = [npmView([`${name}@${range}`, 'version'])].flat();
      if (!matching.includes(latest)) behind.push(`${name} ${range} (latest ${latest})`);
    }
    check(
      'dependencies at their latest versions',
      behind.length === 0,
      behind.length ? behind.join('; ') : 'every range includes the latest release',
    );
  } else {
    check('dependencies at their latest versions', null, 'not checked (--offline)');
  }
  return results;
}

function npmView(args) {
  const out = execFileSync('npm', ['view', ...args, '--json'], { encoding: 'utf8', cwd: root }).trim();
  return out ? JSON.parse(out) : [];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const results = scorecard({ registry: !process.argv.includes('--offline') });
  for (const { criterion, ok, detail } of results) {
    console.log(`${ok === null ? 'SKIP' : ok ? 'PASS' : 'FAIL'}  ${criterion}: ${detail}`);
  }
  process.exitCode = results.some((r) => r.ok === false) ? 1 : 0;
}
