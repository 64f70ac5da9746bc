// Each API node alone and the imagine → U1 → mask → Vary (Region) chain, in the real Node-RED
// runtime against the sandbox over loopback HTTP.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { Jimp } from 'jimp';
import { startSandbox, type Sandbox } from '../../src/core/sandbox/server';
import { VARY_REGION_BUTTON } from '../../src/core/tnl/types';
import { single, varyRegionChain } from '../flows/api-flows';
import { collect, eventually, helper, loadFlow, recorder, stopNodeRed } from '../support/node-red';

let sandbox: Sandbox;

before(async () => {
  sandbox = await startSandbox({ stepMs: 5, minuteMs: 200 });
});
after(() => sandbox.close());
beforeEach(() => helper.startServer());
afterEach(() => stopNodeRed());

describe('nextleg-imagine-result', () => {
  it('delivers the grid with its buttons and keeps the rest of the msg', async () => {
    await loadFlow(single(sandbox.url, 'nextleg-imagine-result', { prompt: 'node prompt' }), sandbox.token);
    const out = collect('out');
    helper.getNode('dut').receive({ payload: 'a lighthouse at dusk', topic: 'lh', extra: 42 });
    const [msg] = await out;
    assert.equal(msg!.payload.content, 'a lighthouse at dusk');
    assert.equal(msg!.payload.type, 'imagine');
    assert.equal(msg!.topic, 'lh');
    assert.equal(msg!.extra, 42);
    assert.ok(msg!.buttons.includes('U1'));
    assert.equal(msg!.imageUrls.length, 4);
    assert.equal(msg!.buttonMessageId, msg!.payload.buttonMessageId);
    assert.equal(msg!.messageId, msg!.payload.originatingMessageId);
    assert.match(msg!.messageId, /^[A-Za-z0-9]{20}$/);
  });

  it('prefers msg.prompt, then a text payload, then the node prompt', async () => {
    await loadFlow(single(sandbox.url, 'nextleg-imagine-result', { prompt: 'node prompt' }), sandbox.token);
    const out = collect('out', 3);
    const dut = helper.getNode('dut');
    dut.receive({ prompt: 'from msg.prompt', payload: 'from payload' });
    dut.receive({ payload: 'from payload' });
    dut.receive({ payload: 7 });
    const contents = (await out).map((m) => m.payload.content).sort();
    assert.deepEqual(contents, ['from msg.prompt', 'from payload', 'node prompt']);
  });

  it('upscales the chosen quadrant and drops the grid-only fields', async () => {
    await loadFlow(single(sandbox.url, 'nextleg-imagine-result', { upscale: 'U2' }), sandbox.token);
    const out = collect('out');
    helper.getNode('dut').receive({ payload: 'a red fox', imageUrls: ['stale'] });
    const [msg] = await out;
    assert.equal(msg!.payload.type, 'button');
    assert.ok(msg!.buttons.includes(VARY_REGION_BUTTON));
    assert.equal(msg!.imageUrls, undefined);
    const presses = sandbox.requests().filter((r) => r.path === '/v2/button');
    assert.equal((presses.at(-1)!.body as { button: string }).button, 'U2');
  });

  it('with wait off sends the acknowledgement at once', async () => {
    await loadFlow(single(sandbox.url, 'nextleg-imagine-result', { wait: false }), sandbox.token);
    const out = collect('out');
    helper.getNode('dut').receive({ payload: 'a quick one --sandbox-never' });
    const [msg] = await out;
    assert.equal(msg!.payload.success, true);
    assert.equal(msg!.messageId, msg!.payload.messageId);
  });

  it('reports progress on the second output when asked', async () => {
    await loadFlow(single(sandbox.url, 'nextleg-imagine-result', { progressOutput: true }), sandbox.token);
    const progress = recorder('progress');
    const out = collect('out');
    helper.getNode('dut').receive({ payload: 'slowly moving clouds' });
    const [msg] = await out;
    assert.ok(progress.length > 0, 'no progress msg');
    assert.ok(progress.every((p) => p.payload.messageId === msg!.messageId));
    assert.ok(progress.some((p) => p.payload.state === 'running' && p.payload.progress > 0));
  });
});

describe('nextleg-imagine-result status and options', () => {
  it('shows progress, a count with several jobs, then done', async () => {
    await loadFlow(single(sandbox.url, 'nextleg-imagine-result', {}), sandbox.token);
    const dut = helper.getNode('dut');
    const texts: string[] = [];
    dut.on('call:status', (call: { args: Array<{ text?: string }> }) => texts.push(call.args[0]?.text ?? ''));
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
      await loadFlow(single(sandbox.url, 'nextleg-imagine-result', {}), '${NEXTLEG_TEST_TOKEN}');
      const out = collect('out');
      helper.getNode('dut').receive({ payload: 'a token from the environment' });
      const [msg] = await out;
      assert.equal(msg!.payload.content, 'a token from the environment');
      assert.ok(
        sandbox.requests().some((r) => r.path === '/v2/imagine' && r.auth === 'bearer' && r.status === 200),
      );
    } finally {
      delete process.env.NEXTLEG_TEST_TOKEN;
    }
  });

  it('an unset environment variable is NO_TOKEN at the Catch node', async () => {
    await loadFlow(single(sandbox.url, 'nextleg-imagine-result', {}), '${NEXTLEG_UNSET_TOKEN}');
    const caught = collect('caught');
    helper.getNode('dut').receive({ payload: 'no token' });
    const [msg] = await caught;
    assert.equal(msg!.error.code, 'NO_TOKEN');
  });

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

describe('nextleg-button', () => {
  it('presses V1 on a grid and delivers the new grid', async () => {
    await loadFlow(single(sandbox.url, 'nextleg-button', { button: 'U1' }), sandbox.token);
    const grid = await imagineDirect('a castle in the clouds');
    const out = collect('out');
    helper
      .getNode('dut')
      .receive({ button: 'V1', buttonMessageId: grid.buttonMessageId, buttons: grid.buttons });
    const [msg] = await out;
    assert.equal(msg!.payload.type, 'button');
    assert.equal(msg!.imageUrls.length, 4);
    assert.notEqual(msg!.buttonMessageId, grid.buttonMessageId);
  });
});

describe('nextleg-get-message', () => {
  it('polls a job submitted elsewhere until it is done', async () => {
    await loadFlow(single(sandbox.url, 'nextleg-get-message'), sandbox.token);
    const ack = await submitDirect('/v2/imagine', { msg: 'an owl in the rain' });
    const out = collect('out');
    helper.getNode('dut').receive({ payload: ack.messageId });
    const [msg] = await out;
    assert.equal(msg!.payload.content, 'an owl in the rain');
    assert.equal(msg!.messageId, ack.messageId);
  });
});

describe('imagine-result (U1) → mask-builder → vary-region', () => {
  it('repaints the masked region and delivers the new grid with its image', async () => {
    await loadFlow(varyRegionChain(sandbox.url), sandbox.token);
    const caught = recorder('caught');
    const out = collect('out');
    helper.getNode('imagine').receive({ payload: 'a quiet harbour' });
    const [msg] = await out;
    assert.deepEqual(caught, []);
    assert.equal(msg!.payload.content, 'a red hot-air balloon');
    assert.equal(msg!.imageUrls.length, 4);
    assert.ok(Buffer.isBuffer(msg!.image));
    const image = await Jimp.read(msg!.image);
    assert.ok(image.width > 0 && image.height > 0);
    const press = sandbox
      .requests()
      .filter((r) => r.path === '/v2/button')
      .at(-1)!.body as Record<string, string>;
    assert.equal(press.button, VARY_REGION_BUTTON);
    assert.match(press.mask!, /^<mask: \d+ base64 chars>$/);
  });
});

async function submitDirect(path: string, body: unknown): Promise<{ messageId: string }> {
  const res = await fetch(`${sandbox.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${sandbox.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 200);
  return (await res.json()) as { messageId: string };
}

async function imagineDirect(prompt: string): Promise<{ buttonMessageId: string; buttons: string[] }> {
  const { messageId } = await submitDirect('/v2/imagine', { msg: prompt });
  for (;;) {
    const res = await fetch(`${sandbox.url}/v2/message/${messageId}`, {
      headers: { authorization: `Bearer ${sandbox.token}` },
    });
    const body = (await res.json()) as {
      progress: number;
      response?: { buttonMessageId: string; buttons: string[] };
    };
    if (body.progress === 100 && body.response) return body.response;
    await new Promise((r) => setTimeout(r, 5));
  }
}
