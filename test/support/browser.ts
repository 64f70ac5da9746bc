// Opens the Node-RED editor in headless Chromium (the system's, never a downloaded one) for the
// browser tests, collecting console errors, and saves screenshots to test-artifacts/.
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { chromium, type Page } from 'playwright-core';

const root = join(__dirname, '..', '..');
const ARTIFACTS = join(root, 'test-artifacts');
/** Names the system's Chromium goes by on Debian, Ubuntu, Fedora and Arch. */
const CHROMIUM_NAMES = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'];
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
/** A palette entry of this package: once it is drawn, the node definitions have all loaded. */
const OUR_PALETTE_NODE = '.red-ui-palette-node[data-palette-type="nextleg-vary-region"]';

export interface Editor {
  page: Page;
  /** console.error messages and uncaught page errors, in order. */
  consoleErrors: string[];
  close(): Promise<void>;
}

/** The browser to drive: $CHROMIUM_PATH if set, else the first Chromium on the PATH. */
export function chromiumPath(): string {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) return configured;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    for (const name of CHROMIUM_NAMES) {
      const candidate = join(dir, name);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // Not here; keep looking.
      }
    }
  }
  throw new Error(
    `No Chromium found: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH (looked for ${CHROMIUM_NAMES.join(', ')} on the PATH)`,
  );
}

export async function openEditor(
  editorUrl: string,
  options: { timeoutMs?: number; viewport?: { width: number; height: number } } = {},
): Promise<Editor> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const profile = mkdtempSync(join(tmpdir(), 'nextleg-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    headless: true,
    args: ARGS,
    viewport: options.viewport ?? { width: 1400, height: 900 },
  });
  const close = async (): Promise<void> => {
    await context.close().catch(() => undefined);
    rmSync(profile, { recursive: true, force: true });
  };
  try {
    context.setDefaultTimeout(timeoutMs);
    // Belt and braces next to the flags: the editor must never reach past this machine.
    await context.route(
      (url) => url.hostname !== '127.0.0.1',
      (route) => route.abort(),
    );
    // The tests run through tsx, whose compiler names functions with a `__name` helper; functions
    // passed to page.evaluate() run in the page, which needs the helper too.
    await context.addInitScript('globalThis.__name = globalThis.__name || ((fn) => fn);');
    const page = context.pages()[0] ?? (await context.newPage());
    const consoleErrors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (err) => consoleErrors.push(`pageerror: ${err.message}`));
    await page.goto(editorUrl, { waitUntil: 'domcontentloaded' });
    await page.locator(OUR_PALETTE_NODE).first().waitFor({ state: 'visible' });
    // The loading bar stays up until the flows are drawn.
    await page.locator('#red-ui-loading-progress').waitFor({ state: 'hidden' });
    return { page, consoleErrors, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Saves a full-window screenshot as test-artifacts/<name>.png and returns its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  await page.screenshot({ path });
  return path;
}

/**
 * What lies under a preview picture in the active workspace, as sentences (empty when nothing):
 * nodes whose body overlaps a preview, wires passing under one, and nodes overlapping each other.
 * A preview is the picture shown under a node (`image.nextleg-preview`); with `reserve`, every node
 * that can show one also counts as covered at the largest size a preview takes (`reserve` pixels
 * square, where the editor draws it), so a layout can be checked before anything has run.
 */
export function layoutProblems(page: Page, reserve?: number): Promise<string[]> {
  return page.evaluate((reserve) => {
    type Box = { left: number; top: number; right: number; bottom: number };
    type FlowNode = {
      id: string;
      type: string;
      name?: string;
      h: number;
      preview?: unknown;
      _def: { button?: { toggle?: string } };
    };
    const RED = (
      window as unknown as {
        RED: { nodes: { filterNodes(f: object): FlowNode[] }; workspaces: { active(): string } };
      }
    ).RED;
    const problems: string[] = [];
    const boxOf = (r: DOMRect): Box => ({ left: r.left, top: r.top, right: r.right, bottom: r.bottom });
    const overlap = (a: Box, b: Box): boolean =>
      a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
    const inside = (x: number, y: number, b: Box): boolean =>
      x > b.left && x < b.right && y > b.top && y < b.bottom;
    const nodes = RED.nodes.filterNodes({ z: RED.workspaces.active() });
    const label = (n: FlowNode): string => `${n.type} ${n.name || n.id}`;
    const bodies = new Map<string, Box>();
    for (const n of nodes) {
      const rect = document.querySelector(`[id="${n.id}"] rect.red-ui-flow-node`);
      if (rect) bodies.set(n.id, boxOf(rect.getBoundingClientRect()));
    }
    const previews: Array<{ owner: FlowNode; box: Box }> = [];
    for (const n of nodes) {
      const group = document.getElementById(n.id) as unknown as SVGGraphicsElement | null;
      if (!group) continue;
      const image = group.querySelector('image.nextleg-preview');
      if (image) previews.push({ owner: n, box: boxOf(image.getBoundingClientRect()) });
      else if (reserve && n._def.button?.toggle === 'preview' && n.preview !== false) {
        const ctm = group.getScreenCTM();
        if (!ctm) continue;
        const a = new DOMPoint(0, n.h + 22).matrixTransform(ctm);
        const b = new DOMPoint(reserve, n.h + 22 + reserve).matrixTransform(ctm);
        previews.push({ owner: n, box: { left: a.x, top: a.y, right: b.x, bottom: b.y } });
      }
    }
    for (const { owner, box } of previews) {
      for (const n of nodes) {
        const body = bodies.get(n.id);
        if (body && overlap(body, box))
          problems.push(`${label(n)} lies under the preview of ${label(owner)}`);
      }
    }
    for (const path of Array.from(document.querySelectorAll<SVGPathElement>('path.red-ui-flow-link-path'))) {
      const ctm = path.getScreenCTM();
      const length = path.getTotalLength();
      if (!ctm || !length) continue;
      for (let at = 0; at <= length; at += 4) {
        const p = path.getPointAtLength(at).matrixTransform(ctm);
        const under = previews.find(({ box }) => inside(p.x, p.y, box));
        if (under) {
          problems.push(`a wire runs under the preview of ${label(under.owner)}`);
          break;
        }
      }
    }
    const ids = [...bodies.keys()];
    for (let i = 0; i < ids.length; i++) {
      for (let j = i + 1; j < ids.length; j++) {
        if (overlap(bodies.get(ids[i]!)!, bodies.get(ids[j]!)!)) {
          const [a, b] = [nodes.find((n) => n.id === ids[i])!, nodes.find((n) => n.id === ids[j])!];
          problems.push(`${label(a)} overlaps ${label(b)}`);
        }
      }
    }
    return problems;
  }, reserve);
}
