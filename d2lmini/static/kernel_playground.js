/* d2lmini kernel playground (d2lmini.kernel_playground): a live 3x3 image filter, no kernel needed.
 *
 * Markup (made by d2lmini/kernel_widgets.py): <div class="d2lk-playground"> with picture and
 * preset buttons, nine input.d2lk-weight fields, canvas.d2lk-in / canvas.d2lk-out, a .d2lk-info
 * line and the data in <script type="application/json" class="d2lk-data">. Every playground
 * on the page that is not yet wired (data-ready) gets wired. The pure functions (correlate,
 * colours, the display rule) are exported for node's tests.
 */
(function () {
  'use strict';

  /* Valid 3x3 cross-correlation of an h x w image (flat, row major), as d2lmini.corr2d: no flip,
     no padding; the output is (h - 2) x (w - 2). */
  function correlate(x, h, w, k) {
    var oh = h - 2, ow = w - 2, out = new Float64Array(oh * ow);
    for (var i = 0; i < oh; i++) {
      for (var j = 0; j < ow; j++) {
        var t = 0;
        for (var a = 0; a < 3; a++) { for (var b = 0; b < 3; b++) { t += x[(i + a) * w + j + b] * k[3 * a + b]; } }
        out[i * ow + j] = t;
      }
    }
    return out;
  }

  /* 'signed' for kernels whose weights sum to about 0 (edge detectors), else 'gray' (as display_mode). */
  function displayMode(k) {
    var sum = 0;
    k.forEach(function (v) { sum += v; });
    return Math.abs(sum) < 0.5 ? 'signed' : 'gray';
  }

  /* Grey level of a value in 0..1 (clipped), as [r, g, b]. */
  function grayRGB(v) {
    var g = Math.round(255 * Math.max(0, Math.min(1, v)));
    return [g, g, g];
  }

  /* matplotlib's bwr for a value scaled by the largest |value| m: blue < 0 (white) < red. */
  function signedRGB(v, m) {
    var t = m > 0 ? Math.max(-1, Math.min(1, v / m)) : 0, c = Math.round(255 * (1 - Math.abs(t)));
    return t >= 0 ? [255, c, c] : [c, c, 255];
  }

  /* Bytes (base64 of uint8 pixels) to floats in 0..1. */
  function decodeImage(b64) {
    var raw = typeof atob === 'function' ? atob(b64) : Buffer.from(b64, 'base64').toString('latin1');
    var x = new Float64Array(raw.length);
    for (var i = 0; i < raw.length; i++) { x[i] = raw.charCodeAt(i) / 255; }
    return x;
  }

  function fmt(v) { return String(Math.round(v * 1000) / 1000); }

  function css(rgb) { return 'rgb(' + rgb.join(',') + ')'; }

  function wire(root) {
    if (root.getAttribute('data-ready')) { return; }
    root.setAttribute('data-ready', '1');
    var data = JSON.parse(root.querySelector('script.d2lk-data').textContent);
    var each = function (list, f) { Array.prototype.forEach.call(list, f); };
    var h = data.size[0], w = data.size[1], s = data.scale, oh = h - 2, ow = w - 2, current = 0, y = null;
    var fields = root.querySelectorAll('input.d2lk-weight'), info = root.querySelector('.d2lk-info');
    var images = data.images.map(decodeImage);
    function weights() {  /* a field that is not a number counts as 0 and turns red */
      var k = [];
      each(fields, function (f) {
        var v = parseFloat(f.value), ok = isFinite(v);
        f.style.background = ok ? '' : '#fcc';
        k.push(ok ? v : 0);
      });
      return k;
    }
    function paint(canvas, x, rows, cols, color) {
      var ctx = canvas.getContext('2d');
      for (var i = 0; i < rows; i++) {
        for (var j = 0; j < cols; j++) { ctx.fillStyle = css(color(x[i * cols + j])); ctx.fillRect(j * s, i * s, s, s); }
      }
    }
    function update() {
      var k = weights(), sum = 0, m = 0, lo = Infinity, hi = -Infinity;
      y = correlate(images[current], h, w, k);
      k.forEach(function (v) { sum += v; });
      y.forEach(function (v) { m = Math.max(m, Math.abs(v)); lo = Math.min(lo, v); hi = Math.max(hi, v); });
      var signed = displayMode(k) === 'signed';
      paint(root.querySelector('.d2lk-in'), images[current], h, w, grayRGB);
      paint(root.querySelector('.d2lk-out'), y, oh, ow, signed ? function (v) { return signedRGB(v, m); } : grayRGB);
      info.textContent = 'kernel sum ' + fmt(sum) + '; output ' + oh + 'x' + ow + ' with values in [' + fmt(lo) + ', ' +
        fmt(hi) + '], shown ' + (signed ? 'blue < 0 < red (scaled by max |value| ' + fmt(m) + ')' : 'as grey levels 0..1 (clipped)');
    }
    function press(kind, index) {
      each(root.querySelectorAll('button.d2lk-' + kind), function (b, i) { b.setAttribute('aria-pressed', String(i === index)); });
    }
    each(root.querySelectorAll('button.d2lk-preset'), function (b, i) {
      b.addEventListener('click', function () {
        data.presets[i].forEach(function (v, n) { fields[n].value = v; });
        press('preset', i);
        update();
      });
    });
    each(root.querySelectorAll('button.d2lk-image'), function (b, i) {
      b.addEventListener('click', function () { current = i; press('image', i); update(); });
    });
    each(fields, function (f) { f.addEventListener('input', function () { press('preset', -1); update(); }); });
    root.querySelector('.d2lk-out').addEventListener('mousemove', function (e) {  /* tooltip: the value under the mouse */
      var r = e.target.getBoundingClientRect();
      var i = Math.floor((e.clientY - r.top) / r.height * oh), j = Math.floor((e.clientX - r.left) / r.width * ow);
      if (i >= 0 && i < oh && j >= 0 && j < ow) { e.target.title = 'Y[' + i + ', ' + j + '] = ' + fmt(y[i * ow + j]); }
    });
    press('image', 0);
    press('preset', 0);
    update();
  }

  function init(doc) {
    Array.prototype.forEach.call(doc.querySelectorAll('div.d2lk-playground'), wire);
  }

  if (typeof module !== 'undefined' && module.exports) {
    module.exports = {correlate: correlate, displayMode: displayMode, grayRGB: grayRGB, signedRGB: signedRGB,
      decodeImage: decodeImage, init: init};
  } else if (typeof document !== 'undefined') {
    /* The widget around this script first (it may sit in a sandboxed or not yet attached output), then any other. */
    var here = document.currentScript, own = here && here.closest ? here.closest('div.d2lk-playground') : null;
    if (own) { wire(own); }
    init(document);
  }
})();
