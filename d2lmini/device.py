"""Which device to compute on, and seeds for repeatable runs."""
import random

import torch


def try_gpu(i=0):
    """Return `cuda:i` when that GPU exists, else the CPU."""
    if torch.cuda.device_count() > i:
        return torch.device(f'cuda:{i}')
    return torch.device('cpu')


def set_seed(seed):
    """Seed Python's, torch's (CPU and all GPUs) and, if installed, NumPy's generators."""
    random.seed(seed)
    torch.manual_seed(seed)
    try:
        import numpy as np
        np.random.seed(seed)
    except ImportError:
        pass
