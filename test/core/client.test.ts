// TnlClient against a tiny scripted HTTP server on 127.0.0.1: base URLs, input checks, every error
// mapping (including answers the sandbox never gives), getImage's fallback, and the token's secrecy.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { inspect } from 'node:util';
import { TnlClient } from '../../src/core/tnl/client';
import { ApiError } from '../../src/core/api/errors';
import { normaliseBaseUrl } from '../../src/core/api/base-url';
import { parseRetryAfter } from '../../src/core/api/http-errors';

const TOKEN = 'tok-Secret-4f9c2a7e1b';
const ID = 'IUv6ytQhK5ORnj3xVJsI';

interface Seen {
  method: string;
  url: string;
  auth: string | undefined;
  body: string;
}
type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

let server: Server;
let base: string;
let handler: Handler;
let seen: Seen[] = [];
const logLines: string[] = [];

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function client(extra: { timeoutMs?: number; baseUrl?: string } = {}): TnlClient {
  return new TnlClient({ baseUrl: base, token: TOKEN, logger: (l) => logLines.push(l), ...extra });
}

/** The token must not be findable in any rendering of an error. */
function assertNoToken(err: unknown): void {
  assert.ok(err instanceof ApiError, `not a ApiError: ${String(err)}`);
  for (const text of [JSON.stringify(err), err.message, String(err.stack), inspect(err, { depth: 10 })]) {
    assert.equal(text.includes(TOKEN), false, `token leaked in: ${text}`);
  }
}

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (err) {
    assertNoToken(err);
    return err as ApiError;
  }
  assert.fail('expected the call to fail');
}

before(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', auth: req.headers.authorization, body });
      handler(req, res, body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  for (const line of logLines) assert.equal(line.includes(TOKEN), false, `token in log line ${line}`);
});

beforeEach(() => {
  seen = [];
  handler = (_req, res) =>
    json(res, 200, { success: true, messageId: ID, createdAt: '2023-06-20T07:06:19.998Z' });
});

describe('normaliseBaseUrl', () => {
  it('drops trailing slashes and a trailing /v2, keeping a path prefix', () => {
    const cases: Array<[string, string]> = [
      ['http://x', 'http://x'],
      ['http://x/', 'http://x'],
      ['http://x///', 'http://x'],
      ['http://x/v2', 'http://x'],
      ['http://x/v2/', 'http://x'],
      ['https://api.example/V2//', 'https://api.example'],
      ['  http://127.0.0.1:8733/tnl/v2/ ', 'http://127.0.0.1:8733/tnl'],
      ['http://x/v2x', 'http://x/v2x'],
    ];
    for (const [raw, expected] of cases) assert.equal(normaliseBaseUrl(raw), expected, raw);
  });

  it('rejects non-http schemes, garbage, credentials and queries with INVALID_CONFIG', () => {
    for (const raw of [
      'ftp://x',
      'file:///etc',
      'javascript:alert(1)',
      'x',
      '',
      'http://u:p@x',
      `http://x/?authToken=${TOKEN}`,
    ]) {
      assert.throws(
        () => normaliseBaseUrl(raw),
        (err: unknown) =>
          err instanceof ApiError && err.code === 'INVALID_CONFIG' && !err.message.includes(TOKEN),
        raw,
      );
    }
  });

  it('is applied by the client, which rejects bad options', () => {
    assert.equal(new TnlClient({ baseUrl: `${base}/v2/`, token: TOKEN }).baseUrl, base);
    for (const bad of [
      { baseUrl: 'ws://x', token: TOKEN },
      { baseUrl: base, token: '' },
      { baseUrl: base, token: 'has space' },
      { baseUrl: base, token: TOKEN, timeoutMs: 0 },
    ]) {
      assert.throws(
        () => new TnlClient(bad),
        (e: unknown) => e instanceof ApiError && e.code === 'INVALID_CONFIG',
      );
    }
  });

  it('keeps the token out of a rendered client', () => {
    const c = client();
    assert.equal(JSON.stringify(c).includes(TOKEN), false);
    assert.equal(inspect(c, { depth: 10, showHidden: true }).includes(TOKEN), false);
  });
});

describe('TnlClient requests', () => {
  it('sends imagine with the bearer header and TNL body, and returns the acknowledgement', async () => {
    const ack = await client().imagine({ prompt: 'a cat', ref: 'r1' });
    assert.deepEqual(ack, { success: true, messageId: ID, createdAt: '2023-06-20T07:06:19.998Z' });
    assert.equal(seen.length, 1);
    assert.equal(seen[0]?.method, 'POST');
    assert.equal(seen[0]?.url, '/v2/imagine');
    assert.equal(seen[0]?.auth, `Bearer ${TOKEN}`);
    assert.deepEqual(JSON.parse(seen[0]?.body ?? ''), { msg: 'a cat', ref: 'r1', webhookOverride: '' });
  });

  it('sends a Vary (Region) press with prompt and mask', async () => {
    await client().button({
      button: '🖌️ Vary (Region)',
      buttonMessageId: ID,
      prompt: 'a hat',
      mask: 'UklGR',
    });
    assert.equal(seen[0]?.url, '/v2/button');
    assert.deepEqual(JSON.parse(seen[0]?.body ?? ''), {
      button: '🖌️ Vary (Region)',
      buttonMessageId: ID,
      prompt: 'a hat',
      mask: 'UklGR',
      ref: '',
      webhookOverride: '',
    });
  });

  it('sends describe, blend, info and getMessage to their paths', async () => {
    const c = client();
    await c.describe('https://x/a.png');
    await c.blend(['https://x/a.png', 'https://x/b.png']);
    handler = (_req, res) => json(res, 200, { success: true, fastTimeRemaining: '10/10 hours' });
    assert.equal((await c.info()).fastTimeRemaining, '10/10 hours');
    handler = (_req, res) => json(res, 200, { progress: 31, progressImageUrl: null });
    assert.deepEqual(await c.getMessage(ID, { expireMins: 3 }), {
      state: 'running',
      progress: 31,
      progressImageUrl: null,
    });
    assert.deepEqual(
      seen.map((s) => `${s.method} ${s.url}`),
      ['POST /v2/describe', 'POST /v2/blend', 'GET /v2/info', `GET /v2/message/${ID}?expireMins=3`],
    );
    assert.deepEqual(JSON.parse(seen[1]?.body ?? ''), { urls: ['https://x/a.png', 'https://x/b.png'] });
  });

  it('rejects bad input with INVALID_INPUT, sent:false, without any request', async () => {
    const c = client();
    const calls: Array<() => Promise<unknown>> = [
      () => c.imagine({ prompt: '' }),
      () => c.imagine({ prompt: '   ' }),
      () => c.imagine({ prompt: 'x', webhookOverride: 'not a url' }),
      () => c.button({ button: 'U1', buttonMessageId: '' }),
      () => c.button({ button: 'U1', buttonMessageId: 'has space' }),
      () => c.button({ button: 'U1', buttonMessageId: '../../info' }),
      () => c.button({ button: 7 as unknown as string, buttonMessageId: ID }),
      () => c.button({ button: '', buttonMessageId: ID }),
      () => c.button({ button: 'U1', buttonMessageId: ID, mask: '' }),
      () => c.getMessage(''),
      () => c.getMessage('a/b'),
      () => c.getMessage(ID, { expireMins: -1 }),
      () => c.describe('nope'),
      () => c.blend(['https://x/a.png']),
      () => c.getImage('file:///etc/passwd'),
    ];
    for (const call of calls) {
      const err = await failure(call());
      assert.equal(err.code, 'INVALID_INPUT');
      assert.equal(err.sent, false);
      assert.equal(err.retryable, false);
    }
    assert.equal(seen.length, 0);
  });
});

describe('TnlClient answers the sandbox cannot give', () => {
  it('maps a 200 that is not JSON to BAD_RESPONSE', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<html>maintenance</html>');
    };
    const err = await failure(client().imagine({ prompt: 'a cat' }));
    assert.equal(err.code, 'BAD_RESPONSE');
    assert.equal(err.sent, true);
    assert.match(err.message, /POST \/v2\/imagine/);
  });

  it('maps a 2xx with success:false or without messageId to BAD_RESPONSE', async () => {
    handler = (_req, res) => json(res, 200, { success: false, msg: 'Out of credits' });
    const refused = await failure(client().button({ button: 'U1', buttonMessageId: ID }));
    assert.equal(refused.code, 'BAD_RESPONSE');
    assert.match(refused.message, /Out of credits/);
    handler = (_req, res) => json(res, 201, { success: true });
    assert.equal((await failure(client().imagine({ prompt: 'x' }))).code, 'BAD_RESPONSE');
  });

  it('reads an HTTP-date Retry-After and masks a token a server echoes back', async () => {
    handler = (_req, res) =>
      json(
        res,
        429,
        { success: false, msg: `slow down ${TOKEN}` },
        {
          'Retry-After': new Date(Date.now() + 60_000).toUTCString(),
        },
      );
    const err = await failure(client().imagine({ prompt: 'x' }));
    assert.equal(err.code, 'HTTP_429');
    assert.equal(err.retryable, true);
    assert.ok(err.retryAfterMs !== undefined && err.retryAfterMs > 30_000 && err.retryAfterMs <= 60_000);
    assert.match(err.message, /slow down \*\*\*/);
  });

  it('quotes a non-JSON error body, truncated, and keeps the query out of messages', async () => {
    handler = (_req, res) => {
      res.writeHead(503);
      res.end('x'.repeat(5000));
    };
    const err = await failure(client().getMessage(ID, { expireMins: 12 }));
    assert.equal(err.code, 'HTTP_503');
    assert.equal(err.retryable, true);
    assert.equal(err.messageId, ID);
    assert.ok(err.message.length < 400, err.message);
    assert.equal(err.message.includes('expireMins'), false);
  });

  it('does not follow a redirect with the token', async () => {
    handler = (_req, res) => {
      res.writeHead(302, { Location: 'http://127.0.0.1:1/elsewhere' });
      res.end();
    };
    const err = await failure(client().info());
    assert.equal(err.code, 'HTTP_302');
    assert.equal(seen.length, 1);
  });

  it('treats 4xx other than the prefilter as not retryable', async () => {
    handler = (_req, res) => json(res, 400, { success: false, msg: 'Invalid buttonMessageId' });
    const err = await failure(client().button({ button: 'U1', buttonMessageId: ID }));
    assert.equal(err.code, 'HTTP_400');
    assert.equal(err.status, 400);
    assert.equal(err.retryable, false);
    assert.match(err.message, /Invalid buttonMessageId/);
  });

  it('refuses an image that is JSON or empty, and one over the size cap', async () => {
    handler = (_req, res) => json(res, 200, { success: false, msg: 'no' });
    assert.equal((await failure(client().getImage(`${base}/img.png`))).code, 'BAD_RESPONSE');
    handler = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'image/png' });
      res.end();
    };
    assert.equal((await failure(client().getImage(`${base}/img.png`))).code, 'BAD_RESPONSE');
    handler = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'image/png' });
      const chunk = Buffer.alloc(1024 * 1024, 1);
      let sent = 0;
      const push = (): void => {
        while (sent < 60 && res.write(chunk)) sent++;
        if (sent >= 60) res.end();
        else res.once('drain', push);
      };
      res.on('error', () => undefined);
      push();
    };
    const big = await failure(client().getImage(`${base}/big.png`));
    assert.equal(big.code, 'BAD_RESPONSE');
    assert.match(big.message, /too large/);
  });

  it('falls back to POST /getImage on 403 without sending the token to the image URL', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    handler = (req, res) => {
      if (req.method === 'GET') {
        res.writeHead(403);
        res.end();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'image/png' });
      res.end(png);
    };
    const bytes = await client().getImage(`${base}/images/a.png?sig=abc`);
    assert.deepEqual(bytes, png);
    assert.deepEqual(
      seen.map((s) => [s.method, s.url, s.auth]),
      [
        ['GET', '/images/a.png?sig=abc', undefined],
        ['POST', '/getImage', `Bearer ${TOKEN}`],
      ],
    );
    assert.deepEqual(JSON.parse(seen[1]?.body ?? ''), { imgUrl: `${base}/images/a.png?sig=abc` });
    assert.ok(
      logLines.every((l) => !l.includes('sig=abc')),
      'image query strings stay out of the log',
    );
  });
});

describe('TnlClient transport failures', () => {
  it('times out a request that gets no answer: TIMEOUT, retryable, sent', async () => {
    handler = () => undefined;
    const started = Date.now();
    const err = await failure(client({ timeoutMs: 80 }).imagine({ prompt: 'x' }));
    assert.equal(err.code, 'TIMEOUT');
    assert.equal(err.retryable, true);
    assert.equal(err.sent, true);
    assert.ok(Date.now() - started < 5000);
  });

  it('aborts: sent:false before sending, sent:true in flight, never retryable', async () => {
    const pre = new AbortController();
    pre.abort();
    const early = await failure(client().imagine({ prompt: 'x' }, { signal: pre.signal }));
    assert.equal(early.code, 'ABORTED');
    assert.equal(early.sent, false);
    assert.equal(seen.length, 0);

    handler = () => undefined;
    const mid = new AbortController();
    const pending = client().imagine({ prompt: 'x' }, { signal: mid.signal });
    setTimeout(() => mid.abort(), 50);
    const late = await failure(pending);
    assert.equal(late.code, 'ABORTED');
    assert.equal(late.sent, true);
    assert.equal(late.retryable, false);
  });

  it('maps a refused connection to NETWORK, sent:false, and a reset to NETWORK, sent:true', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const refused = await failure(
      new TnlClient({ baseUrl: `http://127.0.0.1:${port}`, token: TOKEN }).info(),
    );
    assert.equal(refused.code, 'NETWORK');
    assert.equal(refused.sent, false);
    assert.equal(refused.retryable, true);

    handler = (req) => req.socket.destroy();
    const reset = await failure(client().imagine({ prompt: 'x' }));
    assert.equal(reset.code, 'NETWORK');
    assert.equal(reset.sent, true);
  });

  it('logs method, path, outcome and duration, and survives a throwing logger', async () => {
    logLines.length = 0;
    await client()
      .getMessage(ID, { expireMins: 5 })
      .catch(() => undefined);
    assert.equal(logLines.length, 1);
    assert.match(logLines[0] ?? '', new RegExp(`^GET /v2/message/${ID} 200 \\d+ms$`));
    const loud = new TnlClient({
      baseUrl: base,
      token: TOKEN,
      logger: () => {
        throw new Error('logger down');
      },
    });
    assert.equal((await loud.imagine({ prompt: 'x' })).messageId, ID);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates, and ignores garbage', () => {
    const now = Date.parse('2024-01-01T00:00:00Z');
    assert.equal(parseRetryAfter('3', now), 3000);
    assert.equal(parseRetryAfter('1.5', now), 1500);
    assert.equal(parseRetryAfter('Mon, 01 Jan 2024 00:00:10 GMT', now), 10_000);
    assert.equal(parseRetryAfter('Sun, 31 Dec 2023 23:00:00 GMT', now), 0);
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter(undefined, now), undefined);
  });
});
