"""Figures that several chapters draw: images with labels, and training curves."""


def set_figsize(figsize=(3.5, 2.5)):
    """Set matplotlib's default figure size (as in d2lzh_pytorch)."""
    import matplotlib.pyplot as plt
    plt.rcParams['figure.figsize'] = figsize


def show_images(images, titles=None, ncols=None, scale=1.5, cmap='gray'):
    """Show a row (or grid) of 2-D images, each with an optional title; return the figure.

    `images` is a tensor `(N, H, W)` / `(N, 1, H, W)` or a list of 2-D arrays.
    """
    import matplotlib.pyplot as plt
    images = [img.detach().cpu().squeeze().numpy() if hasattr(img, 'detach') else img for img in images]
    n = len(images)
    ncols = ncols or n
    nrows = (n + ncols - 1) // ncols
    fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * scale, nrows * scale * 1.15), squeeze=False)
    for ax in axes.flat:
        ax.axis('off')
    for k, (ax, img) in enumerate(zip(axes.flat, images)):
        ax.imshow(img, cmap=cmap)
        if titles is not None:
            ax.set_title(titles[k], fontsize=9)
    fig.tight_layout()
    return fig


def show_fashion_mnist(images, labels):
    """Show Fashion-MNIST images in one row with their text labels (as in d2lzh_pytorch)."""
    from .data import get_fashion_mnist_labels
    titles = list(labels) if len(labels) and isinstance(labels[0], str) else get_fashion_mnist_labels(labels)
    show_images(images, titles)
    import matplotlib.pyplot as plt
    plt.show()


def plot_history(history, title=None):
    """Draw loss and accuracies per epoch; `history` is one History or a dict name -> History.

    Returns the figure, with two panels: training loss, and train/test accuracy.
    """
    import matplotlib.pyplot as plt
    runs = history if isinstance(history, dict) else {'': history}
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(8, 3))
    for k, (name, h) in enumerate(runs.items()):
        color = f'C{k}'
        prefix = f'{name}: ' if name else ''
        epochs = range(1, len(h.loss) + 1)
        ax_loss.plot(epochs, h.loss, color=color, marker='.', label=f'{prefix}train loss')
        ax_acc.plot(epochs, h.train_acc, color=color, linestyle='--', marker='.', label=f'{prefix}train acc')
        ax_acc.plot(epochs, h.test_acc, color=color, marker='o', label=f'{prefix}test acc')
    for ax, ylabel in ((ax_loss, 'loss'), (ax_acc, 'accuracy')):
        ax.set_xlabel('epoch')
        ax.set_ylabel(ylabel)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
