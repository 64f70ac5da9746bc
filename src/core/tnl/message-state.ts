// GET /v2/message answers in several shapes (nested `response`, the docs' flattened form, string
// progress, 'incomplete'); this turns any of them into one MessageState, or a BAD_RESPONSE.
import { ApiError } from '../api/errors';
import { isResultCode } from '../api/result-codes';
import type { MessageState, TnlResult } from './types';

type Plain = Record<string, unknown>;

const STATUS_FIELDS = new Set(['progress', 'progressImageUrl', 'response']);
const STRING_FIELDS = [
  'createdAt',
  'responseAt',
  'originatingMessageId',
  'buttonMessageId',
  'imageUrl',
  'description',
  'type',
  'ref',
] as const;

function isPlain(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringArray(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? [...value] : undefined;
}

/** Progress as a number in 0..100, 'incomplete', or undefined when absent; NaN when unusable. */
function readProgress(value: unknown): number | 'incomplete' | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const text = value.trim();
    if (text.toLowerCase() === 'incomplete') return 'incomplete';
    return /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
  }
  return NaN;
}

function normaliseResult(source: Plain): TnlResult {
  const result: TnlResult = { ...source, content: typeof source.content === 'string' ? source.content : '' };
  for (const field of STRING_FIELDS) {
    if (field in result && typeof result[field] !== 'string') delete result[field];
  }
  const buttons = stringArray(source.buttons);
  if (buttons) result.buttons = buttons;
  else delete result.buttons;
  const imageUrls = stringArray(source.imageUrls);
  if (imageUrls) result.imageUrls = imageUrls;
  else delete result.imageUrls;
  return result;
}

function hasImageOrButtons(r: TnlResult): boolean {
  return (
    (typeof r.imageUrl === 'string' && r.imageUrl !== '') ||
    (r.buttons !== undefined && r.buttons.length > 0) ||
    (r.imageUrls !== undefined && r.imageUrls.length > 0)
  );
}

/** The result code a result carries, if it is one: a code with an image is just a prompt's text. */
function resultCode(r: TnlResult): string | undefined {
  const content = r.content.trim();
  return isResultCode(content) && !hasImageOrButtons(r) ? content : undefined;
}

function isResult(r: TnlResult): boolean {
  return hasImageOrButtons(r) || r.content.trim() !== '';
}

/** The result in the nested `response`, else in the docs' flattened top level, else none. */
function findResult(body: Plain): TnlResult | undefined {
  if (isPlain(body.response)) {
    const nested = normaliseResult(body.response);
    if (isResult(nested)) return nested;
  }
  const flat: Plain = {};
  for (const [key, value] of Object.entries(body)) if (!STATUS_FIELDS.has(key)) flat[key] = value;
  const flattened = normaliseResult(flat);
  return isResult(flattened) ? flattened : undefined;
}

/**
 * Interprets a GET /v2/message body (or a webhook's flat result). Pure; throws only ApiError
 * BAD_RESPONSE, carrying `messageId` when given.
 */
export function parseMessageState(body: unknown, messageId?: string): MessageState {
  const bad = (why: string): ApiError =>
    new ApiError({
      code: 'BAD_RESPONSE',
      message: `Unexpected message state${messageId ? ` for ${messageId}` : ''}: ${why}`,
      messageId,
    });
  if (!isPlain(body)) throw bad('not a JSON object');
  const progress = readProgress(body.progress);
  if (progress === 'incomplete') return { state: 'incomplete' };
  if (progress !== undefined && (!Number.isFinite(progress) || progress < 0 || progress > 100)) {
    throw bad('progress is not a number from 0 to 100');
  }
  const result = findResult(body);
  const code = result && resultCode(result);
  if (result && code === 'JOB_QUEUED')
    return { state: 'queued', progress: progress ?? 0, code: 'JOB_QUEUED' };
  if (result && code) return { state: 'failed', progress: 100, code, result };
  if (progress === undefined) {
    // A webhook body is a bare result without progress.
    if (result) return { state: 'done', progress: 100, result };
    throw bad('no progress and no result');
  }
  // 100 with the result not filled in yet happens between TNL's progress and result writes: keep
  // polling (as running) rather than failing a job that is about to succeed.
  if (progress === 100 && result) return { state: 'done', progress: 100, result };
  if (progress === 0) return { state: 'queued', progress: 0 };
  const preview = body.progressImageUrl;
  return {
    state: 'running',
    progress,
    progressImageUrl: typeof preview === 'string' && preview !== '' ? preview : null,
  };
}
