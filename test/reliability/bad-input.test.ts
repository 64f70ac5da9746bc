// Every node fed garbage (wrong types, missing fields, invalid base64, a 20 MB mask, emoji and
// right-to-left text, random msgs), on either API: each msg ends in a coded Catch or a correct
// result, nothing invalid reaches the API, and the runtime keeps working.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { startSandbox, type Sandbox } from '../../src/core/sandbox/server';
import { single } from '../flows/api-flows';
import { DIALECTS, type Dialect } from '../support/dialects';
import { collect, eventually, helper, loadFlow, stopNodeRed, type Msg } from '../support/node-red';

let sandbox: Sandbox;
before(async () => {
  sandbox = await startSandbox({ stepMs: 5, minuteMs: 60_000 });
});
after(() => sandbox.close());
beforeEach(() => {
  sandbox.clearRequests();
  return helper.startServer();
});
afterEach(() => stopNodeRed());

const HUGE = 'x'.repeat(200_000);
const WRONG_VALUES: unknown[] = [42, { a: 1 }, ['x'], null, HUGE, Buffer.from('abc'), true, NaN];

/** Sends every msg and waits until each has ended at `out` or `caught`; returns the two lists. */
async function feed(d: Dialect, type: string, props: Record<string, unknown>, msgs: Msg[]) {
  await loadFlow(single(sandbox.url, type, { preview: false, ...props }, d.config), sandbox.token);
  const out: Msg[] = [];
  const caught: Msg[] = [];
  helper.getNode('out').on('input', (m: Msg) => out.push(m));
  helper.getNode('caught').on('input', (m: Msg) => caught.push(m));
  for (const m of msgs) helper.getNode('dut').receive(m);
  await eventually(() => out.length + caught.length >= msgs.length, 20_000, `${msgs.length} msgs to end`);
  for (const c of caught) {
    assert.equal(typeof c.error?.code, 'string', `no code on ${JSON.stringify(c.error)}`);
    assert.ok(String(c.error.message).length > 0);
  }
  return { out, caught };
}

/** After garbage, the same node still does its job. */
async function stillWorks(msg: Msg): Promise<void> {
  const next = collect('out', 1, 10_000);
  helper.getNode('dut').receive(msg);
  await next;
}

for (const d of DIALECTS) {
  const ID = d.unknownId;
  /** What the API was sent: its POSTs (a midjourney-proxy press may read the parent task first). */
  const submits = () => sandbox.requests().filter((r) => r.method === 'POST' && d.isApiCall(r));

  describe(`${d.name}: wrong types and missing fields are refused before sending`, () => {
    const table: Array<[string, Record<string, unknown>, (v: unknown) => Msg]> = [
      ['nextleg-imagine-result', {}, (v) => ({ prompt: v })],
      ['nextleg-button', {}, (v) => ({ button: v, buttonMessageId: ID })],
      ['nextleg-button', {}, (v) => ({ button: 'U1', buttonMessageId: v })],
      ['nextleg-vary-region', { prompt: 'p' }, (v) => ({ buttonMessageId: ID, mask: v })],
      ['nextleg-vary-region', { prompt: 'p' }, (v) => ({ buttonMessageId: v, mask: 'iVBORw0KGgo=' })],
      ['nextleg-get-message', {}, (v) => ({ messageId: v })],
    ];
    for (const [type, props, make] of table) {
      it(`${type}: ${Object.keys(make('v')).join(', ')} of every wrong type, or missing`, async () => {
        const msgs = WRONG_VALUES.map(make);
        msgs.push({}, { payload: undefined }, { topic: 'only a topic' });
        const { out, caught } = await feed(d, type, props, msgs);
        assert.equal(out.length, 0, `garbage produced a result: ${JSON.stringify(out[0])?.slice(0, 200)}`);
        assert.equal(caught.length, msgs.length);
        for (const c of caught) assert.equal(c.error.code, 'INVALID_INPUT', c.error.message);
        assert.deepEqual(submits(), [], 'garbage was sent to the API');
      });
    }

    it('vary-region: invalid base64, a 20 MB mask, a data: URL of text', async () => {
      const big = Buffer.alloc(20 * 2 ** 20, 0x41).toString('base64');
      const msgs: Msg[] = [
        { buttonMessageId: ID, mask: '!!!not base64!!!' },
        { buttonMessageId: ID, mask: big },
        { buttonMessageId: ID, mask: Buffer.alloc(20 * 2 ** 20) },
        { buttonMessageId: ID, mask: 'data:text/plain;base64,aGVsbG8=' },
      ];
      const { out, caught } = await feed(d, 'nextleg-vary-region', { prompt: 'p' }, msgs);
      assert.equal(out.length, 0);
      assert.equal(caught.length, msgs.length);
      assert.deepEqual(submits(), []);
    });

    it('mask-builder: wrong types end in a coded error or a mask, never a crash', async () => {
      const msgs = WRONG_VALUES.flatMap((v) => [{ width: v }, { regions: v }, { image: v }, { payload: v }]);
      const { out, caught } = await feed(d, 'nextleg-mask-builder', { width: 64, height: 64 }, msgs);
      assert.equal(out.length + caught.length, msgs.length);
      await stillWorks({ regions: [{ x: 0, y: 0, width: 0.5, height: 0.5, unit: 'fraction' }] });
    });
  });

  describe(`${d.name}: unusual but valid text`, () => {
    it('emoji and right-to-left prompts are delivered as sent', async () => {
      const prompts = [
        'a 🐱 on a 🛸, neon 🌈',
        'قطة على سطح القمر',
        'חתול בחלל ‏עם כובע',
        'mixed עברית and 日本語 🎌',
      ];
      const { out, caught } = await feed(
        d,
        'nextleg-imagine-result',
        {},
        prompts.map((p, i) => ({ prompt: p, index: i })),
      );
      assert.deepEqual(caught, []);
      assert.equal(out.length, prompts.length);
      for (const m of out) assert.equal(d.promptOf(m.payload), prompts[m.index as number]);
    });
  });

  describe(`${d.name}: random msgs`, () => {
    // A fixed seed, the same on each API: a failure can be replayed.
    let seed = 0x5eed;
    const rand = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const values = (): unknown[] => [
      ...WRONG_VALUES,
      undefined,
      '',
      'U1',
      ID,
      'a cat',
      '🖌️ Vary (Region)',
      'iVBORw0KGgo=',
      -1,
      Number.POSITIVE_INFINITY,
      { regions: [] },
      [{ x: 1 }],
    ];
    const KEYS = [
      'payload',
      'prompt',
      'button',
      'buttonMessageId',
      'messageId',
      'mask',
      'buttons',
      'width',
      'height',
      'regions',
      'image',
      'zoom',
    ];
    const randomMsg = (): Msg => {
      const msg: Msg = {};
      const n = 1 + Math.floor(rand() * 4);
      for (let i = 0; i < n; i++) msg[pick(KEYS)] = pick(values());
      return msg;
    };
    const nodes: Array<[string, Record<string, unknown>, Msg]> = [
      ['nextleg-imagine-result', {}, { prompt: 'after the storm' }],
      ['nextleg-button', {}, {}],
      ['nextleg-vary-region', { prompt: 'p' }, {}],
      ['nextleg-get-message', {}, {}],
      [
        'nextleg-mask-builder',
        { width: 32, height: 32 },
        { regions: [{ x: 0, y: 0, width: 1, height: 1, unit: 'fraction' }] },
      ],
    ];
    for (const [type, props, good] of nodes) {
      it(`${type}: 40 random msgs each end, and the runtime keeps going`, async () => {
        const msgs = Array.from({ length: 40 }, randomMsg);
        const { out, caught } = await feed(d, type, props, msgs);
        assert.equal(out.length + caught.length, msgs.length);
        if (Object.keys(good).length > 0) await stillWorks(good);
      });
    }
  });
}
