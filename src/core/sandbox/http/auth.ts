// Token comparison for every route set: constant time, so a prober learns nothing from timings.
import { timingSafeEqual } from 'node:crypto';

export function tokenMatches(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  // timingSafeEqual needs equal lengths; comparing b with itself keeps the timing independent of `given`.
  return a.length === b.length ? timingSafeEqual(a, b) : (timingSafeEqual(b, b), false);
}
