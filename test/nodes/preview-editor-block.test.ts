// The editor's preview block is copied into every node file that shows previews (no bundler):
// the copies must stay identical, or whichever file loads first would decide the behaviour.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const NODES = ['imagine-result', 'button', 'vary-region', 'get-message', 'mask-builder'];
const BLOCK = /<!-- nextleg-preview:[\s\S]*?<\/script>/;

function blockOf(name: string): { block: string; file: string } {
  const file = readFileSync(join(__dirname, '..', '..', 'src', 'nodes', `nextleg-${name}.html`), 'utf8');
  const match = BLOCK.exec(file);
  assert.ok(match, `nextleg-${name}.html has no preview block`);
  return { block: match[0], file };
}

describe('preview block in the editor files', () => {
  it('is the same in every producing node, which registers the toggle and a preview default', () => {
    const first = blockOf(NODES[0]!).block;
    for (const name of NODES) {
      const { block, file } = blockOf(name);
      assert.equal(block, first, `nextleg-${name}.html differs`);
      assert.match(file, /preview: \{ value: true \}/, name);
      assert.match(file, /button: window\.nextlegPreview\.button/, name);
      // The block must run before the registration that uses it.
      assert.ok(file.indexOf(block) < file.indexOf('RED.nodes.registerType'), name);
    }
  });
});
