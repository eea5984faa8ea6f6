"""Output-size arithmetic of convolution and pooling: floor((n + 2p - d(k-1) - 1) / s) + 1."""
import math


def check_int(name, value, minimum):
    """Raise a ValueError naming the argument unless `value` is an int >= `minimum`."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}")


def conv_output_size(n, k, p=0, s=1, dilation=1, ceil_mode=False):
    """Size of one output dimension for input size n, kernel k, padding p, stride s.

    floor((n + 2p - k) / s) + 1, with the effective kernel d(k-1)+1 when dilated.
    The same formula serves pooling (`pool_output_size`), where `ceil_mode=True`
    rounds up instead, as in `nn.MaxPool2d(ceil_mode=True)`.
    """
    for name, value, minimum in (('n', n, 1), ('k', k, 1), ('p', p, 0), ('dilation', dilation, 1)):
        check_int(name, value, minimum)
    if isinstance(s, bool) or not isinstance(s, int) or s < 1:
        raise ValueError(f"stride must be an int >= 1 in floor((n + 2p - k) / s) + 1, got s = {s!r} "
                         f"(n={n}, p={p}, k={k})")
    span = dilation * (k - 1) + 1
    room = n + 2 * p - span
    if room < 0:
        raise ValueError(f"kernel does not fit: n + 2p - k = {n} + 2*{p} - {span} = {room} < 0; "
                         f"use a smaller kernel or more padding")
    rounding = math.ceil if ceil_mode else math.floor
    out = rounding(room / s) + 1
    if ceil_mode and (out - 1) * s >= n + p:
        out -= 1        # PyTorch: the last window must start inside the input or left padding
    return out


def pool_output_size(n, k, p=0, s=None, dilation=1, ceil_mode=False):
    """Output size of pooling; the stride defaults to the window size, as in `nn.MaxPool2d`."""
    return conv_output_size(n, k, p, k if s is None else s, dilation, ceil_mode)
