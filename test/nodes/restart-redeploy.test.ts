// Jobs in flight across a redeploy (helper runtime), on either API: the new instance delivers the
// job exactly once with the original msg; a deleted node's jobs are forgotten; with resumeJobs off
// nothing comes back.
// "No request after" counts the requests the nodes start, not what the sandbox logs, which may log a
// poll that was already on the wire at the redeploy only when it lands.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { startSandbox, type Sandbox } from '../../src/core/sandbox/server';
import { CONFIG_ID, single } from '../flows/api-flows';
import { WEBHOOK_SECRET, webhookFlow } from '../flows/webhook-flows';
import { DIALECTS } from '../support/dialects';
import { ALL_NODES, eventually, helper, recorder, sleep, stopNodeRed, type Msg } from '../support/node-red';
import { watchRequests, type RequestWatch } from '../support/requests-started';
import { HOOK_ROOT, helperUrl, loadServingHooks } from '../support/webhook-runtime';

let sandbox: Sandbox;
let started: RequestWatch;

type FlowNode = Record<string, unknown> & { id: string; type: string };
const onTab = (flow: FlowNode[]): FlowNode[] => [
  { id: 'tab1', type: 'tab', label: 'resume' },
  ...flow.map((n) => (n.type === 'nextleg-config' ? n : { z: 'tab1', ...n })),
];
const credentials = (): Record<string, unknown> => ({ [CONFIG_ID]: { token: sandbox.token } });

before(async () => {
  // About a second per job: time to redeploy in the middle of one.
  sandbox = await startSandbox({ stepMs: 60 });
  helper.settings({ httpNodeRoot: HOOK_ROOT });
});
after(() => sandbox.close());
beforeEach(() => {
  sandbox.clearRequests();
  started = watchRequests(sandbox.url);
  return helper.startServer();
});
afterEach(() => {
  started.stop();
  return stopNodeRed();
});

/**
 * Redeploys, then returns the msg the new instance delivers, checking it is the only one: nothing
 * from the stopped instance (`before` records its output), nothing twice, nothing caught.
 */
async function deliveredOnceAfter(redeploy: () => Promise<unknown>, before: Msg[]): Promise<Msg> {
  await redeploy();
  const out = recorder('out');
  const caught = recorder('caught');
  await eventually(() => out.length >= 1, 15_000, 'the resumed job');
  await sleep(300);
  assert.equal(out.length, 1, 'delivered more than once');
  assert.equal(before.length, 0, 'the stopped instance delivered');
  assert.deepEqual(caught, []);
  return out[0] as Msg;
}

for (const d of DIALECTS) {
  const polls = (): number => sandbox.requests().filter(d.isPoll).length;
  const imagines = (): number => sandbox.requests().filter((r) => d.isImagine(r) && r.status === 200).length;
  const flowOf = (props: Record<string, unknown>, account: Record<string, unknown> = {}) =>
    onTab(single(sandbox.url, 'nextleg-imagine-result', props, { ...d.config, ...account }));
  /** Polls started since `at`, as the nodes start them. */
  const pollsStarted = (at: number) => started.since(at).filter((r) => d.polledJob(r.path) !== undefined);

  describe(`${d.name}: jobs across a redeploy`, () => {
    it('a full redeploy mid-job: the new instance delivers it once, with the original msg', async () => {
      const flow = flowOf({ upscale: 'U1' });
      await helper.load(ALL_NODES, flow, credentials());
      const before = recorder('out');
      helper.getNode('dut').receive({ payload: 'a harbour at night', tag: 'original', nested: { n: 1 } });
      await eventually(() => polls() >= 2, 10_000, 'polling to start');

      const msg = await deliveredOnceAfter(() => helper.setFlows(flow, 'full', credentials()), before);
      assert.equal(msg.tag, 'original');
      assert.deepEqual(msg.nested, { n: 1 });
      assert.ok(!d.isGrid(msg.payload), 'the U1 upscale left to do was not made');
      assert.equal(d.promptOf(msg.payload), 'a harbour at night');
      assert.equal(imagines(), 1, 'the job was submitted again');
    });

    it('with webhooks: a full redeploy mid-job, the new instance finishes it once', async () => {
      const flow = webhookFlow(sandbox.url, helperUrl(), { upscale: 'U1' }, d.config);
      const hookCredentials = { [CONFIG_ID]: { token: sandbox.token, webhookSecret: WEBHOOK_SECRET } };
      await loadServingHooks(flow, hookCredentials);
      const before = recorder('out');
      helper.getNode('dut').receive({ payload: 'a harbour by webhook', tag: 'original' });
      // Accepted: the grid takes the sandbox about half a second, and its upscale as long again.
      await eventually(() => imagines() >= 1, 10_000, 'the submit');

      // The same route (config id and secret) answers for the new instance.
      const msg = await deliveredOnceAfter(
        () => helper.setFlows(onTab(flow), 'full', hookCredentials),
        before,
      );
      assert.equal(msg.tag, 'original');
      assert.ok(!d.isGrid(msg.payload), 'the U1 upscale left to do was not made');
      assert.equal(imagines(), 1, 'the job was submitted again');
    });

    it('deleting the node mid-job: nothing delivered, no further request, nothing comes back', async () => {
      const flow = flowOf({});
      await helper.load(ALL_NODES, flow, credentials());
      helper.getNode('dut').receive({ payload: 'never mind --sandbox-never' });
      await eventually(() => polls() >= 2, 10_000, 'polling to start');
      assert.ok(pollsStarted(0).length >= 2, 'the watch saw none of the polls');

      await helper.setFlows(
        flow.filter((n) => n.id !== 'dut'),
        'full',
        credentials(),
      );
      const deleted = performance.now();
      await sleep(300);
      assert.deepEqual(started.since(deleted), [], 'requests after the node was deleted');

      // The same node id deployed again finds no record to resume.
      await helper.setFlows(flow, 'full', credentials());
      await sleep(300);
      assert.deepEqual(started.since(deleted), [], 'a forgotten job came back');
    });

    it('with resumeJobs off a redeployed job is not picked up', async () => {
      const flow = flowOf({}, { resumeJobs: false });
      await helper.load(ALL_NODES, flow, credentials());
      helper.getNode('dut').receive({ payload: 'not recorded' });
      await eventually(() => polls() >= 1, 10_000, 'polling to start');
      await helper.setFlows(flow, 'full', credentials());
      const redeployed = performance.now();
      const out = recorder('out');
      await sleep(1500);
      assert.equal(out.length, 0);
      assert.deepEqual(pollsStarted(redeployed), [], 'the unrecorded job was polled again');
    });
  });
}
