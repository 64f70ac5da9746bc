// With 20 jobs polling, on either API, a full redeploy and the deletion of one node each stop every
// timer and request of the nodes concerned within a second, and close finishes far inside Node-RED's
// 15 s.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { startSandbox, type Sandbox } from '../../src/core/sandbox/server';
import { config, CONFIG_ID } from '../flows/api-flows';
import { DIALECTS, sandboxJobs } from '../support/dialects';
import { eventually, helper, loadFlow, sleep, stopNodeRed } from '../support/node-red';

let sandbox: Sandbox;

before(async () => {
  sandbox = await startSandbox({ stepMs: 5, minuteMs: 60_000 });
});
after(() => sandbox.close());
beforeEach(() => {
  sandbox.clearRequests();
  return helper.startServer();
});
afterEach(() => stopNodeRed());

const JOBS = 20;

for (const d of DIALECTS) {
  const api = () => sandbox.requests().filter(d.isApiCall);
  /** Whether a logged request reads one of `ids`. */
  const reads =
    (ids: Set<string>) =>
    (r: { path: string }): boolean =>
      ids.has(d.polledJob(r.path) ?? '');
  const lastRequestAt = (ids: Set<string>): number =>
    Math.max(
      0,
      ...api()
        .filter(reads(ids))
        .map((r) => Date.parse(r.time)),
    );

  /** Two imagine nodes on one account (resume off, so nothing is meant to go on after a stop). */
  function twoNodes() {
    return [
      config(sandbox.url, { ...d.config, resumeJobs: false, maxPollsPerSecond: 400 }),
      { id: 'a', type: 'nextleg-imagine-result', account: CONFIG_ID, wires: [['out']] },
      { id: 'b', type: 'nextleg-imagine-result', account: CONFIG_ID, wires: [['out']] },
      { id: 'out', type: 'helper' },
    ];
  }

  /** Feeds 10 never-ending jobs to each node and waits until every one of them is being polled. */
  async function startPolling(): Promise<Map<string, Set<string>>> {
    await loadFlow(twoNodes(), sandbox.token);
    for (const id of ['a', 'b']) {
      for (let i = 0; i < JOBS / 2; i++)
        helper.getNode(id).receive({ payload: `${id} ${i} --sandbox-never` });
    }
    await eventually(
      () =>
        new Set(
          api()
            .filter(d.isPoll)
            .map((r) => r.path),
        ).size >= JOBS,
      15_000,
      'all 20 jobs polled',
    );
    // Which jobs belong to which node: the sandbox's job list names each prompt.
    const jobs = await sandboxJobs(sandbox, d);
    const byNode = new Map<string, Set<string>>([
      ['a', new Set()],
      ['b', new Set()],
    ]);
    // The sandbox keeps the jobs of earlier tests; this test's are the ones polled since its log was cleared.
    const polled = new Set(api().map((r) => d.polledJob(r.path)));
    for (const job of jobs) {
      if (polled.has(job.messageId)) byNode.get(job.content.split(' ')[0] ?? '')?.add(job.messageId);
    }
    assert.equal(byNode.get('a')!.size + byNode.get('b')!.size, JOBS, 'could not tell the jobs apart');
    return byNode;
  }

  describe(`${d.name}: redeploy and delete with 20 jobs polling`, () => {
    it('a full redeploy stops every request within a second and closes at once', async () => {
      const byNode = await startPolling();
      const all = new Set([...byNode.get('a')!, ...byNode.get('b')!]);
      const started = performance.now();
      await helper.setFlows([{ id: 'other', type: 'helper' }], 'full', {});
      const closeMs = performance.now() - started;
      const stoppedAt = Date.now();
      await sleep(1200);
      const last = lastRequestAt(all);
      assert.ok(last <= stoppedAt + 1000, `a poll came ${last - stoppedAt} ms after the redeploy`);
      // Nothing at all in the last second: no timer is left to wake anything up.
      const late = api().filter((r) => Date.parse(r.time) > stoppedAt + 200);
      assert.deepEqual(late, []);
      assert.ok(closeMs < 5000, `the redeploy took ${closeMs} ms`);
    });

    it('deleting one node stops its jobs only', async () => {
      const byNode = await startPolling();
      const flow = twoNodes().filter((n) => n.id !== 'a');
      const started = performance.now();
      await helper.setFlows(
        [
          { id: 'tab1', type: 'tab', label: 'test' },
          ...flow.map((n) => (n.type === 'nextleg-config' ? n : { z: 'tab1', ...n })),
        ],
        'nodes',
        { [CONFIG_ID]: { token: sandbox.token } },
      );
      const closeMs = performance.now() - started;
      const stoppedAt = Date.now();
      await sleep(1200);
      const lastA = lastRequestAt(byNode.get('a')!);
      assert.ok(lastA <= stoppedAt + 1000, `the deleted node polled ${lastA - stoppedAt} ms later`);
      const lateA = api().filter((r) => Date.parse(r.time) > stoppedAt + 200 && reads(byNode.get('a')!)(r));
      assert.deepEqual(lateA, []);
      // The other node was not touched: its jobs are still polled.
      const lateB = api().filter((r) => Date.parse(r.time) > stoppedAt + 200 && reads(byNode.get('b')!)(r));
      assert.ok(lateB.length > 0, 'the remaining node stopped polling too');
      assert.ok(closeMs < 5000, `the deploy took ${closeMs} ms`);
    });

    it('close with 20 jobs in flight finishes far inside 15 s', async () => {
      await startPolling();
      const started = performance.now();
      await Promise.all([helper.getNode('a').close(true), helper.getNode('b').close(true)]);
      const ms = performance.now() - started;
      assert.ok(ms < 3000, `close took ${ms} ms`);
    });
  });
}
