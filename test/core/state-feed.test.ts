// StateFeedHub: outcomes pushed before or after their waiter, repeats dropped, progress passed
// through, holding bounded in time and count, and a wait that ends on a pushed outcome.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { RequestScheduler, waitForResult, type JobReader } from '../../src/core/jobs';
import { StateFeedHub } from '../../src/core/jobs/state-feed';
import type { JobState } from '../../src/core/api/job-model';

const result = (id: string, prompt = `picture ${id}`): JobState => ({
  state: 'done',
  result: { prompt, imageUrl: `http://127.0.0.1/images/${id}.png`, payload: { originatingMessageId: id } },
});
/** What a pushed state says, for comparing. */
const said = (s: JobState): string =>
  s.state === 'done' ? (s.result.prompt ?? '') : s.state === 'queued' ? (s.code ?? 'queued') : s.state;

describe('StateFeedHub', () => {
  it('hands a result to the waiter of its id only, once', () => {
    const hub = new StateFeedHub();
    const got: string[] = [];
    hub.subscribe('a', (r) => got.push(`a:${said(r)}`));
    hub.subscribe('b', (r) => got.push(`b:${said(r)}`));
    assert.equal(hub.publish('a', result('a')), 'delivered');
    assert.equal(hub.publish('a', result('a')), 'duplicate');
    assert.deepEqual(got, ['a:picture a']);
    assert.deepEqual(hub.size, { waiting: 1, held: 0 });
  });

  it('keeps a result that comes before its waiter and hands it over on subscribe', () => {
    const hub = new StateFeedHub();
    assert.equal(hub.publish('early', result('early')), 'held');
    assert.equal(hub.publish('early', result('early')), 'duplicate');
    const got: JobState[] = [];
    hub.subscribe('early', (r) => got.push(r));
    assert.equal(got.length, 1);
    assert.equal(said(got[0]!), 'picture early');
    assert.deepEqual(hub.size, { waiting: 0, held: 0 });
    // Handed over: a late repeat is still recognised.
    assert.equal(hub.publish('early', result('early')), 'duplicate');
  });

  it('passes JOB_QUEUED and progress on without treating them as the outcome', () => {
    const hub = new StateFeedHub();
    const got: string[] = [];
    hub.subscribe('q', (r) => got.push(said(r)));
    assert.equal(hub.publish('q', { state: 'queued', progress: 0, code: 'JOB_QUEUED' }), 'progress');
    assert.equal(hub.publish('q', { state: 'running', progress: 46, progressImageUrl: null }), 'progress');
    assert.equal(hub.publish('q', result('q')), 'delivered');
    assert.deepEqual(got, ['JOB_QUEUED', 'running', 'picture q']);
  });

  it('holds no progress for a waiter still to come: only outcomes wait', () => {
    const hub = new StateFeedHub();
    assert.equal(hub.publish('p', { state: 'running', progress: 46, progressImageUrl: null }), 'progress');
    assert.deepEqual(hub.size, { waiting: 0, held: 0 });
  });

  it('an unsubscribed waiter gets nothing; its result is held for the next one', () => {
    const hub = new StateFeedHub();
    let first = 0;
    const off = hub.subscribe('x', () => first++);
    off();
    assert.equal(hub.publish('x', result('x')), 'held');
    let second = 0;
    hub.subscribe('x', () => second++);
    assert.equal(first, 0);
    assert.equal(second, 1);
  });

  it('held results expire and are capped; old ids are forgotten', () => {
    let now = 1_000;
    const hub = new StateFeedHub({ holdMs: 100, maxHeld: 3, rememberMs: 100, now: () => now });
    for (const id of ['a', 'b', 'c', 'd']) hub.publish(id, result(id));
    assert.equal(hub.size.held, 3, 'the cap was not kept');
    let got = 0;
    hub.subscribe('a', () => got++);
    assert.equal(got, 0, 'the oldest should have gone first');
    now += 150;
    hub.subscribe('b', () => got++);
    assert.equal(got, 0, 'an expired result was handed over');
    assert.equal(hub.size.held, 0);
    // After rememberMs a delivered id is no longer a duplicate (memory stays bounded).
    hub.subscribe('e', () => got++);
    hub.publish('e', result('e'));
    now += 150;
    assert.equal(hub.publish('e', result('e')), 'held');
  });
});

describe('waitForResult with a pushed result and a slow fallback poll', () => {
  const scheduler = new RequestScheduler({ pollIntervalMs: 1, maxPollsPerSecond: 1000 });
  after(() => scheduler.close());

  function countingReader(state: JobState): JobReader & { reads: number } {
    const reader = {
      reads: 0,
      readJob: () => {
        reader.reads++;
        return Promise.resolve(state);
      },
    };
    return reader;
  }

  it('ends on the pushed result long before the first fallback poll', async () => {
    const hub = new StateFeedHub();
    const reader = countingReader({ state: 'queued', progress: 0 });
    const waiting = waitForResult(reader, scheduler, 'job1', { stateFeed: hub, pollGapMs: 60_000 });
    setTimeout(() => hub.publish('job1', result('job1')), 20);
    const got = await waiting;
    assert.equal(got.prompt, 'picture job1');
    assert.equal(reader.reads, 0, 'polled although the gap was far longer than the push');
  });

  it('without a push the fallback poll still finishes the job, at its slower pace', async () => {
    const hub = new StateFeedHub();
    const reader = countingReader(result('job2'));
    const started = performance.now();
    const got = await waitForResult(reader, scheduler, 'job2', { stateFeed: hub, pollGapMs: 80 });
    assert.equal(got.prompt, 'picture job2');
    assert.equal(reader.reads, 1);
    assert.ok(performance.now() - started >= 70, 'the first poll did not wait for the gap');
  });

  it('firstPollAfterMs 0 polls at once, then keeps the gap', async () => {
    const reader = countingReader({ state: 'running', progress: 15, progressImageUrl: null });
    const controller = new AbortController();
    const waiting = waitForResult(reader, scheduler, 'job3', {
      pollGapMs: 10_000,
      firstPollAfterMs: 0,
      signal: controller.signal,
    });
    await new Promise((r) => setTimeout(r, 100));
    controller.abort();
    await assert.rejects(waiting, { code: 'ABORTED' });
    assert.equal(reader.reads, 1);
  });
});
