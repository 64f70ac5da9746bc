// The Node-RED editor in headless Chromium against the demo runtime: palette, every edit dialog,
// importing and deploying an example, and the demo flow run from its inject button.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { openEditor, saveScreenshot, type Editor } from '../support/browser';
import { startDemo, type Demo } from '../support/demo';

const root = join(__dirname, '..', '..');
const PALETTE_TYPES = [
  'nextleg-imagine-result',
  'nextleg-button',
  'nextleg-vary-region',
  'nextleg-get-message',
  'nextleg-mask-builder',
];
const IMPORTED_EXAMPLE = 'Poll a job by id.json';

type FlowNode = { id: string; type: string; name?: string };

/** Inputs of the node's edit template named after one of its properties, e.g. node-input-prompt. */
async function templateFields(page: Page, type: string, prefix: string): Promise<string[]> {
  return page.evaluate(
    ({ type, prefix }) => {
      const RED = (window as unknown as { RED: { nodes: { getType(t: string): { defaults: object } } } }).RED;
      const template = document.querySelector(`script[data-template-name="${type}"]`)?.innerHTML ?? '';
      return Object.keys(RED.nodes.getType(type).defaults).filter((key) =>
        template.includes(`id="${prefix}${key}"`),
      );
    },
    { type, prefix },
  );
}

/** A property of a node as the editor holds it. */
function editorProperty(page: Page, id: string, key: string): Promise<unknown> {
  return page.evaluate(
    ({ id, key }) => {
      const RED = (
        window as unknown as { RED: { nodes: { node(id: string): Record<string, unknown> | null } } }
      ).RED;
      return RED.nodes.node(id)?.[key];
    },
    { id, key },
  );
}

describe('the editor with the demo flow', { timeout: 180_000 }, () => {
  let demo: Demo | undefined;
  let editor: Editor | undefined;
  let page: Page;

  before(async () => {
    demo = await startDemo({ sandboxStepMs: 20 });
    editor = await openEditor(demo.editorUrl);
    page = editor.page;
    page.setDefaultTimeout(15_000);
  });

  after(async () => {
    await editor?.close();
    await demo?.stop();
  });

  async function editNode(id: string, type: string, shot: string): Promise<void> {
    await page.locator(`[id="${id}"] .red-ui-flow-node`).first().dblclick();
    const tray = page.locator('.red-ui-tray').last();
    await tray.locator('#node-input-name').waitFor({ state: 'visible' });
    const fields = await templateFields(page, type, 'node-input-');
    assert.ok(fields.length >= 3, `${type}: fields ${fields.join()}`);
    for (const key of fields) {
      assert.equal(await tray.locator(`#node-input-${key}`).count(), 1, `${type}: no field for ${key}`);
    }
    const name = `renamed ${type}`;
    await tray.locator('#node-input-name').fill(name);
    await saveScreenshot(page, shot);
    await page.locator('#node-dialog-ok').click();
    await tray.waitFor({ state: 'detached' });
    assert.equal(await editorProperty(page, id, 'name'), name);
  }

  it('loads with no console errors and shows the five nodes under "thenextleg"', async () => {
    assert.deepEqual(editor?.consoleErrors, []);
    for (const type of PALETTE_TYPES) {
      const entry = page.locator(
        `#red-ui-palette-thenextleg .red-ui-palette-node[data-palette-type="${type}"]`,
      );
      assert.equal(await entry.count(), 1, `${type} is not in the thenextleg category`);
      assert.ok(await entry.isVisible(), type);
    }
    // The account node is a config node: not in the palette, but in the config-nodes sidebar.
    assert.equal(await page.locator('.red-ui-palette-node[data-palette-type="nextleg-config"]').count(), 0);
    await page.evaluate(() =>
      (window as unknown as { RED: { sidebar: { show(id: string): void } } }).RED.sidebar.show('config'),
    );
    const account = page.locator('.red-ui-palette-node_id_ex1-account .red-ui-palette-node');
    await account.waitFor({ state: 'visible' });
    assert.match(await account.innerText(), /TNL sandbox/);
    await saveScreenshot(page, 'editor-config-sidebar');
  });

  it('opens, fills and saves the dialogs of the nodes in the demo flow', async () => {
    await editNode('ex1-imagine', 'nextleg-imagine-result', 'dialog-imagine-result');
    await editNode('ex1-mask', 'nextleg-mask-builder', 'dialog-mask-builder');
    await editNode('ex1-vary', 'nextleg-vary-region', 'dialog-vary-region');
  });

  it('opens, fills and saves the dialogs of nodes dragged from the palette', async () => {
    const spots = { 'nextleg-button': { x: 300, y: 420 }, 'nextleg-get-message': { x: 300, y: 500 } };
    for (const [type, spot] of Object.entries(spots)) {
      await page.dragAndDrop(`.red-ui-palette-node[data-palette-type="${type}"]`, '#red-ui-workspace-chart', {
        targetPosition: spot,
      });
      const id = await page.evaluate((type) => {
        const RED = (window as unknown as { RED: { view: { selection(): { nodes?: FlowNode[] } } } }).RED;
        return RED.view.selection().nodes?.find((n) => n.type === type)?.id;
      }, type);
      assert.ok(id, `dropping ${type} made no node`);
      await editNode(id, type, `dialog-${type.replace('nextleg-', '')}`);
    }
  });

  it("opens and saves the account node's dialog from the config sidebar", async () => {
    await page.locator('.red-ui-palette-node_id_ex1-account .red-ui-palette-node').dblclick();
    const tray = page.locator('.red-ui-tray').last();
    await tray.locator('#node-config-input-name').waitFor({ state: 'visible' });
    const fields = await templateFields(page, 'nextleg-config', 'node-config-input-');
    assert.ok(fields.length >= 3, `fields ${fields.join()}`);
    for (const key of fields) assert.equal(await tray.locator(`#node-config-input-${key}`).count(), 1, key);
    assert.equal(await tray.locator('#node-config-input-baseUrl').inputValue(), '${TNL_BASE_URL}');
    await tray.locator('#node-config-input-name').fill('demo account');
    await saveScreenshot(page, 'dialog-config');
    await page.locator('#node-config-dialog-ok').click();
    await tray.waitFor({ state: 'detached' });
    assert.equal(await editorProperty(page, 'ex1-account', 'name'), 'demo account');
  });

  it('runs imagine → U1 → mask → vary-region from the inject button', async () => {
    const vary = page.locator('[id="ex1-vary"] .red-ui-flow-node-status-label');
    const before = demo?.sandbox.requests().length ?? 0;
    await page.locator('[id="ex1-inject"] .red-ui-flow-node-button').click();
    await page.waitForFunction(
      () => document.querySelector('[id="ex1-vary"] .red-ui-flow-node-status-label')?.textContent === 'done',
      undefined,
      { timeout: 60_000 },
    );
    assert.equal(await vary.textContent(), 'done');
    assert.equal(
      await page.locator('[id="ex1-imagine"] .red-ui-flow-node-status-label').textContent(),
      'done',
    );
    // imagine, U1 and Vary (Region) each reached the sandbox as a submit.
    const submits = (demo?.sandbox.requests() ?? [])
      .slice(before)
      .filter((r) => r.method === 'POST' && /^\/v2\/(imagine|button)$/.test(r.path));
    assert.equal(submits.length, 3, JSON.stringify(submits));
    await saveScreenshot(page, 'flow-finished');
  });

  it('imports an example through the import dialog and deploys it', async () => {
    const example = readFileSync(join(root, 'examples', IMPORTED_EXAMPLE), 'utf8');
    const ids = (JSON.parse(example) as FlowNode[]).map((n) => n.id);
    await page.locator('#red-ui-header-button-sidemenu').click();
    await page.locator('#menu-item-import').click();
    const text = page.locator('#red-ui-clipboard-dialog-import-text');
    await text.fill(example);
    // The dialog validates on keyup, as after typing or pasting.
    await text.press('End');
    await page.locator('#red-ui-clipboard-dialog-import-opt-new').click();
    await saveScreenshot(page, 'dialog-import');
    await page.locator('#red-ui-clipboard-dialog-ok').click();
    // Imported nodes follow the mouse until a click drops them.
    await page.mouse.move(500, 400);
    await page.mouse.click(500, 400);
    for (const id of ids) assert.ok(await editorProperty(page, id, 'type'), `${id} not imported`);

    await page.locator('#red-ui-header-button-deploy').click();
    // Nodes waiting for a token make the editor ask before deploying.
    const confirm = page.locator('#red-ui-deploy-dialog-confirm-deploy-deploy');
    const deployed = page.locator('.red-ui-notification', { hasText: 'Successfully deployed' });
    await Promise.race([
      confirm.waitFor({ state: 'visible' }),
      deployed.first().waitFor({ state: 'visible' }),
    ]);
    if (await confirm.isVisible()) await confirm.click();
    await deployed.first().waitFor({ state: 'visible' });

    const res = await fetch(`${demo?.editorUrl}flows`, { headers: { Accept: 'application/json' } });
    const flows = (await res.json()) as FlowNode[];
    const running = new Set(flows.map((n) => n.id));
    for (const id of ids) assert.ok(running.has(id), `${id} not deployed`);
    // The edits made in the dialogs went out with the deploy.
    assert.equal(flows.find((n) => n.id === 'ex1-vary')?.name, 'renamed nextleg-vary-region');
    await saveScreenshot(page, 'example-deployed');
    assert.deepEqual(editor?.consoleErrors, [], 'console errors while editing, running or deploying');
  });
});
