// TnlClient against the real sandbox over HTTP on 127.0.0.1: every message state, every error code
// the sandbox can provoke, base URL forms, image downloads with the /getImage fallback, and that the
// token never shows up in an error or a log line.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { inspect } from 'node:util';
import { Jimp } from 'jimp';
import { startSandbox, type Sandbox } from '../../src/core/sandbox/server';
import { TnlClient } from '../../src/core/tnl/client';
import { ApiError } from '../../src/core/api/errors';
import { VARY_REGION_BUTTON, type MessageState, type TnlResult } from '../../src/core/tnl/types';

const TOKEN = 'sbx-Token-9d8e7f6a5b4c';
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

let sandbox: Sandbox;
let tnl: TnlClient;
const logLines: string[] = [];

function makeClient(extra: { timeoutMs?: number; baseUrl?: string; token?: string } = {}): TnlClient {
  return new TnlClient({ baseUrl: sandbox.url, token: TOKEN, logger: (l) => logLines.push(l), ...extra });
}

function assertNoToken(err: unknown): asserts err is ApiError {
  assert.ok(err instanceof ApiError, `not a ApiError: ${inspect(err)}`);
  for (const text of [JSON.stringify(err), err.message, String(err.stack), inspect(err, { depth: 10 })]) {
    assert.equal(text.includes(TOKEN), false, `token leaked in: ${text}`);
  }
}

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (err) {
    assertNoToken(err);
    return err;
  }
  assert.fail('expected the call to fail');
}

/** Polls until `done` says so, returning every state seen; bounded so a broken sandbox cannot hang us. */
async function pollUntil(
  messageId: string,
  done: (s: MessageState) => boolean,
  opts: { expireMins?: number } = {},
): Promise<MessageState[]> {
  const seen: MessageState[] = [];
  const deadline = Date.now() + 8000;
  while (Date.now() < deadline) {
    const state = await tnl.getMessage(messageId, opts);
    seen.push(state);
    if (done(state)) return seen;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail(`no matching state for ${messageId}; last: ${JSON.stringify(seen.at(-1))}`);
}

async function finished(messageId: string): Promise<TnlResult> {
  const last = (await pollUntil(messageId, (s) => s.state === 'done' || s.state === 'failed')).at(-1);
  assert.ok(last?.state === 'done', `expected done, got ${JSON.stringify(last)}`);
  return last.result;
}

async function withFaults<T>(faults: Parameters<Sandbox['configure']>[0], run: () => Promise<T>): Promise<T> {
  sandbox.configure(faults);
  try {
    return await run();
  } finally {
    sandbox.configure({ faults: {}, rateLimit: false, refuseDirectImages: false });
  }
}

before(async () => {
  sandbox = await startSandbox({ port: 0, token: TOKEN, stepMs: 5, minuteMs: 100, imageSize: 64 });
  tnl = makeClient();
});

after(async () => {
  await sandbox.close();
  assert.ok(logLines.length > 10, 'the logger saw the traffic');
  for (const line of logLines) assert.equal(line.includes(TOKEN), false, `token in log line: ${line}`);
});

describe('TnlClient against the sandbox: message states', () => {
  it('follows an imagine from acknowledgement to a done result, progress never going back', async () => {
    const ack = await tnl.imagine({ prompt: 'a red fox in snow', ref: 'fox-1' });
    assert.equal(ack.success, true);
    assert.match(ack.messageId, /^[A-Za-z0-9]{20}$/);
    assert.ok(!Number.isNaN(Date.parse(ack.createdAt)));
    const seen = await pollUntil(ack.messageId, (s) => s.state === 'done' || s.state === 'failed');
    const progresses = seen.map((s) => ('progress' in s ? s.progress : -1));
    assert.deepEqual(
      progresses,
      [...progresses].sort((a, b) => a - b),
      'progress is monotonic',
    );
    const last = seen.at(-1);
    assert.ok(last?.state === 'done');
    assert.equal(last.result.originatingMessageId, ack.messageId);
    assert.equal(last.result.ref, 'fox-1');
    assert.equal(last.result.type, 'imagine');
    assert.match(last.result.content, /red fox/);
    assert.ok(last.result.buttons?.includes('U1'));
    assert.equal(last.result.imageUrls?.length, 4);
    assert.notEqual(last.result.buttonMessageId, ack.messageId);
  });

  it('shows a job that never starts as queued at 0', async () => {
    const ack = await tnl.imagine({ prompt: 'patience --sandbox-never' });
    await new Promise((r) => setTimeout(r, 60));
    assert.deepEqual(await tnl.getMessage(ack.messageId), { state: 'queued', progress: 0 });
  });

  it("shows Midjourney's JOB_QUEUED phase as queued with the code, then finishes", async () => {
    const ack = await tnl.imagine({ prompt: 'busy hour --sandbox-queued' });
    const seen = await pollUntil(ack.messageId, (s) => s.state === 'done');
    assert.ok(
      seen.some((s) => s.state === 'queued' && s.code === 'JOB_QUEUED'),
      JSON.stringify(seen.map((s) => s.state)),
    );
  });

  it('shows a running job with its progress and preview URL', async () => {
    const ack = await tnl.imagine({ prompt: 'halfway --sandbox-stall 46' });
    const last = (await pollUntil(ack.messageId, (s) => s.state === 'running' && s.progress === 46)).at(-1);
    assert.ok(last?.state === 'running');
    assert.ok(last.progressImageUrl === null || /^http:\/\/127\.0\.0\.1:/.test(last.progressImageUrl));
  });

  it('reports a result code as failed with that code', async () => {
    const ack = await tnl.imagine({ prompt: 'a cat --sandbox-fail BANNED_PROMPT' });
    const last = (await pollUntil(ack.messageId, (s) => s.state === 'failed' || s.state === 'done')).at(-1);
    assert.ok(last?.state === 'failed');
    assert.equal(last.code, 'BANNED_PROMPT');
    assert.equal(last.result.imageUrl, undefined);
  });

  it('reports incomplete once expireMins passed without a result', async () => {
    const ack = await tnl.imagine({ prompt: 'stuck --sandbox-stall 31' });
    const seen = await pollUntil(ack.messageId, (s) => s.state === 'incomplete', { expireMins: 1 });
    assert.ok(seen.length >= 1);
    assert.equal(seen.at(-1)?.state, 'incomplete');
  });

  it('runs the Vary (Region) round trip: imagine, U1, then a masked repaint', async () => {
    const grid = await finished((await tnl.imagine({ prompt: 'a lighthouse' })).messageId);
    assert.ok(grid.buttonMessageId);
    const upscale = await finished(
      (await tnl.button({ button: 'U1', buttonMessageId: grid.buttonMessageId })).messageId,
    );
    assert.ok(upscale.buttons?.includes(VARY_REGION_BUTTON));
    assert.ok(upscale.buttonMessageId && upscale.imageUrl);
    const size = (await Jimp.read(await tnl.getImage(upscale.imageUrl))).width;
    const mask = new Jimp({ width: size, height: size, color: 0x000000ff });
    mask.scan(0, 0, Math.floor(size / 2), Math.floor(size / 2), (_x, _y, idx) => {
      mask.bitmap.data.fill(0xff, idx, idx + 4);
    });
    const base64 = (await mask.getBuffer('image/png')).toString('base64');
    const varied = await finished(
      (
        await tnl.button({
          button: VARY_REGION_BUTTON,
          buttonMessageId: upscale.buttonMessageId,
          prompt: 'a lighthouse with a red roof',
          mask: base64,
        })
      ).messageId,
    );
    assert.equal(varied.imageUrls?.length, 4);
    const log = sandbox.requests().filter((r) => r.path === '/v2/button');
    assert.ok(log.every((r) => r.auth === 'bearer'));
    assert.ok(!JSON.stringify(log).includes(base64), 'the mask body was summarised by the sandbox');
  });
});

describe('TnlClient against the sandbox: errors', () => {
  it('maps the prefilter to PREFILTER with TNL message', async () => {
    const err = await failure(tnl.imagine({ prompt: 'a forbiddenword cat' }));
    assert.equal(err.code, 'PREFILTER');
    assert.equal(err.status, 400);
    assert.equal(err.retryable, false);
    assert.match(err.message, /Invalid phrase: 'forbiddenword'/);
  });

  it('maps a bad token to HTTP_401 and an unknown message to HTTP_404 with its id', async () => {
    const wrong = await failure(makeClient({ token: 'not-the-token' }).imagine({ prompt: 'x' }));
    assert.equal(wrong.code, 'HTTP_401');
    assert.equal(wrong.retryable, false);
    const missing = await failure(tnl.getMessage('AAAAAAAAAAAAAAAAAAAA'));
    assert.equal(missing.code, 'HTTP_404');
    assert.equal(missing.messageId, 'AAAAAAAAAAAAAAAAAAAA');
    assert.match(missing.message, /GET \/v2\/message\/AAAAAAAAAAAAAAAAAAAA/);
  });

  it('maps the rate limit to HTTP_429 with retryAfterMs', async () => {
    await withFaults({ rateLimit: { submitPerWindow: 1, submitWindowMs: 3000 } }, async () => {
      await tnl.imagine({ prompt: 'first' });
      const err = await failure(tnl.imagine({ prompt: 'second' }));
      assert.equal(err.code, 'HTTP_429');
      assert.equal(err.retryable, true);
      assert.ok(
        err.retryAfterMs !== undefined && err.retryAfterMs >= 1000 && err.retryAfterMs <= 3000,
        String(err.retryAfterMs),
      );
    });
  });

  it('maps server errors to retryable HTTP_500/HTTP_502', async () => {
    await withFaults({ faults: { errorRate: 1 } }, async () => {
      const codes = new Set<string>();
      for (let i = 0; i < 4; i++) {
        const err = await failure(tnl.info());
        assert.ok(err.code === 'HTTP_500' || err.code === 'HTTP_502', err.code);
        assert.equal(err.retryable, true);
        assert.equal(err.sent, true);
        codes.add(err.code);
      }
      assert.equal(codes.size, 2, 'both 500 and 502 came back');
    });
  });

  it('maps a dropped connection to NETWORK with sent:true', async () => {
    await withFaults({ faults: { dropRate: 1 } }, async () => {
      const err = await failure(tnl.imagine({ prompt: 'x' }));
      assert.equal(err.code, 'NETWORK');
      assert.equal(err.sent, true);
      assert.equal(err.retryable, true);
    });
  });

  it('maps a hung request to TIMEOUT, and an aborted one to ABORTED', async () => {
    await withFaults({ faults: { hangRate: 1 } }, async () => {
      const timedOut = await failure(makeClient({ timeoutMs: 100 }).imagine({ prompt: 'x' }));
      assert.equal(timedOut.code, 'TIMEOUT');
      assert.equal(timedOut.retryable, true);
      assert.equal(timedOut.sent, true);
      const controller = new AbortController();
      const pending = tnl.getMessage('AAAAAAAAAAAAAAAAAAAA', { signal: controller.signal });
      setTimeout(() => controller.abort(), 50);
      const aborted = await failure(pending);
      assert.equal(aborted.code, 'ABORTED');
      assert.equal(aborted.retryable, false);
      assert.equal(aborted.messageId, 'AAAAAAAAAAAAAAAAAAAA');
    });
  });

  it('maps a refused port to NETWORK with sent:false', async () => {
    const gone = createServer();
    await new Promise<void>((r) => gone.listen(0, '127.0.0.1', r));
    const port = (gone.address() as AddressInfo).port;
    await new Promise<void>((r) => gone.close(() => r()));
    const err = await failure(makeClient({ baseUrl: `http://127.0.0.1:${port}` }).imagine({ prompt: 'x' }));
    assert.equal(err.code, 'NETWORK');
    assert.equal(err.sent, false);
  });
});

describe('TnlClient against the sandbox: base URLs and images', () => {
  it('accepts base URLs with /v2/ or extra slashes, and rejects other schemes', async () => {
    for (const form of [`${sandbox.url}/v2/`, `${sandbox.url}///`, `${sandbox.url}/v2`]) {
      const c = makeClient({ baseUrl: form });
      assert.equal(c.baseUrl, sandbox.url);
      assert.equal((await c.info()).success, true);
    }
    assert.throws(
      () => makeClient({ baseUrl: sandbox.url.replace('http', 'ftp') }),
      (e: unknown) => e instanceof ApiError && e.code === 'INVALID_CONFIG',
    );
  });

  it('downloads a result image directly, then through /getImage when direct downloads are refused', async () => {
    const result = await finished((await tnl.imagine({ prompt: 'a blue boat' })).messageId);
    assert.ok(result.imageUrl);
    const direct = await tnl.getImage(result.imageUrl);
    assert.deepEqual(direct.subarray(0, 8), PNG_SIGNATURE);
    await withFaults({ refuseDirectImages: true }, async () => {
      sandbox.clearRequests();
      const viaFallback = await tnl.getImage(result.imageUrl as string);
      assert.deepEqual(viaFallback, direct);
      const log = sandbox.requests().map((r) => `${r.method} ${r.path} ${r.status} ${r.auth}`);
      assert.deepEqual(log.slice(-2), [
        `GET ${new URL(result.imageUrl as string).pathname} 403 none`,
        'POST /getImage 200 bearer',
      ]);
    });
  });

  it('maps an unknown image to HTTP_404 from the fallback', async () => {
    const err = await failure(tnl.getImage(`${sandbox.url}/images/nothing-here.png`));
    assert.equal(err.code, 'HTTP_404');
    assert.match(err.message, /POST \/getImage/);
  });
});
