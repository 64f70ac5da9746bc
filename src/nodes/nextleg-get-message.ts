// Polls a job until it is terminal: for jobs submitted without waiting, or elsewhere.
import type { NodeAPI } from 'node-red';
import { registerApiNode } from './shared/api-node';
import type { WaitingNodeDef } from './shared/job-node';
import { invalidInput, messageIdText } from './shared/inputs';

export = (RED: NodeAPI): void => {
  registerApiNode<WaitingNodeDef>(
    RED,
    'nextleg-get-message',
    () => (msg) => {
      const messageId =
        messageIdText(msg.messageId, 'msg.messageId') ??
        (typeof msg.payload === 'string' ? messageIdText(msg.payload, 'msg.payload') : undefined);
      if (!messageId) throw invalidInput(RED._('nextleg.errors.noMessageId'));
      return { steps: [], existingJobId: messageId };
    },
    { alwaysWait: true },
  );
};
