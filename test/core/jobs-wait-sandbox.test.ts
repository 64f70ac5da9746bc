// waitForResult end to end: the real TNL API and RequestScheduler against the sandbox on 127.0.0.1.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { RequestScheduler, waitForResult, type StateFeed, type WaitOptions } from '../../src/core/jobs';
import { startSandbox, type Sandbox } from '../../src/core/sandbox/server';
import { ApiError } from '../../src/core/api/errors';
import type { JobResult, JobState } from '../../src/core/api/job-model';
import { TnlApi } from '../../src/core/tnl/tnl-api';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let sandbox: Sandbox;
let client: TnlApi;
/** Submits with a webhook of their own. */
let hooked: (url: string) => TnlApi;
let scheduler: RequestScheduler;

before(async () => {
  sandbox = await startSandbox({ port: 0, stepMs: 5, minuteMs: 100 });
  client = new TnlApi({ baseUrl: sandbox.url, token: sandbox.token, timeoutMs: 5000 });
  hooked = (webhookUrl) =>
    new TnlApi({ baseUrl: sandbox.url, token: sandbox.token, timeoutMs: 5000, webhookUrl });
  scheduler = new RequestScheduler({ submitIntervalMs: 0, pollIntervalMs: 5, maxPollsPerSecond: 500 });
});

after(async () => {
  scheduler.close();
  await sandbox.close();
});

async function imagine(prompt: string, webhookUrl?: string): Promise<string> {
  const api = webhookUrl ? hooked(webhookUrl) : client;
  const submitted = await scheduler.submit((signal) => api.imagine(prompt, { signal }));
  return submitted.jobId;
}

async function run(prompt: string, options?: WaitOptions): Promise<{ id: string; result: JobResult }> {
  const id = await imagine(prompt);
  return { id, result: await waitForResult(client, scheduler, id, options) };
}

const pollsOf = (id: string): number =>
  sandbox.requests().filter((r) => r.path === `/v2/message/${id}`).length;

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof ApiError, `expected a ApiError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the wait to fail');
}

describe('waitForResult against the sandbox', () => {
  it('returns the finished grid', async () => {
    const seen: JobState[] = [];
    const { id, result } = await run('a red fox in the snow', { onState: (s) => seen.push(s) });
    assert.equal(result.payload.originatingMessageId, id);
    assert.ok(result.imageUrl);
    assert.ok(result.buttons?.includes('U1'));
    assert.ok(seen.some((s) => s.state === 'running'));
  });

  it('fails with the result code the job ended with', async () => {
    const id = await imagine('a castle --sandbox-fail BANNED_PROMPT');
    const err = await rejection(waitForResult(client, scheduler, id));
    assert.equal(err.code, 'BANNED_PROMPT');
    assert.equal(err.message, "You can't use this prompt");
    assert.equal(err.messageId, id);
  });

  it('waits through JOB_QUEUED to the result', async () => {
    const seen: JobState[] = [];
    const { result } = await run('a lighthouse --sandbox-queued', { onState: (s) => seen.push(s) });
    assert.ok(result.imageUrl);
    assert.ok(seen.some((s) => s.state === 'queued' && s.code === 'JOB_QUEUED'));
  });

  it('reports STALLED at the progress the job stuck at', async () => {
    const id = await imagine('a windmill --sandbox-stall 46');
    // Wide enough that a loaded machine still sees the progress reach 46 before the stall limit.
    const err = await rejection(waitForResult(client, scheduler, id, { stallTimeoutMs: 250 }));
    assert.equal(err.code, 'STALLED');
    assert.match(err.message, /46%/);
    assert.equal(err.messageId, id);
  });

  it('reports INCOMPLETE once expireMins pass', async () => {
    const id = await imagine('a windmill --sandbox-stall 31');
    const err = await rejection(waitForResult(client, scheduler, id, { expireMins: 1 }));
    assert.equal(err.code, 'INCOMPLETE');
    assert.equal(err.messageId, id);
  });

  it('ends with JOB_TIMEOUT and polls no more', async () => {
    const id = await imagine('a ship --sandbox-never');
    const err = await rejection(waitForResult(client, scheduler, id, { timeoutMs: 60 }));
    assert.equal(err.code, 'JOB_TIMEOUT');
    const polls = pollsOf(id);
    assert.ok(polls >= 1);
    await sleep(80);
    // Only the one read that may have been on the wire at the timeout can still show up.
    assert.ok(pollsOf(id) <= polls + 1, 'polled after the timeout');
  });

  it('aborts mid-wait and the sandbox sees no further poll', async () => {
    const id = await imagine('a ship --sandbox-never');
    const controller = new AbortController();
    const waiting = waitForResult(client, scheduler, id, { signal: controller.signal });
    while (pollsOf(id) < 3) await sleep(2);
    const pollsAtAbort = pollsOf(id);
    controller.abort();
    const err = await rejection(waiting);
    assert.equal(err.code, 'ABORTED');
    assert.equal(err.messageId, id);
    await sleep(80);
    // Only the one read that may have been on the wire at the abort can still show up.
    assert.ok(pollsOf(id) <= pollsAtAbort + 1, 'polled after the abort');
    assert.equal(scheduler.pending, 0);
  });
});

describe('waitForResult with a webhook result feed', () => {
  let hooks: Server;
  let hookUrl: string;
  const subscribers = new Map<string, (s: JobState) => void>();
  const feed: StateFeed = {
    subscribe(id, onState) {
      subscribers.set(id, onState);
      return () => subscribers.delete(id);
    },
  };

  before(async () => {
    hooks = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        res.end('ok');
        const pushed = client.readPushed(JSON.parse(body));
        if (pushed) subscribers.get(pushed.jobId)?.(pushed.state);
      });
    });
    await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
    hookUrl = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/hook`;
  });

  after(async () => {
    await new Promise((r) => hooks.close(r));
  });

  it('finishes on the pushed result long before the next poll was due', async () => {
    // Polls of one job 10 s apart: only the webhook can end this wait quickly.
    const slow = new RequestScheduler({ submitIntervalMs: 0, pollIntervalMs: 10_000 });
    try {
      const id = await imagine('a quiet harbour', hookUrl);
      const result = await waitForResult(client, slow, id, { stateFeed: feed });
      assert.equal(result.payload.originatingMessageId, id);
      assert.ok(result.imageUrl);
      assert.equal(pollsOf(id), 1);
      assert.equal(subscribers.size, 0, 'the wait did not unsubscribe');
      assert.equal(slow.pending, 0);
    } finally {
      slow.close();
    }
  });
});
