// The API misbehaving, on either API: 5xx bursts and dropped connections while polling, submits
// whose answer is lost, submits refused before they were sent, hung requests and 429 storms; each
// ends as it should.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { RequestScheduler, waitForResult } from '../../src/core/jobs';
import { startSandbox, type Sandbox } from '../../src/core/sandbox/server';
import { ApiError } from '../../src/core/api/errors';
import { single } from '../flows/api-flows';
import { DIALECTS } from '../support/dialects';
import { collect, eventually, helper, loadFlow, recorder, stopNodeRed } from '../support/node-red';

let sandbox: Sandbox;

before(async () => {
  sandbox = await startSandbox({ stepMs: 5, minuteMs: 60_000 });
});
after(() => sandbox.close());

for (const d of DIALECTS) {
  const imagines = (): number => sandbox.requests().filter(d.isImagine).length;
  const pollsOf = (id: string) => sandbox.requests().filter((r) => d.polledJob(r.path) === id);
  const flow = (account: Record<string, unknown> = {}) =>
    single(sandbox.url, 'nextleg-imagine-result', {}, { ...d.config, ...account });

  describe(`${d.name}: faults seen by a flow`, () => {
    beforeEach(() => {
      sandbox.configure({ faults: {}, rateLimit: false });
      sandbox.clearRequests();
      return helper.startServer();
    });
    afterEach(async () => {
      sandbox.configure({ faults: {}, rateLimit: false });
      await stopNodeRed();
    });

    it('5xx bursts and dropped connections while polling: retried with backoff, each job delivered once', async () => {
      sandbox.configure({ faults: { errorRate: 0.2, dropRate: 0.1, only: 'message' } });
      await loadFlow(flow(), sandbox.token);
      const caught = recorder('caught');
      const out = recorder('out');
      const delivered = collect('out', 4, 60_000);
      const dut = helper.getNode('dut');
      for (let i = 0; i < 4; i++) dut.receive({ payload: `stormy sea ${i}`, index: i });
      const msgs = await delivered;

      assert.deepEqual(caught, []);
      assert.deepEqual(msgs.map((m) => m.index as number).sort(), [0, 1, 2, 3]);
      assert.equal(imagines(), 4, 'one imagine per input msg');
      const failed = sandbox.requests().filter((r) => d.isPoll(r) && r.status !== 200);
      assert.ok(failed.length > 0, 'no poll failed, so nothing was shown');
      // Backoff: the next poll of a job after a failed one waits at least the jittered base (>= 250 ms),
      // far longer than the 5 ms poll interval the flow asks for.
      const gaps: number[] = [];
      for (const m of msgs) {
        const polls = pollsOf(m.messageId as string);
        for (let i = 1; i < polls.length; i++) {
          if (polls[i - 1]!.status !== 200) {
            gaps.push(Date.parse(polls[i]!.time) - Date.parse(polls[i - 1]!.time));
          }
        }
      }
      assert.ok(gaps.length > 0);
      assert.ok(
        gaps.every((g) => g >= 200),
        `retries came too soon: ${gaps.join(', ')} ms`,
      );
      // Nothing more arrives later: once delivered, a job is done for good.
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(out.length, 4);
    });

    it('a submit whose answer is lost after acceptance is not repeated and reaches Catch', async () => {
      sandbox.configure({ faults: { failAfterAcceptRate: 1, only: 'submit' } });
      await loadFlow(flow(), sandbox.token);
      const out = recorder('out');
      const caught = collect('caught', 2, 20_000);
      const dut = helper.getNode('dut');
      // The sandbox alternates: a 500 after creating the job, then a cut connection.
      dut.receive({ payload: 'lost answer one', topic: 'a' });
      dut.receive({ payload: 'lost answer two', topic: 'b' });
      const errors = await caught;

      assert.deepEqual(errors.map((m) => m.topic).sort(), ['a', 'b']);
      assert.deepEqual(errors.map((m) => m.error.code as string).sort(), ['HTTP_500', 'NETWORK']);
      for (const m of errors) assert.ok(m.error.message.length > 0);
      assert.equal(imagines(), 2, 'exactly one imagine per input msg');
      assert.equal(out.length, 0);
      const jobs = (await fetch(`${sandbox.url}/_sandbox/jobs`).then((r) => r.json())) as unknown[];
      assert.ok(jobs.length >= 2, 'the sandbox did create the jobs');
    });

    it('a 429 storm on submits and polls is absorbed, honouring Retry-After', async () => {
      // One submit per 1.2 s, 2 reads per second: far below what the flow asks for.
      sandbox.configure({ rateLimit: { submitPerWindow: 1, submitWindowMs: 1200, messagePerSecond: 2 } });
      await loadFlow(flow(), sandbox.token);
      const caught = recorder('caught');
      const delivered = collect('out', 3, 30_000);
      const dut = helper.getNode('dut');
      for (let i = 0; i < 3; i++) dut.receive({ payload: `busy day ${i}`, index: i });
      const msgs = await delivered;

      assert.deepEqual(caught, []);
      assert.equal(msgs.length, 3);
      const log = sandbox.requests();
      const submits = log.filter(d.isImagine);
      assert.equal(submits.filter((r) => r.status === 200).length, 3, 'one job per msg');
      const refused = submits.filter((r) => r.status === 429);
      assert.ok(refused.length > 0, 'the limit was never hit');
      // Retry-After is whole seconds (>= 1 here) and holds the refused imagine: it is not sent again
      // sooner than ~1 s. Other msgs' imagines go on meanwhile, at the pace the refusal slowed.
      const prompt = d.promptSent;
      for (const r of refused) {
        const retry = submits.find((s) => prompt(s) === prompt(r) && Date.parse(s.time) > Date.parse(r.time));
        if (retry) {
          const gap = Date.parse(retry.time) - Date.parse(r.time);
          assert.ok(gap >= 900, `a refused imagine was sent again ${gap} ms after its 429 with Retry-After`);
        }
      }
      // Backing off means few refusals, not a retry loop hammering the server.
      assert.ok(refused.length <= 6, `${refused.length} refused imagines`);
    });
    it("the account's request timeout ends hung polls (retried) and a hung submit (TIMEOUT, not repeated)", async () => {
      // Every poll hangs until some have timed out, then the sandbox answers again: the jobs must
      // come through on their retries.
      sandbox.configure({ faults: { hangRate: 1, only: 'message' } });
      // 0.2 s per request instead of the default 30 s.
      await loadFlow(flow({ requestTimeout: 0.2 }), sandbox.token);
      const delivered = collect('out', 3, 30_000);
      for (let i = 0; i < 3; i++) helper.getNode('dut').receive({ payload: `through the fog ${i}` });
      const hungPolls = () => sandbox.requests().filter((r) => d.isPoll(r) && r.status === 0);
      await eventually(() => hungPolls().length >= 3, 10_000, 'polls to hang');
      sandbox.configure({ faults: {} });
      const msgs = await delivered;
      assert.deepEqual(
        msgs.map((m) => d.promptOf(m.payload)).sort(),
        [0, 1, 2].map((i) => `through the fog ${i}`),
      );

      sandbox.configure({ faults: { hangRate: 1, only: 'submit' } });
      sandbox.clearRequests();
      const caught = collect('caught', 1, 30_000);
      helper.getNode('dut').receive({ payload: 'into the void' });
      const [error] = await caught;
      assert.equal(error!.error.code, 'TIMEOUT');
      await new Promise((r) => setTimeout(r, 300));
      const sent = sandbox.requests().filter(d.isImagine);
      assert.ok(sent.length <= 1, `the hung submit was repeated: ${sent.length} imagines`);
    });
  });

  describe(`${d.name}: faults seen by the core`, () => {
    it('a submit refused before it was sent is retried and creates one job', async () => {
      // A port nobody listens on yet: the first attempt is refused by the OS, before any request exists.
      const port = await freePort();
      const scheduler = new RequestScheduler({ submitIntervalMs: 0, backoffBaseMs: 100 });
      const api = d.jobApi({ baseUrl: `http://127.0.0.1:${port}`, token: 'late-token', timeoutMs: 2000 });
      let late: Sandbox | undefined;
      try {
        const ack = scheduler.submit((signal) => api.imagine('patient cat', { signal }));
        // The retry waits >= 50 ms, during which the server comes up on that port.
        late = await startSandbox({ port, token: 'late-token', stepMs: 5 });
        const { jobId } = await ack;
        assert.match(jobId, d.jobId);
        assert.ok(scheduler.stats.retries >= 1, 'the refused attempt was not retried');
        assert.equal(late.requests().filter(d.isImagine).length, 1);
      } finally {
        scheduler.close();
        await late?.close();
      }
    });

    it('a hung request times out, and a job whose polls sometimes hang still completes', async () => {
      const hung = await startSandbox({ stepMs: 5, faults: { hangRate: 1, only: 'message' } });
      const scheduler = new RequestScheduler({
        submitIntervalMs: 0,
        pollIntervalMs: 0,
        maxPollsPerSecond: 1000,
        backoffBaseMs: 20,
      });
      const api = d.jobApi({ baseUrl: hung.url, token: hung.token, timeoutMs: 150 });
      try {
        const { jobId } = await api.imagine('a quiet lake');
        const started = performance.now();
        await assert.rejects(api.readJob(jobId), (err: unknown) => {
          assert.ok(err instanceof ApiError);
          assert.equal(err.code, 'TIMEOUT');
          return true;
        });
        const took = performance.now() - started;
        assert.ok(took < 5000, `the timeout took ${took} ms`);

        hung.configure({ faults: { hangRate: 0.3, only: 'message' } });
        const result = await waitForResult(api, scheduler, jobId, { timeoutMs: 20_000 });
        assert.equal(result.prompt, 'a quiet lake');
        const polls = hung.requests().filter(d.isPoll);
        assert.ok(polls.some((p) => p.status === 200));
      } finally {
        scheduler.close();
        await hung.close();
      }
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
