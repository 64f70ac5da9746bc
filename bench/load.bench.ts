// Load benchmark: 100 concurrent imagine-result jobs in one Node-RED runtime through one config
// node, against the sandbox with its rate limits on. Prints requests per job and the delay from the
// sandbox finishing a job (`responseAt`) to the node sending it (p50/p95). A measurement: PASS/FAIL
// lines only, never a failed process.
import { startSandbox } from '../src/core/sandbox/server';
import { manyJobs } from '../test/flows/api-flows';
import { collect, helper, loadFlow, stopNodeRed, type Msg } from '../test/support/node-red';

const JOBS = 100;
/** With 5 ms sandbox steps a job needs a handful of polls; far more means polling is wasteful. */
const REQUESTS_PER_JOB_TARGET = 12;
const P95_TARGET_MS = 1500;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export async function runLoadBench(): Promise<boolean> {
  const sandbox = await startSandbox({
    stepMs: 5,
    minuteMs: 60_000,
    rateLimit: { submitPerWindow: 20, submitWindowMs: 100, messagePerSecond: 250 },
  });
  await helper.startServer();
  try {
    await loadFlow(manyJobs(sandbox.url), sandbox.token);
    const sentAt = new Map<number, number>();
    helper.getNode('out').on('input', (m: Msg) => sentAt.set(m.index as number, Date.now()));
    const all = collect('out', JOBS, 120_000);
    const started = performance.now();
    for (let i = 0; i < JOBS; i++) helper.getNode('dut').receive({ payload: `bench job ${i}`, index: i });
    const msgs = await all;
    const wallMs = performance.now() - started;

    const api = sandbox.requests().filter((r) => r.path.startsWith('/v2/'));
    const perJob = api.length / JOBS;
    const throttled = api.filter((r) => r.status === 429).length;
    const delays = msgs
      .map((m) => (sentAt.get(m.index as number) ?? NaN) - Date.parse(m.payload.responseAt as string))
      .filter((d) => Number.isFinite(d))
      .sort((a, b) => a - b);
    const p50 = percentile(delays, 50);
    const p95 = percentile(delays, 95);
    console.log(
      `load: ${JOBS} jobs in ${(wallMs / 1000).toFixed(1)} s, ${perJob.toFixed(1)} requests/job ` +
        `(${throttled} answered 429), responseAt→sent p50 ${p50} ms, p95 ${p95} ms`,
    );
    const passed = perJob <= REQUESTS_PER_JOB_TARGET && p95 <= P95_TARGET_MS && msgs.length === JOBS;
    console.log(
      `${passed ? 'PASS' : 'FAIL'} load: <= ${REQUESTS_PER_JOB_TARGET} requests/job, p95 <= ${P95_TARGET_MS} ms`,
    );
    return passed;
  } finally {
    await stopNodeRed();
    await sandbox.close();
  }
}
