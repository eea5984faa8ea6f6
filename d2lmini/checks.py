"""The argument checks every module shares, so each bad input gets the same clear message.

One rule for integers: any integer type counts (Python's `int`, NumPy's `np.int64`,
anything with `__index__` such as a 0-d integer tensor), `bool` does not. A value of the
wrong type is a `TypeError`, a value out of range a `ValueError`; both name the argument.
"""
import operator

__all__ = ['check_int']


def check_int(name, value, minimum=None, maximum=None, hint=''):
    """Return `value` as a Python int, or raise an error that names `name` and what was wrong.

    `minimum` and `maximum` are inclusive bounds (None: unbounded); `hint`, if given,
    is appended to the message (what to do instead).
    """
    suffix = f"; {hint}" if hint else ''
    if isinstance(value, bool) or isinstance(value, float):
        raise TypeError(f"{name} must be an int, got {value!r}{suffix}")
    try:
        number = operator.index(value)
    except TypeError:
        raise TypeError(f"{name} must be an int, got {value!r} ({type(value).__name__}){suffix}") from None
    if minimum is not None and number < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {number}{suffix}")
    if maximum is not None and number > maximum:
        raise ValueError(f"{name} must be an int <= {maximum}, got {number}{suffix}")
    return number
