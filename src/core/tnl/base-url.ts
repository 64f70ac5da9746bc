// Users paste base URLs in many forms (with or without /v2, trailing slashes); the client appends
// /v2 itself, so every form must end up as the same bare root.
import { ApiError } from '../api/errors';

/** Normalises a TNL base URL to `<scheme>://<host>[:port][/prefix]` with no trailing slash or /v2. */
export function normaliseBaseUrl(raw: string): string {
  const invalid = (why: string): ApiError =>
    new ApiError({ code: 'INVALID_CONFIG', message: `Invalid TNL base URL: ${why}`, sent: false });
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
  if (/\/v2$/i.test(path)) path = path.slice(0, -3).replace(/\/+$/, '');
  return `${url.protocol}//${url.host}${path}`;
}
