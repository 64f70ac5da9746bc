// Each API node alone and the imagine → U1 → mask → Vary (Region) chain, in the real Node-RED
// runtime against the sandbox over loopback HTTP, on either API: one flow, one msg contract.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { Jimp } from 'jimp';
import { VARY_REGION_BUTTON } from '../../src/core/api/buttons';
import { startSandbox, type Sandbox } from '../../src/core/sandbox/server';
import { single, varyRegionChain } from '../flows/api-flows';
import { DIALECTS, TNL } from '../support/dialects';
import { collect, eventually, helper, loadFlow, recorder, stopNodeRed } from '../support/node-red';

let sandbox: Sandbox;

before(async () => {
  sandbox = await startSandbox({ stepMs: 5, minuteMs: 200 });
});
after(() => sandbox.close());
beforeEach(() => helper.startServer());
afterEach(() => stopNodeRed());

for (const d of DIALECTS) {
  const flow = (type: string, props: Record<string, unknown> = {}) =>
    single(sandbox.url, type, props, d.config);

  describe(`${d.name}: nextleg-imagine-result`, () => {
    it('delivers the grid with its buttons and keeps the rest of the msg', async () => {
      await loadFlow(flow('nextleg-imagine-result', { prompt: 'node prompt' }), sandbox.token);
      const out = collect('out');
      helper.getNode('dut').receive({ payload: 'a lighthouse at dusk', topic: 'lh', extra: 42 });
      const [msg] = await out;
      assert.equal(d.promptOf(msg!.payload), 'a lighthouse at dusk');
      assert.ok(d.isGrid(msg!.payload));
      assert.equal(msg!.topic, 'lh');
      assert.equal(msg!.extra, 42);
      assert.deepEqual(msg!.buttons, ['U1', 'U2', 'U3', 'U4', '🔄', 'V1', 'V2', 'V3', 'V4']);
      assert.match(msg!.messageId, d.jobId);
      assert.match(msg!.buttonMessageId, d.jobId);
      assert.ok(msg!.imageSize.width > 0 && msg!.imageSize.height > 0);
    });

    it('prefers msg.prompt, then a text payload, then the node prompt', async () => {
      await loadFlow(flow('nextleg-imagine-result', { prompt: 'node prompt' }), sandbox.token);
      const out = collect('out', 3);
      const dut = helper.getNode('dut');
      dut.receive({ prompt: 'from msg.prompt', payload: 'from payload' });
      dut.receive({ payload: 'from payload' });
      dut.receive({ payload: 7 });
      const prompts = (await out).map((m) => d.promptOf(m.payload)).sort();
      assert.deepEqual(prompts, ['from msg.prompt', 'from payload', 'node prompt']);
    });

    it('upscales the chosen quadrant and drops the grid-only fields', async () => {
      await loadFlow(flow('nextleg-imagine-result', { upscale: 'U2' }), sandbox.token);
      sandbox.clearRequests();
      const out = collect('out');
      helper.getNode('dut').receive({ payload: 'a red fox', imageUrls: ['stale'] });
      const [msg] = await out;
      assert.ok(!d.isGrid(msg!.payload));
      assert.ok(msg!.buttons.includes(VARY_REGION_BUTTON));
      assert.equal(msg!.imageUrls, undefined);
      const presses = sandbox.requests().filter(d.isPress);
      assert.equal(presses.length, 1);
      assert.match(d.pressed(presses[0]!)!, d === TNL ? /^U2$/ : /^MJ::JOB::upsample::2::/);
    });

    it('with wait off sends the acknowledgement at once', async () => {
      await loadFlow(flow('nextleg-imagine-result', { wait: false }), sandbox.token);
      const out = collect('out');
      helper.getNode('dut').receive({ payload: 'a quick one --sandbox-never' });
      const [msg] = await out;
      assert.match(msg!.messageId, d.jobId);
      // The provider's acknowledgement as it came.
      assert.equal(d === TNL ? msg!.payload.messageId : msg!.payload.result, msg!.messageId);
    });

    it('reports progress on the second output when asked', async () => {
      await loadFlow(flow('nextleg-imagine-result', { progressOutput: true }), sandbox.token);
      const progress = recorder('progress');
      const out = collect('out');
      helper.getNode('dut').receive({ payload: 'slowly moving clouds' });
      const [msg] = await out;
      assert.ok(progress.length > 0, 'no progress msg');
      assert.ok(progress.every((p) => p.payload.messageId === msg!.messageId));
      assert.ok(progress.some((p) => p.payload.state === 'running' && p.payload.progress > 0));
      const seen = progress
        .filter((p) => p.payload.state === 'running')
        .map((p) => p.payload.progress as number);
      assert.deepEqual(
        seen,
        [...new Set(seen)].sort((a, b) => a - b),
        'progress repeated or went back',
      );
    });

    it('shows progress, a count with several jobs, then done', async () => {
      await loadFlow(flow('nextleg-imagine-result'), sandbox.token);
      const dut = helper.getNode('dut');
      const texts: string[] = [];
      dut.on('call:status', (call: { args: Array<{ text?: string }> }) =>
        texts.push(call.args[0]?.text ?? ''),
      );
      const out = collect('out', 3);
      for (let i = 0; i < 3; i++) dut.receive({ payload: `status ${i}` });
      await out;
      await eventually(() => texts.at(-1) === 'nextleg.status.done', 5000, 'the done status');
      assert.ok(texts.includes('nextleg.status.jobs'), `no job count among ${texts.join(', ')}`);
      assert.ok(
        texts.some((t) => /^\d+%$/.test(t)),
        `no progress among ${texts.join(', ')}`,
      );
    });

    it('reads the token from an environment variable written as ${NAME}', async () => {
      process.env.NEXTLEG_TEST_TOKEN = sandbox.token;
      try {
        await loadFlow(flow('nextleg-imagine-result'), '${NEXTLEG_TEST_TOKEN}');
        sandbox.clearRequests();
        const out = collect('out');
        helper.getNode('dut').receive({ payload: 'a token from the environment' });
        const [msg] = await out;
        assert.equal(d.promptOf(msg!.payload), 'a token from the environment');
        assert.ok(sandbox.requests().some((r) => d.isImagine(r) && d.authenticated(r) && r.status === 200));
      } finally {
        delete process.env.NEXTLEG_TEST_TOKEN;
      }
    });

    it('an unset environment variable is NO_TOKEN at the Catch node', async () => {
      await loadFlow(flow('nextleg-imagine-result'), '${NEXTLEG_UNSET_TOKEN}');
      const caught = collect('caught');
      helper.getNode('dut').receive({ payload: 'no token' });
      const [msg] = await caught;
      assert.equal(msg!.error.code, 'NO_TOKEN');
    });
  });

  describe(`${d.name}: nextleg-button`, () => {
    it('presses V1 on a grid and delivers the new grid', async () => {
      await loadFlow(flow('nextleg-button', { button: 'U1' }), sandbox.token);
      const grid = await d.finished(sandbox, 'a castle in the clouds');
      const out = collect('out');
      helper.getNode('dut').receive({ button: 'V1', ...grid });
      const [msg] = await out;
      assert.ok(d.isGrid(msg!.payload));
      assert.deepEqual(msg!.buttons.slice(0, 4), ['U1', 'U2', 'U3', 'U4']);
      assert.notEqual(msg!.buttonMessageId, grid.buttonMessageId);
    });

    it('finds a button by its plain label, and presses it by the id the result lists', async () => {
      await loadFlow(flow('nextleg-button'), sandbox.token);
      const grid = await d.finished(sandbox, 'a tower by the sea');
      const upscale = collect('out');
      helper.getNode('dut').receive({ button: 'U3', ...grid });
      const [up] = await upscale;
      sandbox.clearRequests();
      const out = collect('out');
      helper.getNode('dut').receive({ ...up, button: 'Zoom Out 2x' });
      const [zoomed] = await out;
      assert.ok(d.isGrid(zoomed!.payload));
      const press = sandbox.requests().filter(d.isPress)[0]!;
      assert.match(d.pressed(press)!, d === TNL ? /^🔍 Zoom Out 2x$/ : /^MJ::Outpaint::50::/);
    });
  });

  describe(`${d.name}: nextleg-get-message`, () => {
    it('polls a job submitted elsewhere until it is done', async () => {
      await loadFlow(flow('nextleg-get-message'), sandbox.token);
      const jobId = await d.submit(sandbox, 'an owl in the rain');
      const out = collect('out');
      helper.getNode('dut').receive({ payload: jobId });
      const [msg] = await out;
      assert.equal(d.promptOf(msg!.payload), 'an owl in the rain');
      assert.equal(msg!.messageId, jobId);
    });
  });

  describe(`${d.name}: imagine-result (U1) → mask-builder → vary-region`, () => {
    it('repaints the masked region and delivers the new grid with its image', async () => {
      await loadFlow(varyRegionChain(sandbox.url, d.config), sandbox.token);
      sandbox.clearRequests();
      const caught = recorder('caught');
      const out = collect('out');
      helper.getNode('imagine').receive({ payload: 'a quiet harbour' });
      const [msg] = await out;
      assert.deepEqual(caught, []);
      assert.equal(d.promptOf(msg!.payload), 'a red hot-air balloon');
      assert.ok(d.isGrid(msg!.payload));
      assert.ok(Buffer.isBuffer(msg!.image));
      const image = await Jimp.read(msg!.image);
      assert.deepEqual(msg!.imageSize, { width: image.width, height: image.height });
      const mask = sandbox.requests().find((r) => /mask/i.test(JSON.stringify(r.body ?? {}).slice(0, 2000)));
      assert.ok(mask, 'no request carried the mask');
      assert.match(JSON.stringify(mask.body), /<mask: \d+ base64 chars>/);
    });
  });
}

describe('TheNextLeg only', () => {
  it('downloads the image through /getImage when the direct URL is refused', async () => {
    sandbox.configure({ refuseDirectImages: true });
    try {
      await loadFlow(
        single(sandbox.url, 'nextleg-imagine-result', { downloadImage: true, preview: false }),
        sandbox.token,
      );
      const out = collect('out');
      helper.getNode('dut').receive({ payload: 'a guarded picture' });
      const [msg] = await out;
      const image = await Jimp.read(msg!.image);
      assert.ok(image.width > 0);
      const paths = sandbox
        .requests()
        .map((r) => `${r.method} ${r.path.replace(/\/[^/]+\.png$/, '/x.png')} ${r.status}`);
      assert.ok(paths.includes('GET /images/x.png 403'), paths.join('; '));
      assert.ok(paths.includes('POST /getImage 200'), paths.join('; '));
    } finally {
      sandbox.configure({ refuseDirectImages: false });
    }
  });
});
