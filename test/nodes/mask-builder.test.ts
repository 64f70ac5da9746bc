// nextleg-mask-builder in the real runtime: where regions and sizes come from, what passes through,
// and every bad input reaching a Catch node while Node-RED keeps running.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { Jimp } from 'jimp';
import { collect, helper, loadFlow, stopNodeRed, type Msg } from '../support/node-red';

beforeEach(() => helper.startServer());
afterEach(() => stopNodeRed());

function flow(props: Record<string, unknown> = {}) {
  return [
    {
      id: 'dut',
      type: 'nextleg-mask-builder',
      width: 64,
      height: 32,
      format: 'png',
      threshold: 128,
      regions: [],
      wires: [['out']],
      ...props,
    },
    { id: 'out', type: 'helper' },
    { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper' },
  ];
}

async function whitePixels(base64: string): Promise<{ width: number; height: number; white: Set<string> }> {
  const image = await Jimp.read(Buffer.from(base64, 'base64'));
  const white = new Set<string>();
  const { data, width, height } = image.bitmap;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) if (data[(y * width + x) * 4]! >= 128) white.add(`${x},${y}`);
  }
  return { width, height, white };
}

describe('nextleg-mask-builder', () => {
  it("builds the node's regions and passes the msg on", async () => {
    await loadFlow(flow({ regions: [{ x: 0, y: 0, width: 0.5, height: 1, unit: 'fraction' }] }), '');
    const out = collect('out');
    helper.getNode('dut').receive({ buttonMessageId: 'keepme', topic: 't' });
    const [msg] = await out;
    assert.equal(msg!.buttonMessageId, 'keepme');
    assert.equal(msg!.topic, 't');
    assert.deepEqual(
      { w: msg!.maskInfo.width, h: msg!.maskInfo.height, f: msg!.maskInfo.format, c: msg!.maskInfo.coverage },
      { w: 64, h: 32, f: 'png', c: 0.5 },
    );
    const { white } = await whitePixels(msg!.mask);
    assert.equal(white.size, 32 * 32);
    assert.ok(white.has('31,31') && !white.has('32,0'));
  });

  it('takes msg.regions over the node regions and the size of msg.image', async () => {
    await loadFlow(flow({ regions: [{ x: 0, y: 0, width: 1, height: 1, unit: 'fraction' }] }), '');
    const picture = await new Jimp({ width: 40, height: 20, color: 0x336699ff }).getBuffer('image/png');
    const out = collect('out');
    helper.getNode('dut').receive({ image: picture, regions: [{ x: 10, y: 5, width: 4, height: 2 }] });
    const [msg] = await out;
    const { width, height, white } = await whitePixels(msg!.mask);
    assert.deepEqual([width, height], [40, 20]);
    assert.deepEqual([...white].sort(), ['10,5', '10,6', '11,5', '11,6', '12,5', '12,6', '13,5', '13,6']);
  });

  it('sizes the mask from msg.image, msg.maskSize, msg.imageSize, then the node, and says which', async () => {
    await loadFlow(flow(), '');
    const picture = await new Jimp({ width: 48, height: 27, color: 0x336699ff }).getBuffer('image/png');
    const half = [{ x: 0, y: 0, width: 0.5, height: 1, unit: 'fraction' }];
    const cases: Array<[Msg, [number, number, string]]> = [
      [
        { image: picture, maskSize: { width: 10, height: 10 }, imageSize: { width: 20, height: 20 } },
        [48, 27, 'image'],
      ],
      [{ maskSize: { width: 10, height: 12 }, imageSize: { width: 160, height: 90 } }, [10, 12, 'maskSize']],
      [{ imageSize: { width: 160, height: 90 } }, [160, 90, 'imageSize']],
      [{ imageSize: { width: 90, height: 135 } }, [90, 135, 'imageSize']],
      [{}, [64, 32, 'node']],
    ];
    for (const [input, [width, height, sizeFrom]] of cases) {
      const out = collect('out');
      helper.getNode('dut').receive({ ...input, regions: half });
      const [msg] = await out;
      assert.deepEqual(
        [msg!.maskInfo.width, msg!.maskInfo.height, msg!.maskInfo.sizeFrom],
        [width, height, sizeFrom],
      );
      // Fractions map onto the picture's own pixels exactly: the left half, whatever the size.
      const { white } = await whitePixels(msg!.mask);
      assert.equal(white.size, Math.round(width / 2) * height, `${width}x${height}`);
    }
  });

  it('refuses a msg.imageSize that is no size, or over the cap', async () => {
    await loadFlow(flow(), '');
    for (const [imageSize, code] of [
      [{ width: '16', height: 9 }, 'MASK_BAD_SIZE'],
      ['16:9', 'MASK_BAD_SIZE'],
      [{ width: 5824, height: 3264 }, 'MASK_TOO_LARGE'],
    ] as const) {
      const caught = collect('caught');
      helper.getNode('dut').receive({ imageSize, regions: [{ x: 0, y: 0, width: 1, height: 1 }] });
      const [msg] = await caught;
      assert.equal(msg!.error.code, code, JSON.stringify(imageSize));
      assert.match(msg!.error.message, /imageSize/);
    }
  });

  it('accepts annotate-image annotations', async () => {
    await loadFlow(flow(), '');
    const out = collect('out');
    helper.getNode('dut').receive({
      annotations: [
        { type: 'rect', bbox: [0, 0, 2, 2] },
        { type: 'rect', x: 62, y: 30, w: 5, h: 5 },
      ],
    });
    const [msg] = await out;
    const { white } = await whitePixels(msg!.mask);
    assert.deepEqual([...white].sort(), ['0,0', '0,1', '1,0', '1,1', '62,30', '62,31', '63,30', '63,31']);
  });

  const bad: Array<[string, Msg, RegExp]> = [
    ['nothing to repaint', { regions: [] }, /^MASK_EMPTY$/],
    ['a NaN region', { regions: [{ x: NaN, y: 0, width: 1, height: 1 }] }, /^MASK_BAD_REGION$/],
    ['a negative size', { regions: [{ x: 0, y: 0, width: -5, height: 1 }] }, /^MASK_BAD_REGION$/],
    [
      'a region off the canvas',
      { regions: [{ x: 500, y: 500, width: 5, height: 5 }] },
      /^MASK_(BAD_REGION|EMPTY)$/,
    ],
    ['regions that are not an array', { regions: 'everything' }, /^MASK_BAD_REGION$/],
    [
      'a size over the cap',
      { maskSize: { width: 5000, height: 10 }, regions: [{ x: 0, y: 0, width: 1, height: 1 }] },
      /^MASK_TOO_LARGE$/,
    ],
    [
      'a size of zero',
      { maskSize: { width: 0, height: 10 }, regions: [{ x: 0, y: 0, width: 1, height: 1 }] },
      /^MASK_BAD_SIZE$/,
    ],
    ['an undecodable drawn mask', { maskImage: Buffer.from('not an image at all') }, /^MASK_BAD_IMAGE$/],
  ];
  for (const [name, input, code] of bad) {
    it(`refuses ${name} with a coded error`, async () => {
      await loadFlow(flow(), '');
      const caught = collect('caught');
      helper.getNode('dut').receive({ ...input, topic: 'kept' });
      const [msg] = await caught;
      assert.match(msg!.error.code, code);
      assert.equal(msg!.topic, 'kept');
    });
  }
});
