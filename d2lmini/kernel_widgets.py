"""Widgets of the convolution chapter that keep working in the static HTML book (no kernel).

- `kernel_playground`: choose a preset or type the nine numbers of a 3x3 kernel and
  see the filtered picture. The cross-correlation runs in the browser (plain HTML and
  JavaScript, no external script), so it stays live in the HTML book.
- `correlation_steps` / `stepping_pages`: one picture per output element of a 2-D
  cross-correlation (the window, the products, the sum), for `d2lmini.slider_pages`.
- `receptive_field` / `receptive_field_pages`: which input elements one output
  element of stacked convolutions depends on.

Markup is deterministic (ids come from a name or a counter, never at random), so
nbval can compare it strictly.
"""
import base64
import html
import itertools
import json
import math
import re
from collections import namedtuple
from string import Template

PRESETS = {
    'identity': [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
    'box blur': [[1 / 9] * 3] * 3,
    'Gaussian blur': [[1 / 16, 2 / 16, 1 / 16], [2 / 16, 4 / 16, 2 / 16], [1 / 16, 2 / 16, 1 / 16]],
    'sharpen': [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    'Sobel x (vertical edges)': [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
    'Sobel y (horizontal edges)': [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
    'outline (Laplacian)': [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]],
    'emboss': [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]],
}
_counter = itertools.count(1)


def _lists(x):
    return x.tolist() if hasattr(x, 'tolist') else [list(row) for row in x]


def check_kernel(kernel, what='kernel'):
    """Return `kernel` as 3 rows of 3 finite floats, or raise a ValueError that says what is wrong."""
    try:
        rows = [[float(v) for v in row] for row in _lists(kernel)]
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a 3x3 grid of numbers, got {kernel!r}") from None
    if len(rows) != 3 or any(len(row) != 3 for row in rows):
        raise ValueError(f"{what} must be 3x3, got {len(rows)} rows of lengths {[len(r) for r in rows]}")
    if not all(math.isfinite(v) for row in rows for v in row):
        raise ValueError(f"{what} holds a NaN or an infinite value: {rows}")
    return rows


def display_mode(kernel):
    """'signed' for kernels whose weights sum to about 0 (edge detectors), else 'gray'.

    Edge detectors give values around 0, shown blue < 0 < red and scaled by the largest
    |value|; blurs and sharpening keep the brightness, shown as grey levels 0..1.
    The playground uses the same rule.
    """
    return 'signed' if abs(sum(map(sum, check_kernel(kernel)))) < 0.5 else 'gray'


def _images_as_bytes(images):
    """(N, H, W) or (N, 1, H, W) images, floats in [0, 1] or uint8, as (H, W) and N byte strings."""
    import torch
    x = torch.as_tensor(images)
    x = x[:, 0] if x.dim() == 4 and x.shape[1] == 1 else x
    if x.dim() != 3 or len(x) == 0 or not (3 <= x.shape[1] <= 64 and 3 <= x.shape[2] <= 64):
        raise ValueError(f"images must have shape (N, H, W) or (N, 1, H, W) with N >= 1 and "
                         f"3 <= H, W <= 64, got {tuple(torch.as_tensor(images).shape)}")
    if x.dtype != torch.uint8:
        x = x.double()
        if not (x.min() >= 0 and x.max() <= 1):
            raise ValueError(f"float images must lie in [0, 1], got values in "
                             f"[{x.min().item():.3g}, {x.max().item():.3g}]")
        x = (x * 255).round().to(torch.uint8)
    return tuple(x.shape[1:]), [bytes(img.flatten().tolist()) for img in x]


def kernel_playground(images, labels=None, presets=None, name=None, scale=6):
    """A live 3x3 image filter in plain HTML + JavaScript: preset buttons, nine editable weights,
    the input and the output on two canvases; returns an `IPython.display.HTML`.

    The browser computes the same valid cross-correlation as `corr2d` (the output is 2 pixels
    smaller each way). Element ids come from `name` (default: a counter), so that several
    playgrounds can share a page.
    """
    from IPython.display import HTML
    (h, w), pixels = _images_as_bytes(images)
    labels = [f'image {k}' for k in range(len(pixels))] if labels is None else [str(s) for s in labels]
    if len(labels) != len(pixels):
        raise ValueError(f"got {len(pixels)} images but {len(labels)} labels")
    kernels = {str(k): check_kernel(v, f'preset {k!r}') for k, v in (PRESETS if presets is None else presets).items()}
    if not kernels:
        raise ValueError("kernel_playground needs at least one preset kernel")
    name = f'playground-{next(_counter)}' if name is None else name
    if not isinstance(name, str) or not re.fullmatch(r'[A-Za-z][A-Za-z0-9_-]{0,40}', name):
        raise ValueError(f"name must be a letter then up to 40 letters, digits, '_' or '-', got {name!r}")
    if isinstance(scale, bool) or not isinstance(scale, int) or not 1 <= scale <= 20:
        raise ValueError(f"scale (screen pixels per image pixel) must be an int in 1..20, got {scale!r}")
    data = {'size': [h, w], 'scale': scale, 'images': [base64.b64encode(p).decode('ascii') for p in pixels],
            'presets': [[round(v, 4) for row in K for v in row] for K in kernels.values()]}
    # JSON inside <script>: escape '<', '>' and '&' so that nothing in it can close the tag.
    blob = json.dumps(data, separators=(',', ':'))
    blob = blob.replace('<', '\\u003c').replace('>', '\\u003e').replace('&', '\\u0026')
    cell = ('<td><input class="d2lk-weight" type="number" step="any" value="{v:g}" '
            'aria-label="kernel row {r} column {c}" style="width:4.5em"></td>')
    fields = ''.join('<tr>' + ''.join(cell.format(v=data['presets'][0][3 * r + c], r=r, c=c) for c in range(3))
                     + '</tr>' for r in range(3))
    button = '<button type="button" class="d2lk-{kind}">{text}</button>'
    return HTML(_PAGE.substitute(
        id=f'd2lk-{name}', data=blob, fields=fields,
        images=' '.join(button.format(kind='image', text=html.escape(s)) for s in labels),
        presets=' '.join(button.format(kind='preset', text=html.escape(k)) for k in kernels),
        in_w=w * scale, in_h=h * scale, out_w=(w - 2) * scale, out_h=(h - 2) * scale))


Step = namedtuple('Step', ['i', 'j', 'window', 'products', 'total'])
Step.__doc__ = "One output element of a cross-correlation: Y[i, j] = total = sum(products = window * kernel)."


def _fmt(v):
    """A number as the pages print it: integers without '.0', others to 3 significant digits."""
    v = float(v)
    return str(int(v)) if v == int(v) else f'{v:.3g}'


def correlation_steps(X, K):
    """Every output element of `corr2d(X, K)`, row by row, with its window, products and sum."""
    import torch
    X, K = torch.as_tensor(X), torch.as_tensor(K)
    if X.dim() != 2 or K.dim() != 2 or K.shape[0] > X.shape[0] or K.shape[1] > X.shape[1]:
        raise ValueError(f"need a 2-D input and a 2-D kernel no larger than it, got X of shape "
                         f"{tuple(X.shape)} and K of shape {tuple(K.shape)}")
    h, w = K.shape
    steps = []
    for i in range(X.shape[0] - h + 1):
        for j in range(X.shape[1] - w + 1):
            products = X[i:i + h, j:j + w] * K
            steps.append(Step(i, j, X[i:i + h, j:j + w].tolist(), products.tolist(), products.sum().item()))
    return steps


def step_formula(step, K):
    """The sum of one step as text, e.g. 'Y[0, 1] = 1×0 + 2×1 + 4×2 + 5×3 = 25'."""
    par = lambda v: f'({_fmt(v)})' if v < 0 else _fmt(v)
    terms = ' + '.join(f'{par(x)}\u00d7{par(k)}' for xs, ks in zip(step.window, _lists(K)) for x, k in zip(xs, ks))
    return f'Y[{step.i}, {step.j}] = {terms} = {_fmt(step.total)}'


def _grid(ax, values, title, colors=None):
    """Draw a matrix (a list of rows; None entries stay empty) as cells; `colors` maps (r, c) to a colour."""
    from matplotlib.patches import Rectangle
    for r, row in enumerate(values):
        for c, v in enumerate(row):
            ax.add_patch(Rectangle((c, r), 1, 1, facecolor=(colors or {}).get((r, c), 'white'),
                                   edgecolor='0.55', linewidth=0.8))
            if v is not None:
                ax.text(c + 0.5, r + 0.5, _fmt(v).replace('-', '\u2212'), ha='center', va='center', fontsize=10)
    ax.set_xlim(-0.05, len(values[0]) + 0.05)
    ax.set_ylim(len(values) + 0.05, -0.05)
    ax.set_aspect('equal')
    ax.axis('off')
    ax.set_title(title, fontsize=10)


def stepping_pages(X, K, dpi=100):
    """One PNG per output element: the input with the window highlighted, the kernel, and the
    output filled in up to that element; the title spells out the products and their sum."""
    import matplotlib.pyplot as plt
    from .widgets import figure_to_png
    steps = correlation_steps(X, K)
    X, K = _lists(X), _lists(K)
    h, w = len(K), len(K[0])
    Y = [[None] * (len(X[0]) - w + 1) for _ in range(len(X) - h + 1)]
    pages = []
    for step in steps:
        Y[step.i][step.j] = step.total
        fig, axes = plt.subplots(1, 3, figsize=(1 + 0.45 * (len(X[0]) + w + len(Y[0])), 2.6),
                                 gridspec_kw={'width_ratios': [len(X[0]), w, len(Y[0])]})
        _grid(axes[0], X, 'input X', {(step.i + a, step.j + b): '#9ecae1' for a in range(h) for b in range(w)})
        _grid(axes[1], K, 'kernel K', {(a, b): '#9ecae1' for a in range(h) for b in range(w)})
        _grid(axes[2], Y, 'output Y', {(step.i, step.j): '#fdae6b'})
        fig.suptitle(step_formula(step, K), fontsize=11)
        fig.tight_layout()
        pages.append(figure_to_png(fig, dpi=dpi))
    return pages


def receptive_field(i, j, k=3, layers=2):
    """The input rows and columns that element (i, j) after `layers` stacked k x k convolutions
    (stride 1, no padding) depends on: each layer widens the field by k - 1."""
    span = layers * (k - 1)
    return range(i, i + span + 1), range(j, j + span + 1)


def receptive_field_pages(n=7, k=3, layers=2, dpi=100):
    """One PNG per output element of `layers` stacked k x k convolutions on an n x n input: the
    element (orange), the k x k window it reads in the layer below (dark blue), and what it
    depends on in every earlier layer (light blue)."""
    import matplotlib.pyplot as plt
    from .widgets import figure_to_png
    sizes = [n - layer * (k - 1) for layer in range(layers + 1)]
    if sizes[-1] < 1:
        raise ValueError(f"{layers} layers of {k}x{k} kernels do not fit in a {n}x{n} input")
    pages = []
    for i, j in itertools.product(range(sizes[-1]), repeat=2):
        fig, axes = plt.subplots(1, layers + 1, figsize=(1 + 0.42 * sum(sizes), 2.8),
                                 gridspec_kw={'width_ratios': sizes})
        for layer, (ax, size) in enumerate(zip(axes, sizes)):
            rows, cols = receptive_field(i, j, k, layers - layer)
            colors = {(r, c): '#3182bd' if layer == layers - 1 else '#9ecae1' for r in rows for c in cols}
            colors = {(i, j): '#fdae6b'} if layer == layers else colors
            name = 'input' if layer == 0 else f'layer {layer} output'
            _grid(ax, [[None] * size] * size, f'{name} ({size}x{size})', colors)
        side = layers * (k - 1) + 1
        fig.suptitle(f'element [{i}, {j}] of layer {layers}: receptive field {side}x{side} in the input',
                     fontsize=11)
        fig.tight_layout()
        pages.append(figure_to_png(fig, dpi=dpi))
    return pages


_PAGE = Template("""<div id="$id" class="d2lk-playground" style="font:13px sans-serif">
<div>picture: $images</div>
<div style="margin-top:4px">kernel: $presets</div>
<div style="display:flex;gap:16px;align-items:flex-start;margin-top:6px;flex-wrap:wrap">
<table style="margin:0">$fields</table>
<figure style="margin:0"><canvas class="d2lk-in" width="$in_w" height="$in_h"></canvas><figcaption>input</figcaption></figure>
<figure style="margin:0"><canvas class="d2lk-out" width="$out_w" height="$out_h"></canvas>
<figcaption>output: 3x3 cross-correlation</figcaption></figure>
</div>
<div class="d2lk-info" style="font-family:monospace">(JavaScript is off here: in Jupyter, run the cell or trust the notebook)</div>
</div>
<script>
(function () {
  var root = document.getElementById("$id");
  if (!root || root.getAttribute("data-ready")) { return; }
  root.setAttribute("data-ready", "1");
  var data = $data, each = function (list, f) { Array.prototype.forEach.call(list, f); };
  var h = data.size[0], w = data.size[1], s = data.scale, oh = h - 2, ow = w - 2, current = 0, y = null;
  var fields = root.querySelectorAll("input.d2lk-weight"), info = root.querySelector(".d2lk-info");
  var images = data.images.map(function (b64) {
    var raw = atob(b64), x = new Float64Array(raw.length);
    for (var i = 0; i < raw.length; i++) { x[i] = raw.charCodeAt(i) / 255; }
    return x;
  });
  function weights() {  /* a field that is not a number counts as 0 and turns red */
    var k = [];
    each(fields, function (f) { var v = parseFloat(f.value), ok = isFinite(v); f.style.background = ok ? "" : "#fcc"; k.push(ok ? v : 0); });
    return k;
  }
  function correlate(x, k) {  /* as corr2d: no flip, no padding */
    var out = new Float64Array(oh * ow);
    for (var i = 0; i < oh; i++) { for (var j = 0; j < ow; j++) {
      var t = 0;
      for (var a = 0; a < 3; a++) { for (var b = 0; b < 3; b++) { t += x[(i + a) * w + j + b] * k[3 * a + b]; } }
      out[i * ow + j] = t;
    } }
    return out;
  }
  function gray(v) { var g = Math.round(255 * Math.max(0, Math.min(1, v))); return "rgb(" + g + "," + g + "," + g + ")"; }
  function signed(v, m) {  /* matplotlib's bwr: blue < 0 (white) < red */
    var t = m > 0 ? Math.max(-1, Math.min(1, v / m)) : 0, c = Math.round(255 * (1 - Math.abs(t)));
    return t >= 0 ? "rgb(255," + c + "," + c + ")" : "rgb(" + c + "," + c + ",255)";
  }
  function paint(canvas, x, rows, cols, color) {
    var ctx = canvas.getContext("2d");
    for (var i = 0; i < rows; i++) { for (var j = 0; j < cols; j++) { ctx.fillStyle = color(x[i * cols + j]); ctx.fillRect(j * s, i * s, s, s); } }
  }
  function fmt(v) { return String(Math.round(v * 1000) / 1000); }
  function update() {
    var k = weights(), sum = 0, m = 0, lo = Infinity, hi = -Infinity;
    y = correlate(images[current], k);
    k.forEach(function (v) { sum += v; });
    y.forEach(function (v) { m = Math.max(m, Math.abs(v)); lo = Math.min(lo, v); hi = Math.max(hi, v); });
    var isSigned = Math.abs(sum) < 0.5;
    paint(root.querySelector(".d2lk-in"), images[current], h, w, gray);
    paint(root.querySelector(".d2lk-out"), y, oh, ow, isSigned ? function (v) { return signed(v, m); } : gray);
    info.textContent = "kernel sum " + fmt(sum) + "; output " + oh + "x" + ow + " with values in [" + fmt(lo) + ", " + fmt(hi) +
      "], shown " + (isSigned ? "blue < 0 < red (scaled by max |value| " + fmt(m) + ")" : "as grey levels 0..1 (clipped)");
  }
  function bold(kind, index) { each(root.querySelectorAll("button.d2lk-" + kind), function (b, i) { b.style.fontWeight = i === index ? "bold" : "normal"; }); }
  each(root.querySelectorAll("button.d2lk-preset"), function (b, i) {
    b.addEventListener("click", function () { data.presets[i].forEach(function (v, n) { fields[n].value = v; }); bold("preset", i); update(); });
  });
  each(root.querySelectorAll("button.d2lk-image"), function (b, i) {
    b.addEventListener("click", function () { current = i; bold("image", i); update(); });
  });
  each(fields, function (f) { f.addEventListener("input", function () { bold("preset", -1); update(); }); });
  root.querySelector(".d2lk-out").addEventListener("mousemove", function (e) {  /* tooltip: the value under the mouse */
    var r = e.target.getBoundingClientRect(), i = Math.floor((e.clientY - r.top) / r.height * oh), j = Math.floor((e.clientX - r.left) / r.width * ow);
    if (i >= 0 && i < oh && j >= 0 && j < ow) { e.target.title = "Y[" + i + ", " + j + "] = " + fmt(y[i * ow + j]); }
  });
  bold("image", 0); bold("preset", 0); update();
})();
</script>""")
