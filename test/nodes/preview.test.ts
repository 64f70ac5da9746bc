// Editor previews in the real runtime: thumbnails published on `nextleg-preview/<id>` after results
// and masks, the `preview` switch, withdrawal on removal, and the mask builder's last-image endpoint.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { Jimp } from 'jimp';
import { startSandbox, type Sandbox } from '../../src/core/sandbox/server';
import { config, CONFIG_ID, varyRegionChain } from '../flows/api-flows';
import {
  collect,
  eventually,
  helper,
  loadFlow,
  runtimeEvents as events,
  stopNodeRed,
  type Msg,
} from '../support/node-red';

interface Published {
  topic: string;
  data: { image: string } | null;
  retain: boolean;
}

// `events` is the runtime's event bus (of the Node-RED under test), where a node's
// RED.comms.publish lands before reaching any editor.
let sandbox: Sandbox;
let published: Published[] = [];
const onComms = (event: Published): void => {
  if (event.topic.startsWith('nextleg-preview/')) published.push(event);
};

before(async () => {
  sandbox = await startSandbox({ stepMs: 5, minuteMs: 200 });
  events.on('comms', onComms);
});
after(async () => {
  events.off('comms', onComms);
  await sandbox.close();
});
beforeEach(async () => {
  published = [];
  await helper.startServer();
});
afterEach(() => stopNodeRed());

const previewsOf = (id: string): Published[] => published.filter((p) => p.topic === `nextleg-preview/${id}`);
const lastPicture = (id: string): string | undefined => previewsOf(id).at(-1)?.data?.image;
/** Whole pictures downloaded; reading a picture's header asks for a byte range (206) instead. */
const imageGets = (): number =>
  sandbox.requests().filter((r) => r.method === 'GET' && r.path.startsWith('/images/') && r.status === 200)
    .length;

async function decode(dataUrl: string) {
  const match = /^data:(image\/(?:png|jpeg));base64,(.+)$/.exec(dataUrl);
  assert.ok(match, `not an image data URL: ${dataUrl.slice(0, 40)}`);
  return { mime: match[1], image: await Jimp.read(Buffer.from(match[2]!, 'base64')) };
}

interface AdminResponse {
  status: number;
  body: { image?: string; url?: string; width?: number; height?: number; error?: string };
}
function adminGet(path: string): Promise<AdminResponse> {
  const withRequest = helper as unknown as { request(): { get(p: string): Promise<AdminResponse> } };
  return withRequest.request().get(path);
}

describe('previews', () => {
  it('publishes retained thumbnails of the results and of the mask along the Vary (Region) chain', async () => {
    await loadFlow(varyRegionChain(sandbox.url), sandbox.token);
    sandbox.clearRequests();
    const out = collect('out');
    helper.getNode('imagine').receive({ payload: 'a lighthouse at dusk' });
    const [msg] = (await out) as [Msg];
    await eventually(() => ['imagine', 'mask', 'vary'].every((id) => lastPicture(id)), 10_000, 'previews');

    for (const p of published.filter((p) => p.data)) assert.equal(p.retain, true, p.topic);

    // The result thumbnail keeps the picture's aspect and is small.
    const original = await Jimp.read(msg.image as Buffer);
    const vary = await decode(lastPicture('vary')!);
    assert.equal(vary.mime, 'image/jpeg');
    assert.equal(Math.max(vary.image.width, vary.image.height), 160);
    const ratio = vary.image.width / vary.image.height / (original.width / original.height);
    assert.ok(Math.abs(ratio - 1) < 0.02, `aspect changed by ${ratio}`);

    // The mask thumbnail shows the centred square in white: about a quarter of its pixels.
    const mask = await decode(lastPicture('mask')!);
    assert.equal(mask.mime, 'image/png');
    assert.deepEqual([mask.image.width, mask.image.height], [160, 160]);
    let white = 0;
    const { data } = mask.image.bitmap;
    for (let i = 0; i < data.length; i += 4) if (data[i]! >= 128) white++;
    assert.ok(Math.abs(white / (160 * 160) - 0.25) < 0.02, `white share ${white / (160 * 160)}`);
    assert.ok(data[(80 * 160 + 80) * 4]! >= 128 && data[0]! < 128, 'white inside, black outside');

    // vary-region downloaded its picture, so only the imagine node's preview needed a download.
    assert.equal(imageGets(), 2, 'the vary download and the imagine preview');
  });

  it('with preview off publishes nothing and downloads nothing', async () => {
    await loadFlow(
      [
        config(sandbox.url),
        { id: 'on', type: 'nextleg-imagine-result', account: CONFIG_ID, wires: [['out']] },
        { id: 'off', type: 'nextleg-imagine-result', account: CONFIG_ID, preview: false, wires: [['out']] },
        { id: 'out', type: 'helper' },
      ],
      sandbox.token,
    );
    sandbox.clearRequests();
    const out = collect('out', 2);
    helper.getNode('off').receive({ payload: 'a quiet harbour' });
    helper.getNode('on').receive({ payload: 'a quiet harbour' });
    await out;
    await eventually(() => lastPicture('on') !== undefined, 10_000, 'the enabled preview');
    assert.ok(
      previewsOf('off').every((p) => p.data === null),
      'the disabled node only withdraws',
    );
    assert.equal(imageGets(), 1, 'only the enabled node downloaded');
  });

  it('a CDN that refuses servers: the preview comes through the account (/getImage)', async () => {
    sandbox.configure({ refuseDirectImages: true });
    try {
      await loadFlow(
        [
          config(sandbox.url),
          { id: 'on', type: 'nextleg-imagine-result', account: CONFIG_ID, wires: [['out']] },
          { id: 'out', type: 'helper' },
        ],
        sandbox.token,
      );
      sandbox.clearRequests();
      const out = collect('out');
      helper.getNode('on').receive({ payload: 'a guarded harbour' });
      await out;
      await eventually(() => lastPicture('on') !== undefined, 10_000, 'the preview');
      const seen = sandbox
        .requests()
        .map((r) => `${r.method} ${r.path.startsWith('/images/') ? '/images/x' : r.path} ${r.status}`);
      // The worker's own download was refused; the account's /getImage brought the picture.
      assert.ok(seen.includes('GET /images/x 403'), seen.join('; '));
      assert.ok(seen.includes('POST /getImage 200'), seen.join('; '));
    } finally {
      sandbox.configure({ refuseDirectImages: false });
    }
  });

  it('withdraws the retained preview when the node is removed, not when it is only restarted', async () => {
    await loadFlow(
      [
        { id: 'mask', type: 'nextleg-mask-builder', width: 32, height: 32, regions: [], wires: [['out']] },
        { id: 'out', type: 'helper' },
      ],
      '',
    );
    const out = collect('out');
    helper.getNode('mask').receive({ regions: [{ x: 0, y: 0, width: 16, height: 16 }] });
    await out;
    await eventually(() => lastPicture('mask') !== undefined, 10_000, 'the mask preview');
    const before = previewsOf('mask').length;
    await helper.getNode('mask').close(false);
    assert.equal(previewsOf('mask').length, before);
    await helper.getNode('mask').close(true);
    assert.deepEqual(previewsOf('mask').at(-1), { topic: 'nextleg-preview/mask', data: null, retain: false });
  });

  it("serves the mask builder's last picture to its dialog", async () => {
    await loadFlow(
      [
        { id: 'mask', type: 'nextleg-mask-builder', width: 32, height: 32, regions: [], wires: [['out']] },
        { id: 'out', type: 'helper' },
      ],
      '',
    );
    assert.deepEqual((await adminGet('/nextleg-mask-builder/mask/last-image')).body, {});

    const picture = await new Jimp({ width: 1200, height: 600, color: 0x336699ff }).getBuffer('image/png');
    let out = collect('out');
    helper.getNode('mask').receive({ image: picture, regions: [{ x: 0, y: 0, width: 1, height: 1 }] });
    await out;
    const withImage = await adminGet('/nextleg-mask-builder/mask/last-image');
    assert.equal(withImage.status, 200);
    assert.deepEqual([withImage.body.width, withImage.body.height], [1200, 600]);
    const shown = await decode(withImage.body.image!);
    assert.deepEqual([shown.image.width, shown.image.height], [480, 240]);

    const url = `${sandbox.url}/images/anything.png`;
    out = collect('out');
    helper.getNode('mask').receive({ imageUrl: url, regions: [{ x: 0, y: 0, width: 1, height: 1 }] });
    await out;
    assert.deepEqual((await adminGet('/nextleg-mask-builder/mask/last-image')).body, { url });
  });
});
