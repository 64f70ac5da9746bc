// The two APIs as the node tests see them: what differs on the wire (paths, ids, where a result
// keeps its prompt) and the few outcomes each API words its own way. A suite runs once per dialect:
// `for (const dialect of DIALECTS) describe(dialect.name, () => ...)`.
import type { Sandbox } from '../../src/core/sandbox/server';
import type { SandboxRequestLogEntry } from '../../src/core/sandbox/http/request-log';
import { call, finalResult, mjCall, mjFinal, type Loose } from './sandbox-http';

export interface Dialect {
  /** The config node's `api`. */
  api: 'tnl' | 'midjourney-proxy';
  name: string;
  /** Extra properties of the config node. */
  config: Record<string, unknown>;
  /** A job id as the API issues them. */
  jobId: RegExp;
  isImagine(entry: SandboxRequestLogEntry): boolean;
  isPress(entry: SandboxRequestLogEntry): boolean;
  isPoll(entry: SandboxRequestLogEntry): boolean;
  /** Any request to the API itself (not its pictures or the sandbox's own pages). */
  isApiCall(entry: SandboxRequestLogEntry): boolean;
  /** Whether the request carried the account's token the way this API reads it. */
  authenticated(entry: SandboxRequestLogEntry): boolean;
  /** The button a logged press pressed, as the API names it on the wire. */
  pressed(entry: SandboxRequestLogEntry): string | undefined;
  /** The prompt a delivered `msg.payload` carries. */
  promptOf(payload: Loose): string;
  /** Whether a delivered payload is a grid (an imagine or a variation) rather than an upscale. */
  isGrid(payload: Loose): boolean;
  /** Submits an imagine over plain HTTP; returns the job id. */
  submit(sandbox: Sandbox, prompt: string): Promise<string>;
  /** Submits and waits over plain HTTP: what a msg from an earlier node would carry. */
  finished(
    sandbox: Sandbox,
    prompt: string,
  ): Promise<{ buttonMessageId: string; buttons: string[]; payload: Loose }>;
}

const body = (entry: SandboxRequestLogEntry): Record<string, unknown> =>
  (entry.body ?? {}) as Record<string, unknown>;

export const TNL: Dialect = {
  api: 'tnl',
  name: 'TheNextLeg',
  config: {},
  jobId: /^[A-Za-z0-9]{20}$/,
  isImagine: (e) => e.path === '/v2/imagine',
  isPress: (e) => e.path === '/v2/button',
  isPoll: (e) => e.path.startsWith('/v2/message/'),
  isApiCall: (e) => e.path.startsWith('/v2/') || e.path === '/getImage',
  authenticated: (e) => e.auth === 'bearer',
  pressed: (e) => body(e).button as string | undefined,
  promptOf: (payload) => payload.content,
  isGrid: (payload) => Array.isArray(payload.imageUrls),
  async submit(sandbox, prompt) {
    const ack = await call(sandbox, '/v2/imagine', { msg: prompt });
    if (ack.status !== 200) throw new Error(`imagine answered ${ack.status}`);
    return ack.json.messageId as string;
  },
  async finished(sandbox, prompt) {
    const result = await finalResult(sandbox, await TNL.submit(sandbox, prompt));
    return { buttonMessageId: result.buttonMessageId, buttons: result.buttons, payload: result };
  },
};

/** The names a flow uses for a grid's buttons, from the sandbox's task (mapped as the client does). */
function gridNames(task: Loose): string[] {
  return (task.buttons as Array<{ label: string; emoji: string }>).map((b) => b.label || b.emoji);
}

export const MJP: Dialect = {
  api: 'midjourney-proxy',
  name: 'midjourney-proxy',
  config: { api: 'midjourney-proxy' },
  jobId: /^\d{16}$/,
  isImagine: (e) => e.path === '/mj/submit/imagine',
  isPress: (e) => e.path === '/mj/submit/action',
  isPoll: (e) => /^\/mj\/task\/[^/]+\/fetch$/.test(e.path),
  // new-api serves pictures at /mj/image/<id>, without a token.
  isApiCall: (e) => e.path.startsWith('/mj/') && !e.path.startsWith('/mj/image/'),
  authenticated: (e) => e.auth === 'mj-api-secret',
  pressed: (e) => body(e).customId as string | undefined,
  promptOf: (payload) => payload.prompt,
  isGrid: (payload) => payload.action !== 'UPSCALE',
  async submit(sandbox, prompt) {
    const ack = await mjCall(sandbox, '/mj/submit/imagine', { prompt });
    if (ack.status !== 200 || ![1, 22].includes(ack.json.code))
      throw new Error(`imagine answered ${ack.text}`);
    return ack.json.result as string;
  },
  async finished(sandbox, prompt) {
    const task = await mjFinal(sandbox, await MJP.submit(sandbox, prompt));
    return { buttonMessageId: task.id, buttons: gridNames(task), payload: task };
  },
};

export const DIALECTS: readonly Dialect[] = [TNL, MJP];
