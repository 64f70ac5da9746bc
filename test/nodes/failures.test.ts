// Every way a job can fail reaches a Catch node with a coded msg.error and the original msg, on
// either API, and input that cannot be valid is refused before any request reaches the sandbox.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { startSandbox, type Sandbox } from '../../src/core/sandbox/server';
import { single } from '../flows/api-flows';
import { DIALECTS, MJP, TNL, type Dialect } from '../support/dialects';
import { collect, helper, loadFlow, recorder, stopNodeRed, type Msg } from '../support/node-red';

let sandbox: Sandbox;

before(async () => {
  sandbox = await startSandbox({ stepMs: 5, minuteMs: 100 });
});
after(() => sandbox.close());
beforeEach(() => helper.startServer());
afterEach(() => stopNodeRed());

async function caughtFrom(
  d: Dialect,
  type: string,
  props: Record<string, unknown>,
  input: Msg,
  token = sandbox.token,
): Promise<{ caught: Msg; out: Msg[] }> {
  await loadFlow(single(sandbox.url, type, props, d.config), token);
  const out = recorder('out');
  const caught = collect('caught');
  helper.getNode('dut').receive(input);
  const [msg] = await caught;
  return { caught: msg!, out };
}

for (const d of DIALECTS) {
  describe(`${d.name}: failures reach a Catch node`, () => {
    it('a banned word is refused with the word named, and nothing is delivered', async () => {
      const { caught, out } = await caughtFrom(
        d,
        'nextleg-imagine-result',
        {},
        { payload: 'a forbiddenword cat', topic: 't' },
      );
      // TNL's prefilter refuses the submit; trueai accepts it and fails the task.
      assert.equal(caught.error.code, d === TNL ? 'PREFILTER' : 'BANNED_PROMPT');
      if (d === TNL) assert.match(caught.error.message, /forbiddenword/);
      assert.equal(caught.topic, 't');
      assert.equal(out.length, 0);
    });

    it('a job that ends in a failure is that code, with the job id', async () => {
      const { caught } = await caughtFrom(
        d,
        'nextleg-imagine-result',
        {},
        { payload: 'cats --sandbox-fail BANNED_PROMPT' },
      );
      assert.equal(caught.error.code, 'BANNED_PROMPT');
      assert.match(caught.messageId, d.jobId);
    });

    it('a queued job is not a failure: it is delivered', async () => {
      await loadFlow(single(sandbox.url, 'nextleg-imagine-result', {}, d.config), sandbox.token);
      sandbox.clearRequests();
      const caught = recorder('caught');
      const out = collect('out');
      helper.getNode('dut').receive({ payload: 'patience --sandbox-queued' });
      const [msg] = await out;
      // TNL drops the sandbox's flag from the result, midjourney-proxy echoes the prompt as sent.
      assert.match(d.promptOf(msg!.payload), /^patience/);
      assert.deepEqual(caught, []);
      assert.ok(sandbox.requests().filter(d.isPoll).length >= 2);
    });

    it('a job stuck at one progress fails after the stall limit', async () => {
      // 0.003 min = 180 ms without progress; the service's own limits are far later.
      const { caught } = await caughtFrom(
        d,
        'nextleg-imagine-result',
        { stallTimeout: 0.003 },
        { payload: 'x --sandbox-stall 46' },
      );
      assert.equal(caught.error.code, 'STALLED');
      assert.match(caught.error.message, /46/);
    });

    it('a bad token is refused by the service and the token is nowhere in the msg', async () => {
      const { caught } = await caughtFrom(
        d,
        'nextleg-imagine-result',
        {},
        { payload: 'a cat' },
        'wrong-secret-token',
      );
      // TNL answers 401; trueai reads a wrong token as "not logged in", 403.
      assert.equal(caught.error.code, d === TNL ? 'HTTP_401' : 'HTTP_403');
      assert.ok(!JSON.stringify(caught).includes('wrong-secret-token'));
    });

    it('a button the result does not list is BUTTON_NOT_FOUND', async () => {
      const { buttonMessageId } = await d.finished(sandbox, 'a grid');
      sandbox.clearRequests();
      const { caught } = await caughtFrom(d, 'nextleg-button', {}, { button: 'Z9', buttonMessageId });
      assert.equal(caught.error.code, 'BUTTON_NOT_FOUND');
      // midjourney-proxy presses by the customId the task lists: none, so nothing is pressed.
      if (d === MJP) assert.equal(sandbox.requests().filter(d.isPress).length, 0);
    });

    it('a press on an unknown result is refused', async () => {
      const unknown = d === TNL ? 'AAAAAAAAAAAAAAAAAAAA' : '1234567890123456';
      const { caught } = await caughtFrom(
        d,
        'nextleg-button',
        {},
        { button: 'U1', buttonMessageId: unknown },
      );
      // TNL refuses the press (400); midjourney-proxy has no such task to read the button from.
      assert.equal(caught.error.code, d === TNL ? 'HTTP_400' : 'NOT_FOUND');
    });
  });

  describe(`${d.name}: input that cannot be valid is refused before sending`, () => {
    const id = d === TNL ? 'AAAAAAAAAAAAAAAAAAAA' : '1234567890123456';
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
        { buttonMessageId: id },
        /noMask|mask/i,
      ],
      [
        'vary-region with a mask that is not an image',
        'nextleg-vary-region',
        { prompt: 'p' },
        { buttonMessageId: id, mask: 'aGVsbG8gd29ybGQ=' },
        /badMask|image/i,
      ],
      [
        'vary-region with a mask that is not base64',
        'nextleg-vary-region',
        { prompt: 'p' },
        { buttonMessageId: id, mask: '***' },
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
        { buttonMessageId: id, buttons: ['U1', 'V1'], mask: 'iVBORw0KGgo=' },
        /noVaryButton|Vary/,
      ],
      [
        'a button given as an object',
        'nextleg-button',
        {},
        { button: { a: 1 }, buttonMessageId: id },
        /msg.button must be text/,
      ],
      [
        'buttons that are not names',
        'nextleg-button',
        {},
        { button: 'U1', buttonMessageId: id, buttons: [{ toString: 1 }] },
        /msg.buttons must be a list of button names/,
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
        const { caught } = await caughtFrom(d, type, props, input);
        assert.equal(caught.error.code, 'INVALID_INPUT');
        assert.match(caught.error.message, message);
        assert.equal(sandbox.requests().filter(d.isApiCall).length, 0);
      });
    }
  });
}

describe('TheNextLeg only', () => {
  it('TNL giving up is INCOMPLETE', async () => {
    const { caught } = await caughtFrom(
      TNL,
      'nextleg-imagine-result',
      { expireMins: 1 },
      { payload: 'x --sandbox-stall 46' },
    );
    assert.equal(caught.error.code, 'INCOMPLETE');
  });
});

describe('midjourney-proxy only', () => {
  it("the server's own timeout ends the task, and says so", async () => {
    sandbox.configure({ midjourneyProxy: { timeoutMinutes: 1 } });
    try {
      const { caught } = await caughtFrom(
        MJP,
        'nextleg-imagine-result',
        {},
        { payload: 'x --sandbox-stall 46' },
      );
      assert.equal(caught.error.code, 'BOT_TOOK_TOO_LONG_TO_PROCESS_YOUR_COMMAND');
      assert.match(caught.error.message, /超时|time/i);
    } finally {
      sandbox.configure({ midjourneyProxy: {} });
    }
  });
});

describe('without an account', () => {
  it('a node without an account says so', async () => {
    const flow = single(sandbox.url, 'nextleg-imagine-result', { account: '' });
    await loadFlow(flow, sandbox.token);
    const caught = collect('caught');
    helper.getNode('dut').receive({ payload: 'a cat' });
    const [msg] = await caught;
    assert.equal(msg!.error.code, 'NO_ACCOUNT');
  });
});
