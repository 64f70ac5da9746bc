// TNL's ids are 20 characters of [A-Za-z0-9]; unpredictable so a guessed id never reads another job.
import { randomBytes } from 'node:crypto';

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
