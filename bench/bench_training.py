"""Training speed: the plain fp32 NCHW loop a reader would write vs `d2lmini.train_ch5`, side by side.

For each chapter's cpu-budget model (LeNet; AlexNet, VGG-11, NiN, GoogLeNet at the
shapes of their chapters' cpu budgets, copied here in plain PyTorch), both sides
train on the same fixed in-memory batches, alternating, for `--rounds` rounds; the
best of each side counts. train_ch5 runs unchanged (its own timing of the training
part of an epoch, `History.examples_per_sec`), so what is measured is exactly what
the chapters get: channels_last and, on CPUs with native bf16, bf16 autocast.

Also measured in the same run: the machine's fp32 and bf16 matmul peak. Printed per
model: img/s plain, img/s train_ch5, their ratio, achieved GFLOP/s of train_ch5
(3 x multiply-adds x 2 FLOP per image: forward + backward) and its fraction of the
matmul peak in the precision train_ch5 used (bf16 where native, else fp32).
Floors (issue 10): >= 1.5x on LeNet, >= 2x on the others.

    OMP_NUM_THREADS=2 python bench/bench_training.py [--rounds 3] [--batches 6] [--no-bf16]
        [--models lenet,alexnet,vgg,nin,googlenet]

`--no-bf16` forces precision='fp32' in train_ch5: it must never be slower than plain.
"""
import argparse
import contextlib
import io
import time

import torch
from torch import nn
from torch.nn import functional as F

import d2lmini as d2l

FLOORS = {'lenet': 1.5, 'alexnet': 2.0, 'vgg': 2.0, 'nin': 2.0, 'googlenet': 2.0}


# ---- the chapters' cpu-budget models, in plain PyTorch ----

def lenet():                       # chapters/lenet.ipynb: classic LeNet, 28x28, batch 128
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.Sigmoid(), nn.AvgPool2d(2, 2),
        nn.Conv2d(6, 16, 5), nn.Sigmoid(), nn.AvgPool2d(2, 2), nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(), nn.Linear(120, 84), nn.Sigmoid(), nn.Linear(84, 10))


def alexnet(width=0.25, hidden=(1024, 1024), image_size=96):   # chapters/alexnet.ipynb cpu budget
    c = [max(1, round(k * width)) for k in (96, 256, 384, 384, 256)]
    features = nn.Sequential(
        nn.Conv2d(1, c[0], 11, 4, 1), nn.ReLU(), nn.MaxPool2d(3, 2),
        nn.Conv2d(c[0], c[1], 5, padding=2), nn.ReLU(), nn.MaxPool2d(3, 2),
        nn.Conv2d(c[1], c[2], 3, padding=1), nn.ReLU(), nn.Conv2d(c[2], c[3], 3, padding=1), nn.ReLU(),
        nn.Conv2d(c[3], c[4], 3, padding=1), nn.ReLU(), nn.MaxPool2d(3, 2), nn.Flatten())
    n = features(torch.zeros(1, 1, image_size, image_size)).shape[1]
    return nn.Sequential(features, nn.Linear(n, hidden[0]), nn.ReLU(), nn.Dropout(0.5),
                         nn.Linear(hidden[0], hidden[1]), nn.ReLU(), nn.Dropout(0.5),
                         nn.Linear(hidden[1], 10))


def vgg11(ratio=8, image_size=64, batch_norm=True):      # chapters/vgg.ipynb cpu budget (VGG-BN)
    layers, cin = [], 1
    for convs, cout in ((1, 64), (1, 128), (2, 256), (2, 512), (2, 512)):
        for _ in range(convs):
            layers += [nn.Conv2d(cin, cout // ratio, 3, padding=1)]
            layers += [nn.BatchNorm2d(cout // ratio)] if batch_norm else []
            layers += [nn.ReLU()]
            cin = cout // ratio
        layers.append(nn.MaxPool2d(2, 2))
    side = image_size // 32
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(cin * side * side, 4096 // ratio), nn.ReLU(),
                         nn.Dropout(0.5), nn.Linear(4096 // ratio, 4096 // ratio), nn.ReLU(),
                         nn.Dropout(0.5), nn.Linear(4096 // ratio, 10))


def nin(ratio=4):                                         # chapters/nin.ipynb cpu budget (96x96)
    def block(cin, cout, k, s, p):
        return [nn.Conv2d(cin, cout, k, s, p), nn.ReLU(), nn.Conv2d(cout, cout, 1), nn.ReLU(),
                nn.Conv2d(cout, cout, 1), nn.ReLU()]
    c = [k // ratio for k in (96, 256, 384)]
    return nn.Sequential(*block(1, c[0], 11, 4, 0), nn.MaxPool2d(3, 2),
                         *block(c[0], c[1], 5, 1, 2), nn.MaxPool2d(3, 2),
                         *block(c[1], c[2], 3, 1, 1), nn.MaxPool2d(3, 2), nn.Dropout(0.5),
                         *block(c[2], 10, 3, 1, 1), nn.AdaptiveAvgPool2d(1), nn.Flatten())


class Inception(nn.Module):
    def __init__(self, cin, c1, c2, c3, c4):
        super().__init__()
        self.p1 = nn.Conv2d(cin, c1, 1)
        self.p2 = nn.Sequential(nn.Conv2d(cin, c2[0], 1), nn.ReLU(), nn.Conv2d(c2[0], c2[1], 3, padding=1))
        self.p3 = nn.Sequential(nn.Conv2d(cin, c3[0], 1), nn.ReLU(), nn.Conv2d(c3[0], c3[1], 5, padding=2))
        self.p4 = nn.Sequential(nn.MaxPool2d(3, 1, 1), nn.Conv2d(cin, c4, 1))

    def forward(self, x):
        return torch.cat([F.relu(self.p1(x)), F.relu(self.p2(x)), F.relu(self.p3(x)),
                          F.relu(self.p4(x))], dim=1)


def googlenet(ratio=8):                                   # chapters/googlenet.ipynb cpu budget (64x64)
    def r(k):
        return max(1, k // ratio)

    def inc(cin, c1, c2, c3, c4):
        return Inception(r(cin), r(c1), (r(c2[0]), r(c2[1])), (r(c3[0]), r(c3[1])), r(c4))
    return nn.Sequential(
        nn.Conv2d(1, r(64), 7, 2, 3), nn.ReLU(), nn.MaxPool2d(3, 2, 1),
        nn.Conv2d(r(64), r(64), 1), nn.ReLU(), nn.Conv2d(r(64), r(192), 3, padding=1), nn.ReLU(),
        nn.MaxPool2d(3, 2, 1),
        inc(192, 64, (96, 128), (16, 32), 32), inc(256, 128, (128, 192), (32, 96), 64),
        nn.MaxPool2d(3, 2, 1),
        inc(480, 192, (96, 208), (16, 48), 64), inc(512, 160, (112, 224), (24, 64), 64),
        inc(512, 128, (128, 256), (24, 64), 64), inc(512, 112, (144, 288), (32, 64), 64),
        inc(528, 256, (160, 320), (32, 128), 128), nn.MaxPool2d(3, 2, 1),
        inc(832, 256, (160, 320), (32, 128), 128), inc(832, 384, (192, 384), (48, 128), 128),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(r(1024), 10))


# name: (constructor, image side, batch size, optimizer, lr) as in the chapters' cpu budgets
MODELS = {
    'lenet': (lenet, 28, 128, torch.optim.Adam, 0.002),
    'alexnet': (alexnet, 96, 128, torch.optim.Adam, 0.001),
    'vgg': (vgg11, 64, 128, torch.optim.Adam, 0.002),
    'nin': (nin, 96, 128, torch.optim.SGD, 0.1),
    'googlenet': (googlenet, 64, 128, torch.optim.Adam, 0.002),
}


def matmul_peak(dtype, n=2048, seconds=1.0):
    """Best GFLOP/s of an n x n matmul in `dtype` over about `seconds`."""
    a, b = torch.randn(n, n, dtype=dtype), torch.randn(n, n, dtype=dtype)
    a @ b
    best, end = 0.0, time.perf_counter() + seconds
    while time.perf_counter() < end:
        start = time.perf_counter()
        a @ b
        best = max(best, 2 * n ** 3 / (time.perf_counter() - start) / 1e9)
    return best


def plain_loop(net, batches, optimizer, loss):
    """The loop a reader writes: fp32, default layout, no host sync per batch. Returns img/s."""
    net.train()
    start = time.perf_counter()
    n = 0
    for X, y in batches:
        l = loss(net(X), y)
        optimizer.zero_grad()
        l.backward()
        optimizer.step()
        n += y.shape[0]
    return n / (time.perf_counter() - start)


def with_train_ch5(net, batches, optimizer, batch_size, precision):
    """One train_ch5 epoch on the same batches (its own training-time measurement). Returns img/s."""
    with contextlib.redirect_stdout(io.StringIO()):
        history = d2l.train_ch5(net, batches, batches[:1], batch_size, optimizer, 'cpu', 1,
                                show_progress=False, precision=precision)
    return history.examples_per_sec[-1]


def bench_model(name, rounds, n_batches, precision):
    make, side, batch_size, opt_class, lr = MODELS[name]
    torch.manual_seed(0)
    batches = [(torch.rand(batch_size, 1, side, side), torch.randint(0, 10, (batch_size,)))
               for _ in range(n_batches)]
    torch.manual_seed(0)
    net_plain = make()
    net_fast = make()
    net_fast.load_state_dict(net_plain.state_dict())
    opt_plain = opt_class(net_plain.parameters(), lr)
    opt_fast = opt_class(net_fast.parameters(), lr)
    loss = nn.CrossEntropyLoss()
    plain_loop(net_plain, batches[:2], opt_plain, loss)                 # warm-up both sides
    with_train_ch5(net_fast, batches[:2], opt_fast, batch_size, precision)
    plain, fast = 0.0, 0.0
    for _ in range(rounds):                                             # alternate, keep the best
        plain = max(plain, plain_loop(net_plain, batches, opt_plain, loss))
        fast = max(fast, with_train_ch5(net_fast, batches, opt_fast, batch_size, precision))
    macs = d2l.count_macs(make(), (1, 1, side, side))
    return plain, fast, macs


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--rounds', type=int, default=3)
    parser.add_argument('--batches', type=int, default=6, help='training batches per round and side')
    parser.add_argument('--no-bf16', action='store_true', help="train_ch5 with precision='fp32'")
    parser.add_argument('--models', default=','.join(MODELS))
    args = parser.parse_args()
    names = args.models.split(',')
    unknown = [n for n in names if n not in MODELS]
    if unknown:
        parser.error(f"unknown model(s) {unknown}; choose from {list(MODELS)}")
    precision = 'fp32' if args.no_bf16 else 'auto'
    from d2lmini.fast import native_bf16
    native = native_bf16(torch.device('cpu'))
    peak32 = matmul_peak(torch.float32)
    peak16 = matmul_peak(torch.bfloat16) if native else float('nan')
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, native bf16: {native}")
    print(f"matmul peak: fp32 {peak32:.0f} GFLOP/s, bf16 {peak16:.0f} GFLOP/s")
    print(f"train_ch5 precision={precision!r}; best of {args.rounds} alternating rounds, "
          f"{args.batches} batches each")
    # achieved GFLOP/s against the matmul peak of the precision train_ch5 computes in
    peak_name, peak = ('bf16', peak16) if native and precision == 'auto' else ('fp32', peak32)
    print(f"{'model':<10}{'plain img/s':>12}{'train_ch5':>11}{'ratio':>7}{'floor':>7}"
          f"{'GFLOP/s':>9}{f'of {peak_name} peak':>14}")
    failed = []
    for name in names:
        plain, fast, macs = bench_model(name, args.rounds, args.batches, precision)
        ratio = fast / plain
        gflops = 3 * 2 * macs * fast / 1e9
        floor = FLOORS[name] if not args.no_bf16 else 1.0
        if ratio < floor:
            failed.append(name)
        print(f"{name:<10}{plain:>12,.0f}{fast:>11,.0f}{ratio:>6.2f}x{floor:>6.1f}x"
              f"{gflops:>9.0f}{gflops / peak:>13.0%}", flush=True)
    print('all floors met' if not failed else f"below the floor: {', '.join(failed)}")


if __name__ == '__main__':
    main()
