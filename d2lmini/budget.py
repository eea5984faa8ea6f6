"""Three explicit training budgets: full (a GPU), cpu (a laptop), smoke (CI).

A chapter names what each budget means for its model and calls `choose_budget`,
which prints which budget this run uses and why, then its settings one a line
(short lines: they fit the book's column). Nothing silent.
"""
import os
from types import SimpleNamespace

BUDGETS = ('full', 'cpu', 'smoke')


def is_smoke():
    """True when `D2LMINI_SMOKE=1`: CI's budget, a few hundred examples, seconds per chapter."""
    return os.environ.get('D2LMINI_SMOKE', '').strip() not in ('', '0')


def choose_budget(full, cpu, smoke=None, device=None):
    """Pick this run's budget and print it (which, why, then one setting a line); return its settings.

    `full`, `cpu` and `smoke` are dicts of settings (epochs, input size, width...).
    The choice: `smoke` when `D2LMINI_SMOKE=1`; else `D2LMINI_BUDGET=full|cpu` when
    set; else `full` on a GPU and `cpu` without one. `smoke` defaults to the cpu
    settings with one epoch. The result has the settings as attributes, plus
    `name` and `device`.
    """
    import torch
    from .device import try_gpu
    device = try_gpu() if device is None else torch.device(device)
    forced = os.environ.get('D2LMINI_BUDGET', '').strip()
    if forced and forced not in BUDGETS:
        raise ValueError(f"D2LMINI_BUDGET must be one of {BUDGETS}, got {forced!r}")
    if is_smoke():
        name, why = 'smoke', 'D2LMINI_SMOKE=1'
    elif forced:
        name, why = forced, f'D2LMINI_BUDGET={forced}'
    elif device.type == 'cuda':
        name, why = 'full', f'GPU found ({device})'
    else:
        name, why = 'cpu', 'no GPU found; D2LMINI_BUDGET=full forces the full budget'
    settings = {'full': full, 'cpu': cpu,
                'smoke': smoke if smoke is not None else {**cpu, 'num_epochs': 1}}[name]
    lines = [f"budget: {name} on {device}", f"  ({why})"]
    lines += [f"  {k} = {v}" for k, v in settings.items()]
    print('\n'.join(lines))
    return SimpleNamespace(name=name, device=device, **settings)
