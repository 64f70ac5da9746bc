// nextleg-vary-region: the new prompt for the region (empty: the original prompt).
import { prepareTypedSetting, registerApiNode, settingLabel, typedSetting } from '../api-node';

export function registerVaryRegion(): void {
  registerApiNode('nextleg-vary-region', {
    icon: 'nextleg-vary-region.svg',
    waitBox: true,
    defaults: typedSetting('prompt', ''),
    summary() {
      return settingLabel(this, 'prompt');
    },
    prepare() {
      prepareTypedSetting('prompt');
    },
  });
}
