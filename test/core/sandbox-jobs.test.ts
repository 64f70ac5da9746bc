// The sandbox's API: auth, acknowledgements, the progress sequence, results, buttons and every failure rule.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox, type Sandbox } from '../../src/core/sandbox/server';
import { VARY_REGION_BUTTON } from '../../src/core/tnl/types';
import { call, finalResult, imagine, mask, pollToEnd, press, type Loose } from '../support/sandbox-http';

const ID = /^[A-Za-z0-9]{20}$/;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe('sandbox jobs', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox({ stepMs: 5, minuteMs: 100, imageSize: 128 });
  });
  after(() => sb.close());

  describe('auth', () => {
    it('accepts a bearer header and an authToken query parameter', async () => {
      assert.equal((await call(sb, '/v2/info', undefined, { auth: 'bearer' })).status, 200);
      assert.equal((await call(sb, '/v2/info', undefined, { auth: 'query' })).status, 200);
    });
    it('answers 401 without a token or with a wrong one', async () => {
      for (const auth of ['none', 'wrong'] as const) {
        const { status, json } = await call(sb, '/v2/imagine', { msg: 'a cat' }, { auth });
        assert.equal(status, 401);
        assert.deepEqual(json, { success: false, msg: 'Unauthorized' });
      }
    });
  });

  it('acknowledges an imagine with a fresh id and an ISO timestamp', async () => {
    const a = await call(sb, '/v2/imagine', { msg: 'a lighthouse' });
    const b = await call(sb, '/v2/imagine', { msg: 'a lighthouse' });
    assert.equal(a.status, 200);
    assert.deepEqual(Object.keys(a.json).sort(), ['createdAt', 'messageId', 'success']);
    assert.equal(a.json.success, true);
    assert.match(a.json.messageId, ID);
    assert.match(a.json.createdAt, ISO);
    assert.notEqual(a.json.messageId, b.json.messageId);
  });

  it('goes queued, running in coarse steps, then done with a nested, complete result', async () => {
    // Steps long enough for polls to land in the queued step and in most others on a slow machine.
    sb.configure({ stepMs: 100 });
    let seen: Loose[];
    let messageId: string;
    try {
      const ack = await call(sb, '/v2/imagine', { msg: 'a red fox --q 2', ref: 'my-ref' });
      messageId = ack.json.messageId;
      seen = await pollToEnd(sb, messageId, { everyMs: 1 });
    } finally {
      sb.configure({ stepMs: 5 });
    }
    const progresses = seen.map((s) => s.progress);
    assert.deepEqual(seen[0], { progress: 0 });
    assert.ok(
      progresses.every((p, i) => i === 0 || p >= progresses[i - 1]),
      'progress never goes back',
    );
    const running = seen.slice(0, -1).filter((s) => s.progress > 0);
    for (const s of running) {
      assert.ok(Number.isInteger(s.progress) && s.progress < 100, `running progress ${s.progress}`);
      assert.ok(s.progressImageUrl === null || s.progressImageUrl.startsWith(sb.url));
      assert.deepEqual(s.response, {});
    }
    // Coarse steps, as Midjourney reports them: several, each well apart from the next.
    const steps = [...new Set(running.map((s) => s.progress as number))];
    assert.ok(steps.length >= 3, `steps seen: ${steps.join(', ')}`);
    assert.ok(
      steps.every((p, i) => i === 0 || p - (steps[i - 1] as number) >= 5),
      `steps ${steps.join(', ')}`,
    );
    assert.ok(
      running.some((s) => s.progressImageUrl),
      'a preview is offered once rendering is under way',
    );
    const last = seen[seen.length - 1];
    assert.equal(last.progress, 100);
    const r = last.response;
    assert.deepEqual(Object.keys(r), [
      'createdAt',
      'responseAt',
      'originatingMessageId',
      'buttonMessageId',
      'buttons',
      'imageUrl',
      'imageUrls',
      'content',
      'description',
      'type',
      'ref',
    ]);
    assert.equal(r.originatingMessageId, messageId);
    assert.match(r.buttonMessageId, ID);
    assert.notEqual(r.buttonMessageId, messageId);
    assert.deepEqual(r.buttons, ['U1', 'U2', 'U3', 'U4', '🔄', 'V1', 'V2', 'V3', 'V4']);
    assert.equal(r.imageUrls.length, 4);
    assert.equal(new Set(r.imageUrls).size, 4);
    assert.ok(r.imageUrl.startsWith(`${sb.url}/images/`));
    assert.equal(r.content, 'a red fox --q 2');
    assert.equal(r.description, '');
    assert.equal(r.type, 'imagine');
    assert.equal(r.ref, 'my-ref');
    assert.match(r.createdAt, ISO);
    assert.ok(Date.parse(r.responseAt) >= Date.parse(r.createdAt));
  });

  it('answers 404 for an unknown message id', async () => {
    const { status, json } = await call(sb, '/v2/message/AAAAAAAAAAAAAAAAAAAA');
    assert.equal(status, 404);
    assert.deepEqual(json, { success: false, msg: 'Not found' });
  });

  it('U1 gives one image with the post-upscale buttons, Vary (Region) among them', async () => {
    const grid = await imagine(sb, 'a castle');
    const up = await press(sb, grid.buttonMessageId, 'U1');
    assert.equal(up.type, 'button');
    assert.equal(up.content, 'a castle');
    assert.ok(up.imageUrl);
    assert.equal(up.imageUrls, undefined);
    assert.ok(up.buttons.includes(VARY_REGION_BUTTON));
    assert.ok(up.buttons.includes('❤️ Favorite'));
    assert.notEqual(up.buttonMessageId, grid.buttonMessageId);
  });

  it('Vary (Region) on an upscale gives a new grid with the new prompt', async () => {
    const grid = await imagine(sb, 'a castle');
    const up = await press(sb, grid.buttonMessageId, 'U2');
    const m = await mask(64, 64, (x, y) => x > 10 && x < 40 && y > 20 && y < 50);
    const varied = await press(sb, up.buttonMessageId, VARY_REGION_BUTTON, {
      prompt: 'a dragon on the tower',
      mask: m,
    });
    assert.equal(varied.content, 'a dragon on the tower');
    assert.deepEqual(varied.buttons, ['U1', 'U2', 'U3', 'U4', '🔄', 'V1', 'V2', 'V3', 'V4']);
    assert.equal(varied.imageUrls.length, 4);
    assert.equal(varied.type, 'button');
  });

  it('V1, reroll and other buttons give new grids', async () => {
    const grid = await imagine(sb, 'a meadow');
    for (const button of ['V1', '🔄']) {
      const r = await press(sb, grid.buttonMessageId, button);
      assert.equal(r.imageUrls.length, 4);
      assert.notDeepEqual(r.imageUrls, grid.imageUrls);
    }
  });

  describe('failure rules', () => {
    const failed = (r: Loose, code: string): void => {
      assert.equal(r.content, code);
      assert.equal(r.imageUrl, undefined);
      assert.equal(r.buttons, undefined);
    };

    it('refuses a prefilter word with 400 and an empty msg with 400', async () => {
      const banned = await call(sb, '/v2/imagine', { msg: 'a ForbiddenWord, in the rain' });
      assert.equal(banned.status, 400);
      assert.deepEqual(banned.json, { success: false, msg: "Invalid phrase: 'forbiddenword'" });
      assert.equal((await call(sb, '/v2/imagine', { msg: 'forbiddenwords are fine' })).status, 200);
      assert.equal((await call(sb, '/v2/imagine', { msg: '' })).status, 400);
      assert.equal((await call(sb, '/v2/imagine', {})).status, 400);
    });

    it('--sandbox-fail ends the job with that code, the TNL way', async () => {
      const ack = await call(sb, '/v2/imagine', { msg: 'a cat --sandbox-fail BANNED_PROMPT' });
      const seen = await pollToEnd(sb, ack.json.messageId);
      const last = seen[seen.length - 1];
      assert.equal(last.progress, 100);
      failed(last.response, 'BANNED_PROMPT');
      assert.equal(last.response.originatingMessageId, ack.json.messageId);
    });

    it('--sandbox-stall holds progress and expireMins turns it incomplete', async () => {
      const ack = await call(sb, '/v2/imagine', { msg: 'a cat --sandbox-stall 46' });
      const seen = await pollToEnd(sb, ack.json.messageId, { expireMins: 1, everyMs: 5 });
      assert.equal(seen[seen.length - 1].progress, 'incomplete');
      const progresses = seen.slice(0, -1).map((s) => s.progress);
      assert.ok(progresses.includes(46));
      assert.ok(progresses.every((p) => p <= 46));
      // A long expiry on the same job shows it still held at 46.
      const again = await call(sb, `/v2/message/${ack.json.messageId}?expireMins=60`);
      assert.equal(again.json.progress, 46);
    });

    it('--sandbox-never stays queued until it expires', async () => {
      const ack = await call(sb, '/v2/imagine', { msg: 'a cat --sandbox-never' });
      const seen = await pollToEnd(sb, ack.json.messageId, { expireMins: 0.5, everyMs: 5 });
      assert.ok(seen.slice(0, -1).every((s) => s.progress === 0));
      assert.equal(seen[seen.length - 1].progress, 'incomplete');
    });

    it('--sandbox-queued shows JOB_QUEUED before running', async () => {
      const ack = await call(sb, '/v2/imagine', { msg: 'a cat --sandbox-queued' });
      const seen = await pollToEnd(sb, ack.json.messageId, { everyMs: 1 });
      const queuedAt = seen.findIndex((s) => s.response?.content === 'JOB_QUEUED');
      assert.ok(queuedAt >= 0, 'JOB_QUEUED seen');
      assert.equal(seen[queuedAt].progress, 0);
      const runningAt = seen.findIndex((s) => typeof s.progress === 'number' && s.progress > 0);
      assert.ok(runningAt > queuedAt);
      assert.equal(seen[seen.length - 1].response.content, 'a cat');
    });

    it('answers 400 for an unknown buttonMessageId', async () => {
      const { status, json } = await call(sb, '/v2/button', { button: 'U1', buttonMessageId: 'nope' });
      assert.equal(status, 400);
      assert.deepEqual(json, { success: false, msg: 'Invalid buttonMessageId' });
    });

    it('BUTTON_NOT_FOUND for a button not offered, and for Vary (Region) on a grid', async () => {
      const grid = await imagine(sb, 'a boat');
      failed(await press(sb, grid.buttonMessageId, 'U9'), 'BUTTON_NOT_FOUND');
      const m = await mask(32, 32, () => true);
      failed(
        await press(sb, grid.buttonMessageId, VARY_REGION_BUTTON, { prompt: 'x', mask: m }),
        'BUTTON_NOT_FOUND',
      );
    });

    it('ALREADY_REQUESTED_UPSCALE for the same U pressed twice on one grid', async () => {
      const grid = await imagine(sb, 'a boat');
      assert.ok((await press(sb, grid.buttonMessageId, 'U3')).imageUrl);
      failed(await press(sb, grid.buttonMessageId, 'U3'), 'ALREADY_REQUESTED_UPSCALE');
      assert.ok((await press(sb, grid.buttonMessageId, 'U4')).imageUrl);
    });

    describe('Vary (Region) parameters', () => {
      let upscaleId: string;
      before(async () => {
        const grid = await imagine(sb, 'a harbour');
        upscaleId = (await press(sb, grid.buttonMessageId, 'U1')).buttonMessageId;
      });
      const vary = (extra: Record<string, unknown>): Promise<Loose> =>
        press(sb, upscaleId, VARY_REGION_BUTTON, extra);

      it('INVALID_PARAMETER without a prompt', async () => {
        failed(await vary({ mask: await mask(32, 32, () => true) }), 'INVALID_PARAMETER');
      });
      it('INVALID_PARAMETER for a mask that does not decode', async () => {
        failed(await vary({ prompt: 'p', mask: 'bm90IGFuIGltYWdl' }), 'INVALID_PARAMETER');
        const png = Buffer.from(await mask(32, 32, () => true), 'base64');
        failed(
          await vary({ prompt: 'p', mask: png.subarray(0, 40).toString('base64') }),
          'INVALID_PARAMETER',
        );
      });
      it('INVALID_PARAMETER for an all-black mask', async () => {
        failed(await vary({ prompt: 'p', mask: await mask(32, 32, () => false) }), 'INVALID_PARAMETER');
      });
      it('INVALID_PARAMETER for a mask of another aspect ratio', async () => {
        failed(await vary({ prompt: 'p', mask: await mask(64, 48, () => true) }), 'INVALID_PARAMETER');
        // Within 2% is the same shape.
        assert.ok((await vary({ prompt: 'p', mask: await mask(100, 99, () => true) })).imageUrls);
      });
      for (const [ar, fits, square] of [
        ['16:9', [64, 36], [64, 64]],
        ['2:3', [40, 60], [60, 60]],
      ] as const) {
        it(`on a --ar ${ar} picture: a mask of its shape repaints it, a square one is refused`, async () => {
          const grid = await imagine(sb, `a wide view --ar ${ar}`);
          const up = await press(sb, grid.buttonMessageId, 'U1');
          const shaped = await press(sb, up.buttonMessageId, VARY_REGION_BUTTON, {
            prompt: 'p',
            mask: await mask(fits[0], fits[1], (x) => x < 10),
          });
          assert.equal(shaped.imageUrls.length, 4);
          const refused = await press(sb, up.buttonMessageId, VARY_REGION_BUTTON, {
            prompt: 'p',
            mask: await mask(square[0], square[1], (x) => x < 10),
          });
          failed(refused, 'INVALID_PARAMETER');
        });
      }
      it('accepts a WebP mask, a JPEG mask and a data: URL', async () => {
        const webp = await mask(48, 48, (x) => x < 20, 'webp');
        assert.equal(Buffer.from(webp, 'base64').toString('latin1', 8, 12), 'WEBP');
        assert.ok((await vary({ prompt: 'p', mask: webp })).imageUrls);
        assert.ok((await vary({ prompt: 'p', mask: await mask(48, 48, (x) => x < 20, 'jpeg') })).imageUrls);
        const dataUrl = `data:image/png;base64,${await mask(48, 48, (x) => x < 20)}`;
        assert.ok((await vary({ prompt: 'p', mask: dataUrl })).imageUrls);
      });
      it('prompt flags work on the Vary (Region) prompt', async () => {
        const m = await mask(32, 32, () => true);
        failed(await vary({ prompt: 'p --sandbox-fail IMAGE_BLOCKED', mask: m }), 'IMAGE_BLOCKED');
      });
    });
  });

  describe('GET forms', () => {
    it('imagine, message and button work as GETs with query parameters', async () => {
      const ack = await call(sb, `/v2/imagine?msg=${encodeURIComponent('a kite --ar 2:1')}`, undefined, {
        auth: 'query',
      });
      assert.equal(ack.status, 200);
      const grid = await finalResult(sb, ack.json.messageId);
      assert.equal(grid.content, 'a kite --ar 2:1');
      const q = new URLSearchParams({ button: 'U1', buttonMessageId: grid.buttonMessageId });
      const up = await call(sb, `/v2/button?${q}`, undefined, { auth: 'query' });
      assert.equal(up.status, 200);
      const upscale = await finalResult(sb, up.json.messageId);
      // A mask in a query string, '+' signs and all, must survive.
      const vq = new URLSearchParams({
        button: VARY_REGION_BUTTON,
        buttonMessageId: upscale.buttonMessageId,
        prompt: 'a bird',
        mask: await mask(64, 32, (x) => x > 30),
      });
      const varied = await call(sb, `/v2/button?${vq}`, undefined, { auth: 'query' });
      assert.equal(varied.status, 200);
      assert.equal((await finalResult(sb, varied.json.messageId)).imageUrls.length, 4);
    });
  });

  describe('other endpoints', () => {
    it('info answers at once', async () => {
      const { status, json } = await call(sb, '/v2/info');
      assert.equal(status, 200);
      assert.equal(json.success, true);
      assert.equal(typeof json.fastTimeRemaining, 'string');
    });
    it('describe ends with four numbered suggestions and no image', async () => {
      const ack = await call(sb, '/v2/describe', { url: 'https://example.invalid/red-bicycle.png' });
      const r = await finalResult(sb, ack.json.messageId);
      assert.equal(r.imageUrl, undefined);
      for (const n of ['1', '2', '3', '4']) assert.ok(r.content.includes(`${n}\uFE0F\u20E3`));
      assert.ok(r.content.includes('red bicycle'));
    });
    it('blend takes 2 to 5 urls and gives a grid', async () => {
      assert.equal((await call(sb, '/v2/blend', { urls: ['a'] })).status, 400);
      const ack = await call(sb, '/v2/blend', { urls: ['http://127.0.0.1/a.png', 'http://127.0.0.1/b.png'] });
      assert.equal(ack.status, 200);
      assert.equal((await finalResult(sb, ack.json.messageId)).imageUrls.length, 4);
    });
    it('answers 404 for unknown paths', async () => {
      assert.equal((await call(sb, '/v2/nothing')).status, 404);
    });
  });
});
