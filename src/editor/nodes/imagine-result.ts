// nextleg-imagine-result: a prompt (text or read from msg, flow, global, env) and an optional upscale.
import { prepareTypedSetting, registerApiNode, settingLabel, typedSetting } from '../api-node';
import { fieldText } from '../validators';

export function registerImagineResult(): void {
  registerApiNode('nextleg-imagine-result', {
    icon: 'nextleg-imagine.svg',
    waitBox: true,
    defaults: {
      ...typedSetting('prompt', ''),
      upscale: { value: '', validate: RED.validators.regex(/^(U[1-4])?$/) },
    },
    summary() {
      const summary = settingLabel(this, 'prompt') || this._('nextleg-imagine-result.paletteLabel');
      const upscale = fieldText(this.upscale);
      return upscale ? `${summary} → ${upscale}` : summary;
    },
    prepare() {
      prepareTypedSetting('prompt');
    },
  });
}
