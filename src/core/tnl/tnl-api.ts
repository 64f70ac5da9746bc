// TheNextLeg v2 as the job engine sees it (JobApi): each call is one TnlClient call, and each of
// TNL's message states and results maps onto the shared job model. TNL does Vary (Region) in one
// button press carrying the prompt and the mask, so it never opens a dialog.
import { matchButton, VARY_REGION_BUTTON } from '../api/buttons';
import { ApiError } from '../api/errors';
import { isJobId } from '../api/ids';
import type {
  CallOptions,
  DownloadOptions,
  JobApi,
  JobResult,
  JobState,
  ParentRef,
  PushedState,
  RegionEdit,
  Submitted,
} from '../api/job-model';
import { describeResultCode } from '../api/result-codes';
import { TnlClient, type TnlClientOptions } from './client';
import { parseMessageState } from './message-state';
import type { Acknowledgement, MessageState, TnlResult } from './types';

export interface TnlApiOptions extends TnlClientOptions {
  /** Where TNL should POST each result (sent as `webhookOverride`); holds a secret, never logged. */
  webhookUrl?: string;
}

function submitted(ack: Acknowledgement): Submitted {
  return { jobId: ack.messageId, payload: { ...ack } };
}

/** A TNL result in the shared terms; the result itself stays the payload. */
function tnlJobResult(result: TnlResult): JobResult {
  const out: JobResult = { payload: result };
  if (result.buttonMessageId !== undefined) out.buttonMessageId = result.buttonMessageId;
  if (result.buttons !== undefined) out.buttons = result.buttons;
  if (result.imageUrl !== undefined) out.imageUrl = result.imageUrl;
  if (result.imageUrls !== undefined) out.imageUrls = result.imageUrls;
  if (result.content !== '') out.prompt = result.content;
  return out;
}

function tnlJobState(state: MessageState): JobState {
  switch (state.state) {
    case 'done':
      return { state: 'done', result: tnlJobResult(state.result) };
    case 'failed':
      return {
        state: 'failed',
        code: state.code,
        message: describeResultCode(state.code),
        payload: state.result,
      };
    default:
      return state;
  }
}

export class TnlApi implements JobApi {
  readonly name = 'tnl';
  readonly maskFormats = ['png', 'webp', 'jpeg'] as const;
  readonly client: TnlClient;
  readonly #webhookUrl: string | undefined;

  constructor(options: TnlApiOptions) {
    this.client = new TnlClient(options);
    this.#webhookUrl = options.webhookUrl;
  }

  get baseUrl(): string {
    return this.client.baseUrl;
  }

  async imagine(prompt: string, opts?: CallOptions): Promise<Submitted> {
    return submitted(await this.client.imagine({ prompt, webhookOverride: this.#webhookUrl }, opts));
  }

  async press(parent: ParentRef, button: string, opts?: CallOptions): Promise<Submitted> {
    // TNL wants the name exactly as listed; a plain label ("Vary (Region)") is turned into it.
    const listed = parent.buttons ? matchButton(button, parent.buttons) : undefined;
    const ack = await this.client.button(
      {
        button: listed ?? button,
        buttonMessageId: parent.buttonMessageId,
        webhookOverride: this.#webhookUrl,
      },
      opts,
    );
    return submitted(ack);
  }

  async varyRegion(parent: ParentRef, edit: RegionEdit, opts?: CallOptions): Promise<Submitted> {
    const ack = await this.client.button(
      {
        button: VARY_REGION_BUTTON,
        buttonMessageId: parent.buttonMessageId,
        prompt: edit.prompt,
        // TNL's own example sends bare base64 (of a WebP); any of PNG, WebP, JPEG is taken.
        mask: edit.mask.toString('base64'),
        webhookOverride: this.#webhookUrl,
      },
      opts,
    );
    return submitted(ack);
  }

  submitModal(): Promise<Submitted> {
    return Promise.reject(
      new ApiError({ code: 'BAD_RESPONSE', message: 'TheNextLeg has no dialogs to submit', sent: false }),
    );
  }

  async readJob(jobId: string, opts?: CallOptions & { expireMins?: number }): Promise<JobState> {
    return tnlJobState(await this.client.getMessage(jobId, opts));
  }

  /** TNL posts the flat result, keyed by the id of the submit it answers. */
  readPushed(body: unknown): PushedState | undefined {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
    const jobId = (body as Record<string, unknown>).originatingMessageId;
    if (!isJobId(jobId)) return undefined;
    try {
      return { jobId, state: tnlJobState(parseMessageState(body, jobId)) };
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
}
