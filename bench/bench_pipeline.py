"""Data pipeline benchmark, CPU, side by side in one run.

1. LeNet (28x28, batch 256), a fixed number of training batches with
   (a) the classic pipeline: torchvision dataset + per-sample Resize/ToTensor +
       DataLoader with worker processes + `.item()` after every batch
       (what d2lzh_pytorch's load_data_fashion_mnist and train_ch5 do), and
   (b) d2lmini's: the split in memory, batches cut and converted on the fly,
       `d2lmini.train_ch5` (no host sync per batch).
   Prints examples/sec of each and the ratio; then one whole epoch (training and
   test evaluation) as each train_ch5 times it, d2lzh_pytorch with its 4 workers.
2. A 224x224 model (AlexNet as in Dive into Deep Learning): how much d2lmini's
   pipeline (index, cast, bilinear resize to 224) adds over pure compute.

    D2LMINI_DATA=.cache/data python bench/bench_pipeline.py [--batches 60] [--big-batches 3]
"""
import argparse
import contextlib
import io
import time
import warnings

import torch
from torch import nn

import d2lmini as d2l
from d2lmini.data import FashionMNISTIterator


def lenet():
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.Sigmoid(), nn.AvgPool2d(2, 2),
        nn.Conv2d(6, 16, 5), nn.Sigmoid(), nn.AvgPool2d(2, 2),
        d2l.FlattenLayer(), nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(),
        nn.Linear(120, 84), nn.Sigmoid(), nn.Linear(84, 10))


def alexnet():
    return nn.Sequential(
        nn.Conv2d(1, 96, 11, 4, 1), nn.ReLU(), nn.MaxPool2d(3, 2),
        nn.Conv2d(96, 256, 5, padding=2), nn.ReLU(), nn.MaxPool2d(3, 2),
        nn.Conv2d(256, 384, 3, padding=1), nn.ReLU(), nn.Conv2d(384, 384, 3, padding=1), nn.ReLU(),
        nn.Conv2d(384, 256, 3, padding=1), nn.ReLU(), nn.MaxPool2d(3, 2), d2l.FlattenLayer(),
        nn.Linear(6400, 4096), nn.ReLU(), nn.Dropout(0.5), nn.Linear(4096, 4096), nn.ReLU(),
        nn.Dropout(0.5), nn.Linear(4096, 10))


def classic_loaders(root, batch_size, workers):
    """d2lzh_pytorch's pipeline: torchvision datasets, per-sample Resize/ToTensor, DataLoader workers."""
    import torchvision
    from torchvision import transforms
    transform = transforms.Compose([transforms.Resize(28), transforms.ToTensor()])
    return [torch.utils.data.DataLoader(
        torchvision.datasets.FashionMNIST(root=str(root), train=train, download=False, transform=transform),
        batch_size=batch_size, shuffle=train, num_workers=workers) for train in (True, False)]


def classic_train(loader, batches=None):
    """d2lzh_pytorch's training loop, `.item()` after every batch; returns (examples, net)."""
    net = lenet()
    optimizer = torch.optim.Adam(net.parameters(), lr=0.001)
    loss = nn.CrossEntropyLoss()
    n, loss_sum, correct = 0, 0.0, 0
    for i, (X, y) in enumerate(loader):
        if i == batches:
            break
        y_hat = net(X)
        l = loss(y_hat, y)
        optimizer.zero_grad()
        l.backward()
        optimizer.step()
        loss_sum += l.cpu().item()
        correct += (y_hat.argmax(dim=1) == y).sum().cpu().item()
        n += y.shape[0]
    return n, net


def classic_examples_per_sec(root, batches, batch_size=256, workers=2):
    """Training examples/sec, timed from creating the epoch's iterator to the last batch."""
    train_loader, _ = classic_loaders(root, batch_size, workers)
    start = time.perf_counter()
    n, _ = classic_train(train_loader, batches)
    return n / (time.perf_counter() - start)


def classic_epoch_seconds(root, batch_size=256, workers=4):
    """One epoch as d2lzh_pytorch's train_ch5 times it: training, then test accuracy."""
    train_loader, test_loader = classic_loaders(root, batch_size, workers)
    start = time.perf_counter()
    _, net = classic_train(train_loader)
    net.eval()
    with torch.no_grad():
        sum((net(X).argmax(dim=1) == y).float().sum().cpu().item() for X, y in test_loader)
    return time.perf_counter() - start


def d2lmini_epoch_seconds(arrays, batch_size=256):
    """One epoch of d2lmini.train_ch5 on the full data: training and test accuracy."""
    train_iter = FashionMNISTIterator(*arrays['train'], batch_size, True)
    test_iter = FashionMNISTIterator(*arrays['test'], batch_size, False)
    net = lenet()
    optimizer = torch.optim.Adam(net.parameters(), lr=0.001)
    with contextlib.redirect_stdout(io.StringIO()):
        history = d2l.train_ch5(net, train_iter, test_iter, batch_size, optimizer, 'cpu', 1,
                                show_progress=False)
    return history.seconds[0]


def d2lmini_examples_per_sec(arrays, batches, batch_size=256):
    """d2lmini's pipeline and train_ch5, on the first `batches` batches' worth of examples."""
    images, labels = arrays['train']
    count = batches * batch_size
    train_iter = FashionMNISTIterator(images[:count], labels[:count], batch_size, True)
    test_iter = FashionMNISTIterator(*arrays['test'], batch_size, False)
    test_iter.images, test_iter.labels = test_iter.images[:batch_size], test_iter.labels[:batch_size]
    net = lenet()
    optimizer = torch.optim.Adam(net.parameters(), lr=0.001)
    with contextlib.redirect_stdout(io.StringIO()):        # keep the benchmark's own report readable
        history = d2l.train_ch5(net, train_iter, test_iter, batch_size, optimizer, 'cpu', 1,
                                show_progress=False)
    return history.examples_per_sec[0]


def big_model_overhead(arrays, batches, batch_size=32, size=224):
    """Seconds per batch of (pipeline alone, compute alone, both), AlexNet at 224x224."""
    images, labels = arrays['train']
    data = FashionMNISTIterator(images[:batches * batch_size], labels[:batches * batch_size], batch_size,
                                True, resize=(size, size))
    net, loss = alexnet(), nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(net.parameters(), lr=0.01)

    def step(X, y):
        optimizer.zero_grad()
        loss(net(X), y).backward()
        optimizer.step()
    X0, y0 = next(iter(data))
    step(X0, y0)                                            # warm-up
    start = time.perf_counter()
    for _ in range(3):
        for X, y in data:
            pass
    pipeline = (time.perf_counter() - start) / (3 * batches)
    start = time.perf_counter()
    for _ in range(batches):
        step(X0, y0)
    compute = (time.perf_counter() - start) / batches
    start = time.perf_counter()
    for X, y in data:
        step(X, y)
    both = (time.perf_counter() - start) / batches
    return pipeline, compute, both


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--batches', type=int, default=60, help='LeNet training batches per pipeline')
    parser.add_argument('--repeats', type=int, default=3, help='alternating runs of each; the best counts')
    parser.add_argument('--epochs', type=int, default=2, help='full-epoch runs of each (0 skips)')
    parser.add_argument('--big-batches', type=int, default=3, help='AlexNet batches (0 skips part 2)')
    args = parser.parse_args()
    warnings.filterwarnings('ignore', message='This DataLoader will create')   # 4 workers on 2 cores, as d2lzh
    root = d2l.default_root()
    arrays = d2l.load_fashion_mnist_arrays(root, download=False)
    torch.manual_seed(0)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, CPU\n")

    print(f"1. LeNet, 28x28, batch 256, {args.batches} training batches, best of {args.repeats} alternating runs")
    d2lmini_examples_per_sec(arrays, 5)                     # warm-up both
    classic_examples_per_sec(root, 5)
    classic = ours = 0
    for _ in range(args.repeats):                           # alternate, so background load hits both
        classic = max(classic, classic_examples_per_sec(root, args.batches))
        ours = max(ours, d2lmini_examples_per_sec(arrays, args.batches))
    print(f"   classic (torchvision + DataLoader(2 workers) + .item()): {classic:9,.0f} examples/sec")
    print(f"   d2lmini (in memory, no per-batch sync):               {ours:9,.0f} examples/sec")
    print(f"   ratio d2lmini / classic: {ours / classic:.1f}x")
    if args.epochs:
        classic_s = min(classic_epoch_seconds(root) for _ in range(args.epochs))
        ours_s = min(d2lmini_epoch_seconds(arrays) for _ in range(args.epochs))
        print(f"   one full epoch incl. test accuracy, best of {args.epochs}: classic (4 workers, as "
              f"d2lzh_pytorch) {classic_s:.1f} s, d2lmini {ours_s:.1f} s, ratio {classic_s / ours_s:.1f}x")

    if args.big_batches:
        print(f"\n2. AlexNet, 224x224, batch 32, {args.big_batches} batches")
        pipeline, compute, both = big_model_overhead(arrays, args.big_batches)
        print(f"   pipeline alone (index, cast, resize to 224): {pipeline * 1000:8.1f} ms/batch")
        print(f"   compute alone (same batch reused):           {compute * 1000:8.1f} ms/batch")
        print(f"   both, as in training:                        {both * 1000:8.1f} ms/batch")
        print(f"   pipeline / compute: {pipeline / compute:.2%}; "
              f"measured end-to-end overhead: {both / compute - 1:+.2%} (noise included)")


if __name__ == '__main__':
    main()
