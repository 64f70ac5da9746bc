// Reading a result's buttons from the msg, as the previous node left them: `msg.buttons` (names)
// and `msg.payload` (the provider's result, whose buttons may carry the API's own ids).
import { matchButton } from '../../core/api/buttons';
import type { ParentRef } from '../../core/api/job-model';
import type { JobMessage } from './job-node';
import { describeType, invalidInput } from './inputs';

/** msg.buttons as a list of names; undefined when absent. Anything else is refused. */
export function listedButtons(msg: JobMessage): string[] | undefined {
  const value = msg.buttons;
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((name) => typeof name === 'string')) {
    throw invalidInput(`msg.buttons must be a list of button names, not ${describeType(value)}`);
  }
  return value;
}

/** Button ids the provider's result lists (midjourney-proxy's customId), if it lists any. */
function listedIds(payload: unknown): string[] {
  if (typeof payload !== 'object' || payload === null) return [];
  const buttons = (payload as { buttons?: unknown }).buttons;
  if (!Array.isArray(buttons)) return [];
  return buttons
    .map((b: unknown) =>
      typeof b === 'object' && b !== null ? (b as { customId?: unknown }).customId : undefined,
    )
    .filter((id): id is string => typeof id === 'string');
}

/**
 * Whether `button` can be pressed on the msg's result: a listed name, a name's plain label, or one of
 * the provider's own button ids. True when the msg lists no buttons (nothing to check against).
 */
export function isListed(button: string, msg: JobMessage, names: string[] | undefined): boolean {
  if (!names || names.length === 0) return true;
  return matchButton(button, names) !== undefined || listedIds(msg.payload).includes(button);
}

/** The result to press on, as the msg describes it. */
export function parentOf(msg: JobMessage, buttonMessageId: string, names: string[] | undefined): ParentRef {
  return { buttonMessageId, ...(names ? { buttons: names } : {}), payload: msg.payload };
}
