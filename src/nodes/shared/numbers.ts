// Editor fields arrive as strings or numbers (or are missing in hand-written flows).
import type { Node, NodeAPI } from 'node-red';
import { MAX_TIMER_MS } from '../../core/jobs/timers';

function toNumber(value: unknown): number {
  return typeof value === 'number' ? value : typeof value === 'string' && value.trim() ? Number(value) : NaN;
}

/** Whether the field holds anything at all (an empty field means "the default", not a mistake). */
function isSet(value: unknown): boolean {
  return value !== undefined && value !== null && !(typeof value === 'string' && value.trim() === '');
}

export function positiveNumber(value: unknown, fallback: number): number {
  const n = toNumber(value);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

export function nonNegativeNumber(value: unknown, fallback: number): number {
  const n = toNumber(value);
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}

/** Why a setting was not taken as written. */
export type SettingProblem =
  /** Set, but not a usable number (text, negative, infinite): the default is used. */
  | { kind: 'invalid'; fallback: number }
  /** Longer than a timer can wait: `max` (in the field's own unit) is used instead. */
  | { kind: 'capped'; max: number };

export interface DurationOptions {
  /** Whether 0 is a valid value (a spacing may be 0, a timeout may not). */
  allowZero?: boolean;
  /** Told when the value was not taken as written, so the node can say so at deploy. */
  onProblem?: (problem: SettingProblem) => void;
}

/**
 * A duration field in units of `unitMs` (1000 for seconds, 60_000 for minutes), in milliseconds.
 * Missing or empty: the fallback. Above what a timer can hold (about 24.8 days), capped there:
 * a longer timer would fire at once, turning "wait almost forever" into "fail now".
 */
export function durationMs(
  value: unknown,
  fallback: number,
  unitMs: number,
  options: DurationOptions = {},
): number {
  const n = toNumber(value);
  let units = fallback;
  if (Number.isFinite(n) && (n > 0 || (options.allowZero && n === 0))) units = n;
  else if (isSet(value)) options.onProblem?.({ kind: 'invalid', fallback });
  const ms = units * unitMs;
  if (ms <= MAX_TIMER_MS) return ms;
  options.onProblem?.({ kind: 'capped', max: Math.floor(MAX_TIMER_MS / unitMs) });
  return MAX_TIMER_MS;
}

/**
 * Warns on the node (at deploy, where the user looks after pressing Deploy) that a setting was not
 * taken as written. `settingKey` and `unitKey` are message keys of the setting's label and unit.
 */
export function warnSettingProblem(
  RED: NodeAPI,
  node: Node,
  settingKey: string,
  value: unknown,
  unitKey: string,
): (problem: SettingProblem) => void {
  return (problem) => {
    const words = { setting: RED._(settingKey), value: String(value), unit: RED._(unitKey) };
    node.warn(
      problem.kind === 'capped'
        ? RED._('nextleg.errors.settingCapped', { ...words, max: problem.max })
        : RED._('nextleg.errors.settingInvalid', { ...words, fallback: problem.fallback }),
    );
  };
}
