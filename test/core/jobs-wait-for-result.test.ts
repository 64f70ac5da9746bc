// waitForResult against a scripted reader: every outcome, stall and timeout limits, abort, result feed, no leftovers.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  RequestScheduler,
  waitForJob,
  waitForResult,
  type JobReader,
  type StateFeed,
} from '../../src/core/jobs';
import { ApiError } from '../../src/core/api/errors';
import type { JobResult, JobState } from '../../src/core/api/job-model';
import { describeResultCode } from '../../src/core/api/result-codes';

const activeTimers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
const baselineTimers = activeTimers();
const scheduler = new RequestScheduler({
  pollIntervalMs: 3,
  maxPollsPerSecond: 1000,
  backoffBaseMs: 1,
  backoffMaxMs: 4,
  maxRetries: 2,
});

after(() => {
  scheduler.close();
  assert.equal(activeTimers(), baselineTimers, 'a wait or the scheduler left a timer behind');
});

const result: JobResult = {
  prompt: 'a red fox',
  imageUrl: 'http://127.0.0.1/images/grid.png',
  buttons: ['U1', 'U2', 'U3', 'U4', 'V1', 'V2', 'V3', 'V4'],
  buttonMessageId: 'bbbbbbbbbbbbbbbbbbbb',
  payload: { content: 'a red fox' },
};
const queued: JobState = { state: 'queued', progress: 0 };
const jobQueued: JobState = { state: 'queued', progress: 0, code: 'JOB_QUEUED' };
const running = (progress: number): JobState => ({ state: 'running', progress, progressImageUrl: null });
const done: JobState = { state: 'done', result };
const failed = (code: string): JobState => ({ state: 'failed', code, message: describeResultCode(code) });

/** Answers the states in turn and then repeats the last one; records every read. */
function scriptedReader(states: (JobState | ApiError)[]): JobReader & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    async readJob(id) {
      reads.push(id);
      const next = states[Math.min(reads.length, states.length) - 1]!;
      if (next instanceof ApiError) throw next;
      return next;
    },
  };
}

describe('waitForResult outcomes', () => {
  it('returns the result once done, reporting each state on the way', async () => {
    const reader = scriptedReader([queued, running(15), running(46), done]);
    const seen: JobState[] = [];
    const got = await waitForResult(reader, scheduler, 'AAAAAAAAAAAAAAAAAAA1', {
      onState: (s) => seen.push(s),
    });
    assert.deepEqual(got, result);
    assert.equal(reader.reads.length, 4);
    assert.deepEqual(
      seen.map((s) => s.state),
      ['queued', 'running', 'running'],
    );
  });

  it('turns a result code into a ApiError with its meaning and retryability', async () => {
    const banned = waitForResult(
      scriptedReader([running(15), failed('BANNED_PROMPT')]),
      scheduler,
      'id-banned',
    );
    await assert.rejects(banned, (err: unknown) => {
      assert.ok(err instanceof ApiError);
      assert.equal(err.code, 'BANNED_PROMPT');
      assert.equal(err.message, "You can't use this prompt");
      assert.equal(err.retryable, false);
      assert.equal(err.messageId, 'id-banned');
      return true;
    });
    await assert.rejects(waitForResult(scriptedReader([failed('QUEUE_FULL')]), scheduler, 'id-full'), {
      code: 'QUEUE_FULL',
      message: 'Queue full',
      retryable: true,
      messageId: 'id-full',
    });
  });

  it('keeps polling through JOB_QUEUED and finishes', async () => {
    const reader = scriptedReader([jobQueued, jobQueued, jobQueued, running(31), done]);
    const seen: JobState[] = [];
    assert.deepEqual(
      await waitForResult(reader, scheduler, 'id-q', { onState: (s) => seen.push(s) }),
      result,
    );
    // Polled three times, reported once: a repeated state is no news.
    assert.equal(reader.reads.length, 5);
    assert.equal(seen.filter((s) => s.state === 'queued' && s.code === 'JOB_QUEUED').length, 1);
  });

  it('reports INCOMPLETE when TNL gives up', async () => {
    await assert.rejects(
      waitForResult(scriptedReader([running(46), { state: 'incomplete' }]), scheduler, 'id-inc'),
      { code: 'INCOMPLETE', messageId: 'id-inc' },
    );
  });

  it('passes expireMins to every read', async () => {
    const opts: { signal?: AbortSignal; expireMins?: number }[] = [];
    const reader: JobReader = {
      async readJob(_id, o) {
        opts.push(o);
        return opts.length < 2 ? queued : done;
      },
    };
    await waitForResult(reader, scheduler, 'id-exp', { expireMins: 3 });
    assert.deepEqual(
      opts.map((o) => o.expireMins),
      [3, 3],
    );
    assert.ok(opts.every((o) => o.signal instanceof AbortSignal));
  });

  it('carries the messageId on a poll error that outlived its retries', async () => {
    const bad = new ApiError({
      code: 'HTTP_502',
      message: 'GET /v2/message: 502',
      retryable: true,
      status: 502,
    });
    const reader = scriptedReader([bad]);
    await assert.rejects(waitForResult(reader, scheduler, 'id-502'), {
      code: 'HTTP_502',
      status: 502,
      messageId: 'id-502',
    });
    assert.equal(reader.reads.length, 3, 'one read plus maxRetries retries');
  });
});

describe('waitForResult limits', () => {
  it('stops a job stuck at one progress with STALLED, naming the progress', async () => {
    const reader = scriptedReader([running(15), running(46)]);
    await assert.rejects(
      waitForResult(reader, scheduler, 'id-stall', { stallTimeoutMs: 150 }),
      (err: unknown) => {
        assert.ok(err instanceof ApiError);
        assert.equal(err.code, 'STALLED');
        assert.match(err.message, /46%/);
        assert.equal(err.messageId, 'id-stall');
        return true;
      },
    );
  });

  it('never stalls a long job whose progress keeps moving', async () => {
    // Each state moves the progress; the whole job lasts several stall windows.
    const states: JobState[] = Array.from({ length: 150 }, (_, i) => running(i % 99));
    const reader = scriptedReader([...states, done]);
    const started = performance.now();
    assert.deepEqual(await waitForResult(reader, scheduler, 'id-long', { stallTimeoutMs: 250 }), result);
    assert.ok(performance.now() - started > 250, 'the job should have outlasted one stall window');
  });

  it('ends a job that never finishes with JOB_TIMEOUT', async () => {
    const reader = scriptedReader([jobQueued]);
    await assert.rejects(waitForResult(reader, scheduler, 'id-never', { timeoutMs: 40 }), {
      code: 'JOB_TIMEOUT',
      messageId: 'id-never',
    });
    const reads = reader.reads.length;
    assert.ok(reads >= 1);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(reader.reads.length, reads, 'polled after the wait ended');
  });
});

describe('waitForResult cancelling and pushed results', () => {
  it('aborts at once while a poll is running, and reads nothing more', async () => {
    const signals: AbortSignal[] = [];
    const reader: JobReader = {
      readJob(_id, o) {
        signals.push(o.signal!);
        if (signals.length < 3) return Promise.resolve(running(15 * signals.length));
        return new Promise<never>(() => undefined); // hangs until the wait gives up on it
      },
    };
    const controller = new AbortController();
    const waiting = waitForResult(reader, scheduler, 'id-abort', { signal: controller.signal });
    while (signals.length < 3) await new Promise((r) => setTimeout(r, 2));
    controller.abort();
    await assert.rejects(waiting, { code: 'ABORTED', messageId: 'id-abort' });
    assert.equal(signals[2]!.aborted, true, 'the running read was not told to stop');
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(signals.length, 3);
    assert.equal(scheduler.pending, 0);
  });

  it('rejects at once on an already aborted signal without reading', async () => {
    const reader = scriptedReader([done]);
    await assert.rejects(waitForResult(reader, scheduler, 'id-pre', { signal: AbortSignal.abort() }), {
      code: 'ABORTED',
    });
    assert.equal(reader.reads.length, 0);
  });

  it('finishes early on a pushed result and unsubscribes', async () => {
    let push: ((s: JobState) => void) | undefined;
    let unsubscribed = 0;
    const feed: StateFeed = {
      subscribe(id, onResult) {
        assert.equal(id, 'id-feed');
        push = onResult;
        return () => void unsubscribed++;
      },
    };
    const reader = scriptedReader([queued]);
    const waiting = waitForResult(reader, scheduler, 'id-feed', { stateFeed: feed });
    while (reader.reads.length < 2) await new Promise((r) => setTimeout(r, 2));
    push!(done);
    assert.deepEqual(await waiting, result);
    assert.equal(unsubscribed, 1);
    const reads = reader.reads.length;
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(reader.reads.length, reads, 'polled after the pushed result');
  });

  it('fails on a pushed result code and ignores a pushed JOB_QUEUED', async () => {
    let push: ((s: JobState) => void) | undefined;
    const feed: StateFeed = {
      subscribe: (_id, onResult) => {
        push = onResult;
        return () => undefined;
      },
    };
    const waiting = waitForResult(scriptedReader([queued]), scheduler, 'id-feed2', { stateFeed: feed });
    push!(jobQueued);
    push!(failed('MODERATION_OUTAGE'));
    await assert.rejects(waiting, { code: 'MODERATION_OUTAGE', retryable: true, messageId: 'id-feed2' });
  });

  it('unsubscribes when polling finishes first, and leaves no abort listener', async () => {
    let unsubscribed = 0;
    const feed: StateFeed = { subscribe: () => () => void unsubscribed++ };
    const controller = new AbortController();
    let listeners = 0;
    const add = controller.signal.addEventListener.bind(controller.signal);
    const remove = controller.signal.removeEventListener.bind(controller.signal);
    controller.signal.addEventListener = ((...args: Parameters<typeof add>) => {
      listeners++;
      add(...args);
    }) as typeof add;
    controller.signal.removeEventListener = ((...args: Parameters<typeof remove>) => {
      listeners--;
      remove(...args);
    }) as typeof remove;
    await waitForResult(scriptedReader([running(50), done]), scheduler, 'id-both', {
      stateFeed: feed,
      signal: controller.signal,
    });
    assert.equal(unsubscribed, 1);
    assert.equal(listeners, 0);
    assert.equal(activeTimers(), baselineTimers);
  });
});

describe('waitForJob: dialogs, unknown ids, states out of order', () => {
  it('ends on a dialog when asked to, and fails MODAL otherwise', async () => {
    const modal: JobState = { state: 'modal' };
    assert.deepEqual(
      await waitForJob(scriptedReader([queued, modal]), scheduler, 'id-m1', { onModal: 'end' }),
      {
        modal: true,
      },
    );
    await assert.rejects(waitForResult(scriptedReader([queued, modal]), scheduler, 'id-m2'), {
      code: 'MODAL',
      messageId: 'id-m2',
      message: /remix/,
    });
  });

  it('fails NOT_FOUND only once the id stays unknown for unknownLimit reads in a row', async () => {
    const unknown: JobState = { state: 'unknown' };
    const flaky = scriptedReader([unknown, unknown, queued, unknown, unknown, done]);
    assert.deepEqual(await waitForResult(flaky, scheduler, 'id-u1', { unknownLimit: 3 }), result);
    const gone = scriptedReader([unknown]);
    await assert.rejects(waitForResult(gone, scheduler, 'id-u2', { unknownLimit: 4 }), {
      code: 'NOT_FOUND',
      messageId: 'id-u2',
    });
    assert.equal(gone.reads.length, 4);
  });

  it('reports progress only forwards: a stale push or poll says nothing', async () => {
    let push: ((s: JobState) => void) | undefined;
    const feed: StateFeed = {
      subscribe: (_id, onState) => {
        push = onState;
        return () => undefined;
      },
    };
    const seen: number[] = [];
    const reader = scriptedReader([running(30), running(62)]);
    const waiting = waitForResult(reader, scheduler, 'id-order', {
      stateFeed: feed,
      onState: (s) => seen.push(s.state === 'running' ? s.progress : 0),
    });
    while (reader.reads.length < 3) await new Promise((r) => setTimeout(r, 2));
    push!(running(46)); // older than the 62 just polled
    push!(queued);
    push!(running(78));
    push!(done);
    assert.deepEqual(await waiting, result);
    assert.deepEqual(seen, [30, 62, 78]);
  });
});
