// Submits a prompt to /v2/imagine, waits for the grid and, when asked, upscales one quadrant.
import type { NodeAPI } from 'node-red';
import { registerApiNode } from './shared/api-node';
import { type JobPlan, type WaitingNodeDef } from './shared/job-node';
import { evaluateSetting, invalidInput, promptText } from './shared/inputs';
import { NodeError } from './shared/node-error';

interface ImagineResultNodeDef extends WaitingNodeDef {
  prompt?: string;
  promptType?: string;
  upscale?: '' | 'U1' | 'U2' | 'U3' | 'U4';
}

const UPSCALES = new Set(['U1', 'U2', 'U3', 'U4']);

export = (RED: NodeAPI): void => {
  registerApiNode<ImagineResultNodeDef>(RED, 'nextleg-imagine-result', (node, def) => {
    const upscale = def.upscale && UPSCALES.has(def.upscale) ? def.upscale : undefined;
    return (msg): JobPlan => {
      // msg.prompt wins, then a text payload, then the node's own prompt.
      const prompt =
        promptText(msg.prompt, 'msg.prompt') ??
        (typeof msg.payload === 'string' ? promptText(msg.payload, 'msg.payload') : undefined) ??
        promptText(evaluateSetting(RED, node, def.prompt, def.promptType, msg), 'The prompt');
      if (!prompt) throw invalidInput(RED._('nextleg.errors.noPrompt'));

      const plan: JobPlan = {
        steps: [
          {
            statusKey: 'nextleg.status.submitting',
            submit: () => (client, signal) => client.imagine({ prompt }, { signal }),
          },
        ],
      };
      if (upscale) {
        plan.steps.push({
          statusKey: 'nextleg.status.upscaling',
          press: upscale,
          submit: (grid) => (client, signal) => {
            if (!grid?.buttonMessageId) {
              throw new NodeError('BAD_RESPONSE', 'The grid result has no buttonMessageId to upscale');
            }
            return client.button({ button: upscale, buttonMessageId: grid.buttonMessageId }, { signal });
          },
        });
      }
      return plan;
    };
  });
};
