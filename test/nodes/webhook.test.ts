// Results by webhook through Node-RED's real HTTP-in server, on either API: the sandbox's own POSTs
// (TNL's result, midjourney-proxy's notifyHook task on every change) finish jobs without polling;
// wrong secrets, unknown configs, malformed bodies, unknown ids and repeats never complete a job; a
// webhook that never comes still ends in a result by the fallback poll.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { startSandbox, type Sandbox } from '../../src/core/sandbox/server';
import { CONFIG_ID } from '../flows/api-flows';
import { WEBHOOK_SECRET, webhookFlow } from '../flows/webhook-flows';
import { DIALECTS, MJP, sandboxJobs, type Dialect } from '../support/dialects';
import { collect, eventually, helper, recorder, sleep, stopNodeRed, type Msg } from '../support/node-red';
import { mjCall, type Loose } from '../support/sandbox-http';
import {
  HOOK_ROOT,
  helperUrl,
  hookUrl as hookUrlOf,
  loadServingHooks,
  postJson,
} from '../support/webhook-runtime';

let sandbox: Sandbox;

const load = (flow: Array<Record<string, unknown> & { id: string; type: string }>): Promise<void> =>
  loadServingHooks(flow, { [CONFIG_ID]: { token: sandbox.token, webhookSecret: WEBHOOK_SECRET } });
const hookUrl = (configId = CONFIG_ID, secret = WEBHOOK_SECRET): string => hookUrlOf(configId, secret);

/** Where each API's submit carries the hook. */
const HOOK_FIELD: Record<Dialect['api'], string> = {
  tnl: 'webhookOverride',
  'midjourney-proxy': 'notifyHook',
};

/** Bodies the route cannot read as a result of the API: each answered 400. */
const MALFORMED: Record<Dialect['api'], string[]> = {
  tnl: [
    'not json',
    '[1,2]',
    '{"content":"x"}',
    '{"originatingMessageId":42,"content":"x"}',
    '{"originatingMessageId":"AAAAAAAAAAAAAAAAAAAA"}',
  ],
  'midjourney-proxy': [
    'not json',
    '[1,2]',
    '{"status":"SUCCESS","progress":"100%"}',
    '{"id":"12/34","status":"SUCCESS"}',
    '{"id":{"n":1},"status":"SUCCESS"}',
    '{"id":true,"status":"SUCCESS"}',
  ],
};

/** A base URL where nothing listens: posts to it fail, as an unreachable Node-RED's would. */
async function deadBaseUrl(): Promise<string> {
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((r) => closed.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

/** The id of the newest job the sandbox made through this API, once it exists. */
async function newestJob(d: Dialect): Promise<string> {
  await eventually(() => sandbox.requests().some((r) => d.isImagine(r) && r.status === 200));
  return (await sandboxJobs(sandbox, d)).at(-1)?.messageId ?? '';
}

before(async () => {
  sandbox = await startSandbox({ stepMs: 5 });
  helper.settings({ httpNodeRoot: HOOK_ROOT });
});
after(() => sandbox.close());
beforeEach(() => {
  sandbox.clearRequests();
  return helper.startServer();
});
afterEach(async () => {
  sandbox.configure({ midjourneyProxy: {} });
  await stopNodeRed();
});

for (const d of DIALECTS) {
  const flow = (
    baseUrl: string,
    props: Record<string, unknown> = {},
    account: Record<string, unknown> = {},
  ) => webhookFlow(sandbox.url, baseUrl, props, { ...d.config, ...account });
  const polls = (): number => sandbox.requests().filter(d.isPoll).length;

  describe(`${d.name}: results by webhook`, () => {
    it('the sandbox posts the result to the route and the job ends without a single poll', async () => {
      await load(flow(helperUrl()));
      const out = collect('out', 1, 10_000);
      helper.getNode('dut').receive({ payload: 'a lighthouse at dawn', tag: 7 });
      const [msg] = (await out) as [Msg];
      assert.equal(d.promptOf(msg.payload), 'a lighthouse at dawn');
      assert.equal(msg.tag, 7);
      assert.match(msg.messageId, d.jobId);
      assert.equal(polls(), 0, 'a poll was needed: the webhook did not finish the job');
      const imagine = sandbox.requests().find(d.isImagine);
      // The sandbox's request log keeps only the hook's origin: its path carries the secret.
      assert.equal(
        (imagine?.body as Record<string, unknown>)[HOOK_FIELD[d.api]],
        `${new URL(hookUrl()).origin}/…`,
      );
    });

    it('an upscale after the grid also goes by webhook, the two results in order', async () => {
      await load(flow(helperUrl(), { upscale: 'U2' }));
      const out = collect('out', 1, 10_000);
      helper.getNode('dut').receive({ payload: 'two steps' });
      const [msg] = (await out) as [Msg];
      assert.ok(!d.isGrid(msg.payload), 'not the upscale');
      assert.equal(d.promptOf(msg.payload), 'two steps');
      assert.equal(polls(), 0);
    });

    it('a job that fails is that code at the Catch node, by webhook too', async () => {
      await load(flow(helperUrl()));
      const caught = collect('caught', 1, 10_000);
      const got = recorder('out');
      helper.getNode('dut').receive({ payload: 'cats --sandbox-fail BANNED_PROMPT' });
      const [msg] = (await caught) as [Msg];
      assert.equal(msg.error.code, 'BANNED_PROMPT');
      assert.match(msg.messageId, d.jobId);
      assert.equal(got.length, 0);
      assert.equal(polls(), 0);
    });

    it('refuses wrong secrets and unknown configs alike, and malformed bodies with 400', async () => {
      await load(flow(helperUrl()));
      const good = d.pushedResult(d.unknownId, 'x', 'http://127.0.0.1/y.png');
      const wrongSecret = await postJson(hookUrl(CONFIG_ID, 'not-the-secret'), good);
      const unknownConfig = await postJson(hookUrl('no-such-config'), good);
      assert.equal(wrongSecret.status, 404);
      assert.equal(unknownConfig.status, 404);
      assert.equal(await wrongSecret.text(), await unknownConfig.text(), 'the answers tell the cases apart');
      for (const body of MALFORMED[d.api]) {
        const res = await postJson(hookUrl(), body);
        assert.equal(res.status, 400, `accepted ${body}`);
      }
      const tooLarge = await postJson(hookUrl(), { ...good, description: 'x'.repeat(1_100_000) });
      assert.equal(tooLarge.status, 413);
      // An unknown id with the right secret: acknowledged and ignored.
      assert.equal((await postJson(hookUrl(), good)).status, 200);
    });

    it('a forged result with a wrong secret never completes a waiting job', async () => {
      await load(flow(helperUrl()));
      const got = recorder('out');
      helper.getNode('dut').receive({ payload: 'waits forever --sandbox-never' });
      const id = await newestJob(d);
      const forged = d.pushedResult(id, 'forged', 'http://x/y.png');
      assert.equal((await postJson(hookUrl(CONFIG_ID, 'guessed'), forged)).status, 404);
      assert.equal((await postJson(hookUrl('no-such-config', WEBHOOK_SECRET), forged)).status, 404);
      await sleep(300);
      assert.equal(got.length, 0, 'the forged result completed the job');
    });

    it('a repeated delivery gives one output', async () => {
      await load(flow(helperUrl()));
      const got = recorder('out');
      helper.getNode('dut').receive({ payload: 'once only' });
      await eventually(() => got.length === 1, 10_000, 'the result');
      // msg.payload is what the API posted: TNL's result, midjourney-proxy's task.
      const result = got[0]?.payload as Loose;
      for (let i = 0; i < 3; i++) assert.equal((await postJson(hookUrl(), result)).status, 200);
      await sleep(200);
      assert.equal(got.length, 1);
    });

    it('when the webhook never arrives the fallback poll finishes the job; an unknown id changes nothing', async () => {
      await load(flow(await deadBaseUrl(), {}, { pollInterval: 0.01 }));
      const out = collect('out', 1, 10_000);
      helper.getNode('dut').receive({ payload: 'by polling' });
      const stray = d.pushedResult(d.unknownId, 'stray', 'http://127.0.0.1/stray.png');
      assert.equal((await postJson(hookUrl(), stray)).status, 200);
      const [msg] = (await out) as [Msg];
      assert.equal(d.promptOf(msg.payload), 'by polling');
      assert.ok(polls() >= 1, 'finished without polling although no webhook could arrive');
    });
  });
}

describe('midjourney-proxy only: notifyHook posts on every change', () => {
  const flow = (props: Record<string, unknown> = {}) =>
    webhookFlow(sandbox.url, helperUrl(), props, MJP.config);
  const polls = (): number => sandbox.requests().filter(MJP.isPoll).length;
  /** The node's status texts, as it sets them. */
  const statuses = (): string[] => {
    const texts: string[] = [];
    helper
      .getNode('dut')
      .on('call:status', (call: { args: Array<{ text?: string }> }) => texts.push(call.args[0]?.text ?? ''));
    return texts;
  };

  it('progress posts show on the status and the progress output, without a poll', async () => {
    await load(flow({ progressOutput: true }));
    const texts = statuses();
    const progress = recorder('progress');
    const out = collect('out', 1, 10_000);
    helper.getNode('dut').receive({ payload: 'slowly moving clouds' });
    const [msg] = (await out) as [Msg];
    assert.equal(polls(), 0, 'a poll was needed');
    assert.ok(
      texts.some((t) => /^\d+%$/.test(t) && t !== '0%'),
      `no progress among ${texts.join(', ')}`,
    );
    const running = progress.filter((p) => p.payload.state === 'running').map((p) => p.payload.progress);
    assert.ok(running.length > 0, 'no progress msg');
    assert.ok(progress.every((p) => p.payload.messageId === msg.messageId));
    assert.deepEqual(
      running,
      [...new Set(running)].sort((a, b) => a - b),
      'progress repeated or went back',
    );
  });

  it('posts that go backwards are ignored; a later one moves the job on, the final one ends it', async () => {
    await load(flow({ progressOutput: true }));
    const texts = statuses();
    const progress = recorder('progress');
    const got = recorder('out');
    // The task stays IN_PROGRESS at 46% until the server's own timeout, far beyond this test.
    helper.getNode('dut').receive({ payload: 'a slow one --sandbox-stall 46' });
    const id = await newestJob(MJP);
    await eventually(() => texts.includes('46%'), 10_000, 'the 46% post');
    assert.equal(polls(), 0, 'a poll was needed');
    // The sandbox's own task object, read once by the test, is what the hand-made posts start from.
    const task = (await mjCall(sandbox, `/mj/task/${id}/fetch`)).json as Loose;
    assert.equal(task.status, 'IN_PROGRESS');

    const seenBefore = progress.length;
    for (const older of [
      { status: 'IN_PROGRESS', progress: '20%' },
      { status: 'SUBMITTED', progress: '0%' },
      { status: 'NOT_START', progress: null },
    ]) {
      assert.equal((await postJson(hookUrl(), { ...task, ...older })).status, 200);
    }
    await sleep(100);
    assert.equal(texts.at(-1), '46%', `went back to ${texts.at(-1)}`);
    assert.deepEqual(progress.slice(seenBefore), [], 'an older state was reported as progress');

    assert.equal((await postJson(hookUrl(), { ...task, progress: '80%' })).status, 200);
    await eventually(() => texts.at(-1) === '80%', 5000, 'the 80% post');
    assert.equal(got.length, 0);

    const done = MJP.pushedResult(id, 'a slow one', `${sandbox.url}/images/none.png`);
    assert.equal((await postJson(hookUrl(), done)).status, 200);
    await eventually(() => got.length === 1, 5000, 'the result');
    assert.equal(got[0]?.messageId, id);
    assert.deepEqual(got[0]?.buttons, ['U1', 'U2', 'U3', 'U4']);
    // A late post about the finished job changes nothing.
    assert.equal((await postJson(hookUrl(), { ...task, progress: '90%' })).status, 200);
    await sleep(100);
    assert.equal(got.length, 1);
    assert.equal(polls(), 1, 'the node polled');
  });

  it('a CANCEL post ends the job as CANCELLED (plus posts the cancel; trueai never writes one)', async () => {
    sandbox.configure({ midjourneyProxy: { flavour: 'plus' } });
    await load(flow());
    const caught = collect('caught', 1, 10_000);
    helper.getNode('dut').receive({ payload: 'never mind --sandbox-cancel' });
    const [msg] = (await caught) as [Msg];
    assert.equal(msg.error.code, 'CANCELLED');
    assert.equal(polls(), 0);
  });

  it('behind a new-api relay, which strips notifyHook, the fallback poll finishes the job', async () => {
    sandbox.configure({ midjourneyProxy: { relay: { statusEmptyMs: 30 } } });
    await load(
      flow().map((n) =>
        n.type === 'nextleg-config' ? { ...n, authScheme: 'bearer', pollInterval: 0.01 } : n,
      ),
    );
    const out = collect('out', 1, 10_000);
    helper.getNode('dut').receive({ payload: 'relayed' });
    const [msg] = (await out) as [Msg];
    assert.equal(MJP.promptOf(msg.payload), 'relayed');
    assert.ok(polls() >= 1);
  });
});
