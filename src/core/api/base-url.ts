// Users paste base URLs in many forms (with or without the API's own path prefix, trailing
// slashes); each client appends its prefix itself (TNL `/v2`, midjourney-proxy `/mj`), so every form
// must end up as the same bare root.
import { ApiError } from './errors';

/**
 * Normalises a base URL to `<scheme>://<host>[:port][/prefix]` with no trailing slash and without
 * the API's own path suffix (`/v2` for TNL by default).
 */
export function normaliseBaseUrl(raw: string, apiSuffix: RegExp = /\/v2$/i): string {
  const invalid = (why: string): ApiError =>
    new ApiError({ code: 'INVALID_CONFIG', message: `Invalid base URL: ${why}`, sent: false });
  if (typeof raw !== 'string' || raw.trim() === '') throw invalid('it is empty');
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    // The raw text is not echoed: a mistyped field could hold the token.
    throw invalid('it is not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalid('only http and https are supported');
  }
  if (url.username || url.password) throw invalid('credentials belong in the token, not the URL');
  if (url.search || url.hash) throw invalid('it must not have a query string or fragment');
  let path = url.pathname.replace(/\/+$/, '');
  const suffix = apiSuffix.exec(path);
  if (suffix && suffix.index + suffix[0].length === path.length) {
    path = path.slice(0, suffix.index).replace(/\/+$/, '');
  }
  return `${url.protocol}//${url.host}${path}`;
}
