// nextleg-button: the button's label, with the usual labels offered while typing.
import { prepareTypedSetting, registerApiNode, settingLabel, typedSetting } from '../api-node';
import { fieldText } from '../validators';

/** The labels TheNextLeg shows most often; a result's own msg.buttons is the authority. */
const COMMON_BUTTONS = [
  'U1',
  'U2',
  'U3',
  'U4',
  'V1',
  'V2',
  'V3',
  'V4',
  '🔄',
  '🪄 Make Variations',
  '🪄 Vary (Strong)',
  '🪄 Vary (Subtle)',
  '🔍 Zoom Out 2x',
  '🔍 Zoom Out 1.5x',
  '⬅️',
  '➡️',
  '⬆️',
  '⬇️',
];

function matching(value: unknown): string[] {
  const query = fieldText(value).toLowerCase();
  return COMMON_BUTTONS.filter((label) => label.toLowerCase().includes(query));
}

export function registerButton(): void {
  registerApiNode('nextleg-button', {
    icon: 'nextleg-button.svg',
    waitBox: true,
    defaults: typedSetting('button', 'U1'),
    summary() {
      return settingLabel(this, 'button');
    },
    prepare() {
      const input = $('#node-input-button');
      const str: { value: string; label: string; icon: string; autoComplete?: unknown } = {
        value: 'str',
        label: 'a-z',
        icon: 'red/images/typedInput/az.svg',
      };
      if ('autoComplete' in $.fn) {
        // Offer the usual labels while still letting any label a result lists be typed in.
        str.autoComplete = matching;
      } else {
        // Editors without autoComplete: the browser's own datalist does the same job.
        const list = $('<datalist id="nextleg-button-choices"></datalist>').insertAfter(input);
        for (const label of COMMON_BUTTONS) $('<option></option>').attr('value', label).appendTo(list);
        input.attr('list', 'nextleg-button-choices');
      }
      prepareTypedSetting('button', str);
    },
  });
}
