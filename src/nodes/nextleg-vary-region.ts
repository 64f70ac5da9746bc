// Presses 🖌️ Vary (Region) on an upscaled result with a new prompt and a mask of the area to redraw.
import type { NodeAPI } from 'node-red';
import { toBareBase64Mask } from '../core/tnl/mask-payload';
import { VARY_REGION_BUTTON } from '../core/tnl/types';
import { registerApiNode } from './shared/api-node';
import type { WaitingNodeDef } from './shared/job-node';
import { evaluateSetting, invalidInput, messageIdText, promptText } from './shared/inputs';
import { NodeError } from './shared/node-error';

interface VaryRegionNodeDef extends WaitingNodeDef {
  prompt?: string;
  promptType?: string;
}

export = (RED: NodeAPI): void => {
  registerApiNode<VaryRegionNodeDef>(RED, 'nextleg-vary-region', (node, def) => (msg) => {
    // Every check runs before anything is sent: a bad press would still cost a submit slot.
    const buttonMessageId = messageIdText(msg.buttonMessageId, 'msg.buttonMessageId');
    if (!buttonMessageId) throw invalidInput(RED._('nextleg.errors.noButtonMessageId'));
    if (Array.isArray(msg.buttons) && msg.buttons.some((b) => typeof b !== 'string')) {
      throw invalidInput('msg.buttons must be a list of button labels (text)');
    }
    if (Array.isArray(msg.buttons) && !msg.buttons.includes(VARY_REGION_BUTTON)) {
      throw invalidInput(RED._('nextleg.errors.noVaryButton'));
    }
    if (msg.mask === undefined || msg.mask === null || msg.mask === '') {
      throw invalidInput(RED._('nextleg.errors.noMask'));
    }
    let mask: string;
    try {
      mask = toBareBase64Mask(msg.mask).base64;
    } catch (err) {
      throw new NodeError(
        'INVALID_INPUT',
        RED._('nextleg.errors.badMask', { reason: (err as Error).message }),
      );
    }
    // The new prompt: msg.prompt, else the node's, else the prompt of the result being edited.
    const previous = msg.payload as { content?: unknown } | undefined;
    const prompt =
      promptText(msg.prompt, 'msg.prompt') ??
      promptText(evaluateSetting(RED, node, def.prompt, def.promptType, msg), 'The prompt') ??
      (previous && typeof previous === 'object' && typeof previous.content === 'string'
        ? promptText(previous.content, 'msg.payload.content')
        : undefined);
    if (!prompt) throw invalidInput(RED._('nextleg.errors.noPrompt'));

    return {
      steps: [
        {
          statusKey: 'nextleg.status.submitting',
          submit: () => (client, signal) =>
            client.button({ button: VARY_REGION_BUTTON, buttonMessageId, prompt, mask }, { signal }),
        },
      ],
    };
  });
};
