// nextleg-get-message: only the shared fields; it always waits, so it has no "wait" checkbox.
import { registerApiNode } from '../api-node';

export function registerGetMessage(): void {
  registerApiNode('nextleg-get-message', { icon: 'nextleg-get-message.svg', waitBox: false });
}
