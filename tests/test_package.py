import importlib
import inspect
import pkgutil
import subprocess
import sys
import tomllib
import types
from pathlib import Path

import d2lmini as d2l

REPO = Path(__file__).resolve().parents[1]


def test_import_is_light():
    code = ("import sys, d2lmini; heavy = {'torch', 'torchvision', 'matplotlib', 'IPython', 'ipywidgets', 'tqdm', "
            "'numpy'} & set(sys.modules); print(sorted(heavy))")
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == '[]'


def test_every_exported_name_resolves_to_what_it_says():
    for module in pkgutil.iter_modules(d2l.__path__):
        importlib.import_module(f'd2lmini.{module.name}')      # submodules must not shadow exports
    for name in d2l.__all__:
        value = getattr(d2l, name)
        if name == 'plt':                                      # d2lzh's d2l.plt: pyplot itself
            assert value.__name__ == 'matplotlib.pyplot'
            continue
        assert not isinstance(value, types.ModuleType), name
    assert set(d2l.__all__) <= set(dir(d2l))


def test_d2lzh_pytorch_signatures():
    def params(f):
        return list(inspect.signature(f).parameters)
    assert params(d2l.train_ch5)[:7] == ['net', 'train_iter', 'test_iter', 'batch_size', 'optimizer',
                                         'device', 'num_epochs']
    assert params(d2l.load_data_fashion_mnist)[:3] == ['batch_size', 'resize', 'root']
    assert params(d2l.evaluate_accuracy)[:3] == ['data_iter', 'net', 'device']
    assert params(d2l.show_fashion_mnist) == ['images', 'labels']
    assert params(d2l.get_fashion_mnist_labels) == ['labels']
    assert params(d2l.corr2d) == ['X', 'K']
    assert params(d2l.show_images)[:4] == ['imgs', 'num_rows', 'num_cols', 'scale']
    assert params(d2l.sgd) == ['params', 'lr', 'batch_size']
    assert params(d2l.semilogy) == ['x_vals', 'y_vals', 'x_label', 'y_label', 'x2_vals',
                                    'y2_vals', 'legend', 'figsize']
    assert params(d2l.use_svg_display) == []
    assert params(d2l.set_figsize) == ['figsize']
    assert params(d2l.Residual) == ['in_channels', 'out_channels', 'use_1x1conv', 'stride']
    assert params(d2l.resnet18) == ['output', 'in_channels']


def test_d2l_plt_is_pyplot_loaded_only_when_used():
    code = ("import sys, d2lmini as d2l; d2l.sgd; d2l.resnet18; before = 'matplotlib' in sys.modules; "
            "import matplotlib; matplotlib.use('Agg'); "
            "print(before, d2l.plt is sys.modules['matplotlib.pyplot'])")
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ['False', 'True']


def test_modules_stay_short_enough_to_read_in_one_sitting():
    for path in (REPO / 'd2lmini').glob('*.py'):
        assert len(path.read_text().splitlines()) < 300, path


def test_package_dependencies_are_ranges_and_the_book_environment_is_pinned():
    project = tomllib.loads((REPO / 'pyproject.toml').read_text())['project']
    assert not [d for d in project['dependencies'] if '==' in d], 'Colab brings its own torch: no pins'
    assert any(d.startswith('torch>=') for d in project['dependencies'])
    requirements = (REPO / 'requirements.txt').read_text().splitlines()
    for pin in ('torch==2.14.1', 'torchvision==0.29.1', 'jupyter-book>=1.0.4,<2'):
        assert pin in requirements
