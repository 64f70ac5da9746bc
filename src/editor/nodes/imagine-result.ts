// nextleg-imagine-result: a prompt (text or read from msg, flow, global, env) and an optional upscale.
import { registerApiNode, typedLabel } from '../api-node';
import { fieldText } from '../validators';

export function registerImagineResult(): void {
  registerApiNode('nextleg-imagine-result', {
    icon: 'nextleg-imagine.svg',
    waitBox: true,
    defaults: {
      prompt: { value: '', validate: RED.validators.typedInput('promptType') },
      promptType: { value: 'str' },
      upscale: { value: '', validate: RED.validators.regex(/^(U[1-4])?$/) },
    },
    summary() {
      const prompt = typedLabel(this.prompt, this.promptType, 30);
      const summary = prompt || this._('nextleg-imagine-result.paletteLabel');
      const upscale = fieldText(this.upscale);
      return upscale ? `${summary} → ${upscale}` : summary;
    },
    prepare() {
      $('#node-input-prompt').typedInput({
        default: 'str',
        typeField: $('#node-input-promptType'),
        types: ['str', 'msg', 'flow', 'global', 'env'],
      });
    },
  });
}
