"""Widgets of the convolution chapter that keep working in the static HTML book (no kernel).

- `kernel_playground`: choose a preset or type the nine numbers of a 3x3 kernel and
  see the filtered picture. The cross-correlation runs in the browser (plain HTML and
  JavaScript, no external script), so it stays live in the HTML book.
- `correlation_steps` / `stepping_pages`: one picture per output element of a 2-D
  cross-correlation (the window, the products, the sum), for `d2lmini.slider_pages`.
- `receptive_field` / `receptive_field_pages`: which input elements one output
  element of stacked convolutions depends on.

Markup is deterministic (ids come from a name or a hash of the content, never at
random or from a counter), so nbval can compare it strictly. The JavaScript and CSS
live in d2lmini/static/kernel_playground.{js,css}.
"""
import base64
import html
import itertools
import math
import re
from collections import namedtuple
from string import Template

from .static import read_static
from .widgets import HTMLOutput, content_id, script_json

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
    the input and the output on two canvases; returns an `HTMLOutput` (text/html).

    The browser computes the same valid cross-correlation as `corr2d` (the output is 2 pixels
    smaller each way), with `d2lmini/static/kernel_playground.js`. The element id comes from
    `name`, or by default from a hash of the content (the same in every run).
    """
    (h, w), pixels = _images_as_bytes(images)
    labels = [f'image {k}' for k in range(len(pixels))] if labels is None else [str(s) for s in labels]
    if len(labels) != len(pixels):
        raise ValueError(f"got {len(pixels)} images but {len(labels)} labels")
    kernels = {str(k): check_kernel(v, f'preset {k!r}') for k, v in (PRESETS if presets is None else presets).items()}
    if not kernels:
        raise ValueError("kernel_playground needs at least one preset kernel")
    if isinstance(scale, bool) or not isinstance(scale, int) or not 1 <= scale <= 20:
        raise ValueError(f"scale (screen pixels per image pixel) must be an int in 1..20, got {scale!r}")
    data = {'size': [h, w], 'scale': scale, 'images': [base64.b64encode(p).decode('ascii') for p in pixels],
            'presets': [[round(v, 4) for row in K for v in row] for K in kernels.values()]}
    blob = script_json(data)
    if name is None:
        uid = content_id('d2lk', blob, *labels, *kernels)
    elif not isinstance(name, str) or not re.fullmatch(r'[A-Za-z][A-Za-z0-9_-]{0,40}', name):
        raise ValueError(f"name must be a letter then up to 40 letters, digits, '_' or '-', got {name!r}")
    else:
        uid = f'd2lk-{name}'
    cell = ('<td><input class="d2lk-weight" type="number" step="any" value="{v:g}" '
            'aria-label="kernel row {r} column {c}"></td>')
    fields = ''.join('<tr>' + ''.join(cell.format(v=data['presets'][0][3 * r + c], r=r, c=c) for c in range(3))
                     + '</tr>' for r in range(3))
    button = '<button type="button" class="d2lk-{kind}" aria-pressed="{pressed}">{text}</button>'
    markup = _PAGE.substitute(
        id=uid, data=blob, fields=fields, css=read_static('kernel_playground.css'),
        js=read_static('kernel_playground.js'),
        images=' '.join(button.format(kind='image', text=html.escape(s), pressed=str(k == 0).lower())
                        for k, s in enumerate(labels)),
        presets=' '.join(button.format(kind='preset', text=html.escape(s), pressed=str(k == 0).lower())
                         for k, s in enumerate(kernels)),
        in_w=w * scale, in_h=h * scale, out_w=(w - 2) * scale, out_h=(h - 2) * scale)
    return HTMLOutput(markup, f'kernel_playground: {len(pixels)} images, {len(kernels)} kernels')


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


_PAGE = Template("""<div id="$id" class="d2lk-playground">
<style>$css</style>
<div role="group" aria-label="picture">picture: $images</div>
<div role="group" aria-label="kernel preset" style="margin-top:4px">kernel: $presets</div>
<div class="d2lk-row">
<table aria-label="kernel weights">$fields</table>
<figure><canvas class="d2lk-in" width="$in_w" height="$in_h" aria-label="input picture"></canvas><figcaption>input</figcaption></figure>
<figure><canvas class="d2lk-out" width="$out_w" height="$out_h" aria-label="filtered picture"></canvas>
<figcaption>output: 3x3 cross-correlation</figcaption></figure>
</div>
<div class="d2lk-info" aria-live="polite">(JavaScript is off here: in Jupyter, run the cell or trust the notebook)</div>
<script type="application/json" class="d2lk-data">$data</script>
<script>$js</script>
</div>""")
