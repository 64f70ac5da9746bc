// Previews: thumbnails the runtime publishes on `nextleg-preview/<nodeId>` are drawn under the node
// in the workspace, and the node's button (a picture icon with a tooltip, so it does not read as an
// inject button) turns them on and off.

const SVG_NS = 'http://www.w3.org/2000/svg';
const XLINK_NS = 'http://www.w3.org/1999/xlink';
const TOPIC = 'nextleg-preview/';
/** Below the node's status line, which sits just under the node. */
const GAP = 22;
/** FontAwesome 4 (the editor's own icon font): picture-o while the preview is on, eye-slash when off. */
const PICTURE_ICON = '\uf03e';
const HIDDEN_ICON = '\uf070';
/** Where Node-RED puts a left-aligned node button; see decorateButton for why it stays there. */
const BUTTON_TRANSFORM = 'translate(-25,2)';
const TOGGLE_CLASS = 'nextleg-preview-toggle';

/** The last picture per node id, kept so a node drawn again (tab switch, import) gets it back. */
const latest = new Map<string, string>();

function elementId(id: string): string {
  return `nextleg-preview-${id}`;
}

function remove(id: string): void {
  document.getElementById(elementId(id))?.remove();
}

function draw(id: string, group?: Element | null): void {
  remove(id);
  const node = RED.nodes.node(id);
  const data = latest.get(id);
  const target = group ?? document.getElementById(id);
  if (!data || !node || !target || node.preview === false) return;
  const probe = new Image();
  probe.onload = () => {
    // Another picture may have arrived while this one was decoding.
    if (latest.get(id) !== data) return;
    remove(id);
    const image = document.createElementNS(SVG_NS, 'image');
    image.setAttribute('id', elementId(id));
    image.setAttribute('class', 'nextleg-preview');
    image.setAttribute('x', '0');
    image.setAttribute('y', String((node.h || 30) + GAP));
    image.setAttribute('width', String(probe.naturalWidth));
    image.setAttribute('height', String(probe.naturalHeight));
    image.setAttribute('href', data);
    image.setAttributeNS(XLINK_NS, 'xlink:href', data);
    // Clicks go through to the workspace: the picture must not steal selection or dragging.
    image.style.pointerEvents = 'none';
    target.appendChild(image);
  };
  probe.src = data;
}

function received(topic: string, data: unknown): void {
  const id = topic.slice(TOPIC.length);
  const image = (data as { image?: unknown } | null)?.image;
  if (typeof image === 'string' && image.startsWith('data:image/')) latest.set(id, image);
  else latest.delete(id);
  draw(id);
}

/** The button's click: the property is saved with the flow, so the change is a real, undoable edit. */
function toggled(this: EditorNode): void {
  // Node-RED has already flipped `preview` when this runs.
  RED.history.push({
    t: 'edit',
    node: this,
    changes: { preview: !this.preview },
    dirty: RED.nodes.dirty(),
    changed: this.changed,
  });
  this.changed = true;
  this.dirty = true;
  RED.nodes.dirty(true);
  draw(this.id);
}

/** The `button` of every node with a preview. */
export const previewButton: EditorButtonDef = { toggle: 'preview', onclick: toggled };

function hasPreview(node: EditorNode | undefined): node is EditorNode {
  return !!node && !!node._def && node._def.button === previewButton;
}

/**
 * Gives Node-RED's plain button a picture icon and a tooltip saying what a click does; both follow
 * the node's state on every redraw. Node-RED slides a toggled-off button 8 px towards the node,
 * which on a node with an input puts its face under the input port (a click there starts a wire):
 * this button stays where it is and shows its state by its icon and opacity instead.
 */
function decorateButton(node: EditorNode, el: SVGGElement): void {
  const group = el.querySelector('.red-ui-flow-node-button');
  const button = group?.querySelector('.red-ui-flow-node-button-button');
  if (!group || !button) return;
  let title = group.querySelector<SVGTitleElement>(`title.${TOGGLE_CLASS}`);
  let icon = group.querySelector<SVGTextElement>(`text.${TOGGLE_CLASS}`);
  if (!title || !icon) {
    group.classList.add(TOGGLE_CLASS);
    title = document.createElementNS(SVG_NS, 'title');
    title.setAttribute('class', TOGGLE_CLASS);
    group.insertBefore(title, group.firstChild);
    icon = document.createElementNS(SVG_NS, 'text');
    icon.setAttribute('class', TOGGLE_CLASS);
    icon.textContent = PICTURE_ICON;
    // Centred on the button's face (x 5, y 4, 16 wide, node height - 12 high).
    icon.setAttribute('x', String(Number(button.getAttribute('x') || 5) + 8));
    icon.setAttribute('y', String(4 + ((node.h || 30) - 12) / 2 + 4));
    icon.setAttribute('text-anchor', 'middle');
    icon.setAttribute('font-family', 'FontAwesome');
    icon.setAttribute('font-size', '11');
    icon.setAttribute('fill', '#333');
    // The click belongs to the button's face underneath.
    icon.style.pointerEvents = 'none';
    group.appendChild(icon);
  }
  const on = node.preview !== false;
  const text = node._(on ? 'nextleg.preview.on' : 'nextleg.preview.off');
  if (title.textContent !== text) title.textContent = text;
  const glyph = on ? PICTURE_ICON : HIDDEN_ICON;
  if (icon.textContent !== glyph) icon.textContent = glyph;
  icon.setAttribute('fill-opacity', on ? '1' : '0.6');
  group.setAttribute('aria-label', text);
  if (group.getAttribute('transform') !== BUTTON_TRANSFORM) group.setAttribute('transform', BUTTON_TRANSFORM);
}

let installed = false;

export function installPreviews(): void {
  if (installed) return;
  installed = true;
  RED.comms.subscribe(`${TOPIC}#`, received);
  // A flow saved before `preview` existed loads without it (the editor fills defaults only on
  // import): it means on, and the toggle needs a real boolean to flip.
  RED.events.on('nodes:add', (payload) => {
    const node = payload as EditorNode | undefined;
    if (hasPreview(node) && node.preview === undefined) node.preview = true;
  });
  // The workspace rebuilds a node's SVG group when it is drawn again (tab switch, undo, import).
  RED.hooks?.add('viewAddNode.nextlegPreview', ({ node, el }) => {
    if (!hasPreview(node)) return;
    decorateButton(node, el);
    if (latest.has(node.id)) setTimeout(() => draw(node.id), 0);
  });
  RED.hooks?.add('viewRedrawNode.nextlegPreview', ({ node, el }) => {
    if (hasPreview(node)) decorateButton(node, el);
  });
}
