// midjourney-proxy's API (/mj) over the job engine, as trueai-org/midjourney-proxy answers it by
// default: imagine, action (buttons by customId), modal (Vary (Region) and Custom Zoom, and V/pan/🔄
// with Remix on), describe, blend, task fetch and lists, cancel, and notifyHook posts of the whole
// task. Options switch to midjourney-proxy-plus's habits, or put a new-api relay in front.
import type http from 'node:http';
import { randomUUID } from 'node:crypto';
import { newTaskId } from '../ids';
import type { ImageStore } from '../images';
import type { MidjourneyProxyOptions, RelayOptions } from '../options';
import { findPrefilterWord, parsePromptFlags } from '../prompt-flags';
import type { EngineJob, JobBase, JobEngine } from '../engine/engine';
import { empty, json, picture, text, type HttpAnswer } from '../http/answer';
import type { FaultInjector } from '../http/faults';
import {
  BODY_LIMITS,
  type ApiRequest,
  type AuthResult,
  type Refusals,
  type Route,
  type RouteSet,
} from '../http/route-set';
import type { WebhookSender } from '../http/webhook';
import { envelope, refusalsOf, relayError, secondEnvelope, type Envelope } from './mj-answers';
import { authenticate } from './mj-auth';
import { buttonsOf, opensModal, relayActionOf, taskActionOf, trueaiActionOf } from './mj-buttons';
import { MJ_ENDINGS, type Flavour } from './mj-fail-reasons';
import { BLEND_DIMENSIONS, isPictureInput, str, TRUEAI_MODES, trueaiMaskBytes } from './mj-inputs';
import { TaskLifecycle } from './mj-lifecycle';
import { TaskNotifier } from './mj-notify';
import { currentImage, relayTaskObject, statusOf, taskObject, type MjTaskInfo } from './mj-task';

export interface MjSettings {
  token: string;
  options(): MidjourneyProxyOptions;
  minuteMs(): number;
  prefilterWords(): readonly string[];
  /** The sandbox's own address, for notifyHook bodies (no request to take a host from). */
  ownBase(): string;
  faults: FaultInjector;
  defaults: { timeoutMinutes: number; relayStatusEmptyMs: number };
}

type Body = Record<string, unknown>;

function bodyOf(request: ApiRequest): Body {
  const { body } = request;
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Body) : {};
}

export class MjRoutes implements RouteSet {
  private readonly info = new Map<string, MjTaskInfo>();
  private readonly lifecycle: TaskLifecycle;

  constructor(
    private readonly engine: JobEngine,
    private readonly images: ImageStore,
    webhooks: WebhookSender,
    private readonly settings: MjSettings,
  ) {
    this.lifecycle = new TaskLifecycle(engine, new TaskNotifier(webhooks), {
      info: (id) => this.info.get(id),
      flavour: () => this.flavour(),
      relayed: () => this.relay() !== undefined,
      timeoutMinutes: () => this.settings.options().timeoutMinutes ?? this.settings.defaults.timeoutMinutes,
      minuteMs: () => this.settings.minuteMs(),
      defaultHook: () => this.settings.options().notifyHook,
      ownBase: () => this.settings.ownBase(),
    });
  }

  private flavour(): Flavour {
    return this.settings.options().flavour ?? 'trueai';
  }

  private relay(): Required<RelayOptions> | undefined {
    const relay = this.settings.options().relay;
    if (!relay) return undefined;
    const tuned = relay === true ? {} : relay;
    return {
      statusEmptyMs: tuned.statusEmptyMs ?? this.settings.defaults.relayStatusEmptyMs,
      rewriteModalCode: tuned.rewriteModalCode ?? false,
    };
  }

  localPath(path: string): string | undefined {
    if (path.startsWith('/mj/')) return path;
    const m = /^\/([^/]+)(\/mj\/.*)$/.exec(path);
    if (!m?.[1] || !m[2]) return undefined;
    // A relay serves /:mode/mj/... for any mode; trueai knows its three speeds.
    return (this.relay() ? /^[A-Za-z0-9_-]{1,40}$/.test(m[1]) : TRUEAI_MODES.has(m[1])) ? m[2] : undefined;
  }

  routes(): readonly Route[] {
    const submit = (pattern: string, bodyLimit: number, handle: Route['handle']): Route => ({
      methods: ['POST'],
      pattern,
      endpoint: 'submit',
      bodyLimit,
      handle,
    });
    const read = (methods: readonly string[], pattern: string, handle: Route['handle']): Route => ({
      methods,
      pattern,
      endpoint: 'message',
      bodyLimit: BODY_LIMITS.small,
      handle,
    });
    const shared: Route[] = [
      submit('/mj/submit/imagine', BODY_LIMITS.picture, (r) => this.imagine(r)),
      submit('/mj/submit/action', BODY_LIMITS.small, (r) => this.action(r)),
      submit('/mj/submit/modal', BODY_LIMITS.picture, (r) => this.modal(r)),
      submit('/mj/submit/describe', BODY_LIMITS.picture, (r) => this.describe(r)),
      submit('/mj/submit/blend', BODY_LIMITS.picture, (r) => this.blend(r)),
      read(['GET'], '/mj/task/:id/fetch', (r) => this.fetch(r)),
      read(['POST'], '/mj/task/list-by-condition', (r) => this.listByIds(r)),
    ];
    if (this.relay()) {
      return [
        ...shared,
        {
          methods: ['GET'],
          pattern: '/mj/image/:id',
          endpoint: 'other',
          bodyLimit: BODY_LIMITS.none,
          open: true,
          handle: (r) => this.relayImage(r),
        },
      ];
    }
    return [
      ...shared,
      read(['POST'], '/mj/task/list-by-ids', (r) => this.listByIds(r)),
      read(['GET'], '/mj/task/list', () => this.list()),
      {
        methods: ['POST'],
        pattern: '/mj/task/:id/cancel',
        endpoint: 'other',
        bodyLimit: BODY_LIMITS.none,
        handle: (r) => this.cancel(r),
      },
    ];
  }

  refusals(): Refusals {
    return refusalsOf(this.relay() ? 'relay' : this.flavour());
  }

  authenticate(req: http.IncomingMessage): AuthResult {
    return authenticate(req, this.settings.token, this.relay() ? 'relay' : this.flavour());
  }

  // --- submits ---------------------------------------------------------------------------------

  private imagine(request: ApiRequest): HttpAnswer {
    const body = bodyOf(request);
    const prompt = str(body.prompt)?.trim() ?? '';
    if (this.relay() && !prompt) return relayError('prompt_is_required');
    if (!prompt) return this.reply(envelope(4, 'prompt不能为空'));
    const tooLong = this.checkStateAndHook(body);
    if (tooLong) return this.reply(envelope(4, tooLong));
    const pictures = body.base64Array;
    if (
      pictures !== undefined &&
      pictures !== null &&
      (!Array.isArray(pictures) || !pictures.every((p) => isPictureInput(p, this.flavour())))
    ) {
      return this.reply(envelope(4, 'base64格式错误'));
    }
    if (this.overConcurrency()) return this.reply(envelope(4, '并发数已达上限'));
    if (this.settings.faults.refuseAsQueueFull()) return this.queueFull();
    const banned = findPrefilterWord(prompt, this.settings.prefilterWords());
    if (banned && this.flavour() === 'plus') {
      return this.reply(envelope(24, '可能包含敏感词', null, { promptEn: prompt, bannedWord: banned }));
    }
    const flags = parsePromptFlags(prompt);
    const base = this.newTask('imagine', body, {
      action: 'IMAGINE',
      relayAction: 'IMAGINE',
      prompt,
      description: this.flavour() === 'trueai' ? 'Submit success' : `/imagine ${prompt}`,
    });
    // trueai checks its banned words in the queue worker: the submit is accepted, the task fails.
    const job = banned
      ? this.engine.failing(base, undefined, flags.text, MJ_ENDINGS.promptFiltered, `banned word ${banned}`)
      : this.engine.imagine(base, flags);
    return this.submitted(job, flags.queued && !banned);
  }

  private async action(request: ApiRequest): Promise<HttpAnswer> {
    const body = bodyOf(request);
    const taskId = str(body.taskId)?.trim() ?? '';
    const customId = str(body.customId)?.trim() ?? '';
    const relay = this.relay();
    const relayAction = relayActionOf(customId);
    if (relay) {
      if (!relayAction) return relayError(`unknown_action:${customId}`);
      const parent = this.task(taskId);
      if (!parent) return relayError('task_not_found');
      // The relay checks its own record, which lags behind the server's.
      if (!this.relaySees(parent) || statusOf(parent) !== 'SUCCESS')
        return relayError('task_status_not_success');
    }
    if (!taskId) return this.reply(envelope(4, 'taskId不能为空'));
    if (!customId) return this.reply(envelope(4, 'customId不能为空'));
    const parent = this.task(taskId);
    const parentInfo = parent && this.info.get(parent.id);
    if (!parent || !parentInfo) return this.reply(envelope(3, '关联任务不存在或已失效'), 404);
    if (statusOf(parent) !== 'SUCCESS') return this.reply(envelope(4, '关联任务状态错误'));
    const taskAction = trueaiActionOf(customId);
    if (!taskAction) return this.reply(envelope(4, '未知的 Action 类型'));
    const remix = this.settings.options().remix ?? false;
    if (body.enableRemix === true && !remix) {
      return this.reply(envelope(4, '当前账号不支持 remix，请开启 remix 功能'));
    }
    // trueai's limit errors escape /action and reach its global filter: the other envelope.
    if (this.overConcurrency()) return secondEnvelope('并发数已达上限');
    if (this.settings.faults.refuseAsQueueFull()) return this.queueFull();
    const offered = parent.picture
      ? buttonsOf(parent.picture.kind, parentInfo.hash).find((b) => b.button.customId === customId)
      : undefined;
    const action = offered?.action;
    const base = this.newTask('action', body, {
      action: action ? taskActionOf(action, parentInfo.action) : taskAction,
      relayAction: relayAction ?? taskAction,
      prompt: parentInfo.prompt,
      description:
        this.flavour() === 'trueai' ? 'Submit success' : `/up ${parent.id} ${offered?.button.label ?? ''}`,
    });
    if (action && opensModal(action, remix)) {
      const job = this.engine.openModal(base, parent, action);
      const info = this.info.get(job.id);
      if (info) info.prompt = action.kind === 'varyRegion' ? '' : parentInfo.prompt;
      const trueai = this.flavour() === 'trueai';
      const properties = trueai
        ? { finalPrompt: action.kind === 'varyRegion' ? '' : parent.content, remix: true }
        : {};
      const description = trueai ? 'Waiting for window confirm' : '窗口等待';
      return this.reply(envelope(21, description, job.id, properties), 200, relayAction, true);
    }
    return this.submitted(await this.engine.press(base, parent, action, {}), false, relayAction);
  }

  private async modal(request: ApiRequest): Promise<HttpAnswer> {
    const body = bodyOf(request);
    const taskId = str(body.taskId)?.trim() ?? '';
    if (this.relay() && !this.task(taskId)) return relayError('task_not_found');
    if (!taskId) return this.reply(envelope(4, 'taskId不能为空'));
    const job = this.task(taskId);
    const info = job && this.info.get(job.id);
    if (!job || !info) return this.reply(envelope(3, '关联任务不存在或已失效'), 404);
    if (statusOf(job) !== 'MODAL' || !job.parent) return this.reply(envelope(4, '关联任务状态错误'));
    const parentInfo = this.info.get(job.parent.id);
    // A blank prompt falls back to the parent's prompt, then to what Midjourney echoed of it.
    const prompt = str(body.prompt)?.trim() || parentInfo?.prompt || job.parent.content;
    if (!prompt) return this.reply(envelope(4, 'prompt不能为空'));
    const banned = findPrefilterWord(prompt, this.settings.prefilterWords());
    if (banned && this.flavour() === 'plus') {
      return this.reply(envelope(24, '可能包含敏感词', null, { promptEn: prompt, bannedWord: banned }));
    }
    const flags = parsePromptFlags(prompt);
    info.prompt = prompt;
    let mask: Buffer | undefined;
    let refusal: { code: string; detail?: string } | undefined;
    if (banned) refusal = { code: MJ_ENDINGS.promptFiltered };
    if (job.action?.kind === 'varyRegion') {
      mask = trueaiMaskBytes(body.maskBase64);
      if (!mask) refusal ??= { code: MJ_ENDINGS.maskNotSent };
    } else if (job.action?.kind === 'customZoom') {
      const zoom = Number(/--zoom\s+(\S+)/.exec(prompt)?.[1]);
      if (!(zoom >= 1 && zoom <= 2)) {
        refusal ??= {
          code: 'INVALID_PARAMETER',
          detail: 'Custom Zoom needs --zoom with a value from 1 to 2',
        };
      }
    }
    const relay = this.relay();
    if (relay) info.visibleFromMs = Date.now() + relay.statusEmptyMs;
    await this.engine.submitModal(job, { flags, ...(mask ? { mask } : {}) }, refusal);
    return this.submitted(job, flags.queued && !refusal, 'MODAL');
  }

  private describe(request: ApiRequest): HttpAnswer {
    const body = bodyOf(request);
    const link = str(body.link);
    const source =
      this.flavour() === 'trueai' && link && /^https?:\/\/\S+$/i.test(link)
        ? link
        : isPictureInput(body.base64, this.flavour())
          ? 'upload.png'
          : undefined;
    if (!source) return this.reply(envelope(4, 'base64格式错误'));
    if (this.overConcurrency()) return secondEnvelope('并发数已达上限');
    if (this.settings.faults.refuseAsQueueFull()) return this.queueFull();
    const base = this.newTask('describe', body, {
      action: 'DESCRIBE',
      relayAction: 'DESCRIBE',
      prompt: '',
      description: this.flavour() === 'trueai' ? 'Submit success' : '/describe',
    });
    return this.submitted(this.engine.describe(base, source), false);
  }

  private blend(request: ApiRequest): HttpAnswer {
    const body = bodyOf(request);
    const pictures = Array.isArray(body.base64Array) ? body.base64Array : [];
    const trueai = this.flavour() === 'trueai';
    if (
      pictures.length < 2 ||
      pictures.length > 5 ||
      !pictures.every((p) => isPictureInput(p, this.flavour()))
    ) {
      return this.reply(envelope(4, trueai ? '图片参数错误，2~5张图片' : 'base64List参数错误'));
    }
    const dimensions = str(body.dimensions) ?? 'SQUARE';
    const aspect = BLEND_DIMENSIONS[dimensions];
    if (!aspect) return this.reply(envelope(4, 'dimensions参数错误'));
    if (this.overConcurrency()) return secondEnvelope('并发数已达上限');
    if (this.settings.faults.refuseAsQueueFull()) return this.queueFull();
    const base = this.newTask('blend', body, {
      action: 'BLEND',
      relayAction: 'BLEND',
      prompt: '',
      description: trueai ? 'Submit success' : `/blend ${pictures.length}`,
    });
    const names = pictures.map((_, i) => `image-${i + 1}.png`);
    return this.submitted(this.engine.blend(base, names, aspect), false);
  }

  // --- reads ----------------------------------------------------------------------------------

  private fetch(request: ApiRequest): HttpAnswer {
    const job = this.task(request.params.id ?? '');
    if (job) return json(200, this.view(job, request.base));
    if (this.relay()) return relayError('task_no_found');
    // trueai's null becomes 204 No Content; novicezk's servers send 200 with an empty body.
    return empty(this.flavour() === 'trueai' ? 204 : 200);
  }

  private listByIds(request: ApiRequest): HttpAnswer {
    const ids = bodyOf(request).ids;
    const wanted = Array.isArray(ids) ? ids.map((id) => str(id)?.trim() ?? '') : [];
    const found = wanted.map((id) => this.task(id)).filter((job): job is EngineJob => job !== undefined);
    return json(
      200,
      found.map((job) => this.view(job, request.base)),
    );
  }

  private list(): HttpAnswer {
    const newestFirst = this.mine().reverse();
    // trueai lists the newest 100; novicezk's servers every task they hold.
    const shown = this.flavour() === 'trueai' ? newestFirst.slice(0, 100) : newestFirst;
    return json(
      200,
      shown.map((job) => this.view(job, this.settings.ownBase())),
    );
  }

  private cancel(request: ApiRequest): HttpAnswer {
    if (this.settings.options().admin === false) return text(400, '演示模式，禁止操作');
    const job = this.task(request.params.id ?? '');
    if (!job) return empty(404);
    if (this.flavour() === 'trueai') {
      // trueai writes FAILURE "取消任务" and tells no hook about it.
      this.lifecycle.silence(job.id);
      this.engine.end(job, { kind: 'fail', code: MJ_ENDINGS.cancelledByRequest });
    } else {
      this.engine.end(job, { kind: 'cancel' });
    }
    return empty(200);
  }

  private async relayImage(request: ApiRequest): Promise<HttpAnswer> {
    const job = this.task(request.params.id ?? '');
    if (!job) return json(400, { error: 'midjourney_task_not_found' });
    const file = currentImage(job);
    const png = file ? this.images.png(file) : undefined;
    if (!png) return json(500, { error: 'http_get_image_failed' });
    return picture(await png, 'image/png', request.headers.range);
  }

  // --- helpers --------------------------------------------------------------------------------

  private mine(): EngineJob[] {
    return this.engine.list().filter((job) => job.owner === 'midjourney-proxy');
  }

  private task(id: string): EngineJob | undefined {
    const job = id ? this.engine.get(id) : undefined;
    return job?.owner === 'midjourney-proxy' ? job : undefined;
  }

  private view(job: EngineJob, base: string): Record<string, unknown> {
    const info = this.info.get(job.id);
    if (!info) return { id: job.id };
    return this.relay() ? relayTaskObject(job, info, base) : taskObject(job, info, base, this.flavour());
  }

  private relaySees(job: EngineJob): boolean {
    return Date.now() >= (this.info.get(job.id)?.visibleFromMs ?? 0);
  }

  /** Tasks under way count toward the cap; a MODAL task holds no slot. */
  private overConcurrency(): boolean {
    const cap = this.settings.options().concurrencyLimit ?? 0;
    if (cap <= 0) return false;
    const busy = this.mine().filter((job) => job.endedMs === undefined && job.phase !== 'modal').length;
    return busy >= cap;
  }

  private checkStateAndHook(body: Body): string | undefined {
    if ((str(body.state)?.length ?? 0) > 255) return 'State参数过长，最大255字符';
    if ((str(body.notifyHook)?.length ?? 0) > 2000) return 'NotifyHook参数过长，最大2000字符';
    return undefined;
  }

  private queueFull(): HttpAnswer {
    return this.flavour() === 'trueai'
      ? this.reply(envelope(9, '提交失败，队列已满，请稍后重试'))
      : this.reply(envelope(23, '队列已满，请稍后尝试'));
  }

  private newTask(
    endpoint: string,
    body: Body,
    fields: Pick<MjTaskInfo, 'action' | 'relayAction' | 'prompt' | 'description'>,
  ): JobBase {
    const id = newTaskId((candidate) => this.engine.has(candidate) || this.info.has(candidate));
    const relay = this.relay();
    // A relay strips notifyHook before forwarding: no webhooks behind it.
    const notifyHook = relay ? undefined : str(body.notifyHook) || undefined;
    this.info.set(id, {
      ...fields,
      hash: randomUUID(),
      submitDescription: '提交成功',
      state: str(body.state) ?? null,
      notifyHook,
      visibleFromMs: relay ? Date.now() + relay.statusEmptyMs : 0,
    });
    return { id, owner: 'midjourney-proxy', endpoint, queueBeforeAccept: true };
  }

  private submitted(job: EngineJob, queued: boolean, relayAction?: string): HttpAnswer {
    const properties: Record<string, unknown> = {
      discordInstanceId: '1118138338562560102',
      ...(this.flavour() === 'trueai' ? { discordChannelId: '1118138338562560102' } : {}),
    };
    if (queued) {
      const ahead = this.mine().filter((other) => other !== job && other.phase === 'waiting').length;
      return this.reply(
        envelope(22, `排队中，前面还有${ahead}个任务`, job.id, { ...properties, numberOfQueues: ahead }),
        200,
        relayAction,
        true,
      );
    }
    return this.reply(envelope(1, '提交成功', job.id, properties), 200, relayAction, true);
  }

  /**
   * A submit's answer; behind a relay, 22 becomes 1, and 21 too except for Vary (Region) and
   * Custom Zoom (the relay rewrites the code in the body and passes everything else on).
   */
  private reply(answer: Envelope, status = 200, relayAction?: string, created = false): HttpAnswer {
    const relay = this.relay();
    let code = answer.code;
    if (relay && code === 22) code = 1;
    if (relay && code === 21) {
      const keeps = (relayAction === 'INPAINT' || relayAction === 'CUSTOM_ZOOM') && !relay.rewriteModalCode;
      if (!keeps) code = 1;
    }
    return { status, body: { ...answer, code }, ...(created ? { created } : {}) };
  }
}
