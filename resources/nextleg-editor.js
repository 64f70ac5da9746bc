// Editor code shared by this package's node files, loaded by each of them with
// <script src="resources/@seedflows/node-red-thenextleg/nextleg-editor.js">; the first load
// installs it. Previews: thumbnails the runtime publishes on `nextleg-preview/<nodeId>` are drawn
// under the node in the workspace, and the node's button turns them on and off.
(function () {
  if (window.nextlegPreview) return;
  var SVG_NS = 'http://www.w3.org/2000/svg';
  var TOPIC = 'nextleg-preview/';
  // Below the node's status line, which sits just under the node.
  var GAP = 22;
  // The last picture per node id, kept so a node drawn later (tab switch, import) gets it again.
  var latest = {};

  function elementId(id) {
    return 'nextleg-preview-' + id;
  }
  function remove(id) {
    var existing = document.getElementById(elementId(id));
    if (existing) existing.remove();
  }
  function draw(id, group) {
    remove(id);
    var node = RED.nodes.node(id);
    var data = latest[id];
    group = group || document.getElementById(id);
    if (!data || !node || !group || node.preview === false) return;
    var probe = new Image();
    probe.onload = function () {
      // Another picture may have arrived while this one was decoding.
      if (latest[id] !== data) return;
      remove(id);
      var image = document.createElementNS(SVG_NS, 'image');
      image.setAttribute('id', elementId(id));
      image.setAttribute('class', 'nextleg-preview');
      image.setAttribute('x', '0');
      image.setAttribute('y', String((node.h || 30) + GAP));
      image.setAttribute('width', String(probe.naturalWidth));
      image.setAttribute('height', String(probe.naturalHeight));
      image.setAttribute('href', data);
      image.setAttributeNS('http://www.w3.org/1999/xlink', 'xlink:href', data);
      // Clicks go through to the workspace: the picture must not steal selection or dragging.
      image.style.pointerEvents = 'none';
      group.appendChild(image);
    };
    probe.src = data;
  }
  function received(topic, data) {
    var id = topic.slice(TOPIC.length);
    if (data && typeof data.image === 'string' && data.image.indexOf('data:image/') === 0)
      latest[id] = data.image;
    else delete latest[id];
    draw(id);
  }
  // The node's toggle button: the property is saved with the flow, so the change is a real edit.
  function toggled() {
    var node = this;
    RED.history.push({
      t: 'edit',
      node: node,
      changes: { preview: !node.preview },
      dirty: RED.nodes.dirty(),
      changed: node.changed,
    });
    node.changed = true;
    node.dirty = true;
    RED.nodes.dirty(true);
    draw(node.id);
  }

  var button = { toggle: 'preview', onclick: toggled };
  window.nextlegPreview = { button: button, redraw: draw };
  RED.comms.subscribe(TOPIC + '#', received);
  // A flow saved before `preview` existed loads without it (the editor fills defaults only on
  // import): it means on, and the toggle needs a real boolean to flip.
  RED.events.on('nodes:add', function (node) {
    if (node && node._def && node._def.button === button && node.preview === undefined) node.preview = true;
  });
  if (RED.hooks && typeof RED.hooks.add === 'function') {
    // The workspace rebuilds a node's SVG group when it is drawn again (tab switch, undo, import).
    RED.hooks.add('viewAddNode.nextlegPreview', function (event) {
      if (!latest[event.node.id]) return;
      setTimeout(function () {
        draw(event.node.id);
      }, 0);
    });
  }
})();
