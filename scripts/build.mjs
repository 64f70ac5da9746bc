// Compiles src/ to CommonJS in dist/ and copies the editor files (.html, icons, locales) beside the
// compiled nodes, where Node-RED's loader looks for them.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';

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
if (existsSync(join(srcNodes, 'icons'))) {
  cpSync(join(srcNodes, 'icons'), join(distNodes, 'icons'), { recursive: true });
}

// Node-RED gives each node file its own message catalog (locales/<lang>/<basename>.json), so keys
// every node uses (status, errors) live once in _shared.json and are merged into each catalog here.
const srcLocales = join(srcNodes, 'locales');
if (existsSync(srcLocales)) {
  // Files named _* are shared parts: merged or included below, never shipped on their own.
  cpSync(srcLocales, join(distNodes, 'locales'), {
    recursive: true,
    filter: (from) => !basename(from).startsWith('_'),
  });
  for (const lang of readdirSync(srcLocales)) {
    const sharedFile = join(srcLocales, lang, '_shared.json');
    if (!existsSync(sharedFile)) continue;
    const shared = JSON.parse(readFileSync(sharedFile, 'utf8'));
    for (const file of readdirSync(join(srcLocales, lang))) {
      if (!file.endsWith('.json') || file === '_shared.json') continue;
      const own = JSON.parse(readFileSync(join(srcLocales, lang, file), 'utf8'));
      writeFileSync(join(distNodes, 'locales', lang, file), JSON.stringify({ ...shared, ...own }, null, 2));
    }
  }
  // Help sections several nodes share (outputs, waiting) are written once and included here.
  for (const lang of readdirSync(srcLocales)) {
    for (const file of readdirSync(join(srcLocales, lang))) {
      if (!file.endsWith('.html') || file.startsWith('_')) continue;
      const help = readFileSync(join(srcLocales, lang, file), 'utf8').replace(
        /^ *<!-- include (_[\w-]+\.html) -->\n/gm,
        (_, part) => readFileSync(join(srcLocales, lang, part), 'utf8').replace(/^<!--.*-->\n/, ''),
      );
      writeFileSync(join(distNodes, 'locales', lang, file), help);
    }
  }
}
