// Button labels as a reader counts them, and msg.buttons that are not text: a label of 40 emoji is
// not 80 or 120 "characters" (UTF-16 units) and is sent; one far over the limit, or a msg.buttons
// entry that is no text (even one with a "toString" key), is INVALID_INPUT at the Catch node with
// nothing sent.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { startSandbox, type Sandbox } from '../../src/core/sandbox/server';
import { single } from '../flows/api-flows';
import { collect, helper, loadFlow, stopNodeRed, type Msg } from '../support/node-red';

let sandbox: Sandbox;
const buttonMessageId = 'AAAAAAAAAAAAAAAAAAAA';

before(async () => {
  sandbox = await startSandbox({ stepMs: 5 });
});
after(() => sandbox.close());
beforeEach(() => {
  sandbox.clearRequests();
  return helper.startServer();
});
afterEach(() => stopNodeRed());

async function caughtFrom(type: string, input: Msg): Promise<Msg> {
  await loadFlow(single(sandbox.url, type, {}), sandbox.token);
  const caught = collect('caught');
  helper.getNode('dut').receive(input);
  const [msg] = await caught;
  return msg!;
}
const presses = (): number => sandbox.requests().filter((r) => r.path === '/v2/button').length;

describe('button labels', () => {
  it('40 emoji are not too long: the press is sent', async () => {
    const label = '🖌️'.repeat(40); // 80 UTF-16 units, 120 with the variation selectors
    const caught = await caughtFrom('nextleg-button', { button: label, buttonMessageId });
    // The sandbox does not know the id: the press reached it and was refused there.
    assert.equal(caught.error.code, 'HTTP_400');
    assert.equal(presses(), 1);
  });

  it('a label far over any button’s length is INVALID_INPUT, and nothing is sent', async () => {
    const caught = await caughtFrom('nextleg-button', { button: '🖌️'.repeat(200), buttonMessageId });
    assert.equal(caught.error.code, 'INVALID_INPUT');
    assert.match(caught.error.message, /characters/);
    assert.equal(presses(), 0);
  });

  for (const type of ['nextleg-button', 'nextleg-vary-region']) {
    it(`${type}: a msg.buttons entry that is no text is INVALID_INPUT, not INTERNAL`, async () => {
      const caught = await caughtFrom(type, {
        button: 'U1',
        buttonMessageId,
        buttons: ['U1', { toString: 1 }],
        prompt: 'a red balloon',
        mask: 'iVBORw0KGgo=',
      });
      assert.equal(caught.error.code, 'INVALID_INPUT');
      assert.match(caught.error.message, /msg\.buttons/);
      assert.equal(presses(), 0);
    });
  }
});
