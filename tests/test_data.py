import gzip
import shutil

import pytest
import torch

import d2lmini as d2l
from d2lmini import data


def test_batches_have_the_documented_shape_dtype_and_range(data_root):
    train_iter, test_iter = d2l.load_data_fashion_mnist(256, root=data_root, device='cpu')
    assert (len(train_iter), len(test_iter)) == (235, 40)       # ceil(60000/256), ceil(10000/256)
    X, y = next(iter(train_iter))
    assert X.shape == (256, 1, 28, 28) and X.dtype == torch.float32
    assert 0 <= X.min() and X.max() <= 1
    assert y.shape == (256,) and y.dtype == torch.int64 and 0 <= y.min() and y.max() <= 9
    *_, (X_last, y_last) = test_iter
    assert X_last.shape[0] == y_last.shape[0] == 10000 - 39 * 256
    assert sum(y.shape[0] for _, y in train_iter) == 60000


def test_resize_accepts_an_int_or_a_pair(data_root):
    for resize, shape in ((32, (32, 32)), ((40, 20), (40, 20)), ([224, 224], (224, 224))):
        train_iter, _ = d2l.load_data_fashion_mnist(8, resize=resize, root=data_root, device='cpu')
        X, _ = next(iter(train_iter))
        assert X.shape == (8, 1) + shape
        assert 0 <= X.min() and X.max() <= 1


def test_resize_to_the_same_size_changes_nothing(data_root):
    a, _ = d2l.load_data_fashion_mnist(64, root=data_root, device='cpu')
    b, _ = d2l.load_data_fashion_mnist(64, resize=28, root=data_root, device='cpu')
    a.shuffle = b.shuffle = False
    assert torch.allclose(next(iter(a))[0], next(iter(b))[0], atol=1e-6)


def test_training_order_is_reshuffled_every_epoch_and_repeatable_under_a_seed(data_root):
    train_iter, test_iter = d2l.load_data_fashion_mnist(512, root=data_root, device='cpu')
    torch.manual_seed(0)
    first, second = (next(iter(train_iter))[1] for _ in range(2))
    torch.manual_seed(0)
    again = next(iter(train_iter))[1]
    assert torch.equal(first, again)
    assert not torch.equal(first, second)
    assert torch.equal(next(iter(test_iter))[1], next(iter(test_iter))[1])   # test order is fixed


def test_text_labels():
    assert d2l.get_fashion_mnist_labels([0, 9, 5]) == ['t-shirt', 'ankle boot', 'sandal']
    assert d2l.get_fashion_mnist_labels(torch.tensor([1, 8])) == ['trouser', 'bag']


@pytest.mark.parametrize('batch_size', [0, -1, 2.5, '256', True, None])
def test_bad_batch_size_is_a_value_error_naming_it(data_root, batch_size):
    with pytest.raises(ValueError, match=r"batch_size .*" + repr(batch_size).replace('.', r'\.')):
        d2l.load_data_fashion_mnist(batch_size, root=data_root)


@pytest.mark.parametrize('resize', [0, -5, 2.0, (28,), (28, 0), (28, 28, 28), '224', True])
def test_bad_resize_is_a_value_error(data_root, resize):
    with pytest.raises(ValueError, match='resize'):
        d2l.load_data_fashion_mnist(8, resize=resize, root=data_root)


def test_root_comes_from_argument_then_env_then_cache(monkeypatch, tmp_path):
    monkeypatch.setenv('D2LMINI_DATA', str(tmp_path / 'env'))
    assert data.default_root() == tmp_path / 'env'
    monkeypatch.delenv('D2LMINI_DATA')
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path / 'cache'))
    assert data.default_root() == tmp_path / 'cache' / 'd2lmini'


def test_env_var_root_is_used(monkeypatch, data_root):
    monkeypatch.setenv('D2LMINI_DATA', str(data_root))
    train_iter, _ = d2l.load_data_fashion_mnist(10, device='cpu')
    assert train_iter.num_examples == 60000


def test_smoke_budget_uses_a_small_fixed_subset_and_says_so(monkeypatch, data_root, capsys):
    monkeypatch.setenv('D2LMINI_SMOKE', '1')
    train_iter, test_iter = d2l.load_data_fashion_mnist(100, root=data_root, device='cpu')
    assert (train_iter.num_examples, test_iter.num_examples) == (512, 256)
    assert 'D2LMINI_SMOKE=1' in capsys.readouterr().out
    train_again, _ = d2l.load_data_fashion_mnist(100, root=data_root, device='cpu')
    assert torch.equal(train_iter.labels, train_again.labels)


def _copy_raw(data_root, tmp_path):
    raw = tmp_path / 'FashionMNIST' / 'raw'
    raw.mkdir(parents=True)
    for src in (data_root / 'FashionMNIST' / 'raw').iterdir():
        if src.name.split('.')[0] in data._FILES:
            shutil.copy(src, raw / src.name)
    return raw


def test_gzipped_and_plain_files_read_the_same(data_root, tmp_path):
    raw = _copy_raw(data_root, tmp_path)
    name = 't10k-labels-idx1-ubyte'
    plain = raw / name
    if not plain.exists():
        plain.write_bytes(gzip.decompress((raw / (name + '.gz')).read_bytes()))
    gz = tmp_path / (name + '.gz')
    gz.write_bytes(gzip.compress(plain.read_bytes()))
    assert torch.equal(data.read_idx(plain), data.read_idx(gz))


def test_missing_files_and_no_network_fail_fast_with_what_to_do(monkeypatch, tmp_path):
    from torchvision.datasets import FashionMNIST
    monkeypatch.setattr(FashionMNIST, 'mirrors', ['http://127.0.0.1:9/'])   # nothing listens there
    with pytest.raises(d2l.DataError) as err:
        d2l.load_data_fashion_mnist(8, root=tmp_path)
    message = str(err.value)
    assert str(tmp_path / 'FashionMNIST' / 'raw') in message
    assert 'D2LMINI_DATA' in message and 'copy' in message
    assert not list(tmp_path.rglob('*ubyte*'))


def test_missing_files_with_download_off(tmp_path):
    with pytest.raises(d2l.DataError, match='D2LMINI_DATA'):
        d2l.load_data_fashion_mnist(8, root=tmp_path, download=False)


def test_interrupted_download_leaves_no_file_that_looks_valid(monkeypatch, tmp_path):
    import torchvision.datasets.utils as tv_utils
    monkeypatch.setattr(data, '_can_reach', lambda url, timeout: True)

    def broken_download(url, root, filename=None, md5=None):
        (tmp_path / 'FashionMNIST' / 'raw' / filename).write_bytes(b'\x1f\x8b half a file')
        raise KeyboardInterrupt
    monkeypatch.setattr(tv_utils, 'download_url', broken_download)
    with pytest.raises(KeyboardInterrupt):
        d2l.load_data_fashion_mnist(8, root=tmp_path)
    assert list((tmp_path / 'FashionMNIST' / 'raw').iterdir()) == []


def test_a_completed_download_is_checked_then_used(monkeypatch, data_root, tmp_path):
    import torchvision.datasets.utils as tv_utils
    source = data_root / 'FashionMNIST' / 'raw'
    monkeypatch.setattr(data, '_can_reach', lambda url, timeout: True)

    def fake_download(url, root, filename=None, md5=None):
        stem = url.rsplit('/', 1)[1].removesuffix('.gz')
        src = source / (stem + '.gz') if (source / (stem + '.gz')).exists() else source / stem
        payload = src.read_bytes() if src.suffix == '.gz' else gzip.compress(src.read_bytes())
        (tmp_path / 'FashionMNIST' / 'raw' / filename).write_bytes(payload)
    monkeypatch.setattr(tv_utils, 'download_url', fake_download)
    train_iter, test_iter = d2l.load_data_fashion_mnist(8, root=tmp_path, device='cpu')
    assert (train_iter.num_examples, test_iter.num_examples) == (60000, 10000)
    assert sorted(p.name for p in (tmp_path / 'FashionMNIST' / 'raw').iterdir()) == sorted(
        stem + '.gz' for stem in data._FILES)


@pytest.mark.parametrize('damage', ['truncate', 'bad_magic', 'bad_gzip', 'label_out_of_range'])
def test_damaged_files_are_detected_with_a_clear_message(data_root, tmp_path, damage):
    raw = _copy_raw(data_root, tmp_path)
    name = 't10k-labels-idx1-ubyte'
    target = raw / name if (raw / name).exists() else raw / (name + '.gz')
    content = target.read_bytes()
    content = gzip.decompress(content) if target.suffix == '.gz' else content
    target.unlink()
    target = raw / name
    if damage == 'truncate':
        target.write_bytes(content[:-100])
    elif damage == 'bad_magic':
        target.write_bytes(b'\x00\x00\x08\x03' + content[4:])
    elif damage == 'bad_gzip':
        target = raw / (name + '.gz')
        target.write_bytes(gzip.compress(content)[:-50])
    else:
        target.write_bytes(content[:-1] + b'\x0c')
    with pytest.raises(d2l.DataError, match=r'(corrupted|damaged)') as err:
        d2l.load_data_fashion_mnist(8, root=tmp_path, download=False)
    assert name in str(err.value)


def _no_default_data(monkeypatch, tmp_path):
    """A user with an empty cache, D2LMINI_DATA unset, home in tmp_path and no network."""
    from torchvision.datasets import FashionMNIST
    monkeypatch.delenv('D2LMINI_DATA', raising=False)
    monkeypatch.setenv('HOME', str(tmp_path / 'home'))
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path / 'cache'))
    monkeypatch.setattr(FashionMNIST, 'mirrors', ['http://127.0.0.1:9/'])   # nothing listens there
    return tmp_path / 'home' / 'Datasets' / 'FashionMNIST'


@pytest.mark.parametrize('layout', ['FashionMNIST/raw', 'raw'])   # torchvision >= 0.3, 0.2
def test_data_in_d2lzh_default_folder_is_found_offline(monkeypatch, data_root, tmp_path, layout):
    d2lzh_root = _no_default_data(monkeypatch, tmp_path)
    target = d2lzh_root / layout
    target.parent.mkdir(parents=True)
    shutil.copytree(data_root / 'FashionMNIST' / 'raw', target)
    train_iter, test_iter = d2l.load_data_fashion_mnist(256, device='cpu')
    assert (train_iter.num_examples, test_iter.num_examples) == (60000, 10000)
    assert not (tmp_path / 'cache').exists()           # nothing downloaded or copied
    # the original's call, root passed explicitly, reads the same folder
    train_iter, _ = d2l.load_data_fashion_mnist(256, root='~/Datasets/FashionMNIST', device='cpu')
    assert train_iter.num_examples == 60000


def test_error_lists_every_folder_searched(monkeypatch, tmp_path):
    d2lzh_root = _no_default_data(monkeypatch, tmp_path)
    for download in (True, False):
        with pytest.raises(d2l.DataError) as err:
            d2l.load_data_fashion_mnist(8, download=download)
        message = str(err.value)
        for folder in (tmp_path / 'cache' / 'd2lmini' / 'FashionMNIST' / 'raw',
                       d2lzh_root / 'FashionMNIST' / 'raw', d2lzh_root / 'raw'):
            assert str(folder) in message
        assert data.search_folders() == [tmp_path / 'cache' / 'd2lmini' / 'FashionMNIST' / 'raw',
                                         d2lzh_root / 'FashionMNIST' / 'raw', d2lzh_root / 'raw']


def test_an_explicit_root_is_the_only_place_searched(tmp_path):
    assert data.search_folders(tmp_path) == [tmp_path / 'FashionMNIST' / 'raw']
    assert data.search_folders(tmp_path / 'FashionMNIST') == [
        tmp_path / 'FashionMNIST' / 'FashionMNIST' / 'raw', tmp_path / 'FashionMNIST' / 'raw']


def test_any_integer_type_is_a_batch_size(data_root):
    np = pytest.importorskip('numpy')
    for batch_size in (np.int64(100), np.int32(100), torch.tensor(100).item()):
        train_iter, _ = d2l.load_data_fashion_mnist(batch_size, root=data_root, device='cpu')
        assert type(train_iter.batch_size) is int and train_iter.batch_size == 100
        assert next(iter(train_iter))[0].shape[0] == 100
