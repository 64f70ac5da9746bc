// The editor script every node file of this package loads (Node-RED serves it from the package's
// resources/ folder as resources/@seedflows/node-red-thenextleg/nextleg-editor.js). It registers
// nothing by itself: each node file calls `nextlegEditor.register('<type>')`, so a node set turned
// off in the palette manager stays off.
import { registerButton } from './nodes/button';
import { registerConfig } from './nodes/config';
import { registerGetMessage } from './nodes/get-message';
import { registerImagineResult } from './nodes/imagine-result';
import { registerMaskBuilder } from './nodes/mask-builder';
import { registerVaryRegion } from './nodes/vary-region';
import { installHelpStyle } from './help-style';
import { installPreviews } from './preview';

const REGISTRATIONS: Record<string, () => void> = {
  'nextleg-config': registerConfig,
  'nextleg-imagine-result': registerImagineResult,
  'nextleg-button': registerButton,
  'nextleg-vary-region': registerVaryRegion,
  'nextleg-get-message': registerGetMessage,
  'nextleg-mask-builder': registerMaskBuilder,
};

export interface NextlegEditor {
  register(type: string): void;
}

declare global {
  interface Window {
    nextlegEditor?: NextlegEditor;
  }
}

// Every node file loads this script; the first load installs it.
if (!window.nextlegEditor) {
  installPreviews();
  installHelpStyle();
  window.nextlegEditor = {
    register(type) {
      const registration = REGISTRATIONS[type];
      if (!registration) throw new Error(`nextleg editor: no node type ${type}`);
      registration();
    },
  };
}
