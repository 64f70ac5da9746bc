// Load benchmarks: many imagine-result jobs in one Node-RED runtime through one config node, against
// the sandbox with its rate limits on and an account set faster than those limits, so the scheduler
// has to find the pace itself. Each run prints the wall time against the limits' floor, the share of
// submits answered 429, the delay from the sandbox finishing a job (`responseAt`) to the node sending
// it (p50/p95), lost or duplicated jobs, and the paces the account ended with. The same jobs with
// no limits at all are run too: on a busy machine that time, not the limits, may be the floor. A
// measurement: PASS/FAIL lines only, never a failed process.
import type { Account } from '../src/core/account';
import { startSandbox, type RateLimitOptions } from '../src/core/sandbox/server';
import { CONFIG_ID, manyJobs } from '../test/flows/api-flows';
import { collect, helper, loadFlow, sleep, stopNodeRed, type Msg } from '../test/support/node-red';

/** Frames a sandbox job goes through before its result (queued, then six progress steps). */
const SANDBOX_JOB_STEPS = 7;
/** Reads allowed per sliding second when a rate limit leaves messagePerSecond out (sandbox default). */
const SANDBOX_DEFAULT_READS_PER_SECOND = 10;

type Limits = Required<Pick<RateLimitOptions, 'submitPerWindow' | 'submitWindowMs'>> & RateLimitOptions;

export interface Scenario {
  name: string;
  jobs: number;
  stepMs: number;
  /** The sandbox's limits; none: the reference run, the machine's own pace. */
  rateLimit?: Limits;
  /** Account settings on top of the load flow's (seconds, as the config node takes them). */
  account?: Record<string, unknown>;
  /** Wall time over the limits' floor. */
  wallRatioTarget?: number;
  /** Share of submits answered 429. */
  throttledShareTarget?: number;
  p95TargetMs?: number;
}

interface Outcome {
  wallMs: number;
  submits: number;
  submitsThrottled: number;
  reads: number;
  readsThrottled: number;
  p50: number;
  p95: number;
  lost: number;
  duplicated: number;
  /** The spacing each lane of the account kept at the end, ms. */
  submitSpacingMs: number;
  pollSpacingMs: number;
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
export function limitsFloorMs(jobs: number, stepMs: number, limits: Limits): number {
  const { submitPerWindow, submitWindowMs } = limits;
  const readsPerSecond = limits.messagePerSecond ?? SANDBOX_DEFAULT_READS_PER_SECOND;
  const submitFloor = (Math.ceil(jobs / submitPerWindow) - 1) * submitWindowMs;
  const readFloor = (Math.ceil(jobs / readsPerSecond) - 1) * 1000;
  return Math.max(submitFloor, readFloor) + SANDBOX_JOB_STEPS * stepMs;
}

async function run(s: Scenario): Promise<Outcome> {
  // Small pictures: drawing them is the sandbox's own work, in this same process, not the nodes'.
  const sandbox = await startSandbox({
    stepMs: s.stepMs,
    minuteMs: 60_000,
    imageSize: 64,
    rateLimit: s.rateLimit ?? false,
  });
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
    const account = (helper.getNode(CONFIG_ID) as unknown as { getAccount(): Account }).getAccount();
    const { submitSpacingMs, pollSpacingMs } = account.scheduler.stats;
    return {
      wallMs,
      submits: submitsLog.length,
      submitsThrottled: submitsLog.filter((r) => r.status === 429).length,
      reads: readsLog.length,
      readsThrottled: readsLog.filter((r) => r.status === 429).length,
      p50: percentile(delays, 50),
      p95: percentile(delays, 95),
      lost,
      duplicated,
      submitSpacingMs,
      pollSpacingMs,
    };
  } finally {
    await stopNodeRed();
    await sandbox.close();
  }
}

const perSecond = (spacingMs: number): string => (spacingMs > 0 ? (1000 / spacingMs).toFixed(0) : 'unpaced');

function report(s: Scenario, o: Outcome): boolean {
  const share = o.submits > 0 ? o.submitsThrottled / o.submits : 0;
  const limits = s.rateLimit;
  const floorMs = limits ? limitsFloorMs(s.jobs, s.stepMs, limits) : NaN;
  const ratio = o.wallMs / floorMs;
  console.log(
    limits
      ? `${s.name}: ${s.jobs} jobs, limits ${limits.submitPerWindow} submits/${limits.submitWindowMs} ms, ` +
          `${limits.messagePerSecond ?? SANDBOX_DEFAULT_READS_PER_SECOND} reads/s`
      : `${s.name}: ${s.jobs} jobs, no limits`,
  );
  console.log(
    `  wall ${(o.wallMs / 1000).toFixed(2)} s` +
      (limits ? `, floor ${(floorMs / 1000).toFixed(2)} s, ratio ${ratio.toFixed(2)}` : '') +
      `; submits ${o.submits} (${o.submitsThrottled} answered 429, ${(share * 100).toFixed(1)}%), ` +
      `reads ${o.reads} (${o.readsThrottled} answered 429), ${((o.submits + o.reads) / s.jobs).toFixed(2)} requests/job`,
  );
  console.log(
    `  responseAt→sent p50 ${o.p50} ms, p95 ${o.p95} ms; lost ${o.lost}, duplicated ${o.duplicated}; ` +
      `pace at the end: submits ${perSecond(o.submitSpacingMs)}/s, polls ${perSecond(o.pollSpacingMs)}/s`,
  );
  const checks: Array<[boolean, string]> = [[o.lost === 0 && o.duplicated === 0, '0 lost, 0 duplicated']];
  if (s.wallRatioTarget !== undefined) {
    checks.push([ratio <= s.wallRatioTarget, `wall <= ${s.wallRatioTarget}x floor`]);
  }
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

/** The load test's limits: TNL's on a fast clock. */
const LOAD_LIMITS: Limits = { submitPerWindow: 20, submitWindowMs: 100, messagePerSecond: 250 };

const SCENARIOS: Scenario[] = [
  {
    // The account asks for far more than the limits allow: no submit spacing, 400 polls/s.
    name: 'load',
    jobs: 1000,
    stepMs: 5,
    rateLimit: LOAD_LIMITS,
    wallRatioTarget: 1.5,
    throttledShareTarget: 0.02,
    p95TargetMs: 300,
  },
  {
    // Submits spaced by hand to the limit (5 ms), polls still asked for at 400/s: where the poll
    // lane's 429s used to pause all polling (p95 1.9 s). Its wall time is shown, not a target.
    name: 'load, submits matched by hand',
    jobs: 1000,
    stepMs: 5,
    rateLimit: LOAD_LIMITS,
    account: { submitInterval: 0.005 },
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
  // What this machine needs for the same 1000 jobs when nothing limits them.
  { name: 'load, no limits (reference)', jobs: 1000, stepMs: 5 },
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
