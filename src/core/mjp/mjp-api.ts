// midjourney-proxy as the job engine sees it (JobApi). Buttons are pressed by the customId the
// parent task lists (read from the msg's payload, or fetched); Vary (Region) is the two-step flow of
// trueai and plus: the Inpaint action opens a dialog (code 21, a task in MODAL), then
// /mj/submit/modal sends the prompt and the mask as a PNG data URL, the one prefix trueai strips.
import { VARY_REGION_BUTTON } from '../api/buttons';
import { ApiError } from '../api/errors';
import type {
  CallOptions,
  DownloadOptions,
  JobApi,
  JobState,
  ParentRef,
  PushedState,
  RegionEdit,
  Submitted,
} from '../api/job-model';
import { findButton, readButtons } from './buttons';
import { MjpClient, type MjpClientOptions } from './client';
import { parseTask, taskId } from './task-state';
import type { MjpButton } from './types';

export interface MjpApiOptions extends MjpClientOptions {
  /** Sent as `notifyHook` with every submit that creates a task; holds a secret, never logged. */
  webhookUrl?: string;
}

function isPlain(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export class MjpApi implements JobApi {
  readonly name = 'midjourney-proxy';
  readonly maskFormats = ['png'] as const;
  readonly client: MjpClient;
  readonly #webhookUrl: string | undefined;

  constructor(options: MjpApiOptions) {
    this.client = new MjpClient(options);
    this.#webhookUrl = options.webhookUrl;
  }

  get baseUrl(): string {
    return this.client.baseUrl;
  }

  imagine(prompt: string, opts?: CallOptions): Promise<Submitted> {
    return this.client.imagine({ prompt, ...this.#hook() }, opts);
  }

  async press(parent: ParentRef, button: string, opts?: CallOptions): Promise<Submitted> {
    const target = findButton(button, await this.#buttonsOf(parent, opts));
    if (!target) throw this.#noButton(parent, button);
    return this.client.action(
      { taskId: parent.buttonMessageId, customId: target.customId, ...this.#hook() },
      opts,
    );
  }

  async varyRegion(parent: ParentRef, _edit: RegionEdit, opts?: CallOptions): Promise<Submitted> {
    // The edit goes with the dialog (submitModal), once the server has opened it.
    return this.press(parent, VARY_REGION_BUTTON, opts);
  }

  async submitModal(jobId: string, edit: RegionEdit, opts?: CallOptions): Promise<Submitted> {
    if (edit.maskFormat !== 'png') {
      throw new ApiError({
        code: 'INVALID_INPUT',
        message: 'midjourney-proxy takes a PNG mask',
        sent: false,
      });
    }
    return this.client.modal(
      {
        taskId: jobId,
        prompt: edit.prompt,
        maskBase64: `data:image/png;base64,${edit.mask.toString('base64')}`,
      },
      opts,
    );
  }

  readJob(jobId: string, opts?: CallOptions): Promise<JobState> {
    return this.client.readTask(jobId, opts);
  }

  /** A notifyHook body is the task object, keyed on `id`. */
  readPushed(body: unknown): PushedState | undefined {
    if (!isPlain(body)) return undefined;
    const jobId = taskId(body.id);
    if (!jobId) return undefined;
    try {
      return { jobId, state: this.client.masked(parseTask(body, jobId)) };
    } catch {
      return undefined;
    }
  }

  getImage(imageUrl: string, opts?: DownloadOptions): Promise<Buffer> {
    return this.client.getImage(imageUrl, opts);
  }

  getImageHead(imageUrl: string, maxBytes: number, opts?: CallOptions): Promise<Buffer> {
    return this.client.getImageHead(imageUrl, maxBytes, opts);
  }

  #hook(): { notifyHook?: string } {
    return this.#webhookUrl ? { notifyHook: this.#webhookUrl } : {};
  }

  /** The parent's buttons with their customIds: from the msg's payload when it is that task, else fetched. */
  async #buttonsOf(parent: ParentRef, opts?: CallOptions): Promise<MjpButton[]> {
    const carried = parent.payload;
    if (isPlain(carried) && taskId(carried.id) === parent.buttonMessageId && Array.isArray(carried.buttons)) {
      return readButtons(carried.buttons);
    }
    const task = await this.client.fetchTask(parent.buttonMessageId, opts);
    if (!task) {
      throw new ApiError({
        code: 'NOT_FOUND',
        message: `Task ${parent.buttonMessageId} is unknown or expired: its buttons cannot be pressed`,
        messageId: parent.buttonMessageId,
        sent: false,
      });
    }
    return readButtons(task.buttons);
  }

  #noButton(parent: ParentRef, button: string): ApiError {
    return new ApiError({
      code: 'BUTTON_NOT_FOUND',
      message: `Task ${parent.buttonMessageId} has no "${button}" button`,
      messageId: parent.buttonMessageId,
      sent: false,
    });
  }
}
