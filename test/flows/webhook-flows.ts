// Flow fixtures for the webhook and resume tests: the standard single-node flow with an account that
// receives results by webhook and records jobs, and the same flow's pieces for a real Node-RED.
import { CONFIG_ID, single } from './api-flows';

export const WEBHOOK_SECRET = 'test-webhook-secret-0123456789abcdef';

/** node under test (`dut`) → `out`, a Catch → `caught`; the account posts results to `webhookBaseUrl`. */
export function webhookFlow(
  sandboxUrl: string,
  webhookBaseUrl: string,
  props: Record<string, unknown> = {},
  configExtra: Record<string, unknown> = {},
) {
  return single(sandboxUrl, 'nextleg-imagine-result', props, {
    webhookBaseUrl,
    // Polling 10 times slower than 0.5 s: a result within seconds can only have come by webhook.
    pollInterval: 0.5,
    webhookPollFactor: 10,
    ...configExtra,
  });
}

/** Node-RED tells flow nodes from config nodes by their editor position. */
export function placed(nodes: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  return nodes.map((n, i) => (n.z ? { x: 150, y: 60 + 40 * i, ...n } : n));
}

/**
 * imagine-result → change (keeps what the test checks: the API's own result, the msg's tag and job
 * id) → file, and a Catch writing the error code to the same file; for a real Node-RED process.
 */
export function restartFlow(
  sandboxUrl: string,
  outFile: string,
  props: Record<string, unknown> = {},
  configExtra: Record<string, unknown> = {},
) {
  return [
    { id: 'tab1', type: 'tab', label: 'restart' },
    {
      id: CONFIG_ID,
      type: 'nextleg-config',
      name: 'sandbox',
      baseUrl: sandboxUrl,
      submitInterval: 0,
      pollInterval: 0.05,
      maxPollsPerSecond: 100,
      resumeJobs: true,
      contextStore: '',
      ...configExtra,
    },
    {
      id: 'dut',
      z: 'tab1',
      type: 'nextleg-imagine-result',
      account: CONFIG_ID,
      upscale: 'U1',
      wires: [['keep']],
      ...props,
    },
    {
      id: 'keep',
      z: 'tab1',
      type: 'change',
      rules: [
        {
          t: 'set',
          p: 'payload',
          pt: 'msg',
          to: '{"result": payload, "tag": tag, "messageId": messageId}',
          tot: 'jsonata',
        },
      ],
      wires: [['file']],
    },
    {
      id: 'file',
      z: 'tab1',
      type: 'file',
      filename: outFile,
      filenameType: 'str',
      appendNewline: true,
      createDir: true,
      overwriteFile: 'false',
      wires: [[]],
    },
    { id: 'catcher', z: 'tab1', type: 'catch', scope: null, uncaught: false, wires: [['errors']] },
    {
      id: 'errors',
      z: 'tab1',
      type: 'change',
      rules: [
        {
          t: 'set',
          p: 'payload',
          pt: 'msg',
          to: '{"error": error.code, "tag": tag, "messageId": messageId}',
          tot: 'jsonata',
        },
      ],
      wires: [['file']],
    },
  ];
}
