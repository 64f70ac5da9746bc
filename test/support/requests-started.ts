// The HTTP requests this process starts, as they start (Node's `http.client.request.start`
// diagnostics channel): what the nodes under test sent and when, which a server's log cannot tell
// apart from a request that was already on the wire and is logged only when it lands. Given the
// account's token, it also notes where each request carried it, which a server sees only in part
// (midjourney-proxy servers read one header and ignore the other).
import diagnosticsChannel from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';

export interface StartedRequest {
  /** performance.now() when the request started. */
  at: number;
  method: string;
  path: string;
  /** With `secret` given: the (lower-case) names of the headers whose value contains it. */
  tokenHeaders: string[];
  /** With `secret` given: whether the path or query contains it. */
  tokenInPath: boolean;
}

export interface RequestWatch {
  /** Requests to the watched origin started at or after `at` (performance.now()), optionally by path prefix. */
  since(at: number, pathPrefix?: string): StartedRequest[];
  stop(): void;
}

function decoded(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** Watches the requests started to `origin` ('http://127.0.0.1:<port>') until stop(). */
export function watchRequests(origin: string, options: { secret?: string } = {}): RequestWatch {
  const host = new URL(origin).host;
  const started: StartedRequest[] = [];
  const { secret } = options;
  const onStart = (message: unknown): void => {
    const request = (message as { request: ClientRequest }).request;
    if (request.getHeader('host') !== host) return;
    const tokenHeaders = secret
      ? request
          .getHeaderNames()
          .filter((name) => String(request.getHeader(name)).includes(secret))
          .map((name) => name.toLowerCase())
      : [];
    started.push({
      at: performance.now(),
      method: request.method,
      path: request.path,
      tokenHeaders,
      tokenInPath:
        secret !== undefined && (request.path.includes(secret) || decoded(request.path).includes(secret)),
    });
  };
  diagnosticsChannel.subscribe('http.client.request.start', onStart);
  return {
    since: (at, pathPrefix = '') => started.filter((r) => r.at >= at && r.path.startsWith(pathPrefix)),
    stop: () => diagnosticsChannel.unsubscribe('http.client.request.start', onStart),
  };
}
