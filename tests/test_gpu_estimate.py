"""t4_estimate: the arithmetic of the full budget's time and memory on a T4."""
import pytest
import torch
from torch import nn

import d2lmini as d2l
from d2lmini import gpu_estimate


def tiny_net():
    return nn.Sequential(nn.Conv2d(1, 4, kernel_size=3, padding=1), nn.ReLU(),
                         nn.Flatten(), nn.Linear(4 * 8 * 8, 10))


def test_work_time_and_memory_follow_from_the_counts():
    net = tiny_net()
    est = d2l.t4_estimate(net, (1, 1, 8, 8), batch_size=32, num_epochs=2,
                          num_train=1000, num_test=100)
    macs = 4 * 8 * 8 * 9 + 10 * 256
    assert macs == d2l.count_macs(net, (1, 1, 8, 8))
    passes = 2 * (3 * 1000 + 100)
    assert est.flops == 2 * macs * passes
    activations = 64 + 256 + 256 + 256 + 10           # input, conv, relu, flatten, linear
    traffic = 2 * (4 * 1000 + 2 * 100) * activations * 2
    assert est.seconds_at_peak == pytest.approx(max(est.flops / 65e12, traffic / 320e9))
    assert est.seconds_expected == pytest.approx(est.seconds_at_peak / 0.15)
    assert est.weight_bytes == 16 * d2l.count_params(net)
    assert est.activation_bytes == activations * 32 * 2
    assert est.memory_bytes == est.weight_bytes + est.activation_bytes


def test_shows_as_four_short_lines_and_leaves_the_net_as_it_was():
    net = tiny_net().train()
    est = gpu_estimate.t4_estimate(net, (1, 8, 8), batch_size=4, num_epochs=1)
    lines = repr(est).splitlines()
    assert len(lines) == 4 and lines[0].startswith('full budget on a T4')
    assert all(len(line) <= 88 for line in lines)
    assert str(est) == repr(est)
    assert net.training


@pytest.mark.parametrize('kwargs, message', [
    (dict(batch_size=0), 'batch_size must be a positive integer'),
    (dict(batch_size=2.5), 'batch_size must be a positive integer'),
    (dict(num_epochs=True), 'num_epochs must be a positive integer'),
])
def test_bad_numbers_are_named(kwargs, message):
    args = dict(batch_size=4, num_epochs=1) | kwargs
    with pytest.raises(ValueError, match=message):
        d2l.t4_estimate(tiny_net(), (1, 1, 8, 8), **args)


def test_bad_net_and_shape_are_named():
    with pytest.raises(ValueError, match='net must be a torch.nn.Module'):
        d2l.t4_estimate(lambda x: x, (1, 1, 8, 8), 4, 1)
    with pytest.raises(ValueError, match='does not fit this network'):
        d2l.t4_estimate(tiny_net(), (1, 1, 9, 9), 4, 1)
    with pytest.raises(ValueError, match='input_shape must be'):
        d2l.t4_estimate(tiny_net(), (8, 8), 4, 1)


def test_numpy_integers_are_accepted():
    np = pytest.importorskip('numpy')
    est = d2l.t4_estimate(tiny_net(), (1, 1, 8, 8), np.int64(4), np.int64(1))
    assert est.memory_bytes > 0
