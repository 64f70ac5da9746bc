// Reading midjourney-proxy's task objects and buttons: every status, string progress, failure texts
// in the servers' own words, button names shared with TheNextLeg, and customIds never made up.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VARY_REGION_BUTTON } from '../../src/core/api/buttons';
import { RESULT_CODES } from '../../src/core/api/result-codes';
import { failReasonOf } from '../../src/core/sandbox/mj/mj-fail-reasons';
import { buttonName, buttonNames, findButton, readButtons } from '../../src/core/mjp/buttons';
import { failureCode, parseTask } from '../../src/core/mjp/task-state';

const HASH = '0ddb91a0-af46-4ae9-8e8e-c271074eb6e6';
/** A grid's buttons as trueai lists them (docs/midjourney-proxy-api.md, a real payload). */
const GRID = [
  ...[1, 2, 3, 4].map((i) => ({ customId: `MJ::JOB::upsample::${i}::${HASH}`, emoji: '', label: `U${i}` })),
  { customId: `MJ::JOB::reroll::0::${HASH}::SOLO`, emoji: '🔄', label: '' },
  ...[1, 2, 3, 4].map((i) => ({ customId: `MJ::JOB::variation::${i}::${HASH}`, emoji: '', label: `V${i}` })),
];
/** An upscale's buttons (trueai's generator for v6). */
const UPSCALE = [
  { customId: `MJ::JOB::upsample_v6_2x_subtle::1::${HASH}::SOLO`, emoji: '', label: 'Upscale (Subtle)' },
  { customId: `MJ::JOB::high_variation::1::${HASH}::SOLO`, emoji: '🪄', label: 'Vary (Strong)' },
  { customId: `MJ::JOB::low_variation::1::${HASH}::SOLO`, emoji: '🪄', label: 'Vary (Subtle)' },
  { customId: `MJ::Inpaint::1::${HASH}::SOLO`, emoji: '🖌️', label: 'Vary (Region)' },
  { customId: `MJ::Outpaint::50::1::${HASH}::SOLO`, emoji: '🔍', label: 'Zoom Out 2x' },
  { customId: `MJ::Outpaint::75::1::${HASH}::SOLO`, emoji: '🔍', label: 'Zoom Out 1.5x' },
  { customId: `MJ::CustomZoom::${HASH}`, emoji: '🔍', label: 'Custom Zoom' },
  { customId: `MJ::JOB::pan_left::1::${HASH}::SOLO`, emoji: '⬅️', label: '' },
  { customId: `MJ::JOB::pan_up::1::${HASH}::SOLO`, emoji: '⬆️', label: '' },
  { customId: `MJ::JOB::animate_high::1::${HASH}::SOLO`, emoji: 'upscale_1', label: 'Animate (High motion)' },
  { customId: `MJ::JOB::variation::1::${HASH}::SOLO`, emoji: '🪄', label: 'Make Variations' },
];

describe('midjourney-proxy buttons', () => {
  it("names a grid's buttons as a TheNextLeg flow does", () => {
    assert.deepEqual(buttonNames(GRID), ['U1', 'U2', 'U3', 'U4', '🔄', 'V1', 'V2', 'V3', 'V4']);
  });

  it("names an upscale's buttons, Vary (Region) exactly as TNL spells it", () => {
    assert.deepEqual(buttonNames(UPSCALE), [
      'Upscale (Subtle)',
      '🪄 Vary (Strong)',
      '🪄 Vary (Subtle)',
      VARY_REGION_BUTTON,
      '🔍 Zoom Out 2x',
      '🔍 Zoom Out 1.5x',
      '🔍 Custom Zoom',
      '⬅️',
      '⬆️',
      // A custom emoji's name means nothing outside Discord; an upscale's variation is not V1.
      'Animate (High motion)',
      '🪄 Make Variations',
    ]);
    // Without the variation selector the server may send, the name is still TNL's.
    assert.equal(
      buttonName({ customId: `MJ::Inpaint::1::${HASH}::SOLO`, emoji: '🖌', label: 'Vary (Region)' }),
      VARY_REGION_BUTTON,
    );
  });

  it('finds a button by name, plain label or customId, and never makes one up', () => {
    assert.equal(findButton('U2', GRID)?.customId, `MJ::JOB::upsample::2::${HASH}`);
    assert.equal(findButton('Vary (Region)', UPSCALE)?.customId, `MJ::Inpaint::1::${HASH}::SOLO`);
    assert.equal(findButton('🖌 Vary (Region)', UPSCALE)?.customId, `MJ::Inpaint::1::${HASH}::SOLO`);
    assert.equal(findButton(`MJ::JOB::pan_up::1::${HASH}::SOLO`, UPSCALE)?.label, '');
    assert.equal(findButton('U1', UPSCALE), undefined);
    assert.equal(findButton('Vary (Region)', GRID), undefined);
    // "Vary" alone matches two buttons: ambiguous, so none.
    assert.equal(findButton('Vary', UPSCALE), undefined);
  });

  it('reads only buttons that carry a customId', () => {
    assert.deepEqual(
      readButtons([null, 'U1', { label: 'U1' }, { customId: '' }, { customId: 'MJ::x', emoji: 3 }]),
      [{ customId: 'MJ::x' }],
    );
    assert.deepEqual(readButtons('notAnArray'), []);
  });
});

describe('midjourney-proxy task states', () => {
  const task = (over: Record<string, unknown>) => ({ id: '1748339029401828', action: 'IMAGINE', ...over });

  it('reads every status', () => {
    assert.deepEqual(parseTask(task({ status: 'NOT_START', progress: null })), {
      state: 'queued',
      progress: 0,
    });
    assert.deepEqual(parseTask(task({ status: 'SUBMITTED', progress: '0%' })), {
      state: 'queued',
      progress: 0,
    });
    // A relay shows "" until it has polled its upstream.
    assert.deepEqual(parseTask(task({ status: '', progress: '0%' })), { state: 'queued', progress: 0 });
    assert.deepEqual(
      parseTask(task({ status: 'IN_PROGRESS', progress: '46%', imageUrl: 'http://x/p.webp' })),
      {
        state: 'running',
        progress: 46,
        progressImageUrl: 'http://x/p.webp',
      },
    );
    assert.deepEqual(parseTask(task({ status: 'MODAL' })), { state: 'modal' });
    const cancelled = parseTask(task({ status: 'CANCEL', progress: '' }));
    assert.equal(cancelled.state === 'failed' && cancelled.code, 'CANCELLED');
  });

  it('reads a finished task: id to press on, names, picture size, the task as payload', () => {
    const body = task({
      status: 'SUCCESS',
      progress: '100%',
      prompt: 'dog playing ball --ar 16:9',
      imageUrl: 'https://cdn.example/grid.png?ex=1&is=2&hm=3&',
      imageWidth: 2048,
      imageHeight: 1152,
      buttons: GRID,
      imageUrls: [
        { url: 'https://cdn.example/0.png', thumbnail: 't' },
        'https://cdn.example/1.png',
        { nope: 1 },
      ],
    });
    const state = parseTask(body);
    assert.equal(state.state, 'done');
    if (state.state !== 'done') return;
    assert.equal(state.result.buttonMessageId, '1748339029401828');
    assert.deepEqual(state.result.buttons?.slice(0, 5), ['U1', 'U2', 'U3', 'U4', '🔄']);
    assert.deepEqual(state.result.imageSize, { width: 2048, height: 1152 });
    assert.deepEqual(state.result.imageUrls, ['https://cdn.example/0.png', 'https://cdn.example/1.png']);
    assert.equal(state.result.prompt, 'dog playing ball --ar 16:9');
    assert.equal(state.result.payload, body);
  });

  it('reads a failure in the servers own words, with the text in the message', () => {
    const banned = parseTask(task({ status: 'FAILURE', progress: '', failReason: '可能包含敏感词' }));
    assert.deepEqual(banned.state === 'failed' && [banned.code, /可能包含敏感词/.test(banned.message)], [
      'BANNED_PROMPT',
      true,
    ]);
    const other = parseTask(task({ status: 'FAILURE', progress: '', failReason: 'Invalid Form Body' }));
    assert.deepEqual(other.state === 'failed' && [other.code, other.message], [
      'JOB_FAILED',
      'midjourney-proxy reports the job failed: Invalid Form Body',
    ]);
  });

  it('maps the failure texts of each server to the shared codes', () => {
    assert.equal(failureCode('Banned prompt detected'), 'BANNED_PROMPT');
    assert.equal(failureCode('[Invalid parameter] Invalid value'), 'INVALID_PARAMETER');
    assert.equal(failureCode('Invalid parameter, unrecognized argument --foo'), 'INVALID_PARAMETER');
    assert.equal(failureCode('Image denied'), 'IMAGE_BLOCKED');
    assert.equal(failureCode('Invalid link! Could not validate this link'), 'INVALID_LINK');
    assert.equal(failureCode('执行超时 5 分钟'), 'BOT_TOOK_TOO_LONG_TO_PROCESS_YOUR_COMMAND');
    assert.equal(failureCode('任务超时'), 'BOT_TOOK_TOO_LONG_TO_PROCESS_YOUR_COMMAND');
    assert.equal(failureCode('取消任务'), 'CANCELLED');
    assert.equal(failureCode('Plan Cancelled'), 'PLEASE_SUBSCRIBE_TO_MJ_IN_YOUR_DASHBOARD');
    assert.equal(failureCode('Subscription paused'), 'PLEASE_SUBSCRIBE_TO_MJ_IN_YOUR_DASHBOARD');
    assert.equal(failureCode('Blocked'), 'BLOCKED');
    assert.equal(failureCode('[Blocked] This message has been blocked'), 'BLOCKED');
    assert.equal(failureCode('Pending mod message'), 'BLOCKED');
    assert.equal(
      failureCode('Bot took too long to process your command'),
      'BOT_TOOK_TOO_LONG_TO_PROCESS_YOUR_COMMAND',
    );
    assert.equal(failureCode("You've ran out of fast hours"), 'NO_FAST_HOURS');
    assert.equal(failureCode('任务失败，请重试'), 'INTERNAL_ERROR');
    assert.equal(failureCode('[Internal Server Error] Internal error'), 'INTERNAL_ERROR');
    assert.equal(failureCode('Invalid Form Body'), 'JOB_FAILED');
    assert.equal(failureCode(''), 'JOB_FAILED');
  });

  it('takes a numeric id, and refuses what is no task', () => {
    assert.equal(parseTask({ id: 1748339029401828, status: 'SUBMITTED' }).state, 'queued');
    assert.throws(() => parseTask('nope'), { code: 'BAD_RESPONSE' });
    assert.throws(() => parseTask({ status: 'SUCCESS' }), { code: 'BAD_RESPONSE' });
    assert.throws(() => parseTask({ id: 'has space', status: 'SUCCESS' }), { code: 'BAD_RESPONSE' });
  });
});

describe('a failure reaches a flow with the same code on both APIs', () => {
  it("reads every failure the sandbox words as the servers do as TheNextLeg's code for it", () => {
    // Discord's own answer to a press of a component the message lacks names no code of ours.
    const unnamed = new Set(['BUTTON_NOT_FOUND']);
    for (const code of RESULT_CODES) {
      if (code === 'JOB_QUEUED' || unnamed.has(code)) continue;
      for (const flavour of ['trueai', 'plus'] as const) {
        assert.equal(failureCode(failReasonOf(code, flavour)), code, `${code} as ${flavour} words it`);
      }
    }
  });
});
