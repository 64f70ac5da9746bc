// The part of Node-RED's editor API (the `RED` global and its jQuery widgets) this package's editor
// code uses, typed as Node-RED 4 provides it. Written here rather than taken from
// @types/node-red__editor-client, which describes the 1.x editor (one-argument validators, no
// hooks, no node settings).

/** A node (or config node) as the editor holds it: its properties plus the editor's own fields. */
interface EditorNode {
  id: string;
  type: string;
  name?: string;
  /** The node's definition, as registered. */
  _def: EditorNodeDef;
  /** The node's message catalog: `nextleg.*` keys and its own `<type>.*` keys. */
  _(key: string, vars?: Record<string, unknown>): string;
  x: number;
  y: number;
  w: number;
  h: number;
  changed?: boolean;
  dirty?: boolean;
  credentials?: Record<string, unknown>;
  [property: string]: unknown;
}

/** How Node-RED (3.1+) calls a validator: with `opt`, it may return a message instead of false. */
type EditorValidator = (this: EditorNode, value: unknown, opt?: object) => boolean | string;

interface EditorPropertyDef {
  value: unknown;
  required?: boolean;
  type?: string;
  validate?: EditorValidator;
}

interface EditorButtonDef {
  toggle?: string;
  enabled?: (this: EditorNode) => boolean;
  visible?: (this: EditorNode) => boolean;
  onclick: (this: EditorNode) => void;
}

interface EditorNodeDef {
  category: string;
  color?: string;
  defaults: Record<string, EditorPropertyDef>;
  credentials?: Record<string, { type: 'text' | 'password'; required?: boolean }>;
  inputs?: number;
  outputs?: number;
  icon?: string;
  align?: 'left' | 'right';
  button?: EditorButtonDef;
  paletteLabel?: string | ((this: EditorNodeDef) => string);
  label?: string | ((this: EditorNode) => string);
  labelStyle?: string | ((this: EditorNode) => string);
  inputLabels?: string | ((this: EditorNode, index: number) => string);
  outputLabels?: string | ((this: EditorNode, index: number) => string);
  oneditprepare?: (this: EditorNode) => void;
  oneditsave?: (this: EditorNode) => void;
  oneditcancel?: (this: EditorNode) => void;
  oneditresize?: (this: EditorNode, size: { width: number; height: number }) => void;
  /** Node-RED adds it: the definition's own catalog lookup, for paletteLabel. */
  _?: (key: string) => string;
}

interface EditorHistoryEvent {
  t: 'edit';
  node: EditorNode;
  changes: Record<string, unknown>;
  dirty: boolean;
  changed?: boolean;
}

interface NodeRedEditor {
  _(key: string, vars?: Record<string, unknown>): string;
  settings: Record<string, unknown>;
  nodes: {
    registerType(type: string, def: EditorNodeDef): void;
    node(id: string): EditorNode | null;
    getType(type: string): EditorNodeDef | undefined;
    dirty(): boolean;
    dirty(dirty: boolean): void;
  };
  history: { push(event: EditorHistoryEvent): void };
  comms: { subscribe(topic: string, callback: (topic: string, data: unknown) => void): void };
  events: { on(event: string, callback: (payload: unknown) => void): void };
  hooks?: {
    add(name: string, callback: (event: { node: EditorNode; el: SVGGElement }) => void): void;
  };
  validators: {
    regex(re: RegExp): EditorValidator;
    typedInput(typeField: string): EditorValidator;
  };
  tray: { resize(): void };
  view: { redraw(updateActive?: boolean): void };
}

declare const RED: NodeRedEditor;

interface EditableListOptions<T> {
  header?: JQuery;
  addButton?: string | boolean;
  removable?: boolean;
  sortable?: boolean;
  addItem?: (container: JQuery, index: number, data: T) => void;
  removeItem?: (data: T) => void;
}

interface JQuery {
  spinner(options: { min?: number; max?: number; step?: number }): JQuery;
  editableList<T>(options: EditableListOptions<T>): JQuery;
  editableList(method: 'items'): JQuery;
  editableList(method: 'addItem' | 'removeItem', data: unknown): JQuery;
  editableList(method: 'height', height: number): JQuery;
  typedInput(options: {
    default?: string;
    typeField?: JQuery;
    types: Array<string | { value: string; label?: string; icon?: string; autoComplete?: unknown }>;
  }): JQuery;
}
