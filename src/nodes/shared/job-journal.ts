// The API node's jobs in flight, one context key per job in the node's own context, in the store
// the account names (a localfilesystem store survives a restart). Writes are fire-and-forget with
// errors logged: a store that fails costs the resume, never the job itself. Node-RED drops a node's
// context on every close unless contextStorage is configured, so a copy is also kept in this
// process: enough for a redeploy, while the context store is what survives a restart.
import type { Node } from 'node-red';
import { parseJobRecord, type JobRecord } from '../../core/jobs/job-record';

/** No dots: Node-RED reads a dot in a context key as a path into an object. */
const KEY_PREFIX = 'nextlegJob_';

interface ContextApi {
  get(key: string, store: string | undefined, cb: (err: Error | null, value: unknown) => void): void;
  set(key: string, value: unknown, store: string | undefined, cb: (err?: Error | null) => void): void;
  keys(store: string, cb: (err: Error | null, keys: string[]) => void): void;
  keys(cb: (err: Error | null, keys: string[]) => void): void;
}

/** Per node id, per job key: the in-process copy that outlives the node instance across a redeploy. */
type Handover = Map<string, Map<string, JobRecord>>;
/**
 * One copy per loading of the node module (its RED object): a redeploy keeps it, while loading the
 * package anew (a new runtime in the same process, as test harnesses do) starts from nothing.
 */
const handovers = new WeakMap<object, Handover>();

export function handoverFor(loadedBy: object): Handover {
  let map = handovers.get(loadedBy);
  if (!map) handovers.set(loadedBy, (map = new Map<string, Map<string, JobRecord>>()));
  return map;
}

export class JobJournal {
  constructor(
    private readonly node: Node,
    private readonly store: string | undefined,
    private readonly handover: Handover,
  ) {}

  private get context(): ContextApi {
    return this.node.context() as unknown as ContextApi;
  }

  private get copies(): Map<string, JobRecord> {
    let map = this.handover.get(this.node.id);
    if (!map) this.handover.set(this.node.id, (map = new Map<string, JobRecord>()));
    return map;
  }

  save(jobKey: string, record: JobRecord): void {
    this.copies.set(jobKey, record);
    this.context.set(KEY_PREFIX + jobKey, record, this.store, (err) => {
      if (err) this.node.warn(`Could not record the job ${record.messageId}: ${err.message}`);
    });
  }

  remove(jobKey: string): void {
    this.copies.delete(jobKey);
    if (this.copies.size === 0) this.handover.delete(this.node.id);
    this.context.set(KEY_PREFIX + jobKey, undefined, this.store, (err) => {
      if (err) this.node.warn(`Could not forget a finished job: ${err.message}`);
    });
  }

  /** Every readable record, with its key; unreadable ones are dropped from the store. */
  async load(): Promise<Array<{ jobKey: string; record: JobRecord }>> {
    const keys = await new Promise<string[]>((resolve, reject) => {
      const cb = (err: Error | null, found: string[]): void => (err ? reject(err) : resolve(found ?? []));
      // keys() has no "default store" argument: an undefined one is logged as an unknown store.
      if (this.store === undefined) this.context.keys(cb);
      else this.context.keys(this.store, cb);
    });
    const found: Array<{ jobKey: string; record: JobRecord }> = [];
    for (const key of keys) {
      if (!key.startsWith(KEY_PREFIX)) continue;
      const value = await new Promise<unknown>((resolve, reject) =>
        this.context.get(key, this.store, (err, v) => (err ? reject(err) : resolve(v))),
      );
      const jobKey = key.slice(KEY_PREFIX.length);
      const record = parseJobRecord(value);
      if (record) found.push({ jobKey, record });
      else this.remove(jobKey);
    }
    const inStore = new Set(found.map((f) => f.jobKey));
    for (const [jobKey, record] of this.copies) if (!inStore.has(jobKey)) found.push({ jobKey, record });
    return found;
  }

  async clear(): Promise<void> {
    this.handover.delete(this.node.id);
    for (const { jobKey } of await this.load()) this.remove(jobKey);
  }
}
