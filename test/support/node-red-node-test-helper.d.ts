// The parts of node-red-node-test-helper the node tests use (the package ships no types).
declare module 'node-red-node-test-helper' {
  import type { EventEmitter } from 'node:events';
  interface TestNode extends EventEmitter {
    id: string;
    receive(msg: Record<string, unknown>): void;
    close(removed?: boolean): Promise<void>;
    [key: string]: unknown;
  }
  interface NodeTestHelper {
    init(runtimePath?: string, userSettings?: Record<string, unknown>): void;
    settings(userSettings: Record<string, unknown>): Record<string, unknown>;
    load(nodes: unknown[], flow: unknown[], credentials?: Record<string, unknown>): Promise<void>;
    setFlows(
      flow: unknown[],
      type?: 'full' | 'flows' | 'nodes',
      credentials?: Record<string, unknown>,
    ): Promise<void>;
    unload(): Promise<void>;
    getNode(id: string): TestNode;
    startServer(): Promise<void>;
    stopServer(): Promise<void>;
    log(): { args: unknown[][] };
    /** The base URL of the helper's HTTP server (admin and HTTP-in routes). */
    url(): string;
  }
  const helper: NodeTestHelper;
  export = helper;
}
