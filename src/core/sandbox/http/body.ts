// Reading a request body with a ceiling: bytes are counted as they arrive and the read stops at the
// endpoint's limit, so no request can make the sandbox hold more than that limit.
import type http from 'node:http';

export type BodyRead = { ok: true; bytes: Buffer } | { ok: false; reason: 'too-large' | 'aborted' };

/** Whether the request says it carries a body (a length above 0, or chunks). */
export function hasBody(req: http.IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

/** The declared length, when it is over `limit` (so the body need not be read to refuse it). */
export function declaredTooLarge(req: http.IncomingMessage, limit: number): boolean {
  const length = Number(req.headers['content-length']);
  return Number.isFinite(length) && length > limit;
}

export function readBody(req: http.IncomingMessage, limit: number): Promise<BodyRead> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        req.off('data', onData);
        req.pause();
        resolve({ ok: false, reason: 'too-large' });
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve({ ok: true, bytes: Buffer.concat(chunks) }));
    req.once('error', () => resolve({ ok: false, reason: 'aborted' }));
    req.once('close', () => {
      if (!req.complete) resolve({ ok: false, reason: 'aborted' });
    });
  });
}
