// Hostile and heavy pictures in the real Node-RED runtime: every bomb of the set through a drawn
// mask, a result's preview and the mask builder's last-image endpoint ends in a coded error without
// the process ballooning; a redeploy while a worker decodes stops that worker and sends nothing.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { pictureWorkerThreadIds, runningPictureTasks } from '../../src/core/picture/pool';
import { config, CONFIG_ID } from '../flows/api-flows';
import {
  flatJpeg,
  ihdr,
  interlacedPngBomb,
  jpegDeclaring,
  pngChunk,
  pngOf,
  secondIhdrPngBomb,
  secondSofJpegBomb,
  webpCanvasBomb,
  zerosDeflate,
} from '../support/picture-bombs';
import { startPictureHost, type PictureHost } from '../support/picture-host';
import {
  collect,
  eventually,
  helper,
  loadFlow,
  recorder,
  runtimeEvents,
  stopNodeRed,
  type Msg,
} from '../support/node-red';

const BOMBS: Array<{ name: string; bytes: Buffer }> = [
  { name: 'interlaced', bytes: interlacedPngBomb() },
  { name: 'second-ihdr', bytes: secondIhdrPngBomb() },
  { name: 'second-sof', bytes: secondSofJpegBomb() },
  { name: 'webp-canvas', bytes: webpCanvasBomb() },
  { name: 'jpeg-huge', bytes: jpegDeclaring(60_000, 60_000) },
  { name: 'png-huge', bytes: pngOf(ihdr(30_000, 30_000), pngChunk('IDAT', zerosDeflate(1))) },
];

let host: PictureHost;
let published: string[] = [];
const onComms = (event: { topic: string; data: unknown }): void => {
  if (event.data) published.push(event.topic);
};

before(async () => {
  host = await startPictureHost();
  for (const bomb of BOMBS) host.put(bomb.name, bomb.bytes);
  runtimeEvents.on('comms', onComms);
});
after(async () => {
  runtimeEvents.off('comms', onComms);
  await host.close();
});
beforeEach(async () => {
  published = [];
  await helper.startServer();
});
afterEach(() => stopNodeRed());

function flow() {
  return [
    config(host.url),
    { id: 'mask', type: 'nextleg-mask-builder', width: 64, height: 64, regions: [], wires: [['out']] },
    { id: 'result', type: 'nextleg-get-message', account: CONFIG_ID, wires: [['out'], []] },
    { id: 'out', type: 'helper' },
    { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper' },
  ];
}

function adminGet(path: string): Promise<{ status: number; body: { error?: string; code?: string } }> {
  const withRequest = helper as unknown as {
    request(): { get(p: string): Promise<{ status: number; body: { error?: string; code?: string } }> };
  };
  return withRequest.request().get(path);
}

const ALL_REGION = [{ x: 0, y: 0, width: 1, height: 1, unit: 'fraction' }];

describe('the bomb set in a running Node-RED', () => {
  it('ends every bomb in a coded error on every path, and the process stays small', async () => {
    await loadFlow(flow(), 'token');
    const rssBefore = process.memoryUsage.rss();
    const caught = recorder('caught');
    const out = recorder('out');
    const debug: string[] = [];
    helper
      .getNode('result')
      .on('call:debug', (call: { args: unknown[] }) => debug.push(String(call.args[0])));

    for (const [index, bomb] of BOMBS.entries()) {
      // A drawn mask: the Catch node gets a MASK_ code.
      helper.getNode('mask').receive({ tag: `drawn-${index}`, maskImage: bomb.bytes });
      await eventually(
        () => caught.some((m) => m.tag === `drawn-${index}`),
        15_000,
        `${bomb.name} as maskImage`,
      );
      const error = caught.find((m) => m.tag === `drawn-${index}`)!.error as { code: string };
      assert.match(error.code, /^MASK_(TOO_LARGE|BAD_IMAGE)$/, bomb.name);

      // A result whose picture is the bomb: the result is delivered, its preview is not.
      const results = out.length;
      const debugs = debug.length;
      helper.getNode('result').receive({ tag: `result-${index}`, messageId: bomb.name });
      await eventually(() => out.length > results, 15_000, `${bomb.name} result`);
      await eventually(() => debug.length > debugs, 15_000, `${bomb.name} preview refused`);
      assert.match(debug.at(-1)!, /^preview not shown: IMAGE_(TOO_LARGE|UNREADABLE): /, bomb.name);
      assert.equal(out.at(-1)!.tag, `result-${index}`);

      // The last picture of the mask builder, asked for by its dialog.
      const handed = collect('out', 1).catch(() => undefined);
      helper.getNode('mask').receive({ tag: `image-${index}`, image: bomb.bytes, regions: ALL_REGION });
      await Promise.race([
        handed,
        eventually(() => caught.some((m) => m.tag === `image-${index}`), 15_000, `${bomb.name} as msg.image`),
      ]);
      const answer = await adminGet('/nextleg-mask-builder/mask/last-image');
      assert.equal(answer.status, 422, bomb.name);
      assert.match(answer.body.code ?? '', /^IMAGE_(TOO_LARGE|UNREADABLE)$/, bomb.name);
    }
    assert.deepEqual(
      published.filter((t) => t === 'nextleg-preview/result'),
      [],
      'no bomb was previewed',
    );
    // The interlaced bomb alone inflates to 3.5 GiB; decoded anywhere, it would show here.
    const growth = (process.resourceUsage().maxRSS * 1024 - rssBefore) / 2 ** 20;
    assert.ok(growth < 300, `RSS grew by ${growth.toFixed(0)} MiB`);
  });
});

describe('a redeploy while a worker task runs', () => {
  it('stops the task and its worker, sends nothing, and the new node works', async () => {
    await loadFlow(flow(), 'token');
    const out = recorder('out');
    const caught = recorder('caught');
    // Seconds of decoding in a worker: 33.5 million pixels of JPEG.
    helper.getNode('mask').receive({ tag: 'slow', maskImage: flatJpeg(4096, 8192) });
    await eventually(() => runningPictureTasks() === 1, 15_000, 'the decode to start');
    const busy = pictureWorkerThreadIds();

    await helper.setFlows(flow(), 'full', { [CONFIG_ID]: { token: 'token' } });
    await eventually(() => runningPictureTasks() === 0, 5_000, 'the task to stop');
    assert.ok(
      busy.every((id) => !pictureWorkerThreadIds().includes(id)),
      'the worker that was decoding is gone',
    );

    const next = collect('out', 1);
    helper.getNode('mask').receive({ tag: 'after', maskImage: flatJpeg(64, 64) });
    const [msg] = (await next) as [Msg];
    assert.equal(msg.tag, 'after');
    assert.equal(msg.maskInfo.coverage, 1);
    assert.deepEqual(
      [...out, ...recorder('out')].filter((m) => m.tag === 'slow'),
      [],
      'the aborted mask was not sent',
    );
    assert.deepEqual(caught, [], 'a redeploy is no error');
  });
});
