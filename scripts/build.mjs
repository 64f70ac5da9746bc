// Builds what the package ships: src/ (but the editor) compiled to CommonJS in dist/, the editor's
// typed sources (src/editor) bundled into resources/nextleg-editor.js, and the node files' .html,
// icons and locales copied beside the compiled nodes, where Node-RED's loader looks for them.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = require.resolve('typescript/bin/tsc');

rmSync(join(root, 'dist'), { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.json')], { stdio: 'inherit' });

// Node-RED serves a package's resources/ folder to the editor; the node files load this bundle
// from there. One file, so every node's inline registration finds it loaded (Node-RED appends a
// node file's templates and inline scripts only once its <script src> files have run).
await build({
  entryPoints: [join(root, 'src/editor/index.ts')],
  outfile: join(root, 'resources/nextleg-editor.js'),
  bundle: true,
  format: 'iife',
  platform: 'browser',
  // Node-RED 4's editor supports the browsers of the last few years.
  target: 'es2020',
  charset: 'utf8',
  legalComments: 'none',
  banner: { js: '// Built from src/editor by scripts/build.mjs: edit the sources, not this file.' },
  logLevel: 'warning',
});

/**
 * Puts shared parts in place: a line `<!-- include _part.html -->` becomes that file's text (from
 * the same folder), less its first line when that is a comment about the part itself. The edit
 * dialogs' shared rows and the help's shared sections both use it, at build time.
 */
function expandIncludes(text, dir) {
  return text.replace(/^ *<!-- include (_[\w-]+\.html) -->\n/gm, (_, part) =>
    readFileSync(join(dir, part), 'utf8').replace(/^<!--.*-->\n/, ''),
  );
}

// Files named _* are shared parts: included or merged below, never shipped on their own.
const srcNodes = join(root, 'src/nodes');
const distNodes = join(root, 'dist/nodes');
mkdirSync(distNodes, { recursive: true });
for (const entry of readdirSync(srcNodes)) {
  if (!entry.endsWith('.html') || entry.startsWith('_')) continue;
  writeFileSync(
    join(distNodes, entry),
    expandIncludes(readFileSync(join(srcNodes, entry), 'utf8'), srcNodes),
  );
}
if (existsSync(join(srcNodes, 'icons'))) {
  cpSync(join(srcNodes, 'icons'), join(distNodes, 'icons'), { recursive: true });
}

// Node-RED gives each node file its own message catalog (locales/<lang>/<basename>.json), so keys
// every node uses (status, errors) live once in _shared.json and are merged into each catalog here.
const srcLocales = join(srcNodes, 'locales');
if (existsSync(srcLocales)) {
  cpSync(srcLocales, join(distNodes, 'locales'), {
    recursive: true,
    filter: (from) => !basename(from).startsWith('_'),
  });
  for (const lang of readdirSync(srcLocales)) {
    const langDir = join(srcLocales, lang);
    const sharedFile = join(langDir, '_shared.json');
    const shared = existsSync(sharedFile) ? JSON.parse(readFileSync(sharedFile, 'utf8')) : {};
    for (const file of readdirSync(langDir)) {
      if (file.startsWith('_')) continue;
      const out = join(distNodes, 'locales', lang, file);
      if (file.endsWith('.json')) {
        const own = JSON.parse(readFileSync(join(langDir, file), 'utf8'));
        writeFileSync(out, JSON.stringify({ ...shared, ...own }, null, 2));
      } else if (file.endsWith('.html')) {
        writeFileSync(out, expandIncludes(readFileSync(join(langDir, file), 'utf8'), langDir));
      }
    }
  }
}
