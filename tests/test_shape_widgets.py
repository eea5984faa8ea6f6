import itertools

import matplotlib
import pytest
import torch
import torch.nn.functional as F
from torch import nn

import d2lmini as d2l
from d2lmini.static import read_static
from d2lmini.shape_widgets import draw_windows_1d, fit_report, padding_stride_html, pool_steps, pooling_pages

matplotlib.use('Agg')

SWEEP = [case for case in itertools.product(range(1, 13), range(1, 8), range(0, 4), range(1, 5))]


def test_fit_report_agrees_with_nn_conv2d():
    checked = 0
    for n, k, p, s in SWEEP[::7]:
        r = fit_report(n, k, p, s)
        assert r['padded'] == n + 2 * p
        if n + 2 * p < k:
            assert r['out'] == 0 and 'does not fit' in r['text']
            with pytest.raises(RuntimeError):
                nn.Conv2d(1, 1, k, stride=s, padding=p)(torch.zeros(1, 1, n, n))
            continue
        out = nn.Conv2d(1, 1, k, stride=s, padding=p)(torch.zeros(1, 1, n, n)).shape[-1]
        assert r['out'] == out == d2l.conv_output_size(n, k, p, s)
        # the windows cover exactly the padded columns 0 .. padded - dropped - 1
        assert (out - 1) * s + k == r['padded'] - r['dropped']
        checked += 1
    assert checked > 150


def test_fit_report_words_for_the_worked_examples():
    assert fit_report(28, 5)['out'] == 24
    r = fit_report(32, 4, 0, 3)
    assert (r['out'], r['dropped'], r['dropped_input']) == (10, 1, 1)
    assert '28 / 3 = 9 remainder 1' in r['text'] and 'drops it silently' in r['text']
    assert 'the last column of the padded input is never covered' in r['text']
    assert fit_report(32, 4, 1, 3)['out'] == 11 and fit_report(32, 4, 1, 3)['text'].startswith('Fits exactly')
    assert "'same' padding" in fit_report(8, 3, 1, 1)['text']
    assert "'same' padding" not in fit_report(8, 3, 1, 2)['text']
    assert 'padding only' in fit_report(5, 2, 1, 2)['text']     # (5 + 2 - 2) / 2 leaves one padding column
    assert fit_report(3, 5)['formula'] == 'n + 2p - k = 3 + 2*0 - 5 = -2 < 0'


def test_fit_report_grammar():
    # one window, two windows, one column, several columns, some of them padding
    assert 'The only window in each row starts at column 0 and ends' in fit_report(5, 3, 0, 3)['text']
    assert 'start at columns 0 and 3 and' in fit_report(8, 4, 0, 3)['text']
    assert 'start at columns 0, 4 and 8 and' in fit_report(10, 3, 1, 4)['text']
    assert 'It holds real input pixels' in fit_report(32, 4, 0, 3)['text']
    assert 'They hold real input pixels' in fit_report(28, 5, 0, 3)['text']
    assert '3 of them hold real input pixels' in fit_report(10, 3, 1, 5)['text']
    assert 'It is padding only' in fit_report(10, 3, 1, 4)['text']
    assert 'so 1 window per row' in fit_report(3, 3)['text']
    for n in range(1, 30):
        for k, p, s in ((3, 0, 2), (4, 1, 3), (5, 2, 4), (2, 0, 5)):
            text = fit_report(n, k, p, s)['text']
            assert ' 1 windows' not in text and '(s)' not in text and '1 of them hold ' not in text


@pytest.mark.parametrize('args', [(0, 3), (5, 0), (5, 3, -1), (5, 3, 0, 0), (5.0, 3), (True, 3)])
def test_fit_report_rejects_bad_arguments(args):
    with pytest.raises(ValueError):
        fit_report(*args)


def test_padding_stride_html_is_deterministic_self_contained_and_named_by_uid():
    a = padding_stride_html(32, 4, 0, 3, uid='demo1').data
    assert a == padding_stride_html(32, 4, 0, 3, uid='demo1').data
    assert 'src=' not in a and 'http' not in a                    # no external scripts or assets
    for name in ('n', 'k', 'p', 's', 'w', 'svg', 'formula', 'text'):
        assert f'id="demo1-{name}"' in a
    assert read_static('padding_stride.js') in a and 'require(' not in a
    assert 'remainder 1' in a                       # the text before JavaScript runs already explains
    b = padding_stride_html(32, 4, 0, 3, uid='demo2').data
    assert a.replace('demo1', 'demo2') == b


@pytest.mark.parametrize('kwargs', [dict(uid='1x'), dict(uid='a b'), dict(uid='x"><script>'), dict(uid=3),
                                    dict(n=40), dict(k=0), dict(p=4), dict(s=9), dict(max_n=0)])
def test_padding_stride_html_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        padding_stride_html(**kwargs)


def test_draw_windows_1d_draws_one_bar_per_window():
    import matplotlib.pyplot as plt
    ax = draw_windows_1d(32, 4, 0, 3)
    bars = [patch for patch in ax.patches if patch.get_height() < 1]
    assert len(bars) == 10 and len(ax.patches) == 32 + 10
    assert ax.get_title(loc='left') == 'n=32, k=4, p=0, s=3: output 10'
    plt.close('all')


@pytest.mark.parametrize('mode, p, s', [('max', 0, None), ('avg', 1, 2), ('max', 1, 1)])
def test_pooling_pages_one_png_per_output_cell(mode, p, s):
    X = torch.arange(16.0).reshape(4, 4)
    pages = pooling_pages(X, 2 if p == 0 else 3, s, p, mode=mode, dpi=30)
    pool = (nn.MaxPool2d if mode == 'max' else nn.AvgPool2d)(2 if p == 0 else 3, s, p)
    assert len(pages) == pool(X[None, None]).numel()
    assert all(page.startswith(b'\x89PNG') for page in pages)


def test_pool_steps_agree_with_pytorch_and_name_the_winner():
    torch.manual_seed(0)
    checked = 0
    for n, k, s, p in itertools.product((3, 4, 5, 7), (1, 2, 3), (1, 2, 3), (0, 1)):
        if p > k // 2 or n + 2 * p < k:
            continue
        X = torch.randn(n, n + 1)
        for mode, pool in (('max', F.max_pool2d), ('avg', F.avg_pool2d)):
            expected = pool(X[None, None], k, s, p)[0, 0]
            steps = pool_steps(X, k, s, p, mode)
            assert len(steps) == expected.numel()
            for i, j, value, winner in steps:
                assert abs(value - float(expected[i, j])) < 1e-5
                if mode == 'max':
                    assert float(X[winner[0] - p, winner[1] - p]) == value
            checked += 1
    assert checked > 50
    assert pool_steps(torch.arange(16.).reshape(4, 4), 2)[0] == (0, 0, 5.0, (1, 1))


def test_pooling_pages_rejects_bad_input():
    with pytest.raises(ValueError, match='2-D'):
        pooling_pages(torch.zeros(1, 4, 4), 2)
    with pytest.raises(ValueError, match='mode'):
        pooling_pages(torch.zeros(4, 4), 2, mode='min')
    with pytest.raises(ValueError, match='at most half'):
        pooling_pages(torch.zeros(4, 4), 2, p=2)
