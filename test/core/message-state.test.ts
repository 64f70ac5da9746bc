// parseMessageState: every shape GET /v2/message (and a webhook) can take, and random garbage.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../../src/core/api/errors';
import { RESULT_CODES } from '../../src/core/api/result-codes';
import { parseMessageState } from '../../src/core/tnl/message-state';

// A real result payload (July 2023, see docs/tnl-api.md), verbatim.
const REAL_RESULT = {
  createdAt: '2023-07-08T18:59:14.302Z',
  responseAt: '2023-07-08T18:59:14.601Z',
  originatingMessageId: '5Vf2LVahPh5w8m7KqVzs',
  buttonMessageId: 'lcSpsjfa08a8NHHxCXMz',
  buttons: ['U1', 'U2', 'U3', 'U4', ':arrows_counterclockwise:', 'V1', 'V2', 'V3', 'V4'],
  imageUrl: 'https://cdn.discordapp.com/attachments/.../grid.png',
  imageUrls: ['https://cdn.midjourney.com/<uuid>/0_0.png', '...0_1.png', '...0_2.png', '...0_3.png'],
  content: 'a anime cute very skinny dragon --q 3 --s 300',
  description: '',
  type: 'imagine',
  ref: '',
};

function badResponse(body: unknown): void {
  assert.throws(
    () => parseMessageState(body, 'IUv6ytQhK5ORnj3xVJsI'),
    (err: unknown) =>
      err instanceof ApiError && err.code === 'BAD_RESPONSE' && err.messageId === 'IUv6ytQhK5ORnj3xVJsI',
    `expected BAD_RESPONSE for ${JSON.stringify(body)}`,
  );
}

describe('parseMessageState', () => {
  it('reads the real nested done payload and keeps every result field', () => {
    const state = parseMessageState({ progress: 100, response: REAL_RESULT });
    assert.equal(state.state, 'done');
    assert.ok(state.state === 'done');
    assert.deepEqual(state.result, REAL_RESULT);
    assert.notEqual(state.result, REAL_RESULT, 'the result is a copy, not the caller object');
  });

  it('reads the flattened docs shape as done', () => {
    const state = parseMessageState({ progress: 100, ...REAL_RESULT });
    assert.ok(state.state === 'done');
    assert.equal(state.result.buttonMessageId, REAL_RESULT.buttonMessageId);
    assert.deepEqual(state.result.imageUrls, REAL_RESULT.imageUrls);
    assert.equal('progress' in state.result, false);
  });

  it('reads a bare webhook result (no progress) as done', () => {
    const state = parseMessageState(REAL_RESULT);
    assert.ok(state.state === 'done');
    assert.equal(state.result.content, REAL_RESULT.content);
  });

  const table: Array<[string, unknown, Record<string, unknown>]> = [
    ['queued', { progress: 0 }, { state: 'queued', progress: 0 }],
    ['queued with response {}', { progress: 0, response: {} }, { state: 'queued', progress: 0 }],
    ['queued as string', { progress: '0' }, { state: 'queued', progress: 0 }],
    [
      'running with preview',
      { progress: 37, progressImageUrl: 'https://x/p.png' },
      { state: 'running', progress: 37, progressImageUrl: 'https://x/p.png' },
    ],
    [
      'running, null preview, response {}',
      { progress: 46, progressImageUrl: null, response: {} },
      { state: 'running', progress: 46, progressImageUrl: null },
    ],
    ['running as string', { progress: ' 62 ' }, { state: 'running', progress: 62, progressImageUrl: null }],
    [
      'running with a non-string preview',
      { progress: 15, progressImageUrl: 42 },
      { state: 'running', progress: 15, progressImageUrl: null },
    ],
    [
      'running while the flattened body already holds the prompt',
      { progress: 93, content: 'a cat', createdAt: 'x' },
      { state: 'running', progress: 93, progressImageUrl: null },
    ],
    ['incomplete', { progress: 'incomplete' }, { state: 'incomplete' }],
    ['incomplete with extras', { progress: 'incomplete', response: {} }, { state: 'incomplete' }],
    [
      'JOB_QUEUED at 0',
      { progress: 0, response: { content: 'JOB_QUEUED' } },
      { state: 'queued', progress: 0, code: 'JOB_QUEUED' },
    ],
    [
      'JOB_QUEUED at 100',
      { progress: 100, response: { content: 'JOB_QUEUED' } },
      { state: 'queued', progress: 100, code: 'JOB_QUEUED' },
    ],
    ['JOB_QUEUED flattened', { content: 'JOB_QUEUED' }, { state: 'queued', progress: 0, code: 'JOB_QUEUED' }],
  ];
  for (const [name, body, expected] of table) {
    it(`reads ${name}`, () => assert.deepEqual(parseMessageState(body), expected));
  }

  it('reads every other result code as failed with that code', () => {
    for (const code of RESULT_CODES.filter((c) => c !== 'JOB_QUEUED')) {
      for (const body of [
        { progress: 100, response: { content: code } },
        { progress: '100', content: code, ref: 'r1' },
        { progress: 31, response: { content: code, createdAt: '2023-07-08T18:59:14.302Z' } },
      ]) {
        const state = parseMessageState(body);
        assert.ok(state.state === 'failed', `${code} in ${JSON.stringify(body)}`);
        assert.equal(state.code, code);
        assert.equal(state.progress, 100);
        assert.equal(state.result.content, code);
      }
    }
  });

  it('does not mistake a prompt that reads like a code for a failure when an image came back', () => {
    const state = parseMessageState({
      progress: 100,
      response: { content: 'BLOCKED', imageUrl: 'https://x/a.png' },
    });
    assert.equal(state.state, 'done');
  });

  it('accepts a result with only buttons, or only content, at progress 100', () => {
    const buttonsOnly = parseMessageState({ progress: 100, response: { buttons: ['U1'] } });
    assert.ok(buttonsOnly.state === 'done');
    assert.equal(buttonsOnly.result.content, '', 'missing content becomes an empty string');
    const describeResult = parseMessageState({ progress: 100, response: { content: '1️⃣ a cat' } });
    assert.ok(describeResult.state === 'done');
  });

  it('keeps buttons and imageUrls only when they are arrays of strings, and drops mistyped fields', () => {
    const state = parseMessageState({
      progress: 100,
      response: {
        imageUrl: 'https://x/a.png',
        buttons: ['U1', 2],
        imageUrls: 'https://x/a.png',
        content: 7,
        buttonMessageId: 12,
        extra: { kept: true },
      },
    });
    assert.ok(state.state === 'done');
    assert.equal(state.result.buttons, undefined);
    assert.equal(state.result.imageUrls, undefined);
    assert.equal(state.result.content, '');
    assert.equal(state.result.buttonMessageId, undefined);
    assert.deepEqual(state.result.extra, { kept: true });
  });

  it('prefers the nested response over top-level fields', () => {
    const state = parseMessageState({
      progress: 100,
      imageUrl: 'https://x/top.png',
      response: { imageUrl: 'https://x/nested.png', content: 'p' },
    });
    assert.ok(state.state === 'done');
    assert.equal(state.result.imageUrl, 'https://x/nested.png');
  });

  it('rejects everything else as BAD_RESPONSE with the message id', () => {
    for (const body of [
      null,
      undefined,
      42,
      'progress',
      [],
      [{ progress: 0 }],
      {},
      { response: {} },
      { progress: -1 },
      { progress: 101 },
      { progress: Number.NaN },
      { progress: Infinity },
      { progress: '12abc' },
      { progress: '' },
      { progress: true },
      { progress: {} },
    ]) {
      badResponse(body);
    }
  });

  it('reads 100 without a result yet as still running, so the poll goes on', () => {
    for (const body of [
      { progress: 100 },
      { progress: 100, response: {} },
      { progress: 100, response: { content: '', buttons: [] } },
    ]) {
      assert.deepEqual(parseMessageState(body), { state: 'running', progress: 100, progressImageUrl: null });
    }
  });

  it('never throws anything but ApiError on thousands of random JSON values', () => {
    // A seeded generator keeps any failure reproducible.
    let seed = 0x2f6b1d;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
    const keys = [
      'progress',
      'response',
      'content',
      'imageUrl',
      'imageUrls',
      'buttons',
      'progressImageUrl',
      'x',
    ];
    const scalars: unknown[] = [
      null,
      true,
      0,
      15,
      100,
      -3,
      1e308,
      '',
      '37',
      'incomplete',
      'JOB_QUEUED',
      'BANNED_PROMPT',
      'https://x/a.png',
    ];
    const value = (depth: number): unknown => {
      const r = rand();
      if (depth > 3 || r < 0.5) return pick(scalars);
      if (r < 0.65) return Array.from({ length: Math.floor(rand() * 4) }, () => value(depth + 1));
      const obj: Record<string, unknown> = {};
      for (let i = Math.floor(rand() * 5); i > 0; i--) obj[pick(keys)] = value(depth + 1);
      return obj;
    };
    const counts: Record<string, number> = {};
    for (let i = 0; i < 5000; i++) {
      const body = value(0);
      try {
        const state = parseMessageState(body);
        counts[state.state] = (counts[state.state] ?? 0) + 1;
      } catch (err) {
        assert.ok(err instanceof ApiError, `non-ApiError for ${JSON.stringify(body)}`);
        assert.equal(err.code, 'BAD_RESPONSE');
        counts.bad = (counts.bad ?? 0) + 1;
      }
    }
    // The generator must actually reach the interesting branches, or the run proves little.
    for (const kind of ['bad', 'queued', 'running', 'done', 'failed', 'incomplete']) {
      assert.ok((counts[kind] ?? 0) > 0, `no ${kind} among random inputs: ${JSON.stringify(counts)}`);
    }
  });
});
