"""Figures that several chapters draw: images with labels, and training curves."""


def __getattr__(name):
    """`plt` is matplotlib.pyplot, imported on first use (d2lzh_pytorch's `d2l.plt`)."""
    if name == 'plt':
        import matplotlib.pyplot as plt
        return plt
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def set_figsize(figsize=(3.5, 2.5)):
    """Set matplotlib's default figure size (as in d2lzh_pytorch).

    Unlike d2lzh_pytorch it does not switch notebooks to SVG: call
    `use_svg_display()` for that.
    """
    import matplotlib.pyplot as plt
    plt.rcParams['figure.figsize'] = figsize


def use_svg_display():
    """Show notebook figures as SVG, as d2lzh_pytorch's `use_svg_display`.

    Does nothing outside IPython. Newer IPython moved `set_matplotlib_formats`
    to matplotlib_inline, which is used when present.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return
    if get_ipython() is None:
        return
    try:
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:
        from IPython.display import set_matplotlib_formats
    set_matplotlib_formats('svg')


def semilogy(x_vals, y_vals, x_label, y_label, x2_vals=None, y2_vals=None,
             legend=None, figsize=(3.5, 2.5)):
    """Plot y against x with a log y axis, and optionally a second dotted curve.

    d2lzh_pytorch's `semilogy` (section 3.11), drawn on a new figure whose
    axes are returned.
    """
    import matplotlib.pyplot as plt
    set_figsize(figsize)
    fig, ax = plt.subplots(figsize=figsize)
    ax.set_xlabel(x_label)
    ax.set_ylabel(y_label)
    ax.semilogy(x_vals, y_vals)
    if x2_vals is not None and y2_vals is not None:
        ax.semilogy(x2_vals, y2_vals, linestyle=':')
        ax.legend(legend)
    return ax


def _as_displayable(img):
    """A tensor / array / PIL image -> something `imshow` takes: (H, W) or (H, W, C)."""
    import numpy as np
    if hasattr(img, 'detach'):
        img = img.detach().cpu().numpy()
    if not isinstance(img, np.ndarray):
        return img                                   # a PIL image: imshow reads it as is
    img = img.squeeze()
    if img.ndim == 3 and img.shape[0] in (3, 4) and img.shape[-1] not in (3, 4):
        img = img.transpose(1, 2, 0)                 # (C, H, W) -> (H, W, C)
    return img


def show_titled_images(images, titles=None, ncols=None, scale=1.5, cmap='gray'):
    """Show a row (or grid) of images, each with an optional title; return the figure.

    `images` is a tensor `(N, H, W)` / `(N, C, H, W)` or a list of images
    (tensors, arrays, PIL images). The book's chapters draw with this.
    """
    import matplotlib.pyplot as plt
    images = [_as_displayable(img) for img in images]
    n = len(images)
    ncols = ncols or n
    nrows = (n + ncols - 1) // ncols
    fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * scale, nrows * scale * 1.15),
                             squeeze=False)
    for ax in axes.flat:
        ax.axis('off')
    for k, (ax, img) in enumerate(zip(axes.flat, images)):
        ax.imshow(img, cmap=cmap)
        if titles is not None:
            ax.set_title(titles[k], fontsize=9)
    fig.tight_layout()
    return fig


def show_images(imgs, num_rows=None, num_cols=None, scale=2, *, titles=None, ncols=None,
                cmap='gray'):
    """Show images in a `num_rows` x `num_cols` grid, as d2lzh_pytorch's `show_images`.

    `show_images(imgs, num_rows, num_cols, scale=2)` draws image
    `i * num_cols + j` at row i, column j, hides the ticks and returns the
    2-D array of axes (d2lzh_pytorch's behaviour). Called with titles instead
    (`show_images(imgs, titles, ncols=..., scale=...)` or `titles=...`), it is
    `show_titled_images` and returns the figure.
    """
    is_count = isinstance(num_rows, int) and not isinstance(num_rows, bool)
    if not is_count:
        if num_rows is not None and titles is not None:
            raise TypeError("show_images got titles twice: as the second argument and as titles=")
        if num_cols is not None:
            raise TypeError(f"show_images(imgs, num_rows, num_cols): num_rows must be an int, "
                            f"got {num_rows!r}; or pass titles and ncols= without num_cols")
        return show_titled_images(imgs, num_rows if titles is None else titles, ncols, scale, cmap)
    if not isinstance(num_cols, int) or isinstance(num_cols, bool) or min(num_rows, num_cols) < 1:
        raise ValueError(f"num_rows and num_cols must be positive ints, got {num_rows!r} and "
                         f"{num_cols!r}")
    if len(imgs) < num_rows * num_cols:
        raise ValueError(f"a {num_rows}x{num_cols} grid needs {num_rows * num_cols} images, "
                         f"got {len(imgs)}")
    import matplotlib.pyplot as plt
    _, axes = plt.subplots(num_rows, num_cols, figsize=(num_cols * scale, num_rows * scale),
                           squeeze=False)
    for i in range(num_rows):
        for j in range(num_cols):
            axes[i][j].imshow(_as_displayable(imgs[i * num_cols + j]), cmap=cmap)
            axes[i][j].axes.get_xaxis().set_visible(False)
            axes[i][j].axes.get_yaxis().set_visible(False)
    return axes


def show_fashion_mnist(images, labels):
    """Show Fashion-MNIST images in one row with their text labels (as in d2lzh_pytorch)."""
    from .data import get_fashion_mnist_labels
    titles = list(labels) if len(labels) and isinstance(labels[0], str) else get_fashion_mnist_labels(labels)
    show_titled_images(images, titles)
    import matplotlib.pyplot as plt
    plt.show()


def _integer_ticks(ax, num_epochs):
    """Ticks only at whole epochs: each epoch when few, else matplotlib's integer choice."""
    from matplotlib.ticker import MaxNLocator
    if num_epochs <= 10:
        ax.set_xticks(range(1, num_epochs + 1))
    else:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def plot_history(history, title=None):
    """Draw loss and accuracies per epoch; `history` is one History or a dict name -> History.

    Returns the figure: training loss above, train/test accuracy below, on one epoch
    axis. Stacked and 4.4 inches wide, so that its labels stay readable on a phone,
    where the page shrinks it to the column. With several runs, colours name the
    runs and line styles tell train from test, so the legends stay short.
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    runs = history if isinstance(history, dict) else {'': history}
    fig, (ax_loss, ax_acc) = plt.subplots(2, 1, figsize=(4.4, 4.6), sharex=True)
    for k, (name, h) in enumerate(runs.items()):
        color = f'C{k}'
        prefix = f'{name}: ' if name else ''
        epochs = range(1, len(h.loss) + 1)
        ax_loss.plot(epochs, h.loss, color=color, marker='.', label=f'{prefix}train loss')
        ax_acc.plot(epochs, h.train_acc, color=color, linestyle='--', marker='.', label=f'{prefix}train acc')
        ax_acc.plot(epochs, h.test_acc, color=color, marker='o', label=f'{prefix}test acc')
    _integer_ticks(ax_acc, max(len(h.loss) for h in runs.values()))
    ax_acc.set_xlabel('epoch')
    for ax, ylabel in ((ax_loss, 'train loss'), (ax_acc, 'accuracy')):
        ax.set_ylabel(ylabel)
        ax.grid(True, alpha=0.3)
        ax.tick_params(labelsize=9)
    if len(runs) == 1:
        ax_acc.legend(fontsize=8)
        bottom = 0.0
    else:
        ax_acc.legend(handles=[Line2D([], [], color='0.3', linestyle='--', marker='.', label='train acc'),
                               Line2D([], [], color='0.3', marker='o', label='test acc')], fontsize=8)
        names = [Line2D([], [], color=f'C{k}', marker='.', label=name) for k, name in enumerate(runs)]
        bottom = _legend_of_runs(fig, ax_loss, names)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout(rect=(0, bottom, 1, 1))
    return fig


MAX_RUNS_INSIDE = 4     # more run names than this would hide the loss curves


def _legend_of_runs(fig, ax_loss, handles):
    """Name the runs: inside the loss panel for a few, else in two columns under the
    panels, on height added to the figure. Returns the share of the height it takes."""
    if len(handles) <= MAX_RUNS_INSIDE:
        ax_loss.legend(handles=handles, fontsize=8)
        return 0.0
    rows = -(-len(handles) // 2)
    extra = 0.2 * rows + 0.2                          # inches: about one 8 pt line per row
    width, height = fig.get_size_inches()
    fig.set_size_inches(width, height + extra)
    fig.legend(handles=handles, loc='lower center', ncol=2, fontsize=8, frameon=False)
    return extra / (height + extra)
