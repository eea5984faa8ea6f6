"""Each chapter's training figures, saved as JSON, so the comparison chapter reads them instead of retyping.

A smoke run (CI) never overwrites the committed figures of a real run: its
results go to a `smoke/` subfolder that git ignores.
"""
import json
import os
from pathlib import Path

from .budget import is_smoke


def _folder(folder):
    folder = Path(folder)
    return folder / 'smoke' if is_smoke() else folder


def save_results(name, history, net, input_shape, budget, folder='results', **extra):
    """Write `<folder>/<name>.json`: parameters, multiply-adds, speed, accuracy and every setting.

    The settings are the budget's (epochs, sizes, lr, ...), the run's device,
    precision, memory layout and CPU threads (from the History), and anything
    passed as `extra` (optimizer, schedule, init). Written to a temporary file
    and renamed, so a crash never leaves half a file. Prints and returns nothing,
    so a cell may end with it.
    """
    import torch
    from .model_summary import count_macs, count_params
    if not history.epochs:
        raise ValueError(f"history of {name!r} has no finished epoch: nothing to save")
    record = {
        'name': name,
        'params': count_params(net),
        'macs': count_macs(net, input_shape),
        'input_shape': list(input_shape),
        'budget': getattr(budget, 'name', str(budget)),
        'budget_settings': {k: v for k, v in vars(budget).items() if k not in ('name', 'device')}
        if hasattr(budget, '__dict__') else {},
        'device': history.device,
        'precision': getattr(history, 'precision', 'fp32'),
        'channels_last': getattr(history, 'channels_last', False),
        # CPU timings depend on it: the threads the run used, else those of this process
        'cpu_threads': getattr(history, 'cpu_threads', 0) or torch.get_num_threads(),
        'epochs': history.epochs,
        'final_test_acc': history.test_acc[-1],
        'best_test_acc': max(history.test_acc),
        'mean_seconds_per_epoch': sum(history.seconds) / history.epochs,
        'mean_examples_per_sec': sum(history.examples_per_sec) / history.epochs,
        'history': history.to_dict(),
        **extra,
    }
    folder = _folder(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f'{name}.json'
    tmp = path.with_suffix('.json.tmp')
    tmp.write_text(json.dumps(record, indent=1, default=str) + '\n')
    os.replace(tmp, path)


def load_results(folder='results'):
    """Read every `<folder>/*.json` that `save_results` wrote (real runs only), sorted by name."""
    records = [json.loads(p.read_text()) for p in sorted(Path(folder).glob('*.json'))]
    return records
