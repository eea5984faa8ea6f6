"""What the full budget would cost on a common free GPU, worked out from arithmetic.

Most readers who train the full networks do it on Colab's or Kaggle's free NVIDIA T4.
`t4_estimate` says beforehand how long that takes and how much of the T4's memory it
needs, from the network's multiply-adds and the sizes of its feature maps: no GPU is
used, so the book's pages can show it and the numbers are the same on every machine.
"""
from dataclasses import dataclass
import numbers

import torch
from torch import nn

from .model_summary import _macs

# NVIDIA T4 datasheet (https://www.nvidia.com/en-us/data-center/tesla-t4/):
# 65 TFLOP/s mixed precision (fp16 tensor cores, what AMP uses), 320 GB/s, 16 GB.
T4 = dict(name='T4', flops=65e12, bandwidth=320e9, memory=16e9)
# Share of that peak a real network sustains: NVIDIA's tuned ResNet-50 runs 1,198 img/s on a
# T4 in mixed precision (inference, batch 256: PyTorch/Classification/ConvNets/resnet50v1.5/
# README.md of github.com/NVIDIA/DeepLearningExamples) at 8.2 GFLOP per image: 9.8 TFLOP/s,
# 15% of 65. Small networks on small images do no better, so 15% is a hopeful guess.
ASSUMED_EFFICIENCY = 0.15
# bytes per parameter: fp32 weight, fp32 gradient, and Adam's two fp32 moments
BYTES_PER_PARAM = 16
# bytes per activation under AMP (fp16)
BYTES_PER_ACTIVATION = 2


@dataclass
class GPUEstimate:
    """The arithmetic behind the estimate; `str()` gives the printed lines."""
    gpu: str
    flops: float             # floating-point operations of the whole run
    seconds_at_peak: float   # the larger of compute time and memory-traffic time
    seconds_expected: float  # seconds_at_peak / ASSUMED_EFFICIENCY
    weight_bytes: float
    activation_bytes: float
    memory_bytes: float
    gpu_memory: float
    lines: tuple = ()

    def __repr__(self):
        return '\n'.join(self.lines)

    __str__ = __repr__


def _forward_counts(net, input_shape):
    """Multiply-adds and feature-map elements of one example's forward pass."""
    counts = {'macs': 0, 'activations': 0}

    def hook(module, inputs, output):
        counts['macs'] += _macs(module, inputs, output)
        if isinstance(output, torch.Tensor):
            counts['activations'] += output.numel()

    leaves = [m for m in net.modules() if not list(m.children())]
    hooks = [m.register_forward_hook(hook) for m in leaves]
    was_training = net.training
    net.eval()
    try:
        with torch.no_grad():
            net(torch.zeros((1,) + tuple(input_shape[-3:])))
    except RuntimeError as err:
        raise ValueError(f"input of shape {tuple(input_shape)} does not fit this network: "
                         f"{err}") from None
    finally:
        for h in hooks:
            h.remove()
        net.train(was_training)
    return counts['macs'], counts['activations'] + int(torch.Size(input_shape[-3:]).numel())


def _duration(seconds):
    return f'{seconds:.0f} s' if seconds < 90 else f'{seconds / 60:.1f} min'


def t4_estimate(net, input_shape, batch_size, num_epochs, num_train=60000, num_test=10000):
    """The time and memory of training `net` on a T4, from arithmetic.

    One training step costs about three forward passes (forward, and backward for the
    inputs and for the weights); the test set costs one per epoch. The time at peak is the
    larger of (work / 65 TFLOP/s) and (feature maps written and read / 320 GB/s): a bound
    no real run beats. The expected time assumes 15% of that peak (what NVIDIA's
    ResNet-50 reaches on a T4). The memory is the
    weights with their gradients and Adam state, plus every layer's output at `batch_size`
    kept for the backward pass in fp16; CUDA itself takes a few hundred MB more.
    The result shows as four lines at the end of a notebook cell.
    """
    if not isinstance(net, nn.Module):
        raise ValueError(f"net must be a torch.nn.Module, got {type(net).__name__}")
    for name, value in (('batch_size', batch_size), ('num_epochs', num_epochs),
                        ('num_train', num_train)):
        if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    if len(tuple(input_shape)) not in (3, 4):
        raise ValueError(f"input_shape must be (C, H, W) or (1, C, H, W), got {input_shape!r}")
    macs, activations = _forward_counts(net, input_shape)
    passes = num_epochs * (3 * num_train + num_test)
    flops = 2 * macs * passes
    traffic = num_epochs * (4 * num_train + 2 * num_test) * activations * BYTES_PER_ACTIVATION
    at_peak = max(flops / T4['flops'], traffic / T4['bandwidth'])
    expected = at_peak / ASSUMED_EFFICIENCY
    params = sum(p.numel() for p in net.parameters())
    weight_bytes = params * BYTES_PER_PARAM
    activation_bytes = activations * batch_size * BYTES_PER_ACTIVATION
    memory = weight_bytes + activation_bytes
    gb = 1e9
    lines = (
        f"full budget on a {T4['name']} (65 TFLOP/s fp16, 320 GB/s, 16 GB), from arithmetic:",
        f"  work: {num_epochs} epochs x {passes // num_epochs:,} forward passes"
        f" x {macs / 1e6:,.1f} M multiply-adds = {flops / 1e15:,.2f} PFLOP",
        f"  time: at least {_duration(at_peak)} at peak; about {_duration(expected)}"
        f" at {ASSUMED_EFFICIENCY:.0%} of it, as ResNet-50 runs",
        f"  memory at batch {batch_size}: weights+grads+Adam {weight_bytes / gb:.2f} GB"
        f" + activations {activation_bytes / gb:.2f} GB = {memory / gb:.1f} GB of 16",
    )
    return GPUEstimate(T4['name'], flops, at_peak, expected, weight_bytes,
                       activation_bytes, memory, T4['memory'], lines)
