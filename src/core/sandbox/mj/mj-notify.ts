// notifyHook: the whole task object POSTed on every change of status or progress, once per distinct
// step. The servers order each change and skip one that does not move forward: trueai skips equal
// or lower steps (and ranks MODAL and CANCEL lowest), novicezk's servers only lower ones. Neither
// notifies NOT_START or MODAL, and there is no retry: a lost post stays lost.
import type { WebhookSender } from '../http/webhook';
import type { Flavour } from './mj-fail-reasons';
import type { TaskStatus } from './mj-task';

function order(status: TaskStatus, progress: string | null, flavour: Flavour): number {
  switch (status) {
    case 'SUBMITTED':
      return 1;
    case 'IN_PROGRESS':
      return 3 + (Number.parseInt(progress ?? '0', 10) || 0) / 100;
    case 'FAILURE':
      return 4;
    case 'SUCCESS':
      return flavour === 'trueai' ? 5 : 4;
    case 'CANCEL':
      return flavour === 'trueai' ? 0 : 4;
    default:
      return 0;
  }
}

export class TaskNotifier {
  /** Per task: the order of the last change posted. */
  private readonly sent = new Map<string, number>();

  constructor(private readonly sender: WebhookSender) {}

  changed(hook: string | undefined, task: Record<string, unknown>, flavour: Flavour): void {
    const status = task.status as TaskStatus;
    if (!hook || status === 'NOT_START' || status === 'MODAL') return;
    const id = String(task.id);
    const rank = order(status, task.progress as string | null, flavour);
    const last = this.sent.get(id);
    if (last !== undefined && (flavour === 'trueai' ? rank <= last : rank < last)) return;
    this.sent.set(id, rank);
    // trueai forgets a task once it has ended; nothing more is sent for it.
    if (status === 'SUCCESS' || status === 'FAILURE') this.sent.delete(id);
    this.sender.send(hook, task);
  }
}
