import pytest
import torch
from torch import nn

import d2lmini as d2l


def lenet():
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.Sigmoid(), nn.AvgPool2d(2, 2),
        nn.Conv2d(6, 16, 5), nn.Sigmoid(), nn.AvgPool2d(2, 2),
        d2l.FlattenLayer(), nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(),
        nn.Linear(120, 84), nn.Sigmoid(), nn.Linear(84, 10))


def test_summary_lists_each_layer_shape_and_params_then_totals(capsys):
    net = lenet()
    assert d2l.summary(net, (1, 1, 28, 28)) is None
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ['layer', 'output', 'shape', 'params']
    assert lines[1].split() == ['0', 'Conv2d', '(1,', '6,', '28,', '28)', '156']
    assert lines[6].split() == ['5', 'AvgPool2d', '(1,', '16,', '5,', '5)', '0']
    assert lines[8].split()[-1] == '48,120'
    assert lines[-1] == 'total params: 61,706    multiply-adds per example: 416,520'
    assert len(lines) == 1 + 12 + 2


def test_counts_match_hand_arithmetic():
    net = lenet()
    assert d2l.count_params(net) == sum(p.numel() for p in net.parameters()) == 61706
    # conv1 6*28*28*25 + conv2 16*10*10*150 + 400*120 + 120*84 + 84*10
    assert d2l.count_macs(net, (1, 28, 28)) == 117600 + 240000 + 48000 + 10080 + 840
    assert d2l.count_macs(net, (8, 1, 28, 28)) == 416520          # per example, whatever the batch
    six_filters = nn.Conv2d(3, 6, 5)
    assert d2l.count_params(six_filters) == 6 * (5 * 5 * 3 + 1) == 456


def test_grouped_convolution_macs():
    conv = nn.Conv2d(8, 8, 3, padding=1, groups=4)
    assert d2l.count_macs(conv, (8, 10, 10)) == 8 * 10 * 10 * (2 * 9)


def test_summary_keeps_the_mode_and_works_on_a_single_module(capsys):
    net = lenet().train()
    d2l.summary(net, (1, 28, 28))
    assert net.training
    d2l.summary(nn.Conv2d(1, 2, 3), (1, 5, 5))
    assert 'Conv2d' in capsys.readouterr().out


def test_a_shape_that_does_not_fit_names_the_layers_that_ran():
    with pytest.raises(ValueError, match=r'does not fit this network; layers that ran: 0: \(1, 6, 32, 32\).*6: \(1, 576\)'):
        d2l.summary(lenet(), (1, 1, 32, 32))
