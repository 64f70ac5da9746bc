// The /mj side's other behaviours, each reachable by an option: midjourney-proxy-plus's habits
// (codes 23 and 24 at submit, CANCEL, bracketed failReasons, an empty 200 for an unknown id) and a
// new-api relay in front (Bearer sk- auth, codes rewritten to 1, status "" at first, its own errors,
// no notifyHook, links through its /mj/image/{id}).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Jimp } from 'jimp';
import { startSandbox, type Sandbox } from '../../src/core/sandbox/server';
import {
  customIdOf,
  hookReceiver,
  mask,
  mjCall,
  mjFinal,
  mjImagine,
  mjPoll,
  mjPress,
  type Loose,
} from '../support/sandbox-http';

describe('sandbox /mj as midjourney-proxy-plus', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox({ stepMs: 5, imageSize: 64, midjourneyProxy: { flavour: 'plus' } });
  });
  after(() => sb.close());

  it('refuses a prefilter word at submit with code 24 and the banned word', async () => {
    const { json } = await mjCall(sb, '/mj/submit/imagine', { prompt: 'a BannedWord at dusk' });
    assert.deepEqual(json, {
      code: 24,
      description: '可能包含敏感词',
      result: null,
      properties: { promptEn: 'a BannedWord at dusk', bannedWord: 'bannedword' },
    });
  });

  it('a full queue is code 23', async () => {
    sb.configure({ faults: { queueFullRate: 1 } });
    try {
      const { json } = await mjCall(sb, '/mj/submit/imagine', { prompt: 'a cat' });
      assert.deepEqual([json.code, json.description], [23, '队列已满，请稍后尝试']);
    } finally {
      sb.configure({ faults: {} });
    }
  });

  it('words embeds in brackets, answers an unknown id with an empty 200, and a missing token with an empty 401', async () => {
    const failed = await mjImagine(sb, 'a cat --sandbox-fail INVALID_PARAMETER');
    assert.equal(failed.failReason, '[Invalid parameter] Invalid value');
    const unknown = await mjCall(sb, '/mj/task/1234567890123456/fetch');
    assert.deepEqual([unknown.status, unknown.text], [200, '']);
    const anonymous = await mjCall(sb, '/mj/task/list', undefined, 'none');
    assert.deepEqual([anonymous.status, anonymous.text], [401, '']);
  });

  it('opens Vary (Region) with 窗口等待, and cancels to CANCEL', async () => {
    const upscale = await mjPress(sb, await mjImagine(sb, 'a port'), 'U1');
    const opened = await mjCall(sb, '/mj/submit/action', {
      taskId: upscale.id,
      customId: customIdOf(upscale, 'Vary (Region)'),
    });
    assert.deepEqual([opened.json.code, opened.json.description], [21, '窗口等待']);
    const cancelled = await mjCall(sb, `/mj/task/${opened.json.result}/cancel`, {});
    assert.equal(cancelled.status, 200);
    const task = (await mjCall(sb, `/mj/task/${opened.json.result}/fetch`)).json;
    assert.deepEqual([task.status, task.progress], ['CANCEL', '']);
  });
});

describe('sandbox /mj behind a new-api relay', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox({
      stepMs: 5,
      imageSize: 64,
      // Long enough for the first fetch to land inside it on a busy machine.
      midjourneyProxy: { relay: { statusEmptyMs: 400 } },
    });
  });
  after(() => sb.close());

  describe('auth', () => {
    it('reads Authorization: Bearer sk-<token>, and mj-api-secret when Authorization is absent or the placeholder', async () => {
      assert.equal((await mjCall(sb, '/mj/submit/imagine', { prompt: 'a cat' }, 'bearer')).json.code, 1);
      assert.equal(
        (await mjCall(sb, '/mj/submit/imagine', { prompt: 'a cat' }, 'mj-api-secret')).json.code,
        1,
      );
      const placeholder = await mjCall(
        sb,
        '/mj/submit/imagine',
        { prompt: 'a cat' },
        {
          authorization: 'midjourney-proxy',
          'mj-api-secret': `sk-${sb.token}`,
        },
      );
      assert.equal(placeholder.json.code, 1);
    });
    it('refuses in OpenAI shape', async () => {
      const none = await mjCall(sb, '/mj/submit/imagine', { prompt: 'a cat' }, 'none');
      assert.equal(none.status, 401);
      assert.equal(none.json.error.message, '未提供令牌');
      const wrong = await mjCall(
        sb,
        '/mj/submit/imagine',
        { prompt: 'a cat' },
        { authorization: 'Bearer sk-wrong' },
      );
      assert.deepEqual(
        [wrong.status, wrong.json.error.message, wrong.json.error.type],
        [401, '无效的令牌', 'new_api_error'],
      );
    });
  });

  it('serves /<mode>/mj/... for any mode, and refuses unknown routes in OpenAI shape', async () => {
    assert.equal(
      (await mjCall(sb, '/mj-relax/mj/submit/imagine', { prompt: 'a cat' }, 'bearer')).json.code,
      1,
    );
    assert.equal(
      (await mjCall(sb, '/anything/mj/submit/imagine', { prompt: 'a cat' }, 'bearer')).json.code,
      1,
    );
    const cancel = await mjCall(sb, '/mj/task/1234567890123456/cancel', {}, 'bearer');
    assert.equal(cancel.status, 404);
    assert.equal(cancel.json.error.type, 'invalid_request_error');
  });

  it('shows status "" at first, then the task as the relay records it', async () => {
    const ack = await mjCall(
      sb,
      '/mj/submit/imagine',
      { prompt: 'a relayed cat --sandbox-queued', notifyHook: 'http://127.0.0.1:9/x' },
      'bearer',
    );
    // 22 is rewritten to 1 (the description stays the server's).
    assert.equal(ack.json.code, 1);
    assert.match(ack.json.description, /^排队中/);
    const first = (await mjCall(sb, `/mj/task/${ack.json.result}/fetch`, undefined, 'bearer')).json;
    assert.deepEqual([first.status, first.progress, first.buttons, first.properties], ['', '0%', null, null]);
    const seen = await mjPoll(sb, ack.json.result, { auth: 'bearer' });
    const task = seen.at(-1);
    assert.equal(task.status, 'SUCCESS');
    assert.equal(task.description, '提交成功');
    assert.deepEqual(task.properties, { finalPrompt: 'a relayed cat', finalZhPrompt: '' });
    assert.deepEqual([task.customId, task.botType, task.maskBase64], ['', '', '']);
    assert.equal(task.buttons.length, 9);
    // Pictures go through the relay's own link, which needs no token.
    assert.equal(task.imageUrl, `${sb.url}/mj/image/${task.id}`);
    const res = await fetch(task.imageUrl);
    assert.equal(res.status, 200);
    const picture = await Jimp.fromBuffer(Buffer.from(await res.arrayBuffer()));
    assert.equal(picture.width, 128);
  });

  it('answers an unknown id with 400 task_no_found and refuses presses its record does not allow', async () => {
    const unknown = await mjCall(sb, '/mj/task/1234567890123456/fetch', undefined, 'bearer');
    assert.equal(unknown.status, 400);
    assert.deepEqual(unknown.json, { description: 'task_no_found ', type: 'upstream_error', code: 4 });
    const ack = await mjCall(sb, '/mj/submit/imagine', { prompt: 'a fresh cat' }, 'bearer');
    const early = await mjCall(
      sb,
      '/mj/submit/action',
      {
        taskId: ack.json.result,
        customId: 'MJ::JOB::upsample::1::00000000-0000-0000-0000-000000000000',
      },
      'bearer',
    );
    assert.deepEqual([early.status, early.json.description], [400, 'task_status_not_success ']);
    const blank = await mjCall(sb, '/mj/submit/imagine', { prompt: '' }, 'bearer');
    assert.deepEqual([blank.status, blank.json.description], [400, 'prompt_is_required ']);
  });

  it('keeps code 21 for Vary (Region); the modal runs it; no notifyHook reaches the client', async () => {
    const hook = await hookReceiver();
    try {
      const grid = await mjFinal(
        sb,
        (await mjCall(sb, '/mj/submit/imagine', { prompt: 'a hooked cat', notifyHook: hook.url }, 'bearer'))
          .json.result,
        'bearer',
      );
      const ack = await mjCall(
        sb,
        '/mj/submit/action',
        { taskId: grid.id, customId: customIdOf(grid, 'U1') },
        'bearer',
      );
      const upscale = await mjFinal(sb, ack.json.result, 'bearer');
      const opened = await mjCall(
        sb,
        '/mj/submit/action',
        {
          taskId: upscale.id,
          customId: customIdOf(upscale, 'Vary (Region)'),
        },
        'bearer',
      );
      assert.equal(opened.json.code, 21);
      const modal = (await mjCall(sb, `/mj/task/${opened.json.result}/fetch`, undefined, 'bearer')).json;
      assert.equal(modal.action, 'INPAINT');
      await mjCall(
        sb,
        '/mj/submit/modal',
        {
          taskId: opened.json.result,
          prompt: 'a hat',
          maskBase64: `data:image/png;base64,${await mask(64, 64, (x) => x < 10)}`,
        },
        'bearer',
      );
      const done = await mjFinal(sb, opened.json.result, 'bearer');
      assert.equal(done.status, 'SUCCESS');
      // A post sent at the end would be on its way by now.
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(hook.posts, [], 'the relay strips notifyHook');
    } finally {
      await hook.close();
    }
  });

  it('rewrites 21 for Vary (Region) too when told, and for a Remix V1 always: code 1 for a MODAL task', async () => {
    const grid = await mjFinal(
      sb,
      (await mjCall(sb, '/mj/submit/imagine', { prompt: 'a remixed cat' }, 'bearer')).json.result,
      'bearer',
    );
    sb.configure({ midjourneyProxy: { relay: { statusEmptyMs: 0, rewriteModalCode: true }, remix: true } });
    try {
      const v1 = await mjCall(
        sb,
        '/mj/submit/action',
        { taskId: grid.id, customId: customIdOf(grid, 'V1') },
        'bearer',
      );
      assert.equal(v1.json.code, 1);
      assert.equal(
        (await mjCall(sb, `/mj/task/${v1.json.result}/fetch`, undefined, 'bearer')).json.status,
        'MODAL',
      );
      const upscale = await mjFinal(
        sb,
        (
          await mjCall(
            sb,
            '/mj/submit/action',
            { taskId: grid.id, customId: customIdOf(grid, 'U2') },
            'bearer',
          )
        ).json.result,
        'bearer',
      );
      const region = await mjCall(
        sb,
        '/mj/submit/action',
        {
          taskId: upscale.id,
          customId: customIdOf(upscale, 'Vary (Region)'),
        },
        'bearer',
      );
      assert.equal(region.json.code, 1);
      const task: Loose = (await mjCall(sb, `/mj/task/${region.json.result}/fetch`, undefined, 'bearer'))
        .json;
      assert.equal(task.status, 'MODAL');
    } finally {
      sb.configure({ midjourneyProxy: { relay: { statusEmptyMs: 400 } } });
    }
  });
});
