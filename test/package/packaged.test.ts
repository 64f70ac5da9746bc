// The package as npm ships it: packed from a clean copy of the sources (no dist/, so packing must
// build), its tarball's contents, `npm publish --dry-run`, the flow library's scorecard criteria,
// then the tarball installed into a fresh Node-RED user dir and loaded by a real Node-RED 4.1:
// node registration, catalogs, icons, help, the editor script, and every example deploying.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { startSandbox, type Sandbox } from '../../src/core/sandbox';
import { freePort } from '../support/demo';

const run = promisify(execFile);
const root = join(__dirname, '..', '..');
const MODULE = '@seedflows/node-red-thenextleg';
const TYPES = [
  'nextleg-config',
  'nextleg-imagine-result',
  'nextleg-button',
  'nextleg-vary-region',
  'nextleg-get-message',
  'nextleg-mask-builder',
];
// Node-RED's own notes about this test's settings, not about the package.
const EXPECTED_WARNINGS = [/Projects disabled/, /Using unencrypted credentials/];

type FlowNode = Record<string, unknown> & { id: string; type: string; z?: string };
type ScorecardModule = {
  scorecard(options: { dir?: string; registry?: boolean }): Array<{
    criterion: string;
    ok: boolean | null;
    detail: string;
  }>;
};

/**
 * A copy of the sources as a fresh clone has them: the files git tracks or would add (nothing it
 * ignores, so no dist/ and no built editor script), with this checkout's node_modules linked in.
 */
function cleanCopy(into: string): string {
  const copy = join(into, 'source');
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
  })
    .split('\0')
    .filter((file) => file && existsSync(join(root, file)));
  for (const file of files) {
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    cpSync(join(root, file), join(copy, file));
  }
  symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'), 'dir');
  return copy;
}

describe('the packed package in a real Node-RED', { timeout: 120_000 }, () => {
  let work = '';
  let userDir = '';
  let base = '';
  let red: ChildProcess | undefined;
  let sandbox: Sandbox | undefined;
  let output = '';
  let redExit: Promise<void> = Promise.resolve();

  /** Resolves once Node-RED's output holds `count` "Started flows" lines. */
  function startedFlows(count: number, timeoutMs = 20_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const started = Date.now();
      const check = (): void => {
        if (output.split('Started flows').length - 1 >= count) return resolve();
        if (red?.exitCode !== null) return reject(new Error(`Node-RED exited:\n${output.slice(-3000)}`));
        if (Date.now() - started > timeoutMs)
          return reject(new Error(`no "Started flows" #${count}:\n${output}`));
        setTimeout(check, 50);
      };
      check();
    });
  }

  async function getJson(path: string): Promise<unknown> {
    const res = await fetch(base + path, { headers: { Accept: 'application/json' } });
    assert.equal(res.status, 200, `GET ${path}`);
    return res.json();
  }

  let source = '';
  let packedFiles: string[] = [];

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'nextleg-package-'));
    source = cleanCopy(work);
    assert.ok(!existsSync(join(source, 'dist')), 'the clean copy has a dist/');
    // prepack builds: a checkout that was never built still packs the compiled code.
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', work], {
      cwd: source,
      timeout: 120_000,
    });
    const [packed] = JSON.parse(stdout.slice(stdout.indexOf('['))) as {
      filename: string;
      files: { path: string }[];
    }[];
    assert.ok(packed, 'npm pack reported no tarball');
    packedFiles = packed.files.map((f) => f.path);
    // Scoped names pack to "seedflows-node-red-thenextleg-<version>.tgz".
    const tarball = join(work, packed.filename.replace(/^@/, '').replace('/', '-'));

    userDir = join(work, 'user');
    mkdirSync(userDir);
    writeFileSync(join(userDir, 'package.json'), JSON.stringify({ name: 'node-red-user', private: true }));
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], {
      cwd: userDir,
      timeout: 90_000,
    });

    sandbox = await startSandbox({ port: 0, stepMs: 20 });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const settings = {
      uiHost: '127.0.0.1',
      uiPort: port,
      flowFile: 'flows.json',
      credentialSecret: false,
      telemetry: { enabled: false, updateNotification: false },
      editorTheme: { tours: false, projects: { enabled: false }, palette: { catalogues: [] } },
    };
    writeFileSync(join(userDir, 'settings.js'), `module.exports = ${JSON.stringify(settings)};\n`);
    red = spawn(
      process.execPath,
      [
        require.resolve('node-red/red.js'),
        '--userDir',
        userDir,
        '--settings',
        join(userDir, 'settings.js'),
        '--port',
        String(port),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const child = red;
    redExit = new Promise((resolve) => child.once('exit', () => resolve()));
    red.stdout?.on('data', (chunk: Buffer) => (output += String(chunk)));
    red.stderr?.on('data', (chunk: Buffer) => (output += String(chunk)));
    await startedFlows(1);
  });

  after(async () => {
    if (red && red.exitCode === null && red.signalCode === null) {
      red.kill('SIGINT');
      const timer = setTimeout(() => red?.kill('SIGKILL'), 5000);
      await redExit;
      clearTimeout(timer);
    }
    await sandbox?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('packs the compiled nodes, their editor files and the examples, nothing else', () => {
    const wanted = [
      'package.json',
      'README.md',
      'LICENSE',
      'resources/nextleg-editor.js',
      'dist/core/index.js',
      'dist/core/index.d.ts',
      'dist/core/sandbox/cli.js',
      ...TYPES.flatMap((type) => [
        `dist/nodes/${type}.js`,
        `dist/nodes/${type}.html`,
        `dist/nodes/locales/en-US/${type}.json`,
        `dist/nodes/locales/en-US/${type}.html`,
      ]),
      ...readdirSync(join(root, 'examples')).map((file) => `examples/${file}`),
      ...readdirSync(join(root, 'src/nodes/icons')).map((file) => `dist/nodes/icons/${file}`),
    ];
    const missing = wanted.filter((file) => !packedFiles.includes(file));
    assert.deepEqual(missing, [], 'missing from the tarball');
    const unwanted = packedFiles.filter(
      (file) =>
        !/^(dist|examples|resources)\//.test(file) &&
        !['package.json', 'README.md', 'LICENSE'].includes(file),
    );
    assert.deepEqual(unwanted, [], 'not meant to ship');
    // Source maps point at src/, which is not shipped; shared parts are built into their pages.
    assert.deepEqual(
      packedFiles.filter((file) => file.endsWith('.map') || /(^|\/)_[^/]*$/.test(file)),
      [],
    );
  });

  it('passes npm publish --dry-run with no warning about the package', async () => {
    // The tarball's files were built by the pack above; a publish would build again.
    const { stdout, stderr } = await run('npm', ['publish', '--dry-run', '--ignore-scripts'], {
      cwd: source,
      timeout: 60_000,
    });
    const warnings = `${stdout}\n${stderr}`
      .split('\n')
      .filter((line) => /^npm (warn|error)/i.test(line))
      // Whether this machine is logged in to a registry says nothing about the package.
      .filter((line) => !/requires you to be logged in/.test(line));
    assert.deepEqual(warnings, []);
    assert.match(`${stdout}\n${stderr}`, /public access/);
  });

  it("meets the flow library's scorecard criteria that need no network", async () => {
    const module = (await import(
      pathToFileURL(join(root, 'scripts', 'scorecard.mjs')).href
    )) as ScorecardModule;
    const results = module.scorecard({ dir: source, registry: false });
    assert.ok(results.length >= 9);
    const failed = results.filter((r) => r.ok === false);
    assert.deepEqual(failed, []);
  });

  it('installs the built files, not the sources or tests', () => {
    const installed = join(userDir, 'node_modules', ...MODULE.split('/'));
    const top = readdirSync(installed).sort();
    assert.ok(top.includes('dist') && top.includes('examples') && top.includes('package.json'), top.join());
    for (const unwanted of ['src', 'test', 'scripts', 'node_modules'])
      assert.ok(!top.includes(unwanted), unwanted);
  });

  it('registers all six node types with no load error', async () => {
    const sets = (await getJson('/nodes')) as {
      module: string;
      types: string[];
      enabled: boolean;
      err?: unknown;
    }[];
    const ours = sets.filter((set) => set.module === MODULE);
    assert.deepEqual(ours.flatMap((set) => set.types).sort(), [...TYPES].sort());
    for (const set of ours) {
      assert.equal(set.err, undefined, `${set.types.join()}: ${String(set.err)}`);
      assert.equal(set.enabled, true);
    }
  });

  it("merges the shared nextleg.status keys into every node's catalog", async () => {
    const shared = JSON.parse(readFileSync(join(root, 'src/nodes/locales/en-US/_shared.json'), 'utf8')) as {
      nextleg: { status: Record<string, string> };
    };
    const statusKeys = Object.keys(shared.nextleg.status).sort();
    assert.ok(statusKeys.includes('done'));
    const catalogs = (await getJson('/nodes/messages?lng=en-US')) as Record<
      string,
      { nextleg?: { status?: Record<string, string> } } | undefined
    >;
    for (const type of TYPES) {
      const catalog = catalogs[`${MODULE}/${type}`];
      assert.ok(catalog, `no catalog for ${type}`);
      const own = Object.keys(catalog.nextleg?.status ?? {});
      const missing = statusKeys.filter((key) => !own.includes(key));
      // A stale dist/ shows up here too: `npm test` rebuilds before running.
      assert.deepEqual(missing, [], `${type}'s catalog lacks nextleg.status keys`);
    }
  });

  it('serves an edit template and help for every node type', async () => {
    const res = await fetch(`${base}/nodes`, { headers: { Accept: 'text/html' } });
    const html = await res.text();
    for (const type of TYPES) {
      assert.ok(html.includes(`data-template-name="${type}"`), `no edit template for ${type}`);
      assert.ok(html.includes(`data-help-name="${type}"`), `no help for ${type}`);
    }
    // Shared help sections are put in place at build time, and show in every API node's help.
    assert.ok(!html.includes('<!-- include'), 'a help include was not expanded');
    for (const type of TYPES.filter((t) => t !== 'nextleg-config')) {
      const help = html.split(`data-help-name="${type}"`)[1]?.split('</script>')[0] ?? '';
      assert.ok(help.includes('<h3>Outputs</h3>'), `the help of ${type} lacks its outputs`);
    }
  });

  it('serves every icon it ships', async () => {
    const listed = ((await getJson('/icons')) as Record<string, string[]>)[MODULE] ?? [];
    const shipped = readdirSync(join(root, 'src/nodes/icons'));
    assert.ok(shipped.length >= TYPES.length - 1, `icons: ${shipped.join()}`);
    for (const icon of shipped) {
      assert.ok(listed.includes(icon), `${icon} not among ${listed.join()}`);
      const res = await fetch(`${base}/icons/${MODULE}/${icon}`);
      assert.equal(res.status, 200);
      // Node-RED answers a missing icon with its default one, so compare the bytes.
      const served = await res.text();
      assert.equal(served, readFileSync(join(root, 'src/nodes/icons', icon), 'utf8'), icon);
    }
  });

  it('serves the editor script the node files load from resources/', async () => {
    const res = await fetch(`${base}/resources/${MODULE}/nextleg-editor.js`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), readFileSync(join(source, 'resources/nextleg-editor.js'), 'utf8'));
  });

  it('lists every example and deploys each one without an error', async () => {
    const files = readdirSync(join(root, 'examples'))
      .filter((f) => f.endsWith('.json'))
      .sort();
    assert.ok(files.length > 0);
    const listed = (await getJson(`/library/examples/flows/${MODULE}`)) as { fn: string }[];
    assert.deepEqual(
      listed.map((entry) => entry.fn).sort(),
      files.map((f) => f.replace(/\.json$/, '')),
    );

    let deploys = 1;
    for (const entry of listed) {
      const flow = (await getJson(
        `/library/examples/flows/${MODULE}/${encodeURIComponent(entry.fn)}`,
      )) as FlowNode[];
      assert.ok(Array.isArray(flow) && flow.length > 0, entry.fn);
      const tab = { id: 'package-test-tab', type: 'tab', label: entry.fn };
      const nodes = flow.map((node) => {
        if (node.type === 'nextleg-config') {
          return { ...node, baseUrl: sandbox?.url, credentials: { token: sandbox?.token } };
        }
        return node.z ? node : { ...node, z: tab.id };
      });
      const logStart = output.length;
      const res = await fetch(`${base}/flows`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Node-RED-Deployment-Type': 'full' },
        body: JSON.stringify([tab, ...nodes]),
      });
      assert.ok(res.ok, `deploying "${entry.fn}": ${res.status} ${await res.text()}`);
      await startedFlows(++deploys);

      const deployed = (await getJson('/flows')) as FlowNode[];
      const ids = new Set(deployed.map((node) => node.id));
      for (const node of flow) assert.ok(ids.has(node.id), `"${entry.fn}": ${node.id} missing after deploy`);
      const complaints = output
        .slice(logStart)
        .split('\n')
        .filter((line) => /\[(error|warn)\]/.test(line))
        .filter((line) => !EXPECTED_WARNINGS.some((re) => re.test(line)));
      assert.deepEqual(complaints, [], `"${entry.fn}" logged:\n${complaints.join('\n')}`);
    }
  });
});
