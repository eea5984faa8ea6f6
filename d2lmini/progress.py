"""Progress while `train_ch5` runs: a bar per epoch, and in a notebook a live plot.

In a notebook the bar is plain HTML and the plot a PNG, both updated in place
through IPython display handles, so the saved notebook keeps the final state
and no widget state is needed. In a terminal it is a tqdm bar on stderr.
The per-epoch lines that `train_ch5` prints are never touched.
"""


def in_notebook():
    """True inside a Jupyter kernel (where display handles work)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and 'IPKernelApp' in shell.config


def _bar_html(epoch, num_epochs, done, total):
    return (f'<div style="font-family:monospace">epoch {epoch}/{num_epochs} '
            f'<progress value="{done}" max="{total}" style="width:40%"></progress> '
            f'{done}/{total} batches</div>')


class TrainingProgress:
    """Shows how far training is; `enabled=False` shows nothing."""

    def __init__(self, num_epochs, num_batches, enabled=True):
        self.num_epochs, self.num_batches = num_epochs, num_batches
        self.notebook = enabled and in_notebook()
        self.terminal = enabled and not self.notebook
        self.every = max(1, num_batches // 20)
        self.bar = self.figure = None
        if self.notebook:
            from IPython.display import HTML, display
            self.bar = display(HTML(_bar_html(1, num_epochs, 0, num_batches)), display_id=True)

    def batch_done(self, epoch, done):
        if self.notebook and (done % self.every == 0 or done == self.num_batches):
            from IPython.display import HTML
            self.bar.update(HTML(_bar_html(epoch, self.num_epochs, done, self.num_batches)))
        elif self.terminal:
            if done == 1:
                from tqdm import tqdm
                self.close()
                self.tqdm = tqdm(total=self.num_batches, desc=f'epoch {epoch}/{self.num_epochs}',
                                 leave=False, disable=None)
            self.tqdm.update(1)

    def epoch_done(self, history):
        if not self.notebook:
            return
        import matplotlib.pyplot as plt
        from IPython.display import display
        from .plotting import plot_history
        fig = plot_history(history)
        plt.close(fig)
        if self.figure is None:
            self.figure = display(fig, display_id=True)
        else:
            self.figure.update(fig)

    def close(self):
        if getattr(self, 'tqdm', None) is not None:
            self.tqdm.close()
            self.tqdm = None
