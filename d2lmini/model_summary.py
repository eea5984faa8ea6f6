"""What a network does to a shape, and what it costs: the per-layer table readers otherwise write by hand."""
import torch
from torch import nn


def _macs(module, inputs, output):
    """Multiply-adds of one forward pass of a conv or linear layer, for the whole batch."""
    if isinstance(module, nn.modules.conv._ConvNd):
        per_output = module.weight[0].numel()           # (C_in / groups) * kernel area
        return output.numel() * per_output
    if isinstance(module, nn.Linear):
        return output.numel() * module.in_features
    return 0


def _run(net, input_shape, device=None):
    """Run one forward pass on zeros; return the input batch size, per-child rows, and the MACs."""
    shape = tuple(input_shape)
    if len(shape) == 3:
        shape = (1,) + shape
    if device is None:
        param = next(net.parameters(), None)
        device = param.device if param is not None else 'cpu'
    X = torch.zeros(shape, device=device)
    rows, macs, hooks = [], [0], []
    children = list(net.named_children()) or [(type(net).__name__, net)]
    for name, child in children:
        hooks.append(child.register_forward_hook(
            lambda m, i, o, name=name: rows.append((name, m, tuple(o.shape)))))
    for m in net.modules():
        if not list(m.children()):
            hooks.append(m.register_forward_hook(lambda m, i, o: macs.__setitem__(0, macs[0] + _macs(m, i, o))))
    was_training = net.training
    net.eval()
    try:
        with torch.no_grad():
            net(X)
    except RuntimeError as err:
        done = ' -> '.join(f'{n}: {s}' for n, _, s in rows) or 'nothing'
        raise ValueError(f"input of shape {shape} does not fit this network; layers that ran: "
                         f"{done}. PyTorch said: {err}") from None
    finally:
        for h in hooks:
            h.remove()
        net.train(was_training)
    return shape[0], rows, macs[0]


def count_macs(net, input_shape):
    """Multiply-adds per example of one forward pass (conv and linear layers)."""
    batch, _, macs = _run(net, input_shape)
    return macs // batch


def count_params(net):
    """Number of trainable parameters."""
    return sum(p.numel() for p in net.parameters() if p.requires_grad)


def summary(net, input_shape):
    """Print each top-level layer's name, output shape and parameter count, then the totals.

    `input_shape` is `(C, H, W)` or `(B, C, H, W)`. Prints and returns nothing, so it
    can end a notebook cell; `count_params` and `count_macs` give the totals as numbers.
    """
    batch, rows, macs = _run(net, input_shape)
    lines = [f"{'layer':<28}{'output shape':<22}{'params':>12}"]
    for name, module, shape in rows:
        n = sum(p.numel() for p in module.parameters())
        label = f"{name} {type(module).__name__}" if name != type(module).__name__ else name
        lines.append(f"{label:<28}{str(shape):<22}{n:>12,}")
    params = count_params(net)
    lines.append('-' * 62)
    lines.append(f"total params: {params:,}    multiply-adds per example: {macs // batch:,}")
    print('\n'.join(lines))
