// Property validators for the dialogs. A failing validator returns the reason as text when Node-RED
// asks for one (3.1+ passes a second argument), so the field shows why it is wrong; called with one
// argument (palette checks, older editors) it returns false.
import { settingKey, type EditorSettingName } from '../nodes/shared/editor-settings';

export function invalid(
  node: EditorNode | undefined,
  opt: object | undefined,
  key: string,
  vars?: Record<string, unknown>,
): string | false {
  return opt && node && typeof node._ === 'function' ? node._(key, vars) : false;
}

/** A property or field value as trimmed text: '' for anything but a string, number or boolean. */
export function fieldText(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? String(value).trim()
    : '';
}

/** A field's text or number as a number; empty text is NaN, not 0. */
export function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  const text = fieldText(value);
  return text === '' ? NaN : Number(text);
}

/** A limit the runtime exported for this node type (see editor-settings.ts); undefined if absent. */
export function exportedLimit(type: string, name: EditorSettingName): number | undefined {
  const value = RED.settings[settingKey(type, name)];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function positive(key = 'nextleg.errors.notPositive'): EditorValidator {
  return function (value, opt) {
    const n = toNumber(value);
    return Number.isFinite(n) && n > 0 ? true : invalid(this, opt, key);
  };
}

/**
 * A duration in `unitMs` units (60 000 for minutes, 1000 for seconds): a number above `min` (or at
 * least it, when `inclusive`) that a timer can hold, i.e. at most the runtime's exported ceiling.
 * `optional` lets an empty field through (the runtime then uses its default).
 */
export function duration(
  type: string,
  unitMs: number,
  options: { min?: number; inclusive?: boolean; optional?: boolean } = {},
): EditorValidator {
  const min = options.min ?? 0;
  return function (value, opt) {
    if (options.optional && fieldText(value) === '') {
      return true;
    }
    const n = toNumber(value);
    const above = options.inclusive ? n >= min : n > min;
    if (!Number.isFinite(n) || !above) {
      return invalid(
        this,
        opt,
        options.inclusive ? 'nextleg.errors.notNonNegative' : 'nextleg.errors.notPositive',
      );
    }
    const ceilingMs = exportedLimit(type, 'MaxTimerMs');
    if (ceilingMs !== undefined && n * unitMs > ceilingMs) {
      const max = Math.floor(ceilingMs / unitMs);
      const days = (ceilingMs / 86_400_000).toFixed(1);
      return invalid(this, opt, 'nextleg.errors.overTimerCeiling', { max, days });
    }
    return true;
  };
}

/** A whole number from `min` to `max` (a function, so a limit read from the settings stays current). */
export function integerIn(min: number, max: () => number, key: string): EditorValidator {
  return function (value, opt) {
    const n = toNumber(value);
    const top = max();
    return Number.isInteger(n) && n >= min && n <= top ? true : invalid(this, opt, key, { min, max: top });
  };
}
