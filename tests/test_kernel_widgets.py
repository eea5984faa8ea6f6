"""The convolution chapter's widgets: what they compute, what their HTML holds, and, in a
headless browser, that the JavaScript playground draws the same cross-correlation as corr2d."""
import base64
import json
import re
import shutil

import pytest
import torch

import d2lmini as d2l
from d2lmini import kernel_widgets as kw

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
        assert f'class="d2lk-preset">{preset}</button>' in page
    assert page.count('class="d2lk-weight"') == 9
    assert page.count('class="d2lk-image"') == 3
    assert 'id="d2lk-demo"' in page and 'getElementById("d2lk-demo")' in page
    data = json.loads(re.search(r'var data = (\{.*?\}), each', page).group(1))
    assert data['size'] == [10, 12]
    for raw, img in zip(data['images'], images):
        assert list(base64.b64decode(raw)) == (img * 255).round().flatten().int().tolist()
    assert data['presets'][2] == [0.0625, 0.125, 0.0625, 0.125, 0.25, 0.125, 0.0625, 0.125, 0.0625]
    assert 'src=' not in page and 'http' not in page            # no external script or image


def test_playground_markup_is_deterministic_and_ids_do_not_collide():
    images = _images()
    assert kw.kernel_playground(images, name='a').data == kw.kernel_playground(images, name='a').data
    first, second = kw.kernel_playground(images).data, kw.kernel_playground(images).data
    ids = [re.search(r'<div id="([^"]+)"', page).group(1) for page in (first, second)]
    assert ids[0] != ids[1] and all(re.fullmatch(r'd2lk-playground-\d+', i) for i in ids)


def test_playground_escapes_what_it_embeds():
    bad = '</script><img src=x onerror=alert(1)>'
    page = kw.kernel_playground(_images(1), labels=[bad], presets={bad: torch.eye(3)}, name='x').data
    assert '<img' not in page and page.count('</script>') == 1
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
    data = json.loads(re.search(r'var data = (\{.*?\}), each', page).group(1))
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


def _expected_colour(value, kernel, largest):
    """What the playground paints for one output value (the same rule as the JavaScript)."""
    if kw.display_mode(kernel) == 'gray':
        g = round(255 * min(max(value, 0), 1))
        return (g, g, g)
    t = max(-1, min(1, value / largest)) if largest > 0 else 0
    c = round(255 * (1 - abs(t)))
    return (255, c, c) if t >= 0 else (c, c, 255)


def _chromium():
    path = shutil.which('chromium') or shutil.which('chromium-browser')
    if path is None:
        pytest.skip('no chromium on this machine (.ci/run installs it)')
    sync_api = pytest.importorskip('playwright.sync_api')
    return path, sync_api


def _canvas(page, root, cls):
    return page.evaluate("""([root, cls]) => {
        const c = document.querySelector('#' + root + ' canvas.' + cls);
        return {w: c.width, h: c.height, px: Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data)};
    }""", [root, cls])


def _check_canvas(canvas, Y, kernel, scale):
    largest = Y.abs().max().item()
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            at = 4 * ((i * scale + scale // 2) * canvas['w'] + j * scale + scale // 2)
            got = canvas['px'][at:at + 3]
            want = _expected_colour(Y[i, j].item(), kernel, largest)
            assert max(abs(a - b) for a, b in zip(got, want)) <= 1, (i, j, got, want)


def test_playground_in_a_browser_draws_corr2d_and_two_playgrounds_stay_independent():
    path, sync_api = _chromium()
    images = (_images(2, (9, 11)) * 255).round() / 255
    scale = 3
    page_html = ''.join(kw.kernel_playground(images, name=name, scale=scale).data for name in ('one', 'two'))
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=['--no-sandbox', '--disable-gpu'])
        page = browser.new_page()
        errors = []
        page.on('pageerror', lambda err: errors.append(str(err)))
        page.set_content(f'<html><body>{page_html}</body></html>')
        page.click('#d2lk-two button.d2lk-image >> nth=1')
        page.click('#d2lk-two button.d2lk-preset:has-text("Sobel x")')
        sobel = kw.PRESETS['Sobel x (vertical edges)']
        _check_canvas(_canvas(page, 'd2lk-two', 'd2lk-out'), d2l.corr2d(images[1].double(), torch.tensor(sobel).double()),
                      sobel, scale)
        identity = kw.PRESETS['identity']                       # the first playground did not move
        _check_canvas(_canvas(page, 'd2lk-one', 'd2lk-out'), images[0, 1:-1, 1:-1].double(), identity, scale)
        typed = [[0, 0.5, 0], [0, 0, 0], [0, 0.25, 0]]          # typed weights, and a field that is not a number
        for n, field in enumerate(page.query_selector_all('#d2lk-one input.d2lk-weight')):
            field.fill(str(typed[n // 3][n % 3]))
        _check_canvas(_canvas(page, 'd2lk-one', 'd2lk-out'), d2l.corr2d(images[0].double(), torch.tensor(typed).double()),
                      typed, scale)
        info = page.inner_text('#d2lk-one .d2lk-info')
        assert info.startswith('kernel sum 0.75; output 7x9') and 'grey levels' in info
        browser.close()
    assert errors == []
