// Result delivery benchmark: the delay from the sandbox finishing a job (its result's responseAt) to
// the node's output, by webhook and by polling, measured in one run through the real Node-RED
// runtime. A measurement, not a test: it prints PASS/FAIL and never fails the process.
import { startSandbox } from '../src/core/sandbox/server';
import configNode from '../src/nodes/nextleg-config';
import { CONFIG_ID } from '../test/flows/api-flows';
import { WEBHOOK_SECRET, webhookFlow } from '../test/flows/webhook-flows';
import { collect, helper, nodesKeepingApi, stopNodeRed, type Msg } from '../test/support/node-red';

const JOBS = 20;
/** The account polls each job every 0.25 s: a fast setting, kinder to polling than TNL's 2-5 s. */
const POLL_INTERVAL_S = 0.25;
const RATIO_TARGET = 3;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function delays(sandboxUrl: string, token: string, webhook: boolean): Promise<number[]> {
  const { nodes, api } = nodesKeepingApi(configNode);
  await helper.startServer();
  const base = (helper as unknown as { url(): string }).url();
  const flow = webhookFlow(sandboxUrl, webhook ? base : '', {}, { pollInterval: POLL_INTERVAL_S });
  const onTab = flow.map((n) => (n.type === 'nextleg-config' ? n : { z: 'tab1', ...n }));
  await helper.load(nodes, [{ id: 'tab1', type: 'tab', label: 'bench' }, ...onTab], {
    [CONFIG_ID]: { token, webhookSecret: WEBHOOK_SECRET },
  });
  (helper as unknown as { _app: { use(h: unknown): void } })._app.use(api().httpNode);
  const arrivals: number[] = [];
  const out = collect('out', JOBS, 60_000);
  helper.getNode('out').on('input', () => arrivals.push(Date.now()));
  // Spread out, so the sandbox drawing twenty grids at once does not weigh on every delay.
  for (let i = 0; i < JOBS; i++) {
    helper.getNode('dut').receive({ payload: `bench job ${i}`, index: i });
    await new Promise((r) => setTimeout(r, 100));
  }
  const msgs = (await out) as Msg[];
  await stopNodeRed();
  return msgs.map((m, i) => (arrivals[i] ?? NaN) - Date.parse(m.payload.responseAt as string));
}

export async function runDeliveryBench(): Promise<boolean> {
  // Small images: drawing them happens after responseAt and would add the same time to both paths.
  const sandbox = await startSandbox({ stepMs: 30, imageSize: 64 });
  try {
    const hooked = await delays(sandbox.url, sandbox.token, true);
    const polled = await delays(sandbox.url, sandbox.token, false);
    const row = (name: string, d: number[]): string =>
      `  ${name.padEnd(8)} p50 ${percentile(d, 50).toFixed(0).padStart(5)} ms   p95 ${percentile(d, 95).toFixed(0).padStart(5)} ms`;
    console.log(`result delivery, ${JOBS} jobs each, poll interval ${POLL_INTERVAL_S} s:`);
    console.log(row('webhook', hooked));
    console.log(row('polling', polled));
    const ratio = percentile(polled, 50) / Math.max(1, percentile(hooked, 50));
    const pass = ratio >= RATIO_TARGET;
    console.log(
      `  polling/webhook p50 ratio ${ratio.toFixed(1)} (target >= ${RATIO_TARGET}) ${pass ? 'PASS' : 'FAIL'}`,
    );
    return pass;
  } finally {
    await sandbox.close();
  }
}
