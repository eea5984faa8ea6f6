"""Widgets that work everywhere a notebook's HTML output is shown, with no kernel and no ipywidgets.

`slider_pages` and `dropdown_pages` show pictures computed in advance and switch between
them in the browser: the output is plain HTML with its CSS and JavaScript inlined (from
`d2lmini/static/pages.css` and `pages.js`), so it works the same in the static book,
Colab (ipywidgets 7.7.1 or none), Kaggle, JupyterLab and VS Code, loading nothing from
outside. Without JavaScript the first page shows.

The markup is deterministic (ids come from a hash of the content), so nbval can compare
saved outputs strictly. `HTMLOutput` and `script_json` are shared with the other widgets.
"""
import base64
import hashlib
import html
import io
import json
from collections.abc import Mapping

from .static import read_static

PNG_SIGNATURE = b'\x89PNG\r\n\x1a\n'


class HTMLOutput:
    """A text/html output for Jupyter: `.data` holds the markup, `_repr_html_` returns it.

    Its plain-text repr is a short fixed sentence (not an address), so saved outputs stay
    the same from run to run.
    """

    def __init__(self, data, summary):
        self.data = data
        self.summary = summary

    def _repr_html_(self):
        return self.data

    def __html__(self):
        return self.data

    def __repr__(self):
        return f'<{self.summary}>'


def script_json(data):
    """`data` as compact JSON that is safe inside an HTML <script> element.

    '<', '>' and '&' become JSON escapes, so nothing in the data can close the script
    tag or open a comment; the JavaScript reads the same values back.
    """
    text = json.dumps(data, separators=(',', ':'), sort_keys=False, allow_nan=False)
    return text.replace('<', '\\u003c').replace('>', '\\u003e').replace('&', '\\u0026')


def content_id(prefix, *parts):
    """A short element id derived from the content (bytes or str parts): the same output
    gets the same id in every run, unlike a counter that depends on execution order."""
    digest = hashlib.sha1()
    for part in parts:
        digest.update(part if isinstance(part, bytes) else str(part).encode('utf-8'))
        digest.update(b'\0')
    return f'{prefix}-{digest.hexdigest()[:12]}'


def figure_to_png(fig, dpi=80):
    """Render a matplotlib figure to PNG bytes and close it (so it is not shown twice)."""
    import matplotlib.pyplot as plt
    buffer = io.BytesIO()
    fig.savefig(buffer, format='png', dpi=dpi, bbox_inches='tight')
    plt.close(fig)
    return buffer.getvalue()


def _check_pngs(pngs, what):
    """The pages as a list of PNG byte strings, or a TypeError/ValueError that says what is wrong."""
    if isinstance(pngs, (bytes, bytearray, str)) or not hasattr(pngs, '__iter__'):
        raise TypeError(f"{what} must be a list of PNG byte strings (e.g. from figure_to_png), "
                        f"got {type(pngs).__name__}")
    pngs = list(pngs)
    if not pngs:
        raise ValueError(f"{what} is empty: give at least one page (PNG bytes from figure_to_png)")
    for k, png in enumerate(pngs):
        if not isinstance(png, (bytes, bytearray)):
            raise TypeError(f"page {k} of {what} must be PNG bytes (e.g. from figure_to_png), "
                            f"got {type(png).__name__}")
        if not bytes(png).startswith(PNG_SIGNATURE):
            raise ValueError(f"page {k} of {what} is not a PNG image (it does not start with the PNG "
                             f"signature); make pages with d2lmini.figure_to_png(fig)")
    return [bytes(png) for png in pngs]


def _check_description(description):
    if not isinstance(description, str) or not description.strip():
        raise TypeError(f"description must be a non-empty string, got {description!r}")
    return description


def _page(png, alt, shown):
    return (f'<img class="d2l-page" src="data:image/png;base64,{base64.b64encode(png).decode("ascii")}" '
            f'alt="{html.escape(alt)}"{"" if shown else " hidden"}>')


def _pages_html(uid, kind, description, control, caption, pngs, alts, start, first=0):
    pages = '\n'.join(_page(png, alt, k == start) for k, (png, alt) in enumerate(zip(pngs, alts)))
    numbering = f' data-first="{first}"' if first else ''
    return (f'<div class="d2l-pages" id="{uid}" data-kind="{kind}" '
            f'data-description="{html.escape(description)}"{numbering}>\n'
            f'<style>{read_static("pages.css")}</style>\n'
            f'<div class="d2l-pages-bar"><label for="{uid}-control">{html.escape(description)}</label> '
            f'{control} <output class="d2l-pages-value" for="{uid}-control" aria-live="polite">'
            f'{html.escape(caption)}</output></div>\n'
            f'{pages}\n'
            f'<script>{read_static("pages.js")}</script>\n</div>')


def slider_pages(pngs, description='step', start=0, first=0):
    """A slider that flips through precomputed PNG pages, in plain HTML + JavaScript.

    `pngs` is a list of PNG bytes (see `figure_to_png`); the slider's value k (0 .. n-1)
    shows page k, starting at `start`. The caption numbers the pages from `first`
    ("layer 1 / 8" with first=1), to match the numbering of the pictures.
    Works without a kernel and without ipywidgets.
    """
    pngs = _check_pngs(pngs, 'pngs')
    description = _check_description(description)
    if isinstance(start, bool) or not isinstance(start, int):
        raise TypeError(f"start must be an int page index, got {start!r}")
    if not 0 <= start < len(pngs):
        raise ValueError(f"start={start} is not a page index: there are {len(pngs)} pages (0..{len(pngs) - 1})")
    if isinstance(first, bool) or not isinstance(first, int):
        raise TypeError(f"first must be an int, the number of the first page (0 or 1), got {first!r}")
    numbering = (first,) if first else ()         # ids of existing sliders stay as they were
    uid = content_id('d2l-pages', 'slider', description, start, *numbering, *pngs)
    control = (f'<input type="range" class="d2l-pages-control" id="{uid}-control" min="0" '
               f'max="{len(pngs) - 1}" step="1" value="{start}" aria-label="{html.escape(description)}">')
    alts = [f'{description} {first + k}' for k in range(len(pngs))]
    caption = f'{description} {first + start} / {first + len(pngs) - 1}'
    return HTMLOutput(_pages_html(uid, 'range', description, control, caption, pngs, alts, start, first),
                      f'slider_pages: {len(pngs)} pages, {description}')


def dropdown_pages(named_pngs, description='choose'):
    """A drop-down menu whose options each show a precomputed PNG page, in plain HTML + JavaScript.

    `named_pngs` is a dict label -> PNG bytes, in menu order; the first page shows first.
    Works without a kernel and without ipywidgets.
    """
    if not isinstance(named_pngs, Mapping):
        raise TypeError(f"named_pngs must be a dict label -> PNG bytes, got {type(named_pngs).__name__}")
    description = _check_description(description)
    labels = [str(label) for label in named_pngs]
    pngs = _check_pngs(list(named_pngs.values()), 'named_pngs')
    uid = content_id('d2l-pages', 'select', description, *labels, *pngs)
    options = ''.join(f'<option value="{k}"{" selected" if k == 0 else ""}>{html.escape(label)}</option>'
                      for k, label in enumerate(labels))
    control = (f'<select class="d2l-pages-control" id="{uid}-control" '
               f'aria-label="{html.escape(description)}">{options}</select>')
    return HTMLOutput(_pages_html(uid, 'select', description, control, labels[0], pngs, labels, 0),
                      f'dropdown_pages: {len(pngs)} pages, {description}')
