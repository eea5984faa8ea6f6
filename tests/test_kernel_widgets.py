"""The convolution chapter's widgets: what they compute and what their HTML holds.

The playground's JavaScript is tested in node (tests/js/kernel_playground.test.js, run by
tests/test_widget_js.py) against corr2d; the book's browser test covers rendered pages."""
import base64
import json
import re

import pytest
import torch

import d2lmini as d2l
from d2lmini import kernel_widgets as kw
from d2lmini.static import read_static

PNG = b'\x89PNG\r\n\x1a\n'


def _images(n=3, size=(10, 12), seed=0):
    return torch.rand(n, *size, generator=torch.Generator().manual_seed(seed))


def test_check_kernel_accepts_3x3_and_explains_everything_else():
    assert kw.check_kernel(torch.eye(3)) == [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
    with pytest.raises(ValueError, match=r'must be 3x3, got 2 rows'):
        kw.check_kernel([[1, -1], [1, -1]])
    with pytest.raises(ValueError, match=r'3x3'):
        kw.check_kernel(torch.ones(3, 4))
    with pytest.raises(ValueError, match='NaN or an infinite'):
        kw.check_kernel([[0, 0, 0], [0, float('nan'), 0], [0, 0, 0]])
    with pytest.raises(ValueError, match='grid of numbers'):
        kw.check_kernel([['a', 'b', 'c']] * 3)
    with pytest.raises(ValueError, match='grid of numbers'):
        kw.check_kernel(5)


def test_display_mode_follows_the_kernel_sum():
    assert kw.display_mode(kw.PRESETS['Sobel x (vertical edges)']) == 'signed'
    assert kw.display_mode(kw.PRESETS['outline (Laplacian)']) == 'signed'
    for name in ('identity', 'box blur', 'Gaussian blur', 'sharpen', 'emboss'):
        assert kw.display_mode(kw.PRESETS[name]) == 'gray', name


def test_playground_html_holds_presets_image_data_and_fields():
    images = _images()
    page = kw.kernel_playground(images, labels=['one', 'two', 'three'], name='demo').data
    for preset in kw.PRESETS:
        assert re.search(f'class="d2lk-preset" aria-pressed="(true|false)">{re.escape(preset)}</button>', page)
    assert page.count('class="d2lk-weight"') == 9
    assert page.count('class="d2lk-image"') == 3
    assert 'id="d2lk-demo"' in page
    data = json.loads(re.search(r'<script type="application/json" class="d2lk-data">(.*?)</script>', page).group(1))
    assert data['size'] == [10, 12]
    for raw, img in zip(data['images'], images):
        assert list(base64.b64decode(raw)) == (img * 255).round().flatten().int().tolist()
    assert data['presets'][2] == [0.0625, 0.125, 0.0625, 0.125, 0.25, 0.125, 0.0625, 0.125, 0.0625]
    assert 'src=' not in page and 'http' not in page            # no external script or image


def test_playground_is_deterministic_and_ids_come_from_name_or_content():
    images = _images()
    assert kw.kernel_playground(images, name='a').data == kw.kernel_playground(images, name='a').data
    first, second = kw.kernel_playground(images).data, kw.kernel_playground(images).data
    other = kw.kernel_playground(_images(seed=1)).data
    ids = [re.search(r'<div id="([^"]+)"', page).group(1) for page in (first, second, other)]
    assert first == second and ids[0] == ids[1] != ids[2]
    assert all(re.fullmatch(r'd2lk-[0-9a-f]{12}', i) for i in ids)


def test_playground_is_self_contained_and_its_script_comes_from_the_package():
    page = kw.kernel_playground(_images(1), name='s').data
    assert 'src=' not in page and 'http' not in page and 'require(' not in page
    assert read_static('kernel_playground.js') in page and read_static('kernel_playground.css') in page
    assert page.count('aria-label="kernel row') == 9
    assert repr(kw.kernel_playground(_images(1), name='s')) == '<kernel_playground: 1 images, 8 kernels>'


def test_playground_escapes_what_it_embeds():
    bad = '</script><img src=x onerror=alert(1)>'
    page = kw.kernel_playground(_images(1), labels=[bad], presets={bad: torch.eye(3)}, name='x').data
    assert '<img' not in page and page.count('</script>') == 2
    assert '&lt;/script&gt;&lt;img src=x' in page


@pytest.mark.parametrize('kwargs, message', [
    (dict(images=torch.rand(2, 1, 2, 9)), r'3 <= H, W <= 64'),
    (dict(images=torch.rand(5, 5)), r'shape \(N, H, W\)'),
    (dict(images=torch.rand(1, 5, 5) * 3), r'must lie in \[0, 1\]'),
    (dict(images=torch.rand(2, 5, 5), labels=['only one']), 'labels'),
    (dict(images=torch.rand(1, 5, 5), presets={'2x2': [[1, -1], [1, -1]]}), "preset '2x2' must be 3x3"),
    (dict(images=torch.rand(1, 5, 5), presets={}), 'at least one preset'),
    (dict(images=torch.rand(1, 5, 5), name='bad id"'), 'name must be'),
    (dict(images=torch.rand(1, 5, 5), scale=0), 'scale'),
])
def test_playground_rejects_bad_input_clearly(kwargs, message):
    with pytest.raises(ValueError, match=message):
        kw.kernel_playground(**kwargs)


def test_playground_accepts_uint8_and_channel_dimension():
    x = (torch.arange(2 * 25) % 256).to(torch.uint8).reshape(2, 1, 5, 5)
    page = kw.kernel_playground(x, name='u8').data
    data = json.loads(re.search(r'<script type="application/json" class="d2lk-data">(.*?)</script>', page).group(1))
    assert list(base64.b64decode(data['images'][1])) == list(range(25, 50))


def test_stepping_pages_show_the_right_sums():
    X, K = torch.arange(9.).reshape(3, 3), torch.arange(4.).reshape(2, 2)
    steps = kw.correlation_steps(X, K)
    assert [(s.i, s.j, s.total) for s in steps] == [(0, 0, 19), (0, 1, 25), (1, 0, 37), (1, 1, 43)]
    assert steps[1].window == [[1, 2], [4, 5]] and steps[1].products == [[0, 2], [8, 15]]
    assert kw.step_formula(steps[1], K) == 'Y[0, 1] = 1\u00d70 + 2\u00d71 + 4\u00d72 + 5\u00d73 = 25'
    edge = kw.correlation_steps(torch.tensor([[1., 0.]]), torch.tensor([[1., -1.]]))
    assert kw.step_formula(edge[0], [[1, -1]]) == 'Y[0, 0] = 1\u00d71 + 0\u00d7(-1) = 1'
    X, K = torch.randn(6, 5), torch.randn(3, 2)
    totals = torch.tensor([s.total for s in kw.correlation_steps(X, K)]).reshape(4, 4)
    assert torch.allclose(totals, d2l.corr2d(X, K), atol=1e-6)
    pages = kw.stepping_pages(torch.arange(9.).reshape(3, 3), torch.arange(4.).reshape(2, 2))
    assert len(pages) == 4 and all(p.startswith(PNG) for p in pages)
    with pytest.raises(ValueError, match='no larger than it'):
        kw.correlation_steps(torch.ones(2, 2), torch.ones(3, 3))


@pytest.mark.parametrize('k, layers', [(3, 1), (3, 2), (2, 3), (5, 1)])
def test_receptive_field_is_where_the_gradient_reaches(k, layers):
    n = 1 + layers * (k - 1) + 3
    x = torch.zeros(1, 1, n, n, requires_grad=True)
    y = x
    for _ in range(layers):
        y = torch.nn.functional.conv2d(y, torch.ones(1, 1, k, k))
    i, j = 2, 1
    y[0, 0, i, j].backward()
    rows, cols = kw.receptive_field(i, j, k, layers)
    expected = torch.zeros(n, n, dtype=torch.bool)
    expected[rows.start:rows.stop, cols.start:cols.stop] = True
    assert torch.equal(x.grad[0, 0] != 0, expected)


def test_receptive_field_pages_one_per_output_element():
    pages = kw.receptive_field_pages(n=6, k=3, layers=2)
    assert len(pages) == 4 and all(p.startswith(PNG) for p in pages)
    with pytest.raises(ValueError, match='do not fit'):
        kw.receptive_field_pages(n=4, k=3, layers=2)
