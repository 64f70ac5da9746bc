// The webhook route reads its own body: JSON only (415 for anything else, before reading it), at most
// 1 MB (413, with or without a Content-Length), invalid JSON 400. Under Node-RED's defaults, where
// the admin API and the HTTP-in server share the root `/` and the admin API's body parsers read
// every request first, as well as with separate roots; and in a real Node-RED process left at its
// default settings.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { startSandbox, type Sandbox } from '../../src/core/sandbox/server';
import configNode from '../../src/nodes/nextleg-config';
import { CONFIG_ID } from '../flows/api-flows';
import { WEBHOOK_SECRET, webhookFlow } from '../flows/webhook-flows';
import { startNodeRedProcess, type NodeRedProcess } from '../support/node-red-process';
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

let sandbox: Sandbox;
/** The config node's runtime API holds the HTTP-in app the route is mounted on. */
const { nodes: NODES, api } = nodesKeepingApi(configNode);

before(async () => {
  sandbox = await startSandbox({ stepMs: 5 });
});
after(() => sandbox.close());

const MB = 1024 * 1024;
const result = (messageId: string, content: string): string =>
  JSON.stringify({ originatingMessageId: messageId, content, imageUrl: 'http://127.0.0.1/x.png' });
/** A well-formed result padded past the 1 MB limit. */
const oversized = (messageId: string, bytes: number): string =>
  JSON.stringify({ originatingMessageId: messageId, content: 'padded', description: 'x'.repeat(bytes) });

function post(
  url: string,
  body: string | ReadableStream<Uint8Array>,
  contentType?: string,
): Promise<Response> {
  const headers: Record<string, string> = contentType ? { 'content-type': contentType } : {};
  // Without a type, fetch would label a string body text/plain: a Blob with no type sends none.
  const sent = typeof body === 'string' && !contentType ? new Blob([body]) : body;
  return fetch(url, { method: 'POST', headers, body: sent, duplex: 'half' } as RequestInit);
}

/** The same bytes sent in chunks with no Content-Length (Transfer-Encoding: chunked). */
function chunked(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(at, at + 64 * 1024));
      at += 64 * 1024;
    },
  });
}

/** Starts a job the sandbox keeps waiting (`--sandbox-never`), so only a posted result can finish it. */
async function startWaitingJob(): Promise<string> {
  helper.getNode('dut').receive({ payload: 'waits --sandbox-never' });
  await eventually(() => sandbox.requests().some((r) => r.path === '/v2/imagine' && r.status === 200));
  const jobs = (await (await fetch(`${sandbox.url}/_sandbox/jobs`)).json()) as Array<{ messageId: string }>;
  return jobs.at(-1)?.messageId ?? '';
}

const TOPOLOGIES = [
  {
    name: 'separate roots (admin API at /admin/, HTTP-in at /hooks/)',
    adminRoot: '/admin/',
    nodeRoot: '/hooks/',
  },
  { name: "Node-RED's default: admin API and HTTP-in both at /", adminRoot: '/', nodeRoot: '/' },
];

for (const topology of TOPOLOGIES) {
  describe(`webhook bodies, ${topology.name}`, () => {
    before(() => helper.settings({ httpAdminRoot: topology.adminRoot, httpNodeRoot: topology.nodeRoot }));
    after(() => helper.settings({}));
    beforeEach(async () => {
      sandbox.clearRequests();
      await helper.startServer();
    });
    afterEach(() => stopNodeRed());

    const base = (): string => (helper as unknown as { url(): string }).url();
    const hookUrl = (): string =>
      `${base()}${topology.nodeRoot}nextleg/webhook/${CONFIG_ID}/${WEBHOOK_SECRET}`;

    /** Loads a webhook flow and serves it as Node-RED does: the admin app, then the HTTP-in app. */
    async function load(props: Record<string, unknown> = {}): Promise<void> {
      const flow = webhookFlow(sandbox.url, base(), props).map((n) =>
        n.type === 'nextleg-config' ? n : { z: 'tab1', ...n },
      );
      await helper.load(NODES, [{ id: 'tab1', type: 'tab', label: 'webhook' }, ...flow], {
        [CONFIG_ID]: { token: sandbox.token, webhookSecret: WEBHOOK_SECRET },
      });
      const internals = helper as unknown as {
        _app: { use(path: string, h: unknown): void };
        _httpAdmin: unknown;
      };
      // The order of red.js: the admin app (with its JSON and form parsers, 5 MB) first.
      internals._app.use(topology.adminRoot, internals._httpAdmin);
      internals._app.use(topology.nodeRoot, api().httpNode);
    }

    it('takes the sandbox’s own JSON post and finishes the job without polling', async () => {
      await load();
      const out = collect('out', 1, 10_000);
      helper.getNode('dut').receive({ payload: 'a harbour by webhook' });
      const [msg] = (await out) as [Msg];
      assert.equal(msg.payload.content, 'a harbour by webhook');
      assert.equal(sandbox.requests().filter((r) => r.path.startsWith('/v2/message/')).length, 0);
    });

    it('refuses what is not JSON with 415, and only JSON finishes a waiting job', async () => {
      await load();
      const got = recorder('out');
      const id = await startWaitingJob();
      const body = result(id, 'pushed');
      assert.equal((await post(hookUrl(), body, 'text/plain')).status, 415, 'JSON as text/plain');
      assert.equal((await post(hookUrl(), body)).status, 415, 'JSON without a content type');
      const form = new URLSearchParams({ originatingMessageId: id, content: 'pushed' }).toString();
      assert.equal((await post(hookUrl(), form, 'application/x-www-form-urlencoded')).status, 415, 'a form');
      await sleep(100);
      assert.equal(got.length, 0, 'a body that is not JSON completed the job');

      assert.equal((await post(hookUrl(), body, 'application/json; charset=utf-8')).status, 200);
      await sleep(100);
      assert.equal(got.length, 1);
      assert.equal(got[0]?.payload.content, 'pushed');
    });

    it('refuses a body over 1 MB with 413, with or without a Content-Length, and it finishes nothing', async () => {
      await load();
      const got = recorder('out');
      const id = await startWaitingJob();
      for (const bytes of [1.1 * MB, 3 * MB]) {
        const res = await post(hookUrl(), oversized(id, bytes), 'application/json');
        assert.equal(res.status, 413, `${bytes} bytes with a Content-Length`);
        const streamed = await post(hookUrl(), chunked(oversized(id, bytes)), 'application/json');
        assert.equal(streamed.status, 413, `${bytes} bytes chunked`);
      }
      await sleep(100);
      assert.equal(got.length, 0, 'an oversized result completed the job');
      // Just under the limit is a result like any other.
      assert.equal((await post(hookUrl(), oversized(id, MB - 1000), 'application/json')).status, 200);
    });

    it('refuses invalid JSON with 400', async () => {
      await load();
      for (const body of ['not json', '{"originatingMessageId":', '']) {
        assert.equal((await post(hookUrl(), body, 'application/json')).status, 400, `accepted ${body}`);
      }
    });
  });
}

describe('webhook bodies in a real Node-RED process with default settings', () => {
  let nodeRed: NodeRedProcess | undefined;
  after(() => nodeRed?.stop());

  it('answers 413 to 3 MB, 415 to text/plain and forms, 200 to a result', async () => {
    nodeRed = await startNodeRedProcess({
      // The account alone: its webhook receiver is what the route hands results to.
      flow: (port) => [
        { id: 'tab1', type: 'tab', label: 'webhook' },
        ...webhookFlow(sandbox.url, `http://127.0.0.1:${port}`).filter((n) => n.type === 'nextleg-config'),
      ],
      credentials: { [CONFIG_ID]: { token: sandbox.token, webhookSecret: WEBHOOK_SECRET } },
    });
    const url = `${nodeRed.url}/nextleg/webhook/${CONFIG_ID}/${WEBHOOK_SECRET}`;
    const id = 'AAAAAAAAAAAAAAAAAAAA';
    assert.equal((await post(url, oversized(id, 3 * MB), 'application/json')).status, 413);
    assert.equal((await post(url, result(id, 'x'), 'text/plain')).status, 415);
    const form = new URLSearchParams({ originatingMessageId: id, content: 'x' }).toString();
    assert.equal((await post(url, form, 'application/x-www-form-urlencoded')).status, 415);
    assert.equal((await post(url, result(id, 'x'), 'application/json')).status, 200);
    assert.equal(
      (await post(`${nodeRed.url}/nextleg/webhook/${CONFIG_ID}/wrong`, result(id, 'x'), 'application/json'))
        .status,
      404,
    );
  });
});
