// One node may have many jobs in flight; its status shows the one job, or a count when there are
// several, and the last outcome once all have finished.
import type { Node, NodeStatus } from 'node-red';

export class JobStatusBoard {
  private readonly jobs = new Map<number, NodeStatus>();
  private nextId = 1;
  private last: NodeStatus = {};

  constructor(
    private readonly node: Node,
    private readonly countText: (count: number) => string,
  ) {}

  add(status: NodeStatus): number {
    const id = this.nextId++;
    this.jobs.set(id, status);
    this.render();
    return id;
  }

  set(id: number, status: NodeStatus): void {
    if (!this.jobs.has(id)) return;
    this.jobs.set(id, status);
    this.render();
  }

  finish(id: number | undefined, outcome: NodeStatus): void {
    if (id !== undefined) this.jobs.delete(id);
    this.last = outcome;
    this.render();
  }

  clear(): void {
    this.jobs.clear();
    this.last = {};
    this.node.status({});
  }

  private render(): void {
    if (this.jobs.size === 0) this.node.status(this.last);
    else if (this.jobs.size === 1) this.node.status(this.jobs.values().next().value as NodeStatus);
    else this.node.status({ fill: 'blue', shape: 'dot', text: this.countText(this.jobs.size) });
  }
}
