// The mask builder's region editor: rectangles drawn, moved, resized and deleted with the mouse on
// a canvas, over the picture being edited when there is one. The dialog's numeric list stays the
// one place regions are kept: the editor reads it through `RegionModel` and writes back through it.
import { clamp01, moveWithin, toEdges, toRegion, type Edges, type FractionRegion } from './region-geometry';
import type { Size } from './coverage';

const CANVAS_MAX_W = 440;
const CANVAS_MAX_H = 320;
/** Half the side of a corner handle, in canvas pixels. */
const HANDLE = 5;
/** A click is not a rectangle: the pointer must move this far first. */
const MIN_DRAG = 4;
const SELECTED_COLOUR = '#ff7f0e';

export interface RegionRow {
  index: number;
  region: { x: number; y: number; width: number; height: number; unit?: unknown };
}

export interface RegionModel {
  /** The mask size pixel rows refer to. */
  size(): Size;
  /** The rows the canvas can draw: valid rectangles with their index in the list. */
  rectangles(): RegionRow[];
  update(index: number, region: FractionRegion): void;
  /** Adds a row; returns its index. */
  add(region: FractionRegion): number;
  remove(index: number): void;
  highlight(index: number | null): void;
  invert(): boolean;
}

type Corner = 'nw' | 'ne' | 'sw' | 'se';
interface Item {
  index: number;
  edges: Edges;
}
interface Pointer {
  /** Canvas pixels. */
  px: number;
  py: number;
  /** Fractions of the picture. */
  x: number;
  y: number;
}
type Drag =
  | { mode: 'draw'; index: number | null; start: Pointer }
  | { mode: 'move'; index: number; start: Pointer; original: Edges }
  | { mode: 'resize'; index: number; fixed: { x: number; y: number } };

function corners(edges: Edges, box: { w: number; h: number }): Array<{ name: Corner; x: number; y: number }> {
  return [
    { name: 'nw', x: edges.x0 * box.w, y: edges.y0 * box.h },
    { name: 'ne', x: edges.x1 * box.w, y: edges.y0 * box.h },
    { name: 'sw', x: edges.x0 * box.w, y: edges.y1 * box.h },
    { name: 'se', x: edges.x1 * box.w, y: edges.y1 * box.h },
  ];
}

export class RegionEditor {
  private picture: HTMLImageElement | null = null;
  private selected: number | null = null;
  private drag: Drag | null = null;
  private readonly canvas: JQuery<HTMLCanvasElement>;
  private readonly context: CanvasRenderingContext2D;
  private readonly urlInput: JQuery<HTMLInputElement>;
  private readonly deleteButton: JQuery<HTMLButtonElement>;
  private readonly message: JQuery;

  constructor(
    host: JQuery,
    private readonly node: EditorNode,
    private readonly model: RegionModel,
  ) {
    const bar = $('<div></div>').css({ display: 'flex', gap: '4px', 'margin-bottom': '4px' }).appendTo(host);
    this.urlInput = $<HTMLInputElement>('<input type="text" id="node-input-region-picture-url">')
      .attr('placeholder', node._('nextleg-mask-builder.editor.url'))
      .css({ flex: '1 1 auto', width: 'auto', 'min-width': '0' })
      .appendTo(bar);
    const loadButton = $('<button type="button" class="red-ui-button"></button>')
      .attr('title', node._('nextleg-mask-builder.editor.load'))
      .append('<i class="fa fa-download"></i>')
      .appendTo(bar);
    const lastButton = $(
      '<button type="button" class="red-ui-button" id="node-input-region-last-picture"></button>',
    )
      .text(node._('nextleg-mask-builder.editor.last'))
      .appendTo(bar);
    this.deleteButton = $<HTMLButtonElement>(
      '<button type="button" class="red-ui-button" id="node-input-region-delete"></button>',
    )
      .attr('title', node._('nextleg-mask-builder.editor.delete'))
      .append('<i class="fa fa-trash"></i>')
      .appendTo(bar);
    this.canvas = $<HTMLCanvasElement>('<canvas id="node-input-region-canvas" tabindex="0"></canvas>')
      .css({
        display: 'block',
        cursor: 'crosshair',
        outline: 'none',
        border: '1px solid var(--red-ui-form-input-border-color, #ccc)',
      })
      .appendTo(host);
    this.message = $('<div class="form-tips" id="node-input-region-picture-note"></div>')
      .hide()
      .appendTo(host);
    const context = this.canvas[0]?.getContext('2d');
    if (!context) throw new Error('no 2D canvas');
    this.context = context;

    this.canvas.on('mousedown', (event) => this.onMouseDown(event));
    this.canvas.on('mousemove', (event) => {
      if (!this.drag) this.canvas.css('cursor', this.cursorFor(this.hitTest(this.pointerAt(event))));
    });
    this.canvas.on('keydown', (event) => {
      if (event.key === 'Delete' || event.key === 'Backspace') {
        event.preventDefault();
        event.stopPropagation();
        this.deleteSelected();
      }
    });
    this.deleteButton.on('click', () => this.deleteSelected());
    loadButton.on('click', () => {
      const url = String(this.urlInput.val() ?? '').trim();
      if (url) this.loadPicture(url);
    });
    this.urlInput.on('keydown', (event) => {
      if (event.key === 'Enter') {
        event.preventDefault();
        loadButton.trigger('click');
      }
    });
    lastButton.on('click', () => this.loadLastPicture(false));
    this.loadLastPicture(true);
  }

  redraw(): void {
    const box = this.layout();
    const invert = this.model.invert();
    const context = this.context;
    context.clearRect(0, 0, box.w, box.h);
    if (this.picture) {
      context.drawImage(this.picture, 0, 0, box.w, box.h);
    } else {
      context.fillStyle = invert ? '#fff' : '#000';
      context.fillRect(0, 0, box.w, box.h);
    }
    for (const item of this.items()) {
      const x = item.edges.x0 * box.w;
      const y = item.edges.y0 * box.h;
      const w = (item.edges.x1 - item.edges.x0) * box.w;
      const h = (item.edges.y1 - item.edges.y0) * box.h;
      if (this.picture) context.fillStyle = 'rgba(255, 255, 255, 0.35)';
      else context.fillStyle = invert ? '#000' : '#fff';
      context.fillRect(x, y, w, h);
      const isSelected = item.index === this.selected;
      context.lineWidth = isSelected ? 2 : 1;
      context.strokeStyle = isSelected ? SELECTED_COLOUR : '#888';
      context.strokeRect(x + 0.5, y + 0.5, Math.max(0, w - 1), Math.max(0, h - 1));
      if (isSelected) {
        context.fillStyle = SELECTED_COLOUR;
        for (const c of corners(item.edges, box))
          context.fillRect(c.x - HANDLE, c.y - HANDLE, HANDLE * 2, HANDLE * 2);
      }
    }
    this.deleteButton.prop('disabled', this.selected === null);
    this.model.highlight(this.selected);
  }

  select(index: number | null): void {
    this.selected = index;
    this.redraw();
  }

  /** After a row is removed from the list the indexes move: forget the selection. */
  forget(): void {
    this.selected = null;
  }

  close(): void {
    $(document).off('.nextlegRegions');
  }

  private say(text: string): void {
    this.message.text(text).toggle(text !== '');
  }

  /** The canvas takes the picture's aspect when there is one, else the mask's. */
  private layout(): { w: number; h: number } {
    const size = this.picture
      ? { width: this.picture.naturalWidth, height: this.picture.naturalHeight }
      : this.model.size();
    const scale = Math.min(CANVAS_MAX_W / size.width, CANVAS_MAX_H / size.height);
    const w = Math.max(20, Math.round(size.width * scale));
    const h = Math.max(20, Math.round(size.height * scale));
    const canvas = this.canvas[0] as HTMLCanvasElement;
    if (canvas.width !== w) canvas.width = w;
    if (canvas.height !== h) canvas.height = h;
    return { w, h };
  }

  private box(): { w: number; h: number } {
    const canvas = this.canvas[0] as HTMLCanvasElement;
    return { w: canvas.width, h: canvas.height };
  }

  private items(): Item[] {
    const size = this.model.size();
    return this.model.rectangles().map((row) => ({ index: row.index, edges: toEdges(row.region, size) }));
  }

  private pointerAt(event: { clientX: number; clientY: number }): Pointer {
    const bounds = (this.canvas[0] as HTMLCanvasElement).getBoundingClientRect();
    const px = event.clientX - bounds.left;
    const py = event.clientY - bounds.top;
    return { px, py, x: clamp01(px / bounds.width), y: clamp01(py / bounds.height) };
  }

  /** What lies under the pointer: a corner of the selected rectangle, the topmost rectangle, or nothing. */
  private hitTest(p: Pointer): { item: Item; corner?: Corner } | null {
    const all = this.items();
    const current = all.find((item) => item.index === this.selected);
    if (current) {
      const corner = corners(current.edges, this.box()).find(
        (c) => Math.abs(c.x - p.px) <= HANDLE + 2 && Math.abs(c.y - p.py) <= HANDLE + 2,
      );
      if (corner) return { item: current, corner: corner.name };
    }
    for (let i = all.length - 1; i >= 0; i--) {
      const item = all[i] as Item;
      const e = item.edges;
      if (p.x >= e.x0 && p.x <= e.x1 && p.y >= e.y0 && p.y <= e.y1) return { item };
    }
    return null;
  }

  private cursorFor(hit: { corner?: Corner } | null): string {
    if (!hit) return 'crosshair';
    if (hit.corner) return hit.corner === 'nw' || hit.corner === 'se' ? 'nwse-resize' : 'nesw-resize';
    return 'move';
  }

  private onMouseDown(event: JQuery.MouseDownEvent): void {
    if (event.button !== 0) return;
    event.preventDefault();
    this.canvas.trigger('focus');
    const p = this.pointerAt(event);
    const hit = this.hitTest(p);
    if (hit?.corner) {
      // The opposite corner stays where it is.
      const e = hit.item.edges;
      this.drag = {
        mode: 'resize',
        index: hit.item.index,
        fixed: { x: hit.corner.includes('w') ? e.x1 : e.x0, y: hit.corner.includes('n') ? e.y1 : e.y0 },
      };
    } else if (hit) {
      this.drag = { mode: 'move', index: hit.item.index, start: p, original: hit.item.edges };
      this.select(hit.item.index);
    } else {
      this.drag = { mode: 'draw', index: null, start: p };
      this.select(null);
    }
    $(document)
      .on('mousemove.nextlegRegions', (e) => this.onDrag(e))
      .on('mouseup.nextlegRegions', () => this.onDragEnd());
  }

  private onDrag(event: JQuery.MouseMoveEvent): void {
    const drag = this.drag;
    if (!drag) return;
    const p = this.pointerAt(event);
    if (drag.mode === 'draw') {
      if (drag.index === null) {
        if (Math.abs(p.px - drag.start.px) < MIN_DRAG && Math.abs(p.py - drag.start.py) < MIN_DRAG) return;
        drag.index = this.model.add(toRegion({ x0: drag.start.x, y0: drag.start.y, x1: p.x, y1: p.y }));
        this.select(drag.index);
      }
      this.update(drag.index, { x0: drag.start.x, y0: drag.start.y, x1: p.x, y1: p.y });
    } else if (drag.mode === 'move') {
      this.update(drag.index, moveWithin(drag.original, p.x - drag.start.x, p.y - drag.start.y));
    } else {
      this.update(drag.index, { x0: drag.fixed.x, y0: drag.fixed.y, x1: p.x, y1: p.y });
    }
  }

  /** Rows keep a width and height above zero: a rectangle squeezed to nothing keeps its last size. */
  private update(index: number, edges: Edges): void {
    const box = this.box();
    if (Math.abs(edges.x1 - edges.x0) * box.w < 1 || Math.abs(edges.y1 - edges.y0) * box.h < 1) return;
    const region = toRegion(edges);
    if (region.width <= 0 || region.height <= 0) return;
    this.model.update(index, region);
  }

  private onDragEnd(): void {
    $(document).off('.nextlegRegions');
    this.drag = null;
    this.redraw();
  }

  private deleteSelected(): void {
    if (this.selected === null) return;
    const index = this.selected;
    this.selected = null;
    this.model.remove(index);
  }

  private loadPicture(src: string): void {
    const image = new Image();
    image.onload = () => {
      this.picture = image;
      this.say('');
      this.redraw();
    };
    image.onerror = () => this.say(this.node._('nextleg-mask-builder.editor.badPicture'));
    image.src = src;
  }

  /** The last picture that reached the deployed node: a thumbnail of msg.image, or the result's URL. */
  private loadLastPicture(quiet: boolean): void {
    $.getJSON(`nextleg-mask-builder/${encodeURIComponent(this.node.id)}/last-image`)
      .done((body: { image?: string; url?: string } | null) => {
        if (body?.image) this.loadPicture(body.image);
        else if (body?.url) {
          this.urlInput.val(body.url);
          this.loadPicture(body.url);
        } else if (!quiet) this.say(this.node._('nextleg-mask-builder.editor.noLast'));
      })
      .fail(() => {
        if (!quiet) this.say(this.node._('nextleg-mask-builder.editor.badPicture'));
      });
  }
}
