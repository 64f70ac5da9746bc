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

// Dialog parts every API node shares: the "wait for the result" options. The markup is put into
// each node's template (at `<!-- nextleg-wait-options -->`) by `expandTemplate`, which the node's
// own script calls before registering, because Node-RED appends a node file's templates only
// after this script has loaded.
(function () {
  if (window.nextlegEditor) return;
  var WAIT_BOX = [
    '<div class="form-row">',
    '<label for="node-input-wait"><i class="fa fa-hourglass-half"></i> <span data-i18n="nextleg.label.wait"></span></label>',
    '<input type="checkbox" id="node-input-wait" style="display: inline-block; width: auto; vertical-align: top" />',
    '<label for="node-input-wait" style="width: 70%" data-i18n="nextleg.label.waitCheckbox"></label>',
    '</div>',
    '<div class="form-row form-tips nextleg-nowait-tip"><span data-i18n="nextleg.tip.wait"></span></div>',
  ].join('');
  var WAIT_ROWS = [
    '<div class="nextleg-wait-rows">',
    '<div class="form-row">',
    '<label for="node-input-timeout"><i class="fa fa-clock-o"></i> <span data-i18n="nextleg.label.timeout"></span></label>',
    '<input type="text" id="node-input-timeout" style="width: 80px" data-i18n="[title]nextleg.tip.timeout" />',
    '<span data-i18n="nextleg.label.minutes"></span>',
    '</div>',
    '<div class="form-row">',
    '<label for="node-input-stallTimeout"><i class="fa fa-pause-circle-o"></i> <span data-i18n="nextleg.label.stallTimeout"></span></label>',
    '<input type="text" id="node-input-stallTimeout" style="width: 80px" data-i18n="[title]nextleg.tip.stallTimeout" />',
    '<span data-i18n="nextleg.label.minutes"></span>',
    '</div>',
    '<div class="form-row">',
    '<label for="node-input-expireMins"><i class="fa fa-calendar-times-o"></i> <span data-i18n="nextleg.label.expireMins"></span></label>',
    '<input type="text" id="node-input-expireMins" style="width: 80px" data-i18n="[title]nextleg.tip.expireMins" />',
    '<span data-i18n="nextleg.label.minutes"></span>',
    '</div>',
    '<div class="form-row">',
    '<label for="node-input-downloadImage"><i class="fa fa-download"></i> <span data-i18n="nextleg.label.downloadImage"></span></label>',
    '<input type="checkbox" id="node-input-downloadImage" style="display: inline-block; width: auto; vertical-align: top" />',
    '<label for="node-input-downloadImage" style="width: 70%" data-i18n="nextleg.label.downloadImageCheckbox"></label>',
    '</div>',
    '<div class="form-row">',
    '<label for="node-input-progressOutput"><i class="fa fa-tasks"></i> <span data-i18n="nextleg.label.progressOutput"></span></label>',
    '<input type="checkbox" id="node-input-progressOutput" style="display: inline-block; width: auto; vertical-align: top" />',
    '<label for="node-input-progressOutput" style="width: 70%" data-i18n="nextleg.label.progressOutputCheckbox"></label>',
    '</div>',
    '</div>',
  ].join('');

  function reason(node, opt, key) {
    return opt && node && typeof node._ === 'function' ? node._(key) : false;
  }
  function positive(v, opt) {
    var n = typeof v === 'number' ? v : String(v).trim() === '' ? NaN : Number(v);
    return isFinite(n) && n > 0 ? true : reason(this, opt, 'nextleg.errors.notPositive');
  }

  /** A typedInput setting as a short label: the text itself, or e.g. "msg.prompt". */
  function typedLabel(value, type, max) {
    if (!value) return '';
    if (type && type !== 'str') return type + '.' + value;
    var text = String(value).trim();
    return text.length > max ? text.slice(0, max) + '…' : text;
  }

  /**
   * Registers one of the API nodes (imagine-result, button, vary-region, get-message): what they
   * share (account, preview toggle, wait options, labels, outputs) is here, what differs is in
   * `spec`: its `defaults`, `icon`, `waitBox`, `summary()` (the label without a name) and
   * `prepare()` (its own fields in oneditprepare).
   */
  function registerApiNode(type, spec) {
    window.nextlegEditor.expandTemplate(type, spec.waitBox);
    RED.nodes.registerType(type, {
      category: 'thenextleg',
      color: '#C9B8F0',
      defaults: Object.assign(
        {
          name: { value: '' },
          preview: { value: true },
          account: { value: '', type: 'nextleg-config', required: true },
        },
        spec.defaults || {},
        window.nextlegEditor.waitDefaults(spec.waitBox),
      ),
      inputs: 1,
      outputs: 1,
      button: window.nextlegPreview.button,
      icon: spec.icon,
      paletteLabel: function () {
        return this._(type + '.paletteLabel');
      },
      label: function () {
        return this.name || (spec.summary && spec.summary.call(this)) || this._(type + '.paletteLabel');
      },
      labelStyle: function () {
        return this.name ? 'node_label_italic' : '';
      },
      inputLabels: function () {
        return this._(type + '.inputLabel');
      },
      outputLabels: function (i) {
        return this._(i === 0 ? 'nextleg.label.outputResult' : 'nextleg.label.outputProgress');
      },
      oneditprepare: function () {
        if (spec.prepare) spec.prepare.call(this);
        window.nextlegEditor.prepareWait();
      },
      oneditsave: function () {
        window.nextlegEditor.saveOutputs(this);
      },
    });
  }

  window.nextlegEditor = {
    positive: positive,
    typedLabel: typedLabel,
    registerApiNode: registerApiNode,
    /** Inserts the wait options into the node's edit template; `waitBox` adds the "wait" checkbox. */
    expandTemplate: function (type, waitBox) {
      var template = document.querySelector('script[data-template-name="' + type + '"]');
      if (!template) return;
      template.innerHTML = template.innerHTML.replace(
        '<!-- nextleg-wait-options -->',
        (waitBox ? WAIT_BOX : '') + WAIT_ROWS,
      );
    },
    /** The defaults of the wait options, merged into a node's own. */
    waitDefaults: function (waitBox) {
      var defaults = {
        timeout: { value: 15, required: true, validate: positive },
        stallTimeout: { value: 5, required: true, validate: positive },
        expireMins: { value: 12, required: true, validate: positive },
        downloadImage: { value: false },
        progressOutput: { value: false },
        outputs: { value: 1 },
      };
      if (waitBox) defaults.wait = { value: true };
      return defaults;
    },
    /** oneditprepare: spinners, and the wait rows shown only while waiting. */
    prepareWait: function () {
      ['timeout', 'stallTimeout', 'expireMins'].forEach(function (field) {
        $('#node-input-' + field).spinner({ min: 0.1, step: 1 });
      });
      var box = $('#node-input-wait');
      if (!box.length) return;
      box
        .on('change', function () {
          var waiting = $(this).prop('checked');
          $('.nextleg-wait-rows').toggle(waiting);
          $('.nextleg-nowait-tip').toggle(!waiting);
          RED.tray.resize();
        })
        .trigger('change');
    },
    /** oneditsave: the second output exists exactly while progress messages are really sent. */
    saveOutputs: function (node) {
      var box = $('#node-input-wait');
      var waiting = !box.length || box.prop('checked');
      if (!waiting) $('#node-input-progressOutput').prop('checked', false);
      var outputs = waiting && $('#node-input-progressOutput').prop('checked') ? 2 : 1;
      // Going from 2 outputs to 1: an output map tells the editor to drop the progress wires.
      var current = Number(node.outputs) || 1;
      $('#node-input-outputs').val(outputs < current ? JSON.stringify({ 0: '0', 1: '-1' }) : String(outputs));
    },
  };
})();
