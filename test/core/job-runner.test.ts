// The job runner against a scripted API on the real scheduler: multi-step plans, the Vary (Region)
// dialog in its three forms, checkpoints at every stage, and resuming a checkpoint.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type {
  JobApi,
  JobResult,
  JobState,
  ParentRef,
  RegionEdit,
  Submitted,
} from '../../src/core/api/job-model';
import { RequestScheduler, waitForJob } from '../../src/core/jobs';
import type { JobRecord } from '../../src/core/jobs/job-record';
import {
  resumeRecord,
  runPlan,
  type Checkpoint,
  type JobAccount,
  type JobPlan,
} from '../../src/core/jobs/job-runner';

const scheduler = new RequestScheduler({ submitIntervalMs: 0, pollIntervalMs: 1, maxPollsPerSecond: 1000 });
after(() => scheduler.close());

const limits = { timeoutMs: 5_000, stallTimeoutMs: 5_000, expireMins: 12 };
const edit: RegionEdit = { prompt: 'a red balloon', mask: Buffer.from('mask'), maskFormat: 'png' };

const resultOf = (id: string, buttons = ['U1', 'U2', 'U3', 'U4']): JobResult => ({
  buttonMessageId: `b-${id}`,
  buttons,
  imageUrl: `http://127.0.0.1/${id}.png`,
  payload: { id },
});

/**
 * An API whose jobs follow a script: each submit names the states its job goes through (the last
 * one repeats). Every call is recorded.
 */
class ScriptedApi implements JobApi {
  readonly name = 'scripted';
  readonly baseUrl = 'http://127.0.0.1';
  readonly maskFormats = ['png'] as const;
  readonly calls: string[] = [];
  readonly presses: Array<{ parent: ParentRef; button: string }> = [];
  private readonly jobs = new Map<string, JobState[]>();
  private next = 0;

  constructor(
    private readonly script: {
      imagine?: JobState[];
      press?: JobState[];
      varyRegion?: { states: JobState[]; modal?: boolean };
      modal?: JobState[];
    },
  ) {}

  private create(kind: string, states: JobState[] | undefined, modal = false): Submitted {
    const jobId = `${kind}-${++this.next}`;
    this.jobs.set(jobId, states ?? [{ state: 'done', result: resultOf(jobId) }]);
    return { jobId, payload: { jobId }, ...(modal ? { modal } : {}) };
  }

  async imagine(prompt: string): Promise<Submitted> {
    this.calls.push(`imagine ${prompt}`);
    return this.create('imagine', this.script.imagine);
  }
  async press(parent: ParentRef, button: string): Promise<Submitted> {
    this.calls.push(`press ${button} on ${parent.buttonMessageId}`);
    this.presses.push({ parent, button });
    return this.create('press', this.script.press);
  }
  async varyRegion(parent: ParentRef): Promise<Submitted> {
    this.calls.push(`varyRegion on ${parent.buttonMessageId}`);
    const v = this.script.varyRegion;
    return this.create('vary', v?.states, v?.modal);
  }
  async submitModal(jobId: string, e: RegionEdit): Promise<Submitted> {
    this.calls.push(`modal ${jobId} ${e.prompt}`);
    return this.create('modal', this.script.modal);
  }
  async readJob(jobId: string): Promise<JobState> {
    const states = this.jobs.get(jobId);
    if (!states) return { state: 'unknown' };
    return states.length > 1 ? states.shift()! : states[0]!;
  }
  readPushed(): undefined {
    return undefined;
  }
  async getImage(): Promise<Buffer> {
    return Buffer.alloc(0);
  }
  async getImageHead(): Promise<Buffer> {
    return Buffer.alloc(0);
  }
  /** Makes a job exist as if an earlier process had submitted it. */
  seed(jobId: string, states: JobState[]): void {
    this.jobs.set(jobId, states);
  }
}

function accountOf(api: JobApi): JobAccount & { waits: Array<{ jobId: string; firstPollAfterMs?: number }> } {
  const waits: Array<{ jobId: string; firstPollAfterMs?: number }> = [];
  return {
    waits,
    submit: (call, signal) => scheduler.submit((s) => call(api, s), { signal }),
    wait: (jobId, options) => {
      waits.push({ jobId, firstPollAfterMs: options.firstPollAfterMs });
      return waitForJob(api, scheduler, jobId, options);
    },
  };
}

function run(api: ScriptedApi, plan: JobPlan) {
  const checkpoints: Array<Checkpoint | undefined> = [];
  const jobs: string[] = [];
  const account = accountOf(api);
  const outcome = runPlan(account, plan, {
    signal: new AbortController().signal,
    limits,
    hooks: { onCheckpoint: (c) => checkpoints.push(c), onJob: (id) => jobs.push(id) },
  });
  return { outcome, checkpoints, jobs, account };
}

describe('runPlan', () => {
  it('imagines, then upscales the grid it got: the press goes to the grid, checkpoints say what is left', async () => {
    const api = new ScriptedApi({
      imagine: [
        { state: 'queued', progress: 0 },
        { state: 'done', result: resultOf('grid') },
      ],
    });
    const { outcome, checkpoints, jobs } = run(api, {
      steps: [
        { kind: 'imagine', prompt: 'a fox', status: 'submitting' },
        { kind: 'press', button: 'U1', status: 'upscaling' },
      ],
    });
    const { jobId, result } = await outcome;
    assert.deepEqual(api.calls, ['imagine a fox', 'press U1 on b-grid']);
    assert.deepEqual(api.presses[0]!.parent.buttons, ['U1', 'U2', 'U3', 'U4']);
    assert.deepEqual(api.presses[0]!.parent.payload, { id: 'grid' });
    assert.equal(jobId, 'press-2');
    assert.equal(result.buttonMessageId, 'b-press-2');
    assert.deepEqual(jobs, ['imagine-1', 'press-2']);
    assert.deepEqual(
      checkpoints.map((c) => c && { jobId: c.jobId, remaining: c.remaining }),
      [
        { jobId: 'imagine-1', remaining: [{ button: 'U1', statusKey: 'upscaling' }] },
        { jobId: 'press-2', remaining: [] },
      ],
    );
  });

  it('sends the edit with the dialog an API opens at once (code 21)', async () => {
    const api = new ScriptedApi({ varyRegion: { states: [{ state: 'modal' }], modal: true } });
    const parent = { buttonMessageId: 'up', buttons: ['🖌️ Vary (Region)'] };
    const { outcome, checkpoints } = run(api, {
      steps: [{ kind: 'vary-region', parent, edit, status: 'submitting' }],
    });
    const { jobId } = await outcome;
    assert.deepEqual(api.calls, ['varyRegion on up', 'modal vary-1 a red balloon']);
    assert.equal(jobId, 'modal-2');
    // Only once the dialog is sent is there a job another process could wait for.
    assert.deepEqual(
      checkpoints.map((c) => c?.jobId),
      ['modal-2'],
    );
  });

  it('sends the dialog once, though a lagging relay still shows the job in MODAL after it', async () => {
    const api = new ScriptedApi({
      varyRegion: { states: [{ state: 'modal' }], modal: true },
      modal: [{ state: 'modal' }, { state: 'modal' }, { state: 'done', result: resultOf('painted') }],
    });
    const { outcome } = run(api, {
      steps: [{ kind: 'vary-region', parent: { buttonMessageId: 'up' }, edit, status: 'submitting' }],
    });
    assert.equal((await outcome).result.buttonMessageId, 'b-painted');
    assert.deepEqual(api.calls, ['varyRegion on up', 'modal vary-1 a red balloon']);
  });

  it('waits for the dialog when a relay hid it behind code 1, then sends the edit', async () => {
    const api = new ScriptedApi({
      varyRegion: {
        states: [{ state: 'queued', progress: 0 }, { state: 'queued', progress: 0 }, { state: 'modal' }],
      },
    });
    const { outcome } = run(api, {
      steps: [{ kind: 'vary-region', parent: { buttonMessageId: 'up' }, edit, status: 'submitting' }],
    });
    assert.equal((await outcome).jobId, 'modal-2');
    assert.deepEqual(api.calls, ['varyRegion on up', 'modal vary-1 a red balloon']);
  });

  it('takes the result of an API that repaints in one call, and sends no dialog', async () => {
    const api = new ScriptedApi({
      varyRegion: {
        states: [
          { state: 'running', progress: 46, progressImageUrl: null },
          { state: 'done', result: resultOf('painted') },
        ],
      },
    });
    const { outcome, checkpoints } = run(api, {
      steps: [{ kind: 'vary-region', parent: { buttonMessageId: 'up' }, edit, status: 'submitting' }],
    });
    const { jobId, result } = await outcome;
    assert.equal(jobId, 'vary-1');
    assert.equal(result.buttonMessageId, 'b-painted');
    assert.deepEqual(api.calls, ['varyRegion on up']);
    assert.deepEqual(
      checkpoints.map((c) => c?.jobId),
      ['vary-1'],
    );
  });

  it('fails MODAL when a press opens a dialog (remix), without waiting on it', async () => {
    const api = new ScriptedApi({});
    api.press = async (parent, button) => {
      api.calls.push(`press ${button} on ${parent.buttonMessageId}`);
      return { jobId: 'remix-1', modal: true, payload: {} };
    };
    const { outcome, account } = run(api, {
      steps: [{ kind: 'press', button: 'V1', parent: { buttonMessageId: 'grid' }, status: 'submitting' }],
    });
    await assert.rejects(outcome, { code: 'MODAL', messageId: 'remix-1', message: /remix/ });
    assert.equal(account.waits.length, 0);
  });

  it('refuses to press on a result without a buttonMessageId', async () => {
    const api = new ScriptedApi({ imagine: [{ state: 'done', result: { payload: {} } }] });
    const { outcome } = run(api, {
      steps: [
        { kind: 'imagine', prompt: 'a fox', status: 'submitting' },
        { kind: 'press', button: 'U1', status: 'upscaling' },
      ],
    });
    await assert.rejects(outcome, { code: 'BAD_RESPONSE', message: /buttonMessageId to press U1/ });
    assert.deepEqual(api.calls, ['imagine a fox']);
  });
});

describe('resumeRecord', () => {
  const record = (over: Partial<JobRecord> = {}): JobRecord => ({
    v: 1,
    messageId: 'grid-old',
    submittedAt: 1_000_000,
    remaining: [{ button: 'U2', statusKey: 'upscaling' }],
    options: { ...limits, downloadImage: false, progressOutput: false },
    msg: {},
    ...over,
  });

  it('waits for the recorded job at once, then makes the presses left', async () => {
    const api = new ScriptedApi({});
    api.seed('grid-old', [{ state: 'done', result: resultOf('grid-old') }]);
    const account = accountOf(api);
    const { jobId } = await resumeRecord(account, record(), {
      signal: new AbortController().signal,
      now: () => 1_000_500,
    });
    assert.equal(jobId, 'press-1');
    assert.deepEqual(api.calls, ['press U2 on b-grid-old']);
    assert.deepEqual(account.waits[0], { jobId: 'grid-old', firstPollAfterMs: 0 });
  });

  it('fails EXPIRED once the service has given up, and JOB_TIMEOUT once the limit passed', async () => {
    const api = new ScriptedApi({});
    const signal = new AbortController().signal;
    await assert.rejects(
      resumeRecord(accountOf(api), record(), { signal, now: () => 1_000_000 + 12 * 60_000 }),
      {
        code: 'EXPIRED',
        messageId: 'grid-old',
      },
    );
    await assert.rejects(resumeRecord(accountOf(api), record(), { signal, now: () => 1_000_000 + 5_000 }), {
      code: 'JOB_TIMEOUT',
      messageId: 'grid-old',
    });
    assert.deepEqual(api.calls, []);
  });
});
