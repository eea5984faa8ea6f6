"""Fashion-MNIST, held in memory and batched on the fly.

The whole split lives in one uint8 tensor (on the GPU when there is one), so a
batch is an index, a cast and, if asked, one `F.interpolate`: no PIL, no worker
processes, no per-sample transforms. That is what makes LeNet train several
times faster on a CPU than with the classic torchvision + DataLoader pipeline.
"""
import gzip
import math
import numbers
import os
import threading
from pathlib import Path

import torch
import torch.nn.functional as F

from .budget import is_smoke
from .device import try_gpu

TEXT_LABELS = ['t-shirt', 'trouser', 'pullover', 'dress', 'coat',
               'sandal', 'shirt', 'sneaker', 'bag', 'ankle boot']

# file stem -> (IDX magic number, number of items, shape of one item)
_FILES = {
    'train-images-idx3-ubyte': (2051, 60000, (28, 28)),
    'train-labels-idx1-ubyte': (2049, 60000, ()),
    't10k-images-idx3-ubyte': (2051, 10000, (28, 28)),
    't10k-labels-idx1-ubyte': (2049, 10000, ()),
}
SMOKE_SIZES = {'train': 512, 'test': 256}
_DOWNLOAD_TIMEOUT_S = 5
_cache = {}


class DataError(RuntimeError):
    """The Fashion-MNIST files are missing or damaged; the message says what to do."""


def default_root():
    """Where the data lives: `D2LMINI_DATA` if set, else a per-user cache folder."""
    if os.environ.get('D2LMINI_DATA'):
        return Path(os.environ['D2LMINI_DATA']).expanduser()
    cache = os.environ.get('XDG_CACHE_HOME') or Path.home() / '.cache'
    return Path(cache) / 'd2lmini'


# d2lzh_pytorch's default root; torchvision keeps the files in <root>/FashionMNIST/raw
# (torchvision 0.2 and older in <root>/raw).
D2LZH_ROOT = '~/Datasets/FashionMNIST'


def search_folders(root=None):
    """The folders that may hold the four files, in the order they are searched.

    With `root`: `<root>/FashionMNIST/raw` (and `<root>/raw` when root is itself
    named FashionMNIST, torchvision 0.2's layout). Without: the default root
    (D2LMINI_DATA or the cache folder), then d2lzh_pytorch's `~/Datasets/FashionMNIST`,
    so data that the original book downloaded is found offline. A download goes
    to the first folder.
    """
    if root is not None:
        root = Path(root).expanduser()
        return [root / 'FashionMNIST' / 'raw'] + ([root / 'raw'] if root.name == 'FashionMNIST' else [])
    d2lzh = Path(D2LZH_ROOT).expanduser()
    return [default_root() / 'FashionMNIST' / 'raw', d2lzh / 'FashionMNIST' / 'raw', d2lzh / 'raw']


def _how_to_get_files(raws):
    searched = ', '.join(str(raw) for raw in raws)
    return (f"Looked in {searched} (the root argument, else the environment variable "
            f"D2LMINI_DATA or the default cache folder, then d2lzh_pytorch's {D2LZH_ROOT}). "
            f"Either connect to the internet so that torchvision can download Fashion-MNIST, "
            f"or copy the four files {', '.join(s + '.gz' for s in _FILES)} (gzipped or not) "
            f"into {raws[0]}, or point D2LMINI_DATA at a folder whose FashionMNIST/raw/ "
            f"holds them.")


def read_idx(path, stem=None):
    """Read one IDX file (gzipped or not) into a uint8 tensor, checking its header and size.

    A truncated or corrupted file raises `DataError` instead of being used silently.
    """
    path = Path(path)
    stem = stem or path.name.removesuffix('.gz')
    magic, count, item_shape = _FILES[stem]
    try:
        data = path.read_bytes()
        if data[:2] == b'\x1f\x8b':           # gzip's magic number
            data = gzip.decompress(data)
    except (OSError, EOFError, gzip.BadGzipFile) as err:
        raise DataError(f"{path} is damaged and cannot be read ({err}). "
                        f"Delete it and load again to re-download it, or copy a fresh copy.") from None
    header_len = 8 + 4 * len(item_shape)
    expected = header_len + count * math.prod(item_shape)
    header = [int.from_bytes(data[i:i + 4], 'big') for i in range(0, header_len, 4)]
    if len(data) < header_len or header != [magic, count, *item_shape] or len(data) != expected:
        raise DataError(f"{path} is not a valid Fashion-MNIST file: expected an IDX header "
                        f"{[magic, count, *item_shape]} and {expected} bytes, found header "
                        f"{header} and {len(data)} bytes (truncated or corrupted). "
                        f"Delete it and load again to re-download it, or copy a fresh copy.")
    values = torch.frombuffer(bytearray(data[header_len:]), dtype=torch.uint8)
    return values.reshape(count, *item_shape)


def _find(raw, stem):
    for name in (stem, stem + '.gz'):
        if (raw / name).is_file():
            return raw / name
    return None


def _can_reach(url, timeout):
    """True if the download host answers within `timeout` seconds (DNS included)."""
    import socket
    from urllib.parse import urlparse
    parts = urlparse(url)
    result = []

    def probe():
        try:
            port = parts.port or (80 if parts.scheme == 'http' else 443)
            socket.create_connection((parts.hostname, port), timeout=timeout).close()
            result.append(True)
        except OSError:
            pass
    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(timeout)
    return bool(result)


def _download(raws, stems):
    """Fetch missing files into `raws[0]` with torchvision's downloader.

    A file appears there only once complete and checked.
    """
    raw = raws[0]
    from torchvision.datasets import FashionMNIST
    from torchvision.datasets.utils import download_url
    md5 = {url.removesuffix('.gz'): digest for url, digest in FashionMNIST.resources}
    mirror = FashionMNIST.mirrors[0]
    if not _can_reach(mirror, _DOWNLOAD_TIMEOUT_S):
        raise DataError(f"Fashion-MNIST files {sorted(stems)} are missing and the download "
                        f"server {mirror} cannot be reached. " + _how_to_get_files(raws))
    raw.mkdir(parents=True, exist_ok=True)
    for stem in stems:
        part = raw / f'.{stem}.gz.part'
        try:
            download_url(mirror + stem + '.gz', str(raw), filename=part.name, md5=md5[stem])
            read_idx(part, stem)          # never keep a file that does not parse
            os.replace(part, raw / (stem + '.gz'))
        finally:
            part.unlink(missing_ok=True)


def load_fashion_mnist_arrays(root=None, download=True):
    """Return `{'train': (images, labels), 'test': (images, labels)}` as uint8/int64 tensors.

    Uses the first of `search_folders(root)` that holds all four files;
    downloads what is missing into the first folder when `download` is true and
    the internet is reachable; otherwise fails fast with a message that names
    every folder searched, the environment variable and how to get the files.
    """
    raws = search_folders(root)
    raw = next((r for r in raws if all(_find(r, stem) for stem in _FILES)), None)
    if raw is None:
        raw = raws[0]
        missing = [stem for stem in _FILES if _find(raw, stem) is None]
        if not download:
            raise DataError(f"Fashion-MNIST files {missing} are missing. " + _how_to_get_files(raws))
        _download(raws, missing)
    arrays = {}
    for split, prefix in (('train', 'train'), ('test', 't10k')):
        paths = [_find(raw, f'{prefix}-{kind}-idx{n}-ubyte') for kind, n in (('images', 3), ('labels', 1))]
        key = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in paths)
        if key not in _cache:
            images, labels = (read_idx(p) for p in paths)
            if int(labels.max()) > 9:
                raise DataError(f"{paths[1]} holds labels above 9: corrupted. Delete it and load again.")
            _cache[key] = (images, labels.long())
        arrays[split] = _cache[key]
    return arrays


class FashionMNISTIterator:
    """Yields `(X, y)` batches from a split held in memory.

    X is float32 `(B, 1, H, W)` in [0, 1], y int64. With `shuffle`, each pass draws a
    fresh permutation from torch's global generator, so `torch.manual_seed`
    makes the order repeatable.
    """

    def __init__(self, images, labels, batch_size, shuffle, resize=None, device='cpu'):
        self.images = images.to(device)
        self.labels = labels.to(device)
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.size = resize
        self.device = torch.device(device)

    def __len__(self):
        return math.ceil(len(self.labels) / self.batch_size)

    @property
    def num_examples(self):
        return len(self.labels)

    def __iter__(self):
        n = len(self.labels)
        order = torch.randperm(n).to(self.device) if self.shuffle else None
        for start in range(0, n, self.batch_size):
            if order is None:
                idx = slice(start, start + self.batch_size)
            else:
                idx = order[start:start + self.batch_size]
            X = self.images[idx].unsqueeze(1).float().div_(255)
            if self.size is not None:
                X = F.interpolate(X, size=self.size, mode='bilinear', align_corners=False)
            yield X, self.labels[idx]

    def __repr__(self):
        shape = self.size or tuple(self.images.shape[1:])
        return (f"FashionMNISTIterator({self.num_examples} examples, batch_size={self.batch_size}, "
                f"image size={shape}, shuffle={self.shuffle}, device={self.device})")


def check_batch_size(batch_size):
    """Return `batch_size` as an int; a ValueError names it unless it is a positive integer.

    Any integer type counts (`np.int64` too, as d2lzh_pytorch accepts); bools,
    floats and strings do not.
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) or batch_size <= 0:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
    return int(batch_size)


def _check_resize(resize):
    """Return `resize` as an (H, W) pair, or None."""
    if resize is None:
        return None
    pair = resize if isinstance(resize, (tuple, list)) else (resize, resize)
    if (len(pair) != 2 or any(isinstance(v, bool) or not isinstance(v, int) or v < 1 for v in pair)):
        raise ValueError(f"resize must be a positive int or a pair (height, width) of positive "
                         f"ints, got {resize!r}")
    return tuple(pair)


def load_data_fashion_mnist(batch_size, resize=None, root=None, device=None, download=True):
    """Return `(train_iter, test_iter)` over Fashion-MNIST, as in d2lzh_pytorch.

    `resize` (an int or a pair) rescales the 28x28 images on the fly. `device`
    defaults to the GPU when there is one: the data then lives on the GPU.
    With `D2LMINI_SMOKE=1` only a small fixed subset is used, and a line says so.
    """
    batch_size = check_batch_size(batch_size)
    size = _check_resize(resize)
    device = try_gpu() if device is None else torch.device(device)
    arrays = load_fashion_mnist_arrays(root, download)
    if is_smoke():
        arrays = {split: (x[:SMOKE_SIZES[split]], y[:SMOKE_SIZES[split]]) for split, (x, y) in arrays.items()}
        print(f"D2LMINI_SMOKE=1: smoke budget, using {SMOKE_SIZES['train']} training and "
              f"{SMOKE_SIZES['test']} test examples (of 60000 and 10000)")
    train_iter = FashionMNISTIterator(*arrays['train'], batch_size, True, size, device)
    test_iter = FashionMNISTIterator(*arrays['test'], batch_size, False, size, device)
    return train_iter, test_iter


def get_fashion_mnist_labels(labels):
    """Turn numeric labels (ints or a tensor) into their text names."""
    return [TEXT_LABELS[int(i)] for i in labels]
