// The Node-RED editor in headless Chromium against the demo runtime, as `npm start` runs it: the
// palette, the demo run from its inject button (progress in the status, previews under the nodes
// and nothing hidden under them), the preview control, every example's layout, every edit dialog
// (the account's per-API fields, limits from the runtime), the help, and importing an example.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { MAX_TIMER_MS } from '../../src/core/jobs/timers';
import { MASK_LIMITS } from '../../src/core/mask';
import { layoutProblems, openEditor, saveScreenshot, type Editor } from '../support/browser';
import { startDemo, type Demo } from '../support/demo';

const root = join(__dirname, '..', '..');
const PALETTE_TYPES = [
  'nextleg-imagine-result',
  'nextleg-button',
  'nextleg-vary-region',
  'nextleg-get-message',
  'nextleg-mask-builder',
];
const ALL_TYPES = ['nextleg-config', ...PALETTE_TYPES];
const IMPORTED_EXAMPLE = 'Poll a job by id.json';
/** The largest preview the runtime makes (its thumbnails' long side). */
const PREVIEW_SIDE = 160;
/** The preview button's icons (FontAwesome's picture-o, eye-slash): preview on, preview off. */
const PICTURE_ICON = '\uf03e';
const HIDDEN_ICON = '\uf070';

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

/** What a property's validator says about a value for a node, as the dialog asks it (true, or why). */
function validate(page: Page, id: string, key: string, value: string): Promise<unknown> {
  return page.evaluate(
    ({ id, key, value }) => {
      type Node = {
        _def: { defaults: Record<string, { validate?: (this: Node, v: unknown, o?: object) => unknown }> };
      };
      const RED = (window as unknown as { RED: { nodes: { node(id: string): Node | null } } }).RED;
      const node = RED.nodes.node(id);
      return node?._def.defaults[key]?.validate?.call(node, value, {});
    },
    { id, key, value },
  );
}

describe('the editor with the demo flow', { timeout: 240_000 }, () => {
  let demo: Demo | undefined;
  let editor: Editor | undefined;
  let page: Page;

  before(async () => {
    // The demo's own pace (npm start's): slow enough for the status to show the progress.
    demo = await startDemo();
    // Wide enough to show the whole demo row beside the palette and the sidebar.
    editor = await openEditor(demo.editorUrl, { viewport: { width: 1800, height: 1000 } });
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
      // Its own icon from the package, not Node-RED's default one.
      const icon = await entry
        .locator('.red-ui-palette-icon')
        .evaluate((el) => getComputedStyle(el).backgroundImage);
      const url = /url\("?([^")]+)"?\)/.exec(icon)?.[1] ?? '';
      assert.match(url, /\/icons\/@seedflows\/node-red-thenextleg\/nextleg-[\w-]+\.svg$/, `${type}: ${icon}`);
      const res = await fetch(url);
      assert.equal(res.status, 200, url);
      assert.match(await res.text(), /<svg/);
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
    await page.evaluate(() =>
      (window as unknown as { RED: { sidebar: { show(id: string): void } } }).RED.sidebar.show('debug'),
    );
  });

  it('runs the demo from its inject button: the progress moves, previews appear, nothing lies under them', async () => {
    // Every status text the API nodes show during the run.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { statusSeen: string[] }).statusSeen = seen;
      const watch = (id: string): void => {
        const label = document.querySelector(`[id="${id}"] .red-ui-flow-node-status-label`);
        if (!label) return;
        new MutationObserver(() => seen.push(`${id}: ${label.textContent ?? ''}`)).observe(label, {
          childList: true,
          characterData: true,
          subtree: true,
        });
      };
      ['ex1-imagine', 'ex1-vary'].forEach(watch);
    });
    const before = demo?.sandbox.requests().length ?? 0;
    const started = Date.now();
    await page.locator('[id="ex1-inject"] .red-ui-flow-node-button').click();
    await page.waitForFunction(
      () => document.querySelector('[id="ex1-vary"] .red-ui-flow-node-status-label')?.textContent === 'done',
      undefined,
      { timeout: 90_000 },
    );
    const chainMs = Date.now() - started;
    for (const id of ['ex1-imagine', 'ex1-mask', 'ex1-vary']) {
      await page.locator(`[id="${id}"] image.nextleg-preview`).waitFor({ state: 'attached' });
    }
    const seen = await page.evaluate(() => (window as unknown as { statusSeen: string[] }).statusSeen);
    for (const id of ['ex1-imagine', 'ex1-vary']) {
      const percentages = seen.filter((s) => new RegExp(`^${id}: \\d+%$`).test(s));
      assert.ok(percentages.length >= 2, `${id} showed no progress: ${seen.join(' | ')}`);
    }
    // imagine, U1 and Vary (Region) each reached the sandbox as a submit.
    const submits = (demo?.sandbox.requests() ?? [])
      .slice(before)
      .filter((r) => r.method === 'POST' && /^\/v2\/(imagine|button)$/.test(r.path));
    assert.equal(submits.length, 3, JSON.stringify(submits));
    assert.deepEqual(await layoutProblems(page), []);
    await saveScreenshot(page, 'demo-after-run');
    console.log(`the demo chain took ${chainMs} ms; statuses seen: ${[...new Set(seen)].join(' | ')}`);
  });

  it('shows a preview control with a picture icon and a tooltip that says what a click does', async () => {
    const button = page.locator('[id="ex1-vary"] .red-ui-flow-node-button');
    const tooltip = (): Promise<string | null> =>
      button.locator('title').evaluate((title) => title.textContent);
    assert.equal(await button.locator('text.nextleg-preview-toggle').textContent(), PICTURE_ICON);
    assert.match((await tooltip()) ?? '', /^Preview on/);
    await button.locator('.red-ui-flow-node-button-button').click();
    await page.waitForFunction(() => !document.querySelector('[id="ex1-vary"] image.nextleg-preview'));
    assert.equal(await editorProperty(page, 'ex1-vary', 'preview'), false);
    assert.match((await tooltip()) ?? '', /^Preview off/);
    assert.equal(await button.locator('text.nextleg-preview-toggle').textContent(), HIDDEN_ICON);
    await saveScreenshot(page, 'preview-off');
    // On again: the last picture comes back at once.
    await button.locator('.red-ui-flow-node-button-button').click();
    await page.locator('[id="ex1-vary"] image.nextleg-preview').waitFor({ state: 'attached' });
    assert.equal(await editorProperty(page, 'ex1-vary', 'preview'), true);
  });

  it('lays every example out with room for its previews', async () => {
    const files = readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.json'));
    for (const file of files) {
      const flow = readFileSync(join(root, 'examples', file), 'utf8');
      const tab = await page.evaluate((flow) => {
        type R = {
          workspaces: { add(): { id: string } };
          nodes: { import(nodes: unknown, options: object): unknown };
          view: { redraw(full: boolean): void };
        };
        const RED = (window as unknown as { RED: R }).RED;
        const ws = RED.workspaces.add();
        RED.nodes.import(JSON.parse(flow), { generateIds: true });
        RED.view.redraw(true);
        return ws.id;
      }, flow);
      // Every node that may show a preview gets the largest one, before anything has run.
      assert.deepEqual(await layoutProblems(page, PREVIEW_SIDE), [], file);
      await saveScreenshot(page, `example-${file.replace(/\.json$/, '')}`);
      await page.evaluate((tab) => {
        type R = {
          workspaces: { delete(ws: unknown): void; show(id: string): void };
          nodes: {
            workspace(id: string): unknown;
            eachConfig(cb: (n: { id: string; users: unknown[] }) => void): void;
            remove(id: string): void;
          };
        };
        const RED = (window as unknown as { RED: R }).RED;
        RED.workspaces.delete(RED.nodes.workspace(tab));
        const unused: string[] = [];
        RED.nodes.eachConfig((n) => {
          if (n.id !== 'ex1-account' && n.users.length === 0) unused.push(n.id);
        });
        unused.forEach((id) => RED.nodes.remove(id));
        RED.workspaces.show('demo-tab');
      }, tab);
    }
    // Only the demo is left to deploy later.
    const left = await page.evaluate(() => {
      type R = {
        workspaces: { count(): number };
        nodes: { eachConfig(cb: (n: { id: string }) => void): void };
      };
      const RED = (window as unknown as { RED: R }).RED;
      const configs: string[] = [];
      RED.nodes.eachConfig((n) => configs.push(n.id));
      return { tabs: RED.workspaces.count(), configs };
    });
    assert.deepEqual(left, { tabs: 1, configs: ['ex1-account'] });
  });

  it('opens, fills and saves the dialogs of the nodes in the demo flow', async () => {
    await editNode('ex1-imagine', 'nextleg-imagine-result', 'dialog-imagine-result');
    await editNode('ex1-mask', 'nextleg-mask-builder', 'dialog-mask-builder');
    await editNode('ex1-vary', 'nextleg-vary-region', 'dialog-vary-region');
  });

  it('opens, fills and saves the dialogs of nodes dragged from the palette', async () => {
    const spots = { 'nextleg-button': { x: 300, y: 560 }, 'nextleg-get-message': { x: 600, y: 560 } };
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

  it("shows the account's fields for the chosen API, with the server's own address", async () => {
    await page.evaluate(() =>
      (window as unknown as { RED: { sidebar: { show(id: string): void } } }).RED.sidebar.show('config'),
    );
    await page.locator('.red-ui-palette-node_id_ex1-account .red-ui-palette-node').dblclick();
    const tray = page.locator('.red-ui-tray').last();
    await tray.locator('#node-config-input-name').waitFor({ state: 'visible' });
    const fields = await templateFields(page, 'nextleg-config', 'node-config-input-');
    for (const key of ['api', 'baseUrl', 'authScheme', 'requestTimeout'])
      assert.ok(fields.includes(key), key);
    for (const key of fields) assert.equal(await tray.locator(`#node-config-input-${key}`).count(), 1, key);

    // npm start wrote the address of the sandbox it started, not an unexplained placeholder.
    assert.equal(await tray.locator('#node-config-input-baseUrl').inputValue(), demo?.sandbox.url);
    assert.equal(await tray.locator('#node-config-input-api').inputValue(), 'tnl');
    // TheNextLeg: no auth header choice (it is always Bearer), its own explanation.
    assert.equal(await tray.locator('#node-config-input-authScheme').isVisible(), false);
    assert.ok(await tray.locator('.nextleg-config-tnl').isVisible());
    assert.equal(await tray.locator('.nextleg-config-mjp').first().isVisible(), false);
    await saveScreenshot(page, 'dialog-config-tnl');

    await tray.locator('#node-config-input-api').selectOption('midjourney-proxy');
    assert.ok(await tray.locator('#node-config-input-authScheme').isVisible());
    assert.equal(await tray.locator('#node-config-input-authScheme').inputValue(), 'mj-api-secret');
    assert.match(await tray.locator('.nextleg-config-mjp').first().innerText(), /everything before \/mj/);
    assert.match(await tray.locator('.nextleg-config-mjp').last().innerText(), /new-api/);
    assert.equal(await tray.locator('.nextleg-config-tnl').isVisible(), false);
    assert.match(
      (await tray.locator('#node-config-input-baseUrl').getAttribute('placeholder')) ?? '',
      /8080/,
    );
    // A request timeout longer than a timer can wait is refused with a reason.
    await tray.locator('#node-config-input-requestTimeout').fill('3000000');
    await tray.locator('#node-config-input-requestTimeout').press('Tab');
    await page.waitForFunction(() =>
      document.querySelector('#node-config-input-requestTimeout')?.classList.contains('input-error'),
    );
    await saveScreenshot(page, 'dialog-config-midjourney-proxy');

    await tray.locator('#node-config-input-api').selectOption('tnl');
    await tray.locator('#node-config-input-requestTimeout').fill('30');
    await tray.locator('#node-config-input-name').fill('demo account');
    await page.locator('#node-config-dialog-ok').click();
    await tray.waitFor({ state: 'detached' });
    assert.equal(await editorProperty(page, 'ex1-account', 'name'), 'demo account');
    assert.equal(await editorProperty(page, 'ex1-account', 'api'), 'tnl');
  });

  it("refuses durations and mask sizes beyond the runtime's own limits, saying why", async () => {
    // The limits reach the editor as node settings, from the runtime's constants.
    const settings = await page.evaluate(() => {
      const s = (window as unknown as { RED: { settings: Record<string, unknown> } }).RED.settings;
      return {
        maxSide: s.nextlegMaskBuilderMaxSide,
        imagine: s.nextlegImagineResultMaxTimerMs,
        config: s.nextlegConfigMaxTimerMs,
      };
    });
    assert.deepEqual(settings, { maxSide: MASK_LIMITS.maxSide, imagine: MAX_TIMER_MS, config: MAX_TIMER_MS });

    const maxMinutes = Math.floor(MAX_TIMER_MS / 60_000);
    assert.equal(await validate(page, 'ex1-imagine', 'timeout', String(maxMinutes)), true);
    const tooLong = await validate(page, 'ex1-imagine', 'timeout', String(maxMinutes + 1));
    assert.match(String(tooLong), new RegExp(`${maxMinutes} or less`));
    assert.match(String(await validate(page, 'ex1-account', 'pollInterval', '1e9')), /or less/);
    assert.equal(await validate(page, 'ex1-mask', 'width', String(MASK_LIMITS.maxSide)), true);
    assert.match(
      String(await validate(page, 'ex1-mask', 'width', String(MASK_LIMITS.maxSide + 1))),
      new RegExp(`from 1 to ${MASK_LIMITS.maxSide}`),
    );

    // In the dialog: the field is marked and the coverage line says why there is none.
    await page.locator('[id="ex1-mask"] .red-ui-flow-node').first().dblclick();
    const tray = page.locator('.red-ui-tray').last();
    await tray.locator('#node-input-width').waitFor({ state: 'visible' });
    await tray.locator('#node-input-width').fill(String(MASK_LIMITS.maxSide + 1));
    await tray.locator('#node-input-width').press('Tab');
    await page.waitForFunction(() =>
      document.querySelector('#node-input-width')?.classList.contains('input-error'),
    );
    assert.match(
      await tray.locator('#node-input-region-coverage-note').innerText(),
      new RegExp(`from 1 to ${MASK_LIMITS.maxSide}`),
    );
    await saveScreenshot(page, 'dialog-mask-builder-too-large');
    await page.locator('#node-dialog-cancel').click();
    await tray.waitFor({ state: 'detached' });
  });

  it('shows help whose outputs come in order, with shared sections once, that fits the sidebar', async () => {
    const tooWide: string[] = [];
    for (const type of ALL_TYPES) {
      const report = await page.evaluate((type) => {
        const RED = (
          window as unknown as { RED: { sidebar: { help: { show(t: string, b: boolean): void } } } }
        ).RED;
        RED.sidebar.help.show(type, true);
        const panel = Array.from(document.querySelectorAll<HTMLElement>('.red-ui-help')).find(
          (el) => el.offsetParent !== null && el.querySelector('h3'),
        );
        if (!panel) return { missing: true };
        const edge = panel.getBoundingClientRect().right;
        // An element reaching past the panel, or one whose own content is wider than it (a <pre>).
        const overflowing = Array.from(panel.querySelectorAll<HTMLElement>('*'))
          .filter(
            (el) =>
              el.getBoundingClientRect().right > edge + 1 ||
              (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1),
          )
          .map((el) => `${el.tagName.toLowerCase()}: ${(el.textContent ?? '').slice(0, 50)}`);
        const headings = Array.from(panel.querySelectorAll('h3')).map((h) => h.textContent ?? '');
        const text = panel.textContent ?? '';
        return { missing: false, overflowing, headings, text };
      }, type);
      assert.equal(report.missing, false, `${type}: no help shown`);
      tooWide.push(...(report.overflowing ?? []).map((line) => `${type}: ${line}`));
      const at = (heading: string): number => report.headings?.indexOf(heading) ?? -1;
      if (type !== 'nextleg-config') {
        assert.ok(at('Inputs') >= 0 && at('Inputs') < at('Outputs') && at('Outputs') < at('Details'), type);
      }
      if (PALETTE_TYPES.includes(type) && type !== 'nextleg-mask-builder') {
        // The result's properties are described where they are listed, not "as above".
        assert.doesNotMatch(report.text ?? '', /as above/, type);
        for (const shared of ['pass through', 'holds the base URL', 'thumbnail of it appears']) {
          assert.equal((report.text ?? '').split(shared).length - 1, 1, `${type}: "${shared}"`);
        }
      }
      if (type === 'nextleg-mask-builder' || type === 'nextleg-config') {
        await saveScreenshot(page, `help-${type.replace('nextleg-', '')}`);
      }
    }
    assert.deepEqual(tooWide, [], 'help wider than the sidebar');
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

describe('npm start --api midjourney-proxy', { timeout: 90_000 }, () => {
  it('deploys the demo with the account speaking midjourney-proxy, and the chain runs on /mj', async () => {
    const demo = await startDemo({ api: 'midjourney-proxy', sandboxStepMs: 20 });
    try {
      const res = await fetch(`${demo.editorUrl}flows`, { headers: { Accept: 'application/json' } });
      const flows = (await res.json()) as Array<FlowNode & Record<string, unknown>>;
      const account = flows.find((n) => n.id === 'ex1-account');
      assert.equal(account?.api, 'midjourney-proxy');
      assert.equal(account?.authScheme, 'mj-api-secret');
      assert.equal(account?.baseUrl, demo.sandbox.url);
      // The inject button, as the editor presses it: imagine, U1, the mask, Vary (Region)'s dialog.
      const pressed = await fetch(`${demo.editorUrl}inject/ex1-inject`, { method: 'POST' });
      assert.equal(pressed.status, 200);
      const deadline = Date.now() + 60_000;
      const dialogSent = (): boolean =>
        demo.sandbox.requests().some((r) => r.path === '/mj/submit/modal' && r.status === 200);
      while (!dialogSent() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      assert.ok(dialogSent(), 'the Vary (Region) dialog was never sent');
      assert.ok(
        demo.sandbox.requests().every((r) => !r.path.startsWith('/v2/')),
        'a request went to /v2',
      );
    } finally {
      await demo.stop();
    }
  });
});
