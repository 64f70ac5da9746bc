// nextleg-mask-builder: size, format, threshold, and the regions as a numeric list with a canvas to
// draw them on. Validity and coverage come from the mask builder's own rule (mask/coverage.ts) and
// the size cap from the runtime's exported setting, so the dialog says what the node will do.
import { DEFAULT_MASK_SIDE } from '../../core/mask/mask-limits';
import { coverage, regionProblem, regionsProblem, type Size } from '../mask/coverage';
import { RegionEditor, type RegionRow } from '../mask/region-editor';
import { isRect, type FractionRegion, type RegionFields } from '../mask/region-geometry';
import { nodeLabels, PALETTE } from '../labels';
import { previewButton } from '../preview';
import { exportedLimit, fieldText, integerIn, invalid, toNumber } from '../validators';

const TYPE = 'nextleg-mask-builder';
const UNITS = ['px', 'fraction'];
const COORDINATES = ['x', 'y', 'width', 'height'] as const;
/** A new row: the centre quarter of the picture. */
const FRESH_REGION: FractionRegion = { x: 0.25, y: 0.25, width: 0.5, height: 0.5, unit: 'fraction' };

function maxSide(): number {
  return exportedLimit(TYPE, 'MaxSide') ?? Number.MAX_SAFE_INTEGER;
}

/** The size pixel regions refer to, when both fields hold one the builder accepts. */
function validSize(width: unknown, height: unknown): Size | undefined {
  const w = toNumber(width);
  const h = toNumber(height);
  const top = maxSide();
  const ok = Number.isInteger(w) && Number.isInteger(h) && w >= 1 && h >= 1 && w <= top && h <= top;
  return ok ? { width: w, height: h } : undefined;
}

/** Each row keeps the region it was made from, so fields the row does not show survive a save. */
function readRow(row: JQuery): RegionFields {
  const region = $.extend(true, {}, row.data('region') ?? {}) as RegionFields & Record<string, unknown>;
  if (region.points === undefined) {
    for (const key of COORDINATES) region[key] = toNumber(row.find(`.nextleg-region-${key}`).val());
  }
  region.unit = row.find('.nextleg-region-unit').val();
  return region;
}

// The open dialog's editor, so closing the dialog can unhook it.
let activeEditor: RegionEditor | null = null;
function closeEditor(): void {
  activeEditor?.close();
  activeEditor = null;
}

function prepareDialog(node: EditorNode): void {
  const list = $('#node-input-region-container');
  const rows = (): JQuery => list.editableList('items');
  const readRows = (): RegionFields[] =>
    rows()
      .toArray()
      .map((row) => readRow($(row)));
  const dialogSize = (): Size | undefined =>
    validSize($('#node-input-width').val(), $('#node-input-height').val());
  /** The editor draws something sensible even while a size field is being typed. */
  const drawingSize = (): Size => dialogSize() ?? { width: DEFAULT_MASK_SIDE, height: DEFAULT_MASK_SIDE };

  const editor = new RegionEditor($('#node-input-region-editor'), node, {
    size: drawingSize,
    rectangles() {
      const size = drawingSize();
      const out: RegionRow[] = [];
      readRows().forEach((region, index) => {
        if (isRect(region) && regionProblem(region, index, size) === undefined) {
          out.push({ index, region: region as RegionRow['region'] });
        }
      });
      return out;
    },
    update: updateRow,
    add(region) {
      list.editableList('addItem', region);
      return rows().length - 1;
    },
    remove(index) {
      const item = rows()[index];
      if (item) list.editableList('removeItem', $(item).data('data'));
    },
    highlight(index) {
      rows().each(function (i) {
        $(this).css('background', i === index ? 'var(--red-ui-list-item-background-selected, #ffebc7)' : '');
      });
    },
    invert: () => $('#node-input-invert').prop('checked') as boolean,
  });
  activeEditor = editor;

  /** A rectangle drawn or changed on the canvas is written back into its row, as fractions. */
  function updateRow(index: number, region: FractionRegion): void {
    const row = $(rows()[index] as HTMLElement);
    for (const key of COORDINATES) row.find(`.nextleg-region-${key}`).val(region[key]);
    row.find('.nextleg-region-unit').val('fraction');
    refresh();
  }

  const top = maxSide();
  $('#node-input-width').spinner({ min: 1, max: top, step: 1 });
  $('#node-input-height').spinner({ min: 1, max: top, step: 1 });
  $('#node-input-threshold').spinner({ min: 0, max: 255, step: 1 });

  function refresh(): void {
    const size = dialogSize();
    const invert = $('#node-input-invert').prop('checked') as boolean;
    const regions = readRows();
    const valid: RegionFields[] = [];
    let invalidCount = 0;
    rows().each(function (i) {
      const problem = size ? regionProblem(regions[i], i, size) : undefined;
      $(this)
        .find('input')
        .toggleClass('input-error', problem !== undefined);
      $(this).attr('title', problem ?? '');
      if (problem) invalidCount++;
      else valid.push(regions[i] as RegionFields);
    });

    editor.redraw();
    const shown = $('#node-input-region-coverage');
    const note = $('#node-input-region-coverage-note');
    if (!size) {
      shown.text('–');
      note.text(node._(`${TYPE}.errors.size`, { min: 1, max: top }));
      return;
    }
    const white = coverage(valid, size, invert);
    shown.text(`${(white * 100).toFixed(1)} %`);
    const notes: string[] = [];
    if (invalidCount) notes.push(node._(`${TYPE}.coverage.invalid`, { count: invalidCount }));
    if (regions.length === 0) notes.push(node._(`${TYPE}.coverage.none`));
    else if (white === 0) notes.push(node._(`${TYPE}.coverage.empty`));
    note.text(notes.join(' '));
  }

  const header = $('<div></div>').css({ display: 'flex', gap: '6px', padding: '0 0 0 28px' });
  for (const key of [...COORDINATES, 'unit']) {
    $('<div></div>')
      .css({ flex: key === 'unit' ? '0 0 110px' : '1 1 0', 'font-size': '0.9em' })
      .text(node._(`${TYPE}.region.${key}`))
      .appendTo(header);
  }
  header.append($('<div></div>').css({ flex: '0 0 28px' }));

  list.css({ 'min-height': '120px', 'min-width': '450px' }).editableList<RegionFields>({
    header,
    addButton: node._(`${TYPE}.label.addRegion`),
    removable: true,
    sortable: false,
    addItem(container, _index, region) {
      const fresh = region.x === undefined && region.points === undefined;
      const values: RegionFields = fresh ? FRESH_REGION : region;
      container.data('region', fresh ? {} : region);
      const row = $('<div></div>')
        .css({ display: 'flex', gap: '6px', 'align-items': 'center' })
        .appendTo(container);
      for (const key of COORDINATES) {
        $('<input type="number" step="any">')
          .addClass(`nextleg-region-${key}`)
          .attr('title', node._(`${TYPE}.region.${key}`))
          .css({ flex: '1 1 0', width: '100%', 'min-width': '0' })
          .val(fieldText(values[key]))
          // A polygon's corners are not editable here; its row only carries it through.
          .prop('disabled', values.points !== undefined)
          .on('input change', refresh)
          .appendTo(row);
      }
      const unit = $('<select></select>')
        .addClass('nextleg-region-unit')
        .css({ flex: '0 0 110px', width: '110px' })
        .appendTo(row);
      for (const u of UNITS)
        $('<option></option>')
          .val(u)
          .text(node._(`${TYPE}.unit.${u}`))
          .appendTo(unit);
      unit.val(values.unit === 'fraction' ? 'fraction' : 'px').on('change', refresh);
      // Working on a row selects its rectangle on the canvas.
      row.on('focusin', () => {
        rows().each(function (i) {
          if (this === container[0]) editor.select(i);
        });
      });
      if (fresh) setTimeout(refresh, 0);
    },
    removeItem() {
      editor.forget();
      refresh();
    },
  });

  for (const region of Array.isArray(node.regions) ? (node.regions as RegionFields[]) : []) {
    list.editableList('addItem', region);
  }
  // The spinner updates the field after its own event: read it once that settles.
  $('#node-input-width, #node-input-height, #node-input-threshold').on('input change spin', () =>
    setTimeout(refresh, 0),
  );
  $('#node-input-invert').on('change', refresh);
  refresh();
}

export function registerMaskBuilder(): void {
  const sizeValidator = integerIn(1, maxSide, `${TYPE}.errors.size`);
  RED.nodes.registerType(TYPE, {
    ...PALETTE,
    defaults: {
      name: { value: '' },
      preview: { value: true },
      width: { value: DEFAULT_MASK_SIDE, required: true, validate: sizeValidator },
      height: { value: DEFAULT_MASK_SIDE, required: true, validate: sizeValidator },
      format: { value: 'png', validate: RED.validators.regex(/^(png|webp)$/) },
      invert: { value: false },
      threshold: {
        value: 128,
        required: true,
        validate: integerIn(0, () => 255, `${TYPE}.errors.threshold`),
      },
      regions: {
        value: [],
        validate(value, opt) {
          if (!Array.isArray(value)) return invalid(this, opt, `${TYPE}.errors.regions`);
          // At the node's own size when it has a valid one: a region off that mask is refused too.
          const size = validSize(this.width, this.height) ?? {
            width: DEFAULT_MASK_SIDE,
            height: DEFAULT_MASK_SIDE,
          };
          // The rows of the dialog say which region and why, in the builder's own words.
          return regionsProblem(value, size) === undefined
            ? true
            : invalid(this, opt, `${TYPE}.errors.regions`);
        },
      },
    },
    inputs: 1,
    outputs: 1,
    button: previewButton,
    icon: 'nextleg-mask.svg',
    ...nodeLabels(TYPE, function () {
      // The size is the picture's when msg.imageSize reaches the node: the label says what is drawn.
      const count = Array.isArray(this.regions) ? this.regions.length : 0;
      if (count === 0) return this._(`${TYPE}.paletteLabel`);
      return count === 1 ? this._(`${TYPE}.summaryOne`) : this._(`${TYPE}.summary`, { count });
    }),
    inputLabels() {
      return this._(`${TYPE}.inputLabel`);
    },
    outputLabels() {
      return this._(`${TYPE}.outputLabel`);
    },
    oneditprepare() {
      prepareDialog(this);
    },
    oneditsave() {
      const rows = $('#node-input-region-container').editableList('items');
      this.regions = rows.toArray().map((row) => readRow($(row)));
      closeEditor();
    },
    oneditcancel: closeEditor,
    oneditresize(size) {
      let height = size.height;
      $('#dialog-form>div:not(.node-input-region-container-row)').each(function () {
        height -= $(this).outerHeight(true) ?? 0;
      });
      const row = $('#dialog-form>div.node-input-region-container-row');
      height -= parseInt(row.css('marginTop'), 10) + parseInt(row.css('marginBottom'), 10);
      $('#node-input-region-container').editableList('height', Math.max(120, height));
    },
  });
}
