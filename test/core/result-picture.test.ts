// A result picture's size without downloading it: the API's own fields first, else the first bytes
// of the picture (a byte range, or a read cut short where the server ignores ranges), by the same
// path a download takes, TNL's /getImage fallback included.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { resultPictureSize, HEADER_BYTES } from '../../src/core/jobs/result-picture';
import { startSandbox, type Sandbox } from '../../src/core/sandbox/server';
import { TnlApi } from '../../src/core/tnl/tnl-api';
import { TNL } from '../support/dialects';
import { fetchImage } from '../support/sandbox-http';

/** The size of the whole picture, downloaded: what the header read must agree with. */
async function sizeOf(url: string): Promise<{ width: number; height: number }> {
  const picture = await fetchImage(url);
  return { width: picture.width, height: picture.height };
}

let sandbox: Sandbox;
let api: TnlApi;

before(async () => {
  sandbox = await startSandbox({ stepMs: 5 });
  api = new TnlApi({ baseUrl: sandbox.url, token: sandbox.token });
});
after(() => sandbox.close());

describe('resultPictureSize', () => {
  it('takes the size the API says, without a request', async () => {
    sandbox.clearRequests();
    const size = await resultPictureSize(api, {
      imageUrl: `${sandbox.url}/images/x.png`,
      imageSize: { width: 3, height: 2 },
      payload: {},
    });
    assert.deepEqual(size, { width: 3, height: 2 });
    assert.equal(sandbox.requests().length, 0);
  });

  it('reads a 16:9 grid from a byte range of its header', async () => {
    const { payload } = await TNL.finished(sandbox, 'a wide view --ar 16:9');
    const whole = await sizeOf(payload.imageUrl);
    assert.ok(whole.width / whole.height > 1.7);
    sandbox.clearRequests();
    const size = await resultPictureSize(api, { imageUrl: payload.imageUrl, payload });
    assert.deepEqual(size, whole);
    const reads = sandbox.requests().filter((r) => r.path.startsWith('/images/'));
    assert.deepEqual(
      reads.map((r) => r.status),
      [206],
    );
  });

  it('goes through /getImage when the CDN refuses, as a download does', async () => {
    const { payload } = await TNL.finished(sandbox, 'a tall tower --ar 2:3');
    const whole = await sizeOf(payload.imageUrl);
    sandbox.configure({ refuseDirectImages: true });
    try {
      sandbox.clearRequests();
      const size = await resultPictureSize(api, { imageUrl: payload.imageUrl, payload });
      assert.deepEqual(size, whole);
      assert.ok(sandbox.requests().some((r) => r.path === '/getImage' && r.status === 200));
    } finally {
      sandbox.configure({ refuseDirectImages: false });
    }
  });

  it('stops reading a server that ignores the range once it has the header', async () => {
    const { payload } = await TNL.finished(sandbox, 'a big picture');
    const png = Buffer.from(await (await fetch(payload.imageUrl)).arrayBuffer());
    let ranges = 0;
    const ignoring = http.createServer((req, res) => {
      if (req.headers.range) ranges++;
      // The whole picture and far more than a header's worth after it, whatever was asked.
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end(Buffer.concat([png, Buffer.alloc(16 * HEADER_BYTES)]));
    });
    await new Promise<void>((r) => ignoring.listen(0, '127.0.0.1', () => r()));
    try {
      const { port } = ignoring.address() as { port: number };
      const head = await api.getImageHead(`http://127.0.0.1:${port}/p.png`, HEADER_BYTES);
      assert.equal(head.length, HEADER_BYTES);
      const size = await resultPictureSize(api, { imageUrl: `http://127.0.0.1:${port}/p.png`, payload: {} });
      assert.deepEqual(size, await sizeOf(payload.imageUrl));
      assert.equal(ranges, 2, 'the range was not asked for');
    } finally {
      await new Promise((r) => ignoring.close(r));
    }
  });
});
