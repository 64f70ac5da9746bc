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

export async function openEditor(editorUrl: string, timeoutMs = 30_000): Promise<Editor> {
  const profile = mkdtempSync(join(tmpdir(), 'nextleg-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    headless: true,
    args: ARGS,
    viewport: { width: 1400, height: 900 },
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
