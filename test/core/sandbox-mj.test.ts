// The sandbox's /mj side as trueai-org/midjourney-proxy answers: auth, the submit envelope, the task
// object through its statuses, buttons and customIds, the Vary (Region) MODAL step, every refusal
// code, prompt flags, timeouts, cancel and notifyHook posts.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Jimp } from 'jimp';
import { startSandbox, type Sandbox } from '../../src/core/sandbox/server';
import type { WebhookSender } from '../../src/core/sandbox/http/webhook';
import { TaskNotifier } from '../../src/core/sandbox/mj/mj-notify';
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

const TASK_ID = /^\d{16}$/;

describe('sandbox /mj (trueai)', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox({ stepMs: 5, imageSize: 64, minuteMs: 60_000 });
  });
  after(() => sb.close());

  describe('auth', () => {
    it('takes the token from mj-api-secret or, raw, from Authorization', async () => {
      for (const auth of ['mj-api-secret', 'authorization'] as const) {
        const { status, json } = await mjCall(sb, '/mj/submit/imagine', { prompt: 'a cat' }, auth);
        assert.equal(status, 200);
        assert.equal(json.code, 1);
      }
    });
    it('does not strip Bearer, and reads Authorization before mj-api-secret', async () => {
      const bearer = await mjCall(sb, '/mj/task/list', undefined, { authorization: `Bearer ${sb.token}` });
      assert.deepEqual([bearer.status, bearer.text], [403, '未登录']);
      const both = await mjCall(sb, '/mj/task/list', undefined, {
        authorization: 'wrong',
        'mj-api-secret': sb.token,
      });
      assert.equal(both.status, 403);
    });
    it('answers 401 without any token', async () => {
      const { status, text } = await mjCall(sb, '/mj/submit/imagine', { prompt: 'a cat' }, 'none');
      assert.deepEqual([status, text], [401, 'Authorization header missing.']);
    });
    it('serves the speed prefixes trueai maps, and nothing else before /mj', async () => {
      assert.equal((await mjCall(sb, '/mj-relax/mj/submit/imagine', { prompt: 'a cat' })).json.code, 1);
      assert.equal((await mjCall(sb, '/mj-fast/mj/task/list')).status, 200);
      assert.equal((await mjCall(sb, '/other/mj/task/list')).status, 404);
    });
  });

  it('answers a submit with the envelope: code 1, a 16-digit id as a string, properties', async () => {
    const a = await mjCall(sb, '/mj/submit/imagine', { prompt: 'a lighthouse' });
    const b = await mjCall(sb, '/mj/submit/imagine', { prompt: 'a lighthouse' });
    assert.deepEqual(Object.keys(a.json), ['code', 'description', 'result', 'properties']);
    assert.equal(a.json.code, 1);
    assert.equal(a.json.description, '提交成功');
    assert.match(a.json.result, TASK_ID);
    assert.notEqual(a.json.result, b.json.result);
    assert.equal(typeof a.json.properties, 'object');
  });

  it('a task goes SUBMITTED, IN_PROGRESS with string progress, then SUCCESS with its picture and buttons', async () => {
    // Steps long enough for polls to see several of them on a busy machine.
    sb.configure({ stepMs: 60 });
    let seen: Loose[];
    let id: string;
    try {
      const ack = await mjCall(sb, '/mj/submit/imagine', {
        prompt: 'a red fox --ar 16:9 --q 2',
        state: 'mine',
      });
      id = ack.json.result;
      seen = await mjPoll(sb, id);
    } finally {
      sb.configure({ stepMs: 5 });
    }
    const statuses = seen.map((t) => t.status);
    const order = ['SUBMITTED', 'IN_PROGRESS', 'SUCCESS'];
    assert.ok(
      statuses.every(
        (st, i) => order.includes(st) && (i === 0 || order.indexOf(st) >= order.indexOf(statuses[i - 1])),
      ),
      statuses.join(' '),
    );
    for (const t of seen.filter((t) => t.status === 'SUBMITTED')) assert.equal(t.progress, '0%');
    const running = seen.filter((t) => t.status === 'IN_PROGRESS');
    assert.ok(running.length >= 2);
    const percents = running.map((t) => Number(/^(\d+)%$/.exec(t.progress)?.[1]));
    assert.ok(percents.every((p, i) => p > 0 && p < 100 && (i === 0 || p >= (percents[i - 1] as number))));
    const task = seen[seen.length - 1];
    assert.equal(task.status, 'SUCCESS');
    assert.equal(task.progress, '100%');
    assert.equal(task.id, id);
    assert.equal(task.action, 'IMAGINE');
    assert.equal(task.prompt, 'a red fox --ar 16:9 --q 2');
    assert.equal(task.state, 'mine');
    assert.equal(task.failReason, null);
    assert.equal(task.properties.finalPrompt, 'a red fox --ar 16:9 --q 2');
    assert.match(task.properties.messageHash, /^[0-9a-f-]{36}$/);
    assert.ok(task.submitTime <= task.startTime && task.startTime <= task.finishTime);
    // A Discord-style signed link; the picture is the size the task says.
    assert.match(
      task.imageUrl,
      /^http:\/\/127\.0\.0\.1:\d+\/images\/\d{16}\.png\?ex=[0-9a-f]+&is=[0-9a-f]+&hm=[0-9a-f]+&$/,
    );
    const picture = await Jimp.fromBuffer(Buffer.from(await (await fetch(task.imageUrl)).arrayBuffer()));
    assert.deepEqual([picture.width, picture.height], [task.imageWidth, task.imageHeight]);
    assert.equal(task.imageWidth / task.imageHeight, 16 / 9);
    assert.deepEqual(
      task.buttons.map((b: Loose) => b.label || b.emoji),
      ['U1', 'U2', 'U3', 'U4', '🔄', 'V1', 'V2', 'V3', 'V4'],
    );
    const hash = task.properties.messageHash;
    assert.deepEqual(task.buttons[0], {
      customId: `MJ::JOB::upsample::1::${hash}`,
      emoji: '',
      label: 'U1',
      type: 2,
      style: 2,
    });
    assert.equal(customIdOf(task, '🔄'), `MJ::JOB::reroll::0::${hash}::SOLO`);
    assert.equal(customIdOf(task, 'V3'), `MJ::JOB::variation::3::${hash}`);
  });

  it('fetch of an unknown id is 204; list-by-condition omits what it does not know', async () => {
    const unknown = await mjCall(sb, '/mj/task/1234567890123456/fetch');
    assert.deepEqual([unknown.status, unknown.text], [204, '']);
    const task = await mjImagine(sb, 'a listed cat');
    const listed = await mjCall(sb, '/mj/task/list-by-condition', { ids: [task.id, '1234567890123456'] });
    assert.deepEqual(
      listed.json.map((t: Loose) => t.id),
      [task.id],
    );
    assert.deepEqual((await mjCall(sb, '/mj/task/list-by-condition', { ids: null })).json, []);
    assert.equal((await mjCall(sb, '/mj/task/list-by-ids', { ids: [task.id] })).json[0].status, 'SUCCESS');
  });

  describe('buttons', () => {
    let grid: Loose;
    let upscale: Loose;
    before(async () => {
      grid = await mjImagine(sb, 'a harbour --ar 2:3');
      upscale = await mjPress(sb, grid, 'U1');
    });

    it('U1 gives one picture, the first tile, with the upscale buttons', async () => {
      assert.equal(upscale.action, 'UPSCALE');
      assert.equal(upscale.parentId, grid.id);
      assert.deepEqual(
        [upscale.imageWidth, upscale.imageHeight],
        [grid.imageWidth / 2, grid.imageHeight / 2],
      );
      const hash = upscale.properties.messageHash;
      const names = upscale.buttons.map((b: Loose) => `${b.emoji} ${b.label}`.trim());
      for (const name of [
        '🪄 Vary (Strong)',
        '🪄 Vary (Subtle)',
        '🖌️ Vary (Region)',
        '🔍 Zoom Out 2x',
        '🔍 Zoom Out 1.5x',
        '🔍 Custom Zoom',
        '⬅️',
        '➡️',
        '⬆️',
        '⬇️',
      ]) {
        assert.ok(names.includes(name), `${name} among ${names.join(', ')}`);
      }
      assert.equal(customIdOf(upscale, 'Vary (Region)'), `MJ::Inpaint::1::${hash}::SOLO`);
      assert.equal(customIdOf(upscale, 'Zoom Out 2x'), `MJ::Outpaint::50::1::${hash}::SOLO`);
      assert.equal(customIdOf(upscale, '⬅️'), `MJ::JOB::pan_left::1::${hash}::SOLO`);
    });

    it('V1, 🔄, a pan and a zoom give new grids with their own actions', async () => {
      const v1 = await mjPress(sb, grid, 'V1');
      assert.deepEqual([v1.status, v1.action, v1.buttons.length], ['SUCCESS', 'VARIATION', 9]);
      assert.equal((await mjPress(sb, grid, '🔄')).action, 'IMAGINE');
      assert.equal((await mjPress(sb, upscale, '⬅️')).action, 'PAN');
      assert.equal((await mjPress(sb, upscale, 'Zoom Out 2x')).action, 'ZOOM');
      assert.equal((await mjPress(sb, upscale, 'Vary (Strong)')).action, 'VARIATION');
    });

    it('U pressed twice on a grid: the second fails as Midjourney refuses it', async () => {
      const fresh = await mjImagine(sb, 'a boat');
      await mjPress(sb, fresh, 'U2');
      const again = await mjPress(sb, fresh, 'U2');
      assert.deepEqual([again.status, again.progress], ['FAILURE', '']);
      assert.equal(again.failReason, "You've already requested an upscale for this image");
    });

    it('a customId of another task fails at Discord; an unknown kind is refused with code 4', async () => {
      const other = await mjImagine(sb, 'another');
      const foreign = await mjCall(sb, '/mj/submit/action', {
        taskId: grid.id,
        customId: customIdOf(other, 'V2'),
      });
      assert.equal(foreign.json.code, 1);
      const failed = await mjFinal(sb, foreign.json.result);
      assert.deepEqual([failed.status, failed.failReason], ['FAILURE', 'Invalid Form Body']);
      for (const customId of ['MJ::Nothing::1', customIdOf(upscale, '❤️')]) {
        const refused = await mjCall(sb, '/mj/submit/action', { taskId: upscale.id, customId });
        assert.deepEqual(
          [refused.status, refused.json.code, refused.json.description],
          [200, 4, '未知的 Action 类型'],
        );
        assert.equal(refused.json.result, null);
      }
    });

    it('an unknown parent is 404 with code 3; a parent not SUCCESS is code 4', async () => {
      const unknown = await mjCall(sb, '/mj/submit/action', {
        taskId: '1234567890123456',
        customId: customIdOf(grid, 'U1'),
      });
      assert.deepEqual(
        [unknown.status, unknown.json.code, unknown.json.description],
        [404, 3, '关联任务不存在或已失效'],
      );
      const failed = await mjImagine(sb, 'a cat --sandbox-fail INVALID_PARAMETER');
      const notDone = await mjCall(sb, '/mj/submit/action', {
        taskId: failed.id,
        customId: customIdOf(grid, 'U1'),
      });
      assert.deepEqual([notDone.json.code, notDone.json.description], [4, '关联任务状态错误']);
    });
  });

  describe('Vary (Region): action, then modal', () => {
    let upscale: Loose;
    before(async () => {
      upscale = await mjPress(sb, await mjImagine(sb, 'a quiet street --ar 16:9'), 'U3');
    });
    const open = async (): Promise<string> => {
      const opened = await mjCall(sb, '/mj/submit/action', {
        taskId: upscale.id,
        customId: customIdOf(upscale, 'Vary (Region)'),
      });
      assert.equal(opened.json.code, 21);
      return opened.json.result;
    };

    it('code 21 opens a MODAL task; the modal with a PNG data URL runs it under the same id', async () => {
      const opened = await mjCall(sb, '/mj/submit/action', {
        taskId: upscale.id,
        customId: customIdOf(upscale, 'Vary (Region)'),
        notifyHook: '',
      });
      assert.deepEqual(opened.json, {
        code: 21,
        description: 'Waiting for window confirm',
        result: opened.json.result,
        properties: { finalPrompt: '', remix: true },
      });
      const modal = (await mjCall(sb, `/mj/task/${opened.json.result}/fetch`)).json;
      assert.deepEqual(
        [modal.status, modal.progress, modal.action, modal.parentId],
        ['MODAL', null, 'VARIATION', upscale.id],
      );
      // A MODAL task never moves by itself.
      await new Promise((r) => setTimeout(r, 50));
      assert.equal((await mjCall(sb, `/mj/task/${opened.json.result}/fetch`)).json.status, 'MODAL');
      const m = await mask(64, 36, (x) => x > 40);
      const submitted = await mjCall(sb, '/mj/submit/modal', {
        taskId: opened.json.result,
        prompt: 'a red car',
        maskBase64: `data:image/png;base64,${m}`,
      });
      assert.deepEqual([submitted.json.code, submitted.json.result], [1, opened.json.result]);
      const done = await mjFinal(sb, opened.json.result);
      assert.deepEqual(
        [done.status, done.properties.finalPrompt, done.buttons.length],
        ['SUCCESS', 'a red car', 9],
      );
      assert.deepEqual(
        [done.imageWidth, done.imageHeight],
        [upscale.imageWidth * 2, upscale.imageHeight * 2],
      );
    });

    it('bare base64 of a PNG works; a blank prompt falls back to the parent prompt', async () => {
      const id = await open();
      await mjCall(sb, '/mj/submit/modal', {
        taskId: id,
        prompt: ' ',
        maskBase64: await mask(32, 18, (x) => x < 5),
      });
      const done = await mjFinal(sb, id);
      assert.deepEqual([done.status, done.properties.finalPrompt], ['SUCCESS', 'a quiet street --ar 16:9']);
    });

    it('any other mask prefix, a JPEG or no mask at all fails the task as trueai cannot pass it on', async () => {
      const png = await mask(32, 18, (x) => x < 5);
      const webp = await mask(32, 18, (x) => x < 5, 'webp');
      const jpeg = await mask(32, 18, (x) => x < 5, 'jpeg');
      for (const maskBase64 of [
        `data:image/webp;base64,${webp}`,
        `data:image/png;charset=utf-8;base64,${png}`,
        jpeg,
        undefined,
      ]) {
        const id = await open();
        const answer = await mjCall(sb, '/mj/submit/modal', { taskId: id, prompt: 'p', maskBase64 });
        assert.equal(answer.json.code, 1);
        const task = await mjFinal(sb, id);
        assert.deepEqual([task.status, task.progress, task.failReason], ['FAILURE', '', '提交失败']);
      }
    });

    it('a mask of another shape than the picture fails as an invalid parameter', async () => {
      const id = await open();
      await mjCall(sb, '/mj/submit/modal', {
        taskId: id,
        prompt: 'p',
        maskBase64: await mask(32, 32, () => true),
      });
      const task = await mjFinal(sb, id);
      assert.equal(task.status, 'FAILURE');
      assert.match(task.failReason, /^Invalid parameter, the mask is 32x32 and the picture 64x36/);
    });

    it('modal refusals: unknown task 404 + code 3, a task not in MODAL code 4', async () => {
      const unknown = await mjCall(sb, '/mj/submit/modal', { taskId: '1234567890123456', prompt: 'p' });
      assert.deepEqual([unknown.status, unknown.json.code], [404, 3]);
      const notModal = await mjCall(sb, '/mj/submit/modal', { taskId: upscale.id, prompt: 'p' });
      assert.deepEqual([notModal.json.code, notModal.json.description], [4, '关联任务状态错误']);
    });

    it('Custom Zoom is a modal too, and needs --zoom from 1 to 2', async () => {
      for (const [prompt, status] of [
        ['wider', 'FAILURE'],
        ['wider --zoom 1.5', 'SUCCESS'],
      ] as const) {
        const opened = await mjCall(sb, '/mj/submit/action', {
          taskId: upscale.id,
          customId: customIdOf(upscale, 'Custom Zoom'),
        });
        assert.equal(opened.json.code, 21);
        await mjCall(sb, '/mj/submit/modal', { taskId: opened.json.result, prompt });
        const task = await mjFinal(sb, opened.json.result);
        assert.equal(task.status, status);
        if (status === 'SUCCESS') assert.equal(task.action, 'ZOOM');
      }
    });
  });

  describe('refusals at submit', () => {
    it('code 4 for a blank prompt and for a state over 255 characters', async () => {
      const blank = await mjCall(sb, '/mj/submit/imagine', { prompt: '  ' });
      assert.deepEqual(
        [blank.status, blank.json.code, blank.json.description, blank.json.result],
        [200, 4, 'prompt不能为空', null],
      );
      const state = await mjCall(sb, '/mj/submit/imagine', { prompt: 'a cat', state: 'x'.repeat(256) });
      assert.deepEqual([state.json.code, state.json.description], [4, 'State参数过长，最大255字符']);
    });

    it('a prefilter word is accepted, then the task fails as trueai words it', async () => {
      const ack = await mjCall(sb, '/mj/submit/imagine', { prompt: 'a forbiddenword in the rain' });
      assert.equal(ack.json.code, 1);
      const task = await mjFinal(sb, ack.json.result);
      assert.deepEqual([task.status, task.failReason], ['FAILURE', '可能包含敏感词']);
    });

    it('queue full: code 9 for the next N submits, nothing created, then accepted again', async () => {
      const before = (await mjCall(sb, '/_sandbox/jobs')).json.length;
      sb.configure({ faults: { queueFullNext: 2 } });
      try {
        for (let i = 0; i < 2; i++) {
          const refused = await mjCall(sb, '/mj/submit/imagine', { prompt: 'a cat' });
          assert.deepEqual(
            [refused.json.code, refused.json.description, refused.json.result],
            [9, '提交失败，队列已满，请稍后重试', null],
          );
        }
        assert.equal((await mjCall(sb, '/_sandbox/jobs')).json.length, before);
        assert.equal((await mjCall(sb, '/mj/submit/imagine', { prompt: 'a cat' })).json.code, 1);
      } finally {
        sb.configure({ faults: {} });
      }
    });

    it('over the concurrency cap: code 4 on /imagine, the second envelope on /action', async () => {
      const grid = await mjImagine(sb, 'a capped cat');
      sb.configure({ midjourneyProxy: { concurrencyLimit: 1 } });
      try {
        const first = await mjCall(sb, '/mj/submit/imagine', { prompt: 'a slow cat --sandbox-never' });
        assert.equal(first.json.code, 1);
        const imagine = await mjCall(sb, '/mj/submit/imagine', { prompt: 'one more' });
        assert.deepEqual([imagine.json.code, imagine.json.description], [4, '并发数已达上限']);
        const action = await mjCall(sb, '/mj/submit/action', {
          taskId: grid.id,
          customId: customIdOf(grid, 'U1'),
        });
        assert.equal(action.status, 200);
        assert.deepEqual(Object.keys(action.json), ['success', 'code', 'message', 'timestamp']);
        assert.deepEqual(
          [action.json.success, action.json.code, action.json.message],
          [false, -1, '并发数已达上限'],
        );
        assert.match(action.json.timestamp, /^\d{18}$/);
      } finally {
        sb.configure({ midjourneyProxy: {} });
      }
    });
  });

  describe('prompt flags', () => {
    it('--sandbox-fail ends FAILURE with progress "" and the failure worded as trueai does', async () => {
      for (const [code, reason] of [
        ['BANNED_PROMPT', "Banned prompt detected, You can't use this prompt"],
        ['INVALID_PARAMETER', 'Invalid parameter, Invalid value'],
        ['INVALID_LINK', 'Invalid link! Could not validate this link'],
        ['INTERNAL_ERROR', '任务失败，请重试'],
        ['SOMETHING_ELSE', 'SOMETHING_ELSE'],
      ] as const) {
        const task = await mjImagine(sb, `a cat --sandbox-fail ${code}`);
        assert.deepEqual(
          [task.status, task.progress, task.failReason, task.buttons],
          ['FAILURE', '', reason, []],
        );
        assert.equal(task.imageUrl, null);
      }
    });

    it('--sandbox-queued answers code 22; the task waits NOT_START, then is submitted', async () => {
      const held = await mjCall(sb, '/mj/submit/imagine', {
        prompt: 'a held cat --sandbox-queued --sandbox-never',
      });
      assert.equal(held.json.code, 22);
      assert.match(held.json.description, /^排队中，前面还有\d+个任务$/);
      assert.equal(typeof held.json.properties.numberOfQueues, 'number');
      const waiting = (await mjCall(sb, `/mj/task/${held.json.result}/fetch`)).json;
      assert.deepEqual([waiting.status, waiting.progress, waiting.startTime], ['NOT_START', null, null]);

      const ack = await mjCall(sb, '/mj/submit/imagine', { prompt: 'a queued cat --sandbox-queued' });
      assert.equal(ack.json.code, 22);
      const statuses = (await mjPoll(sb, ack.json.result)).map((t) => t.status);
      const lastWaiting = statuses.lastIndexOf('NOT_START');
      assert.ok(statuses.slice(lastWaiting + 1).every((st) => st !== 'NOT_START'));
      assert.equal(statuses.at(-1), 'SUCCESS');
    });

    it('--sandbox-never stays SUBMITTED "0%"', async () => {
      const ack = await mjCall(sb, '/mj/submit/imagine', { prompt: 'a still cat --sandbox-never' });
      assert.equal(ack.json.code, 1);
      const task = (await mjCall(sb, `/mj/task/${ack.json.result}/fetch`)).json;
      assert.deepEqual([task.status, task.progress], ['SUBMITTED', '0%']);
      assert.equal(typeof task.startTime, 'number');
    });

    it('--sandbox-cancel ends CANCEL', async () => {
      const task = await mjImagine(sb, 'a cat --sandbox-cancel');
      assert.deepEqual([task.status, task.progress], ['CANCEL', '']);
    });

    it('--sandbox-stall and --sandbox-never hold until the server times them out', async () => {
      sb.configure({ minuteMs: 20, midjourneyProxy: { timeoutMinutes: 5 } });
      try {
        const stalled = await mjImagine(sb, 'a cat --sandbox-stall 46');
        assert.deepEqual([stalled.status, stalled.failReason], ['FAILURE', '执行超时 5 分钟']);
        const never = await mjImagine(sb, 'a cat --sandbox-never');
        assert.deepEqual([never.status, never.failReason], ['FAILURE', '执行超时 5 分钟']);
        const queued = await mjImagine(sb, 'a cat --sandbox-never --sandbox-queued');
        assert.deepEqual(
          [queued.status, queued.failReason, queued.startTime],
          ['FAILURE', '任务提交超时', null],
        );
      } finally {
        sb.configure({ minuteMs: 60_000, midjourneyProxy: {} });
      }
    });

    it('a stalled task stays IN_PROGRESS at its percentage meanwhile', async () => {
      const ack = await mjCall(sb, '/mj/submit/imagine', { prompt: 'a cat --sandbox-stall 46' });
      let task: Loose;
      do task = (await mjCall(sb, `/mj/task/${ack.json.result}/fetch`)).json;
      while (task.progress !== '46%' && task.status !== 'FAILURE');
      await new Promise((r) => setTimeout(r, 50));
      const later = (await mjCall(sb, `/mj/task/${ack.json.result}/fetch`)).json;
      assert.deepEqual([later.status, later.progress], ['IN_PROGRESS', '46%']);
    });
  });

  describe('cancel', () => {
    it('POST /mj/task/{id}/cancel writes FAILURE 取消任务 and answers an empty 200', async () => {
      const ack = await mjCall(sb, '/mj/submit/imagine', { prompt: 'a cat --sandbox-never' });
      const cancelled = await mjCall(sb, `/mj/task/${ack.json.result}/cancel`, {});
      assert.deepEqual([cancelled.status, cancelled.text], [200, '']);
      const task = (await mjCall(sb, `/mj/task/${ack.json.result}/fetch`)).json;
      assert.deepEqual([task.status, task.failReason, task.progress], ['FAILURE', '取消任务', '']);
    });
    it('is for admins only', async () => {
      sb.configure({ midjourneyProxy: { admin: false } });
      try {
        const ack = await mjCall(sb, '/mj/submit/imagine', { prompt: 'a cat --sandbox-never' });
        const refused = await mjCall(sb, `/mj/task/${ack.json.result}/cancel`, {});
        assert.deepEqual([refused.status, refused.text], [400, '演示模式，禁止操作']);
      } finally {
        sb.configure({ midjourneyProxy: {} });
      }
    });
  });

  describe('remix', () => {
    it('with Remix on, V1 opens a MODAL whose prompt becomes the new grid', async () => {
      const grid = await mjImagine(sb, 'a meadow');
      const without = await mjCall(sb, '/mj/submit/action', {
        taskId: grid.id,
        customId: customIdOf(grid, 'V1'),
        enableRemix: true,
      });
      assert.deepEqual(
        [without.json.code, without.json.description],
        [4, '当前账号不支持 remix，请开启 remix 功能'],
      );
      sb.configure({ midjourneyProxy: { remix: true } });
      try {
        const opened = await mjCall(sb, '/mj/submit/action', {
          taskId: grid.id,
          customId: customIdOf(grid, 'V1'),
        });
        assert.deepEqual([opened.json.code, opened.json.properties.finalPrompt], [21, 'a meadow']);
        assert.equal((await mjCall(sb, `/mj/task/${opened.json.result}/fetch`)).json.status, 'MODAL');
        await mjCall(sb, '/mj/submit/modal', { taskId: opened.json.result, prompt: 'a meadow at night' });
        const done = await mjFinal(sb, opened.json.result);
        assert.deepEqual([done.status, done.properties.finalPrompt], ['SUCCESS', 'a meadow at night']);
      } finally {
        sb.configure({ midjourneyProxy: {} });
      }
    });
  });

  describe('notifyHook', () => {
    it('posts the whole task on every change, one post per step, never NOT_START or MODAL', async () => {
      const hook = await hookReceiver();
      try {
        sb.configure({ stepMs: 20 });
        const ack = await mjCall(sb, '/mj/submit/imagine', {
          prompt: 'a hooked fish --sandbox-queued',
          notifyHook: `${hook.url}/hook`,
        });
        const final = await mjFinal(sb, ack.json.result);
        await hook.waitFor((p) => p.body.status === 'SUCCESS');
        // Posts travel on their own connections, so they may arrive in any order: count them.
        const posted = hook.posts.map((p) => p.body);
        assert.ok(posted.every((t) => t.id === ack.json.result));
        const count = (status: string): number => posted.filter((t) => t.status === status).length;
        assert.deepEqual([count('NOT_START'), count('SUBMITTED'), count('SUCCESS')], [0, 1, 1]);
        const percents = posted
          .filter((t) => t.status === 'IN_PROGRESS')
          .map((t) => parseInt(t.progress, 10));
        assert.ok(percents.length >= 3 && new Set(percents).size === percents.length, 'one post per step');
        const success = posted.find((t) => t.status === 'SUCCESS');
        assert.deepEqual(success, { ...final, imageUrl: success.imageUrl });
        assert.equal(success.properties.notifyHook, `${hook.url}/hook`);

        hook.posts.length = 0;
        const upscale = await mjPress(sb, final, 'U1');
        const opened = await mjCall(sb, '/mj/submit/action', {
          taskId: upscale.id,
          customId: customIdOf(upscale, 'Vary (Region)'),
          notifyHook: `${hook.url}/region`,
        });
        await mjCall(sb, '/mj/submit/modal', {
          taskId: opened.json.result,
          prompt: 'p',
          maskBase64: await mask(64, 64, (x) => x < 9),
        });
        await mjFinal(sb, opened.json.result);
        await hook.waitFor((p) => p.path === '/region' && p.body.status === 'SUCCESS');
        const region = hook.posts.filter((p) => p.path === '/region').map((p) => p.body.status);
        assert.ok(region.includes('SUBMITTED'));
        assert.ok(!region.includes('MODAL'), 'MODAL is not announced');
      } finally {
        sb.configure({ stepMs: 5 });
        await hook.close();
      }
    });

    it('skips a change that does not move forward: trueai equal or lower steps, plus only lower ones', () => {
      const sent: Loose[] = [];
      const sender = { send: (_url: string, body: unknown) => sent.push(body) } as unknown as WebhookSender;
      const task = (status: string, progress: string | null): Loose => ({ id: '1', status, progress });
      const trueai = new TaskNotifier(sender);
      for (const [status, progress] of [
        ['SUBMITTED', '0%'],
        ['IN_PROGRESS', '46%'],
        ['IN_PROGRESS', '46%'],
        ['IN_PROGRESS', '31%'],
        ['CANCEL', ''],
        ['IN_PROGRESS', '62%'],
      ] as const) {
        trueai.changed('http://hook', task(status, progress), 'trueai');
      }
      assert.deepEqual(
        sent.map((t) => `${t.status} ${t.progress}`),
        ['SUBMITTED 0%', 'IN_PROGRESS 46%', 'IN_PROGRESS 62%'],
      );
      sent.length = 0;
      const plus = new TaskNotifier(sender);
      for (const [status, progress] of [
        ['IN_PROGRESS', '46%'],
        ['IN_PROGRESS', '46%'],
        ['IN_PROGRESS', '31%'],
        ['CANCEL', ''],
      ] as const) {
        plus.changed('http://hook', task(status, progress), 'plus');
      }
      assert.deepEqual(
        sent.map((t) => `${t.status} ${t.progress}`),
        ['IN_PROGRESS 46%', 'IN_PROGRESS 46%', 'CANCEL '],
      );
    });
  });

  describe('faults, limits and the sandbox pages', () => {
    it('rate limit: 429 with code 30 and Retry-After', async () => {
      sb.configure({ rateLimit: { submitPerWindow: 1, submitWindowMs: 1000, messagePerSecond: 100 } });
      try {
        assert.equal((await mjCall(sb, '/mj/submit/imagine', { prompt: 'a cat' })).status, 200);
        const limited = await mjCall(sb, '/mj/submit/imagine', { prompt: 'a cat' });
        assert.equal(limited.status, 429);
        assert.deepEqual([limited.json.code, limited.json.type], [30, 'upstream_error']);
        assert.ok(Number(limited.headers.get('retry-after')) >= 1);
      } finally {
        sb.configure({ rateLimit: false });
      }
    });

    it('errorRate answers 500 and 502 before any work', async () => {
      sb.configure({ faults: { errorRate: 1 } });
      try {
        const a = await mjCall(sb, '/mj/submit/imagine', { prompt: 'a cat' });
        const b = await mjCall(sb, '/mj/submit/imagine', { prompt: 'a cat' });
        assert.deepEqual([a.status, b.status].sort(), [500, 502]);
      } finally {
        sb.configure({ faults: {} });
      }
    });

    it('the request log and /_sandbox/jobs cover /mj, the hook cut to its origin', async () => {
      sb.clearRequests();
      const ack = await mjCall(sb, '/mj/submit/imagine', {
        prompt: 'a logged cat',
        notifyHook: 'http://127.0.0.1:9/secret-path',
      });
      const [entry] = sb.requests();
      assert.deepEqual(
        [entry?.path, entry?.auth, entry?.status],
        ['/mj/submit/imagine', 'mj-api-secret', 200],
      );
      assert.equal((entry?.body as Loose).notifyHook, 'http://127.0.0.1:9/…');
      const jobs = (await mjCall(sb, '/_sandbox/jobs')).json;
      const job = jobs.find((j: Loose) => j.messageId === ack.json.result);
      assert.deepEqual([job.api, job.content], ['midjourney-proxy', 'a logged cat']);
    });
  });

  describe('describe and blend', () => {
    it('describe answers four prompts in finalPrompt; blend takes 2 to 5 pictures', async () => {
      const picture = `data:image/png;base64,${await mask(8, 8, () => true)}`;
      const described = await mjCall(sb, '/mj/submit/describe', { base64: picture });
      const task = await mjFinal(sb, described.json.result);
      assert.deepEqual([task.status, task.action, task.imageUrl], ['SUCCESS', 'DESCRIBE', null]);
      assert.equal(task.properties.finalPrompt.split('\n\n').length, 4);
      const tooFew = await mjCall(sb, '/mj/submit/blend', { base64Array: [picture] });
      assert.deepEqual([tooFew.json.code, tooFew.json.description], [4, '图片参数错误，2~5张图片']);
      const blended = await mjCall(sb, '/mj/submit/blend', {
        base64Array: [picture, picture],
        dimensions: 'PORTRAIT',
      });
      const grid = await mjFinal(sb, blended.json.result);
      assert.deepEqual([grid.status, grid.action], ['SUCCESS', 'BLEND']);
      assert.ok(Math.abs(grid.imageWidth / grid.imageHeight / (2 / 3) - 1) < 0.02, 'a portrait grid');
    });
  });
});
