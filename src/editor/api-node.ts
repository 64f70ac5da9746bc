// What the API nodes (imagine-result, button, vary-region, get-message) share in the editor:
// account, preview toggle, the wait options (their rows are put into each dialog at build time by
// `<!-- include _dialog-wait-*.html -->`), labels and outputs. A node's own module says what differs.
import { nodeLabels, PALETTE } from './labels';
import { previewButton } from './preview';
import { duration, fieldText } from './validators';

const MINUTE_MS = 60_000;

export interface ApiNodeSpec {
  icon: string;
  /** The node has the "wait for the result" checkbox (get-message always waits). */
  waitBox: boolean;
  defaults?: Record<string, EditorPropertyDef>;
  /** The label when the node has no name, e.g. the prompt; empty falls back to the palette label. */
  summary?: (this: EditorNode) => string;
  /** Its own fields in oneditprepare. */
  prepare?: (this: EditorNode) => void;
}

function waitDefaults(type: string, waitBox: boolean): Record<string, EditorPropertyDef> {
  const defaults: Record<string, EditorPropertyDef> = {
    timeout: { value: 15, required: true, validate: duration(type, MINUTE_MS) },
    stallTimeout: { value: 5, required: true, validate: duration(type, MINUTE_MS) },
    expireMins: { value: 12, required: true, validate: duration(type, MINUTE_MS) },
    downloadImage: { value: false },
    progressOutput: { value: false },
    outputs: { value: 1 },
  };
  if (waitBox) defaults.wait = { value: true };
  return defaults;
}

/** oneditprepare: spinners, and the wait rows shown only while waiting. */
function prepareWait(): void {
  for (const field of ['timeout', 'stallTimeout', 'expireMins']) {
    $(`#node-input-${field}`).spinner({ min: 0.1, step: 1 });
  }
  const box = $('#node-input-wait');
  if (!box.length) return;
  box
    .on('change', function () {
      const waiting = $(this).prop('checked') as boolean;
      $('.nextleg-wait-rows').toggle(waiting);
      $('.nextleg-nowait-tip').toggle(!waiting);
      RED.tray.resize();
    })
    .trigger('change');
}

/** oneditsave: the second output exists exactly while progress messages are really sent. */
function saveOutputs(node: EditorNode): void {
  const box = $('#node-input-wait');
  const waiting = !box.length || (box.prop('checked') as boolean);
  if (!waiting) $('#node-input-progressOutput').prop('checked', false);
  const outputs = waiting && ($('#node-input-progressOutput').prop('checked') as boolean) ? 2 : 1;
  // Going from 2 outputs to 1: an output map tells the editor to drop the progress wires.
  const current = Number(node.outputs) || 1;
  $('#node-input-outputs').val(outputs < current ? JSON.stringify({ 0: '0', 1: '-1' }) : String(outputs));
}

/** A typedInput's text type, or one of Node-RED's own types by name. */
type TypedInputType = string | { value: string; label?: string; icon?: string; autoComplete?: unknown };

/** A setting given as text or read from msg, flow, global or env: its value and its type. */
export function typedSetting(name: string, value: string): Record<string, EditorPropertyDef> {
  return {
    [name]: { value, validate: RED.validators.typedInput(`${name}Type`) },
    [`${name}Type`]: { value: 'str' },
  };
}

/** oneditprepare of a typed setting; `text` may replace the plain text type (to offer choices). */
export function prepareTypedSetting(name: string, text: TypedInputType = 'str'): void {
  $(`#node-input-${name}`).typedInput({
    default: 'str',
    typeField: $(`#node-input-${name}Type`),
    types: [text, 'msg', 'flow', 'global', 'env'],
  });
}

/** A typed setting as a node label: the text itself (cut at 30 characters), or e.g. "msg.prompt". */
export function settingLabel(node: EditorNode, name: string): string {
  return typedLabel(node[name], node[`${name}Type`], 30);
}

/** A typedInput setting as a short label: the text itself, or e.g. "msg.prompt". */
function typedLabel(value: unknown, type: unknown, max: number): string {
  const text = fieldText(value);
  if (!text) return '';
  const kind = fieldText(type);
  if (kind && kind !== 'str') return `${kind}.${text}`;
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

export function registerApiNode(type: string, spec: ApiNodeSpec): void {
  RED.nodes.registerType(type, {
    ...PALETTE,
    defaults: {
      name: { value: '' },
      preview: { value: true },
      account: { value: '', type: 'nextleg-config', required: true },
      ...spec.defaults,
      ...waitDefaults(type, spec.waitBox),
    },
    inputs: 1,
    outputs: 1,
    button: previewButton,
    icon: spec.icon,
    ...nodeLabels(type, function () {
      return spec.summary?.call(this) || this._(`${type}.paletteLabel`);
    }),
    inputLabels() {
      return this._(`${type}.inputLabel`);
    },
    outputLabels(index) {
      return this._(index === 0 ? 'nextleg.label.outputResult' : 'nextleg.label.outputProgress');
    },
    oneditprepare() {
      spec.prepare?.call(this);
      prepareWait();
    },
    oneditsave() {
      saveOutputs(this);
    },
  });
}
