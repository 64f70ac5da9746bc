// The picture worker pool with real workers: a task over its time limit or its heap costs its worker
// (which is replaced, and the next task works), an abort stops a running task, and a JPEG at the
// pixel cap decodes (the cap is true in both directions).
import assert from 'node:assert/strict';
import { after, afterEach, describe, it } from 'node:test';
import { makeThumbnail } from '../../src/core/image/thumbnail';
import { buildMask } from '../../src/core/mask';
import { PICTURE_LIMITS } from '../../src/core/picture';
import { pictureWorkerThreadIds, resetPicturePool, runningPictureTasks } from '../../src/core/picture/pool';
import { flatJpeg } from '../support/picture-bombs';
import { eventually } from '../support/node-red';

/** A picture that takes a worker seconds to decode: 33.5 million pixels of JPEG. */
const slowJpeg = flatJpeg(4096, 8192);
const smallJpeg = flatJpeg(64, 32);

afterEach(() => resetPicturePool());
after(() => resetPicturePool());

describe('picture workers', () => {
  it('kill a task over its time limit, replace the worker, and run the next task', async () => {
    await resetPicturePool({ taskTimeoutMs: 150 });
    const slow = makeThumbnail(slowJpeg);
    await eventually(() => runningPictureTasks() === 1, 10_000, 'the task to start');
    const [busy] = pictureWorkerThreadIds();
    await assert.rejects(slow, { code: 'IMAGE_TOO_LARGE', message: /longer than 0.15 s/ });
    assert.ok(!pictureWorkerThreadIds().includes(busy!), 'the worker that ran over its time is gone');
    const next = await makeThumbnail(smallJpeg, { maxSide: 16 });
    assert.deepEqual([next.width, next.height], [16, 8]);
    assert.ok(!pictureWorkerThreadIds().includes(busy!));
  });

  it('end a worker that outgrows its heap, with a coded error, and carry on', async () => {
    await resetPicturePool({ workerHeapMb: 24 });
    await assert.rejects(buildMask({ width: 8, height: 8, maskImage: flatJpeg(4096, 4096) }), {
      code: 'MASK_TOO_LARGE',
      message: /more memory/,
    });
    await resetPicturePool();
    const { info } = await buildMask({ width: 8, height: 8, maskImage: smallJpeg });
    assert.equal(info.coverage, 1);
  });

  it('stop a running task when its caller aborts', async () => {
    const controller = new AbortController();
    const slow = makeThumbnail(slowJpeg, { signal: controller.signal });
    await eventually(() => runningPictureTasks() === 1, 10_000, 'the task to start');
    const [busy] = pictureWorkerThreadIds();
    controller.abort();
    await assert.rejects(slow, { code: 'IMAGE_ABORTED' });
    assert.ok(!pictureWorkerThreadIds().includes(busy!), 'the busy worker was terminated');
    assert.equal((await makeThumbnail(smallJpeg)).sourceWidth, 64);
  });

  it('decode a JPEG at the pixel cap (4096x8192) into a mask', async () => {
    assert.equal(4096 * 8192, PICTURE_LIMITS.maxInputPixels);
    const { info } = await buildMask({ width: 32, height: 64, maskImage: slowJpeg });
    // Flat mid-grey (128) is at the default threshold: all white.
    assert.deepEqual([info.width, info.height, info.coverage], [32, 64, 1]);
  });
});
