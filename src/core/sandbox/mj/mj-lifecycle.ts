// What happens to a midjourney-proxy task as it moves: the server's own timeouts (a task stuck in
// its queue, or rendering too long, fails), the failReason it ends with, and the notifyHook posts.
import type { EngineJob, JobChange, JobEngine } from '../engine/engine';
import { failReasonOf, MJ_ENDINGS, type Flavour } from './mj-fail-reasons';
import type { TaskNotifier } from './mj-notify';
import { taskObject, type MjTaskInfo } from './mj-task';

export interface LifecycleSettings {
  info(id: string): MjTaskInfo | undefined;
  flavour(): Flavour;
  /** Behind a relay no hook is ever posted. */
  relayed(): boolean;
  timeoutMinutes(): number;
  minuteMs(): number;
  /** The hook for tasks submitted without one. */
  defaultHook(): string | undefined;
  ownBase(): string;
}

export class TaskLifecycle {
  /** Per task, the timeout waiting to fire, and whether it is the queue's or the run's. */
  private readonly timeouts = new Map<string, { stage: 'queue' | 'run'; cancel: () => void }>();
  /** Tasks whose ending the server does not announce (trueai's cancel endpoint). */
  private readonly silent = new Set<string>();

  constructor(
    private readonly engine: JobEngine,
    private readonly notifier: TaskNotifier,
    private readonly settings: LifecycleSettings,
  ) {
    engine.on((job, change) => {
      if (job.owner === 'midjourney-proxy') this.changed(job, change);
    });
  }

  /** The task's ending will not be posted to its hook. */
  silence(id: string): void {
    this.silent.add(id);
  }

  private changed(job: EngineJob, change: JobChange): void {
    const info = this.settings.info(job.id);
    if (!info) return;
    const flavour = this.settings.flavour();
    if (change === 'ended') {
      this.timeouts.get(job.id)?.cancel();
      this.timeouts.delete(job.id);
      if (job.failure) {
        const { code, detail } = job.failure;
        info.failReason ??= failReasonOf(code, flavour, detail, this.settings.timeoutMinutes());
      }
      if (job.phase === 'cancelled') info.failReason ??= '取消任务';
    } else {
      this.arm(job);
    }
    if (this.settings.relayed() || this.silent.has(job.id)) return;
    const hook = info.notifyHook ?? this.settings.defaultHook();
    if (hook) this.notifier.changed(hook, taskObject(job, info, this.settings.ownBase(), flavour), flavour);
  }

  private arm(job: EngineJob): void {
    const timeoutMs = this.settings.timeoutMinutes() * this.settings.minuteMs();
    const armed = this.timeouts.get(job.id);
    const set = (stage: 'queue' | 'run', fromMs: number, limitMs: number, code: string): void => {
      armed?.cancel();
      const cancel = this.engine.clock.after(fromMs + limitMs - Date.now(), () =>
        this.engine.end(job, { kind: 'fail', code }),
      );
      this.timeouts.set(job.id, { stage, cancel });
    };
    if (job.phase === 'waiting' && !armed) {
      // trueai gives a queued task twelve times the running timeout.
      set('queue', job.createdMs, 12 * timeoutMs, MJ_ENDINGS.neverSubmitted);
    } else if (job.acceptedMs !== undefined && armed?.stage !== 'run') {
      set('run', job.acceptedMs, timeoutMs, MJ_ENDINGS.timedOut);
    }
  }
}
