#!/usr/bin/env node
// `nextleg-sandbox`: runs the sandbox from a terminal so flows can be built without credits. One
// server speaks both APIs: TheNextLeg's under /v2 and midjourney-proxy's under /mj.
import { parseArgs } from 'node:util';
import { startSandbox } from './server';
import type { FaultOptions, MidjourneyProxyOptions, SandboxOptions } from './options';

const HELP = `Usage: nextleg-sandbox [options]

A local server that speaks TheNextLeg's v2 API (/v2) and midjourney-proxy's (/mj); pictures are
drawn locally, nothing leaves the machine. Prompt flags (--sandbox-fail CODE, --sandbox-queued,
--sandbox-stall N, --sandbox-never, --sandbox-cancel, --ar W:H) steer single jobs: see docs/sandbox.md.

  --port <n>              port to listen on (default 8733)
  --host <h>              address to bind (default 127.0.0.1)
  --token <t>             API token clients must send (default $TNL_TOKEN, else 'sandbox-token')
  --step-ms <n>           time between progress steps (default 400)
  --minute-ms <n>         length of one minute, for /v2's expireMins and /mj's timeouts (default 60000)
  --rate-limit            limit submits to 1 per 3 s and reads to 10 per s; 429 + Retry-After beyond
  --error-rate <0..1>     share of API requests answered 500/502
  --drop-rate <0..1>      share of API requests whose connection is cut
  --hang-rate <0..1>      share of API requests never answered
  --latency-ms <n>        delay before every API answer
  --queue-full-rate <0..1>
                          share of /mj submits refused as "queue full, retry later" (nothing created)
  --queue-full-next <n>   refuse the next n /mj submits that way
  --refuse-direct-images  images answer 403 unless fetched through POST /getImage
  --webhook-url <url>     POST every finished /v2 job's result here

midjourney-proxy (/mj), trueai-org/midjourney-proxy's behaviour unless told otherwise:
  --mj-flavour <f>        'trueai' (default) or 'plus' (midjourney-proxy-plus: code 23 for a full
                          queue, code 24 for a banned word at submit, CANCEL from the cancel endpoint)
  --mj-relay              answer as a new-api relay in front of the server (Bearer sk- auth, codes
                          21/22 rewritten to 1, status "" at first, no notifyHook, its own errors)
  --mj-relay-status-empty-ms <n>
                          how long the relay shows status "" for a new task (default 200)
  --mj-relay-rewrite-modal
                          the relay rewrites code 21 to 1 for Vary (Region) and Custom Zoom too
  --mj-remix              Remix on: V1-V4, Vary (Strong/Subtle), pans and reroll open a MODAL
  --mj-concurrency-limit <n>
                          tasks under way at once; beyond, 并发数已达上限 (code 4 on /imagine, the
                          {success:false,code:-1} envelope elsewhere)
  --mj-not-admin          POST /mj/task/{id}/cancel answers 400 演示模式，禁止操作
  --mj-timeout-minutes <n>
                          a started task fails after this many minutes (default 5)
  --mj-notify-hook <url>  notifyHook for tasks submitted without one
  --help                  show this help
`;

function num(
  name: string,
  value: string | undefined,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max)
    throw new Error(`--${name} must be a number from ${min} to ${max}`);
  return n;
}

function faultOptions(values: Record<string, string | boolean | undefined>): FaultOptions {
  const faults: FaultOptions = {};
  const set = <K extends keyof FaultOptions>(key: K, value: FaultOptions[K] | undefined): void => {
    if (value !== undefined) faults[key] = value;
  };
  const text = (name: string): string | undefined => values[name] as string | undefined;
  set('errorRate', num('error-rate', text('error-rate'), 0, 1));
  set('dropRate', num('drop-rate', text('drop-rate'), 0, 1));
  set('hangRate', num('hang-rate', text('hang-rate'), 0, 1));
  set('latencyMs', num('latency-ms', text('latency-ms'), 0));
  set('queueFullRate', num('queue-full-rate', text('queue-full-rate'), 0, 1));
  set('queueFullNext', num('queue-full-next', text('queue-full-next'), 0));
  return faults;
}

function midjourneyProxyOptions(
  values: Record<string, string | boolean | undefined>,
): MidjourneyProxyOptions {
  const flavour = values['mj-flavour'];
  if (flavour !== undefined && flavour !== 'trueai' && flavour !== 'plus') {
    throw new Error("--mj-flavour must be 'trueai' or 'plus'");
  }
  const options: MidjourneyProxyOptions = {};
  if (flavour) options.flavour = flavour;
  const emptyMs = num(
    'mj-relay-status-empty-ms',
    values['mj-relay-status-empty-ms'] as string | undefined,
    0,
  );
  if (values['mj-relay']) {
    options.relay = {
      ...(emptyMs !== undefined ? { statusEmptyMs: emptyMs } : {}),
      rewriteModalCode: values['mj-relay-rewrite-modal'] === true,
    };
  }
  if (values['mj-remix']) options.remix = true;
  if (values['mj-not-admin']) options.admin = false;
  const limit = num('mj-concurrency-limit', values['mj-concurrency-limit'] as string | undefined, 0);
  if (limit !== undefined) options.concurrencyLimit = limit;
  const minutes = num('mj-timeout-minutes', values['mj-timeout-minutes'] as string | undefined, 0.001);
  if (minutes !== undefined) options.timeoutMinutes = minutes;
  const hook = values['mj-notify-hook'];
  if (typeof hook === 'string' && hook) options.notifyHook = hook;
  return options;
}

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      token: { type: 'string' },
      'step-ms': { type: 'string' },
      'minute-ms': { type: 'string' },
      'rate-limit': { type: 'boolean' },
      'error-rate': { type: 'string' },
      'drop-rate': { type: 'string' },
      'hang-rate': { type: 'string' },
      'latency-ms': { type: 'string' },
      'queue-full-rate': { type: 'string' },
      'queue-full-next': { type: 'string' },
      'refuse-direct-images': { type: 'boolean' },
      'webhook-url': { type: 'string' },
      'mj-flavour': { type: 'string' },
      'mj-relay': { type: 'boolean' },
      'mj-relay-status-empty-ms': { type: 'string' },
      'mj-relay-rewrite-modal': { type: 'boolean' },
      'mj-remix': { type: 'boolean' },
      'mj-concurrency-limit': { type: 'string' },
      'mj-not-admin': { type: 'boolean' },
      'mj-timeout-minutes': { type: 'string' },
      'mj-notify-hook': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const options: SandboxOptions = {
    port: num('port', values.port, 0, 65535) ?? 8733,
    host: values.host ?? '127.0.0.1',
    token: values.token ?? (process.env.TNL_TOKEN || 'sandbox-token'),
    faults: faultOptions(values),
    rateLimit: values['rate-limit'] ? {} : false,
    refuseDirectImages: values['refuse-direct-images'] ?? false,
    midjourneyProxy: midjourneyProxyOptions(values),
  };
  const stepMs = num('step-ms', values['step-ms'], 1);
  const minuteMs = num('minute-ms', values['minute-ms'], 1);
  if (stepMs !== undefined) options.stepMs = stepMs;
  if (minuteMs !== undefined) options.minuteMs = minuteMs;
  if (values['webhook-url']) options.webhookUrl = values['webhook-url'];

  const sandbox = await startSandbox(options);
  process.stdout.write(
    `Sandbox listening on ${sandbox.url} (TheNextLeg at ${sandbox.url}/v2, midjourney-proxy at ${sandbox.url}/mj)\n`,
  );
  const stop = (): void => {
    sandbox.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    // Only the message: an error object could carry the options, token included.
    process.stderr.write(`nextleg-sandbox: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
