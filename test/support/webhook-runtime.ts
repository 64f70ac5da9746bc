// The test helper's Node-RED with this package's webhook route reachable over real HTTP: the helper
// does not serve Node-RED's HTTP-in app by itself, so a test that receives webhooks mounts it at
// HOOK_ROOT (set `helper.settings({ httpNodeRoot: HOOK_ROOT })` before starting the server).
import configNode from '../../src/nodes/nextleg-config';
import { helper, nodesKeepingApi } from './node-red';

export const HOOK_ROOT = '/hooks/';

/** The config node's runtime API holds the HTTP-in app the route is mounted on. */
const { nodes: NODES, api } = nodesKeepingApi(configNode);

type FlowNode = Record<string, unknown> & { id: string; type: string };

/** The helper's own server, where HOOK_ROOT is served: a webhook base URL for the flow. */
export const helperUrl = (): string => (helper as unknown as { url(): string }).url();

/** The route of a config node, as the flow's webhook base URL and HOOK_ROOT make it. */
export const hookUrl = (configId: string, secret: string): string =>
  `${helperUrl()}${HOOK_ROOT}nextleg/webhook/${configId}/${secret}`;

/** Loads the flow (on one tab; config nodes global) and serves the HTTP-in app under HOOK_ROOT. */
export async function loadServingHooks(
  flow: FlowNode[],
  credentials: Record<string, Record<string, string>>,
): Promise<void> {
  const onTab = flow.map((n) => (n.type === 'nextleg-config' ? n : { z: 'tab1', ...n }));
  await helper.load(NODES, [{ id: 'tab1', type: 'tab', label: 'webhook' }, ...onTab], credentials);
  const app = (helper as unknown as { _app: { use(path: string, h: unknown): void } })._app;
  app.use(HOOK_ROOT, api().httpNode);
}

/** POSTs JSON (an object, or text as it is) to a webhook route. */
export const postJson = (url: string, body: unknown): Promise<Response> =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
