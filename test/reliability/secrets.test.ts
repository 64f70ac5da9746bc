// The API token stays secret through every success and error path with logging at every level
// (log lines, node statuses, msgs, msg.error), on either API; it travels in exactly one header, the
// one the API reads (on midjourney-proxy a second one would be read instead by trueai), never to a
// picture's host; and a msg cannot redirect requests or change their auth.
import assert from 'node:assert/strict';
import http from 'node:http';
import { inspect } from 'node:util';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { startSandbox, type Sandbox } from '../../src/core/sandbox/server';
import { single } from '../flows/api-flows';
import { DIALECTS, MJP, type Dialect } from '../support/dialects';
import { helper, loadFlow, stopNodeRed, type Msg } from '../support/node-red';
import { watchRequests, type RequestWatch } from '../support/requests-started';

const TOKEN = 'tnl-SECRET-token-3f9a1c77';
const WRONG_TOKEN = 'wrong-SECRET-token-88d2e4';
const SECRETS = [TOKEN, WRONG_TOKEN];

let sandbox: Sandbox;
/** A server that must never be called: a msg tries to send requests here. */
let sink: http.Server;
let sinkUrl = '';
const sinkHits: string[] = [];
/** Every request the nodes start to the sandbox, with where it carried the token. */
let started: RequestWatch;

before(async () => {
  sandbox = await startSandbox({ stepMs: 5, minuteMs: 60_000, token: TOKEN });
  sink = http.createServer((req, res) => {
    sinkHits.push(`${req.method} ${req.url}`);
    res.end('{}');
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  sinkUrl = `http://127.0.0.1:${(sink.address() as { port: number }).port}`;
});
after(async () => {
  await sandbox.close();
  await new Promise((resolve) => sink.close(resolve));
});

/** Everything a node showed the outside world during one case. */
interface Seen {
  out: Msg[];
  caught: Msg[];
  statuses: unknown[];
  logs: unknown[];
}

async function run(
  d: Dialect,
  type: string,
  props: Record<string, unknown>,
  input: Msg,
  token = TOKEN,
  configExtra: Record<string, unknown> = {},
): Promise<Seen> {
  await loadFlow(
    single(sandbox.url, type, { progressOutput: true, ...props }, { ...d.config, ...configExtra }),
    token,
  );
  const seen: Seen = { out: [], caught: [], statuses: [], logs: [] };
  for (const id of ['dut', 'cfg']) {
    helper.getNode(id).on('call:status', (call: { args: unknown[] }) => seen.statuses.push(call.args));
  }
  helper.getNode('out').on('input', (m: Msg) => seen.out.push(m));
  helper.getNode('progress').on('input', (m: Msg) => seen.out.push(m));
  const ended = new Promise<void>((resolve) => {
    helper.getNode('out').on('input', () => resolve());
    helper.getNode('caught').on('input', (m: Msg) => {
      seen.caught.push(m);
      resolve();
    });
  });
  helper.getNode('dut').receive(input);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([ended, new Promise((r) => (timer = setTimeout(r, 10_000)))]);
  clearTimeout(timer);
  // Let late status and log calls land.
  await new Promise((r) => setTimeout(r, 50));
  seen.logs = helper.log().args;
  return seen;
}

function assertNoSecret(seen: Seen): void {
  const text = inspect(seen, { depth: 12, maxArrayLength: null, maxStringLength: null, getters: true });
  const json = JSON.stringify(seen, (_k, v: unknown) => (Buffer.isBuffer(v) ? undefined : v));
  for (const secret of SECRETS) {
    assert.ok(!text.includes(secret), `the token is in what the node showed:\n${text.slice(0, 2000)}`);
    assert.ok(!json.includes(secret), 'the token is in a msg');
  }
  // Not fooled by an empty capture: the client's debug lines were recorded.
  assert.ok(seen.logs.length > 0, 'no log line was captured');
}

/**
 * Each request to the API carried the token in `header` alone, never in its path or query; each
 * picture download carried it nowhere. Asserts that there were API requests at all.
 */
function assertTokenPlacement(d: Dialect, header: string): void {
  const requests = started.since(0);
  const api = requests.filter((r) => d.isApiCall(r));
  assert.ok(api.length > 0, 'no request to the API was seen');
  for (const r of api) {
    assert.deepEqual(
      r.tokenHeaders,
      [header],
      `${r.method} ${r.path} carried the token in ${r.tokenHeaders}`,
    );
    assert.equal(r.tokenInPath, false, `${r.method} ${r.path} carried the token in its URL`);
  }
  for (const r of requests.filter((q) => q.path.startsWith('/images/'))) {
    assert.deepEqual(r.tokenHeaders, [], `the picture ${r.path} was fetched with the token`);
  }
}

for (const d of DIALECTS) {
  describe(`${d.name}: the token never leaves the config node`, () => {
    beforeEach(() => {
      sandbox.configure({ faults: {}, rateLimit: false });
      sandbox.clearRequests();
      started = watchRequests(sandbox.url, { secret: TOKEN });
      return helper.startServer();
    });
    afterEach(async () => {
      started.stop();
      sandbox.configure({ faults: {}, rateLimit: false });
      await stopNodeRed();
    });

    it('on success, with the image downloaded and progress reported', async () => {
      const seen = await run(
        d,
        'nextleg-imagine-result',
        { upscale: 'U2', downloadImage: true },
        { payload: 'a fox' },
      );
      assert.equal(seen.caught.length, 0);
      assert.ok(seen.out.some((m) => Buffer.isBuffer(m.image)));
      assertTokenPlacement(d, d.tokenHeader);
      const debugLines = seen.logs.filter((args) => inspect(args).includes(d.pathPrefix));
      assert.ok(debugLines.length > 0, 'the client logged no request: logging at debug level is not on');
      assertNoSecret(seen);
      // The check itself finds a token wherever it hides.
      assert.throws(() => assertNoSecret({ ...seen, statuses: [{ text: `x ${TOKEN}` }] }));
      assert.throws(() => assertNoSecret({ ...seen, logs: [[new Error(`at ${TOKEN}`)]] }));
    });

    const failures: Array<[string, string, Record<string, unknown>, Msg, string]> = [
      ['a refused prompt', 'nextleg-imagine-result', {}, { payload: 'a forbiddenword' }, d.codes.prefilter],
      [
        'a failed job',
        'nextleg-imagine-result',
        {},
        { payload: 'x --sandbox-fail BANNED_PROMPT' },
        'BANNED_PROMPT',
      ],
      ['an unknown job', 'nextleg-get-message', {}, { messageId: d.unknownId }, d.codes.unknownJob],
      [
        'an unknown button message',
        'nextleg-button',
        {},
        { button: 'U1', buttonMessageId: d.unknownId },
        d.codes.unknownParent,
      ],
      [
        'an undecodable mask',
        'nextleg-vary-region',
        { prompt: 'p' },
        { buttonMessageId: d.unknownId, mask: 'aGVsbG8=' },
        'INVALID_INPUT',
      ],
      [
        'a stall',
        'nextleg-imagine-result',
        { stallTimeout: 0.003 },
        { payload: 'x --sandbox-stall 30' },
        'STALLED',
      ],
    ];
    for (const [name, type, props, input, code] of failures) {
      it(`on ${name} (${code})`, async () => {
        const seen = await run(d, type, props, input);
        assert.equal(seen.caught[0]?.error?.code, code);
        assertNoSecret(seen);
      });
    }

    it(`on a wrong token (${d.codes.badToken})`, async () => {
      const seen = await run(d, 'nextleg-imagine-result', {}, { payload: 'a cat' }, WRONG_TOKEN);
      assert.equal(seen.caught[0]?.error?.code, d.codes.badToken);
      assertNoSecret(seen);
    });

    it('on a submit whose answer is lost (HTTP_500) and a cut connection (NETWORK)', async () => {
      sandbox.configure({ faults: { failAfterAcceptRate: 1, only: 'submit' } });
      const first = await run(d, 'nextleg-imagine-result', {}, { payload: 'a cat' });
      await stopNodeRed();
      await helper.startServer();
      const second = await run(d, 'nextleg-imagine-result', {}, { payload: 'a dog' });
      assert.deepEqual([first.caught[0]?.error?.code, second.caught[0]?.error?.code].sort(), [
        'HTTP_500',
        'NETWORK',
      ]);
      assertNoSecret(first);
      assertNoSecret(second);
    });

    it('on a token from an environment variable that is not set (NO_TOKEN)', async () => {
      const seen = await run(
        d,
        'nextleg-imagine-result',
        {},
        { payload: 'a cat' },
        '${NEXTLEG_TEST_UNSET_VARIABLE}',
      );
      assert.equal(seen.caught[0]?.error?.code, 'NO_TOKEN');
      assertNoSecret(seen);
    });
  });

  describe(`${d.name}: a msg cannot redirect requests or change their auth`, () => {
    beforeEach(() => {
      sandbox.clearRequests();
      sinkHits.length = 0;
      started = watchRequests(sandbox.url, { secret: TOKEN });
      return helper.startServer();
    });
    afterEach(() => {
      started.stop();
      return stopNodeRed();
    });

    const hostile = (): Msg => ({
      baseUrl: sinkUrl,
      url: `${sinkUrl}${d.pathPrefix}submit/imagine`,
      headers: { Authorization: 'Bearer other-token', 'mj-api-secret': 'other-token', Host: 'elsewhere' },
      token: 'other-token',
      authToken: 'other-token',
      credentials: { token: 'other-token' },
      webhookOverride: `${sinkUrl}/hook`,
      notifyHook: `${sinkUrl}/hook`,
    });

    const cases: Array<[string, string, Record<string, unknown>, Msg]> = [
      ['imagine-result', 'nextleg-imagine-result', {}, { payload: 'a calm sea' }],
      ['get-message', 'nextleg-get-message', {}, { messageId: d.unknownId }],
      ['button', 'nextleg-button', {}, { button: 'U1', buttonMessageId: d.unknownId }],
    ];
    for (const [name, type, props, input] of cases) {
      it(`${name}: requests go to the configured URL with the configured token only`, async () => {
        const seen = await run(d, type, props, { ...hostile(), ...input });
        assert.ok(seen.out.length + seen.caught.length > 0, 'the node never answered');
        const api = sandbox.requests().filter(d.isApiCall);
        assert.ok(api.length > 0, 'nothing reached the configured sandbox');
        assert.ok(api.every(d.authenticated), 'a request used another credential');
        assertTokenPlacement(d, d.tokenHeader);
        await new Promise((r) => setTimeout(r, 100));
        assert.deepEqual(sinkHits, [], 'a msg redirected a request');
        const submit = api.find((r) => r.method === 'POST');
        if (submit) {
          assert.ok(
            !JSON.stringify(submit.body ?? {}).includes(sinkUrl),
            'a msg set where results are pushed',
          );
        }
      });
    }
  });
}

describe('midjourney-proxy only: the token behind a new-api relay', () => {
  const relayAccount = { authScheme: 'bearer' };
  beforeEach(() => {
    sandbox.configure({ midjourneyProxy: { relay: { statusEmptyMs: 30 } } });
    sandbox.clearRequests();
    started = watchRequests(sandbox.url, { secret: TOKEN });
    return helper.startServer();
  });
  afterEach(async () => {
    started.stop();
    sandbox.configure({ midjourneyProxy: {} });
    await stopNodeRed();
  });

  it('travels in Authorization alone, never also in mj-api-secret, and nowhere the flow sees', async () => {
    const seen = await run(
      MJP,
      'nextleg-imagine-result',
      { upscale: 'U1', downloadImage: true },
      { payload: 'a relay at dusk' },
      TOKEN,
      relayAccount,
    );
    assert.equal(seen.caught.length, 0, JSON.stringify(seen.caught[0]?.error));
    assertTokenPlacement(MJP, 'authorization');
    assert.ok(
      sandbox
        .requests()
        .filter(MJP.isApiCall)
        .every((r) => r.auth === 'bearer'),
    );
    assertNoSecret(seen);
  });

  it("a wrong token is the relay's 401, and the token is in nothing the flow sees", async () => {
    const seen = await run(
      MJP,
      'nextleg-imagine-result',
      {},
      { payload: 'a cat' },
      WRONG_TOKEN,
      relayAccount,
    );
    assert.equal(seen.caught[0]?.error?.code, 'HTTP_401');
    assertNoSecret(seen);
  });

  it("plus's banned word refused at submit (code 24) names the word, not the token", async () => {
    sandbox.configure({ midjourneyProxy: { flavour: 'plus' } });
    const seen = await run(MJP, 'nextleg-imagine-result', {}, { payload: 'a bannedword garden' });
    assert.equal(seen.caught[0]?.error?.code, 'BANNED_PROMPT');
    assert.match(seen.caught[0]?.error?.message, /bannedword/);
    assertNoSecret(seen);
  });
});
