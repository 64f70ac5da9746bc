// Durations beyond what a timer holds, in the real runtime: the config node and the API nodes warn at
// deploy that they cap them (or fall back to the default for a value that is no number), and a job
// then finishes normally instead of failing at once; a resumed record with such a limit finishes too.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { JobRecord } from '../../src/core/jobs/job-record';
import { startSandbox, type Sandbox } from '../../src/core/sandbox/server';
import imagineResultNode from '../../src/nodes/nextleg-imagine-result';
import { handoverFor } from '../../src/nodes/shared/job-journal';
import { CONFIG_ID, single } from '../flows/api-flows';
import {
  collect,
  helper,
  loadFlow,
  nodesKeepingApi,
  recorder,
  stopNodeRed,
  type Msg,
} from '../support/node-red';

let sandbox: Sandbox;

before(async () => {
  sandbox = await startSandbox({ stepMs: 5 });
});
after(() => sandbox.close());
afterEach(() => stopNodeRed());

/** Far beyond 24.8 days in any unit the dialogs use. */
const ABSURD = 1e12;

interface LogEntry {
  level: number;
  id?: string;
  msg?: unknown;
}
const WARN = 30;

function warningsOf(id: string): string[] {
  return (helper.log().args as LogEntry[][])
    .map(([entry]) => entry)
    .filter((entry): entry is LogEntry => entry?.level === WARN && entry.id === id)
    .map((entry) => String(entry.msg));
}

describe('durations beyond the timer ceiling', () => {
  beforeEach(() => helper.startServer());

  it('are capped with a warning at deploy, and a job still finishes with its result', async () => {
    const flow = single(
      sandbox.url,
      'nextleg-imagine-result',
      { timeout: ABSURD, stallTimeout: String(ABSURD) },
      { requestTimeout: ABSURD, pollInterval: 'soon' },
    );
    await loadFlow(flow, sandbox.token);
    const caught = recorder('caught');
    const out = collect('out', 1, 10_000);
    helper.getNode('dut').receive({ payload: 'a lighthouse at dawn' });
    const [msg] = (await out) as [Msg];
    assert.equal(msg.payload.content, 'a lighthouse at dawn');
    assert.deepEqual(caught, []);

    const node = warningsOf('dut');
    assert.equal(node.filter((w) => w.includes('settingCapped')).length, 2, `node warnings: ${node}`);
    const config = warningsOf(CONFIG_ID);
    assert.equal(config.filter((w) => w.includes('settingCapped')).length, 1, `config warnings: ${config}`);
    assert.equal(config.filter((w) => w.includes('settingInvalid')).length, 1, `config warnings: ${config}`);
  });

  it('settings within the ceiling give no warning', async () => {
    await loadFlow(
      single(sandbox.url, 'nextleg-imagine-result', { timeout: 30, stallTimeout: '' }),
      sandbox.token,
    );
    assert.deepEqual(warningsOf('dut'), []);
    assert.deepEqual(warningsOf(CONFIG_ID), []);
  });
});

describe('a resumed record with a limit beyond the ceiling', () => {
  beforeEach(() => helper.startServer());

  it('is finished and delivered, not failed as JOB_TIMEOUT at once', async () => {
    const { nodes, api } = nodesKeepingApi(imagineResultNode);
    const flow = [
      { id: 'tab1', type: 'tab', label: 'resume' },
      ...single(sandbox.url, 'nextleg-imagine-result', {}).map((n) =>
        n.type === 'nextleg-config' ? n : { z: 'tab1', ...n },
      ),
    ];
    const credentials = { [CONFIG_ID]: { token: sandbox.token } };
    await helper.load(nodes, flow, credentials);
    // A job submitted earlier and recorded with limits no timer can hold (by an older version, or
    // in a store edited by hand), handed to the next instance as a redeploy hands records over.
    const submitted = await fetch(`${sandbox.url}/v2/imagine`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sandbox.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ msg: 'an old job' }),
    });
    const { messageId } = (await submitted.json()) as { messageId: string };
    const record: JobRecord = {
      v: 1,
      messageId,
      submittedAt: Date.now() - 1000,
      remaining: [],
      options: {
        expireMins: 12,
        timeoutMs: 2 ** 40,
        stallTimeoutMs: 2 ** 40,
        downloadImage: false,
        progressOutput: false,
      },
      msg: { payload: 'an old job', tag: 'recorded' },
    };
    handoverFor(api()).set('dut', new Map([['recorded1', record]]));

    await helper.setFlows(flow, 'full', credentials);
    const caught = recorder('caught');
    const [msg] = (await collect('out', 1, 10_000)) as [Msg];
    assert.equal(msg.tag, 'recorded');
    assert.equal(msg.payload.content, 'an old job');
    assert.deepEqual(caught, []);
  });
});
