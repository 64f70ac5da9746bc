// Polls /v2/message/<id> until the job is terminal: for jobs submitted without waiting, or elsewhere.
import type { Node, NodeAPI } from 'node-red';
import { attachJobHandler, type WaitingNodeDef } from './shared/job-node';
import { invalidInput, messageIdText } from './shared/inputs';
import { resultPreview } from './shared/preview';

export = (RED: NodeAPI): void => {
  function NextlegGetMessageNode(this: Node, def: WaitingNodeDef): void {
    RED.nodes.createNode(this, def);

    attachJobHandler(
      RED,
      this,
      def,
      (msg) => {
        const messageId =
          messageIdText(msg.messageId, 'msg.messageId') ??
          (typeof msg.payload === 'string' ? messageIdText(msg.payload, 'msg.payload') : undefined);
        if (!messageId) throw invalidInput(RED._('nextleg.errors.noMessageId'));
        return { steps: [], existingMessageId: messageId };
      },
      { alwaysWait: true, onDelivered: resultPreview(RED, this, def) },
    );
  }
  RED.nodes.registerType('nextleg-get-message', NextlegGetMessageNode);
};
