"""Widgets that still work in the static HTML book, where no kernel runs.

A slider or a dropdown cannot recompute anything without a kernel, so these
widgets show pages computed in advance and switch between them in the browser
(`widgets.jslink`, saved in the notebook's widget state). Live `interact` can be
added on top for readers who run the notebook.
"""
import io


def figure_to_png(fig, dpi=80):
    """Render a matplotlib figure to PNG bytes and close it (so it is not shown twice)."""
    import matplotlib.pyplot as plt
    buffer = io.BytesIO()
    fig.savefig(buffer, format='png', dpi=dpi, bbox_inches='tight')
    plt.close(fig)
    return buffer.getvalue()


def _pages(pngs):
    import ipywidgets as widgets
    return widgets.Stack([widgets.Image(value=png, format='png') for png in pngs], selected_index=0)


def slider_pages(pngs, description='step', start=0):
    """An IntSlider that flips through precomputed PNG pages, also without a kernel.

    Returns a VBox (slider above, pages below); its `.slider` and `.stack`
    attributes are the two linked widgets.
    """
    import ipywidgets as widgets
    if not pngs:
        raise ValueError("slider_pages needs at least one page")
    stack = _pages(pngs)
    slider = widgets.IntSlider(value=start, min=0, max=len(pngs) - 1, description=description,
                               continuous_update=True)
    stack.selected_index = start
    widgets.jslink((slider, 'value'), (stack, 'selected_index'))
    box = widgets.VBox([slider, stack])
    box.slider, box.stack = slider, stack
    return box


def dropdown_pages(named_pngs, description='choose'):
    """A Dropdown whose options each show a precomputed PNG page, also without a kernel.

    `named_pngs` is a dict label -> PNG bytes. Returns a VBox with `.dropdown` and `.stack`.
    """
    import ipywidgets as widgets
    if not named_pngs:
        raise ValueError("dropdown_pages needs at least one page")
    labels = list(named_pngs)
    stack = _pages([named_pngs[k] for k in labels])
    dropdown = widgets.Dropdown(options=labels, value=labels[0], description=description)
    widgets.jslink((dropdown, 'index'), (stack, 'selected_index'))
    box = widgets.VBox([dropdown, stack])
    box.dropdown, box.stack = dropdown, stack
    return box
