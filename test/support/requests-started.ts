// The HTTP requests this process starts, as they start (Node's `http.client.request.start`
// diagnostics channel): what the nodes under test sent and when, which a server's log cannot tell
// apart from a request that was already on the wire and is logged only when it lands.
import diagnosticsChannel from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';

export interface StartedRequest {
  /** performance.now() when the request started. */
  at: number;
  method: string;
  path: string;
}

export interface RequestWatch {
  /** Requests to the watched origin started at or after `at` (performance.now()), optionally by path prefix. */
  since(at: number, pathPrefix?: string): StartedRequest[];
  stop(): void;
}

/** Watches the requests started to `origin` ('http://127.0.0.1:<port>') until stop(). */
export function watchRequests(origin: string): RequestWatch {
  const host = new URL(origin).host;
  const started: StartedRequest[] = [];
  const onStart = (message: unknown): void => {
    const request = (message as { request: ClientRequest }).request;
    if (request.getHeader('host') !== host) return;
    started.push({ at: performance.now(), method: request.method, path: request.path });
  };
  diagnosticsChannel.subscribe('http.client.request.start', onStart);
  return {
    since: (at, pathPrefix = '') => started.filter((r) => r.at >= at && r.path.startsWith(pathPrefix)),
    stop: () => diagnosticsChannel.unsubscribe('http.client.request.start', onStart),
  };
}
