// Load benchmarks: many imagine-result jobs in one Node-RED runtime through one config node, against
// the sandbox with its rate limits on and an account set faster than those limits, so the scheduler
// has to find the pace itself. Each run prints the wall time against the limits' floor, the share of
// submits answered 429, the delay from the sandbox finishing a job (`responseAt`) to the node sending
// it (p50/p95), and lost or duplicated jobs. A measurement: PASS/FAIL lines only, never a failed
// process.
import { startSandbox, type RateLimitOptions } from '../src/core/sandbox/server';
import { manyJobs } from '../test/flows/api-flows';
import { collect, helper, loadFlow, sleep, stopNodeRed, type Msg } from '../test/support/node-red';

/** Frames a sandbox job goes through before its result (queued, then six progress steps). */
const SANDBOX_JOB_STEPS = 7;
/** Reads allowed per sliding second when a rate limit leaves messagePerSecond out (sandbox default). */
const SANDBOX_DEFAULT_READS_PER_SECOND = 10;

export interface Scenario {
  name: string;
  jobs: number;
  stepMs: number;
  rateLimit: Required<Pick<RateLimitOptions, 'submitPerWindow' | 'submitWindowMs'>> & RateLimitOptions;
  /** Account settings on top of the load flow's (seconds, as the config node takes them). */
  account?: Record<string, unknown>;
  /** Wall time over the floor. */
  wallRatioTarget: number;
  /** Share of submits answered 429. */
  throttledShareTarget?: number;
  p95TargetMs?: number;
}

interface Outcome {
  wallMs: number;
  floorMs: number;
  submits: number;
  submitsThrottled: number;
  reads: number;
  readsThrottled: number;
  p50: number;
  p95: number;
  lost: number;
  duplicated: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * The least time the limits allow, from the first input to the last output: every submit through
 * the submit window (the first window's worth at once), every job read at least once through the
 * read limit (the first second's worth at once), and the last job's own run time.
 */
export function limitsFloorMs(s: Scenario): number {
  const { submitPerWindow, submitWindowMs } = s.rateLimit;
  const readsPerSecond = s.rateLimit.messagePerSecond ?? SANDBOX_DEFAULT_READS_PER_SECOND;
  const submitFloor = (Math.ceil(s.jobs / submitPerWindow) - 1) * submitWindowMs;
  const readFloor = (Math.ceil(s.jobs / readsPerSecond) - 1) * 1000;
  return Math.max(submitFloor, readFloor) + SANDBOX_JOB_STEPS * s.stepMs;
}

async function run(s: Scenario): Promise<Outcome> {
  const sandbox = await startSandbox({ stepMs: s.stepMs, minuteMs: 60_000, rateLimit: s.rateLimit });
  await helper.startServer();
  try {
    const flow = manyJobs(sandbox.url).map((n) =>
      n.type === 'nextleg-config' ? { ...n, ...s.account } : n,
    ) as ReturnType<typeof manyJobs>;
    await loadFlow(flow, sandbox.token);
    const sentAt = new Map<number, number>();
    const seen = new Map<number, number>();
    helper.getNode('out').on('input', (m: Msg) => {
      const index = m.index as number;
      sentAt.set(index, Date.now());
      seen.set(index, (seen.get(index) ?? 0) + 1);
    });
    const all = collect('out', s.jobs, 180_000);
    const started = performance.now();
    for (let i = 0; i < s.jobs; i++) helper.getNode('dut').receive({ payload: `bench job ${i}`, index: i });
    const msgs = await all.catch(() => [] as Msg[]);
    const wallMs = performance.now() - started;
    await sleep(300); // a duplicate would arrive here

    const api = sandbox.requests().filter((r) => r.path.startsWith('/v2/'));
    const submitsLog = api.filter((r) => r.path === '/v2/imagine');
    const readsLog = api.filter((r) => r.path.startsWith('/v2/message/'));
    const delays = msgs
      .map((m) => (sentAt.get(m.index as number) ?? NaN) - Date.parse(m.payload.responseAt as string))
      .filter((d) => Number.isFinite(d))
      .sort((a, b) => a - b);
    let lost = 0;
    let duplicated = 0;
    for (let i = 0; i < s.jobs; i++) {
      const n = seen.get(i) ?? 0;
      if (n === 0) lost++;
      if (n > 1) duplicated += n - 1;
    }
    return {
      wallMs,
      floorMs: limitsFloorMs(s),
      submits: submitsLog.length,
      submitsThrottled: submitsLog.filter((r) => r.status === 429).length,
      reads: readsLog.length,
      readsThrottled: readsLog.filter((r) => r.status === 429).length,
      p50: percentile(delays, 50),
      p95: percentile(delays, 95),
      lost,
      duplicated,
    };
  } finally {
    await stopNodeRed();
    await sandbox.close();
  }
}

function report(s: Scenario, o: Outcome): boolean {
  const ratio = o.wallMs / o.floorMs;
  const share = o.submits > 0 ? o.submitsThrottled / o.submits : 0;
  const { submitPerWindow, submitWindowMs, messagePerSecond } = s.rateLimit;
  console.log(
    `${s.name}: ${s.jobs} jobs, limits ${submitPerWindow} submits/${submitWindowMs} ms, ` +
      `${messagePerSecond ?? SANDBOX_DEFAULT_READS_PER_SECOND} reads/s`,
  );
  console.log(
    `  wall ${(o.wallMs / 1000).toFixed(2)} s, floor ${(o.floorMs / 1000).toFixed(2)} s, ratio ${ratio.toFixed(2)}; ` +
      `submits ${o.submits} (${o.submitsThrottled} answered 429, ${(share * 100).toFixed(1)}%), ` +
      `reads ${o.reads} (${o.readsThrottled} answered 429), ${((o.submits + o.reads) / s.jobs).toFixed(2)} requests/job`,
  );
  console.log(
    `  responseAt→sent p50 ${o.p50} ms, p95 ${o.p95} ms; lost ${o.lost}, duplicated ${o.duplicated}`,
  );
  const checks: Array<[boolean, string]> = [
    [ratio <= s.wallRatioTarget, `wall <= ${s.wallRatioTarget}x floor`],
    [o.lost === 0 && o.duplicated === 0, '0 lost, 0 duplicated'],
  ];
  if (s.throttledShareTarget !== undefined) {
    checks.push([share <= s.throttledShareTarget, `429 <= ${s.throttledShareTarget * 100}% of submits`]);
  }
  if (s.p95TargetMs !== undefined) checks.push([o.p95 <= s.p95TargetMs, `p95 <= ${s.p95TargetMs} ms`]);
  const passed = checks.every(([ok]) => ok);
  console.log(
    `  ${passed ? 'PASS' : 'FAIL'} ${s.name}: ${checks.map(([ok, what]) => `${what} ${ok ? 'ok' : 'MISSED'}`).join(', ')}`,
  );
  return passed;
}

const SCENARIOS: Scenario[] = [
  {
    // The load test's limits (TNL's on a fast clock); the account asks for far more than they allow.
    name: 'load',
    jobs: 1000,
    stepMs: 5,
    rateLimit: { submitPerWindow: 20, submitWindowMs: 100, messagePerSecond: 250 },
    wallRatioTarget: 1.5,
    throttledShareTarget: 0.02,
    p95TargetMs: 300,
  },
  {
    // One submit per 400 ms window, each 429 saying "Retry-After: 1" (whole seconds, rounded up),
    // while the account is set to a submit every 0.2 s.
    name: 'submit window',
    jobs: 24,
    stepMs: 5,
    rateLimit: { submitPerWindow: 1, submitWindowMs: 400, messagePerSecond: 250 },
    account: { submitInterval: 0.2 },
    wallRatioTarget: 1.3,
  },
];

/** Runs one scenario and prints its lines; true when its targets were met. */
export async function runLoadScenario(scenario: Scenario): Promise<boolean> {
  return report(scenario, await run(scenario));
}

export async function runLoadBench(): Promise<boolean> {
  let passed = true;
  for (const scenario of SCENARIOS) passed = (await runLoadScenario(scenario)) && passed;
  return passed;
}
