// The demo in a real editor: a rectangle drawn with the mouse in the mask builder's region editor
// is stored as fractions and shapes the deployed mask; previews appear under the nodes and the
// node's preview button hides them.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Jimp } from 'jimp';
import type { Page } from 'playwright-core';
import { openEditor, saveScreenshot, type Editor } from '../support/browser';
import { startDemo, type Demo } from '../support/demo';

// Fractions of the picture the test drags between (not the demo's own centred square).
const FROM = { x: 0.1, y: 0.2 };
const TO = { x: 0.7, y: 0.5 };

let demo: Demo;
let editor: Editor;

before(async () => {
  demo = await startDemo({ sandboxStepMs: 20 });
  editor = await openEditor(demo.editorUrl);
});
after(async () => {
  await editor?.close();
  await demo?.stop();
});

type Region = { x: number; y: number; width: number; height: number; unit: string };

/** Opens the dialog and waits until the tray has slid in and the canvas stands still in view. */
async function openMaskDialog(page: Page): Promise<void> {
  await page.locator('#ex1-mask .red-ui-flow-node').dblclick();
  const canvas = page.locator('#node-input-region-canvas');
  await canvas.waitFor({ state: 'visible' });
  let last = '';
  for (;;) {
    await canvas.scrollIntoViewIfNeeded();
    const now = JSON.stringify(await canvas.boundingBox());
    if (now === last) return;
    last = now;
    await page.waitForTimeout(100);
  }
}

async function drag(page: Page, from: { x: number; y: number }, to: { x: number; y: number }): Promise<void> {
  const box = (await page.locator('#node-input-region-canvas').boundingBox())!;
  const at = (p: { x: number; y: number }) => ({ x: box.x + p.x * box.width, y: box.y + p.y * box.height });
  await page.mouse.move(at(from).x, at(from).y);
  await page.mouse.down();
  await page.mouse.move(at(to).x, at(to).y, { steps: 8 });
  await page.mouse.up();
}

const nodeRegions = (page: Page): Promise<Region[]> =>
  page.evaluate(() => (window as any).RED.nodes.node('ex1-mask').regions); // eslint-disable-line @typescript-eslint/no-explicit-any

const previewHref = (page: Page, nodeId: string): Promise<string | null> =>
  page.evaluate((id) => {
    const image = document.querySelector(`[id="${id}"] image.nextleg-preview`);
    return image ? image.getAttribute('href') : null;
  }, nodeId);

describe('preview and region editor in the demo', { timeout: 120_000 }, () => {
  it('stores a drawn rectangle as fractions and deploys a mask of it', async () => {
    const { page } = editor;
    await openMaskDialog(page);

    // The demo's centred square: select it on the canvas and delete it with the keyboard.
    const box = (await page.locator('#node-input-region-canvas').boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await page.keyboard.press('Delete');
    assert.equal(await page.locator('#node-input-region-container .nextleg-region-x').count(), 0);

    await drag(page, FROM, TO);
    const row = page.locator('#node-input-region-container .red-ui-editableList-item-content');
    assert.equal(await row.count(), 1);
    assert.equal(await row.locator('.nextleg-region-unit').inputValue(), 'fraction');
    assert.ok(Math.abs(Number(await row.locator('.nextleg-region-width').inputValue()) - 0.6) < 0.01);
    const coverage = await page.locator('#node-input-region-coverage').textContent();
    assert.ok(Math.abs(parseFloat(coverage!) - 18) < 1.5, `coverage shown: ${coverage}`);
    await saveScreenshot(page, 'region-editor-drawn');

    // The list is the precise alternative: typing there moves the rectangle drawn on the canvas.
    await row.locator('.nextleg-region-y').fill('0.25');
    await page.locator('#node-dialog-ok').click();
    await page.locator('#node-input-region-canvas').waitFor({ state: 'detached' });

    const regions = await nodeRegions(page);
    assert.equal(regions.length, 1);
    const [r] = regions as [Region];
    assert.equal(r.unit, 'fraction');
    for (const [got, want] of [
      [r.x, FROM.x],
      [r.y, 0.25],
      [r.width, TO.x - FROM.x],
      [r.height, TO.y - FROM.y],
    ] as const) {
      assert.ok(Math.abs(got - want) < 0.01, `${JSON.stringify(r)}`);
      assert.equal(got, Math.round(got * 10_000) / 10_000, 'rounded to 4 decimals');
    }

    await page.locator('#red-ui-header-button-deploy').click();
    // The editor asks before deploying a flow it finds incomplete; this test is not about that.
    const confirm = page.getByRole('button', { name: 'Confirm deploy' });
    void confirm
      .waitFor({ state: 'visible' })
      .then(() => confirm.click())
      .catch(() => undefined);
    await page.waitForFunction(() => !(window as any).RED.nodes.dirty()); // eslint-disable-line @typescript-eslint/no-explicit-any
    await page.waitForFunction(() => !(window as any).RED.nodes.dirty()); // eslint-disable-line @typescript-eslint/no-explicit-any

    // The demo's inject button runs imagine → U1 → mask → Vary (Region).
    await page.locator('#ex1-inject .red-ui-flow-node-button').click();
    await page.waitForFunction(
      () => !!document.querySelector('[id="ex1-vary"] image.nextleg-preview'),
      undefined,
      { timeout: 60_000 },
    );
    assert.match((await previewHref(page, 'ex1-vary'))!, /^data:image\/(png|jpeg);base64,/);
    await saveScreenshot(page, 'previews-under-nodes');

    // The mask's own preview is the mask that was sent: white exactly where the rectangle is.
    const maskHref = await previewHref(page, 'ex1-mask');
    assert.ok(maskHref, 'the mask builder shows its mask');
    const mask = await Jimp.read(Buffer.from(maskHref.split(',')[1]!, 'base64'));
    const { data, width, height } = mask.bitmap;
    let white = 0;
    let minX = width;
    let maxX = -1;
    let minY = height;
    let maxY = -1;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        if (data[(y * width + x) * 4]! < 128) continue;
        white++;
        minX = Math.min(minX, x);
        maxX = Math.max(maxX, x);
        minY = Math.min(minY, y);
        maxY = Math.max(maxY, y);
      }
    }
    assert.ok(
      Math.abs(white / (width * height) - r.width * r.height) < 0.02,
      `white share ${white / (width * height)}`,
    );
    const edges = [minX / width, minY / height, (maxX + 1) / width, (maxY + 1) / height];
    const expected = [r.x, r.y, r.x + r.width, r.y + r.height];
    edges.forEach((edge, i) =>
      assert.ok(Math.abs(edge - expected[i]!) < 0.015, `edges ${edges} vs ${expected}`),
    );
  });

  it('offers the last picture in the dialog and hides a preview with the node button', async () => {
    const { page } = editor;
    await openMaskDialog(page);
    // The imagine result reached the mask builder by URL: the dialog loads it to draw on.
    await page.waitForFunction(() =>
      /\/images\//.test((document.querySelector('#node-input-region-picture-url') as HTMLInputElement).value),
    );
    await page.waitForTimeout(300);
    await saveScreenshot(page, 'region-editor-last-picture');
    await page.locator('#node-dialog-cancel').click();
    await page.locator('#node-input-region-canvas').waitFor({ state: 'detached' });

    await page.locator('#ex1-vary .red-ui-flow-node-button').click();
    await page.waitForFunction(() => !document.querySelector('[id="ex1-vary"] image.nextleg-preview'));
    const preview = await page.evaluate(() => (window as any).RED.nodes.node('ex1-vary').preview); // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.equal(preview, false);
    assert.deepEqual(
      editor.consoleErrors.filter((e) => e.startsWith('pageerror')),
      [],
    );
  });
});
