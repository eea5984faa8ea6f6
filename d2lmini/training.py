"""Training and evaluating a classifier, as `train_ch5` of d2lzh_pytorch, but honest.

Counters restart every epoch, the loss is the mean per-example loss, accuracy is
measured with `net.eval()`, the loop never waits on the GPU inside an epoch, and
an interrupted run returns what it has.
"""
import time
from dataclasses import asdict, dataclass, field

import torch
from torch import nn

from .data import check_batch_size
from .device import try_gpu
from .progress import TrainingProgress


class TrainingOutOfMemoryError(RuntimeError):
    """The device ran out of memory; the message says what to lower."""


@dataclass
class History:
    """Per-epoch figures of one training run; `d2lmini.plot_history` draws it."""
    loss: list = field(default_factory=list)
    train_acc: list = field(default_factory=list)
    test_acc: list = field(default_factory=list)
    seconds: list = field(default_factory=list)
    examples_per_sec: list = field(default_factory=list)
    device: str = 'cpu'
    interrupted: bool = False

    @property
    def epochs(self):
        return len(self.loss)

    def to_dict(self):
        return asdict(self)


def _model_device(net):
    param = next(net.parameters(), None)
    return param.device if param is not None else torch.device('cpu')


def evaluate_accuracy(data_iter, net, device=None):
    """Fraction of examples that `net` classifies correctly, with dropout and batch norm in eval mode.

    The argument order is d2lzh_pytorch's. `device` defaults to where `net` lives.
    The net's train/eval mode is restored afterwards.
    """
    device = _model_device(net) if device is None else torch.device(device)
    was_training = net.training
    net.eval()
    correct = torch.zeros((), dtype=torch.long, device=device)
    total = 0
    try:
        with torch.no_grad():
            for X, y in data_iter:
                X, y = X.to(device, non_blocking=True), y.to(device, non_blocking=True)
                correct += (net(X).argmax(dim=1) == y).sum()
                total += y.shape[0]
    finally:
        net.train(was_training)
    if total == 0:
        raise ValueError("evaluate_accuracy got an empty data iterator")
    return correct.item() / total


def _is_out_of_memory(err):
    return isinstance(err, torch.cuda.OutOfMemoryError) or (
        isinstance(err, RuntimeError) and 'out of memory' in str(err).lower()) or (
        isinstance(err, RuntimeError) and "can't allocate memory" in str(err).lower())


def _out_of_memory_error(device, batch_size, input_shape):
    if device.type == 'cuda':
        torch.cuda.empty_cache()
    shape = f" on inputs of shape {tuple(input_shape)}" if input_shape else ''
    smaller = max(1, batch_size // 2)
    return TrainingOutOfMemoryError(
        f"{device} ran out of memory training with batch_size={batch_size}{shape}. "
        f"Lower batch_size (try {smaller}) or the image size (the resize argument of "
        f"load_data_fashion_mnist), or use a narrower network, then run again.")


def _check_batch_size(batch_size, train_iter):
    check_batch_size(batch_size)
    actual = getattr(train_iter, 'batch_size', batch_size)
    if actual != batch_size:
        raise ValueError(f"batch_size={batch_size} but train_iter yields batches of {actual}: "
                         f"pass the batch size the iterator was made with")


def train_ch5(net, train_iter, test_iter, batch_size, optimizer, device=None, num_epochs=10,
              loss=None, scheduler=None, show_progress=True):
    """Train `net` with `optimizer`, print one line per epoch, and return a `History`.

    Same signature as d2lzh_pytorch's `train_ch5`; `device=None` picks the GPU when
    there is one. Each epoch prints the mean per-example loss, train and test
    accuracy and its time; the last line gives training examples/sec. Ctrl-C (or
    the notebook's stop button) ends training cleanly and returns the finished epochs.
    `scheduler`, if given, is stepped once per epoch.
    """
    _check_batch_size(batch_size, train_iter)
    device = try_gpu() if device is None else torch.device(device)
    loss = nn.CrossEntropyLoss() if loss is None else loss
    net = net.to(device)
    history = History(device=str(device))
    progress = TrainingProgress(num_epochs, len(train_iter), enabled=show_progress)
    print(f"training on {device}")
    input_shape = None
    epoch = 0
    try:
        for epoch in range(1, num_epochs + 1):
            net.train()
            loss_sum = torch.zeros((), device=device)
            correct = torch.zeros((), dtype=torch.long, device=device)
            n = 0
            start = time.perf_counter()
            for i, (X, y) in enumerate(train_iter):
                X, y = X.to(device, non_blocking=True), y.to(device, non_blocking=True)
                input_shape = X.shape[1:]
                y_hat = net(X)
                l = loss(y_hat, y)
                optimizer.zero_grad(set_to_none=True)
                l.backward()
                optimizer.step()
                loss_sum += l.detach() * y.shape[0]
                correct += (y_hat.argmax(dim=1) == y).sum()
                n += y.shape[0]
                progress.batch_done(epoch, i + 1)
            if device.type == 'cuda':
                torch.cuda.synchronize(device)
            train_seconds = time.perf_counter() - start
            if scheduler is not None:
                scheduler.step()
            test_acc = evaluate_accuracy(test_iter, net, device)
            seconds = time.perf_counter() - start
            history.loss.append(loss_sum.item() / n)
            history.train_acc.append(correct.item() / n)
            history.test_acc.append(test_acc)
            history.seconds.append(seconds)
            history.examples_per_sec.append(n / train_seconds)
            print(f"epoch {epoch}, loss {history.loss[-1]:.4f}, train acc {history.train_acc[-1]:.3f}, "
                  f"test acc {test_acc:.3f}, time {seconds:.1f} sec")
            progress.epoch_done(history)
    except KeyboardInterrupt:
        history.interrupted = True
        print(f"interrupted during epoch {epoch}: returning the {history.epochs} finished "
              f"epoch(s); the net keeps the weights it had when stopped")
    except (RuntimeError, torch.cuda.OutOfMemoryError) as err:
        if not _is_out_of_memory(err):
            raise
        raise _out_of_memory_error(device, batch_size, input_shape) from None
    finally:
        progress.close()
    if history.epochs:
        speed = sum(history.examples_per_sec) / history.epochs
        print(f"{speed:,.1f} examples/sec on {device} (training, mean over {history.epochs} epochs)")
    return history
