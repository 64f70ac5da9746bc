// Presses any button of a result (U1-U4, V1-V4, reroll, zoom, pan, ...) and waits for its result.
import type { NodeAPI } from 'node-red';
import { registerApiNode } from './shared/api-node';
import type { WaitingNodeDef } from './shared/job-node';
import { describeType, evaluateSetting, invalidInput, messageIdText } from './shared/inputs';

/** TNL's longest labels ("🔍 Zoom Out 1.5x", "🖌️ Vary (Region)") are under 20 characters. */
const MAX_BUTTON_LENGTH = 64;

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Whether the label has more than `max` characters as a reader counts them ("🖌️" is one). */
function longerThan(label: string, max: number): boolean {
  // Counted one by one and stopped past the limit, so a huge label costs no more than a short one.
  const segments = graphemes.segment(label)[Symbol.iterator]();
  for (let count = 0; !segments.next().done;) if (++count > max) return true;
  return false;
}

interface ButtonNodeDef extends WaitingNodeDef {
  button?: string;
  buttonType?: string;
}

export = (RED: NodeAPI): void => {
  registerApiNode<ButtonNodeDef>(RED, 'nextleg-button', (node, def) => (msg) => {
    const raw = msg.button ?? evaluateSetting(RED, node, def.button, def.buttonType, msg);
    if (raw !== undefined && typeof raw !== 'string') {
      throw invalidInput(`msg.button must be text, not ${describeType(raw)}`);
    }
    // Sent exactly as TNL listed it (emoji included): no trimming of the label's own characters.
    const button = raw?.trim() ? raw : undefined;
    if (!button) throw invalidInput(RED._('nextleg.errors.noButton'));
    if (longerThan(button, MAX_BUTTON_LENGTH)) {
      throw invalidInput(`msg.button is over ${MAX_BUTTON_LENGTH} characters long; no TNL button is`);
    }
    const buttonMessageId = messageIdText(msg.buttonMessageId, 'msg.buttonMessageId');
    if (!buttonMessageId) throw invalidInput(RED._('nextleg.errors.noButtonMessageId'));
    if (Array.isArray(msg.buttons) && msg.buttons.some((b) => typeof b !== 'string')) {
      throw invalidInput('msg.buttons must be a list of button labels (text)');
    }
    if (Array.isArray(msg.buttons) && msg.buttons.length > 0 && !msg.buttons.includes(button)) {
      throw invalidInput(`This result has no "${button}" button; it has: ${msg.buttons.join(', ')}`);
    }
    return {
      steps: [
        {
          statusKey: 'nextleg.status.submitting',
          submit: () => (client, signal) => client.button({ button, buttonMessageId }, { signal }),
        },
      ],
    };
  });
};
