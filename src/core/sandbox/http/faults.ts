// Injected failures, so clients can be tested against the ways a real API lets them down.
import type { FaultOptions } from '../options';

export type EndpointClass = 'message' | 'submit' | 'other';
export type Fault = { kind: 'hang' } | { kind: 'drop' } | { kind: 'error'; status: 500 | 502 } | undefined;

export class FaultInjector {
  private errorToggle = false;
  private acceptToggle = false;
  private queueFullLeft = 0;

  constructor(
    private options: FaultOptions = {},
    private readonly random: () => number = Math.random,
  ) {
    this.configure(options);
  }

  configure(options: FaultOptions | undefined): void {
    this.options = options ?? {};
    this.queueFullLeft = Math.max(0, Math.floor(this.options.queueFullNext ?? 0));
  }

  private applies(endpoint: EndpointClass): boolean {
    const only = this.options.only ?? 'all';
    return only === 'all' || only === endpoint;
  }

  private hit(rate: number | undefined): boolean {
    return rate !== undefined && rate > 0 && this.random() < rate;
  }

  latencyMs(endpoint: EndpointClass): number {
    return this.applies(endpoint) ? Math.max(0, this.options.latencyMs ?? 0) : 0;
  }

  /** The fault to apply before any work, if any. */
  before(endpoint: EndpointClass): Fault {
    if (!this.applies(endpoint)) return undefined;
    if (this.hit(this.options.hangRate)) return { kind: 'hang' };
    if (this.hit(this.options.dropRate)) return { kind: 'drop' };
    if (this.hit(this.options.errorRate)) {
      this.errorToggle = !this.errorToggle;
      return { kind: 'error', status: this.errorToggle ? 500 : 502 };
    }
    return undefined;
  }

  /**
   * Whether a submit is refused as "queue full, retry later" before anything is created (a
   * midjourney-proxy server's code 9 or 23): the next `queueFullNext`, then a share `queueFullRate`.
   */
  refuseAsQueueFull(): boolean {
    if (!this.applies('submit')) return false;
    if (this.queueFullLeft > 0) {
      this.queueFullLeft--;
      return true;
    }
    return this.hit(this.options.queueFullRate);
  }

  /** For a submit whose job was created: whether its answer is lost (500 first, then a drop, alternating). */
  afterAccept(endpoint: EndpointClass): Fault {
    if (endpoint !== 'submit' || !this.applies(endpoint) || !this.hit(this.options.failAfterAcceptRate))
      return undefined;
    this.acceptToggle = !this.acceptToggle;
    return this.acceptToggle ? { kind: 'error', status: 500 } : { kind: 'drop' };
  }
}
