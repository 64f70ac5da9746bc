// What a route set gives the HTTP layer: the paths it serves, how it reads a token, and its own
// shapes for the layer's refusals (TNL answers `{success:false,msg}`, trueai an empty 404, a new-api
// relay `{error:{message}}`...). The layer does the rest the same way for every API.
import type http from 'node:http';
import type { HttpAnswer } from './answer';
import type { EndpointClass } from './faults';
import type { AuthVia } from './request-log';

export interface ApiRequest {
  method: string;
  url: URL;
  /** Captured `:name` segments of the route's pattern. */
  params: Record<string, string>;
  /** The parsed JSON body, or undefined when there was none. */
  body: unknown;
  headers: http.IncomingHttpHeaders;
  /** Where links to this sandbox point: the host the client used. */
  base: string;
}

export interface Route {
  methods: readonly string[];
  /** Matched segment by segment against the set's local path; `:name` captures one segment. */
  pattern: string;
  /** For faults and rate limits; a 'page' (the sandbox's own) gets neither. */
  endpoint: EndpointClass | 'page';
  /** Largest body read, in bytes: anything larger is refused unread. */
  bodyLimit: number;
  /** Served without a token. */
  open?: boolean;
  handle(request: ApiRequest): Promise<HttpAnswer> | HttpAnswer;
}

export type AuthResult = { ok: true; via: AuthVia } | { ok: false; via: AuthVia; answer: HttpAnswer };

export interface Refusals {
  notFound(method: string, path: string): HttpAnswer;
  tooLarge(): HttpAnswer;
  badJson(): HttpAnswer;
  serverError(status: 500 | 502): HttpAnswer;
  rateLimited(retryAfterSeconds: number): HttpAnswer;
}

export interface RouteSet {
  /** The path its routes match against when this set serves `path` (its prefix removed), else undefined. */
  localPath(path: string): string | undefined;
  routes(): readonly Route[];
  /** Reads the token from headers or query only: it is checked before any body is read. */
  authenticate(req: http.IncomingMessage, url: URL): AuthResult;
  refusals(): Refusals;
}

/** Body ceilings: a picture-carrying submit needs room for a mask or an image prompt, a poll none. */
export const BODY_LIMITS = {
  /** Reads and plain commands. */
  none: 16 * 1024,
  /** A prompt with its options. */
  small: 64 * 1024,
  /** A Vary (Region) mask, image prompts, a blend's pictures (base64). */
  picture: 8 * 1024 * 1024,
} as const;

export function matchRoute(
  routes: readonly Route[],
  method: string,
  path: string,
): { route: Route; params: Record<string, string> } | undefined {
  const parts = path.split('/');
  for (const route of routes) {
    if (!route.methods.includes(method)) continue;
    const pattern = route.pattern.split('/');
    if (pattern.length !== parts.length) continue;
    const params: Record<string, string> = {};
    const matched = pattern.every((segment, i) => {
      const part = parts[i] ?? '';
      if (!segment.startsWith(':')) return segment === part;
      if (!part) return false;
      try {
        params[segment.slice(1)] = decodeURIComponent(part);
        return true;
      } catch {
        return false;
      }
    });
    if (matched) return { route, params };
  }
  return undefined;
}
