// Sandbox under attack: the shipped CLI in its own process, flooded with unauthenticated ~29 MB
// imagines on both route sets while an authenticated client keeps asking for /v2/info; then a
// few-dozen-byte Vary (Region) mask that declares 30000x30000 pixels. Prints the sandbox's peak RSS,
// whether it kept answering (probe latency during the flood as a ratio of the idle latency) and how
// the bomb mask ended. A measurement, not a test: PASS/FAIL lines only, never a failed process.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { VARY_REGION_BUTTON } from '../src/core/tnl/types';
import { bombPng } from '../test/support/sandbox-http';

/** Per route set: 141 unauthenticated imagines of this size killed the sandbox before it checked tokens first. */
const FLOOD_REQUESTS_PER_PATH = 150;
const FLOOD_CONCURRENCY = 8;
const BODY_BYTES = 29 * 1024 * 1024;
const RSS_TARGET_MB = 300;
const PROBE_EVERY_MS = 10;
const TOKEN = 'flood-bench-token';
const BOMB_SIDE = 30000;
/** How long the bomb mask may take before the bench stops waiting (the old sandbox froze ~30 s). */
const BOMB_DEADLINE_MS = 90_000;

interface Probe {
  ok: boolean;
  ms: number;
}

function rssMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1]);
    return Number.isFinite(kb) ? kb / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** Samples a process's RSS every 20 ms; stop() gives the highest seen (VmHWM included, when the process lives). */
function watchPeakRss(pid: number): { stop(): number } {
  let peak = rssMb(pid, 'VmRSS');
  const sampler = setInterval(() => {
    const now = rssMb(pid, 'VmRSS');
    if (now > peak) peak = now;
  }, 20);
  return {
    stop() {
      clearInterval(sampler);
      const hwm = rssMb(pid, 'VmHWM');
      return Number.isFinite(hwm) && hwm > peak ? hwm : peak;
    },
  };
}

async function startCli(): Promise<{ child: ChildProcess; url: string }> {
  const cli = join(__dirname, '../dist/core/sandbox/cli.js');
  const child = spawn(process.execPath, [cli, '--port', '0', '--token', TOKEN, '--step-ms', '5'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`sandbox exited with ${code} before listening`)));
  });
  child.stderr?.resume();
  return { child, url };
}

/** One request; resolves with the status, or 0 when the connection was cut. */
function send(
  url: string,
  path: string,
  opts: { method?: string; body?: Buffer; headers?: Record<string, string> } = {},
): Promise<{ status: number; text: string }> {
  return new Promise((resolve) => {
    const req = http.request(new URL(path, url), {
      method: opts.method ?? (opts.body ? 'POST' : 'GET'),
      agent: false,
      headers: {
        ...(opts.body
          ? { 'content-type': 'application/json', 'content-length': String(opts.body.length) }
          : {}),
        ...opts.headers,
      },
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', () => resolve({ status: res.statusCode ?? 0, text: '' }));
    });
    req.on('error', () => resolve({ status: 0, text: '' }));
    req.end(opts.body);
  });
}

const auth = { authorization: `Bearer ${TOKEN}` };

async function probe(url: string): Promise<Probe> {
  const t0 = performance.now();
  const { status } = await send(url, '/v2/info', { headers: auth });
  return { ok: status === 200, ms: performance.now() - t0 };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function flood(url: string, child: ChildProcess): Promise<boolean> {
  const idle: number[] = [];
  for (let i = 0; i < 20; i++) idle.push((await probe(url)).ms);
  const idleRss = rssMb(child.pid ?? 0, 'VmRSS');

  const payload = Buffer.from(`{"msg":"${'a'.repeat(BODY_BYTES)}","prompt":"x"}`);
  const paths = ['/v2/imagine', '/mj/submit/imagine'];
  const statuses = new Map<number, number>();
  let sent = 0;
  let died = false;
  child.once('exit', () => (died = true));
  const probes: Probe[] = [];
  let flooding = true;
  const prober = (async () => {
    while (flooding && !died) {
      probes.push(await probe(url));
      await new Promise((r) => setTimeout(r, PROBE_EVERY_MS));
    }
  })();
  const rss = watchPeakRss(child.pid ?? 0);

  const t0 = performance.now();
  const worker = async (): Promise<void> => {
    while (sent < FLOOD_REQUESTS_PER_PATH * paths.length && !died) {
      const path = paths[sent % paths.length] as string;
      sent++;
      const { status } = await send(url, path, { body: payload });
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: FLOOD_CONCURRENCY }, worker));
  const floodMs = performance.now() - t0;
  flooding = false;
  await prober;
  const peak = Math.max(idleRss, rss.stop());
  const after = died ? { ok: false, ms: NaN } : await probe(url);

  const answered = probes.filter((p) => p.ok).length;
  const idleP50 = percentile(idle, 50);
  const floodP95 = percentile(
    probes.filter((p) => p.ok).map((p) => p.ms),
    95,
  );
  const answers = [...statuses].map(([s, n]) => `${s === 0 ? 'cut' : s}×${n}`).join(', ');
  console.log(
    `sandbox flood: ${sent} unauthenticated ${(BODY_BYTES / 1048576).toFixed(0)} MB imagines ` +
      `(${paths.join(' and ')}) in ${(floodMs / 1000).toFixed(1)} s, answers ${answers}; ` +
      `RSS idle ${idleRss.toFixed(0)} MB, peak ${peak.toFixed(0)} MB; ` +
      `${died ? 'the sandbox DIED; ' : ''}probes answered ${answered}/${probes.length}, ` +
      `p95 ${(floodP95 / idleP50).toFixed(1)}x the idle p50; answering after: ${after.ok}`,
  );
  const passed = !died && peak < RSS_TARGET_MB && answered === probes.length && after.ok;
  console.log(
    `${passed ? 'PASS' : 'FAIL'} sandbox flood: survives with RSS < ${RSS_TARGET_MB} MB and keeps answering`,
  );
  return passed;
}

async function pollTnl(url: string, messageId: string, deadline: number): Promise<Record<string, unknown>> {
  while (performance.now() < deadline) {
    const { status, text } = await send(url, `/v2/message/${messageId}`, { headers: auth });
    if (status === 200) {
      const body = JSON.parse(text) as { progress: unknown; response?: Record<string, unknown> };
      if (body.progress === 100 && body.response) return body.response;
    } else if (status === 0) {
      throw new Error('the sandbox stopped answering');
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('no result before the deadline');
}

async function submit(url: string, path: string, body: unknown): Promise<string> {
  const { status, text } = await send(url, path, { body: Buffer.from(JSON.stringify(body)), headers: auth });
  if (status !== 200) throw new Error(`${path} answered ${status}`);
  return (JSON.parse(text) as { messageId: string }).messageId;
}

async function bombMask(url: string, child: ChildProcess): Promise<boolean> {
  const deadline = performance.now() + BOMB_DEADLINE_MS;
  const grid = await pollTnl(url, await submit(url, '/v2/imagine', { msg: 'a bomb site' }), deadline);
  const up = await pollTnl(
    url,
    await submit(url, '/v2/button', { button: 'U1', buttonMessageId: grid.buttonMessageId }),
    deadline,
  );
  const before = rssMb(child.pid ?? 0, 'VmRSS');
  const bomb = bombPng(BOMB_SIDE, BOMB_SIDE);
  const rss = watchPeakRss(child.pid ?? 0);
  const t0 = performance.now();
  let outcome: string;
  try {
    const varied = await pollTnl(
      url,
      await submit(url, '/v2/button', {
        button: VARY_REGION_BUTTON,
        buttonMessageId: up.buttonMessageId,
        prompt: 'a crater',
        mask: bomb.toString('base64'),
      }),
      deadline,
    );
    outcome = String(varied.content);
  } catch (err) {
    outcome = err instanceof Error ? err.message : String(err);
  }
  const peak = rss.stop();
  const bombMs = performance.now() - t0;
  // An ordinary job that ends the same way: the bomb must cost no more than that.
  const t1 = performance.now();
  const honest = await pollTnl(
    url,
    await submit(url, '/v2/imagine', { msg: 'an ordinary job --sandbox-fail INVALID_PARAMETER' }),
    performance.now() + BOMB_DEADLINE_MS,
  ).catch(() => undefined);
  const honestMs = performance.now() - t1;
  console.log(
    `sandbox bomb mask: ${bomb.length} bytes declaring ${BOMB_SIDE}x${BOMB_SIDE} ended ${outcome} ` +
      `in ${(bombMs / honestMs).toFixed(1)}x the time of an ordinary failing job; ` +
      `RSS ${before.toFixed(0)} MB before, peak ${peak.toFixed(0)} MB`,
  );
  const passed = outcome === 'INVALID_PARAMETER' && peak < RSS_TARGET_MB && honest !== undefined;
  console.log(
    `${passed ? 'PASS' : 'FAIL'} sandbox bomb mask: refused as INVALID_PARAMETER, RSS < ${RSS_TARGET_MB} MB`,
  );
  return passed;
}

export async function runSandboxFloodBench(): Promise<boolean> {
  let floodPassed = false;
  let bombPassed = false;
  {
    const { child, url } = await startCli();
    try {
      floodPassed = await flood(url, child);
    } finally {
      child.kill();
    }
  }
  {
    const { child, url } = await startCli();
    try {
      bombPassed = await bombMask(url, child);
    } catch (err) {
      console.log(`FAIL sandbox bomb mask: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      child.kill();
    }
  }
  return floodPassed && bombPassed;
}

if (require.main === module) {
  runSandboxFloodBench().catch((err: unknown) => console.error('benchmark crashed:', err));
}
