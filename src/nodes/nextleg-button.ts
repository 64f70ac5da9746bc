// Presses any button of a result (U1-U4, V1-V4, reroll, zoom, pan, ...) and waits for its result.
import type { NodeAPI } from 'node-red';
import { registerApiNode } from './shared/api-node';
import { isListed, listedButtons, parentOf } from './shared/buttons-input';
import type { WaitingNodeDef } from './shared/job-node';
import { describeType, evaluateSetting, invalidInput, messageIdText } from './shared/inputs';

/** The longest names ("🔍 Zoom Out 1.5x") and midjourney-proxy's ids (MJ::JOB::...::<uuid>::SOLO) fit. */
const MAX_BUTTON_LENGTH = 128;

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
    // Sent exactly as listed (emoji included): no trimming of the label's own characters.
    const button = raw?.trim() ? raw : undefined;
    if (!button) throw invalidInput(RED._('nextleg.errors.noButton'));
    if (longerThan(button, MAX_BUTTON_LENGTH)) {
      throw invalidInput(`msg.button is over ${MAX_BUTTON_LENGTH} characters long; no button name or id is`);
    }
    const buttonMessageId = messageIdText(msg.buttonMessageId, 'msg.buttonMessageId');
    if (!buttonMessageId) throw invalidInput(RED._('nextleg.errors.noButtonMessageId'));
    const names = listedButtons(msg);
    if (!isListed(button, msg, names)) {
      throw invalidInput(`This result has no "${button}" button; it has: ${(names ?? []).join(', ')}`);
    }
    return {
      steps: [
        {
          kind: 'press',
          button,
          parent: parentOf(msg, buttonMessageId, names),
          status: 'nextleg.status.submitting',
        },
      ],
    };
  });
};
