// The midjourney-proxy API (MjpApi) against the sandbox's /mj side over loopback: each call, every
// refusal read from the envelope it comes in, unknown ids in each server's way, and the token kept
// to one header, out of errors and logs.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiError } from '../../src/core/api/errors';
import type { JobState } from '../../src/core/api/job-model';
import { startSandbox, type Sandbox } from '../../src/core/sandbox/server';
import { MjpApi } from '../../src/core/mjp/mjp-api';
import { MJP } from '../support/dialects';

let sandbox: Sandbox;
const logged: string[] = [];
let api: MjpApi;

before(async () => {
  sandbox = await startSandbox({ stepMs: 5, imageSize: 64 });
  api = new MjpApi({ baseUrl: sandbox.url, token: sandbox.token, logger: (l) => logged.push(l) });
});
after(() => sandbox.close());

async function until(jobId: string, done: (s: JobState) => boolean): Promise<JobState> {
  for (let i = 0; i < 2000; i++) {
    const state = await api.readJob(jobId);
    if (done(state)) return state;
    await new Promise((r) => setTimeout(r, 3));
  }
  throw new Error(`job ${jobId} did not get there`);
}
const ended = (s: JobState): boolean => s.state === 'done' || s.state === 'failed';

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof ApiError, `not an ApiError: ${String(err)}`);
    return err;
  }
  return assert.fail('no error');
}

describe('MjpApi against the sandbox', () => {
  it('imagines, upscales by the listed customId, and edits a region through the dialog', async () => {
    const imagined = await api.imagine('a lighthouse --ar 3:2');
    assert.match(imagined.jobId, MJP.jobId);
    const grid = await until(imagined.jobId, ended);
    assert.equal(grid.state, 'done');
    if (grid.state !== 'done') return;
    assert.deepEqual(grid.result.buttons, ['U1', 'U2', 'U3', 'U4', '🔄', 'V1', 'V2', 'V3', 'V4']);
    assert.equal(grid.result.buttonMessageId, imagined.jobId);
    assert.ok(grid.result.imageSize && grid.result.imageSize.width > grid.result.imageSize.height);

    const pressed = await api.press({ buttonMessageId: imagined.jobId, payload: grid.result.payload }, 'U1');
    const upscale = await until(pressed.jobId, ended);
    assert.equal(upscale.state, 'done');
    if (upscale.state !== 'done') return;
    const { width, height } = upscale.result.imageSize!;

    // A mask of the upscale's shape: a PNG (the one format trueai reads).
    const { Jimp } = await import('jimp');
    const mask = new Jimp({ width, height, color: 0x000000ff });
    for (let y = 0; y < height / 2; y++)
      for (let x = 0; x < width / 2; x++) mask.setPixelColor(0xffffffff, x, y);
    const edit = {
      prompt: 'a red balloon',
      mask: await mask.getBuffer('image/png'),
      maskFormat: 'png' as const,
    };

    const opened = await api.varyRegion(
      { buttonMessageId: pressed.jobId, payload: upscale.result.payload },
      edit,
    );
    assert.equal(opened.modal, true, 'trueai answers code 21: the task waits for its dialog');
    assert.deepEqual(await api.readJob(opened.jobId), { state: 'modal' });
    const sent = await api.submitModal(opened.jobId, edit);
    const painted = await until(sent.jobId, ended);
    assert.equal(painted.state, 'done');
    const modal = sandbox.requests().find((r) => r.path === '/mj/submit/modal')!;
    assert.equal(modal.status, 200);
  });

  it('reads the parent task itself when the msg does not carry it', async () => {
    const grid = await MJP.finished(sandbox, 'a quiet lake');
    sandbox.clearRequests();
    const pressed = await api.press({ buttonMessageId: grid.buttonMessageId }, 'V2');
    assert.match(pressed.jobId, MJP.jobId);
    const paths = sandbox.requests().map((r) => r.path);
    assert.deepEqual(paths, [`/mj/task/${grid.buttonMessageId}/fetch`, '/mj/submit/action']);
  });

  it('never makes a customId up: an unlisted button is refused before anything is sent', async () => {
    const grid = await MJP.finished(sandbox, 'a small boat');
    sandbox.clearRequests();
    const err = await rejection(
      api.press({ buttonMessageId: grid.buttonMessageId, payload: grid.payload }, '⬅️'),
    );
    assert.equal(err.code, 'BUTTON_NOT_FOUND');
    assert.equal(err.sent, false);
    assert.equal(sandbox.requests().length, 0);
  });

  it("reads refusals from each envelope: code 4, code 3 with HTTP 404, the relay's 429", async () => {
    const empty = await rejection(api.client.imagine({ prompt: '  ' }));
    assert.equal(empty.code, 'INVALID_PARAMETER');
    assert.match(empty.message, /prompt不能为空/);
    const gone = await rejection(
      api.client.action({ taskId: '1234567890123456', customId: 'MJ::JOB::upsample::1::x' }),
    );
    assert.deepEqual([gone.code, gone.status], ['NOT_FOUND', 404]);
    sandbox.configure({ rateLimit: { submitPerWindow: 1, submitWindowMs: 60_000 } });
    try {
      await api.imagine('first');
      const slow = await rejection(api.imagine('second'));
      assert.deepEqual([slow.code, slow.throttled, slow.sent], ['HTTP_429', true, true]);
      assert.ok(slow.retryAfterMs! > 0, 'Retry-After was not read');
    } finally {
      sandbox.configure({ rateLimit: false });
    }
  });

  it('an unknown id is unknown on each server: trueai 204, plus an empty 200, a relay 400', async () => {
    assert.deepEqual(await api.readJob('1234567890123456'), { state: 'unknown' });
    for (const midjourneyProxy of [{ flavour: 'plus' as const }, { relay: true }]) {
      sandbox.configure({ midjourneyProxy });
      try {
        const reader = midjourneyProxy.relay
          ? new MjpApi({ baseUrl: sandbox.url, token: sandbox.token, authScheme: 'bearer' })
          : api;
        assert.deepEqual(await reader.readJob('1234567890123456'), { state: 'unknown' });
      } finally {
        sandbox.configure({ midjourneyProxy: {} });
      }
    }
  });

  it('sends the token in one header only, and keeps it out of errors and logs', async () => {
    const wrong = new MjpApi({
      baseUrl: sandbox.url,
      token: 'not-the-token-123',
      logger: (l) => logged.push(l),
    });
    const err = await rejection(wrong.imagine('a cat'));
    assert.equal(err.code, 'HTTP_403');
    assert.ok(!JSON.stringify({ ...err, message: err.message }).includes('not-the-token-123'));
    assert.ok(
      logged.length > 0 && logged.every((l) => !l.includes(sandbox.token) && !l.includes('not-the-token')),
    );
    sandbox.clearRequests();
    await api.imagine('one header');
    assert.deepEqual(
      sandbox.requests().map((r) => r.auth),
      ['mj-api-secret'],
    );
  });
});
