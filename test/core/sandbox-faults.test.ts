// The sandbox's rate limit, injected faults, webhooks, request log and clean shutdown.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { startSandbox, type Sandbox } from '../../src/core/sandbox/server';
import { VARY_REGION_BUTTON } from '../../src/core/tnl/types';
import { call, imagine, mask, press, type Loose } from '../support/sandbox-http';

describe('sandbox rate limit', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox({
      stepMs: 5,
      rateLimit: { submitPerWindow: 2, submitWindowMs: 1500, messagePerSecond: 3 },
    });
  });
  after(() => sb.close());

  it('answers 429 with Retry-After past the submit limit', async () => {
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await call(sb, '/v2/imagine', { msg: `a cat ${i}` }));
    assert.deepEqual(
      answers.map((a) => a.status),
      [200, 200, 429],
    );
    const refused = answers[2]!;
    assert.deepEqual(refused.json, { success: false, msg: 'Too many requests' });
    const retry = Number(refused.headers.get('retry-after'));
    assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= 2, `Retry-After ${retry}`);
  });

  it('limits message reads separately', async () => {
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await call(sb, '/v2/message/AAAAAAAAAAAAAAAAAAAA')).status);
    assert.equal(statuses.filter((s) => s === 429).length >= 1, true);
    assert.ok(statuses.slice(0, 3).every((s) => s === 404));
  });

  it('can be switched off', async () => {
    sb.configure({ rateLimit: false });
    for (let i = 0; i < 4; i++) assert.equal((await call(sb, '/v2/imagine', { msg: 'a dog' })).status, 200);
  });
});

describe('sandbox faults', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox({ stepMs: 5 });
  });
  after(() => sb.close());

  it('errorRate 1 answers 500 and 502, alternating, before any work', async () => {
    sb.configure({ faults: { errorRate: 1 } });
    try {
      const a = await call(sb, '/v2/imagine', { msg: 'a cat' });
      const b = await call(sb, '/v2/imagine', { msg: 'a cat' });
      assert.deepEqual([a.status, b.status].sort(), [500, 502]);
      assert.equal(a.json.success, false);
    } finally {
      sb.configure({ faults: {} });
    }
    const before = (await call(sb, '/_sandbox/jobs')).json.length;
    assert.equal(before, 0, 'no job was created');
  });

  it('dropRate 1 destroys the socket', async () => {
    sb.configure({ faults: { dropRate: 1 } });
    try {
      await assert.rejects(call(sb, '/v2/info'));
    } finally {
      sb.configure({ faults: {} });
    }
    const last = sb.requests().at(-1);
    assert.equal(last?.status, 0);
  });

  it("`only: 'message'` leaves submits alone", async () => {
    sb.configure({ faults: { errorRate: 1, only: 'message' } });
    try {
      const ack = await call(sb, '/v2/imagine', { msg: 'a cat' });
      assert.equal(ack.status, 200);
      assert.ok([500, 502].includes((await call(sb, `/v2/message/${ack.json.messageId}`)).status));
    } finally {
      sb.configure({ faults: {} });
    }
  });

  it('failAfterAcceptRate creates the job but loses the answer', async () => {
    sb.configure({ faults: { failAfterAcceptRate: 1 } });
    const jobsBefore = (await call(sb, '/_sandbox/jobs')).json.length;
    try {
      const first = await call(sb, '/v2/imagine', { msg: 'a lost answer' });
      assert.equal(first.status, 500);
      await assert.rejects(call(sb, '/v2/imagine', { msg: 'a dropped answer' }));
      // Reads are not submits: they still answer.
      assert.equal((await call(sb, '/v2/info')).status, 200);
    } finally {
      sb.configure({ faults: {} });
    }
    const jobs = (await call(sb, '/_sandbox/jobs')).json;
    assert.equal(jobs.length, jobsBefore + 2);
    assert.deepEqual(
      jobs.slice(-2).map((j: { content: string }) => j.content),
      ['a lost answer', 'a dropped answer'],
    );
  });

  it('latencyMs delays answers', async () => {
    const time = async (): Promise<number> => {
      const t0 = performance.now();
      await call(sb, '/v2/info');
      return performance.now() - t0;
    };
    const quick = await time();
    sb.configure({ faults: { latencyMs: 150 } });
    try {
      const slow = await time();
      assert.ok(slow > quick && slow >= 140, `slow ${slow} vs quick ${quick}`);
    } finally {
      sb.configure({ faults: {} });
    }
  });

  it('a hung request stays open until close(), which ends it', async () => {
    const own = await startSandbox({ faults: { hangRate: 1 } });
    const socket = net.connect(own.port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    let answered = false;
    socket.on('data', () => (answered = true));
    socket.write(`GET /v2/info HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${own.token}\r\n\r\n`);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(answered, false);
    await own.close();
    await ended;
    assert.equal(answered, false);
  });
});

describe('sandbox webhooks and request log', () => {
  let sb: Sandbox;
  let hook: http.Server;
  let hookUrl: string;
  const received: { path: string; body: Loose }[] = [];
  const waiters: (() => void)[] = [];

  before(async () => {
    hook = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ path: req.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        res.end('ok');
        waiters.splice(0).forEach((w) => w());
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
    const port = (hook.address() as { port: number }).port;
    hookUrl = `http://127.0.0.1:${port}`;
    sb = await startSandbox({ stepMs: 5, webhookUrl: `${hookUrl}/default`, token: 'a-very-secret-token' });
  });
  after(async () => {
    await sb.close();
    await new Promise((r) => hook.close(r));
  });

  const waitForHooks = async (count: number): Promise<void> => {
    for (let i = 0; i < 200 && received.length < count; i++) {
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 20);
      });
    }
  };

  it('POSTs the flat result to the default webhook and to webhookOverride', async () => {
    received.length = 0;
    const done = await imagine(sb, 'a hooked fish', { ref: 'r1' });
    await imagine(sb, 'a cat --sandbox-fail QUEUE_FULL', { webhookOverride: `${hookUrl}/override` });
    await waitForHooks(2);
    assert.equal(received.length, 2);
    const byPath = Object.fromEntries(received.map((r) => [r.path, r.body]));
    assert.deepEqual(byPath['/default'], done);
    assert.equal(byPath['/default'].progress, undefined);
    assert.equal(byPath['/override'].content, 'QUEUE_FULL');
  });

  it('ignores a webhook that cannot be reached', async () => {
    const r = await imagine(sb, 'a cat', { webhookOverride: 'http://127.0.0.1:1/nothing' });
    assert.ok(r.imageUrl);
    assert.equal((await call(sb, '/v2/info')).status, 200);
  });

  it('logs requests without the token, with the mask summarised', async () => {
    const grid = await imagine(sb, 'a log');
    const up = await press(sb, grid.buttonMessageId, 'U1');
    const m = await mask(32, 32, () => true);
    sb.clearRequests();
    await call(sb, '/v2/button', {
      button: VARY_REGION_BUTTON,
      buttonMessageId: up.buttonMessageId,
      prompt: 'p',
      mask: m,
    });
    await call(sb, `/v2/info?foo=bar`, undefined, { auth: 'query' });
    await call(sb, '/v2/info', undefined, { auth: 'wrong' });
    await call(sb, '/v2/info', undefined, { auth: 'none' });
    const log = sb.requests();
    assert.equal(log.length, 4);
    const [vary, query, wrong, none] = log;
    assert.equal(vary!.method, 'POST');
    assert.equal(vary!.path, '/v2/button');
    assert.equal(vary!.auth, 'bearer');
    assert.equal(vary!.status, 200);
    assert.equal((vary!.body as { mask: string }).mask, `<mask: ${m.length} base64 chars>`);
    assert.deepEqual(query!.query, { foo: 'bar' });
    assert.equal(query!.auth, 'query');
    assert.equal(wrong!.auth, 'invalid');
    assert.equal(wrong!.status, 401);
    assert.equal(none!.auth, 'none');
    const served = await call(sb, '/_sandbox/requests', undefined, { auth: 'none' });
    assert.equal(served.status, 200);
    const text = JSON.stringify(served.json) + JSON.stringify(sb.requests());
    assert.ok(!text.includes('a-very-secret-token'));
    assert.ok(text.includes('<mask: '));
  });
});
