"""A trained LeNet running in the page: pick or draw a picture, watch every layer react.

`explore_lenet(net, images)` returns a self-contained HTML + JavaScript output (no kernel, no
ipywidgets, nothing loaded from outside: static book, Colab, Kaggle, JupyterLab, VS Code). The
browser runs the forward pass on a shipped test picture or on what the reader draws, and shows
every stage's feature maps, the kernels, the class probabilities and the receptive field of a
clicked pixel. `export_lenet(net)` is what the page carries: the layers in order, batch norm folded
into the layer before it (eval mode), dropout left out, weights as float16 base64 (2 bytes a
parameter). The forward pass (d2lmini/static/lenet_explorer.js) is tested in node against PyTorch.
"""
import base64
import html
import re
from string import Template

from .static import read_static
from .widgets import HTMLOutput, content_id, script_json

INPUT_SHAPE = (1, 28, 28)
MAX_IMAGES = 40
_ACT_NAMES = {'relu': 'ReLU', 'sigmoid': 'sigmoid', 'tanh': 'tanh'}   # op -> its name on the page
_SUPPORTED = ('Conv2d, BatchNorm2d, ReLU, Sigmoid, Tanh, MaxPool2d, AvgPool2d, Flatten, '
              'Linear, BatchNorm1d, Dropout (nested nn.Sequential is fine)')


def _pair(value, what, where):
    """An int, or a pair of equal ints, as one int (the explorer draws square windows only)."""
    a, b = (value, value) if isinstance(value, int) else tuple(value)
    if a != b:
        raise ValueError(f"{where}: {what} must be the same in both directions for the explorer, got {value}")
    return int(a)


def _half_b64(tensor):
    """A tensor's values, flattened row-major, as little-endian float16 bytes in base64."""
    import numpy as np
    values = _f64(tensor).numpy().astype('<f2')
    if not np.all(np.isfinite(values)):
        raise ValueError("a weight does not fit in float16 (|w| > 65504) or is NaN: the explorer "
                         "ships float16 weights; check the trained network")
    return base64.b64encode(values.tobytes()).decode('ascii')


def _flat_modules(net):
    from torch import nn
    yield from (m for sub in net for m in _flat_modules(sub)) if isinstance(net, nn.Sequential) else (net,)


def _f64(t):
    """A parameter or buffer as a float64 CPU tensor in the standard layout (the net may sit on a
    GPU, in channels_last, as train_ch5 leaves it)."""
    return t.detach().double().cpu().contiguous()


def _bias(module, n):
    import torch
    return torch.zeros(n, dtype=torch.float64) if module.bias is None else _f64(module.bias)


def _fold(weight, bias, bn):
    """Batch norm after a linear map, folded in: y = gamma (Wx + b - mean) / sqrt(var + eps) + beta."""
    import torch
    if bn.running_mean is None or bn.running_var is None:
        raise ValueError(f"{type(bn).__name__} has no running statistics (track_running_stats=False): "
                         f"it cannot be folded into the layer before it")
    scale = 1 / torch.sqrt(_f64(bn.running_var) + bn.eps)
    if bn.affine:
        scale = scale * _f64(bn.weight)
        shift = _f64(bn.bias)
    else:
        shift = torch.zeros_like(scale)
    weight = weight * scale.reshape(-1, *([1] * (weight.dim() - 1)))
    return weight, (bias - _f64(bn.running_mean)) * scale + shift


def export_lenet(net, input_shape=INPUT_SHAPE, num_classes=10):
    """The network as data for the explorer: a dict with `input` ([C, H, W]) and `layers`.

    `net` is an `nn.Sequential` of the layers LeNet uses (see `_SUPPORTED`). Each layer
    becomes a dict: {'op': 'conv', 'cin', 'cout', 'k', 'stride', 'pad', 'w', 'b'},
    {'op': 'dense', 'nin', 'nout', 'w', 'b'}, {'op': 'relu'|'sigmoid'|'tanh'},
    {'op': 'maxpool'|'avgpool', 'k', 'stride'}, {'op': 'flatten'}; 'w' and 'b' are float16
    base64 (conv weights in PyTorch's (cout, cin, k, k) order). A batch norm right after a
    conv or linear layer is folded into it; dropout is left out. Each layer also gets the
    shape of its output and, where the page shows that output, a `title`. Anything else
    raises a ValueError that names the layer and what the explorer supports.
    """
    from torch import nn
    if not isinstance(net, nn.Sequential):
        raise TypeError(f"export_lenet needs an nn.Sequential (like the chapter's modern_lenet()), "
                        f"got {type(net).__name__}")
    (c, h, w), flat, counts = input_shape, False, {'conv': 0, 'dense': 0}
    layers, pending = [], None          # pending: the conv/linear layer a batch norm may fold into

    def where(k, module):
        return f"layer {k} ({type(module).__name__})"

    def close():
        nonlocal pending
        if pending is not None:
            weight, bias, spec = pending
            spec['w'], spec['b'] = _half_b64(weight), _half_b64(bias)
            layers.append(spec)
            pending = None

    for k, module in enumerate(_flat_modules(net)):
        kind = type(module).__name__
        if isinstance(module, nn.Conv2d):
            close()
            if flat:
                raise ValueError(f"{where(k, module)} comes after Flatten: the explorer needs the "
                                 f"convolutions first, then the dense layers")
            if module.groups != 1 or _pair(module.dilation, 'dilation', where(k, module)) != 1 \
                    or module.padding_mode != 'zeros' or isinstance(module.padding, str):
                raise ValueError(f"{where(k, module)}: the explorer supports plain convolutions only "
                                 f"(groups=1, dilation=1, numeric zero padding)")
            if module.in_channels != c:
                raise ValueError(f"{where(k, module)} expects {module.in_channels} input channels but "
                                 f"receives {c}: this network does not take {tuple(input_shape)} pictures")
            size = _pair(module.kernel_size, 'kernel_size', where(k, module))
            stride = _pair(module.stride, 'stride', where(k, module))
            pad = _pair(module.padding, 'padding', where(k, module))
            h, w = (h + 2 * pad - size) // stride + 1, (w + 2 * pad - size) // stride + 1
            if h < 1 or w < 1:
                raise ValueError(f"{where(k, module)}: its {size}x{size} kernel does not fit the "
                                 f"{c}-channel input it receives")
            c = module.out_channels
            counts['conv'] += 1
            pending = (_f64(module.weight), _bias(module, c),
                       {'op': 'conv', 'cin': module.in_channels, 'cout': c, 'k': size, 'stride': stride,
                        'pad': pad, 'shape': [c, h, w], 'name': f"conv{counts['conv']}",
                        'about': f"{size}x{size}" + (f", pad {pad}" if pad else '')
                                 + (f", stride {stride}" if stride != 1 else '')})
        elif isinstance(module, nn.Linear):
            close()
            if not flat:
                raise ValueError(f"{where(k, module)} comes before any Flatten: add nn.Flatten() "
                                 f"between the convolutions and the dense layers")
            if module.in_features != c:
                raise ValueError(f"{where(k, module)} expects {module.in_features} inputs but receives "
                                 f"{c} (from the layers before it, for {tuple(input_shape)} pictures)")
            c = module.out_features
            counts['dense'] += 1
            pending = (_f64(module.weight), _bias(module, c),
                       {'op': 'dense', 'nin': module.in_features, 'nout': c, 'shape': [c, 1, 1],
                        'name': f"dense{counts['dense']}", 'about': f"{module.in_features} -> {c}"})
        elif isinstance(module, (nn.BatchNorm2d, nn.BatchNorm1d)):
            expected = 'conv' if isinstance(module, nn.BatchNorm2d) else 'dense'
            if pending is None or pending[2]['op'] != expected:
                raise ValueError(f"{where(k, module)} must come right after a "
                                 f"{'Conv2d' if expected == 'conv' else 'Linear'} layer (it is folded "
                                 f"into that layer's weights)")
            if module.num_features != c:
                raise ValueError(f"{where(k, module)} has {module.num_features} features but receives {c}")
            weight, bias = _fold(pending[0], pending[1], module)
            pending[2]['bn'] = True
            pending = (weight, bias, pending[2])
        elif type(module) in (nn.ReLU, nn.Sigmoid, nn.Tanh):
            close()
            layers.append({'op': kind.lower(), 'shape': [c, h, w]})
        elif isinstance(module, (nn.MaxPool2d, nn.AvgPool2d)):
            close()
            if flat:
                raise ValueError(f"{where(k, module)} comes after Flatten")
            size = _pair(module.kernel_size, 'kernel_size', where(k, module))
            stride = _pair(module.stride if module.stride is not None else size, 'stride', where(k, module))
            if _pair(module.padding, 'padding', where(k, module)) != 0 or module.ceil_mode \
                    or (isinstance(module, nn.MaxPool2d) and _pair(module.dilation, 'dilation', where(k, module)) != 1):
                raise ValueError(f"{where(k, module)}: the explorer supports pooling without padding, "
                                 f"dilation or ceil_mode")
            h, w = (h - size) // stride + 1, (w - size) // stride + 1
            if h < 1 or w < 1:
                raise ValueError(f"{where(k, module)}: its {size}x{size} window does not fit its input")
            op = 'maxpool' if isinstance(module, nn.MaxPool2d) else 'avgpool'
            layers.append({'op': op, 'k': size, 'stride': stride, 'shape': [c, h, w]})
        elif isinstance(module, nn.Flatten):
            close()
            if module.start_dim != 1 or module.end_dim != -1 or flat:
                raise ValueError(f"{where(k, module)}: the explorer needs one nn.Flatten() "
                                 f"(start_dim=1) between the convolutions and the dense layers")
            c, h, w, flat = c * h * w, 1, 1, True
            layers.append({'op': 'flatten', 'shape': [c, 1, 1]})
        elif isinstance(module, (nn.Dropout, nn.Identity)):
            continue                                    # an identity in eval mode
        else:
            raise ValueError(f"{where(k, module)} is not supported by the LeNet explorer; it "
                             f"supports {_SUPPORTED}")
    close()
    if not counts['conv'] or not layers or layers[-1]['op'] != 'dense':
        raise ValueError(f"the explorer needs convolutions, then Flatten and dense layers ending in a "
                         f"Linear layer with {num_classes} outputs (the class scores); got "
                         f"{[layer['op'] for layer in layers]}")
    if c != num_classes:
        raise ValueError(f"the last Linear layer has {c} outputs but there are {num_classes} classes")
    _titles(layers)
    return {'input': list(input_shape), 'layers': layers}



def _titles(layers):
    """Give a `title` to every layer whose output the page shows: after each activation (naming
    the conv/dense layer before it), each pooling, and the class scores; not after Flatten."""
    for k, layer in enumerate(layers):
        op = layer['op']
        nxt = layers[k + 1]['op'] if k + 1 < len(layers) else None
        if op in ('conv', 'dense') and k + 1 == len(layers):
            layer['title'] = f"{layer['name']} {layer['about']}: class scores"
        elif op in ('conv', 'dense') and nxt not in _ACT_NAMES:
            layer['title'] = f"{layer['name']} {layer['about']}" + (' + batch norm' if layer.get('bn') else '')
        elif op in _ACT_NAMES and k and layers[k - 1]['op'] in ('conv', 'dense'):
            prev = layers[k - 1]
            layer['title'] = (f"{prev['name']} {prev['about']}" + (' + batch norm' if prev.get('bn') else '')
                              + f" + {_ACT_NAMES[op]}")
        elif op in _ACT_NAMES:
            layer['title'] = _ACT_NAMES[op]
        elif op in ('maxpool', 'avgpool'):
            layer['title'] = f"{'max' if op == 'maxpool' else 'average'} pool {layer['k']}x{layer['k']}" + (
                f", stride {layer['stride']}" if layer['stride'] != layer['k'] else '')


def _image_bytes(images):
    """(N, 28, 28) or (N, 1, 28, 28) pictures, floats in [0, 1] or uint8, as N byte strings."""
    import torch
    x = torch.as_tensor(images)
    shape = tuple(x.shape)
    if x.dim() == 4 and x.shape[1] == 1:
        x = x[:, 0]
    if x.dim() == 2:
        raise ValueError(f"images must be a batch, shape (N, 28, 28) or (N, 1, 28, 28); got one "
                         f"picture of shape {shape}: use images[None] (or X[:1]) for a batch of one")
    if x.dim() != 3 or tuple(x.shape[1:]) != INPUT_SHAPE[1:]:
        raise ValueError(f"images must have shape (N, 28, 28) or (N, 1, 28, 28), got {shape}: the "
                         f"explorer's network reads 28x28 greyscale pictures as the chapter's loader "
                         f"gives them (no resize)")
    if not 1 <= len(x) <= MAX_IMAGES:
        raise ValueError(f"give 1 to {MAX_IMAGES} pictures (each adds about 1 KB to the page), got {len(x)}")
    if x.dtype != torch.uint8:
        x = x.double()
        if not bool(torch.isfinite(x).all()) or x.min() < 0 or x.max() > 1:
            raise ValueError(f"float pictures must lie in [0, 1] (the loader's uint8 / 255), got values in "
                             f"[{x.min().item():.3g}, {x.max().item():.3g}]; no normalisation is expected")
        x = (x * 255).round().to(torch.uint8)
    return [bytes(img.flatten().tolist()) for img in x.cpu()]


def explore_lenet(net, images, labels=None, class_names=None, name=None):
    """The trained `net` running in the page, on `images` or on what the reader draws.

    `net`: an nn.Sequential LeNet (conv blocks, Flatten, dense layers; see `export_lenet`).
    `images`: a few test pictures, (N, 1, 28, 28) or (N, 28, 28), floats in [0, 1] as the
    loader gives them, or uint8. `labels`: their true classes (ints) or captions, or None.
    `class_names`: the ten class names (default: Fashion-MNIST's). Returns an `HTMLOutput`
    (text/html); the element id comes from `name` or from a hash of the content.
    """
    from .data import TEXT_LABELS
    class_names = list(TEXT_LABELS if class_names is None else class_names)
    if not class_names or not all(isinstance(s, str) and s for s in class_names):
        raise ValueError(f"class_names must be a list of non-empty strings, got {class_names!r}")
    spec = export_lenet(net, INPUT_SHAPE, len(class_names))
    pixels = _image_bytes(images)
    if labels is None:
        captions = [f'picture {k}' for k in range(len(pixels))]
    else:
        labels = labels.tolist() if hasattr(labels, 'tolist') else list(labels)
        if len(labels) != len(pixels):
            raise ValueError(f"got {len(pixels)} pictures but {len(labels)} labels")
        captions = []
        for label in labels:
            if isinstance(label, str):
                captions.append(label)
            elif isinstance(label, int) and not isinstance(label, bool) and 0 <= label < len(class_names):
                captions.append(class_names[label])
            else:
                raise ValueError(f"a label must be a class index 0..{len(class_names) - 1} or a caption "
                                 f"string, got {label!r}")
    data = {'net': spec, 'classes': class_names, 'captions': captions,
            'images': [base64.b64encode(p).decode('ascii') for p in pixels]}
    blob = script_json(data)
    if name is None:
        uid = content_id('d2lx', blob)
    elif not isinstance(name, str) or not re.fullmatch(r'[A-Za-z][A-Za-z0-9_-]{0,40}', name):
        raise ValueError(f"name must be a letter then up to 40 letters, digits, '_' or '-', got {name!r}")
    else:
        uid = f'd2lx-{name}'
    markup = _PAGE.substitute(id=uid, data=blob, css=read_static('lenet_explorer.css'),
                              js=read_static('lenet_explorer.js'),
                              label=html.escape(f'LeNet explorer: {len(pixels)} test pictures'))
    n_params = sum(p.numel() for p in net.parameters())
    return HTMLOutput(markup, f'LeNet explorer: {len(pixels)} pictures, {n_params:,} parameters')


_PAGE = Template("""<div id="$id" class="d2lx" role="group" aria-label="$label">
<style>$css</style>
<div class="d2lx-noscript">(The LeNet explorer runs in JavaScript, which is off here: in Jupyter, run
the cell or trust the notebook.)</div>
<script type="application/json" class="d2lx-data">$data</script>
<script>$js</script>
</div>""")
