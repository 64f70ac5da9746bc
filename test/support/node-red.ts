// Starts the real Node-RED runtime (through node-red-node-test-helper) with this package's nodes,
// next to an in-process sandbox, and collects what nodes send, for the node tests.
import type { EventEmitter } from 'node:events';
import { dirname } from 'node:path';
import type { NodeAPI } from 'node-red';
import helper from 'node-red-node-test-helper';
import buttonNode from '../../src/nodes/nextleg-button';
import configNode from '../../src/nodes/nextleg-config';
import getMessageNode from '../../src/nodes/nextleg-get-message';
import imagineResultNode from '../../src/nodes/nextleg-imagine-result';
import maskBuilderNode from '../../src/nodes/nextleg-mask-builder';
import varyRegionNode from '../../src/nodes/nextleg-vary-region';

/**
 * The runtime under test: the devDependency (Node-RED 4.1) unless NODE_RED_RUNTIME names the folder
 * another Node-RED was installed into with `npm install --prefix <folder> node-red@5` (the CI's second run).
 */
export const NODE_RED_PATH = process.env.NODE_RED_RUNTIME
  ? require.resolve('node-red', { paths: [process.env.NODE_RED_RUNTIME] })
  : require.resolve('node-red');
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const NODE_RED_VERSION: string = (require(NODE_RED_PATH) as { version(): string }).version();

helper.init(NODE_RED_PATH);

/**
 * The runtime's own event bus (RED.comms.publish lands here). Taken from the runtime under test, not
 * from the `@node-red/util` a test would import, which under NODE_RED_RUNTIME is another copy.
 */
const utilPath = require.resolve('@node-red/util', { paths: [dirname(NODE_RED_PATH)] });
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const runtimeEvents: EventEmitter = (require(utilPath) as { events: EventEmitter }).events;

export { helper };
export const ALL_NODES = [
  configNode,
  imagineResultNode,
  buttonNode,
  varyRegionNode,
  getMessageNode,
  maskBuilderNode,
];

/**
 * ALL_NODES, with `node`'s initializer keeping the runtime API it is given: the test then reaches
 * what only that API holds (its HTTP-in app, the records it hands to the next instance).
 */
export function nodesKeepingApi(node: (typeof ALL_NODES)[number]): {
  nodes: typeof ALL_NODES;
  api(): NodeAPI;
} {
  let kept: NodeAPI | undefined;
  const nodes = ALL_NODES.map((fn) =>
    fn === node
      ? (api: NodeAPI) => {
          kept = api;
          return node(api);
        }
      : fn,
  );
  return {
    nodes,
    api: () => {
      if (!kept) throw new Error('the node was not loaded yet');
      return kept;
    },
  };
}

export type Msg = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type FlowNode = Record<string, unknown> & { id: string; type: string };

/** Resolves with the next `count` msgs a node receives; rejects after `timeoutMs` so no test hangs. */
export function collect(nodeId: string, count = 1, timeoutMs = 15_000): Promise<Msg[]> {
  const node = helper.getNode(nodeId);
  if (!node) throw new Error(`no node ${nodeId} in the flow`);
  return new Promise((resolve, reject) => {
    const got: Msg[] = [];
    const timer = setTimeout(
      () => reject(new Error(`${nodeId} received ${got.length} of ${count} msgs`)),
      timeoutMs,
    );
    node.on('input', (msg: Msg) => {
      got.push(msg);
      if (got.length === count) {
        clearTimeout(timer);
        resolve(got);
      }
    });
  });
}

/** The msgs of the flow's catch node `catchId` collected so far (to assert none arrived). */
export function recorder(nodeId: string): Msg[] {
  const got: Msg[] = [];
  helper.getNode(nodeId).on('input', (msg: Msg) => got.push(msg));
  return got;
}

/** Loads the fixture on one tab (config nodes stay global) with the token as the config's credential. */
export async function loadFlow(flow: FlowNode[], token: string): Promise<void> {
  const credentials: Record<string, { token: string }> = {};
  const onTab = flow.map((node) =>
    node.type === 'nextleg-config' || node.type === 'tab' ? node : { z: 'tab1', ...node },
  );
  for (const node of flow) if (node.type === 'nextleg-config') credentials[node.id] = { token };
  await helper.load(ALL_NODES, [{ id: 'tab1', type: 'tab', label: 'test' }, ...onTab], credentials);
}

export async function stopNodeRed(): Promise<void> {
  await helper.unload();
  await helper.stopServer();
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until `check` holds, polling; fails after `timeoutMs` instead of hanging. */
export async function eventually(
  check: () => boolean,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}
