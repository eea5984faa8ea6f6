"""Training and evaluating a classifier, as `train_ch5` of d2lzh_pytorch, but honest.

Counters restart every epoch, the loss is the mean per-example loss, accuracy is
measured with `net.eval()`, the loop never waits on the GPU inside an epoch, and
an interrupted run returns what it has. The reader's network runs in the fastest
layout and precision the hardware does natively (`d2lmini.fast`), and the
`training on ...` line says which.
"""
import operator
import time
from dataclasses import asdict, dataclass, field

import torch
from torch import nn

from .data import check_batch_size
from .device import try_gpu
from .fast import choose_fast_path, fall_back_if_layout_breaks, in_channels_last
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
    precision: str = 'fp32'
    channels_last: bool = False
    cpu_threads: int = 0
    optimizer: dict = field(default_factory=dict)   # class name and hyperparameters (lr, momentum...)
    schedule: str = 'none'

    @property
    def epochs(self):
        return len(self.loss)

    def __repr__(self):
        """One line, so that a cell ending in `d2l.train_ch5(...)` shows no long lists."""
        if not self.epochs:
            return f"History(no finished epoch on {self.device})"
        return (f"History({self.epochs} epoch{'s' if self.epochs != 1 else ''} on {self.device}, "
                f"final test acc {self.test_acc[-1]:.3f}{', interrupted' if self.interrupted else ''})")

    def to_dict(self):
        return asdict(self)


def _model_device(net):
    parameters = getattr(net, 'parameters', None)
    param = next(parameters(), None) if callable(parameters) else None
    return param.device if param is not None else torch.device('cpu')


def evaluate_accuracy(data_iter, net, device=None, fast=None, precision='fp32'):
    """Fraction of examples that `net` classifies correctly, with dropout and batch norm in eval mode.

    The argument order is d2lzh_pytorch's; `net` may also be a plain function of X
    (d2lzh's chapter-3 style). `device` defaults to where `net` lives. The net's
    train/eval mode is restored afterwards. By default it computes in fp32;
    `precision=history.precision` computes as `train_ch5` did (bf16 autocast where
    it trained in bf16, in the layout it left the net in), and so reproduces the
    test accuracy that training printed exactly. `fast` is train_ch5's own choice.
    """
    device = _model_device(net) if device is None else torch.device(device)
    if fast is None and precision != 'fp32':
        fast = choose_fast_path(net, device, precision, channels_last=in_channels_last(net))
    is_module = isinstance(net, nn.Module)
    was_training = net.training if is_module else False
    if is_module:
        net.eval()
    correct = torch.zeros((), dtype=torch.long, device=device)
    total = 0
    try:
        with torch.no_grad():
            for X, y in data_iter:
                y = y.to(device, non_blocking=True)
                if fast is None:
                    y_hat = net(X.to(device, non_blocking=True))
                else:
                    with fast.autocast():
                        y_hat = net(fast.prepare_input(X))
                correct += (y_hat.argmax(dim=1) == y).sum()
                total += y.shape[0]
    finally:
        if is_module:
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
    """Any positive integer (np.int64 too); compared only when the iterator states its batch size
    (a DataLoader built with a batch_sampler has batch_size None)."""
    batch_size = check_batch_size(batch_size)
    actual = getattr(train_iter, 'batch_size', None)
    if actual is not None and operator.index(actual) != batch_size:
        raise ValueError(f"batch_size={batch_size} but train_iter yields batches of {actual}: "
                         f"pass the batch size the iterator was made with")
    return batch_size


SCHEDULER_STEPS = ('epoch', 'batch')


def _describe_optimizer(optimizer):
    """The optimizer's class and the plain hyperparameters of its first group, for the results file."""
    groups = getattr(optimizer, 'param_groups', None) or [{}]
    settings = {k: v for k, v in groups[0].items()
                if k != 'params' and isinstance(v, (int, float, str, bool, tuple, type(None)))}
    return {'name': type(optimizer).__name__, **settings}


def train_ch5(net, train_iter, test_iter, batch_size, optimizer, device=None, num_epochs=10,
              loss=None, scheduler=None, show_progress=True, precision='auto',
              channels_last='auto', scheduler_step='epoch'):
    """Train `net` with `optimizer`, print one line per epoch, and return a `History`.

    Same signature as d2lzh_pytorch's `train_ch5`; `device=None` picks the GPU when
    there is one. Each epoch prints the mean per-example loss, train and test
    accuracy and its time; the last line gives training examples/sec. Ctrl-C (or
    the notebook's stop button) ends training cleanly and returns the finished epochs.

    `precision` ('auto', 'fp32', 'bf16', 'fp16') and `channels_last` ('auto', True,
    False) choose how fast the net runs: 'auto' uses channels_last for networks with
    2-D convolutions and mixed precision only where the hardware does it natively
    (see `d2lmini.fast`); the weights stay fp32. `scheduler`, if given, is stepped
    once per epoch, or once per batch with `scheduler_step='batch'` (OneCycleLR).
    """
    batch_size = _check_batch_size(batch_size, train_iter)
    if scheduler_step not in SCHEDULER_STEPS:
        raise ValueError(f"scheduler_step must be one of {SCHEDULER_STEPS}, got {scheduler_step!r}")
    device = try_gpu() if device is None else torch.device(device)
    loss = nn.CrossEntropyLoss() if loss is None else loss
    fast = choose_fast_path(net, device, precision, channels_last)
    net = net.to(device)
    history = History(device=str(device), precision=fast.precision,
                      channels_last=fast.channels_last, cpu_threads=torch.get_num_threads(),
                      optimizer=_describe_optimizer(optimizer),
                      schedule=(f"{type(scheduler).__name__}, stepped per {scheduler_step}"
                                if scheduler is not None else 'none'))
    progress = TrainingProgress(num_epochs, len(train_iter), enabled=show_progress)
    # fp16 needs loss scaling so small gradients do not flush to zero; bf16 and fp32 do not.
    scaler = torch.amp.GradScaler(device.type, enabled=fast.precision == 'fp16')
    input_shape = None
    epoch = 0
    try:
        if fast.channels_last:
            net = net.to(memory_format=torch.channels_last)
            with torch.random.fork_rng(devices=[]):     # peeking must not change the shuffle order
                first = next(iter(train_iter), None)
            if first is not None:
                fast = fall_back_if_layout_breaks(fast, net, first[0], channels_last)
            history.channels_last = fast.channels_last
        print(f"training on {fast.describe()}")
        for epoch in range(1, num_epochs + 1):
            net.train()
            loss_sum = torch.zeros((), device=device)
            correct = torch.zeros((), dtype=torch.long, device=device)
            n = 0
            start = time.perf_counter()
            for i, (X, y) in enumerate(train_iter):
                X, y = fast.prepare_input(X), y.to(device, non_blocking=True)
                input_shape = X.shape[1:]
                with fast.autocast():
                    y_hat = net(X)
                    l = loss(y_hat, y)
                optimizer.zero_grad(set_to_none=True)
                scaler.scale(l).backward()
                scaler.step(optimizer)
                scaler.update()
                if scheduler is not None and scheduler_step == 'batch':
                    scheduler.step()
                loss_sum += l.detach() * y.shape[0]
                correct += (y_hat.argmax(dim=1) == y).sum()
                n += y.shape[0]
                progress.batch_done(epoch, i + 1)
            if device.type == 'cuda':
                torch.cuda.synchronize(device)
            train_seconds = time.perf_counter() - start
            if scheduler is not None and scheduler_step == 'epoch':
                scheduler.step()
            test_acc = evaluate_accuracy(test_iter, net, device, fast)
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
