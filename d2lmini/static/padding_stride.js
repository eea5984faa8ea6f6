/* d2lmini padding-and-stride explorer (d2lmini.padding_stride_html), no kernel needed.
 *
 * fitReport says in words how a k x k kernel with padding p and stride s fits an n x n input;
 * it is written word for word like fit_report in d2lmini/shape_widgets.py, and node's tests
 * compare the two. wire(root) draws the SVG of one <div class="d2lmini-padstride">; every one
 * on the page not yet wired (data-ready) gets wired.
 */
(function () {
'use strict';

function fitReport(n, k, p, s) {
  var padded = n + 2 * p, room = n + 2 * p - k;
  if (room < 0) {
    return {padded: padded, out: 0, dropped: 0, dropped_input: 0,
      formula: 'n + 2p - k = ' + n + ' + 2*' + p + ' - ' + k + ' = ' + room + ' < 0',
      text: 'The ' + k + 'x' + k + ' kernel does not fit: the padded input is only ' + padded +
        ' wide (n + 2p = ' + n + ' + 2*' + p + '), less than k = ' + k +
        '. PyTorch raises an error; add padding or use a smaller kernel.'};
  }
  var quotient = Math.floor(room / s), rem = room % s, out = quotient + 1, text;
  var formula = 'floor((n + 2p - k) / s) + 1 = floor((' + n + ' + 2*' + p + ' - ' + k + ') / ' + s +
    ') + 1 = ' + out;
  var windows = out + (out === 1 ? ' window' : ' windows') + ' per row';
  if (rem === 0) {
    text = 'Fits exactly: (n + 2p - k) / s = ' + room + ' / ' + s + ' = ' + quotient + ', so ' + windows +
      ' and the output is ' + out + 'x' + out + '; the last window ends on the last column.';
    if (s === 1 && out === n) { text += " Same size as the input: this is 'same' padding."; }
  } else {
    var last = quotient * s, starts;
    if (out === 1) {
      starts = 'The only window in each row starts at column 0 and ends';
    } else {
      var columns = out === 2 ? '0 and ' + s : (out === 3 ? '0, ' + s + ' and ' + (2 * s) :
        '0, ' + s + ', ..., ' + last);
      starts = 'The ' + windows + ' start at columns ' + columns + ' and the last one ends';
    }
    var one = rem === 1;
    text = 'Does not fit exactly: (n + 2p - k) / s = ' + room + ' / ' + s + ' = ' + quotient +
      ' remainder ' + rem + '. ' + starts + ' at column ' + (last + k - 1) + ', so ' +
      (one ? 'the last column' : 'the last ' + rem + ' columns') + ' of the padded input ' +
      (one ? 'is' : 'are') + ' never covered. PyTorch rounds down and drops ' +
      (one ? 'it' : 'them') + ' silently: the output is ' + out + 'x' + out + '.';
    var lost = Math.max(0, rem - p);
    if (lost === rem) {
      text += ' ' + (one ? 'It holds' : 'They hold') + ' real input pixels: that part of the image is never seen.';
    } else if (lost) {
      text += ' ' + lost + ' of them ' + (lost === 1 ? 'holds' : 'hold') +
        ' real input pixels: that part of the image is never seen.';
    } else {
      text += ' ' + (one ? 'It is' : 'They are') + ' padding only, so no input pixel is lost.';
    }
  }
  if (p >= k) { text += ' With p >= k, the first row and column of windows see only padding zeros.'; }
  return {padded: padded, out: out, dropped: rem, dropped_input: Math.max(0, rem - p),
    formula: formula, text: text};
}

function wire(root) {
    if (root.getAttribute('data-ready')) { return; }
    root.setAttribute('data-ready', '1');
    var uid = root.id, q = function (name) { return root.querySelector('#' + uid + '-' + name); };
    function rect(x, y, w, h, fill, stroke, extra) {
      return '<rect x="' + x + '" y="' + y + '" width="' + w + '" height="' + h + '" fill="' + fill +
        '" stroke="' + stroke + '" ' + (extra || '') + '/>';
    }
    function draw() {
      var n = +q('n').value, k = +q('k').value, p = +q('p').value, s = +q('s').value;
      ['n', 'k', 'p', 's'].forEach(function (v) { q(v + 'v').textContent = q(v).value; });
      var r = fitReport(n, k, p, s), N = r.padded, out = r.out, w = q('w');
      w.max = Math.max(out * out - 1, 0);
      if (+w.value > +w.max) { w.value = w.max; }
      w.disabled = out === 0;
      var idx = +w.value, wr = out ? Math.floor(idx / out) : 0, wc = out ? idx % out : 0;
      q('wv').textContent = out ? '(' + wr + ', ' + wc + ')' : '-';
      var c = Math.max(6, Math.min(22, Math.floor(300 / Math.max(N, k)))), parts = [], i, j;
      for (i = 0; i < N; i++) {
        for (j = 0; j < N; j++) {
          var pad = i < p || j < p || i >= p + n || j >= p + n;
          var lost = out > 0 && (i >= N - r.dropped || j >= N - r.dropped);
          parts.push(rect(j * c, i * c + 18, c, c, lost ? '#f3a5a5' : (pad ? '#ffffff' : '#cddff0'),
            pad ? '#999' : '#6b8fb5', pad ? 'stroke-dasharray="2,2"' : ''));
        }
      }
      if (out === 0) {
        parts.push(rect(0, 18, k * c, k * c, 'none', '#d62728', 'stroke-width="3"'));
      } else {
        for (i = 0; i < out; i++) {
          for (j = 0; j < out; j++) {
            parts.push('<circle cx="' + (j * s * c + 3) + '" cy="' + (i * s * c + 21) + '" r="2" fill="#333"/>');
          }
        }
        parts.push(rect(wc * s * c, wr * s * c + 18, k * c, k * c, 'rgba(255,127,14,0.25)', '#ff7f0e',
          'stroke-width="3"'));
        var x0 = Math.max(N, k) * c + 40;
        for (i = 0; i < out; i++) {
          for (j = 0; j < out; j++) {
            parts.push(rect(x0 + j * c, i * c + 18, c, c, (i === wr && j === wc) ? '#ff7f0e' : '#e8e8e8', '#777'));
          }
        }
        parts.push('<text x="' + x0 + '" y="12" font-size="12">output ' + out + 'x' + out + '</text>');
      }
      parts.push('<text x="0" y="12" font-size="12">padded input ' + N + 'x' + N + '</text>');
      var svg = q('svg');
      var width = Math.max(N, k) * c + 60 + out * c, height = Math.max(N, k, out) * c + 24;
      svg.setAttribute('width', width);
      svg.setAttribute('height', height);
      svg.setAttribute('viewBox', '0 0 ' + width + ' ' + height);  /* so it can shrink to a phone's column */
      svg.innerHTML = parts.join('');
      q('formula').textContent = r.formula;
      q('text').textContent = r.text;
      q('text').style.color = out === 0 ? '#b00' : (r.dropped ? '#a35200' : '#1a6b1a');
    }
    ['n', 'k', 'p', 's', 'w'].forEach(function (v) { q(v).addEventListener('input', draw); });
    draw();
}

function init(doc) {
  Array.prototype.forEach.call(doc.querySelectorAll('div.d2lmini-padstride'), wire);
}

if (typeof module !== 'undefined' && module.exports) {
  module.exports = {fitReport: fitReport, init: init};
} else if (typeof document !== 'undefined') {
  /* The widget around this script first (it may sit in a sandboxed or not yet attached output), then any other. */
  var here = document.currentScript, own = here && here.closest ? here.closest('div.d2lmini-padstride') : null;
  if (own) { wire(own); }
  init(document);
}
})();
