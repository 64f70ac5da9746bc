// One result path, on either API: the same table of sandbox outcomes runs through polling and
// through the webhook (its fallback poll far slower than the test, so the webhook is what finishes
// the job), and what reaches the flow is the same: the same result fields on the output, or the same
// code at the Catch node. A pushed body whose fields have the wrong types is read exactly as the
// same body polled (a stand-in API serves it, as the sandbox never sends one).
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { ConfigurablePatch } from '../../src/core/sandbox/options';
import { startSandbox, type Sandbox } from '../../src/core/sandbox/server';
import { config } from '../flows/api-flows';
import { WEBHOOK_SECRET } from '../flows/webhook-flows';
import { DIALECTS, MJP, TNL, type Dialect } from '../support/dialects';
import { eventually, helper, recorder, sleep, stopNodeRed, type Msg } from '../support/node-red';
import { mask, type Loose } from '../support/sandbox-http';
import { HOOK_ROOT, helperUrl, loadServingHooks, postJson } from '../support/webhook-runtime';

let sandbox: Sandbox;

before(async () => {
  sandbox = await startSandbox({ stepMs: 5, imageSize: 64 });
  helper.settings({ httpNodeRoot: HOOK_ROOT });
});
after(() => sandbox.close());
beforeEach(() => helper.startServer());
afterEach(async () => {
  sandbox.configure({ midjourneyProxy: {} });
  await stopNodeRed();
});

const PATHS = ['polling', 'webhook'] as const;
type ResultPath = (typeof PATHS)[number];

/**
 * Two accounts on one API (`apiUrl` gives each its base URL), each with an imagine node (`polling`,
 * `webhook`) wired to its own output (`<path>Out`), and one Catch node for both (`caught`, told
 * apart by `msg.error.source`: the test helper registers a core node's type once per node of that
 * type in the flow, so a second Catch node fails to load). The webhook account polls only every
 * 500 s.
 */
function twoPaths(
  d: Dialect,
  apiUrl: (path: ResultPath) => string,
  props: Record<string, unknown> = {},
  type = 'nextleg-imagine-result',
) {
  const nodes: Array<Record<string, unknown> & { id: string; type: string }> = [
    { ...config(apiUrl('polling'), d.config), id: 'polling-account' },
    {
      ...config(apiUrl('webhook'), {
        ...d.config,
        webhookBaseUrl: helperUrl(),
        pollInterval: 0.5,
        webhookPollFactor: 1000,
      }),
      id: 'webhook-account',
    },
  ];
  for (const path of PATHS) {
    nodes.push(
      {
        id: path,
        type,
        account: `${path}-account`,
        wires: [[`${path}Out`]],
        ...props,
      },
      { id: `${path}Out`, type: 'helper' },
    );
  }
  nodes.push(
    { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper' },
  );
  return nodes;
}

const credentials = () => ({
  'polling-account': { token: sandbox.token },
  'webhook-account': { token: sandbox.token, webhookSecret: WEBHOOK_SECRET },
});

/** Sends `input` down one path and waits for what ends it: the output msg or the caught one. */
async function through(path: ResultPath, input: Msg): Promise<{ out?: Msg; caught?: Msg }> {
  const out = recorder(`${path}Out`);
  const caught: Msg[] = [];
  helper.getNode('caught').on('input', (msg: Msg) => {
    if (msg.error?.source?.id === path) caught.push(msg);
  });
  helper.getNode(path).receive(input);
  await eventually(() => out.length + caught.length > 0, 10_000, `the ${path} path to end`);
  await sleep(50); // a second msg would be a bug of its own
  assert.equal(out.length + caught.length, 1, `the ${path} path ended more than once`);
  return { out: out[0], caught: caught[0] };
}

/** What reached the flow, with what differs from job to job (ids, signed query strings) told apart. */
function seen(d: Dialect, end: { out?: Msg; caught?: Msg }): Record<string, unknown> {
  if (end.caught) {
    return {
      caught: end.caught.error?.code,
      messageId: d.jobId.test(end.caught.messageId) ? 'a job id' : end.caught.messageId,
    };
  }
  const msg = end.out as Msg;
  const own = (value: unknown): unknown =>
    typeof value !== 'string'
      ? value
      : value === msg.messageId
        ? 'the job id'
        : d.jobId.test(value)
          ? 'another job id'
          : value;
  const url = (value: unknown): unknown =>
    typeof value === 'string'
      ? value.replace(sandbox.url, '<sandbox>').replace(msg.messageId, '<job>').replace(/\?.*$/, '')
      : value;
  return {
    messageId: d.jobId.test(msg.messageId) ? 'a job id' : msg.messageId,
    buttonMessageId: own(msg.buttonMessageId),
    buttons: msg.buttons,
    imageUrl: url(msg.imageUrl),
    imageUrls: Array.isArray(msg.imageUrls) ? msg.imageUrls.length : msg.imageUrls,
    imageSize: msg.imageSize,
    prompt: d.promptOf(msg.payload),
    grid: d.isGrid(msg.payload),
  };
}

interface Outcome {
  name: string;
  /** The imagine's prompt; or, with `node`, what `input` makes. */
  prompt: string;
  node?: string;
  input?: (d: Dialect) => Promise<Msg>;
  props?: Record<string, unknown>;
  sandbox?: ConfigurablePatch;
  /** The code at the Catch node; undefined: the output. */
  code?: string;
  only?: Dialect;
}

const OUTCOMES: Outcome[] = [
  { name: 'a grid', prompt: 'a grid of boats' },
  { name: 'an upscale', prompt: 'an upscaled boat', props: { upscale: 'U2' } },
  { name: 'a job failing BANNED_PROMPT', prompt: 'cats --sandbox-fail BANNED_PROMPT', code: 'BANNED_PROMPT' },
  { name: 'a job failing INVALID_LINK', prompt: 'cats --sandbox-fail INVALID_LINK', code: 'INVALID_LINK' },
  { name: 'a job failing BLOCKED', prompt: 'cats --sandbox-fail BLOCKED', code: 'BLOCKED' },
  // A picture whose prompt is a result code's text is a result, not a failure.
  { name: 'the prompt BLOCKED', prompt: 'BLOCKED' },
  { name: 'the prompt INVALID_LINK', prompt: 'INVALID_LINK' },
  { name: 'the prompt JOB_QUEUED', prompt: 'JOB_QUEUED' },
  { name: 'a queued job', prompt: 'patience --sandbox-queued' },
  {
    name: 'a Vary (Region) on an upscale',
    prompt: 'a red balloon',
    node: 'nextleg-vary-region',
    props: { prompt: 'a red balloon' },
    // The sandbox's upscales are 64 pixels square here; the mask repaints their centre.
    input: async (d) => ({
      ...(await d.upscaled(sandbox, 'a quiet harbour')),
      mask: await mask(64, 64, (x, y) => x >= 16 && x < 48 && y >= 16 && y < 48),
    }),
  },
  // midjourney-proxy posts progress, so a stall is seen by webhook as by polling. TNL posts only
  // results: with webhooks its stalls are seen by the fallback poll, which this table keeps away.
  {
    name: 'a stalled task (0.003 min without progress)',
    prompt: 'clouds --sandbox-stall 46',
    props: { stallTimeout: 0.003 },
    code: 'STALLED',
    only: MJP,
  },
  {
    name: 'a cancelled task (plus posts its CANCEL)',
    prompt: 'never mind --sandbox-cancel',
    sandbox: { midjourneyProxy: { flavour: 'plus' } },
    code: 'CANCELLED',
    only: MJP,
  },
];

for (const d of DIALECTS) {
  describe(`${d.name}: one result path, polled or pushed`, () => {
    for (const outcome of OUTCOMES.filter((o) => !o.only || o.only === d)) {
      it(`${outcome.name}: the same at the flow either way`, async () => {
        if (outcome.sandbox) sandbox.configure(outcome.sandbox);
        await loadServingHooks(
          twoPaths(d, () => sandbox.url, outcome.props, outcome.node),
          credentials(),
        );
        const input = outcome.input ? await outcome.input(d) : { payload: outcome.prompt };
        const ends: Record<string, Record<string, unknown>> = {};

        sandbox.clearRequests();
        ends.webhook = seen(d, await through('webhook', structuredClone(input)));
        assert.equal(sandbox.requests().filter(d.isPoll).length, 0, 'the webhook path polled');

        sandbox.clearRequests();
        ends.polling = seen(d, await through('polling', structuredClone(input)));
        assert.ok(sandbox.requests().filter(d.isPoll).length > 0, 'the polling path never polled');

        assert.deepEqual(ends.webhook, ends.polling);
        if (outcome.code) assert.equal(ends.polling?.caught, outcome.code);
        else assert.equal(ends.polling?.caught, undefined, `caught ${String(ends.polling?.caught)}`);
      });
    }

    it('a pushed body with fields of the wrong types is read exactly as the same body polled', async () => {
      const picture = (await d.finished(sandbox, 'a real picture')).payload.imageUrl as string;
      const stub = await standInApi(d, (id) => oddResult(d, id, picture));
      try {
        await loadServingHooks(twoPaths(d, stub.baseUrl), credentials());
        const webhookStatus: string[] = [];
        helper
          .getNode('webhook')
          .on('call:status', (call: { args: Array<{ text?: string }> }) =>
            webhookStatus.push(call.args[0]?.text ?? ''),
          );
        const polled = through('polling', { payload: 'odd types', tag: 1 });
        const pushed = through('webhook', { payload: 'odd types', tag: 1 });
        // Awaited below; should an assertion fail first, their later failure is not an unhandled one.
        polled.catch(() => undefined);
        pushed.catch(() => undefined);
        await eventually(() => stub.hooks.length > 0, 10_000, 'the webhook submit');
        const [hook] = stub.hooks as [string];
        // A state that is not an outcome first: the job waits on (and says so), nothing is sent.
        assert.equal((await postJson(hook, transient(d, stub.jobId))).status, 200);
        await eventually(() => webhookStatus.includes('nextleg.status.queued'), 5000, 'the queued status');
        assert.equal((await postJson(hook, stub.body(stub.jobId))).status, 200);
        const [fromPoll, fromHook] = await Promise.all([polled, pushed]);
        assert.equal(stub.polls('webhook'), 0, 'the webhook path polled');

        const strip = ({ _msgid: _ignored, ...rest }: Msg): Msg => rest;
        assert.deepEqual(strip(fromHook.out as Msg), strip(fromPoll.out as Msg));
        const msg = fromPoll.out as Msg;
        assert.equal(msg.messageId, stub.jobId);
        assert.equal(msg.imageUrl, picture);
        assert.ok(msg.imageSize?.width > 0, 'the size was not read from the picture');
        // Not a list of names: no buttons, and nothing of the wrong type left on the msg.
        assert.ok(msg.buttons === undefined || (Array.isArray(msg.buttons) && msg.buttons.length === 0));
        assert.equal(msg.imageUrls, undefined);
        if (d === TNL) assert.equal(msg.buttonMessageId, undefined);
      } finally {
        await stub.close();
      }
    });
  });
}

/** A finished result whose fields have the wrong types; the picture is real. */
function oddResult(d: Dialect, jobId: string, imageUrl: string): Loose {
  if (d === TNL) {
    return {
      originatingMessageId: jobId,
      content: 'odd types',
      imageUrl,
      buttons: 'notAnArray',
      imageUrls: 7,
      buttonMessageId: 42,
      type: { not: 'text' },
    };
  }
  return {
    id: jobId,
    action: 'IMAGINE',
    status: 'SUCCESS',
    progress: 100,
    prompt: 42,
    imageUrl,
    imageUrls: 'notAnArray',
    imageWidth: '64',
    imageHeight: null,
    buttons: 'notAnArray',
    failReason: null,
  };
}

/** A pushed state that does not end the job: TNL's JOB_QUEUED result, a SUBMITTED task. */
function transient(d: Dialect, jobId: string): Loose {
  return d === TNL
    ? { originatingMessageId: jobId, content: 'JOB_QUEUED' }
    : { id: jobId, status: 'SUBMITTED', progress: '0%', buttons: [] };
}

/**
 * A stand-in for the API: every submit answers the same job id, and every read of it answers the
 * finished `body`, as TNL nests it under `response` or as a midjourney-proxy task. It keeps the
 * webhook URLs submits carry, and counts reads per account (each has its own base URL path).
 */
async function standInApi(
  d: Dialect,
  body: (jobId: string) => Loose,
): Promise<{
  baseUrl: (account: ResultPath) => string;
  jobId: string;
  body: (jobId: string) => Loose;
  hooks: string[];
  polls(account: ResultPath): number;
  close(): Promise<void>;
}> {
  const jobId = d === TNL ? 'StandInJob0000000001' : '1700000000000001';
  const hooks: string[] = [];
  const reads: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '';
      const sent = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Loose) : {};
      const hook = sent.webhookOverride ?? sent.notifyHook;
      // TNL's client sends an empty webhookOverride when there is no webhook.
      if (typeof hook === 'string' && hook !== '') hooks.push(hook);
      let answer: unknown;
      if (req.method === 'POST') {
        answer =
          d === TNL ? { success: true, messageId: jobId } : { code: 1, description: 'ok', result: jobId };
      } else {
        reads.push(path);
        answer = d === TNL ? { progress: 100, response: body(jobId) } : body(jobId);
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: (account) => `http://127.0.0.1:${port}/${account}`,
    jobId,
    body,
    hooks,
    polls: (account) => reads.filter((path) => path.startsWith(`/${account}/`)).length,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
