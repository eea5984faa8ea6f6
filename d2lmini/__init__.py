"""d2lmini: the small helper package of the book, compatible with d2lzh_pytorch.

`import d2lmini as d2l` is light: each name below is imported from its module
(and torch, matplotlib, ... with it) only when first used.
"""
import importlib

__version__ = '0.1.0'

_EXPORTS = {
    'arithmetic': ['conv_output_size', 'pool_output_size'],
    'budget': ['choose_budget', 'is_smoke'],
    'data': ['load_data_fashion_mnist', 'load_fashion_mnist_arrays', 'get_fashion_mnist_labels',
             'FashionMNISTIterator', 'DataError', 'default_root', 'TEXT_LABELS'],
    'device': ['try_gpu', 'set_seed'],
    'gpu_estimate': ['t4_estimate'],
    'layers': ['corr2d', 'FlattenLayer', 'GlobalAvgPool2d'],
    'lenet_explorer': ['explore_lenet', 'export_lenet'],
    'plotting': ['show_fashion_mnist', 'show_images', 'show_titled_images', 'plot_history',
                 'set_figsize', 'use_svg_display', 'semilogy', 'plt'],
    'optimization': ['sgd'],
    'resnet': ['Residual', 'resnet_block', 'resnet18'],
    'results': ['save_results', 'load_results'],
    'model_summary': ['summary', 'count_params', 'count_macs'],
    'training': ['train_ch5', 'evaluate_accuracy', 'History', 'TrainingOutOfMemoryError'],
    'widgets': ['figure_to_png', 'slider_pages', 'dropdown_pages'],
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}
__all__ = sorted(_WHERE)


def __getattr__(name):
    if name not in _WHERE:
        raise AttributeError(f"module 'd2lmini' has no attribute {name!r}")
    value = getattr(importlib.import_module(f'.{_WHERE[name]}', __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
