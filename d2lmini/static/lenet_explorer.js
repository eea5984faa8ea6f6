/* d2lmini LeNet explorer (d2lmini.explore_lenet): a trained LeNet running in the page, no kernel needed.
 *
 * Markup (made by d2lmini/lenet_explorer.py): <div class="d2lx"> holding the data in
 * <script type="application/json" class="d2lx-data">: {net: {input: [C, H, W], layers: [...]},
 * classes, captions, images (base64 uint8 pixels)}. Layers: {op: 'conv', cin, cout, k, stride, pad,
 * w, b}, {op: 'dense', nin, nout, w, b} (weights float16 little-endian in base64, batch norm folded
 * in), {op: 'relu'|'sigmoid'|'tanh'}, {op: 'maxpool'|'avgpool', k, stride}, {op: 'flatten'}; a layer
 * with a `title` is shown. This script builds the page: the test pictures, a 28x28 drawing canvas
 * (values 0..1 like the loader's uint8 / 255), the class probabilities, every shown layer's maps,
 * the kernels, and the receptive field of a clicked pixel. Every explorer on the page that is not
 * yet wired (data-ready) gets wired. The forward pass and the geometry are pure functions,
 * exported for node's tests (tests/js/lenet_explorer.test.js compares them with PyTorch).
 */
(function () {
  'use strict';

  /* ---------- numbers ---------- */

  /* One IEEE 754 half-precision value (as its 16 bits) to a number. */
  function halfToFloat(bits) {
    var sign = bits & 0x8000 ? -1 : 1, exp = (bits >> 10) & 0x1f, frac = bits & 0x3ff;
    if (exp === 0) { return sign * frac * Math.pow(2, -24); }           /* zero and subnormals */
    if (exp === 31) { return frac ? NaN : sign * Infinity; }
    return sign * (1 + frac / 1024) * Math.pow(2, exp - 15);
  }

  function base64Bytes(b64) {
    if (typeof atob === 'function') {
      var raw = atob(b64), out = new Uint8Array(raw.length);
      for (var i = 0; i < raw.length; i++) { out[i] = raw.charCodeAt(i); }
      return out;
    }
    return new Uint8Array(Buffer.from(b64, 'base64'));
  }

  /* Little-endian float16 values in base64 to a Float64Array. */
  function decodeHalf(b64) {
    var bytes = base64Bytes(b64), out = new Float64Array(bytes.length >> 1);
    for (var i = 0; i < out.length; i++) { out[i] = halfToFloat(bytes[2 * i] | (bytes[2 * i + 1] << 8)); }
    return out;
  }

  /* uint8 pixels in base64 to floats in 0..1: the loader's pre-processing (uint8 / 255, nothing else). */
  function decodeImage(b64) {
    var bytes = base64Bytes(b64), out = new Float64Array(bytes.length);
    for (var i = 0; i < bytes.length; i++) { out[i] = bytes[i] / 255; }
    return out;
  }

  /* ---------- the forward pass; a tensor is {c, h, w, data} (data row-major, channel first) ---------- */

  /* Cross-correlation of x with weights w (cout, cin, k, k), bias b, zero padding pad, stride s (as nn.Conv2d). */
  function conv2d(x, w, b, cout, k, pad, s) {
    var oh = Math.floor((x.h + 2 * pad - k) / s) + 1, ow = Math.floor((x.w + 2 * pad - k) / s) + 1;
    var out = new Float64Array(cout * oh * ow), cin = x.c, H = x.h, W = x.w, X = x.data;
    for (var o = 0; o < cout; o++) {
      for (var i = 0; i < oh; i++) {
        for (var j = 0; j < ow; j++) {
          var t = b[o];
          for (var c = 0; c < cin; c++) {
            var wBase = ((o * cin + c) * k) * k, xBase = c * H * W;
            for (var a = 0; a < k; a++) {
              var r = i * s - pad + a;
              if (r < 0 || r >= H) { continue; }
              for (var d = 0; d < k; d++) {
                var q = j * s - pad + d;
                if (q >= 0 && q < W) { t += X[xBase + r * W + q] * w[wBase + a * k + d]; }
              }
            }
          }
          out[(o * oh + i) * ow + j] = t;
        }
      }
    }
    return {c: cout, h: oh, w: ow, data: out};
  }

  /* Max or average pooling with a k x k window and stride s, no padding (as nn.MaxPool2d / nn.AvgPool2d). */
  function pool2d(x, k, s, kind) {
    var oh = Math.floor((x.h - k) / s) + 1, ow = Math.floor((x.w - k) / s) + 1;
    var out = new Float64Array(x.c * oh * ow);
    for (var c = 0; c < x.c; c++) {
      for (var i = 0; i < oh; i++) {
        for (var j = 0; j < ow; j++) {
          var m = -Infinity, t = 0;
          for (var a = 0; a < k; a++) {
            for (var d = 0; d < k; d++) {
              var v = x.data[(c * x.h + i * s + a) * x.w + j * s + d];
              m = Math.max(m, v);
              t += v;
            }
          }
          out[(c * oh + i) * ow + j] = kind === 'maxpool' ? m : t / (k * k);
        }
      }
    }
    return {c: x.c, h: oh, w: ow, data: out};
  }

  /* y = W x + b with W of shape (nout, nin), as nn.Linear. */
  function dense(x, w, b, nout) {
    var nin = x.data.length, out = new Float64Array(nout);
    for (var o = 0; o < nout; o++) {
      var t = b[o];
      for (var i = 0; i < nin; i++) { t += w[o * nin + i] * x.data[i]; }
      out[o] = t;
    }
    return {c: nout, h: 1, w: 1, data: out};
  }

  function activate(x, kind) {
    var f = {relu: function (v) { return v > 0 ? v : 0; },
      sigmoid: function (v) { return 1 / (1 + Math.exp(-v)); },
      tanh: Math.tanh}[kind];
    return {c: x.c, h: x.h, w: x.w, data: x.data.map(f)};
  }

  function softmax(z) {
    var m = Math.max.apply(null, Array.from(z)), e = Array.from(z, function (v) { return Math.exp(v - m); });
    var s = e.reduce(function (a, b) { return a + b; }, 0);
    return e.map(function (v) { return v / s; });
  }

  /* The layers with their weights decoded (w, b as Float64Array); other fields as given. */
  function prepare(net) {
    return net.layers.map(function (layer) {
      var out = {};
      Object.keys(layer).forEach(function (key) { out[key] = layer[key]; });
      if (layer.w) { out.w = decodeHalf(layer.w); out.b = decodeHalf(layer.b); }
      return out;
    });
  }

  /* Every tensor of the forward pass: [input, output of layer 0, output of layer 1, ...]; the last
     holds the class scores (logits). `image` is a flat C*H*W array of values 0..1. */
  function forward(layers, input, image) {
    var x = {c: input[0], h: input[1], w: input[2], data: Float64Array.from(image)}, acts = [x];
    layers.forEach(function (L) {
      if (L.op === 'conv') { x = conv2d(x, L.w, L.b, L.cout, L.k, L.pad, L.stride); }
      else if (L.op === 'dense') { x = dense(x, L.w, L.b, L.nout); }
      else if (L.op === 'maxpool' || L.op === 'avgpool') { x = pool2d(x, L.k, L.stride, L.op); }
      else if (L.op === 'flatten') { x = {c: x.c * x.h * x.w, h: 1, w: 1, data: x.data}; }
      else if (L.op === 'relu' || L.op === 'sigmoid' || L.op === 'tanh') { x = activate(x, L.op); }
      else { throw new Error('unknown layer ' + L.op); }
      acts.push(x);
    });
    return acts;
  }

  /* What element (ch, i, j) of tensor t (0 = the input, t = output of layer t - 1) depends on, in
     every tensor before it: a list indexed by tensor of {ch (-1: all channels), r0, r1, c0, c1}
     (unclipped: rows/columns outside 0..h-1 are zero padding) or {all: true} once a dense layer
     mixes everything. `shapes[t]` is tensor t's [c, h, w]. */
  function receptiveField(layers, shapes, t, ch, i, j) {
    var out = [], cur = {ch: ch, r0: i, r1: i, c0: j, c1: j};
    out[t] = cur;
    for (var L = t - 1; L >= 0; L--) {
      var layer = layers[L], prev;
      if (cur.all) { prev = {all: true}; }
      else if (layer.op === 'conv') {
        prev = {ch: -1, r0: cur.r0 * layer.stride - layer.pad, r1: cur.r1 * layer.stride - layer.pad + layer.k - 1,
          c0: cur.c0 * layer.stride - layer.pad, c1: cur.c1 * layer.stride - layer.pad + layer.k - 1};
      } else if (layer.op === 'maxpool' || layer.op === 'avgpool') {
        prev = {ch: cur.ch, r0: cur.r0 * layer.stride, r1: cur.r1 * layer.stride + layer.k - 1,
          c0: cur.c0 * layer.stride, c1: cur.c1 * layer.stride + layer.k - 1};
      } else if (layer.op === 'flatten') {
        var s = shapes[L], hw = s[1] * s[2], u = cur.ch;
        prev = {ch: Math.floor(u / hw), r0: Math.floor((u % hw) / s[2]), r1: Math.floor((u % hw) / s[2]),
          c0: u % s[2], c1: u % s[2]};
      } else if (layer.op === 'dense') { prev = {all: true}; }
      else { prev = cur; }                                            /* activations: element-wise */
      out[L] = prev;
      cur = prev;
    }
    return out;
  }

  /* A range clipped to a tensor of shape [c, h, w], or null when it lies outside. */
  function clipRange(range, shape) {
    if (range.all) { return {ch: -1, r0: 0, r1: shape[1] - 1, c0: 0, c1: shape[2] - 1}; }
    var r = {ch: range.ch, r0: Math.max(0, range.r0), r1: Math.min(shape[1] - 1, range.r1),
      c0: Math.max(0, range.c0), c1: Math.min(shape[2] - 1, range.c1)};
    return r.r0 > r.r1 || r.c0 > r.c1 ? null : r;
  }

  /* The shown stages: {layer (its index), tensor (= layer + 1), title, shape, conv (index of the conv
     layer whose channels these are, or -1), units (true for flat vectors)}. The last layer (the class
     scores) is shown as probabilities, not as a stage. */
  function stages(layers, input) {
    var shapes = [input], out = [], conv = -1;
    layers.forEach(function (L, k) {
      shapes.push(L.shape);
      if (L.op === 'conv') { conv = k; } else if (L.op === 'dense' || L.op === 'flatten') { conv = -1; }
      if (L.title && k < layers.length - 1) {
        out.push({layer: k, tensor: k + 1, title: L.title, shape: L.shape, conv: conv, units: L.shape[1] === 1 && L.shape[2] === 1 && L.op !== 'conv'});
      }
    });
    return {stages: out, shapes: shapes};
  }

  /* ---------- drawing on the 28x28 picture ---------- */

  /* How much of pixel (r, c) a round brush of radius `radius` centred at (x, y) covers, 0..1
     (pixel (r, c) spans x in [c, c + 1], y in [r, r + 1]; an anti-aliased edge one pixel wide). */
  function coverage(r, c, x, y, radius) {
    var d = Math.sqrt(Math.pow(c + 0.5 - x, 2) + Math.pow(r + 0.5 - y, 2));
    return Math.max(0, Math.min(1, radius + 0.5 - d));
  }

  /* Add a straight stroke from (x0, y0) to (x1, y1) to `cov` (h x w, the largest coverage so far of
     this stroke), then set img = base * (1 - cov) + value * cov: the stroke paints `value` (0 erases)
     over the picture as it was when the stroke began. */
  function stroke(img, base, cov, h, w, x0, y0, x1, y1, radius, value) {
    var steps = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0) * 4));
    var rMin = Math.max(0, Math.floor(Math.min(y0, y1) - radius - 1)), rMax = Math.min(h - 1, Math.ceil(Math.max(y0, y1) + radius + 1));
    var cMin = Math.max(0, Math.floor(Math.min(x0, x1) - radius - 1)), cMax = Math.min(w - 1, Math.ceil(Math.max(x0, x1) + radius + 1));
    for (var s = 0; s <= steps; s++) {
      var x = x0 + (x1 - x0) * s / steps, y = y0 + (y1 - y0) * s / steps;
      for (var r = rMin; r <= rMax; r++) {
        for (var c = cMin; c <= cMax; c++) { cov[r * w + c] = Math.max(cov[r * w + c], coverage(r, c, x, y, radius)); }
      }
    }
    for (var r2 = rMin; r2 <= rMax; r2++) {
      for (var c2 = cMin; c2 <= cMax; c2++) {
        var p = r2 * w + c2;
        img[p] = base[p] * (1 - cov[p]) + value * cov[p];
      }
    }
  }

  /* ---------- colours ---------- */

  var VIRIDIS = [[68, 1, 84], [72, 40, 120], [62, 74, 137], [49, 104, 142], [38, 130, 142], [31, 158, 137],
    [53, 183, 121], [110, 206, 88], [181, 222, 43], [253, 231, 37]];

  /* matplotlib's viridis at t in 0..1 (clipped), as [r, g, b]. */
  function viridis(t) {
    t = Math.max(0, Math.min(1, isFinite(t) ? t : 0)) * (VIRIDIS.length - 1);
    var i = Math.min(VIRIDIS.length - 2, Math.floor(t)), f = t - i;
    return VIRIDIS[i].map(function (v, n) { return Math.round(v + (VIRIDIS[i + 1][n] - v) * f); });
  }

  /* matplotlib's bwr for v scaled by m (the largest |value|): blue < 0 (white) < red. */
  function bwr(v, m) {
    var t = m > 0 ? Math.max(-1, Math.min(1, v / m)) : 0, c = Math.round(255 * (1 - Math.abs(t)));
    return t >= 0 ? [255, c, c] : [c, c, 255];
  }

  function gray(v) { var g = Math.round(255 * Math.max(0, Math.min(1, v))); return [g, g, g]; }

  /* The colour rule of one stage: values >= 0 on viridis from 0 to the stage's largest value, values of
     both signs on bwr scaled by the largest |value|; returns {signed, max, color(v)}. */
  function scaleFor(data) {
    var lo = Infinity, hi = -Infinity;
    for (var i = 0; i < data.length; i++) { lo = Math.min(lo, data[i]); hi = Math.max(hi, data[i]); }
    if (lo < 0) {
      var m = Math.max(-lo, hi);
      return {signed: true, max: m, color: function (v) { return bwr(v, m); }};
    }
    return {signed: false, max: hi, color: function (v) { return viridis(hi > 0 ? v / hi : 0); }};
  }

  function fmt(v, digits) {
    if (!isFinite(v)) { return String(v); }
    var d = digits === undefined ? 2 : digits, s = v.toFixed(d);
    return s === '-' + (0).toFixed(d) ? (0).toFixed(d) : s;
  }

  /* ---------- the page ---------- */

  function el(tag, cls, parent, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    if (parent) { parent.appendChild(e); }
    return e;
  }

  /* Paint values (h x w, colour function) on a canvas of any size, one block per value. */
  function paint(canvas, values, h, w, color, offset) {
    var ctx = canvas.getContext('2d'), img = ctx.createImageData(w, h), o = offset || 0;
    for (var p = 0; p < h * w; p++) {
      var rgb = color(values[o + p]);
      img.data[4 * p] = rgb[0]; img.data[4 * p + 1] = rgb[1]; img.data[4 * p + 2] = rgb[2]; img.data[4 * p + 3] = 255;
    }
    var small = canvas._d2lxSmall || (canvas._d2lxSmall = document.createElement('canvas'));
    small.width = w; small.height = h;
    small.getContext('2d').putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(small, 0, 0, canvas.width, canvas.height);
  }

  /* Outline rows r0..r1, columns c0..c1 of an h x w grid drawn on `canvas`: the line runs on the
     block's border (half outside, so a single pixel stays visible), kept inside the canvas. */
  function outline(canvas, h, w, range, color, width) {
    var ctx = canvas.getContext('2d'), sx = canvas.width / w, sy = canvas.height / h, lw = width || 2;
    var x0 = Math.max(lw / 2, range.c0 * sx), y0 = Math.max(lw / 2, range.r0 * sy);
    var x1 = Math.min(canvas.width - lw / 2, (range.c1 + 1) * sx), y1 = Math.min(canvas.height - lw / 2, (range.r1 + 1) * sy);
    ctx.lineWidth = lw;
    ctx.strokeStyle = color;
    ctx.strokeRect(x0, y0, x1 - x0, y1 - y0);
  }

  function makeCanvas(parent, cls, w, h, label) {
    var c = el('canvas', cls, parent);
    c.width = w; c.height = h;
    c.setAttribute('role', 'img');
    c.setAttribute('aria-label', label);
    return c;
  }

  var FIELD = '#e8112d', PICKED = '#ff00ff';

  function wire(root) {
    if (root.getAttribute('data-ready')) { return; }
    root.setAttribute('data-ready', '1');
    var data = JSON.parse(root.querySelector('script.d2lx-data').textContent);
    var noscript = root.querySelector('.d2lx-noscript');
    if (noscript) { noscript.parentNode.removeChild(noscript); }
    var input = data.net.input, H = input[1], W = input[2], layers = prepare(data.net);
    var info = stages(layers, input), shapes = info.shapes, shown = info.stages;
    var images = data.images.map(decodeImage), picture = images[0].slice(), current = 0, acts = null;
    var brush = {value: 1, radius: 1.2}, selected = null, pending = false;

    /* pictures to pick */
    var pick = el('div', 'd2lx-pick', root);
    el('div', 'd2lx-label', pick, 'Pick a test picture, or draw on the big one (it keeps what you draw over):');
    var thumbs = el('div', 'd2lx-thumbs', pick);
    var thumbButtons = images.map(function (img, k) {
      var b = el('button', 'd2lx-thumb', thumbs);
      b.type = 'button';
      var cv = makeCanvas(b, '', W, H, 'test picture: ' + data.captions[k]);
      paint(cv, img, H, W, gray);
      el('span', '', b, data.captions[k]);
      b.addEventListener('click', function () { current = k; picture = images[k].slice(); press(); schedule(); });
      return b;
    });
    function press() {
      thumbButtons.forEach(function (b, k) { b.setAttribute('aria-pressed', String(k === current)); });
    }

    /* the picture, the tools, the probabilities */
    var main = el('div', 'd2lx-main', root);
    var box = el('div', 'd2lx-inputbox', main);
    var canvas = makeCanvas(box, 'd2lx-input', 10 * W, 10 * H, 'the input picture; draw on it');
    var tools = el('div', 'd2lx-tools', box);
    var toolSpecs = [['white', 'brush', 1], ['grey', 'brush', 0.5], ['eraser', 'brush', 0],
      ['thin', 'size', 1.2], ['thick', 'size', 2.4]];
    var toolButtons = toolSpecs.map(function (t) {
      var b = el('button', 'd2lx-tool', tools, t[0]);
      b.type = 'button';
      b.addEventListener('click', function () {
        if (t[1] === 'brush') { brush.value = t[2]; } else { brush.radius = t[2]; }
        pressTools();
      });
      return b;
    });
    function pressTools() {
      toolButtons.forEach(function (b, k) {
        var t = toolSpecs[k];
        b.setAttribute('aria-pressed', String(t[1] === 'brush' ? brush.value === t[2] : brush.radius === t[2]));
      });
    }
    var clear = el('button', 'd2lx-tool', tools, 'clear');
    clear.type = 'button';
    clear.addEventListener('click', function () { current = -1; picture = new Float64Array(H * W); press(); schedule(); });
    var probs = el('div', 'd2lx-probs', main);
    el('div', 'd2lx-label', probs, 'What the network says (softmax of the class scores):');
    var rows = data.classes.map(function (name) {
      var row = el('div', 'd2lx-prob', probs);
      var label = el('span', 'd2lx-class', row, name);
      var bar = el('span', 'd2lx-bar', row);
      var fill = el('span', 'd2lx-fill', bar);
      var pct = el('span', 'd2lx-pct', row);
      return {row: row, label: label, fill: fill, pct: pct};
    });
    el('p', 'd2lx-note', root, 'Below, what each layer passes on (colours: dark = 0, yellow = the ' +
      'layer\'s largest value; blue < 0 < red where values have both signs). Click any pixel of a map ' +
      'to see which input pixels it depends on (its receptive field, outlined in red).');

    /* the stages */
    var detail = el('div', 'd2lx-detail');
    var detailInput = makeCanvas(detail, 'd2lx-detail-input', 5 * W, 5 * H, 'the input with the receptive field');
    var detailText = el('div', 'd2lx-detail-text', detail);
    detailText.setAttribute('aria-live', 'polite');
    var detailKernels = el('div', 'd2lx-kernels', detail);
    var views = shown.map(function (st, n) {
      var sec = el('div', 'd2lx-stage', root), c = st.shape[0], h = st.shape[1], w = st.shape[2];
      el('div', 'd2lx-title', sec, st.title + ': ' + (st.units ? c + ' units' : c + ' maps of ' + h + 'x' + w));
      var view = {stage: st, sec: sec, tiles: [], kernelTiles: []};
      if (st.units) {
        var cols = Math.min(c, 20), rowsN = Math.ceil(c / cols);
        view.cols = cols; view.rows = rowsN;
        view.canvas = makeCanvas(sec, 'd2lx-units', cols * 16, rowsN * 16, st.title + ', ' + c + ' units');
        view.canvas.addEventListener('click', function (e) {
          var r = e.target.getBoundingClientRect();
          var u = Math.floor((e.clientY - r.top) / r.height * rowsN) * cols + Math.floor((e.clientX - r.left) / r.width * cols);
          if (u >= 0 && u < c) { select(n, u, 0, 0); }
        });
        return view;
      }
      var grid = el('div', 'd2lx-grid', sec), scale = Math.max(8, Math.ceil(120 / Math.max(h, w)));
      grid.style.setProperty('--d2lx-tile', (h >= 20 ? 104 : h >= 12 ? 76 : 64) + 'px');
      /* a first-layer conv stage (one input channel) shows each map's kernel above it */
      var withKernels = st.conv >= 0 && layers[st.conv].cin === 1 && st.tensor <= st.conv + 2;
      for (var ch = 0; ch < c; ch++) {
        var tile = el('figure', 'd2lx-tile', grid);
        if (withKernels) {
          var kc = makeCanvas(tile, 'd2lx-kernel', 5 * layers[st.conv].k, 5 * layers[st.conv].k,
            'kernel of map ' + ch);
          view.kernelTiles.push(kc);
        }
        var cv = makeCanvas(tile, 'd2lx-map', w * scale, h * scale, st.title + ', map ' + ch);
        (function (channel) {
          cv.addEventListener('click', function (e) {
            var r = e.target.getBoundingClientRect();
            var i = Math.floor((e.clientY - r.top) / r.height * h), j = Math.floor((e.clientX - r.left) / r.width * w);
            if (i >= 0 && i < h && j >= 0 && j < w) { select(n, channel, i, j); }
          });
        })(ch);
        el('figcaption', '', tile, 'map ' + ch);
        view.tiles.push(cv);
      }
      if (view.kernelTiles.length) {
        el('div', 'd2lx-small', sec, 'Above each map: its 5x5 kernel (batch norm folded in; blue < 0 < red).');
      }
      return view;
    });

    function select(n, ch, i, j) {
      selected = {stage: n, ch: ch, i: i, j: j};
      views[n].sec.appendChild(detail);
      render();
    }

    /* drawing: pointer events (mouse, touch, pen); mouse and touch events where there are none */
    var drawing = false, last = null, base = null, cov = null;
    function pos(e) {
      var r = canvas.getBoundingClientRect(), p = e.touches ? e.touches[0] : e;
      return [(p.clientX - r.left) / r.width * W, (p.clientY - r.top) / r.height * H];
    }
    function down(e) {
      drawing = true; last = pos(e); base = picture.slice(); cov = new Float64Array(H * W);
      current = -1; press();
      if (e.pointerId !== undefined && canvas.setPointerCapture) { canvas.setPointerCapture(e.pointerId); }
      stroke(picture, base, cov, H, W, last[0], last[1], last[0], last[1], brush.radius, brush.value);
      schedule();
      e.preventDefault();
    }
    function move(e) {
      if (!drawing) { return; }
      var p = pos(e);
      stroke(picture, base, cov, H, W, last[0], last[1], p[0], p[1], brush.radius, brush.value);
      last = p;
      schedule();
      e.preventDefault();
    }
    function up() { drawing = false; }
    if (window.PointerEvent) {
      canvas.addEventListener('pointerdown', down);
      canvas.addEventListener('pointermove', move);
      canvas.addEventListener('pointerup', up);
      canvas.addEventListener('pointercancel', up);
    } else {
      canvas.addEventListener('mousedown', down);
      window.addEventListener('mousemove', move);
      window.addEventListener('mouseup', up);
      canvas.addEventListener('touchstart', down, {passive: false});
      canvas.addEventListener('touchmove', move, {passive: false});
      canvas.addEventListener('touchend', up);
    }

    function schedule() {
      if (pending) { return; }
      pending = true;
      (window.requestAnimationFrame || function (f) { setTimeout(f, 16); })(function () { pending = false; render(); });
    }

    function render() {
      acts = forward(layers, input, picture);
      var p = softmax(acts[acts.length - 1].data), best = p.indexOf(Math.max.apply(null, p));
      rows.forEach(function (r, k) {
        r.fill.style.width = (100 * p[k]).toFixed(1) + '%';
        r.pct.textContent = (100 * p[k]).toFixed(1) + ' %';
        r.row.classList.toggle('d2lx-best', k === best);
        r.row.classList.toggle('d2lx-true', current >= 0 && data.captions[current] === data.classes[k]);
      });
      var field = selected ? receptiveField(layers, shapes, shown[selected.stage].tensor, selected.ch, selected.i, selected.j) : [];
      paint(canvas, picture, H, W, gray);
      var inField = field[0] && clipRange(field[0], shapes[0]);
      if (inField) { outline(canvas, H, W, inField, FIELD, 3); }
      views.forEach(function (view, n) {
        var st = view.stage, t = acts[st.tensor], sc = scaleFor(t.data), c = t.c, h = t.h, w = t.w;
        var range = field[st.tensor] && clipRange(field[st.tensor], st.shape);
        if (st.units) {
          var cells = new Float64Array(view.cols * view.rows).fill(NaN);
          cells.set(t.data);
          paint(view.canvas, cells, view.rows, view.cols, function (v) { return isNaN(v) ? [255, 255, 255] : sc.color(v); });
          if (selected && selected.stage === n) {
            outline(view.canvas, view.rows, view.cols, {r0: Math.floor(selected.ch / view.cols), r1: Math.floor(selected.ch / view.cols),
              c0: selected.ch % view.cols, c1: selected.ch % view.cols}, PICKED, 3);
          }
          return;
        }
        view.tiles.forEach(function (cv, ch) {
          paint(cv, t.data, h, w, sc.color, ch * h * w);
          if (selected && selected.stage === n && selected.ch === ch) {
            outline(cv, h, w, {r0: selected.i, r1: selected.i, c0: selected.j, c1: selected.j}, PICKED, Math.max(3, cv.width / w / 2));
          } else if (range && !field[st.tensor].all && (range.ch === -1 || range.ch === ch)) {
            outline(cv, h, w, range, FIELD, Math.max(2, cv.width / w / 4));
          }
        });
        view.kernelTiles.forEach(function (kc, ch) {
          var L = layers[st.conv], kk = L.k * L.k, m = 0;
          for (var q = 0; q < kk; q++) { m = Math.max(m, Math.abs(L.w[ch * kk + q])); }
          paint(kc, L.w, L.k, L.k, function (v) { return bwr(v, m); }, ch * kk);
        });
      });
      if (selected) { describe(field); }
    }

    /* the detail box: the input with the receptive field, the words, the kernels of the picked map */
    function describe(field) {
      var st = shown[selected.stage], t = acts[st.tensor], ch = selected.ch, h = st.shape[1], w = st.shape[2];
      var value = t.data[(ch * h + selected.i) * w + selected.j];
      paint(detailInput, picture, H, W, gray);
      var f = field[0], text;
      if (f.all) {
        text = st.title + ', unit ' + ch + ' = ' + fmt(value) + '. A dense layer mixes all its inputs: this unit ' +
          'depends on every pixel of the picture.';
      } else {
        var clipped = clipRange(f, shapes[0]);
        outline(detailInput, H, W, clipped, FIELD, 3);
        var pad = (f.r1 - f.r0 + 1) * (f.c1 - f.c0 + 1) - (clipped.r1 - clipped.r0 + 1) * (clipped.c1 - clipped.c0 + 1);
        text = st.title + ', map ' + ch + ', pixel (' + selected.i + ', ' + selected.j + ') = ' + fmt(value) +
          '. It depends on input rows ' + clipped.r0 + '-' + clipped.r1 + ' and columns ' + clipped.c0 + '-' + clipped.c1 +
          ': a ' + (f.r1 - f.r0 + 1) + 'x' + (f.c1 - f.c0 + 1) + ' receptive field' +
          (pad > 0 ? ' (' + pad + ' of its pixels lie in the zero padding outside the picture)' : '') + '.';
      }
      detailText.textContent = text;
      while (detailKernels.firstChild) { detailKernels.removeChild(detailKernels.firstChild); }
      if (st.conv >= 0 && !st.units) {
        var L = layers[st.conv], kk = L.k * L.k, m = 0;
        for (var q = 0; q < L.cin * kk; q++) { m = Math.max(m, Math.abs(L.w[ch * L.cin * kk + q])); }
        el('div', 'd2lx-small', detailKernels, 'Map ' + ch + ' of ' + L.name + (L.cin > 1
          ? ' adds up ' + L.cin + ' cross-correlations, one ' + L.k + 'x' + L.k + ' kernel per input map,'
          : ' is the picture cross-correlated with one ' + L.k + 'x' + L.k + ' kernel,') +
          ' plus a bias of ' + fmt(L.b[ch]) + ' (batch norm folded in; blue < 0 < red, largest |weight| ' + fmt(m) + '):');
        var row = el('div', 'd2lx-kernel-row', detailKernels);
        for (var c = 0; c < L.cin; c++) {
          var fig = el('figure', 'd2lx-tile', row);
          paint(makeCanvas(fig, 'd2lx-kernel', 6 * L.k, 6 * L.k, 'kernel for input map ' + c), L.w, L.k, L.k,
            function (v) { return bwr(v, m); }, (ch * L.cin + c) * kk);
          el('figcaption', '', fig, L.cin > 1 ? 'in ' + c : 'input');
        }
      }
    }

    /* start: the first picture; picked, the strongest pixel of the last stage of maps */
    press();
    pressTools();
    acts = forward(layers, input, picture);
    var lastMaps = -1;
    shown.forEach(function (st, n) { if (!st.units && st.conv >= 0 && st.tensor === st.conv + 2) { lastMaps = n; } });
    if (lastMaps < 0) { shown.forEach(function (st, n) { if (!st.units) { lastMaps = n; } }); }
    if (lastMaps >= 0) {
      var t0 = acts[shown[lastMaps].tensor], arg = 0;
      for (var q = 1; q < t0.data.length; q++) { if (t0.data[q] > t0.data[arg]) { arg = q; } }
      select(lastMaps, Math.floor(arg / (t0.h * t0.w)), Math.floor((arg % (t0.h * t0.w)) / t0.w), arg % t0.w);
    } else {
      render();
    }
  }

  function init(doc) {
    Array.prototype.forEach.call(doc.querySelectorAll('div.d2lx'), wire);
  }

  var api = {halfToFloat: halfToFloat, decodeHalf: decodeHalf, decodeImage: decodeImage, conv2d: conv2d,
    pool2d: pool2d, dense: dense, activate: activate, softmax: softmax, prepare: prepare, forward: forward,
    receptiveField: receptiveField, clipRange: clipRange, stages: stages, coverage: coverage, stroke: stroke,
    viridis: viridis, bwr: bwr, scaleFor: scaleFor, init: init};
  if (typeof module !== 'undefined' && module.exports) {
    module.exports = api;
  } else if (typeof document !== 'undefined') {
    /* The explorer around this script first (it may sit in a sandboxed or not yet attached output), then any other. */
    var here = document.currentScript, own = here && here.closest ? here.closest('div.d2lx') : null;
    if (own) { wire(own); }
    init(document);
  }
})();
