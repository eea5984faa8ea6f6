"""slider_pages / dropdown_pages: self-contained HTML (no ipywidgets, nothing loaded from outside),
the DOM contract the browser tests rely on, determinism for nbval, and clear errors."""
import base64
import html
import re
import subprocess
import sys

import matplotlib
import pytest

import d2lmini as d2l
from d2lmini import widgets
from d2lmini.static import read_static

matplotlib.use('Agg')


def _png(value):
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(1, 1))
    ax.text(0.5, 0.5, str(value))
    return d2l.figure_to_png(fig, dpi=30)


@pytest.fixture(scope='module')
def pngs():
    return [_png(k) for k in range(3)]


def _imgs(page):
    return re.findall(r'<img class="d2l-page" src="data:image/png;base64,([^"]+)" alt="[^"]*"( hidden)?>', page)


def test_slider_pages_follow_the_dom_contract(pngs):
    page = d2l.slider_pages(pngs, description='step', start=1)._repr_html_()
    assert page.startswith('<div class="d2l-pages" id="d2l-pages-')
    control = re.search(r'<input type="range" class="d2l-pages-control" id="([^"]+)" min="0" max="2" '
                        r'step="1" value="1" aria-label="step">', page)
    assert control and f'<label for="{control.group(1)}">step</label>' in page
    imgs = _imgs(page)
    assert [base64.b64decode(b64) for b64, _ in imgs] == pngs
    assert [hidden for _, hidden in imgs] == [' hidden', '', ' hidden']       # exactly the start page shows
    assert '>step 1 / 2</output>' in page
    assert read_static('pages.js') in page and read_static('pages.css') in page
    assert 'max-width: 100%; height: auto' in page


def test_slider_pages_number_their_pages_from_first(pngs):
    """first=1: the caption and alt texts say 1..n, as the pictures do; the slider's values stay 0..n-1."""
    page = d2l.slider_pages(pngs, description='layer', first=1)._repr_html_()
    assert 'data-first="1"' in page and '>layer 1 / 3</output>' in page
    assert 'min="0" max="2"' in page and 'alt="layer 3"' in page
    assert 'data-first=' not in d2l.slider_pages(pngs)._repr_html_()
    with pytest.raises(TypeError, match='first must be an int'):
        d2l.slider_pages(pngs, first='1')


def test_dropdown_pages_follow_the_dom_contract(pngs):
    named = {'T-shirt': pngs[0], 'Bag <&>': pngs[1], 'Boot': pngs[2]}
    page = d2l.dropdown_pages(named, description='garment').data
    assert re.search(r'<select class="d2l-pages-control" id="[^"]+" aria-label="garment">', page)
    assert re.findall(r'<option value="(\d)"( selected)?>([^<]*)</option>', page) == [
        ('0', ' selected', 'T-shirt'), ('1', '', html.escape('Bag <&>')), ('2', '', 'Boot')]
    assert [hidden for _, hidden in _imgs(page)] == ['', ' hidden', ' hidden']
    assert 'alt="Bag &lt;&amp;&gt;"' in page and '>T-shirt</output>' in page


def test_outputs_are_self_contained_and_need_no_ipywidgets(pngs):
    code = ('import sys, d2lmini as d2l; from d2lmini import widgets, kernel_widgets, shape_widgets; '
            'print("ipywidgets" in sys.modules)')
    assert subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                          check=True).stdout.strip() == 'False'
    for page in (d2l.slider_pages(pngs).data, d2l.dropdown_pages({'a': pngs[0]}).data):
        assert 'http' not in page and 'require' not in page.replace('required', '')
        assert 'application/vnd.jupyter.widget' not in page


def test_static_scripts_cannot_close_their_script_tag():
    for name in ('pages.js', 'kernel_playground.js', 'padding_stride.js'):
        text = read_static(name).lower()
        assert '</script' not in text and '<!--' not in text, name


def test_pages_are_deterministic_and_ids_come_from_the_content(pngs):
    a, b = d2l.slider_pages(pngs).data, d2l.slider_pages(list(pngs)).data
    assert a == b
    other = d2l.slider_pages(pngs[::-1]).data
    ids = [re.search(r'id="(d2l-pages-[0-9a-f]{12})"', page).group(1) for page in (a, other)]
    assert ids[0] != ids[1]
    assert d2l.dropdown_pages({'x': pngs[0]}).data == d2l.dropdown_pages({'x': pngs[0]}).data
    assert repr(d2l.slider_pages(pngs)) == '<slider_pages: 3 pages, step>'   # text/plain stays the same too


def test_one_page_is_fine(pngs):
    page = d2l.slider_pages(pngs[:1]).data
    assert 'max="0"' in page and [h for _, h in _imgs(page)] == ['']


@pytest.mark.parametrize('call, error, message', [
    (lambda p: d2l.slider_pages([]), ValueError, 'empty'),
    (lambda p: d2l.slider_pages([b'GIF89a...']), ValueError, 'not a PNG'),
    (lambda p: d2l.slider_pages(p[0]), TypeError, 'list of PNG byte strings'),
    (lambda p: d2l.slider_pages(['a.png']), TypeError, 'page 0 of pngs must be PNG bytes'),
    (lambda p: d2l.slider_pages(None), TypeError, 'list of PNG'),
    (lambda p: d2l.slider_pages(p, start=3), ValueError, 'not a page index'),
    (lambda p: d2l.slider_pages(p, start=1.0), TypeError, 'start must be an int'),
    (lambda p: d2l.slider_pages(p, description=''), TypeError, 'description'),
    (lambda p: d2l.dropdown_pages({}), ValueError, 'empty'),
    (lambda p: d2l.dropdown_pages(p), TypeError, 'dict label -> PNG bytes'),
    (lambda p: d2l.dropdown_pages({'a': b'not png'}), ValueError, 'not a PNG'),
    (lambda p: d2l.dropdown_pages({'a': 3}), TypeError, 'must be PNG bytes'),
])
def test_bad_input_gives_a_clear_error(pngs, call, error, message):
    with pytest.raises(error, match=message):
        call(pngs)


def test_script_json_cannot_close_a_script_tag():
    text = widgets.script_json({'label': '</script><!-- & -->'})
    assert '<' not in text and '>' not in text and '&' not in text
    import json
    assert json.loads(text) == {'label': '</script><!-- & -->'}
    with pytest.raises(ValueError):
        widgets.script_json({'x': float('nan')})
