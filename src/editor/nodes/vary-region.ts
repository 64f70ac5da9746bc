// nextleg-vary-region: the new prompt for the region (empty: the original prompt).
import { registerApiNode, typedLabel } from '../api-node';

export function registerVaryRegion(): void {
  registerApiNode('nextleg-vary-region', {
    icon: 'nextleg-vary-region.svg',
    waitBox: true,
    defaults: {
      prompt: { value: '', validate: RED.validators.typedInput('promptType') },
      promptType: { value: 'str' },
    },
    summary() {
      return typedLabel(this.prompt, this.promptType, 30);
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
