// 100 concurrent imagine-result jobs through one config node under the sandbox's rate limits: all
// delivered, none lost, none twice, one job per msg, and the heap back near where it started.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { startSandbox, type Sandbox } from '../../src/core/sandbox/server';
import { manyJobs } from '../flows/api-flows';
import { collect, helper, loadFlow, recorder, sleep, stopNodeRed } from '../support/node-red';

const JOBS = 100;
let sandbox: Sandbox;

before(async () => {
  sandbox = await startSandbox({
    stepMs: 5,
    minuteMs: 60_000,
    // TNL's limits on a fast clock: the account asks for more than this, so 429s must be absorbed.
    rateLimit: { submitPerWindow: 20, submitWindowMs: 100, messagePerSecond: 250 },
  });
});
after(() => sandbox.close());
beforeEach(() => helper.startServer());
afterEach(() => stopNodeRed());

function heapMb(): number {
  global.gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

describe('load', () => {
  it(`${JOBS} concurrent jobs: all delivered once, heap bounded`, async () => {
    await loadFlow(manyJobs(sandbox.url), sandbox.token);
    const caught = recorder('caught');
    const out = recorder('out');
    const dut = helper.getNode('dut');

    // A warm-up round so the heap baseline includes what any first job loads.
    const warm = collect('out', 1, 30_000);
    dut.receive({ payload: 'warm up', index: -1 });
    await warm;
    sandbox.clearRequests();
    out.length = 0;
    const before = heapMb();

    const all = collect('out', JOBS, 120_000);
    for (let i = 0; i < JOBS; i++) dut.receive({ payload: `load job ${i}`, index: i });
    await all;
    await sleep(200); // a duplicate would arrive here

    assert.deepEqual(caught, []);
    assert.equal(out.length, JOBS, 'a job was delivered twice');
    const indexes = out.map((m) => m.index as number).sort((a, b) => a - b);
    assert.deepEqual(
      indexes,
      Array.from({ length: JOBS }, (_, i) => i),
    );
    for (const m of out) assert.equal(m.payload.content, `load job ${m.index}`);
    const accepted = sandbox.requests().filter((r) => r.path === '/v2/imagine' && r.status === 200);
    assert.equal(accepted.length, JOBS, 'one job per msg');
    assert.ok(
      sandbox.requests().some((r) => r.status === 429),
      'the rate limit was never hit',
    );

    out.length = 0;
    const afterMb = heapMb();
    // Generous: 100 delivered msgs hold little; a leak of every job's state would show far more.
    assert.ok(afterMb - before < 60, `heap grew from ${before.toFixed(1)} to ${afterMb.toFixed(1)} MB`);
  });
});
