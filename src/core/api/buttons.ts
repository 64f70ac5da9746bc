// Button names, the same on either API: what a flow writes in `msg.button` is matched against the
// names a result lists, so "Vary (Region)" finds "🖌️ Vary (Region)" and a TNL flow runs unchanged
// on midjourney-proxy. Nothing here makes a button up: a name that is not listed is not pressed.

/** The exact label TNL expects for the inpainting button: U+1F58C U+FE0F, a space, "Vary (Region)". */
export const VARY_REGION_BUTTON = '\u{1F58C}\u{FE0F} Vary (Region)';

/** Leading emoji (with variation selectors and joiners) and the space after them. */
const LEADING_EMOJI = /^(?:\p{Extended_Pictographic}|\p{Emoji_Presentation}|\u{FE0F}|\u{200D}|\u{20E3})+\s*/u;

/** A name without its emoji: "🖌️ Vary (Region)" → "Vary (Region)"; "🔄" stays as it is. */
export function plainLabel(name: string): string {
  const plain = name.replace(LEADING_EMOJI, '').trim();
  return plain === '' ? name.trim() : plain;
}

/** Variation selectors are often dropped on the way (🖌 vs 🖌️): compare without them. */
function loose(text: string): string {
  return text.replace(/\u{FE0F}/gu, '').trim();
}

/**
 * The listed name a requested button means: the name itself, the same name with or without
 * variation selectors, or its plain label (case-insensitive). Undefined when none matches, or when
 * a plain label matches more than one button.
 */
export function matchButton(requested: string, listed: readonly string[]): string | undefined {
  if (listed.includes(requested)) return requested;
  const want = loose(requested);
  const exact = listed.find((name) => loose(name) === want);
  if (exact !== undefined) return exact;
  const label = loose(plainLabel(requested)).toLowerCase();
  const byLabel = listed.filter((name) => loose(plainLabel(name)).toLowerCase() === label);
  return byLabel.length === 1 ? byLabel[0] : undefined;
}
