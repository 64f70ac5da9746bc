// The two APIs as the node tests see them: what differs on the wire (paths, ids, where a result
// keeps its prompt) and the few outcomes each API words its own way. A suite runs once per dialect:
// `for (const dialect of DIALECTS) describe(dialect.name, () => ...)`.
import type { JobApi } from '../../src/core/api/job-model';
import { buttonNames, readButtons } from '../../src/core/mjp/buttons';
import { MjpApi } from '../../src/core/mjp/mjp-api';
import type { Sandbox } from '../../src/core/sandbox/server';
import { TnlApi } from '../../src/core/tnl/tnl-api';
import type { SandboxRequestLogEntry } from '../../src/core/sandbox/http/request-log';
import { call, finalResult, mjCall, mjFinal, mjPress, press, type Loose } from './sandbox-http';

export interface Dialect {
  /** The config node's `api`. */
  api: 'tnl' | 'midjourney-proxy';
  name: string;
  /** Extra properties of the config node. */
  config: Record<string, unknown>;
  /** A job id as the API issues them. */
  jobId: RegExp;
  /** A well-formed job id the sandbox never issued. */
  unknownId: string;
  /** Where the API's own paths start. */
  pathPrefix: '/v2/' | '/mj/';
  /** The header that carries the account's token. */
  tokenHeader: 'authorization' | 'mj-api-secret';
  isImagine(entry: SandboxRequestLogEntry): boolean;
  isPress(entry: SandboxRequestLogEntry): boolean;
  isPoll(entry: Pick<SandboxRequestLogEntry, 'path'>): boolean;
  /** The job a poll reads, from its path; undefined when the path is no poll. */
  polledJob(path: string): string | undefined;
  /** The prompt a logged imagine carried. */
  promptSent(entry: SandboxRequestLogEntry): unknown;
  /** Any request to the API itself (not its pictures or the sandbox's own pages). */
  isApiCall(entry: Pick<SandboxRequestLogEntry, 'path'>): boolean;
  /** Whether the request carried the account's token the way this API reads it. */
  authenticated(entry: SandboxRequestLogEntry): boolean;
  /** The button a logged press pressed, as the API names it on the wire. */
  pressed(entry: SandboxRequestLogEntry): string | undefined;
  /** The prompt a delivered `msg.payload` carries. */
  promptOf(payload: Loose): string;
  /** Whether a delivered payload is a grid (an imagine or a variation) rather than an upscale. */
  isGrid(payload: Loose): boolean;
  /** What the API posts to a webhook when job `jobId` has finished with a picture. */
  pushedResult(jobId: string, prompt: string, imageUrl: string): Loose;
  /** The outcomes each API words its own way. */
  codes: {
    /** A prompt with a prefilter word (TNL refuses the submit; trueai fails the task). */
    prefilter: string;
    /** A token the service does not know. */
    badToken: string;
    /** get-message on an id the service does not know. */
    unknownJob: string;
    /** A press on a result the service does not know. */
    unknownParent: string;
  };
  /** The API's client in the job model's terms, as the job engine talks to it. */
  jobApi(options: { baseUrl: string; token: string; timeoutMs?: number }): JobApi;
  /** Submits an imagine over plain HTTP; returns the job id. */
  submit(sandbox: Sandbox, prompt: string): Promise<string>;
  /** Submits and waits over plain HTTP: what a msg from an earlier node would carry. */
  finished(sandbox: Sandbox, prompt: string): Promise<Parent>;
  /** The same for the grid's U1 upscale (the picture Vary (Region) works on). */
  upscaled(sandbox: Sandbox, prompt: string): Promise<Parent>;
}

/** What a msg from an earlier node carries about its result. */
export interface Parent {
  buttonMessageId: string;
  buttons: string[];
  payload: Loose;
}

const body = (entry: SandboxRequestLogEntry): Record<string, unknown> =>
  (entry.body ?? {}) as Record<string, unknown>;

export const TNL: Dialect = {
  api: 'tnl',
  name: 'TheNextLeg',
  config: {},
  jobId: /^[A-Za-z0-9]{20}$/,
  unknownId: 'AAAAAAAAAAAAAAAAAAAA',
  pathPrefix: '/v2/',
  tokenHeader: 'authorization',
  isImagine: (e) => e.path === '/v2/imagine',
  isPress: (e) => e.path === '/v2/button',
  isPoll: (e) => TNL.polledJob(e.path) !== undefined,
  polledJob: (path) => /^\/v2\/message\/([^/?]+)/.exec(path)?.[1],
  promptSent: (e) => body(e).msg,
  isApiCall: (e) => e.path.startsWith('/v2/') || e.path === '/getImage',
  authenticated: (e) => e.auth === 'bearer',
  pressed: (e) => body(e).button as string | undefined,
  promptOf: (payload) => payload.content,
  isGrid: (payload) => Array.isArray(payload.imageUrls),
  pushedResult: (jobId, prompt, imageUrl) => ({
    originatingMessageId: jobId,
    buttonMessageId: 'BBBBBBBBBBBBBBBBBBBB',
    buttons: ['U1', 'U2', 'U3', 'U4', '🔄', 'V1', 'V2', 'V3', 'V4'],
    content: prompt,
    imageUrl,
    type: 'imagine',
  }),
  codes: { prefilter: 'PREFILTER', badToken: 'HTTP_401', unknownJob: 'HTTP_404', unknownParent: 'HTTP_400' },
  jobApi: (options) => new TnlApi(options),
  async submit(sandbox, prompt) {
    const ack = await call(sandbox, '/v2/imagine', { msg: prompt });
    if (ack.status !== 200) throw new Error(`imagine answered ${ack.status}`);
    return ack.json.messageId as string;
  },
  async finished(sandbox, prompt) {
    const result = await finalResult(sandbox, await TNL.submit(sandbox, prompt));
    return { buttonMessageId: result.buttonMessageId, buttons: result.buttons, payload: result };
  },
  async upscaled(sandbox, prompt) {
    const grid = await TNL.finished(sandbox, prompt);
    const result = await press(sandbox, grid.buttonMessageId, 'U1');
    return { buttonMessageId: result.buttonMessageId, buttons: result.buttons, payload: result };
  },
};

/** The names a flow uses for a task's buttons: what the previous node would have put on its msg. */
function namesOf(task: Loose): string[] {
  return buttonNames(readButtons(task.buttons));
}

export const MJP: Dialect = {
  api: 'midjourney-proxy',
  name: 'midjourney-proxy',
  config: { api: 'midjourney-proxy' },
  jobId: /^\d{16}$/,
  unknownId: '1234567890123456',
  pathPrefix: '/mj/',
  tokenHeader: 'mj-api-secret',
  isImagine: (e) => e.path === '/mj/submit/imagine',
  isPress: (e) => e.path === '/mj/submit/action',
  isPoll: (e) => MJP.polledJob(e.path) !== undefined,
  polledJob: (path) => /^\/mj\/task\/([^/]+)\/fetch(?:\?|$)/.exec(path)?.[1],
  promptSent: (e) => body(e).prompt,
  // new-api serves pictures at /mj/image/<id>, without a token.
  isApiCall: (e) => e.path.startsWith('/mj/') && !e.path.startsWith('/mj/image/'),
  authenticated: (e) => e.auth === 'mj-api-secret',
  pressed: (e) => body(e).customId as string | undefined,
  promptOf: (payload) => payload.prompt,
  isGrid: (payload) => payload.action !== 'UPSCALE',
  pushedResult: (jobId, prompt, imageUrl) => ({
    id: jobId,
    action: 'IMAGINE',
    status: 'SUCCESS',
    progress: '100%',
    prompt,
    imageUrl,
    failReason: null,
    buttons: [1, 2, 3, 4].map((n) => ({
      customId: `MJ::JOB::upsample::${n}::00000000-0000-0000-0000-000000000000`,
      emoji: '',
      label: `U${n}`,
      type: 2,
      style: 2,
    })),
  }),
  // trueai accepts a prefilter word and fails the task; it reads a wrong token as "not logged in".
  codes: {
    prefilter: 'BANNED_PROMPT',
    badToken: 'HTTP_403',
    unknownJob: 'NOT_FOUND',
    unknownParent: 'NOT_FOUND',
  },
  jobApi: (options) => new MjpApi(options),
  async submit(sandbox, prompt) {
    const ack = await mjCall(sandbox, '/mj/submit/imagine', { prompt });
    if (ack.status !== 200 || ![1, 22].includes(ack.json.code))
      throw new Error(`imagine answered ${ack.text}`);
    return ack.json.result as string;
  },
  async finished(sandbox, prompt) {
    const task = await mjFinal(sandbox, await MJP.submit(sandbox, prompt));
    return { buttonMessageId: task.id, buttons: namesOf(task), payload: task };
  },
  async upscaled(sandbox, prompt) {
    const grid = await MJP.finished(sandbox, prompt);
    const task = await mjPress(sandbox, grid.payload, 'U1');
    return { buttonMessageId: task.id, buttons: namesOf(task), payload: task };
  },
};

export const DIALECTS: readonly Dialect[] = [TNL, MJP];

/** The sandbox's jobs made through one API, oldest first (`GET /_sandbox/jobs`). */
export async function sandboxJobs(
  sandbox: Sandbox,
  dialect: Dialect,
): Promise<Array<{ messageId: string; content: string; state: string }>> {
  const all = (await (await fetch(`${sandbox.url}/_sandbox/jobs`)).json()) as Array<{
    messageId: string;
    api: string;
    content: string;
    state: string;
  }>;
  return all.filter((job) => job.api === dialect.api);
}
