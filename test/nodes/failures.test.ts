// Every way a job can fail reaches a Catch node with a coded msg.error and the original msg, and
// input that cannot be valid is refused before any request reaches the sandbox.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { startSandbox, type Sandbox } from '../../src/core/sandbox/server';
import { single } from '../flows/api-flows';
import { collect, helper, loadFlow, recorder, stopNodeRed, type Msg } from '../support/node-red';

let sandbox: Sandbox;

before(async () => {
  sandbox = await startSandbox({ stepMs: 5, minuteMs: 100 });
});
after(() => sandbox.close());
beforeEach(() => helper.startServer());
afterEach(() => stopNodeRed());

async function caughtFrom(
  type: string,
  props: Record<string, unknown>,
  input: Msg,
  token = sandbox.token,
): Promise<{ caught: Msg; out: Msg[] }> {
  await loadFlow(single(sandbox.url, type, props), token);
  const out = recorder('out');
  const caught = collect('caught');
  helper.getNode('dut').receive(input);
  const [msg] = await caught;
  return { caught: msg!, out };
}

describe('failures reach a Catch node', () => {
  it('the prefilter 400 is PREFILTER', async () => {
    const { caught, out } = await caughtFrom(
      'nextleg-imagine-result',
      {},
      { payload: 'a forbiddenword cat', topic: 't' },
    );
    assert.equal(caught.error.code, 'PREFILTER');
    assert.match(caught.error.message, /forbiddenword/);
    assert.equal(caught.topic, 't');
    assert.equal(out.length, 0);
  });

  it('a terminal result code is that code, with the job id', async () => {
    const { caught } = await caughtFrom(
      'nextleg-imagine-result',
      {},
      { payload: 'cats --sandbox-fail BANNED_PROMPT' },
    );
    assert.equal(caught.error.code, 'BANNED_PROMPT');
    assert.match(caught.messageId, /^[A-Za-z0-9]{20}$/);
  });

  it('JOB_QUEUED is not a failure: the job is delivered', async () => {
    await loadFlow(single(sandbox.url, 'nextleg-imagine-result', {}), sandbox.token);
    const caught = recorder('caught');
    const out = collect('out');
    helper.getNode('dut').receive({ payload: 'patience --sandbox-queued' });
    const [msg] = await out;
    assert.equal(msg!.payload.content, 'patience');
    assert.deepEqual(caught, []);
    const polled = sandbox.requests().filter((r) => r.path.startsWith('/v2/message/'));
    assert.ok(polled.length >= 2);
  });

  it('TNL giving up is INCOMPLETE', async () => {
    const { caught } = await caughtFrom(
      'nextleg-imagine-result',
      { expireMins: 1 },
      { payload: 'x --sandbox-stall 46' },
    );
    assert.equal(caught.error.code, 'INCOMPLETE');
  });

  it('a job stuck at one progress fails after the stall limit', async () => {
    // 0.003 min = 180 ms without progress; TNL's own expiry (12 sandbox minutes) is far later.
    const { caught } = await caughtFrom(
      'nextleg-imagine-result',
      { stallTimeout: 0.003 },
      { payload: 'x --sandbox-stall 46' },
    );
    assert.equal(caught.error.code, 'STALLED');
    assert.match(caught.error.message, /46/);
  });

  it('a bad token is HTTP_401 and the token is nowhere in the msg', async () => {
    const { caught } = await caughtFrom(
      'nextleg-imagine-result',
      {},
      { payload: 'a cat' },
      'wrong-secret-token',
    );
    assert.equal(caught.error.code, 'HTTP_401');
    assert.ok(!JSON.stringify(caught).includes('wrong-secret-token'));
  });

  it('an unknown button is BUTTON_NOT_FOUND', async () => {
    const ack = await fetch(`${sandbox.url}/v2/imagine`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sandbox.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ msg: 'a grid' }),
    }).then((r) => r.json() as Promise<{ messageId: string }>);
    let buttonMessageId: string | undefined;
    while (!buttonMessageId) {
      const body = (await fetch(`${sandbox.url}/v2/message/${ack.messageId}`, {
        headers: { authorization: `Bearer ${sandbox.token}` },
      }).then((r) => r.json())) as { response?: { buttonMessageId?: string } };
      buttonMessageId = body.response?.buttonMessageId;
    }
    const { caught } = await caughtFrom('nextleg-button', {}, { button: 'Z9', buttonMessageId });
    assert.equal(caught.error.code, 'BUTTON_NOT_FOUND');
  });
});

describe('input that cannot be valid is refused before sending', () => {
  const cases: Array<[string, string, Record<string, unknown>, Msg, RegExp]> = [
    ['imagine without any prompt', 'nextleg-imagine-result', {}, { payload: '' }, /noPrompt|prompt/i],
    [
      'imagine with a numeric msg.prompt',
      'nextleg-imagine-result',
      {},
      { prompt: 12 },
      /msg.prompt must be text/,
    ],
    ['a huge prompt', 'nextleg-imagine-result', {}, { prompt: 'x'.repeat(7000) }, /at most/],
    [
      'vary-region without a mask',
      'nextleg-vary-region',
      { prompt: 'p' },
      { buttonMessageId: 'AAAAAAAAAAAAAAAAAAAA' },
      /noMask|mask/i,
    ],
    [
      'vary-region with a mask that is not an image',
      'nextleg-vary-region',
      { prompt: 'p' },
      { buttonMessageId: 'AAAAAAAAAAAAAAAAAAAA', mask: 'aGVsbG8gd29ybGQ=' },
      /badMask|image/i,
    ],
    [
      'vary-region with a mask that is not base64',
      'nextleg-vary-region',
      { prompt: 'p' },
      { buttonMessageId: 'AAAAAAAAAAAAAAAAAAAA', mask: '***' },
      /badMask|base64/i,
    ],
    [
      'vary-region without a buttonMessageId',
      'nextleg-vary-region',
      { prompt: 'p' },
      { mask: 'iVBORw0KGgo=' },
      /noButtonMessageId|buttonMessageId/,
    ],
    [
      'vary-region on a result without the button',
      'nextleg-vary-region',
      { prompt: 'p' },
      { buttonMessageId: 'AAAAAAAAAAAAAAAAAAAA', buttons: ['U1', 'V1'], mask: 'iVBORw0KGgo=' },
      /noVaryButton|Vary/,
    ],
    [
      'a button given as an object',
      'nextleg-button',
      {},
      { button: { a: 1 }, buttonMessageId: 'AAAAAAAAAAAAAAAAAAAA' },
      /msg.button must be text/,
    ],
    [
      'get-message with an array id',
      'nextleg-get-message',
      {},
      { messageId: ['x'] },
      /msg.messageId must be text/,
    ],
  ];
  for (const [name, type, props, input, message] of cases) {
    it(name, async () => {
      sandbox.clearRequests();
      const { caught } = await caughtFrom(type, props, input);
      assert.equal(caught.error.code, 'INVALID_INPUT');
      assert.match(caught.error.message, message);
      assert.equal(sandbox.requests().filter((r) => r.path.startsWith('/v2/')).length, 0);
    });
  }

  it('a node without an account says so', async () => {
    const flow = single(sandbox.url, 'nextleg-imagine-result', { account: '' });
    await loadFlow(flow, sandbox.token);
    const caught = collect('caught');
    helper.getNode('dut').receive({ payload: 'a cat' });
    const [msg] = await caught;
    assert.equal(msg!.error.code, 'NO_ACCOUNT');
  });
});
