// How every flow node of this package looks: its palette category and colour, its palette label
// from its catalog, and on the workspace its name when it has one (in italics, as Node-RED's own
// nodes do), else a summary.

export const PALETTE: Pick<EditorNodeDef, 'category' | 'color'> = {
  category: 'thenextleg',
  color: '#C9B8F0',
};

export function nodeLabels(
  type: string,
  summary: (this: EditorNode) => string,
): Pick<EditorNodeDef, 'paletteLabel' | 'label' | 'labelStyle'> {
  return {
    paletteLabel() {
      return this._?.(`${type}.paletteLabel`) ?? type;
    },
    label() {
      return this.name || summary.call(this);
    },
    labelStyle() {
      return this.name ? 'node_label_italic' : '';
    },
  };
}
