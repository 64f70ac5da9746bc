// Reading a node's inputs from the msg (or the node's own typedInput setting), strictly: a value of
// the wrong type is an error the flow can catch, never a silent fallback.
import type { Node, NodeAPI } from 'node-red';
import type { JobMessage } from './job-node';
import { isJobId } from '../../core/api/ids';
import { NodeError } from './node-error';

/** Midjourney refuses prompts much longer than this; catching it here saves a submit slot. */
export const MAX_PROMPT_LENGTH = 6000;

export function invalidInput(message: string): NodeError {
  return new NodeError('INVALID_INPUT', message);
}

/** A node setting that may be a typedInput (str, msg, flow, global, env). */
export function evaluateSetting(
  RED: NodeAPI,
  node: Node,
  value: string | undefined,
  type: string | undefined,
  msg: JobMessage,
): unknown {
  if (value === undefined || value === '') return undefined;
  if (!type || type === 'str') return value;
  try {
    return RED.util.evaluateNodeProperty(value, type, node, msg);
  } catch (err) {
    throw invalidInput(`Cannot read ${type} property "${value}": ${(err as Error).message}`);
  }
}

/** Returns a trimmed non-empty prompt, or undefined when the value is absent or blank. */
export function promptText(value: unknown, where: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidInput(`${where} must be text, not ${describeType(value)}`);
  const prompt = value.trim();
  if (prompt.length > MAX_PROMPT_LENGTH) {
    throw invalidInput(
      `${where} is ${prompt.length} characters long; at most ${MAX_PROMPT_LENGTH} are accepted`,
    );
  }
  return prompt || undefined;
}

export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (Buffer.isBuffer(value)) return 'a Buffer';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** A TNL message id: 20 characters in TNL's own ids; other compatible servers may differ a little. */
export function messageIdText(value: unknown, where: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw invalidInput(`${where} must be text, not ${describeType(value)}`);
  const id = value.trim();
  if (!isJobId(id)) throw invalidInput(`${where} is not a TNL message id`);
  return id;
}
