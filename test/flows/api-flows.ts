// Flow fixtures for the node tests: a config node for the sandbox plus the node under test wired
// to a result collector, a progress collector and a Catch node.

export const CONFIG_ID = 'cfg';

export function config(baseUrl: string, extra: Record<string, unknown> = {}) {
  // Test pacing: the sandbox runs on a fast clock, so the account may poll and submit quickly.
  return {
    id: CONFIG_ID,
    type: 'nextleg-config',
    name: 'sandbox',
    baseUrl,
    submitInterval: 0,
    pollInterval: 0.005,
    maxPollsPerSecond: 500,
    ...extra,
  };
}

/** node under test (id `dut`) → `out`, second output → `progress`, and a Catch → `caught`. */
export function single(baseUrl: string, type: string, props: Record<string, unknown> = {}, configExtra = {}) {
  return [
    config(baseUrl, configExtra),
    { id: 'dut', type, account: CONFIG_ID, wires: [['out'], ['progress']], ...props },
    { id: 'out', type: 'helper' },
    { id: 'progress', type: 'helper' },
    { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper' },
  ];
}

/** imagine-result (U1) → mask-builder (a centred square) → vary-region → `out`. */
export function varyRegionChain(baseUrl: string, configExtra: Record<string, unknown> = {}) {
  return [
    config(baseUrl, configExtra),
    { id: 'imagine', type: 'nextleg-imagine-result', account: CONFIG_ID, upscale: 'U1', wires: [['mask']] },
    {
      id: 'mask',
      type: 'nextleg-mask-builder',
      width: 256,
      height: 256,
      format: 'png',
      regions: [{ x: 0.25, y: 0.25, width: 0.5, height: 0.5, unit: 'fraction' }],
      wires: [['vary']],
    },
    {
      id: 'vary',
      type: 'nextleg-vary-region',
      account: CONFIG_ID,
      prompt: 'a red hot-air balloon',
      downloadImage: true,
      wires: [['out']],
    },
    { id: 'out', type: 'helper' },
    { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper' },
  ];
}

/**
 * The load test's and the load bench's flow: imagine-result without previews (an image download
 * and a resize per result are a cost of their own), with pacing far above the sandbox's limits.
 */
export function manyJobs(baseUrl: string, configExtra: Record<string, unknown> = {}) {
  return single(
    baseUrl,
    'nextleg-imagine-result',
    { preview: false },
    { submitInterval: 0, pollInterval: 0.01, maxPollsPerSecond: 400, ...configExtra },
  );
}
