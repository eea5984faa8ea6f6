"""nbval settings for the chapters: figures are compared by nbval only where they are stable."""


def pytest_collectstart(collector):
    # SVG figures carry dates and random ids, and widget JavaScript differs per run;
    # PNG figures are not compared by nbval at all. Text, HTML and streams stay strict.
    if collector.fspath and collector.fspath.ext == '.ipynb':
        collector.skip_compare += ('image/svg+xml', 'application/javascript',
                                   'application/vnd.jupyter.widget-view+json')
