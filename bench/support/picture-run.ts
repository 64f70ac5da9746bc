// One scenario of the picture benchmark, in a fresh process (so the RSS high-water mark belongs to
// this scenario alone): a real Node-RED runtime with ten mask builders, ten result nodes reading a
// loopback picture host, and an unrelated HTTP-in flow. It feeds one input through one path, first
// one at a time, then ten at once, and prints one JSON line: the longest event-loop delay, how each
// item ended and how long it took, the RSS growth, and the HTTP-in flow's answer times (measured
// from a worker thread, which a stalled main thread cannot delay).
//
// Usage: node --import tsx bench/support/picture-run.ts <scenario> <input file>
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import type { NodeAPI } from 'node-red';
import { config, CONFIG_ID } from '../../test/flows/api-flows';
import { helper, NODE_RED_PATH, runtimeEvents, stopNodeRed, type Msg } from '../../test/support/node-red';
import { measureLoopDelay } from './loop-delay';

export type Path = 'maskImage' | 'regions' | 'preview' | 'lastImage';

export interface RunReport {
  scenario: string;
  path: Path;
  /**
   * The first item, apart: it loads what loads on first use (the HTTP client, the codecs in their
   * worker, the worker itself), once per process. The rounds measure the handling that follows.
   */
  cold: RoundReport;
  alone: RoundReport;
  together: RoundReport;
  /** RSS high-water mark minus RSS before the first item, in MiB. */
  rssGrowthMiB: number;
  /** The longest event-loop delay while idle as long (up to 5 s): what the machine adds by itself. */
  idleDelayMs: number;
  /** The unrelated HTTP-in flow's answer times while the items ran, in ms. */
  httpP50Ms: number;
  httpP99Ms: number;
  httpMaxMs: number;
  httpRequests: number;
}

export interface RoundReport {
  maxDelayMs: number;
  wallMs: number;
  /** 'ok' or the error code (or 'timeout') of each item, and how long each took. */
  outcomes: string[];
  itemMs: number[];
}

const ITEM_TIMEOUT_MS = 120_000;

/**
 * The package's nodes as built (dist/, which `npm run bench` builds first): compiled JavaScript, as
 * an installed package runs, so the picture workers load compiled code too.
 */
const BUILT_NODES = [
  'nextleg-config',
  'nextleg-imagine-result',
  'nextleg-button',
  'nextleg-vary-region',
  'nextleg-get-message',
  'nextleg-mask-builder',
].map(
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (name) => require(join(__dirname, '..', '..', 'dist', 'nodes', `${name}.js`)) as (red: NodeAPI) => void,
);
const COPIES = Number(process.env.PICTURE_BENCH_COPIES ?? 10);

// The core HTTP-in node of the runtime under test (its @node-red/nodes, not a copy a test might import).
const httpInPath = require.resolve('@node-red/nodes/core/network/21-httpin.js', {
  paths: [dirname(NODE_RED_PATH)],
});
// eslint-disable-next-line @typescript-eslint/no-require-imports
const httpInNode = require(httpInPath) as (red: NodeAPI) => void;

function flow(hostUrl: string, maskSide: number) {
  const nodes: Array<Record<string, unknown> & { id: string; type: string }> = [
    config(hostUrl),
    { id: 'ping', type: 'http in', url: '/ping', method: 'get', wires: [['pong']] },
    { id: 'pong', type: 'http response', statusCode: '200', wires: [] },
    { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper' },
    { id: 'out', type: 'helper' },
  ];
  for (let i = 0; i < COPIES; i++) {
    nodes.push({
      id: `mask${i}`,
      type: 'nextleg-mask-builder',
      width: maskSide,
      height: maskSide,
      regions: [],
      wires: [['out']],
    });
    nodes.push({ id: `result${i}`, type: 'nextleg-get-message', account: CONFIG_ID, wires: [['out'], []] });
  }
  return nodes;
}

function probeHttp(url: string): Worker {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const times = [];
    let stop = false;
    parentPort.on('message', () => { stop = true; });
    (async () => {
      while (!stop) {
        const start = performance.now();
        try { await (await fetch(workerData.url)).text(); times.push(performance.now() - start); }
        catch { times.push(-1); }
        await new Promise((r) => setTimeout(r, 20));
      }
      parentPort.postMessage(times);
    })();`;
  return new Worker(code, { eval: true, workerData: { url } });
}

/**
 * The picture host (test/support/picture-host.ts's routes) in a thread of its own: a real CDN is
 * another machine, and serving ten large pictures from the event loop under measurement would
 * count the host's writes as Node-RED's delay.
 */
async function pictureHostThread(
  file: string,
  type: string,
): Promise<{ url: string; close: () => Promise<number> }> {
  const code = `
    const http = require('node:http');
    const { readFileSync } = require('node:fs');
    const { parentPort, workerData } = require('node:worker_threads');
    const bytes = readFileSync(workerData.file);
    let base = '';
    const server = http.createServer((req, res) => {
      const path = new URL(req.url, 'http://host').pathname;
      const job = /^\\/v2\\/message\\/([\\w-]+)$/.exec(path);
      if (job) {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ progress: 100, response: {
          content: 'picture ' + job[1], imageUrl: base + '/pictures/' + job[1],
          buttons: ['U1', 'U2', 'U3', 'U4'], buttonMessageId: job[1] + '-buttons', type: 'imagine' } }));
        return;
      }
      if (!/^\\/pictures\\//.test(path)) { res.statusCode = 404; res.end(); return; }
      res.setHeader('content-type', workerData.type);
      res.setHeader('content-length', bytes.length);
      res.end(bytes);
    });
    server.listen(0, '127.0.0.1', () => {
      base = 'http://127.0.0.1:' + server.address().port;
      parentPort.postMessage(base);
    });
    parentPort.on('message', () => { server.closeAllConnections(); server.close(() => process.exit(0)); });
  `;
  const worker = new Worker(code, { eval: true, workerData: { file, type } });
  const url = await new Promise<string>((resolve) => worker.once('message', resolve));
  return {
    url,
    close: () => {
      worker.postMessage('stop');
      return new Promise((resolve) => worker.once('exit', resolve));
    },
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

interface Ending {
  outcome: string;
}

/** Resolves when item `tag` has finished: its msg left, its error reached the Catch node, or its preview settled. */
function ending(path: Path, tag: number, index: number): Promise<Ending> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ outcome: 'timeout' }), ITEM_TIMEOUT_MS);
    const finish = (outcome: string): void => {
      clearTimeout(timer);
      cleanups.forEach((c) => c());
      resolve({ outcome });
    };
    const cleanups: Array<() => void> = [];
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const on = (nodeId: string, event: string, fn: (arg: any) => void): void => {
      const node = helper.getNode(nodeId);
      node.on(event, fn);
      cleanups.push(() => node.removeListener(event, fn));
    };
    if (path === 'preview') {
      const topic = `nextleg-preview/result${index}`;
      const onComms = (event: { topic: string; data: unknown }): void => {
        if (event.topic === topic && event.data) finish('ok');
      };
      runtimeEvents.on('comms', onComms);
      cleanups.push(() => runtimeEvents.off('comms', onComms));
      on(`result${index}`, 'call:debug', (call: { args: unknown[] }) => {
        const text = String(call.args[0]);
        const code = /\b([A-Z][A-Z_]{3,})\b/.exec(text)?.[1] ?? 'error';
        if (text.includes('preview')) finish(code);
      });
    } else {
      on('out', 'input', (msg: Msg) => {
        if (msg.tag === tag && path !== 'lastImage') finish('ok');
      });
    }
    on('caught', 'input', (msg: Msg) => {
      if (msg.tag === tag) finish(String(msg.error?.code ?? 'error'));
    });
  });
}

async function lastImage(index: number): Promise<string> {
  const withRequest = helper as unknown as {
    request(): { get(p: string): Promise<{ status: number; body: { error?: string } }> };
  };
  const res = await withRequest.request().get(`/nextleg-mask-builder/mask${index}/last-image`);
  return res.status === 200 ? 'ok' : `HTTP_${res.status}`;
}

async function feed(path: Path, input: unknown, tag: number, index: number): Promise<string> {
  const done = ending(path, tag, index);
  switch (path) {
    case 'maskImage':
      helper.getNode(`mask${index}`).receive({ tag, maskImage: input });
      return (await done).outcome;
    case 'regions':
      helper.getNode(`mask${index}`).receive({ tag, regions: input });
      return (await done).outcome;
    case 'preview':
      helper.getNode(`result${index}`).receive({ tag, messageId: 'picture' });
      return (await done).outcome;
    case 'lastImage': {
      // The msg only hands the picture over; the dialog's request is what makes the thumbnail.
      const handed = new Promise<void>((resolve) => {
        const node = helper.getNode('out');
        const fn = (msg: Msg): void => {
          if (msg.tag !== tag) return;
          node.removeListener('input', fn);
          resolve();
        };
        node.on('input', fn);
      });
      helper
        .getNode(`mask${index}`)
        .receive({ tag, image: input, regions: [{ x: 0, y: 0, width: 1, height: 1, unit: 'fraction' }] });
      await Promise.race([handed, done]);
      return lastImage(index);
    }
  }
}

async function round(
  path: Path,
  input: unknown,
  together: boolean,
  firstTag: number,
  copies = COPIES,
): Promise<RoundReport> {
  const outcomes: string[] = [];
  const itemMs: number[] = [];
  const timed = async (tag: number, index: number): Promise<void> => {
    const start = performance.now();
    const outcome = await feed(path, input, tag, index);
    itemMs[tag - firstTag] = performance.now() - start;
    outcomes[tag - firstTag] = outcome;
  };
  const start = performance.now();
  const { maxDelayMs } = await measureLoopDelay(async () => {
    if (together) {
      await Promise.all(Array.from({ length: copies }, (_, i) => timed(firstTag + i, i)));
    } else {
      for (let i = 0; i < copies; i++) await timed(firstTag + i, i);
    }
  });
  return { maxDelayMs, wallMs: performance.now() - start, outcomes, itemMs };
}

export async function runScenario(
  scenario: string,
  path: Path,
  inputFile: string,
  maskSide: number,
): Promise<RunReport> {
  const raw = readFileSync(inputFile);
  const input: unknown = path === 'regions' ? JSON.parse(raw.toString('utf8')) : raw;
  const host = await pictureHostThread(inputFile, inputFile.endsWith('.jpg') ? 'image/jpeg' : 'image/png');
  await helper.startServer();
  const nodes = [...BUILT_NODES, httpInNode];
  await helper.load(
    nodes,
    [
      { id: 'tab1', type: 'tab', label: 'bench' },
      ...flow(host.url, maskSide).map((n) => (n.type === 'nextleg-config' ? n : { z: 'tab1', ...n })),
    ],
    { [CONFIG_ID]: { token: 'bench-token' } },
  );
  const pingUrl = `${helper.url()}/ping`;
  const rssBefore = process.memoryUsage.rss();
  const probe = probeHttp(pingUrl);
  try {
    const cold = await round(path, input, false, 1000, 1);
    const alone = await round(path, input, false, 1);
    const together = await round(path, input, true, 100);
    const idle = await measureLoopDelay(() => sleep(Math.min(5000, Math.max(500, together.wallMs))));
    const times = await new Promise<number[]>((resolve) => {
      probe.once('message', resolve);
      probe.postMessage('stop');
    });
    const answered = times.filter((t) => t >= 0).sort((a, b) => a - b);
    return {
      scenario,
      path,
      cold,
      alone,
      together,
      rssGrowthMiB: (process.resourceUsage().maxRSS * 1024 - rssBefore) / 2 ** 20,
      idleDelayMs: idle.maxDelayMs,
      httpP50Ms: percentile(answered, 50),
      httpP99Ms: percentile(answered, 99),
      httpMaxMs: answered.at(-1) ?? NaN,
      httpRequests: times.length,
    };
  } finally {
    await probe.terminate();
    await stopNodeRed();
    await host.close();
  }
}

if (require.main === module) {
  const [scenario, path, inputFile, side] = process.argv.slice(2) as [string, Path, string, string];
  runScenario(scenario, path, inputFile, Number(side))
    .then((report) => {
      console.log(`RESULT ${JSON.stringify(report)}`);
      process.exit(0);
    })
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}
