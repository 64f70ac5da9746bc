// How a midjourney-proxy server reads its token: trueai takes `Authorization` raw (no `Bearer `
// stripping) before `mj-api-secret`; a new-api relay strips `Bearer ` and `sk-` and falls back to
// `mj-api-secret`. Each refuses in its own shape.
import type http from 'node:http';
import { empty, text } from '../http/answer';
import { tokenMatches } from '../http/auth';
import type { AuthResult } from '../http/route-set';
import { openAiError } from './mj-answers';

export function authenticate(
  req: http.IncomingMessage,
  token: string,
  mode: 'trueai' | 'plus' | 'relay',
): AuthResult {
  const authorization = req.headers.authorization;
  const secret = req.headers['mj-api-secret'];
  const secretValue = Array.isArray(secret) ? secret[0] : secret;
  if (mode === 'relay') {
    // new-api: `Bearer ` and `sk-` stripped; mj-api-secret when Authorization is empty or its placeholder.
    const strip = (v: string): string => v.replace(/^Bearer /, '').replace(/^sk-/, '');
    const fromHeader = strip(authorization ?? '');
    const useSecret = fromHeader === '' || fromHeader === 'midjourney-proxy';
    const key = useSecret ? strip(secretValue ?? '') : fromHeader;
    const via = useSecret ? 'mj-api-secret' : 'bearer';
    if (!key) return { ok: false, via: 'none', answer: openAiError(401, '未提供令牌') };
    if (tokenMatches(key, token)) return { ok: true, via };
    return { ok: false, via: 'invalid', answer: openAiError(401, '无效的令牌') };
  }
  // trueai reads Authorization first, raw (no `Bearer ` stripping), then Mj-Api-Secret.
  const given = authorization ?? secretValue;
  const via = authorization !== undefined ? 'authorization' : 'mj-api-secret';
  const trueai = mode === 'trueai';
  if (given === undefined) {
    return {
      ok: false,
      via: 'none',
      answer: trueai ? text(401, 'Authorization header missing.') : empty(401),
    };
  }
  if (tokenMatches(given, token)) return { ok: true, via };
  return { ok: false, via: 'invalid', answer: trueai ? text(403, '未登录') : empty(401) };
}
