// Flags a prompt may carry to steer the sandbox (failures, queueing, stalls, cancels, aspect ratio). They are
// removed from the prompt before it becomes a result's `content`, as Midjourney would never echo them.

export interface PromptFlags {
  /** The prompt without the sandbox flags (Midjourney flags like --q stay). */
  text: string;
  failCode?: string;
  queued: boolean;
  stallAt?: number;
  never: boolean;
  /** End the job cancelled (midjourney-proxy's CANCEL status). */
  cancel: boolean;
  /** Width / height, from `--ar W:H`. */
  aspect: { w: number; h: number };
}

const FAIL = /\s*--sandbox-fail\s+([A-Za-z_]+)/;
const QUEUED = /\s*--sandbox-queued\b/;
const STALL = /\s*--sandbox-stall\s+(\d{1,3})/;
const NEVER = /\s*--sandbox-never\b/;
const CANCEL = /\s*--sandbox-cancel\b/;
const AR = /--(?:ar|aspect)\s+(\d{1,3})\s*:\s*(\d{1,3})/;

export function parsePromptFlags(prompt: string): PromptFlags {
  let text = prompt;
  const take = (re: RegExp): RegExpMatchArray | null => {
    const m = text.match(re);
    if (m) text = text.replace(re, '');
    return m;
  };
  const fail = take(FAIL);
  const queued = take(QUEUED) !== null;
  const stall = take(STALL);
  const never = take(NEVER) !== null;
  const cancel = take(CANCEL) !== null;
  const flags: PromptFlags = { text: text.trim(), queued, never, cancel, aspect: { w: 1, h: 1 } };
  if (fail?.[1]) flags.failCode = fail[1].toUpperCase();
  if (stall?.[1]) flags.stallAt = Math.min(99, Number(stall[1]));
  const ar = text.match(AR);
  const w = Number(ar?.[1]);
  const h = Number(ar?.[2]);
  // Midjourney refuses extreme ratios; clamping keeps a typo from producing a 1-pixel image.
  if (w > 0 && h > 0 && w / h <= 4 && h / w <= 4) flags.aspect = { w, h };
  return flags;
}

/** The prefilter word a prompt contains (case-insensitive, whole word), if any. */
export function findPrefilterWord(prompt: string, words: readonly string[]): string | undefined {
  return words.find((word) => {
    const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return (
      word.trim() !== '' &&
      new RegExp(`(^|[^\\p{L}\\p{N}_])${escaped}(?=$|[^\\p{L}\\p{N}_])`, 'iu').test(prompt)
    );
  });
}
