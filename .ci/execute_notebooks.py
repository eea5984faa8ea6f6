"""Execute chapters top to bottom, in place, and keep them clean for git.

    python .ci/execute_notebooks.py [--timeout SECONDS] chapters/lenet.ipynb [...]

Runs each notebook in a fresh kernel from the `chapters/` folder with the real
budget (D2LMINI_SMOKE is removed from the environment), saves its outputs and
execution counts, and drops stray metadata (timings, jupytext headers): cells
keep only their tags, the notebook only its kernelspec and language_info.
No ipywidgets state is kept (nbclient records it while running, for live widgets
such as `interact`, and `clean` drops it): the book's widgets are self-contained
HTML/JS outputs, and saved state would make the static pages load require.js
and the widget manager from a CDN. A notebook whose run fails is left untouched.
"""
import os
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

KEEP_NOTEBOOK_METADATA = ('kernelspec', 'language_info')
KERNELSPEC = {'display_name': 'Python 3', 'language': 'python', 'name': 'python3'}


def clean(nb):
    nb.metadata = {k: v for k, v in nb.metadata.items() if k in KEEP_NOTEBOOK_METADATA}
    nb.metadata['kernelspec'] = KERNELSPEC
    for cell in nb.cells:
        tags = cell.metadata.get('tags')
        cell.metadata = {'tags': tags} if tags else {}
    return nb


def execute(path, timeout=4 * 3600):
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    os.environ.pop('D2LMINI_SMOKE', None)
    start = time.perf_counter()
    NotebookClient(nb, timeout=timeout, kernel_name='python3',
                   resources={'metadata': {'path': str(path.parent)}}).execute()
    clean(nb)
    tmp = path.with_suffix('.ipynb.tmp')
    nbformat.write(nb, tmp)
    os.replace(tmp, path)
    print(f"{path}: executed in {time.perf_counter() - start:.1f} s")


if __name__ == '__main__':
    import argparse
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--timeout', type=int, default=4 * 3600, help='per cell, in seconds')
    parser.add_argument('notebooks', nargs='+')
    args = parser.parse_args()
    for notebook in args.notebooks:
        execute(notebook, args.timeout)
