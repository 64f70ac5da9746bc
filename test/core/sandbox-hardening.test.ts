// The sandbox under hostile input: the token checked before a body is read, body ceilings per
// endpoint, a request log of small summaries with webhook URLs cut to their origin, and Vary (Region)
// masks refused by their declared size before anything is decoded.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startSandbox, type Sandbox } from '../../src/core/sandbox/server';
import { VARY_REGION_BUTTON } from '../../src/core/tnl/types';
import {
  bombPng,
  call,
  imagine,
  mjCall,
  mjFinal,
  mjImagine,
  customIdOf,
  mjPress,
  press,
  type Loose,
} from '../support/sandbox-http';

/** Sends raw request bytes and resolves with what comes back before the server closes. */
function raw(sb: Sandbox, head: string, body?: Buffer): Promise<{ answer: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect(sb.port, '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve({ answer, closed: true }));
    // A server that waits for the promised body never answers: give up rather than hang the suite.
    const giveUp = setTimeout(() => {
      resolve({ answer, closed: false });
      socket.destroy();
    }, 10_000);
    socket.on('close', () => clearTimeout(giveUp));
    socket.write(head);
    if (body) socket.write(body);
  });
}

/** A request whose headers promise `declared` bytes, of which only a few are ever sent. */
function promiseBigBody(path: string, declared: number, headers: string): string {
  return (
    `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${declared}\r\n${headers}\r\n{"msg":"`
  );
}

describe('sandbox hardening', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox({ stepMs: 5, imageSize: 64 });
  });
  after(() => sb.close());

  describe('token before body', () => {
    for (const [path, statusLine] of [
      ['/v2/imagine', 'HTTP/1.1 401'],
      ['/mj/submit/imagine', 'HTTP/1.1 401'],
    ] as const) {
      it(`${path}: an unauthenticated 29 MB body is answered 401 without being sent, and the connection closed`, async () => {
        // Only the headers and a few bytes go out: an answer can only come if the body was never waited for.
        const { answer, closed } = await raw(sb, promiseBigBody(path, 29 * 1024 * 1024, ''));
        assert.ok(answer.startsWith(statusLine), answer.slice(0, 80));
        assert.match(answer, /connection: close/i);
        assert.equal(closed, true);
      });
    }

    it('a body declared over the endpoint ceiling is refused 413 unread, even with the token', async () => {
      const { answer } = await raw(
        sb,
        promiseBigBody('/v2/imagine', 1024 * 1024, `Authorization: Bearer ${sb.token}\r\n`),
      );
      assert.ok(answer.startsWith('HTTP/1.1 413'), answer.slice(0, 80));
      const mj = await raw(
        sb,
        promiseBigBody('/mj/submit/imagine', 9 * 1024 * 1024, `mj-api-secret: ${sb.token}\r\n`),
      );
      assert.ok(mj.answer.startsWith('HTTP/1.1 413'), mj.answer.slice(0, 80));
    });

    it('a chunked body that grows past the ceiling is cut off with 413', async () => {
      const head =
        `POST /v2/imagine HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${sb.token}\r\n` +
        'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n';
      const chunk = Buffer.alloc(32 * 1024, 'a');
      const chunks = Buffer.concat(
        Array.from({ length: 4 }, () =>
          Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]),
        ),
      );
      const { answer } = await raw(sb, head, chunks);
      assert.ok(answer.startsWith('HTTP/1.1 413'), answer.slice(0, 80));
    });

    it('ceilings follow the endpoint: a mask-carrying press takes a body a prompt may not', async () => {
      const big = 'a'.repeat(200 * 1024);
      assert.equal((await call(sb, '/v2/imagine', { msg: big })).status, 413);
      // The same size as a mask is read (and refused by the API for what it is, not for its size).
      const grid = await imagine(sb, 'a field');
      const pressed = await call(sb, '/v2/button', {
        button: 'U1',
        buttonMessageId: grid.buttonMessageId,
        mask: big,
      });
      assert.equal(pressed.status, 200);
    });
  });

  describe('request log', () => {
    it('keeps summaries: long texts clipped, pictures as their length, webhook URLs as their origin', async () => {
      sb.clearRequests();
      const secretHook = 'http://127.0.0.1:9/hooks/nextleg/webhook/cfg/very-secret-path?key=also-secret';
      await call(sb, '/v2/imagine', { msg: `a ${'long '.repeat(4000)}prompt`, webhookOverride: secretHook });
      await mjCall(sb, '/mj/submit/imagine', {
        prompt: 'a cat',
        notifyHook: secretHook,
        base64Array: [`data:image/png;base64,${'A'.repeat(50_000)}`],
      });
      await call(sb, `/v2/info?webhookOverride=${encodeURIComponent(secretHook)}`);
      const log = sb.requests();
      const served = (await call(sb, '/_sandbox/requests', undefined, { auth: 'none' })).json;
      const text = JSON.stringify(log) + JSON.stringify(served);
      for (const secret of ['very-secret-path', 'also-secret', sb.token])
        assert.ok(!text.includes(secret), secret);
      const [tnl, mj, query] = log as Loose[];
      assert.equal(tnl.body.webhookOverride, 'http://127.0.0.1:9/…');
      assert.ok(tnl.body.msg.length < 300, 'the prompt is clipped');
      assert.match(tnl.body.msg, /<\d+ chars>$/);
      assert.equal(mj.body.notifyHook, 'http://127.0.0.1:9/…');
      assert.deepEqual(mj.body.base64Array, [`<picture: ${22 + 50_000} chars>`]);
      assert.equal(query.query.webhookOverride, 'http://127.0.0.1:9/…');
      for (const entry of log) assert.ok(JSON.stringify(entry).length < 2000, 'every entry is small');
    });

    it('unauthenticated requests are logged without their bodies', async () => {
      sb.clearRequests();
      await call(sb, '/v2/imagine', { msg: 'a secret prompt' }, { auth: 'none' });
      const [entry] = sb.requests();
      assert.equal(entry?.status, 401);
      assert.equal(entry?.auth, 'none');
      assert.equal(entry?.body, undefined);
    });
  });

  describe('masks checked by their declared size', () => {
    const rssGrowthMb = async (work: () => Promise<void>): Promise<number> => {
      const before = process.memoryUsage().rss;
      await work();
      return (process.memoryUsage().rss - before) / 1048576;
    };

    it('/v2: a few dozen bytes declaring 30000x30000 fail INVALID_PARAMETER without the memory', async () => {
      const grid = await imagine(sb, 'a bomb site');
      const up = await press(sb, grid.buttonMessageId, 'U1');
      const bomb = bombPng(30000, 30000);
      assert.ok(bomb.length < 100);
      let result: Loose;
      const growth = await rssGrowthMb(async () => {
        result = await press(sb, up.buttonMessageId, VARY_REGION_BUTTON, {
          prompt: 'a crater',
          mask: bomb.toString('base64'),
        });
      });
      assert.equal(result.content, 'INVALID_PARAMETER');
      // Decoding would have taken 3.6 GB for the bitmap alone.
      assert.ok(growth < 200, `RSS grew ${growth.toFixed(0)} MB`);
    });

    it('/v2: a mask with a side over 4096 pixels is refused before decoding, whatever its shape', async () => {
      const grid = await imagine(sb, 'a wide bomb');
      const up = await press(sb, grid.buttonMessageId, 'U1');
      const result = await press(sb, up.buttonMessageId, VARY_REGION_BUTTON, {
        prompt: 'p',
        mask: bombPng(5000, 5000).toString('base64'),
      });
      assert.equal(result.content, 'INVALID_PARAMETER');
    });

    it('/mj: the same bomb through the modal fails the task, worded as an invalid parameter', async () => {
      const grid = await mjImagine(sb, 'a bomb site');
      const upscale = await mjPress(sb, grid, 'U1');
      const opened = await mjCall(sb, '/mj/submit/action', {
        taskId: upscale.id,
        customId: customIdOf(upscale, 'Vary (Region)'),
      });
      const growth = await rssGrowthMb(async () => {
        const modal = await mjCall(sb, '/mj/submit/modal', {
          taskId: opened.json.result,
          prompt: 'a crater',
          maskBase64: `data:image/png;base64,${bombPng(30000, 30000).toString('base64')}`,
        });
        assert.equal(modal.json.code, 1);
      });
      const task = await mjFinal(sb, opened.json.result);
      assert.equal(task.status, 'FAILURE');
      assert.match(task.failReason, /^Invalid parameter, /);
      assert.ok(growth < 200, `RSS grew ${growth.toFixed(0)} MB`);
    });
  });
});
