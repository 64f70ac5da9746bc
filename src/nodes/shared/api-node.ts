// Registers one of the API node types (imagine-result, button, vary-region, get-message): each gets
// the shared job handling and the result preview, so a node file only says what one msg submits.
import type { Node, NodeAPI } from 'node-red';
import { MAX_TIMER_MS } from '../../core/jobs/timers';
import { exportedSettings } from './editor-settings';
import { attachJobHandler, type PlanBuilder, type WaitingNodeDef } from './job-node';
import { resultPreview } from './preview';

export function registerApiNode<D extends WaitingNodeDef>(
  RED: NodeAPI,
  type: string,
  /** Called once per node instance, with its settings; returns what builds the plan of each msg. */
  planner: (node: Node, def: D) => PlanBuilder,
  options: { alwaysWait?: boolean } = {},
): void {
  function ApiNode(this: Node, def: D): void {
    RED.nodes.createNode(this, def);
    attachJobHandler(RED, this, def, planner(this, def), {
      alwaysWait: options.alwaysWait,
      onDelivered: resultPreview(RED, this, def),
    });
  }
  // The dialog's timeout fields are checked against the timer ceiling the runtime uses.
  RED.nodes.registerType(type, ApiNode, { settings: exportedSettings(type, { MaxTimerMs: MAX_TIMER_MS }) });
}
