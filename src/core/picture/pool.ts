// Every decode, resize and encode of a picture runs here, off Node-RED's event loop, in a small pool
// of worker threads (piscina: per-task abort, queue limit, resource limits, idle workers exit).
//
// A task over its limits costs a worker, not the process: a task still running after
// PICTURE_LIMITS.taskTimeoutMs, or aborted by its caller (a redeploy), has its worker terminated,
// and a worker that outgrows its heap is ended by V8; piscina starts a fresh one for the next task.
// The deadline starts when a worker picks the task up (it says so), not when it is queued, so ten
// pictures at once queue behind each other without eating each other's time.
//
// piscina is loaded on the first task, not when a node file is required: a Node-RED that never
// shows a picture never pays for it.

import { extname, join } from 'node:path';
import { availableParallelism } from 'node:os';
import type PiscinaPool from 'piscina';
import { PICTURE_LIMITS } from './limits';
import { PictureError, type PictureProblem, type PictureSubject } from './picture-error';
import { TASK_STARTED, type TaskEnvelope, type TaskMessage } from './task-protocol';

export interface PictureTaskOptions {
  /** What the picture is for: decides the error codes (MASK_* or IMAGE_*). */
  subject: PictureSubject;
  /** Aborting ends the task (terminating its worker when it already runs). */
  signal?: AbortSignal;
  /** ArrayBuffers handed to the worker instead of copied (the caller must not use them after). */
  transfer?: ArrayBuffer[];
}

export interface PoolSettings {
  /** Longest a task may run once a worker has picked it up. */
  taskTimeoutMs: number;
  /** V8 heap of each worker, in MB. */
  workerHeapMb: number;
  /** Most workers at once. */
  maxThreads: number;
  /** An idle worker exits after this long, so an idle Node-RED keeps none. */
  idleTimeoutMs: number;
  /** Most tasks waiting for a worker; more are refused at once. */
  maxQueue: number;
}

/**
 * One worker for up to three cores, two from four: the event loop keeps a core of its own, and a
 * small machine never holds more than two decoded pictures at a time.
 */
const DEFAULT_SETTINGS: PoolSettings = {
  taskTimeoutMs: PICTURE_LIMITS.taskTimeoutMs,
  workerHeapMb: PICTURE_LIMITS.workerHeapMb,
  maxThreads: availableParallelism() >= 4 ? 2 : 1,
  idleTimeoutMs: 30_000,
  maxQueue: 200,
};

let settings: PoolSettings = { ...DEFAULT_SETTINGS };
let pool: PiscinaPool | undefined;
let nextTaskId = 1;
/** Tasks a worker has started, by id: the deadline is armed when the worker says so. */
const onStart = new Map<number, () => void>();
/** Tasks a worker is running now. */
const runningTasks = new Set<number>();

/** The path of a worker module beside `dir`, with the extension this build runs from (.js, or .ts under tsx). */
export function workerModule(dir: string, name: string): string {
  return join(dir, name + extname(__filename));
}

function getPool(): PiscinaPool {
  if (pool) return pool;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Piscina = require('piscina') as typeof PiscinaPool;
  const created = new Piscina({
    minThreads: 0,
    maxThreads: settings.maxThreads,
    idleTimeout: settings.idleTimeoutMs,
    maxQueue: settings.maxQueue,
    // Tasks are asynchronous (codec set-up, WebAssembly); the worker's own event loop must run.
    atomics: 'disabled',
    // On Linux a worker thread can have its own priority: picture work yields the CPU to the loop.
    niceIncrement: 5,
    resourceLimits: {
      maxOldGenerationSizeMb: settings.workerHeapMb,
      maxYoungGenerationSizeMb: 32,
      stackSizeMb: 4,
    },
  });
  created.on('message', (message: TaskMessage) => {
    if (message && typeof message === 'object' && message.type === TASK_STARTED) onStart.get(message.id)?.();
  });
  // A worker that dies between tasks is replaced on the next one; with no task to fail, piscina
  // reports it as an 'error' event, which must not bring the process down.
  created.on('error', () => undefined);
  pool = created;
  return created;
}

/** Ends every worker; the next task starts a fresh pool with `next` settings (tests shorten limits). */
export async function resetPicturePool(next: Partial<PoolSettings> = {}): Promise<void> {
  const old = pool;
  pool = undefined;
  settings = { ...DEFAULT_SETTINGS, ...next };
  await old?.destroy();
}

/** How many tasks workers are running now (started, not yet settled). */
export function runningPictureTasks(): number {
  return runningTasks.size;
}

/** Thread ids of the picture workers alive now (none once idle ones have exited). */
export function pictureWorkerThreadIds(): number[] {
  return pool?.threads.map((thread) => thread.threadId) ?? [];
}

function failure(problem: PictureProblem, message: string, subject: PictureSubject): PictureError {
  return new PictureError(problem, message, subject);
}

function workerFailure(
  err: unknown,
  subject: PictureSubject,
  timedOut: boolean,
  aborted: boolean,
): PictureError {
  if (timedOut) {
    return failure(
      'too-large',
      `the picture took longer than ${settings.taskTimeoutMs / 1000} s to process and was given up`,
      subject,
    );
  }
  if (aborted) return failure('aborted', 'the picture work was cancelled', subject);
  const code = (err as { code?: unknown })?.code;
  if (code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return failure('too-large', 'the picture needs more memory than a picture may take', subject);
  }
  const text = err instanceof Error ? err.message : String(err);
  if (/queue is full/i.test(text)) {
    return failure('too-large', 'too many pictures are waiting to be processed; try again later', subject);
  }
  return failure('unreadable', `the picture could not be processed: ${text}`, subject);
}

/**
 * Runs export `name` of worker module `module` (see runTask in task-protocol) with `payload`, and
 * returns its value. Every failure is a PictureError with the subject's codes.
 */
export function runPictureTask<T>(
  module: string,
  name: string,
  payload: Record<string, unknown>,
  options: PictureTaskOptions,
): Promise<T> {
  const { subject, signal } = options;
  if (signal?.aborted) return Promise.reject(failure('aborted', 'the picture work was cancelled', subject));
  const id = nextTaskId++;
  const stop = new AbortController();
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const onAbort = (): void => stop.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  onStart.set(id, () => {
    onStart.delete(id);
    runningTasks.add(id);
    timer = setTimeout(() => {
      timedOut = true;
      stop.abort();
    }, settings.taskTimeoutMs);
    // A pending deadline must not keep a finished program alive.
    timer.unref();
  });
  const settle = (): void => {
    onStart.delete(id);
    runningTasks.delete(id);
    if (timer) clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  };
  let outcome: Promise<TaskEnvelope<T>>;
  try {
    outcome = getPool().run(
      { id, payload },
      { filename: module, name, signal: stop.signal, transferList: options.transfer },
    ) as Promise<TaskEnvelope<T>>;
  } catch (err) {
    settle();
    return Promise.reject(workerFailure(err, subject, false, false));
  }
  return outcome.then(
    (envelope) => {
      settle();
      if (envelope.ok) return envelope.value;
      throw failure(envelope.problem, envelope.message, subject);
    },
    (err: unknown) => {
      settle();
      throw workerFailure(err, subject, timedOut, signal?.aborted === true);
    },
  );
}
