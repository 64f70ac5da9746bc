// Limits the runtime hands to the editor through Node-RED's node settings: a node type registered
// with `settings: { <prefix><Name>: { value, exportable: true } }` makes `RED.settings.<prefix><Name>`
// readable in the editor, so the dialogs refuse what the runtime would refuse, from the same
// constants. Imported by the node files and bundled into the editor script (no Node-RED import).

/** The settings this package exports, by the suffix of their name. */
export type EditorSettingName =
  /** The longest duration a timer can hold, in ms: every timeout and interval is checked against it. */
  | 'MaxTimerMs'
  /** The mask builder's largest mask side, in pixels. */
  | 'MaxSide';

/**
 * Node-RED's rule for the names a node type may export (`normaliseNodeTypeName`): words split on
 * anything but letters and digits, camel-cased, e.g. 'nextleg-mask-builder' → 'nextlegMaskBuilder'.
 */
export function settingPrefix(type: string): string {
  const words = type
    .replace(/[^a-zA-Z0-9]/g, ' ')
    .trim()
    .split(/ +/);
  const camel = words
    .map((word, i) => (i === 0 ? word : word.charAt(0).toUpperCase() + word.slice(1)))
    .join('');
  return camel.charAt(0).toLowerCase() + camel.slice(1);
}

export function settingKey(type: string, name: EditorSettingName): string {
  return settingPrefix(type) + name;
}

/** The `settings` option of `RED.nodes.registerType` for a node type. */
export function exportedSettings(
  type: string,
  values: Partial<Record<EditorSettingName, number>>,
): Record<string, { value: number; exportable: true }> {
  const settings: Record<string, { value: number; exportable: true }> = {};
  for (const [name, value] of Object.entries(values)) {
    settings[settingKey(type, name as EditorSettingName)] = { value, exportable: true };
  }
  return settings;
}
