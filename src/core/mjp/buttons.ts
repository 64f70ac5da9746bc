// midjourney-proxy lists buttons as Discord does (`{customId, emoji, label}`); flows name them as
// TheNextLeg did (U1, 🔄, 🖌️ Vary (Region), ⬅️ ...), so one flow runs on either API. Known
// customIds get TNL's names; any other button is named by its emoji and label. A button is always
// pressed by the customId the server listed, never by one made up here.
import { matchButton, VARY_REGION_BUTTON } from '../api/buttons';
import type { MjpButton } from './types';

/** customId patterns (docs/midjourney-proxy-api.md) and the name TNL used for the same button. */
const KNOWN: Array<[RegExp, (match: RegExpExecArray) => string]> = [
  // On a grid: no ::SOLO suffix. The same prefixes with ::SOLO sit under an upscale and are named
  // by their label ("🪄 Make Variations", "Upscale (2x)").
  [/^MJ::JOB::upsample::([1-4])::[^:]+$/, (m) => `U${m[1]}`],
  [/^MJ::JOB::variation::([1-4])::[^:]+$/, (m) => `V${m[1]}`],
  [/^MJ::JOB::reroll::/, () => '🔄'],
  [/^MJ::Inpaint::/, () => VARY_REGION_BUTTON],
  [/^MJ::Outpaint::50::/, () => '🔍 Zoom Out 2x'],
  [/^MJ::Outpaint::75::/, () => '🔍 Zoom Out 1.5x'],
  [/^MJ::CustomZoom::/, () => '🔍 Custom Zoom'],
  [/^MJ::JOB::pan_left::/, () => '⬅️'],
  [/^MJ::JOB::pan_right::/, () => '➡️'],
  [/^MJ::JOB::pan_up::/, () => '⬆️'],
  [/^MJ::JOB::pan_down::/, () => '⬇️'],
  [/^MJ::JOB::high_variation::/, () => '🪄 Vary (Strong)'],
  [/^MJ::JOB::low_variation::/, () => '🪄 Vary (Subtle)'],
  [/^MJ::BOOKMARK::/, () => '❤️ Favorite'],
];

const UNICODE_EMOJI = /\p{Extended_Pictographic}/u;

/** The name a flow uses for a button. */
export function buttonName(button: MjpButton): string {
  for (const [pattern, name] of KNOWN) {
    const match = pattern.exec(button.customId);
    if (match) return name(match);
  }
  const label = typeof button.label === 'string' ? button.label.trim() : '';
  // A custom emoji's name ("upscale_1") means nothing outside Discord: only real emoji are kept.
  const emoji =
    typeof button.emoji === 'string' && UNICODE_EMOJI.test(button.emoji) ? button.emoji.trim() : '';
  const name = [emoji, label].filter(Boolean).join(' ');
  return name || button.customId;
}

/** The buttons of a task that can be pressed: each with a customId. */
export function readButtons(value: unknown): MjpButton[] {
  if (!Array.isArray(value)) return [];
  const out: MjpButton[] = [];
  for (const item of value) {
    if (typeof item !== 'object' || item === null) continue;
    const { customId, emoji, label } = item as Record<string, unknown>;
    if (typeof customId !== 'string' || customId === '') continue;
    out.push({
      customId,
      ...(typeof emoji === 'string' ? { emoji } : {}),
      ...(typeof label === 'string' ? { label } : {}),
    });
  }
  return out;
}

/** Names of the buttons, each once, in the server's order. */
export function buttonNames(buttons: readonly MjpButton[]): string[] {
  return [...new Set(buttons.map(buttonName))];
}

/**
 * The listed button a flow's `button` means: a name (as above), a plain label ("Vary (Region)"),
 * or the server's own customId. Undefined when the task lists no such button.
 */
export function findButton(requested: string, buttons: readonly MjpButton[]): MjpButton | undefined {
  const byId = buttons.find((b) => b.customId === requested);
  if (byId) return byId;
  const name = matchButton(requested, buttonNames(buttons));
  return name === undefined ? undefined : buttons.find((b) => buttonName(b) === name);
}
