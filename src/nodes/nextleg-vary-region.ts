// Presses 🖌️ Vary (Region) on an upscaled result with a new prompt and a mask of the area to redraw.
import type { NodeAPI } from 'node-red';
import { VARY_REGION_BUTTON, matchButton } from '../core/api/buttons';
import type { PictureSize, RegionEdit } from '../core/api/job-model';
import { buildMask } from '../core/mask';
import { isPictureError, readMaskToSend } from '../core/picture';
import { registerApiNode } from './shared/api-node';
import { listedButtons, parentOf } from './shared/buttons-input';
import type { WaitingNodeDef } from './shared/job-node';
import { evaluateSetting, invalidInput, messageIdText, promptText } from './shared/inputs';
import { NodeError } from './shared/node-error';

interface VaryRegionNodeDef extends WaitingNodeDef {
  prompt?: string;
  promptType?: string;
}

/** Midjourney lays the mask over the picture: another aspect ratio repaints the wrong place. */
const ASPECT_TOLERANCE = 0.02;

function pictureSizeOf(value: unknown): PictureSize | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { width, height } = value as { width?: unknown; height?: unknown };
  const ok = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n) && n > 0;
  return ok(width) && ok(height) ? { width, height } : undefined;
}

/** The prompt of the result being edited, as either API words it. */
function previousPrompt(payload: unknown): unknown {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const { content, prompt } = payload as { content?: unknown; prompt?: unknown };
  return typeof content === 'string' ? content : prompt;
}

export = (RED: NodeAPI): void => {
  registerApiNode<VaryRegionNodeDef>(RED, 'nextleg-vary-region', (node, def) => async (msg, account) => {
    // Every check runs before anything is sent: a bad press would still cost a submit slot.
    const buttonMessageId = messageIdText(msg.buttonMessageId, 'msg.buttonMessageId');
    if (!buttonMessageId) throw invalidInput(RED._('nextleg.errors.noButtonMessageId'));
    const names = listedButtons(msg);
    if (names && matchButton(VARY_REGION_BUTTON, names) === undefined) {
      throw invalidInput(RED._('nextleg.errors.noVaryButton'));
    }
    if (msg.mask === undefined || msg.mask === null || msg.mask === '') {
      throw invalidInput(RED._('nextleg.errors.noMask'));
    }
    let mask: { bytes: Buffer; format: RegionEdit['maskFormat'] };
    let maskSize: PictureSize;
    try {
      // Only the header is read: a few bytes declaring a huge picture are refused at once.
      const checked = readMaskToSend(msg.mask);
      mask = { bytes: checked.bytes, format: checked.format };
      maskSize = { width: checked.width, height: checked.height };
    } catch (err) {
      if (isPictureError(err) && err.problem === 'too-large') throw err;
      throw new NodeError(
        'INVALID_INPUT',
        RED._('nextleg.errors.badMask', { reason: (err as Error).message }),
      );
    }
    const picture = pictureSizeOf(msg.imageSize);
    if (picture) {
      const ratio = maskSize.width / maskSize.height / (picture.width / picture.height);
      if (Math.abs(ratio - 1) > ASPECT_TOLERANCE) {
        throw new NodeError(
          'MASK_ASPECT',
          RED._('nextleg.errors.maskAspect', {
            mask: `${maskSize.width}x${maskSize.height}`,
            picture: `${picture.width}x${picture.height}`,
          }),
        );
      }
    }
    // The new prompt: msg.prompt, else the node's, else the prompt of the result being edited.
    const prompt =
      promptText(msg.prompt, 'msg.prompt') ??
      promptText(evaluateSetting(RED, node, def.prompt, def.promptType, msg), 'The prompt') ??
      (typeof previousPrompt(msg.payload) === 'string'
        ? promptText(previousPrompt(msg.payload), 'msg.payload.prompt')
        : undefined);
    if (!prompt) throw invalidInput(RED._('nextleg.errors.noPrompt'));

    // An API that takes only some formats (midjourney-proxy: PNG) gets the mask converted.
    const [wanted = 'png'] = account.api.maskFormats;
    if (!account.api.maskFormats.includes(mask.format)) {
      const converted = await buildMask({ maskImage: mask.bytes, size: maskSize, format: 'png' });
      mask = { bytes: converted.buffer, format: wanted };
    }
    return {
      steps: [
        {
          kind: 'vary-region',
          parent: parentOf(msg, buttonMessageId, names),
          edit: { prompt, mask: mask.bytes, maskFormat: mask.format },
          status: 'nextleg.status.submitting',
        },
      ],
    };
  });
};
