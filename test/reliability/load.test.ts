// 100 concurrent imagine-result jobs through one config node under the sandbox's rate limits, on
// either API: all delivered, none lost, none twice, one job per msg; afterwards nothing of any job is kept: every
// delivered msg can be collected and the account's scheduler holds no work.
//
// What is measured is what the nodes keep, not the heap as a whole: the sandbox runs in this process
// and keeps every job it served (about 3 MB per 100 jobs), and the test helper records every node's
// send, status and log call in sinon spies, which real Node-RED does not.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Account } from '../../src/core/account';
import { startSandbox, type Sandbox } from '../../src/core/sandbox/server';
import { CONFIG_ID, manyJobs } from '../flows/api-flows';
import { DIALECTS } from '../support/dialects';
import { eventually, helper, loadFlow, recorder, stopNodeRed, type Msg } from '../support/node-red';

const JOBS = 100;
let sandbox: Sandbox;

before(async () => {
  sandbox = await startSandbox({
    stepMs: 5,
    minuteMs: 60_000,
    // Small pictures: drawing them is the sandbox's own work, not what this test is about.
    imageSize: 64,
    // TNL's limits on a fast clock: the account asks for more than this, so 429s must be absorbed.
    rateLimit: { submitPerWindow: 20, submitWindowMs: 100, messagePerSecond: 250 },
  });
});
after(() => sandbox.close());
beforeEach(() => helper.startServer());
afterEach(() => stopNodeRed());

/** A full collection, whether or not the runner passed --expose-gc. */
const collectGarbage: () => void = (() => {
  if (typeof global.gc === 'function') return global.gc;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

/** Empties the test helper's record of every node call, then collects twice (weak refs clear on the second). */
async function collectAll(): Promise<void> {
  (helper as unknown as { _sandbox: { resetHistory(): void } })._sandbox.resetHistory();
  collectGarbage();
  await new Promise((r) => setImmediate(r));
  collectGarbage();
}

for (const d of DIALECTS) {
  describe(`${d.name}: load`, () => {
    it(`${JOBS} concurrent jobs: all delivered once, nothing of them kept afterwards`, async () => {
      await loadFlow(manyJobs(sandbox.url, d.config), sandbox.token);
      const caught = recorder('caught');
      const dut = helper.getNode('dut');

      // Only weak references and counts: the test itself must not keep the msgs alive (nor may
      // anything else listening on `out`, which is why collect() is not used here).
      const delivered: Array<WeakRef<Msg>> = [];
      const indexes: number[] = [];
      const contents = new Map<number, string>();
      helper.getNode('out').on('input', (m: Msg) => {
        delivered.push(new WeakRef(m));
        indexes.push(m.index as number);
        contents.set(m.index as number, d.promptOf(m.payload));
      });

      // A warm-up round, so what any first job loads is in place before counting.
      dut.receive({ payload: 'warm up', index: -1 });
      await eventually(() => indexes.length === 1, 30_000, 'the warm-up job');
      sandbox.clearRequests();

      for (let i = 0; i < JOBS; i++) dut.receive({ payload: `load job ${i}`, index: i });
      await eventually(() => indexes.length >= JOBS + 1, 120_000, 'every job delivered');
      await new Promise((r) => setTimeout(r, 200)); // a duplicate would arrive here

      assert.deepEqual(caught, []);
      const jobs = indexes.filter((i) => i >= 0).sort((a, b) => a - b);
      assert.equal(jobs.length, JOBS, 'a job was delivered twice or not at all');
      assert.deepEqual(
        jobs,
        Array.from({ length: JOBS }, (_, i) => i),
      );
      for (const i of jobs) assert.equal(contents.get(i), `load job ${i}`);
      const accepted = sandbox.requests().filter((r) => d.isImagine(r) && r.status === 200);
      assert.equal(accepted.length, JOBS, 'one job per msg');
      assert.ok(
        sandbox.requests().some((r) => r.status === 429),
        'the rate limit was never hit',
      );

      const account = (helper.getNode(CONFIG_ID) as unknown as { getAccount(): Account }).getAccount();
      assert.equal(account.scheduler.pending, 0, 'the scheduler still holds work');
      await collectAll();
      const kept = delivered.filter((ref) => ref.deref() !== undefined).length;
      assert.ok(delivered.length >= JOBS, 'the weak references were not taken');
      assert.equal(
        kept,
        0,
        `${kept} of ${delivered.length} delivered msgs are still held after a full collection`,
      );
    });
  });
}
