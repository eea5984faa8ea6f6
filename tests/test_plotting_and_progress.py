import matplotlib
import pytest
import torch

import d2lmini as d2l
from d2lmini.progress import TrainingProgress, in_notebook

matplotlib.use('Agg')


def _history(acc):
    return d2l.History(loss=[1.0, 0.6, 0.4], train_acc=[0.5, 0.7, acc], test_acc=[0.6, 0.7, acc],
                       seconds=[1.0] * 3, examples_per_sec=[10.0] * 3)


def test_plot_history_draws_loss_and_accuracies_in_one_call():
    fig = d2l.plot_history(_history(0.8), title='run')
    ax_loss, ax_acc = fig.axes
    assert [line.get_label() for line in ax_loss.lines] == ['train loss']
    assert [line.get_label() for line in ax_acc.lines] == ['train acc', 'test acc']
    assert list(ax_acc.lines[1].get_ydata()) == [0.6, 0.7, 0.8]
    assert fig._suptitle.get_text() == 'run'


def test_plot_history_compares_several_runs():
    fig = d2l.plot_history({'classic': _history(0.8), 'modern': _history(0.9)})
    labels = [line.get_label() for line in fig.axes[1].lines]
    assert labels == ['classic: train acc', 'classic: test acc', 'modern: train acc', 'modern: test acc']


def test_plot_history_names_many_runs_under_the_panels():
    """Up to four run names fit in the loss panel; more go below it, on added height."""
    few = d2l.plot_history({f'run {k}': _history(0.8) for k in range(4)})
    assert [t.get_text() for t in few.axes[0].get_legend().get_texts()] == [f'run {k}' for k in range(4)]
    assert not few.legends
    many = d2l.plot_history({f'run {k}': _history(0.8) for k in range(10)})
    assert many.axes[0].get_legend() is None
    assert [t.get_text() for t in many.legends[0].get_texts()] == [f'run {k}' for k in range(10)]
    assert many.get_size_inches()[1] > few.get_size_inches()[1]
    assert [t.get_text() for t in many.axes[1].get_legend().get_texts()] == ['train acc', 'test acc']


def test_plot_history_ticks_only_whole_epochs():
    for n in (1, 3, 25):
        h = d2l.History(loss=[1.0] * n, train_acc=[0.5] * n, test_acc=[0.5] * n,
                        seconds=[1.0] * n, examples_per_sec=[1.0] * n)
        fig = d2l.plot_history(h)
        fig.canvas.draw()
        for ax in fig.axes:
            lo, hi = ax.get_xlim()
            ticks = [t for t in ax.get_xticks() if lo <= t <= hi]
            assert ticks and all(float(t).is_integer() for t in ticks), (n, ticks)
            if n <= 10:
                assert ticks == list(range(1, n + 1))


def test_show_images_has_d2lzh_signature_and_returns_the_axes_grid():
    import inspect
    params = inspect.signature(d2l.show_images).parameters
    assert list(params)[:4] == ['imgs', 'num_rows', 'num_cols', 'scale']
    assert params['scale'].default == 2
    imgs = [torch.rand(8, 8, 3) for _ in range(6)] + [torch.rand(1, 5, 5)]
    axes = d2l.show_images(imgs, 2, 3)                # d2lzh: image i*num_cols+j at (i, j)
    assert axes.shape == (2, 3)
    assert axes[1][2].images[0].get_array().shape == (8, 8, 3)
    assert not axes[0][0].get_xaxis().get_visible() and not axes[0][0].get_yaxis().get_visible()
    assert tuple(axes[0][0].figure.get_size_inches()) == (6, 4)
    assert d2l.show_images(imgs, 1, 4, scale=1.5).shape == (1, 4)
    chw = d2l.show_images(torch.rand(2, 3, 4, 5), 1, 2)
    assert chw[0][1].images[0].get_array().shape == (4, 5, 3)     # (C, H, W) shown as (H, W, C)
    with pytest.raises(ValueError, match='needs 8 images'):
        d2l.show_images(imgs, 2, 4)
    with pytest.raises(ValueError, match='positive'):
        d2l.show_images(imgs, 2, 0)


def test_show_images_with_titles_is_the_books_titled_grid():
    imgs = torch.rand(3, 1, 28, 28)
    for fig in (d2l.show_images(imgs, ['a', 'b', 'c'], scale=1.5),       # chapters' calls
                d2l.show_images(imgs, titles=['a', 'b', 'c'], ncols=2),
                d2l.show_titled_images(imgs, ['a', 'b', 'c'])):
        assert [ax.get_title() for ax in fig.axes if ax.images] == ['a', 'b', 'c']
    with pytest.raises(TypeError, match='titles twice'):
        d2l.show_images(imgs, ['a', 'b', 'c'], titles=['a', 'b', 'c'])


def test_semilogy_plt_and_use_svg_display_as_in_d2lzh():
    import matplotlib.pyplot as plt
    assert d2l.plt is plt
    ax = d2l.semilogy(range(1, 4), [1, 10, 100], 'epochs', 'loss', range(1, 4), [2, 20, 200],
                      ['train', 'test'])
    assert ax.get_yscale() == 'log' and len(ax.lines) == 2
    assert ax.lines[1].get_linestyle() == ':'
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ['train', 'test']
    assert (ax.get_xlabel(), ax.get_ylabel()) == ('epochs', 'loss')
    assert tuple(plt.rcParams['figure.figsize']) == (3.5, 2.5)
    assert d2l.use_svg_display() is None              # outside IPython: nothing to switch
    plt.close('all')


def test_show_images_and_labels():
    fig = d2l.show_images(torch.rand(5, 1, 28, 28), titles=list('abcde'), ncols=3)
    assert len(fig.axes) == 6 and fig.axes[4].get_title() == 'e'
    d2l.show_fashion_mnist(torch.rand(2, 1, 28, 28), torch.tensor([0, 9]))
    d2l.show_fashion_mnist(torch.rand(2, 28, 28), ['a', 'b'])


def test_progress_outside_a_notebook_is_a_terminal_bar_or_nothing():
    assert not in_notebook()
    progress = TrainingProgress(2, 3, enabled=True)
    assert progress.terminal and not progress.notebook
    for epoch in (1, 2):
        for i in (1, 2, 3):
            progress.batch_done(epoch, i)
        progress.epoch_done(_history(0.8))
    progress.close()
    silent = TrainingProgress(2, 3, enabled=False)
    assert not silent.terminal and not silent.notebook


def test_plot_history_pages_feed_the_page_widgets():
    """Figures rendered to PNG pages, shown by the kernel-free page widgets (tested in test_widgets)."""
    pages = [d2l.figure_to_png(d2l.plot_history(_history(a))) for a in (0.8, 0.9)]
    assert all(p.startswith(b'\x89PNG') for p in pages)
    slider = d2l.slider_pages(pages, description='epoch')._repr_html_()
    assert slider.count('data:image/png;base64,') == 2
    menu = d2l.dropdown_pages({'a': pages[0], 'b': pages[1]})._repr_html_()
    assert '>a</option>' in menu and '>b</option>' in menu
    with pytest.raises(ValueError):
        d2l.slider_pages([])
