// Runs what one input msg asks for: submit each step in the account's submit slots, wait for each
// job, hand the next step the previous result (imagine, then its upscale), and say where the run
// stands at every point so another process can finish it (a checkpoint: the job waited for and the
// button presses still to make). Resuming a checkpoint is the same run started from the middle.
// Nothing here knows Node-RED; progress and checkpoints leave through callbacks.
import { ApiError } from '../api/errors';
import type { JobApi, JobResult, JobState, ParentRef, RegionEdit, Submitted } from '../api/job-model';
import { isExpired, remainingTimeoutMs, type JobRecord, type PendingPress } from './job-record';
import { MODAL_MESSAGE, type WaitEnd, type WaitOptions } from './wait-for-result';

/** One thing to submit. A press without `parent` presses on the previous step's result. */
export type JobStep =
  | { kind: 'imagine'; prompt: string; status: string }
  | { kind: 'press'; button: string; parent?: ParentRef; status: string }
  | { kind: 'vary-region'; parent: ParentRef; edit: RegionEdit; status: string };

/** What one input msg asks for: steps to submit in order, or a job that already exists. */
export interface JobPlan {
  steps: JobStep[];
  /** Wait for this job first (get-message, or a resumed checkpoint). */
  existingJobId?: string;
}

/** The account as the runner uses it (core's Account, or a test's stand-in). */
export interface JobAccount {
  submit<T>(call: (api: JobApi, signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T>;
  wait(jobId: string, options: WaitOptions): Promise<WaitEnd>;
}

export interface RunLimits {
  timeoutMs: number;
  stallTimeoutMs: number;
  expireMins: number;
}

/** Where a run stands: enough for another process to finish it. */
export interface Checkpoint {
  jobId: string;
  /** When that job was submitted (ms since the epoch): the limits count from here. */
  submittedAt: number;
  remaining: PendingPress[];
}

export interface RunHooks {
  /** A step is about to be submitted. */
  onSubmit?(step: JobStep): void;
  /** A job was submitted or is waited for (its id is the msg's messageId from now on). */
  onJob?(jobId: string): void;
  /** Progress of the job waited for (queued, running). */
  onState?(jobId: string, state: JobState): void;
  /** The run can be resumed from here; undefined: it cannot (what remains is not a plain press). */
  onCheckpoint?(checkpoint: Checkpoint | undefined): void;
}

export interface RunOptions {
  signal: AbortSignal;
  limits: RunLimits;
  hooks?: RunHooks;
  /** The existing job: its limit left, and whether it may have finished unobserved (look at once). */
  current?: { submittedAt: number; timeoutMs: number; resumed: boolean };
  now?: () => number;
}

export interface RunOutcome {
  jobId: string;
  result: JobResult;
}

function parentOf(previous: JobResult | undefined, button: string): ParentRef {
  if (!previous?.buttonMessageId) {
    throw new ApiError({
      code: 'BAD_RESPONSE',
      message: `The result has no buttonMessageId to press ${button} on`,
      sent: false,
    });
  }
  return { buttonMessageId: previous.buttonMessageId, buttons: previous.buttons, payload: previous.payload };
}

/**
 * Submits one step up to the point where its job runs on its own: what a node that does not wait
 * sends on. Vary (Region) on an API that opens a dialog (code 21) gets its edit sent here; any other
 * step that opens one fails MODAL, as nothing in a flow can answer it.
 */
export async function submitStep(
  account: JobAccount,
  step: JobStep,
  previous: JobResult | undefined,
  signal: AbortSignal,
): Promise<Submitted & { dialogSent?: boolean }> {
  let submitted: Submitted;
  switch (step.kind) {
    case 'imagine':
      submitted = await account.submit((api, s) => api.imagine(step.prompt, { signal: s }), signal);
      break;
    case 'press': {
      const parent = step.parent ?? parentOf(previous, step.button);
      submitted = await account.submit((api, s) => api.press(parent, step.button, { signal: s }), signal);
      break;
    }
    case 'vary-region':
      submitted = await account.submit(
        (api, s) => api.varyRegion(step.parent, step.edit, { signal: s }),
        signal,
      );
      if (!submitted.modal) return submitted;
      return { ...(await sendDialog(account, submitted.jobId, step.edit, signal)), dialogSent: true };
  }
  if (submitted.modal) {
    // Remix mode opens a dialog for V1-V4, pans and rerolls: nothing here can answer it.
    throw new ApiError({ code: 'MODAL', message: MODAL_MESSAGE, messageId: submitted.jobId });
  }
  return submitted;
}

function sendDialog(
  account: JobAccount,
  dialogId: string,
  edit: RegionEdit,
  signal: AbortSignal,
): Promise<Submitted> {
  return account.submit((api, s) => api.submitModal(dialogId, edit, { signal: s }), signal);
}

/** The presses that remain, or undefined when something else remains (nothing to resume from). */
function pendingPresses(steps: readonly JobStep[]): PendingPress[] | undefined {
  const presses: PendingPress[] = [];
  for (const step of steps) {
    if (step.kind !== 'press' || step.parent) return undefined;
    presses.push({ button: step.button, statusKey: step.status });
  }
  return presses;
}

/** Runs a plan to its last result. Errors are ApiErrors with the failing job's id. */
export async function runPlan(account: JobAccount, plan: JobPlan, options: RunOptions): Promise<RunOutcome> {
  const { signal, limits, hooks = {} } = options;
  const now = options.now ?? Date.now;
  let result: JobResult | undefined;
  let jobId: string | undefined;

  const checkpoint = (id: string, submittedAt: number, remaining: readonly JobStep[]): void => {
    const presses = pendingPresses(remaining);
    hooks.onCheckpoint?.(presses ? { jobId: id, submittedAt, remaining: presses } : undefined);
  };
  const wait = (id: string, timeoutMs: number, extra: Partial<WaitOptions> = {}): Promise<WaitEnd> =>
    account.wait(id, {
      expireMins: limits.expireMins,
      timeoutMs,
      stallTimeoutMs: limits.stallTimeoutMs,
      signal,
      onState: (state) => hooks.onState?.(id, state),
      ...extra,
    });
  const resultOf = (end: WaitEnd, id: string): JobResult => {
    if (end.modal)
      throw new ApiError({ code: 'MODAL', message: 'The job waits for a dialog', messageId: id });
    return end.result;
  };

  if (plan.existingJobId) {
    jobId = plan.existingJobId;
    const current = options.current ?? { submittedAt: now(), timeoutMs: limits.timeoutMs, resumed: false };
    hooks.onJob?.(jobId);
    checkpoint(jobId, current.submittedAt, plan.steps);
    // A resumed job may have finished while nobody listened for its webhook: look at once.
    const end = await wait(jobId, current.timeoutMs, current.resumed ? { firstPollAfterMs: 0 } : {});
    result = resultOf(end, jobId);
  }

  for (const [index, step] of plan.steps.entries()) {
    const remaining = plan.steps.slice(index + 1);
    hooks.onSubmit?.(step);
    const submitted = await submitStep(account, step, result, signal);
    jobId = submitted.jobId;
    hooks.onJob?.(jobId);
    if (step.kind === 'vary-region' && !submitted.dialogSent) {
      // The job may still wait for its dialog: a relay that rewrote code 21 to 1 hides it until the
      // job shows MODAL. An API that repaints in one call delivers the result instead.
      checkpoint(jobId, now(), remaining);
      const end = await wait(jobId, limits.timeoutMs, { onModal: 'end' });
      if (!end.modal) {
        result = end.result;
        continue;
      }
      jobId = (await sendDialog(account, jobId, step.edit, signal)).jobId;
      hooks.onJob?.(jobId);
    }
    checkpoint(jobId, now(), remaining);
    // After its dialog was sent, a job a lagging relay still shows in MODAL is on its way.
    const onModal = step.kind === 'vary-region' ? 'pending' : 'fail';
    result = resultOf(await wait(jobId, limits.timeoutMs, { onModal }), jobId);
  }
  if (!result || !jobId)
    throw new ApiError({ code: 'INTERNAL', message: 'Nothing to wait for', sent: false });
  return { jobId, result };
}

/** The plan a checkpoint left: wait for its job, then make its presses. */
export function planOfRecord(record: JobRecord): JobPlan {
  return {
    existingJobId: record.messageId,
    steps: record.remaining.map((press) => ({
      kind: 'press',
      button: press.button,
      status: press.statusKey,
    })),
  };
}

/**
 * Finishes a run another instance recorded. Fails EXPIRED when the service itself gave up on the
 * job by now, JOB_TIMEOUT when the job's own limit has passed.
 */
export function resumeRecord(
  account: JobAccount,
  record: JobRecord,
  options: Omit<RunOptions, 'limits' | 'current'>,
): Promise<RunOutcome> {
  const now = (options.now ?? Date.now)();
  if (isExpired(record, now)) {
    return Promise.reject(
      new ApiError({
        code: 'EXPIRED',
        message: `The job ${record.messageId} is older than ${record.options.expireMins} min: the service has given up on it`,
        messageId: record.messageId,
        sent: false,
      }),
    );
  }
  const timeoutMs = remainingTimeoutMs(record, now);
  if (timeoutMs <= 0) {
    return Promise.reject(
      new ApiError({
        code: 'JOB_TIMEOUT',
        message: `No result within ${Math.round(record.options.timeoutMs / 1000)} s`,
        messageId: record.messageId,
        sent: false,
      }),
    );
  }
  return runPlan(account, planOfRecord(record), {
    ...options,
    limits: record.options,
    current: { submittedAt: record.submittedAt, timeoutMs, resumed: true },
  });
}
