import re

import pytest
import torch
from torch import nn

import d2lmini as d2l
from d2lmini.data import FashionMNISTIterator
from d2lmini.fast import in_channels_last


@pytest.fixture(scope='module')
def small_split(data_root):
    arrays = d2l.load_fashion_mnist_arrays(data_root)
    (Xtr, ytr), (Xte, yte) = arrays['train'], arrays['test']
    return Xtr[:512], ytr[:512], Xte[:256], yte[:256]


def iters(split, batch_size=64):
    Xtr, ytr, Xte, yte = split
    return (FashionMNISTIterator(Xtr, ytr, batch_size, True),
            FashionMNISTIterator(Xte, yte, batch_size, False))


def small_net(dropout=0.0):
    return nn.Sequential(nn.Conv2d(1, 4, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                         d2l.FlattenLayer(), nn.Dropout(dropout), nn.Linear(4 * 14 * 14, 10))


def test_prints_device_one_line_per_epoch_and_throughput(small_split, capsys):
    d2l.set_seed(0)
    net = small_net()
    train_iter, test_iter = iters(small_split)
    history = d2l.train_ch5(net, train_iter, test_iter, 64, torch.optim.Adam(net.parameters(), 1e-3),
                            'cpu', 3)
    out = capsys.readouterr().out.splitlines()
    assert re.match(r'training on cpu, (fp32|bf16) \(auto: ', out[0]), out[0]   # bf16 where native
    for k, line in enumerate(out[1:4], 1):
        assert re.fullmatch(rf'epoch {k}, loss \d+\.\d{{4}}, train acc \d\.\d{{3}}, '
                            rf'test acc \d\.\d{{3}}, time \d+\.\d sec', line), line
    assert re.fullmatch(r'[\d,]+\.\d examples/sec on cpu \(training, mean over 3 epochs\)', out[4])
    assert history.epochs == 3 and not history.interrupted
    assert len(history.train_acc) == len(history.test_acc) == len(history.seconds) == 3
    assert history.loss[-1] < history.loss[0]
    assert all(s > 0 for s in history.examples_per_sec)


def test_loss_is_the_mean_per_example_loss_and_counters_restart(small_split):
    """With a learning rate of 0 nothing changes, so every epoch reports the same mean loss."""
    d2l.set_seed(0)
    net = small_net()
    train_iter, test_iter = iters(small_split, batch_size=100)   # last batch is smaller: 12
    history = d2l.train_ch5(net, train_iter, test_iter, 100, torch.optim.SGD(net.parameters(), lr=0),
                            'cpu', 2, show_progress=False, precision='fp32')
    Xtr, ytr, Xte, yte = small_split
    with torch.no_grad():
        logits = net(Xtr.unsqueeze(1).float() / 255)
        expected = nn.functional.cross_entropy(logits, ytr).item()
        train_acc = (logits.argmax(1) == ytr).float().mean().item()
    assert history.loss == pytest.approx([expected, expected], rel=1e-5)
    assert history.train_acc == pytest.approx([train_acc, train_acc])
    assert history.test_acc[0] == pytest.approx(d2l.evaluate_accuracy(test_iter, net))


def test_evaluation_runs_in_eval_mode_and_restores_the_mode(small_split):
    modes = []

    class Spy(nn.Module):
        def forward(self, x):
            modes.append(self.training)
            return x
    net = nn.Sequential(small_net(dropout=0.5), Spy())
    _, test_iter = iters(small_split)
    net.train()
    acc = [d2l.evaluate_accuracy(test_iter, net) for _ in range(2)]
    assert acc[0] == acc[1]                # dropout off: the same answer twice
    assert modes and not any(modes) and net.training
    net.eval()
    d2l.evaluate_accuracy(test_iter, net)
    assert not net.training


def test_no_host_sync_per_batch(small_split, monkeypatch):
    """`.item()` is called a few times per epoch, not once per batch."""
    calls = []
    original = torch.Tensor.item
    monkeypatch.setattr(torch.Tensor, 'item', lambda self: calls.append(1) or original(self))
    net = small_net()
    train_iter, test_iter = iters(small_split, batch_size=16)      # 32 batches per epoch
    d2l.train_ch5(net, train_iter, test_iter, 16, torch.optim.SGD(net.parameters(), lr=0.1), 'cpu', 2,
                  show_progress=False)
    assert len(calls) <= 2 * 4


def test_two_seeded_runs_give_identical_losses(small_split):
    def run():
        d2l.set_seed(42)
        net = small_net(dropout=0.2)
        train_iter, test_iter = iters(small_split)
        return d2l.train_ch5(net, train_iter, test_iter, 64, torch.optim.SGD(net.parameters(), lr=0.1),
                             'cpu', 2, show_progress=False).loss
    assert run() == run()


def test_keyboard_interrupt_returns_the_finished_epochs_and_keeps_the_weights(small_split, capsys):
    train_iter, test_iter = iters(small_split)
    net = small_net()
    calls = [0]

    def interrupt_in_epoch_two(module, inputs):
        calls[0] += 1
        if calls[0] == len(train_iter) + len(test_iter) + 3:
            raise KeyboardInterrupt
    net[0].register_forward_pre_hook(interrupt_in_epoch_two)
    before = [p.detach().clone() for p in net.parameters()]
    history = d2l.train_ch5(net, train_iter, test_iter, 64, torch.optim.SGD(net.parameters(), lr=0.1),
                            'cpu', 5, show_progress=False)
    assert history.interrupted and history.epochs == 1
    assert 'interrupted during epoch 2' in capsys.readouterr().out
    assert any(not torch.equal(a, b) for a, b in zip(before, net.parameters()))
    assert net.training


def test_out_of_memory_says_what_to_lower(small_split):
    class Hungry(nn.Module):
        def forward(self, x):
            raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 20.00 GiB")
    net = nn.Sequential(small_net(), Hungry())
    train_iter, test_iter = iters(small_split)
    with pytest.raises(d2l.TrainingOutOfMemoryError, match=r'batch_size=64.*Lower batch_size.*resize') as err:
        d2l.train_ch5(net, train_iter, test_iter, 64, torch.optim.SGD(net.parameters(), lr=0.1), 'cpu', 1,
                      show_progress=False)
    assert err.value.__cause__ is None and err.value.__suppress_context__


def test_other_errors_pass_through_unchanged(small_split):
    net = nn.Sequential(nn.Flatten(), nn.Linear(5, 10))      # wrong input size
    train_iter, test_iter = iters(small_split)
    with pytest.raises(RuntimeError, match='shapes cannot be multiplied'):
        d2l.train_ch5(net, train_iter, test_iter, 64, torch.optim.SGD(net.parameters(), lr=0.1), 'cpu', 1,
                      show_progress=False)


@pytest.mark.parametrize('batch_size', [0, -3, 64.0, '64'])
def test_bad_batch_size(small_split, batch_size):
    net = small_net()
    train_iter, test_iter = iters(small_split)
    with pytest.raises(ValueError, match='batch_size'):
        d2l.train_ch5(net, train_iter, test_iter, batch_size, torch.optim.SGD(net.parameters(), lr=0.1),
                      'cpu', 1)


def test_batch_size_must_match_the_iterator(small_split):
    net = small_net()
    train_iter, test_iter = iters(small_split, batch_size=64)
    with pytest.raises(ValueError, match='batch_size=128 but train_iter yields batches of 64'):
        d2l.train_ch5(net, train_iter, test_iter, 128, torch.optim.SGD(net.parameters(), lr=0.1), 'cpu', 1)


def test_scheduler_is_stepped_once_per_epoch(small_split):
    net = small_net()
    train_iter, test_iter = iters(small_split)
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    d2l.train_ch5(net, train_iter, test_iter, 64, optimizer, 'cpu', 3, scheduler=scheduler,
                  show_progress=False)
    assert optimizer.param_groups[0]['lr'] == pytest.approx(0.1 * 0.5 ** 3)


def test_default_device_is_the_gpu_if_any_else_cpu():
    assert d2l.try_gpu() == (torch.device('cuda:0') if torch.cuda.is_available() else torch.device('cpu'))
    assert d2l.try_gpu(99) == torch.device('cpu')


def test_evaluate_accuracy_rejects_an_empty_iterator():
    with pytest.raises(ValueError, match='empty'):
        d2l.evaluate_accuracy([], small_net())


# ---- the fast path: layout and precision (d2lmini.fast) ----

def _train_once(split, **kwargs):
    d2l.set_seed(0)
    net = small_net()
    train_iter, test_iter = iters(split)
    history = d2l.train_ch5(net, train_iter, test_iter, 64, torch.optim.SGD(net.parameters(), 0.1),
                            'cpu', 2, show_progress=False, **kwargs)
    return history, net


def test_channels_last_trains_the_same_net_as_the_default_layout(small_split):
    h_default, net_default = _train_once(small_split, precision='fp32', channels_last=False)
    h_last, net_last = _train_once(small_split, precision='fp32', channels_last=True)
    assert (h_default.channels_last, h_last.channels_last) == (False, True)
    assert h_default.loss == pytest.approx(h_last.loss, rel=1e-4)
    for a, b in zip(net_default.parameters(), net_last.parameters()):
        assert torch.allclose(a, b, atol=1e-5)


def test_auto_uses_channels_last_for_conv_nets_and_fp32_without_native_bf16(small_split, monkeypatch):
    import d2lmini.fast as fast
    monkeypatch.setattr(fast, 'native_bf16', lambda device: False)
    history, net = _train_once(small_split)
    assert (history.precision, history.channels_last) == ('fp32', True)
    assert next(net.parameters()).dtype == torch.float32


def test_bf16_is_chosen_only_where_native_and_keeps_fp32_weights(small_split, monkeypatch):
    import d2lmini.fast as fast
    monkeypatch.setattr(fast, 'native_bf16', lambda device: True)
    history, net = _train_once(small_split)
    assert history.precision == 'bf16'
    assert all(p.dtype == torch.float32 for p in net.parameters())
    assert history.test_acc[-1] > 0.3


def test_forcing_emulated_bf16_or_a_bad_precision_is_a_clear_error(small_split, monkeypatch):
    import d2lmini.fast as fast
    monkeypatch.setattr(fast, 'native_bf16', lambda device: False)
    with pytest.raises(ValueError, match="no native bf16.*'auto' or 'fp32'"):
        _train_once(small_split, precision='bf16')
    with pytest.raises(ValueError, match='precision must be one of'):
        _train_once(small_split, precision='half')
    with pytest.raises(ValueError, match="fp16' needs a CUDA GPU"):
        _train_once(small_split, precision='fp16')
    with pytest.raises(ValueError, match='channels_last must be'):
        _train_once(small_split, channels_last='yes')


class ViewNet(nn.Module):
    """d2lzh_pytorch's style: flatten with .view, which a channels_last tensor refuses."""
    def __init__(self):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv2d(1, 4, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2))
        self.fc = nn.Linear(4 * 14 * 14, 10)

    def forward(self, x):
        feature = self.conv(x)
        return self.fc(feature.view(x.shape[0], -1))


def test_a_net_that_views_its_feature_maps_falls_back_to_the_default_layout(small_split, capsys):
    d2l.set_seed(0)
    net = ViewNet()
    train_iter, test_iter = iters(small_split)
    history = d2l.train_ch5(net, train_iter, test_iter, 64, torch.optim.SGD(net.parameters(), 0.1),
                            'cpu', 1, show_progress=False)
    assert history.channels_last is False
    assert 'calls .view()' in capsys.readouterr().out
    with pytest.raises(RuntimeError, match=r'use \.reshape\(\)'):
        d2l.train_ch5(ViewNet(), train_iter, test_iter, 64, torch.optim.SGD(net.parameters(), 0.1),
                      'cpu', 1, show_progress=False, channels_last=True)


def test_a_one_cycle_schedule_steps_once_per_batch(small_split):
    d2l.set_seed(0)
    net = small_net()
    train_iter, test_iter = iters(small_split)
    optimizer = torch.optim.SGD(net.parameters(), 0.1)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, 0.1, total_steps=2 * len(train_iter))
    d2l.train_ch5(net, train_iter, test_iter, 64, optimizer, 'cpu', 2, scheduler=scheduler,
                  scheduler_step='batch', show_progress=False)
    assert scheduler.last_epoch == 2 * len(train_iter)
    with pytest.raises(ValueError, match='scheduler_step must be one of'):
        d2l.train_ch5(net, train_iter, test_iter, 64, optimizer, 'cpu', 1, scheduler=scheduler,
                      scheduler_step='step', show_progress=False)


def test_history_has_a_one_line_repr(small_split):
    history, _ = _train_once(small_split)
    assert re.fullmatch(r'History\(2 epochs on cpu, final test acc \d\.\d{3}\)', repr(history))
    assert repr(d2l.History()) == 'History(no finished epoch on cpu)'


def test_evaluate_accuracy_accepts_a_plain_function(small_split):
    _, _, Xte, yte = small_split
    test_iter = FashionMNISTIterator(Xte, yte, 64, False)
    W = torch.zeros(784, 10)
    W[:, 3] = 1.0                              # always predicts class 3
    acc = d2l.evaluate_accuracy(test_iter, lambda X: X.reshape(X.shape[0], -1) @ W)
    assert acc == pytest.approx((yte == 3).float().mean().item())


def test_any_integer_batch_size_and_a_batch_sampler_loader(small_split):
    import numpy as np
    from torch.utils.data import BatchSampler, DataLoader, SequentialSampler, TensorDataset
    net = small_net()
    train_iter, test_iter = iters(small_split)
    history = d2l.train_ch5(net, train_iter, test_iter, np.int64(64), torch.optim.SGD(net.parameters(), 0.1),
                            'cpu', 1, show_progress=False)
    assert history.epochs == 1
    Xtr, ytr, _, _ = small_split
    dataset = TensorDataset(Xtr.float().reshape(-1, 1, 28, 28) / 255, ytr.long())
    loader = DataLoader(dataset, batch_sampler=BatchSampler(SequentialSampler(dataset), 64, False))
    assert loader.batch_size is None
    history = d2l.train_ch5(net, loader, test_iter, 64, torch.optim.SGD(net.parameters(), 0.1),
                            'cpu', 1, show_progress=False)
    assert history.epochs == 1


def test_history_records_optimizer_and_schedule(small_split):
    net = small_net()
    train_iter, test_iter = iters(small_split)
    optimizer = torch.optim.SGD(net.parameters(), 0.1, momentum=0.9)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 1)
    history = d2l.train_ch5(net, train_iter, test_iter, 64, optimizer, 'cpu', 1, scheduler=scheduler,
                            show_progress=False, precision='fp32')
    assert history.optimizer['name'] == 'SGD' and history.optimizer['momentum'] == 0.9
    assert history.optimizer['initial_lr'] == 0.1
    assert history.schedule == 'StepLR, stepped per epoch'
    assert history.precision == 'fp32' and history.cpu_threads == torch.get_num_threads()


def strided_1x1_net():
    """A ResNet-style 1x1 shortcut with stride 2 on 4 channels: oneDNN's channels_last crash case."""
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(),
                         nn.Conv2d(4, 8, kernel_size=1, stride=2), nn.ReLU(),
                         nn.Flatten(), nn.Linear(8 * 14 * 14, 10))


def test_a_strided_1x1_conv_on_few_channels_trains_in_the_default_layout(small_split, capsys):
    from d2lmini.fast import crashing_channels_last_conv
    assert crashing_channels_last_conv(strided_1x1_net()) == '2'
    assert crashing_channels_last_conv(small_net()) is None
    assert crashing_channels_last_conv(lambda X: X) is None
    d2l.set_seed(0)
    net = strided_1x1_net()
    train_iter, test_iter = iters(small_split)
    history = d2l.train_ch5(net, train_iter, test_iter, 64, torch.optim.SGD(net.parameters(), 0.1),
                            'cpu', 1, show_progress=False)
    assert history.channels_last is False
    assert 'oneDNN' in capsys.readouterr().out
    with pytest.raises(ValueError, match=r"channels_last=True, but 2 \(1x1 kernel"):
        d2l.train_ch5(strided_1x1_net(), train_iter, test_iter, 64,
                      torch.optim.SGD(net.parameters(), 0.1), 'cpu', 1, show_progress=False,
                      channels_last=True)


def test_evaluate_accuracy_in_the_training_precision_reproduces_train_ch5(small_split):
    """precision=history.precision gives exactly the last epoch's test accuracy, on any CPU:
    bf16 and channels_last where train_ch5 chose them, fp32 elsewhere."""
    d2l.set_seed(0)
    net = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, 8, 3, padding=1),
                        nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8 * 14 * 14, 10))
    train_iter, test_iter = iters(small_split)
    history = d2l.train_ch5(net, train_iter, test_iter, 64, torch.optim.Adam(net.parameters(), 1e-3),
                            'cpu', 1, show_progress=False)
    assert in_channels_last(net) == history.channels_last
    assert d2l.evaluate_accuracy(test_iter, net, precision=history.precision) == history.test_acc[-1]
    fp32 = d2l.evaluate_accuracy(test_iter, net)       # the default: fp32, whatever training used
    assert abs(fp32 - history.test_acc[-1]) <= 2 / 256


def test_in_channels_last_reads_the_layout_of_the_weights():
    net = nn.Sequential(nn.Conv2d(1, 4, 3), nn.Conv2d(4, 4, 3))   # the 1-channel conv is ambiguous
    assert not in_channels_last(net)
    assert in_channels_last(net.to(memory_format=torch.channels_last))
    assert not in_channels_last(nn.Linear(3, 3))
    assert not in_channels_last(lambda X: X)


def test_evaluate_accuracy_rejects_an_unknown_precision(small_split):
    _, test_iter = iters(small_split)
    with pytest.raises(ValueError, match="precision must be one of"):
        d2l.evaluate_accuracy(test_iter, small_net(), precision='fp64')
