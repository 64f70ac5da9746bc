// Results by webhook through Node-RED's real HTTP-in server: the sandbox's own POSTs finish jobs
// without polling; wrong secrets, unknown configs, malformed bodies, unknown ids and repeats never
// complete a job; a webhook that never comes still ends in a result by the fallback poll.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { startSandbox, type Sandbox } from '../../src/core/sandbox/server';
import configNode from '../../src/nodes/nextleg-config';
import { CONFIG_ID } from '../flows/api-flows';
import { WEBHOOK_SECRET, webhookFlow } from '../flows/webhook-flows';
import {
  collect,
  eventually,
  helper,
  nodesKeepingApi,
  recorder,
  sleep,
  stopNodeRed,
  type Msg,
} from '../support/node-red';

const NODE_ROOT = '/hooks/';
let sandbox: Sandbox;
/** The config node's runtime API holds the HTTP-in app the route is mounted on. */
const { nodes: NODES, api } = nodesKeepingApi(configNode);

/** Loads the flow and serves Node-RED's HTTP-in app under NODE_ROOT on the helper's real server. */
async function load(flow: Array<Record<string, unknown> & { id: string; type: string }>): Promise<void> {
  const onTab = flow.map((n) => (n.type === 'nextleg-config' ? n : { z: 'tab1', ...n }));
  await helper.load(NODES, [{ id: 'tab1', type: 'tab', label: 'webhook' }, ...onTab], {
    [CONFIG_ID]: { token: sandbox.token, webhookSecret: WEBHOOK_SECRET },
  });
  const app = (helper as unknown as { _app: { use(path: string, h: unknown): void } })._app;
  app.use(NODE_ROOT, api().httpNode);
}

const base = (): string => (helper as unknown as { url(): string }).url();
const hookUrl = (configId = CONFIG_ID, secret = WEBHOOK_SECRET): string =>
  `${base()}${NODE_ROOT}nextleg/webhook/${configId}/${secret}`;
const post = (url: string, body: string): Promise<Response> =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
const polls = (): number => sandbox.requests().filter((r) => r.path.startsWith('/v2/message/')).length;

before(async () => {
  sandbox = await startSandbox({ stepMs: 5 });
  helper.settings({ httpNodeRoot: NODE_ROOT });
});
after(() => sandbox.close());
beforeEach(() => {
  sandbox.clearRequests();
  return helper.startServer();
});
afterEach(() => stopNodeRed());

describe('results by webhook', () => {
  it('the sandbox posts the result to the route and the job ends without a single poll', async () => {
    await load(webhookFlow(sandbox.url, base()));
    const out = collect('out', 1, 10_000);
    helper.getNode('dut').receive({ payload: 'a lighthouse at dawn', tag: 7 });
    const [msg] = (await out) as [Msg];
    assert.equal(msg.payload.content, 'a lighthouse at dawn');
    assert.equal(msg.tag, 7);
    assert.equal(polls(), 0, 'a poll was needed: the webhook did not finish the job');
    const imagine = sandbox.requests().find((r) => r.path === '/v2/imagine');
    // The sandbox's request log keeps only the hook's origin: its path carries the secret.
    assert.equal(
      (imagine?.body as { webhookOverride?: string }).webhookOverride,
      `${new URL(hookUrl()).origin}/…`,
    );
  });

  it('an upscale after the grid also goes by webhook, the two results in order', async () => {
    await load(webhookFlow(sandbox.url, base(), { upscale: 'U2' }));
    const out = collect('out', 1, 10_000);
    helper.getNode('dut').receive({ payload: 'two steps' });
    const [msg] = (await out) as [Msg];
    assert.equal(msg.payload.type, 'button');
    assert.equal(msg.payload.content, 'two steps');
    assert.equal(polls(), 0);
  });

  it('refuses wrong secrets and unknown configs alike, and malformed bodies with 400', async () => {
    await load(webhookFlow(sandbox.url, base()));
    const good = JSON.stringify({ content: 'x', originatingMessageId: 'AAAAAAAAAAAAAAAAAAAA' });
    const wrongSecret = await post(hookUrl(CONFIG_ID, 'not-the-secret'), good);
    const unknownConfig = await post(hookUrl('no-such-config'), good);
    assert.equal(wrongSecret.status, 404);
    assert.equal(unknownConfig.status, 404);
    assert.equal(await wrongSecret.text(), await unknownConfig.text(), 'the answers tell the cases apart');
    for (const body of [
      'not json',
      '[1,2]',
      '{"content":"x"}',
      '{"originatingMessageId":42,"content":"x"}',
      '{"originatingMessageId":"AAAAAAAAAAAAAAAAAAAA"}',
    ]) {
      const res = await post(hookUrl(), body);
      assert.equal(res.status, 400, `accepted ${body}`);
    }
    const tooLarge = await post(hookUrl(), JSON.stringify({ content: 'x'.repeat(1_100_000) }));
    assert.equal(tooLarge.status, 413);
    // An unknown id with the right secret: acknowledged and ignored.
    assert.equal((await post(hookUrl(), good)).status, 200);
  });

  it('a forged result with a wrong secret never completes a waiting job', async () => {
    await load(webhookFlow(sandbox.url, base()));
    const got = recorder('out');
    helper.getNode('dut').receive({ payload: 'waits forever --sandbox-never' });
    await eventually(() => sandbox.requests().some((r) => r.path === '/v2/imagine' && r.status === 200));
    const messageId = (await (await fetch(`${sandbox.url}/_sandbox/jobs`)).json()) as Array<{
      messageId: string;
    }>;
    const id = messageId[0]?.messageId ?? '';
    const forged = JSON.stringify({
      content: 'forged',
      originatingMessageId: id,
      imageUrl: 'http://x/y.png',
    });
    assert.equal((await post(hookUrl(CONFIG_ID, 'guessed'), forged)).status, 404);
    await sleep(300);
    assert.equal(got.length, 0, 'the forged result completed the job');
  });

  it('a repeated delivery gives one output', async () => {
    await load(webhookFlow(sandbox.url, base()));
    const got = recorder('out');
    helper.getNode('dut').receive({ payload: 'once only' });
    await eventually(() => got.length === 1, 10_000, 'the result');
    const result = got[0]?.payload as Record<string, unknown>;
    for (let i = 0; i < 3; i++) assert.equal((await post(hookUrl(), JSON.stringify(result))).status, 200);
    await sleep(200);
    assert.equal(got.length, 1);
  });

  it('when the webhook never arrives the fallback poll finishes the job; an unknown id changes nothing', async () => {
    // A base URL where nothing listens: the sandbox's POSTs fail, as an unreachable Node-RED's would.
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    await load(webhookFlow(sandbox.url, `http://127.0.0.1:${deadPort}`, {}, { pollInterval: 0.01 }));
    const out = collect('out', 1, 10_000);
    helper.getNode('dut').receive({ payload: 'by polling' });
    const stray = JSON.stringify({ content: 'stray', originatingMessageId: 'ZZZZZZZZZZZZZZZZZZZZ' });
    assert.equal((await post(hookUrl(), stray)).status, 200);
    const [msg] = (await out) as [Msg];
    assert.equal(msg.payload.content, 'by polling');
    assert.ok(polls() >= 1, 'finished without polling although no webhook could arrive');
  });
});
