"""The LeNet explorer: its export, its page, and its JavaScript forward pass against PyTorch.

The forward pass in d2lmini/static/lenet_explorer.js runs in node on several pictures, for a
modern LeNet (batch norm folded in) with fixed random weights, the same after a few training
steps, and a classic LeNet (sigmoid, average pooling). Its logits must equal those of PyTorch
run with the same float16-rounded weights (float64 both sides: tight tolerance), and the same
class; PyTorch with those weights must stay within float16 tolerance of the original network.
Without node the comparison is skipped, except under CI (env CI set), where that fails.
"""
import base64
import json
import os
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

import d2lmini as d2l
from d2lmini.lenet_explorer import explore_lenet, export_lenet
from d2lmini.static import read_static

ROOT = Path(__file__).resolve().parent.parent


def modern_lenet(dropout=0.2):
    """The chapter's modernised LeNet (chapters/lenet.ipynb)."""
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.BatchNorm2d(6), nn.ReLU(),
        nn.MaxPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.BatchNorm2d(16), nn.ReLU(),
        nn.MaxPool2d(kernel_size=2, stride=2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.BatchNorm1d(120), nn.ReLU(), nn.Dropout(dropout),
        nn.Linear(120, 84), nn.BatchNorm1d(84), nn.ReLU(), nn.Dropout(dropout),
        nn.Linear(84, 10))


def classic_lenet():
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Flatten(), nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(), nn.Linear(120, 84), nn.Sigmoid(),
        nn.Linear(84, 10))


def _random_modern(seed):
    """A modern LeNet with fixed random weights and batch-norm statistics far from 0 and 1."""
    torch.manual_seed(seed)
    net = modern_lenet()
    for m in net.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.3, 3)
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.3, 0.3)
    return net.eval()


def _briefly_trained(seed):
    """A modern LeNet after 30 Adam steps on pictures of bright bars whose class is the bar's row
    band (batch statistics and weights as training leaves them; cheap, no data set needed)."""
    gen = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    net = modern_lenet()
    opt = torch.optim.Adam(net.parameters(), lr=0.01)
    for _ in range(30):
        y = torch.randint(0, 10, (64,), generator=gen)
        X = torch.rand(64, 1, 28, 28, generator=gen) * 0.3
        for k, c in enumerate(y.tolist()):
            X[k, 0, 2 + 2 * c:4 + 2 * c, 3:25] = 1
        loss = F.cross_entropy(net(X), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return net.eval()


def _pictures(seed, n=6):
    """Uint8 test pictures: noise, black, white, a bright bar, a ring, a smooth blob."""
    gen = torch.Generator().manual_seed(seed)
    pics = [torch.randint(0, 256, (28, 28), generator=gen, dtype=torch.uint8),
            torch.zeros(28, 28, dtype=torch.uint8), torch.full((28, 28), 255, dtype=torch.uint8)]
    bar = torch.zeros(28, 28, dtype=torch.uint8)
    bar[10:13, 3:25] = 255
    r = torch.arange(28.0)
    d = ((r[:, None] - 13.5) ** 2 + (r[None] - 13.5) ** 2).sqrt()
    ring = ((d > 7) & (d < 10)).to(torch.uint8) * 200
    blob = (255 * torch.exp(-d ** 2 / 60)).round().to(torch.uint8)
    pics += [bar, ring, blob]
    return torch.stack(pics[:n])


def _decode_half(b64):
    return torch.from_numpy(np.frombuffer(base64.b64decode(b64), dtype='<f2').astype(np.float64))


def _torch_from_spec(spec):
    """PyTorch (float64) running the exported layers with their float16-rounded weights."""
    def run(x):
        for L in spec['layers']:
            if L['op'] == 'conv':
                w = _decode_half(L['w']).reshape(L['cout'], L['cin'], L['k'], L['k'])
                x = F.conv2d(x, w, _decode_half(L['b']), stride=L['stride'], padding=L['pad'])
            elif L['op'] == 'dense':
                x = F.linear(x, _decode_half(L['w']).reshape(L['nout'], L['nin']), _decode_half(L['b']))
            elif L['op'] == 'maxpool':
                x = F.max_pool2d(x, L['k'], L['stride'])
            elif L['op'] == 'avgpool':
                x = F.avg_pool2d(x, L['k'], L['stride'])
            elif L['op'] == 'flatten':
                x = x.flatten(1)
            else:
                x = {'relu': torch.relu, 'sigmoid': torch.sigmoid, 'tanh': torch.tanh}[L['op']](x)
            assert list(x.shape[1:]) == L['shape'][:x.dim() - 1], (L['op'], x.shape, L['shape'])
        return x
    return run


def _case(name, net, pictures):
    """Export `net`, run PyTorch with its float16 weights; check that against the original net."""
    spec = export_lenet(net)
    x = pictures.unsqueeze(1).double() / 255
    with torch.no_grad():
        reference = _torch_from_spec(spec)(x)
        original = net.double()(x)
        net.float()
    # float16 weights move the logits by little (relative error 2^-11 a weight) ...
    scale = original.abs().max().item()
    assert (reference - original).abs().max().item() <= 2e-3 * max(1.0, scale), (name, reference, original)
    # ... and never change a class the original network is clear about
    top2 = original.topk(2, dim=1).values
    clear = (top2[:, 0] - top2[:, 1]) > 1e-2 * max(1.0, scale)
    assert (reference.argmax(1) == original.argmax(1))[clear].all(), name
    return {'name': name, 'net': spec, 'tol': 1e-9 * max(1.0, scale),
            'images': [base64.b64encode(bytes(p.flatten().tolist())).decode('ascii') for p in pictures],
            'logits': reference.tolist(), 'classes': reference.argmax(1).tolist()}


def test_javascript_forward_pass_gives_pytorchs_logits(tmp_path, node):
    torch.manual_seed(1)
    cases = [_case('modern LeNet, random weights', _random_modern(0), _pictures(0)),
             _case('modern LeNet, briefly trained', _briefly_trained(1), _pictures(1)),
             _case('classic LeNet, random weights', classic_lenet().eval(), _pictures(2))]
    assert len({c for case in cases for c in case['classes']}) > 1      # not one class for everything
    fixtures = tmp_path / 'lenet_fixtures.json'
    fixtures.write_text(json.dumps({'cases': cases}))
    run = subprocess.run([node, '--test', 'tests/js/lenet_explorer.test.js'], cwd=ROOT, capture_output=True,
                         text=True, timeout=300, env=dict(os.environ, D2LMINI_LENET_FIXTURES=str(fixtures)))
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert re.search(r"^ok \d+ - the forward pass gives PyTorch's logits", run.stdout, re.M), run.stdout[-3000:]
    assert re.search(r'^# (skipped|fail) 0$', run.stdout, re.M), run.stdout[-2000:]


def test_export_folds_batch_norm_and_drops_dropout():
    net = _random_modern(3)
    spec = export_lenet(net)
    assert [L['op'] for L in spec['layers']] == ['conv', 'relu', 'maxpool', 'conv', 'relu', 'maxpool', 'flatten',
                                                 'dense', 'relu', 'dense', 'relu', 'dense']
    assert [L['shape'] for L in spec['layers'] if 'title' in L] == [[6, 28, 28], [6, 14, 14], [16, 10, 10],
                                                                    [16, 5, 5], [120, 1, 1], [84, 1, 1], [10, 1, 1]]
    assert spec['layers'][1]['title'] == 'conv1 5x5, pad 2 + batch norm + ReLU'
    conv1, bn1 = net[0], net[1]
    scale = bn1.weight / torch.sqrt(bn1.running_var + bn1.eps)
    expected_w = (conv1.weight * scale[:, None, None, None]).detach().double()
    expected_b = ((conv1.bias - bn1.running_mean) * scale + bn1.bias).detach().double()
    w = _decode_half(spec['layers'][0]['w']).reshape(6, 1, 5, 5)
    assert torch.allclose(w, expected_w, rtol=2 ** -10, atol=2 ** -24)
    assert torch.allclose(_decode_half(spec['layers'][0]['b']), expected_b, rtol=2 ** -10, atol=2 ** -24)
    weights = sum(len(base64.b64decode(L['w'])) + len(base64.b64decode(L['b'])) for L in spec['layers'] if 'w' in L)
    bn_params = 2 * (6 + 16 + 120 + 84)                            # batch norm's gamma and beta, folded away
    assert weights == 2 * (d2l.count_params(net) - bn_params) == 2 * 61706   # 2 bytes a parameter of LeNet
    assert net.training is False and d2l.count_params(net) == 62158


def test_page_is_self_contained_deterministic_and_small():
    net = _random_modern(4)
    pictures = _pictures(4)
    out = explore_lenet(net, pictures.unsqueeze(1).float() / 255, labels=[0, 1, 2, 3, 4, 'a </script> b'])
    page = out._repr_html_()
    assert page == explore_lenet(net, pictures, labels=[0, 1, 2, 3, 4, 'a </script> b']).data   # uint8 = floats / 255
    assert repr(out) == '<LeNet explorer: 6 pictures, 62,158 parameters>'
    assert 'src=' not in page and 'http' not in page and 'import(' not in page
    blob = re.search(r'<script type="application/json" class="d2lx-data">(.*?)</script>', page, re.S).group(1)
    assert '</' not in blob                                            # the caption cannot close the tag
    data = json.loads(blob)
    assert data['captions'] == ['t-shirt', 'trouser', 'pullover', 'dress', 'coat', 'a </script> b']
    assert data['classes'] == d2l.TEXT_LABELS
    assert [list(base64.b64decode(b)) for b in data['images']] == [p.flatten().tolist() for p in pictures]
    assert read_static('lenet_explorer.js') in page and read_static('lenet_explorer.css') in page
    assert re.fullmatch(r'd2lx-[0-9a-f]{12}', re.search(r'<div id="([^"]+)" class="d2lx"', page).group(1))
    assert 'id="d2lx-demo"' in explore_lenet(net, pictures, name='demo').data
    ten = explore_lenet(net, torch.cat([pictures, pictures[:4]]))
    assert len(ten.data.encode('utf-8')) < 250_000                    # issue 12: the notebook grows <= ~500 KB


def test_bad_architectures_get_clear_errors():
    with pytest.raises(TypeError, match='nn.Sequential'):
        export_lenet(nn.Conv2d(1, 6, 5))
    unpadded = classic_lenet()
    unpadded[0] = nn.Conv2d(1, 6, kernel_size=5)                      # 28 -> 24 -> 12 -> 8 -> 4: 256 inputs
    with pytest.raises(ValueError, match=r'layer 7 \(Linear\) expects 400 inputs but receives 256'):
        export_lenet(unpadded)
    with pytest.raises(ValueError, match=r'layer 0 \(Conv2d\) expects 3 input channels but receives 1'):
        export_lenet(nn.Sequential(nn.Conv2d(3, 6, 5), nn.Flatten(), nn.Linear(6 * 24 * 24, 10)))
    with pytest.raises(ValueError, match=r'BatchNorm2d\) must come right after a Conv2d'):
        export_lenet(nn.Sequential(nn.Conv2d(1, 6, 5), nn.ReLU(), nn.BatchNorm2d(6), nn.Flatten(),
                                   nn.Linear(6 * 24 * 24, 10)))
    with pytest.raises(ValueError, match=r'AdaptiveAvgPool2d\) is not supported by the LeNet explorer; it supports'):
        export_lenet(nn.Sequential(nn.Conv2d(1, 10, 5), nn.AdaptiveAvgPool2d(1), nn.Flatten()))
    with pytest.raises(ValueError, match='comes before any Flatten'):
        export_lenet(nn.Sequential(nn.Conv2d(1, 6, 5), nn.Linear(24, 10)))
    with pytest.raises(ValueError, match='comes after Flatten'):
        export_lenet(nn.Sequential(nn.Flatten(), nn.Conv2d(1, 6, 5)))
    with pytest.raises(ValueError, match='has 7 outputs but there are 10 classes'):
        export_lenet(nn.Sequential(nn.Conv2d(1, 6, 5), nn.Flatten(), nn.Linear(6 * 24 * 24, 7)))
    with pytest.raises(ValueError, match='ending in a Linear layer'):
        export_lenet(nn.Sequential(nn.Conv2d(1, 6, 5), nn.Flatten(), nn.Linear(6 * 24 * 24, 10), nn.ReLU()))
    with pytest.raises(ValueError, match='plain convolutions only'):
        export_lenet(nn.Sequential(nn.Conv2d(1, 6, 5, dilation=2), nn.Flatten(), nn.Linear(6 * 20 * 20, 10)))
    with pytest.raises(ValueError, match='without padding, dilation or ceil_mode'):
        export_lenet(nn.Sequential(nn.Conv2d(1, 6, 5), nn.MaxPool2d(2, ceil_mode=True), nn.Flatten(),
                                   nn.Linear(6 * 12 * 12, 10)))
    with pytest.raises(ValueError, match='no running statistics'):
        export_lenet(nn.Sequential(nn.Conv2d(1, 6, 5), nn.BatchNorm2d(6, track_running_stats=False), nn.Flatten(),
                                   nn.Linear(6 * 24 * 24, 10)))


def test_bad_pictures_labels_and_names_get_clear_errors():
    net = _random_modern(5)
    with pytest.raises(ValueError, match=r'got one picture of shape \(28, 28\): use images\[None\]'):
        explore_lenet(net, torch.rand(28, 28))
    with pytest.raises(ValueError, match=r'shape \(N, 28, 28\) or \(N, 1, 28, 28\), got \(2, 3, 28, 28\)'):
        explore_lenet(net, torch.rand(2, 3, 28, 28))
    with pytest.raises(ValueError, match=r'got \(2, 1, 32, 32\).*no resize'):
        explore_lenet(net, torch.rand(2, 1, 32, 32))
    with pytest.raises(ValueError, match=r'must lie in \[0, 1\].*no normalisation'):
        explore_lenet(net, torch.randn(2, 1, 28, 28))
    with pytest.raises(ValueError, match='give 1 to 40 pictures'):
        explore_lenet(net, torch.rand(41, 28, 28))
    with pytest.raises(ValueError, match='got 2 pictures but 3 labels'):
        explore_lenet(net, torch.rand(2, 28, 28), labels=[0, 1, 2])
    with pytest.raises(ValueError, match='class index 0..9 or a caption'):
        explore_lenet(net, torch.rand(2, 28, 28), labels=[0, 10])
    with pytest.raises(ValueError, match='name must be'):
        explore_lenet(net, torch.rand(2, 28, 28), name='1 bad')
    with pytest.raises(ValueError, match='3 outputs but there are 10 classes'):
        explore_lenet(nn.Sequential(nn.Conv2d(1, 2, 5), nn.Flatten(), nn.Linear(2 * 24 * 24, 3)), torch.rand(1, 28, 28))


def test_export_reads_a_net_in_channels_last_as_train_ch5_leaves_it():
    net = _random_modern(6)
    plain = export_lenet(net)
    assert export_lenet(net.to(memory_format=torch.channels_last)) == plain
    assert export_lenet(nn.Sequential(net[:4], nn.Sequential(*net[4:]))) == plain     # nested Sequential
