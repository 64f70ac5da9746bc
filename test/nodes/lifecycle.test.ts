// On either API, redeploys stop every poll at once, and one config node carries many concurrent jobs
// through the sandbox's rate limits: all delivered, none twice, every 429 absorbed. "No request
// after" is counted as the node starts requests, not as the sandbox logs them: a poll already on the
// wire at the redeploy may land in the sandbox's log later, and is no request after it.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { startSandbox, type Sandbox } from '../../src/core/sandbox/server';
import { single } from '../flows/api-flows';
import { DIALECTS } from '../support/dialects';
import { collect, eventually, helper, loadFlow, recorder, sleep, stopNodeRed } from '../support/node-red';
import { watchRequests, type RequestWatch } from '../support/requests-started';

let sandbox: Sandbox;
let started: RequestWatch;

before(async () => {
  sandbox = await startSandbox({ stepMs: 5, minuteMs: 60_000 });
});
after(() => sandbox.close());
beforeEach(() => {
  sandbox.configure({ rateLimit: false });
  sandbox.clearRequests();
  started = watchRequests(sandbox.url);
  return helper.startServer();
});
afterEach(() => {
  started.stop();
  return stopNodeRed();
});

for (const d of DIALECTS) {
  const polls = () => sandbox.requests().filter(d.isPoll).length;
  const flow = (account: Record<string, unknown> = {}) =>
    single(sandbox.url, 'nextleg-imagine-result', {}, { ...d.config, ...account });

  describe(`${d.name}: redeploy and delete`, () => {
    it('a full redeploy in the middle of polling stops every request', async () => {
      await loadFlow(flow(), sandbox.token);
      const dut = helper.getNode('dut');
      for (let i = 0; i < 5; i++) dut.receive({ payload: `never ${i} --sandbox-never` });
      await eventually(() => polls() >= 10, 10_000, 'polling to start');
      assert.ok(started.since(0).filter((r) => d.isPoll(r)).length >= 10, 'the watch saw none of the polls');

      await helper.setFlows([{ id: 'other', type: 'helper' }], 'full', {});
      const redeployed = performance.now();
      await sleep(400);
      assert.deepEqual(started.since(redeployed), [], 'requests started after the redeploy');
    });

    it('close finishes at once even with jobs in flight', async () => {
      await loadFlow(flow(), sandbox.token);
      const dut = helper.getNode('dut');
      for (let i = 0; i < 3; i++) dut.receive({ payload: `never ${i} --sandbox-never` });
      await eventually(() => polls() >= 3, 10_000, 'polling to start');
      // close() resolving at all proves done() was called; the runtime would otherwise wait 15 s.
      const closing = new Promise<void>((resolve) => dut.close(true).then(() => resolve()));
      const winner = await Promise.race([closing.then(() => 'closed'), sleep(5000).then(() => 'timeout')]);
      assert.equal(winner, 'closed');
      const closed = performance.now();
      await sleep(300);
      assert.deepEqual(started.since(closed), [], 'requests started after close');
    });
  });

  describe(`${d.name}: many jobs through one account`, () => {
    it('50 concurrent jobs under rate limits: all delivered once, no 429 left unrecovered', async () => {
      // Scaled-down TNL limits; the account submits faster than allowed, so 429s must be absorbed.
      sandbox.configure({ rateLimit: { submitPerWindow: 5, submitWindowMs: 100, messagePerSecond: 100 } });
      await loadFlow(flow({ submitInterval: 0, pollInterval: 0.01, maxPollsPerSecond: 200 }), sandbox.token);
      const caught = recorder('caught');
      const out = collect('out', 50, 60_000);
      const dut = helper.getNode('dut');
      for (let i = 0; i < 50; i++) dut.receive({ payload: `job number ${i}`, index: i });
      const msgs = await out;
      assert.deepEqual(caught, []);
      const indexes = msgs.map((m) => m.index as number).sort((a, b) => a - b);
      assert.deepEqual(
        indexes,
        Array.from({ length: 50 }, (_, i) => i),
      );
      for (const m of msgs) assert.equal(d.promptOf(m.payload), `job number ${m.index}`);
      const imagines = sandbox.requests().filter(d.isImagine);
      const accepted = imagines.filter((r) => r.status === 200);
      assert.equal(accepted.length, 50, 'each input created exactly one job');
      assert.ok(
        sandbox.requests().some((r) => r.status === 429),
        'the limits were never hit, so this test proved nothing about 429s',
      );
    });
  });
}
