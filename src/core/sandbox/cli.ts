#!/usr/bin/env node
// `nextleg-sandbox`: runs the TNL sandbox from a terminal so flows can be built without credits.
import { parseArgs } from 'node:util';
import { startSandbox } from './server';
import type { FaultOptions, SandboxOptions } from './options';

const HELP = `Usage: nextleg-sandbox [options]

A local TheNextLeg-compatible API server (images are generated locally, nothing leaves the machine).

  --port <n>              port to listen on (default 8733)
  --host <h>              address to bind (default 127.0.0.1)
  --token <t>             API token clients must send (default $TNL_TOKEN, else 'sandbox-token')
  --step-ms <n>           time between progress steps (default 400)
  --minute-ms <n>         length of one expireMins minute (default 60000)
  --rate-limit            enforce TNL's limits: 1 submit per 3 s, 10 message reads per s
  --error-rate <0..1>     share of API requests answered 500/502
  --drop-rate <0..1>      share of API requests whose connection is cut
  --latency-ms <n>        delay before every API answer
  --refuse-direct-images  images answer 403 unless fetched through POST /getImage
  --webhook-url <url>     POST every finished job's result here
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
      'latency-ms': { type: 'string' },
      'refuse-direct-images': { type: 'boolean' },
      'webhook-url': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const faults: FaultOptions = {};
  const errorRate = num('error-rate', values['error-rate'], 0, 1);
  const dropRate = num('drop-rate', values['drop-rate'], 0, 1);
  const latencyMs = num('latency-ms', values['latency-ms'], 0);
  if (errorRate !== undefined) faults.errorRate = errorRate;
  if (dropRate !== undefined) faults.dropRate = dropRate;
  if (latencyMs !== undefined) faults.latencyMs = latencyMs;
  const options: SandboxOptions = {
    port: num('port', values.port, 0, 65535) ?? 8733,
    host: values.host ?? '127.0.0.1',
    token: values.token ?? (process.env.TNL_TOKEN || 'sandbox-token'),
    faults,
    rateLimit: values['rate-limit'] ? {} : false,
    refuseDirectImages: values['refuse-direct-images'] ?? false,
  };
  const stepMs = num('step-ms', values['step-ms'], 1);
  const minuteMs = num('minute-ms', values['minute-ms'], 1);
  if (stepMs !== undefined) options.stepMs = stepMs;
  if (minuteMs !== undefined) options.minuteMs = minuteMs;
  if (values['webhook-url']) options.webhookUrl = values['webhook-url'];

  const sandbox = await startSandbox(options);
  process.stdout.write(`TNL sandbox listening on ${sandbox.url}\n`);
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
