"""How `train_ch5` runs a reader's network fast on the hardware at hand, without changing it.

Two choices, both explicit and printed: the memory layout (channels_last for
networks with 2-D convolutions: oneDNN and cuDNN run those convolutions faster
in NHWC) and the precision (bf16 autocast on CPUs that compute bf16 natively,
fp16/bf16 autocast on CUDA; fp32 everywhere else, since emulated bf16 is many
times slower). Weights always stay fp32.
"""
from dataclasses import dataclass, replace

import torch
from torch import nn

PRECISIONS = ('auto', 'fp32', 'bf16', 'fp16')


def native_bf16(device):
    """True where bf16 matrix products run in hardware (not emulated) on `device`."""
    if device.type == 'cuda':
        return torch.cuda.is_bf16_supported()
    if device.type == 'cpu':
        try:
            return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
        except (AttributeError, RuntimeError):
            return False
    return False


def has_conv2d(net):
    return callable(getattr(net, 'modules', None)) and any(
        isinstance(m, nn.Conv2d) for m in net.modules())


@dataclass(frozen=True)
class FastPath:
    """The precision and layout one run uses; `describe()` is what train_ch5 prints."""
    device: torch.device
    precision: str          # 'fp32', 'bf16' or 'fp16'
    channels_last: bool

    @property
    def autocast_dtype(self):
        return {'bf16': torch.bfloat16, 'fp16': torch.float16}.get(self.precision)

    def autocast(self):
        """A context that runs the forward pass in the chosen precision (a no-op for fp32)."""
        if self.autocast_dtype is None:
            return torch.autocast(self.device.type, enabled=False)
        return torch.autocast(self.device.type, dtype=self.autocast_dtype)

    def prepare_input(self, X):
        X = X.to(self.device, non_blocking=True)
        if self.channels_last and X.dim() == 4:
            X = X.contiguous(memory_format=torch.channels_last)
        return X

    def describe(self):
        layout = 'channels_last' if self.channels_last else 'default layout'
        n = torch.get_num_threads()
        threads = f", {n} CPU thread{'s' if n != 1 else ''}" if self.device.type == 'cpu' else ''
        return f"{self.device}, {self.precision} ({self.why}), {layout}{threads}"

    why: str = ''


def choose_fast_path(net, device, precision='auto', channels_last='auto'):
    """Decide precision and layout for `net` on `device`; raise a clear error for impossible asks."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}, got {precision!r}")
    if channels_last not in ('auto', True, False):
        raise ValueError(f"channels_last must be 'auto', True or False, got {channels_last!r}")
    native = native_bf16(device)
    if precision == 'auto':
        if device.type == 'cuda':
            chosen, why = ('bf16', 'auto: native on this GPU') if native else ('fp16', 'auto: AMP')
        elif native:
            chosen, why = 'bf16', 'auto: this CPU computes bf16 natively'
        else:
            chosen, why = 'fp32', 'auto: no native bf16 on this CPU'
    else:
        chosen, why = precision, 'as asked'
        if chosen == 'bf16' and not native:
            raise ValueError(
                f"precision='bf16' asked, but {device} has no native bf16: it would be emulated and "
                f"several times slower than fp32. Use precision='auto' or 'fp32'.")
        if chosen == 'fp16' and device.type != 'cuda':
            raise ValueError("precision='fp16' needs a CUDA GPU; on a CPU use 'auto', 'fp32' or 'bf16'")
    layout = has_conv2d(net) if channels_last == 'auto' else channels_last
    crashing = crashing_channels_last_conv(net) if layout and device.type == 'cpu' else None
    if crashing:
        problem = (f"{crashing} (1x1 kernel, stride > 1, fewer than 8 input channels) crashes "
                   f"oneDNN's channels_last backward pass on CPUs (github.com/uxlfoundation/"
                   f"oneDNN/issues/6035)")
        if channels_last is True:
            raise ValueError(f"channels_last=True, but {problem}: pass channels_last='auto' or "
                             f"False, or give that convolution at least 8 input channels")
        print(f"note: {problem}; training in the default layout")
        layout = False
    return FastPath(device, chosen, bool(layout), why)


def in_channels_last(net):
    """True if `net`'s convolution weights are stored channels_last (as train_ch5 leaves them).

    Judged on a convolution whose weight layouts differ (more than one input channel,
    kernel larger than 1x1); a net without one counts as the default layout.
    """
    if not callable(getattr(net, 'modules', None)):
        return False
    for m in net.modules():
        if isinstance(m, nn.Conv2d) and m.in_channels > 1 and m.kernel_size != (1, 1):
            return m.weight.is_contiguous(memory_format=torch.channels_last)
    return False


def crashing_channels_last_conv(net):
    """The name of a convolution that oneDNN cannot train in channels_last on a CPU, or None.

    A 1x1 convolution with stride > 1 and 2 to 7 input channels aborts the process
    ("double free or corruption") in its backward pass with one thread (measured here
    with torch 2.14.1; the upstream report also describes wrong gradients).
    """
    if not callable(getattr(net, 'named_modules', None)):
        return None
    for name, m in net.named_modules():
        if (isinstance(m, nn.Conv2d) and m.kernel_size == (1, 1)
                and max(m.stride) > 1 and m.in_channels < 8):
            return name or type(m).__name__
    return None


def fall_back_if_layout_breaks(fast, net, X, asked='auto'):
    """Try one small forward pass in channels_last; if the net cannot take it, use the default layout.

    Code written for NCHW tensors may call `.view(batch, -1)`, which fails on a
    channels_last tensor ("view size is not compatible"). With `channels_last='auto'`
    train_ch5 then keeps the reader's code working in the default layout and says so;
    asked for explicitly, the error says what to change.
    """
    if not fast.channels_last:
        return fast
    was_training = net.training
    net.eval()                      # no batch-norm statistics change during the probe
    try:
        with torch.no_grad(), fast.autocast():
            net(fast.prepare_input(X[:2]))
    except RuntimeError as err:
        if 'view size is not compatible' not in str(err):
            return fast             # any other error (wrong shapes, out of memory) is train_ch5's to report
        if asked is True:
            raise RuntimeError(
                "channels_last=True, but the network calls .view() on a tensor that is not "
                "contiguous in that layout: use .reshape() (or nn.Flatten / d2l.FlattenLayer) in "
                "its forward, or pass channels_last='auto' or False.") from None
        net.to(memory_format=torch.contiguous_format)
        print("note: this network calls .view() on its feature maps, which channels_last does not "
              "allow; training in the default layout (use .reshape() or nn.Flatten to get the faster one)")
        return replace(fast, channels_last=False)
    finally:
        net.train(was_training)
    return fast
