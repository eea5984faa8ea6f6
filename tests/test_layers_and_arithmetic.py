import itertools

import pytest
import torch
import torch.nn.functional as F
from torch import nn

import d2lmini as d2l


def test_corr2d_matches_the_textbook_example_and_pytorch():
    X = torch.arange(9.0).reshape(3, 3)
    K = torch.arange(4.0).reshape(2, 2)
    assert torch.equal(d2l.corr2d(X, K), torch.tensor([[19.0, 25.0], [37.0, 43.0]]))
    torch.manual_seed(0)
    for shape, kshape in (((6, 8), (3, 3)), ((5, 5), (1, 4)), ((7, 4), (7, 4))):
        X, K = torch.randn(shape), torch.randn(kshape)
        expected = F.conv2d(X[None, None], K[None, None])[0, 0]
        assert torch.allclose(d2l.corr2d(X, K), expected, atol=1e-5)


def test_corr2d_on_integers_returns_float32_like_d2lzh_and_floats_keep_their_dtype():
    X, K = torch.arange(9).reshape(3, 3), torch.arange(4).reshape(2, 2)
    Y = d2l.corr2d(X, K)
    assert Y.dtype == torch.float32 and torch.equal(Y, torch.tensor([[19., 25.], [37., 43.]]))
    assert d2l.corr2d(X.double(), K.double()).dtype == torch.float64
    assert d2l.corr2d(X.float(), K).dtype == torch.float32


def test_corr2d_rejects_bad_shapes():
    with pytest.raises(ValueError, match='2-D'):
        d2l.corr2d(torch.ones(1, 3, 3), torch.ones(2, 2))
    with pytest.raises(ValueError, match='larger than the input'):
        d2l.corr2d(torch.ones(3, 3), torch.ones(4, 2))


def test_flatten_and_global_average_pooling():
    X = torch.randn(2, 3, 4, 5)
    assert d2l.FlattenLayer()(X).shape == (2, 60)
    assert torch.equal(d2l.FlattenLayer()(X)[1], X[1].reshape(-1))
    gap = d2l.GlobalAvgPool2d()(X)
    assert gap.shape == (2, 3, 1, 1)
    assert torch.allclose(gap, F.adaptive_avg_pool2d(X, 1))


def test_conv_output_size_matches_nn_conv2d_over_a_sweep():
    checked = 0
    for n, k, p, s, d in itertools.product((5, 8, 28, 32), (1, 2, 3, 5), (0, 1, 2), (1, 2, 3), (1, 2)):
        if n + 2 * p - d * (k - 1) - 1 < 0:
            continue
        conv = nn.Conv2d(1, 1, k, stride=s, padding=p, dilation=d)
        assert conv(torch.zeros(1, 1, n, n)).shape[-1] == d2l.conv_output_size(n, k, p, s, d), (n, k, p, s, d)
        checked += 1
    assert checked > 100


def test_pool_output_size_matches_max_pool_including_ceil_mode():
    for n, k, p, s, ceil in itertools.product((4, 5, 7, 28), (2, 3), (0, 1), (1, 2, 3), (False, True)):
        if p > k // 2:
            continue
        pool = nn.MaxPool2d(k, stride=s, padding=p, ceil_mode=ceil)
        assert pool(torch.zeros(1, 1, n, n)).shape[-1] == d2l.pool_output_size(n, k, p, s, ceil_mode=ceil), \
            (n, k, p, s, ceil)
    assert d2l.pool_output_size(4, 2) == 2                     # stride defaults to the window


def test_worked_examples():
    assert d2l.conv_output_size(28, 5) == 24
    assert d2l.conv_output_size(32, 4) == 29
    assert d2l.conv_output_size(32, 4, p=1, s=3) == 11
    assert d2l.conv_output_size(224, 11, p=1, s=4) == 54


def test_a_kernel_that_does_not_fit_shows_the_formula_with_the_numbers():
    with pytest.raises(ValueError, match=r'n \+ 2p - k = 3 \+ 2\*0 - 5 = -2 < 0'):
        d2l.conv_output_size(3, 5)
    with pytest.raises(ValueError, match=r'n \+ 2p - k = 2 \+ 2\*0 - 3 = -1 < 0'):
        d2l.pool_output_size(2, 3)


@pytest.mark.parametrize('s', [0, -1, 1.5])
def test_a_bad_stride_shows_the_formula(s):
    with pytest.raises(ValueError, match=r'floor\(\(n \+ 2p - k\) / s\) \+ 1.*s = '):
        d2l.conv_output_size(28, 5, 0, s)


@pytest.mark.parametrize('args', [(0, 3), (28, 0), (28, 3, -1), (28.0, 3), (28, 3, 0, 1, 0)])
def test_other_bad_arguments(args):
    with pytest.raises(ValueError):
        d2l.conv_output_size(*args)


def test_sgd_is_d2lzh_update_divided_by_batch_size():
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    (w * torch.tensor([3.0, 4.0])).sum().backward()
    d2l.sgd([w], lr=0.5, batch_size=2)
    assert torch.equal(w.detach(), torch.tensor([1.0 - 0.75, 2.0 - 1.0]))
    assert w.requires_grad and w.is_leaf
    with pytest.raises(ValueError, match='backward'):
        d2l.sgd([torch.zeros(2, requires_grad=True)], 0.1, 1)


def test_residual_block_with_and_without_1x1_shortcut():
    X = torch.rand(4, 3, 6, 6)
    assert d2l.Residual(3, 3)(X).shape == (4, 3, 6, 6)
    blk = d2l.Residual(3, 6, use_1x1conv=True, stride=2)
    assert blk(X).shape == (4, 6, 3, 3)
    assert blk.conv3.kernel_size == (1, 1) and d2l.Residual(3, 3).conv3 is None
    with pytest.raises(ValueError, match='use_1x1conv'):
        d2l.Residual(3, 6)(X)


def test_resnet18_shapes_and_size_as_in_d2lzh():
    net = d2l.resnet18(10, in_channels=1)
    names = [name for name, _ in net.named_children()]
    assert names[4:] == ['resnet_block1', 'resnet_block2', 'resnet_block3', 'resnet_block4',
                         'global_avg_pool', 'fc']
    X = torch.rand(2, 1, 96, 96)
    for name, layer in net.named_children():
        X = layer(X)
        if name == 'resnet_block4':
            assert X.shape == (2, 512, 3, 3)
    assert X.shape == (2, 10)
    convs = [m for m in net.modules() if isinstance(m, nn.Conv2d) and m.kernel_size != (1, 1)]
    assert len(convs) + 1 == 18                    # 17 conv layers + the dense layer
    assert d2l.resnet18()(torch.rand(2, 3, 32, 32)).shape == (2, 10)
    with pytest.raises(ValueError, match='first block'):
        d2l.resnet_block(64, 128, 2, first_block=True)
