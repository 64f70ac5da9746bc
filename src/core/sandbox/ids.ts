// Job ids as each API makes them: TNL's 20 characters of [A-Za-z0-9], midjourney-proxy's 16 digits.
// Unpredictable where they can be, so a guessed id never reads another job.
import { randomBytes, randomInt } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
// 248 is the largest multiple of 62 below 256: bytes above it are skipped so every letter is equally likely.
const UNBIASED_LIMIT = 248;

export function newId(length = 20): string {
  let id = '';
  while (id.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte >= UNBIASED_LIMIT) continue;
      id += ALPHABET[byte % 62];
      if (id.length === length) break;
    }
  }
  return id;
}

export function isoNow(): string {
  return new Date().toISOString();
}

/**
 * A midjourney-proxy task id: the time in milliseconds and three random digits, 16 digits in all,
 * as the servers make them; `taken` keeps two tasks of one millisecond apart.
 */
export function newTaskId(taken: (id: string) => boolean): string {
  for (;;) {
    const id = `${Date.now()}${String(randomInt(1000)).padStart(3, '0')}`;
    if (!taken(id)) return id;
  }
}
