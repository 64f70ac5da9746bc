// The mask always fits the picture it repaints: every result node says the picture's size
// (msg.imageSize) with downloads and previews off, the mask builder sizes the mask after it, the
// Vary (Region) chain works for wide and tall pictures on both APIs, and a mask of another shape is
// refused before anything is sent (and by the sandbox, as Midjourney would, when it gets through).
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { startSandbox, type Sandbox } from '../../src/core/sandbox/server';
import { CONFIG_ID, config, single, varyRegionChain } from '../flows/api-flows';
import { DIALECTS, type Dialect } from '../support/dialects';
import { fetchImage, mask as drawMask } from '../support/sandbox-http';
import { collect, helper, loadFlow, recorder, stopNodeRed, type Msg } from '../support/node-red';

let sandbox: Sandbox;

before(async () => {
  sandbox = await startSandbox({ stepMs: 5, minuteMs: 200, imageSize: 128 });
});
after(() => sandbox.close());
beforeEach(() => helper.startServer());
afterEach(() => stopNodeRed());

/** The size of the picture a result points at, from the picture itself. */
async function realSize(msg: Msg): Promise<{ width: number; height: number }> {
  const picture = await fetchImage(msg.imageUrl as string);
  return { width: picture.width, height: picture.height };
}

const quiet = { preview: false, downloadImage: false };

for (const d of DIALECTS) {
  describe(`${d.name}: msg.imageSize with downloads and previews off`, () => {
    it('imagine-result, button and get-message say the size of the picture they deliver', async () => {
      await loadFlow(
        [
          config(sandbox.url, d.config),
          {
            id: 'imagine',
            type: 'nextleg-imagine-result',
            account: CONFIG_ID,
            ...quiet,
            wires: [['press', 'o1']],
          },
          {
            id: 'press',
            type: 'nextleg-button',
            account: CONFIG_ID,
            button: 'U2',
            ...quiet,
            wires: [['o2']],
          },
          { id: 'get', type: 'nextleg-get-message', account: CONFIG_ID, ...quiet, wires: [['o3']] },
          { id: 'o1', type: 'helper' },
          { id: 'o2', type: 'helper' },
          { id: 'o3', type: 'helper' },
        ],
        sandbox.token,
      );
      const grid = collect('o1');
      const upscale = collect('o2');
      helper.getNode('imagine').receive({ payload: 'a wide valley --ar 16:9' });
      const [g] = await grid;
      const [u] = await upscale;
      assert.deepEqual(g!.imageSize, await realSize(g!));
      assert.deepEqual(u!.imageSize, await realSize(u!));
      assert.ok(u!.imageSize.width / u!.imageSize.height > 1.7, 'the upscale is not 16:9');

      const polled = collect('o3');
      helper.getNode('get').receive({ messageId: await d.submit(sandbox, 'a tall tower --ar 2:3') });
      const [p] = await polled;
      assert.deepEqual(p!.imageSize, await realSize(p!));
      assert.ok(p!.imageSize.height > p!.imageSize.width);
    });
  });

  for (const aspect of ['16:9', '2:3']) {
    describe(`${d.name}: imagine (U1) → mask builder → Vary (Region) on a ${aspect} picture`, () => {
      it('builds the mask at the picture’s shape and repaints it', async () => {
        // Downloads and previews off: vary-region's msg.imageSize must come from the picture's header.
        const chain = varyRegionChain(sandbox.url, d.config).map((n) =>
          n.id === 'vary' ? { ...n, ...quiet } : n,
        );
        await loadFlow(chain, sandbox.token);
        const caught = recorder('caught');
        // As it arrives: vary-region later puts its own result's size on the same msg.
        const masks: Msg[] = [];
        helper
          .getNode('vary')
          .on('input', (m: Msg) => masks.push(JSON.parse(JSON.stringify({ ...m, mask: undefined }))));
        const out = collect('out');
        helper.getNode('imagine').receive({ payload: `a harbour --ar ${aspect}` });
        const [msg] = await out;
        const [withMask] = masks;
        assert.deepEqual(caught, []);
        // The node's own 256x256 gave way to the picture's size.
        assert.equal(withMask!.maskInfo.sizeFrom, 'imageSize');
        assert.deepEqual(
          { width: withMask!.maskInfo.width, height: withMask!.maskInfo.height },
          withMask!.imageSize,
        );
        const [w, h] = aspect.split(':').map(Number) as [number, number];
        const ratio = withMask!.maskInfo.width / withMask!.maskInfo.height / (w / h);
        assert.ok(Math.abs(ratio - 1) < 0.02, `mask ratio off by ${ratio}`);
        // The sandbox, like Midjourney, repaints only with a mask of the picture's shape.
        assert.ok(d.isGrid(msg!.payload));
        // vary-region says the size of the grid it delivers too.
        assert.deepEqual(msg!.imageSize, await realSize(msg!));
      });
    });
  }

  describe(`${d.name}: a mask of another shape`, () => {
    async function upscaled(prompt: string): Promise<Msg> {
      await loadFlow(
        single(sandbox.url, 'nextleg-imagine-result', { upscale: 'U1', ...quiet }, d.config),
        sandbox.token,
      );
      const out = collect('out');
      helper.getNode('dut').receive({ payload: prompt });
      const [msg] = await out;
      await stopNodeRed();
      await helper.startServer();
      return msg!;
    }

    async function varyWith(d: Dialect, input: Msg): Promise<{ caught: Msg[]; out: Msg[] }> {
      await loadFlow(
        single(sandbox.url, 'nextleg-vary-region', { prompt: 'a kite', ...quiet }, d.config),
        sandbox.token,
      );
      const out = recorder('out');
      const caught = recorder('caught');
      const ended = Promise.race([collect('out'), collect('caught')]);
      helper.getNode('dut').receive(input);
      await ended;
      return { caught, out };
    }

    it('is refused before anything is sent when the picture’s size is known (MASK_ASPECT)', async () => {
      const up = await upscaled('a long beach --ar 16:9');
      const square = Buffer.from(
        await drawMask(64, 64, (x, y) => x > 16 && y > 16 && x < 48 && y < 48),
        'base64',
      );
      sandbox.clearRequests();
      const { caught } = await varyWith(d, { ...up, mask: square });
      assert.equal(caught[0]?.error.code, 'MASK_ASPECT');
      // The test runtime returns catalog keys; the message names both sizes (nextleg.errors.maskAspect).
      assert.match(caught[0]?.error.message, /maskAspect|64x64/);
      assert.equal(sandbox.requests().filter(d.isApiCall).length, 0);
    });

    it('when the size is unknown it is sent, and the service refuses to repaint with it', async () => {
      const up = await upscaled('a long beach --ar 16:9');
      const square = Buffer.from(
        await drawMask(64, 64, (x, y) => x > 16 && y > 16 && x < 48 && y < 48),
        'base64',
      );
      const { caught } = await varyWith(d, { ...up, imageSize: undefined, mask: square });
      assert.equal(caught[0]?.error.code, 'INVALID_PARAMETER');
    });
  });
}
