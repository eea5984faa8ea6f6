"""Pictures and widgets for the padding/stride, channels and pooling chapters.

`padding_stride_html` is a self-contained HTML + JavaScript widget (inline SVG, no
external script, no kernel needed): sliders for input size, kernel, padding and
stride redraw the padded grid, the windows and the output size. Its text comes
from `fit_report`, written twice with the same words: in Python here and in
JavaScript (`d2lmini/static/padding_stride.js`); node's tests compare them.
"""
import html
import re

from .arithmetic import check_int, conv_output_size
from .static import read_static
from .widgets import HTMLOutput


def fit_report(n, k, p=0, s=1):
    """How a k x k kernel with padding p and stride s fits an n x n input, in numbers and words.

    Returns a dict: `padded` (n + 2p), `out` (output size, 0 when the kernel does not
    fit), `dropped` (trailing rows/columns of the padded input that no window covers),
    `dropped_input` (how many of those are real input, not padding), `formula`, `text`.
    """
    for name, value, minimum in (('n', n, 1), ('k', k, 1), ('p', p, 0), ('s', s, 1)):
        check_int(name, value, minimum)
    padded, room = n + 2 * p, n + 2 * p - k
    if room < 0:
        return {'padded': padded, 'out': 0, 'dropped': 0, 'dropped_input': 0,
                'formula': f"n + 2p - k = {n} + 2*{p} - {k} = {room} < 0",
                'text': (f"The {k}x{k} kernel does not fit: the padded input is only {padded} wide "
                         f"(n + 2p = {n} + 2*{p}), less than k = {k}. PyTorch raises an error; "
                         f"add padding or use a smaller kernel.")}
    quotient, rem = divmod(room, s)
    out = quotient + 1
    assert out == conv_output_size(n, k, p, s)
    formula = f"floor((n + 2p - k) / s) + 1 = floor(({n} + 2*{p} - {k}) / {s}) + 1 = {out}"
    windows = f"{out} window{'' if out == 1 else 's'} per row"
    if rem == 0:
        text = (f"Fits exactly: (n + 2p - k) / s = {room} / {s} = {quotient}, so {windows} "
                f"and the output is {out}x{out}; the last window ends on the last column.")
        if s == 1 and out == n:
            text += " Same size as the input: this is 'same' padding."
    else:
        last = quotient * s
        if out == 1:
            starts = f"The only window in each row starts at column 0 and ends"
        else:
            columns = {2: f"0 and {s}", 3: f"0, {s} and {2 * s}"}.get(out, f"0, {s}, ..., {last}")
            starts = f"The {windows} start at columns {columns} and the last one ends"
        one = rem == 1
        text = (f"Does not fit exactly: (n + 2p - k) / s = {room} / {s} = {quotient} remainder {rem}. "
                f"{starts} at column {last + k - 1}, so "
                f"{'the last column' if one else f'the last {rem} columns'} of the padded input "
                f"{'is' if one else 'are'} never covered. PyTorch rounds down and drops "
                f"{'it' if one else 'them'} silently: the output is {out}x{out}.")
        lost = max(0, rem - p)
        if lost == rem:
            text += (f" {'It holds' if one else 'They hold'} real input pixels: "
                     f"that part of the image is never seen.")
        elif lost:
            text += (f" {lost} of them {'holds' if lost == 1 else 'hold'} real input pixels: "
                     f"that part of the image is never seen.")
        else:
            text += f" {'It is' if one else 'They are'} padding only, so no input pixel is lost."
    if p >= k:
        text += " With p >= k, the first row and column of windows see only padding zeros."
    return {'padded': padded, 'out': out, 'dropped': rem, 'dropped_input': max(0, rem - p),
            'formula': formula, 'text': text}


def padding_stride_html(n=8, k=3, p=1, s=2, uid='padstride', max_n=32, max_k=7, max_p=3, max_s=4):
    """A padding-and-stride explorer as `IPython.display.HTML`, alive without a kernel.

    Sliders set the input size n, kernel k, padding p and stride s (starting at the
    given values) and pick which window to highlight; an SVG shows the padded input
    (padding dashed, never-covered rows/columns red), the start of every window, the
    chosen window and the output grid, with the formula and `fit_report`'s words.
    `uid` names the element ids (use a different one for each widget on a page).
    """
    if not isinstance(uid, str) or not re.fullmatch(r'[A-Za-z][A-Za-z0-9_-]*', uid):
        raise ValueError(f"uid must be letters, digits, '-' or '_', starting with a letter; got {uid!r}")
    limits = {'n': (n, 1, max_n), 'k': (k, 1, max_k), 'p': (p, 0, max_p), 's': (s, 1, max_s)}
    for name, (value, low, high) in limits.items():
        check_int(f'max_{name}', high, max(low, 1))
        check_int(name, value, low)
        if value > high:
            raise ValueError(f"{name}={value} is above its slider's maximum max_{name}={high}")
    labels = {'n': 'input n', 'k': 'kernel k', 'p': 'padding p', 's': 'stride s'}
    rows = [f'<label style="display:inline-block;margin-right:14px">{labels[name]} '
            f'<input type="range" id="{uid}-{name}" min="{low}" max="{high}" value="{value}" '
            f'style="width:110px;vertical-align:middle"> <b id="{uid}-{name}v">{value}</b></label>'
            for name, (value, low, high) in limits.items()]
    rows.append(f'<label style="display:inline-block">window <input type="range" id="{uid}-w" min="0" '
                f'max="0" value="0" style="width:110px;vertical-align:middle"> <b id="{uid}-wv">(0, 0)</b></label>')
    report = fit_report(n, k, p, s)
    markup = (f'<div id="{uid}" class="d2lmini-padstride" style="font-family:sans-serif;font-size:13px">\n'
              f'<div>{"".join(rows)}</div>\n'
              f'<div style="color:#555">blue: input; dashed white: zero padding; red: never covered by a '
              f'window; dots: where the windows start; orange: the window of the chosen output cell</div>\n'
              f'<svg id="{uid}-svg" width="10" height="10" style="margin-top:6px;max-width:100%;height:auto"></svg>\n'
              f'<div id="{uid}-formula" style="font-family:monospace">{html.escape(report["formula"])}</div>\n'
              f'<div id="{uid}-text" style="max-width:640px">{html.escape(report["text"])}</div>\n'
              f'<script>{read_static("padding_stride.js")}</script>\n</div>')
    return HTMLOutput(markup, f'padding_stride_html: n={n}, k={k}, p={p}, s={s}')


def draw_windows_1d(n, k, p=0, s=1, ax=None, title=None):
    """Draw one row of a padded input and, below it, every window a stride s visits.

    Input cells are blue, padding cells white, cells that no window covers red.
    Returns the axes.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle
    r = fit_report(n, k, p, s)
    N, out = r['padded'], r['out']
    if ax is None:
        _, ax = plt.subplots(figsize=(max(3.0, 0.22 * N), 0.4 + 0.22 * (out + 1)))
    for j in range(N):
        pad = j < p or j >= p + n
        lost = out > 0 and j >= N - r['dropped']
        ax.add_patch(Rectangle((j, 0), 1, 1, facecolor='#f3a5a5' if lost else ('white' if pad else '#cddff0'),
                               edgecolor='#777', linestyle='--' if pad else '-', linewidth=0.8))
    for i in range(out):
        ax.add_patch(Rectangle((i * s + 0.1, -1.0 - 0.9 * i), k - 0.2, 0.6, facecolor='#ff7f0e', alpha=0.8))
    ax.set_xlim(-0.5, max(N, k) + 0.5)
    ax.set_ylim(-1.2 - 0.9 * max(out, 1), 1.2)
    ax.set_aspect('equal')
    ax.axis('off')
    ax.set_title(title if title is not None else f'n={n}, k={k}, p={p}, s={s}: output {out}',
                 fontsize=9, loc='left')
    return ax


def pool_steps(X, k, s=None, p=0, mode='max'):
    """Pool a 2-D tensor X window by window, as PyTorch does; return one step per output cell.

    Each step is `(i, j, value, winner)`: the output cell, its value, and for max pooling
    the (row, column) of the winning input in padded coordinates (None for 'avg').
    """
    if mode not in ('max', 'avg'):
        raise ValueError(f"mode must be 'max' or 'avg', got {mode!r}")
    if X.dim() != 2:
        raise ValueError(f"pooling takes a 2-D tensor here, got shape {tuple(X.shape)}")
    s = k if s is None else s
    if p > k // 2:
        raise ValueError(f"padding p={p} must be at most half the window k={k} (PyTorch's rule)")
    h, w = X.shape
    steps = []
    for i in range(conv_output_size(h, k, p, s)):
        for j in range(conv_output_size(w, k, p, s)):
            inside = [(a, b) for a in range(i * s, i * s + k) for b in range(j * s, j * s + k)
                      if p <= a < h + p and p <= b < w + p]
            vals = [float(X[a - p, b - p]) for a, b in inside]
            if mode == 'max':
                steps.append((i, j, max(vals), inside[vals.index(max(vals))]))
            else:
                steps.append((i, j, sum(vals) / (k * k), None))     # padding zeros count, as in PyTorch
    return steps


def pooling_pages(X, k, s=None, p=0, mode='max', dpi=72):
    """One PNG per output cell of pooling a small 2-D tensor X: the window, and the output so far.

    Padding shows as empty cells (max pooling pads with -inf, average pooling with
    zeros that count, as PyTorch does by default). For `d2lmini.slider_pages`.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle
    from .widgets import figure_to_png
    steps = pool_steps(X, k, s, p, mode)
    s = k if s is None else s
    h, w = X.shape
    oh, ow = steps[-1][0] + 1, steps[-1][1] + 1
    values = [[None] * ow for _ in range(oh)]
    pages = []
    for i, j, best, mark in steps:
        values[i][j] = best
        fig, (ax_in, ax_out) = plt.subplots(1, 2, figsize=(2 + 0.45 * (w + 2 * p + ow), 0.55 * (h + 2 * p) + 0.6),
                                            gridspec_kw={'width_ratios': [w + 2 * p, ow]})
        for a in range(h + 2 * p):
            for b in range(w + 2 * p):
                real = p <= a < h + p and p <= b < w + p
                ax_in.add_patch(Rectangle((b, a), 1, 1, facecolor='#cddff0' if real else 'white',
                                          edgecolor='#777', linestyle='-' if real else '--'))
                if real:
                    ax_in.text(b + 0.5, a + 0.5, f'{float(X[a - p, b - p]):g}', ha='center', va='center',
                               fontsize=9, fontweight='bold' if (a, b) == mark else 'normal',
                               color='#d62728' if (a, b) == mark else 'black')
        ax_in.add_patch(Rectangle((j * s, i * s), k, k, fill=False, edgecolor='#ff7f0e', linewidth=3))
        for a in range(oh):
            for b in range(ow):
                ax_out.add_patch(Rectangle((b, a), 1, 1, edgecolor='#777',
                                           facecolor='#ffd8b0' if (a, b) == (i, j) else '#f2f2f2'))
                if values[a][b] is not None:
                    ax_out.text(b + 0.5, a + 0.5, f'{values[a][b]:.3g}', ha='center', va='center', fontsize=9)
        for ax, (rows, cols), name in ((ax_in, (h + 2 * p, w + 2 * p), 'input'), (ax_out, (oh, ow), 'output')):
            ax.set_xlim(-0.1, cols + 0.1)
            ax.set_ylim(rows + 0.1, -0.1)
            ax.set_aspect('equal')
            ax.axis('off')
            ax.set_title(name, fontsize=9)
        fig.suptitle(f'{mode} of window ({i}, {j}) = {best:.3g}', fontsize=10)
        pages.append(figure_to_png(fig, dpi=dpi))
    return pages
