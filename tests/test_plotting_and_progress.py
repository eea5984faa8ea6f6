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


def test_widgets_switch_precomputed_pages():
    pages = [d2l.figure_to_png(d2l.plot_history(_history(a))) for a in (0.8, 0.9)]
    assert all(p.startswith(b'\x89PNG') for p in pages)
    box = d2l.slider_pages(pages, description='epoch')
    assert (box.slider.min, box.slider.max, len(box.stack.children)) == (0, 1, 2)
    menu = d2l.dropdown_pages({'a': pages[0], 'b': pages[1]})
    assert menu.dropdown.options == ('a', 'b')
    with pytest.raises(ValueError):
        d2l.slider_pages([])
