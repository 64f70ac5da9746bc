// Submits a prompt, waits for the grid and, when asked, upscales one quadrant.
import type { NodeAPI } from 'node-red';
import type { JobPlan } from '../core/jobs/job-runner';
import { registerApiNode } from './shared/api-node';
import type { WaitingNodeDef } from './shared/job-node';
import { evaluateSetting, invalidInput, promptText } from './shared/inputs';

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

      const plan: JobPlan = { steps: [{ kind: 'imagine', prompt, status: 'nextleg.status.submitting' }] };
      // The upscale presses on the grid the first step delivers: a press without a parent.
      if (upscale) plan.steps.push({ kind: 'press', button: upscale, status: 'nextleg.status.upscaling' });
      return plan;
    };
  });
};
