// The editor files of the nodes that show previews load the shared editor script (served from the
// package's resources/ folder) before their registration, which uses it.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = join(__dirname, '..', '..');
const NODES = ['imagine-result', 'button', 'vary-region', 'get-message', 'mask-builder'];
const SCRIPT = '<script src="resources/@seedflows/node-red-thenextleg/nextleg-editor.js"></script>';

describe('shared editor script', () => {
  it('is shipped in resources/ and installs window.nextlegPreview', () => {
    const file = join(ROOT, 'resources', 'nextleg-editor.js');
    assert.ok(existsSync(file));
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { files: string[] };
    assert.ok(
      pkg.files.some((f) => f.replace(/\/$/, '') === 'resources'),
      'resources/ is not in package.json files',
    );
    const script = readFileSync(file, 'utf8');
    assert.match(script, /window\.nextlegPreview = \{/);
    // The API nodes register through it, with the preview toggle on by default.
    assert.match(
      script,
      /function registerApiNode[\s\S]*preview: \{ value: true \}[\s\S]*button: window\.nextlegPreview\.button/,
    );
  });

  for (const name of NODES) {
    it(`nextleg-${name}.html loads it before registering`, () => {
      const html = readFileSync(join(ROOT, 'src', 'nodes', `nextleg-${name}.html`), 'utf8');
      const at = html.indexOf(SCRIPT);
      assert.ok(at >= 0, 'the shared script is not loaded');
      const shared = html.indexOf(`window.nextlegEditor.registerApiNode('nextleg-${name}'`);
      const own = html.indexOf(`RED.nodes.registerType('nextleg-${name}'`);
      const registration = shared >= 0 ? shared : own;
      assert.ok(registration >= 0, 'no registration');
      assert.ok(at < registration, 'loaded after the registration');
      if (shared < 0) {
        assert.match(html, /preview: \{ value: true \}/);
        assert.match(html, /button: window\.nextlegPreview\.button/);
      }
    });
  }
});
