// What only midjourney-proxy's servers do, through the real nodes: the plus edition's codes, trueai's
// refusals for load, remix dialogs, a new-api relay (its auth, rewritten codes, lagging status and
// unknown ids), the one auth header, and masks converted to the PNG data URL trueai reads.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { Jimp } from 'jimp';
import { encodeWebp } from '../../src/core/picture/webp';
import { startSandbox, type Sandbox } from '../../src/core/sandbox/server';
import { single, varyRegionChain } from '../flows/api-flows';
import { MJP } from '../support/dialects';
import { mjImagine, mjPress } from '../support/sandbox-http';
import { collect, helper, loadFlow, recorder, stopNodeRed } from '../support/node-red';

let sandbox: Sandbox;

before(async () => {
  sandbox = await startSandbox({ stepMs: 5, minuteMs: 200 });
});
after(() => sandbox.close());
beforeEach(() => helper.startServer());
afterEach(async () => {
  await stopNodeRed();
  sandbox.configure({ midjourneyProxy: {}, faults: {} });
});

const flow = (type: string, props: Record<string, unknown> = {}, account: Record<string, unknown> = {}) =>
  single(sandbox.url, type, props, { ...MJP.config, ...account });

async function deliveredOrCaught(
  props: Record<string, unknown>,
  input: Record<string, unknown>,
  type = 'nextleg-imagine-result',
  account: Record<string, unknown> = {},
) {
  await loadFlow(flow(type, props, account), sandbox.token);
  const out = recorder('out');
  const caught = recorder('caught');
  const ended = Promise.race([collect('out'), collect('caught')]);
  helper.getNode('dut').receive(input);
  await ended;
  return { out, caught };
}

describe('midjourney-proxy: refusals for load are waited out', () => {
  it("trueai's full queue (code 9): the submit is repeated until taken, one task made", async () => {
    sandbox.configure({ faults: { queueFullNext: 2 } });
    sandbox.clearRequests();
    const { out, caught } = await deliveredOrCaught({}, { payload: 'a crowded harbour' });
    assert.deepEqual(caught, []);
    assert.equal(out.length, 1);
    const imagines = sandbox.requests().filter(MJP.isImagine);
    assert.equal(imagines.length, 3, 'two refusals, then the submit that was taken');
    const created = (await (await fetch(`${sandbox.url}/_sandbox/jobs`)).json()) as Array<{
      content: string;
    }>;
    assert.equal(created.filter((j) => j.content.startsWith('a crowded harbour')).length, 1);
  });

  it("plus's queue rejection (code 23) too", async () => {
    sandbox.configure({ midjourneyProxy: { flavour: 'plus' }, faults: { queueFullNext: 1 } });
    const { out, caught } = await deliveredOrCaught({}, { payload: 'a busy street' });
    assert.deepEqual(caught, []);
    assert.equal(out.length, 1);
  });

  it("trueai's per-user limit (code 4 on imagine, its second envelope on a press) is waited out", async () => {
    sandbox.configure({ midjourneyProxy: { concurrencyLimit: 1 } });
    await loadFlow(flow('nextleg-imagine-result', { upscale: 'U1' }), sandbox.token);
    sandbox.clearRequests();
    const out = collect('out', 2);
    const caught = recorder('caught');
    helper.getNode('dut').receive({ payload: 'one at a time' });
    helper.getNode('dut').receive({ payload: 'and then another' });
    await out;
    assert.deepEqual(caught, []);
    // Two imagines and two upscales made the results; every submit beyond them was a refusal for
    // load that the account sent again.
    const submits = sandbox.requests().filter((r) => r.path.startsWith('/mj/submit/'));
    assert.ok(submits.length > 4, `the limit never refused a submit (${submits.length} submits)`);
  });
});

describe('midjourney-proxy: the plus edition', () => {
  it('a banned word is refused at submit (code 24) and the word is named', async () => {
    sandbox.configure({ midjourneyProxy: { flavour: 'plus' } });
    const { caught } = await deliveredOrCaught({}, { payload: 'a bannedword garden' });
    assert.equal(caught[0]?.error.code, 'BANNED_PROMPT');
    assert.match(caught[0]?.error.message, /bannedword/);
  });

  it('a cancelled task is CANCELLED', async () => {
    sandbox.configure({ midjourneyProxy: { flavour: 'plus' } });
    const { caught } = await deliveredOrCaught({}, { payload: 'never mind --sandbox-cancel' });
    assert.equal(caught[0]?.error.code, 'CANCELLED');
  });
});

describe('midjourney-proxy: dialogs', () => {
  it('with remix on, V1 opens a dialog: MODAL, saying what to do', async () => {
    sandbox.configure({ midjourneyProxy: { remix: true } });
    const grid = await MJP.finished(sandbox, 'a remixed field');
    const { caught } = await deliveredOrCaught({}, { button: 'V1', ...grid }, 'nextleg-button');
    assert.equal(caught[0]?.error.code, 'MODAL');
    assert.match(caught[0]?.error.message, /remix/i);
  });

  it('a WebP mask is sent as the PNG data URL trueai reads', async () => {
    const grid = await mjImagine(sandbox, 'a windy beach');
    const upscale = await mjPress(sandbox, grid, 'U1');
    const { imageWidth: width, imageHeight: height } = upscale as { imageWidth: number; imageHeight: number };
    const image = new Jimp({ width, height, color: 0x000000ff });
    for (let y = height / 4; y < (3 * height) / 4; y++)
      for (let x = width / 4; x < (3 * width) / 4; x++) image.setPixelColor(0xffffffff, x, y);
    const mask = await encodeWebp(image.bitmap.data, width, height);
    sandbox.clearRequests();
    const { out, caught } = await deliveredOrCaught(
      { prompt: 'a kite' },
      { buttonMessageId: upscale.id, payload: upscale, mask },
      'nextleg-vary-region',
    );
    assert.equal(out.length, 1, `nothing delivered: ${JSON.stringify(caught.map((c) => c.error))}`);
    // The sandbox, as trueai, fails a task whose mask is not a PNG data URL or bare PNG base64.
    const modal = sandbox.requests().filter((r) => r.path === '/mj/submit/modal');
    assert.deepEqual(
      modal.map((r) => r.status),
      [200],
    );
  });
});

describe('midjourney-proxy: a new-api relay', () => {
  const relayAccount = { authScheme: 'bearer' };

  it('authenticates with Authorization: Bearer only, and runs the Vary (Region) chain', async () => {
    sandbox.configure({ midjourneyProxy: { relay: { statusEmptyMs: 30 } } });
    await loadFlow(varyRegionChain(sandbox.url, { ...MJP.config, ...relayAccount }), sandbox.token);
    sandbox.clearRequests();
    const out = collect('out');
    const caught = recorder('caught');
    helper.getNode('imagine').receive({ payload: 'a relay at sea' });
    const [msg] = await out;
    assert.deepEqual(caught, []);
    assert.ok(msg!.buttons.includes('U1'));
    const api = sandbox.requests().filter(MJP.isApiCall);
    assert.ok(api.length > 0 && api.every((r) => r.auth === 'bearer'), 'a request without the Bearer header');
  });

  it('a relay that rewrites code 21 to 1: the dialog is found by the task status', async () => {
    sandbox.configure({ midjourneyProxy: { relay: { statusEmptyMs: 30, rewriteModalCode: true } } });
    await loadFlow(varyRegionChain(sandbox.url, { ...MJP.config, ...relayAccount }), sandbox.token);
    sandbox.clearRequests();
    const out = collect('out');
    const caught = recorder('caught');
    helper.getNode('imagine').receive({ payload: 'a hidden dialog' });
    const [msg] = await out;
    assert.deepEqual(caught, []);
    assert.equal(MJP.promptOf(msg!.payload), 'a red hot-air balloon');
    const modal = sandbox.requests().filter((r) => r.path === '/mj/submit/modal');
    assert.equal(modal.length, 1, 'the dialog was sent once');
  });

  it('an id the relay does not know is NOT_FOUND', async () => {
    sandbox.configure({ midjourneyProxy: { relay: true } });
    const { caught } = await deliveredOrCaught(
      {},
      { messageId: '1234567890123456' },
      'nextleg-get-message',
      relayAccount,
    );
    assert.equal(caught[0]?.error.code, 'NOT_FOUND');
  });
});

describe('midjourney-proxy: the token', () => {
  it('travels in mj-api-secret alone by default, to the base URL only', async () => {
    await loadFlow(flow('nextleg-imagine-result', { downloadImage: true }), sandbox.token);
    sandbox.clearRequests();
    const out = collect('out');
    helper.getNode('dut').receive({ payload: 'a secret kept' });
    await out;
    const api = sandbox.requests().filter(MJP.isApiCall);
    assert.ok(api.length > 0 && api.every((r) => r.auth === 'mj-api-secret'));
    // The picture is fetched without any token.
    const pictures = sandbox.requests().filter((r) => r.path.startsWith('/images/'));
    assert.ok(pictures.length > 0 && pictures.every((r) => r.auth === 'none'));
  });

  it('an unknown task is NOT_FOUND after a few reads', async () => {
    const { caught } = await deliveredOrCaught({}, { messageId: '1234567890123456' }, 'nextleg-get-message');
    assert.equal(caught[0]?.error.code, 'NOT_FOUND');
  });

  it('a base URL ending in /mj is the same server', async () => {
    await loadFlow(single(`${sandbox.url}/mj`, 'nextleg-imagine-result', {}, MJP.config), sandbox.token);
    const out = collect('out');
    helper.getNode('dut').receive({ payload: 'with a suffix' });
    const [msg] = await out;
    assert.match(msg!.messageId, MJP.jobId);
  });

  it('a speed prefix before /mj is kept: trueai serves /mj-relax/mj', async () => {
    await loadFlow(
      single(`${sandbox.url}/mj-relax`, 'nextleg-imagine-result', {}, MJP.config),
      sandbox.token,
    );
    sandbox.clearRequests();
    const out = collect('out');
    helper.getNode('dut').receive({ payload: 'relaxed' });
    await out;
    assert.ok(sandbox.requests().some((r) => r.path === '/mj-relax/mj/submit/imagine'));
  });
});
