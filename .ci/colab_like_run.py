"""Run by .ci/colab_like.sh inside the Colab-like venv: print the versions that this
interpreter (the kernel's) imports and where from, then execute each chapter (all of
chapters/*.ipynb, or the ones named) top to bottom under the smoke budget with nbclient, in a
fresh kernel from chapters/. Fails (exit 1) when a chapter raises or ipywidgets is not 7.7.1.
Nothing is written back to the notebooks."""
import importlib
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ('ipywidgets', 'numpy', 'matplotlib', 'tqdm', 'torch', 'torchvision', 'ipykernel', 'd2lmini')


def versions():
    found = {}
    for name in PACKAGES:
        module = importlib.import_module(name)
        found[name] = getattr(module, '__version__', '?')
        print(f"colab-like: {name} {found[name]} from {Path(module.__file__).parent}")
    return found


def main(names):
    if versions()['ipywidgets'] != '7.7.1':
        sys.exit("colab-like: ipywidgets is not 7.7.1 here: the second venv shadows nothing (see .ci/colab_like.sh)")
    os.environ['D2LMINI_SMOKE'] = '1'
    chapters = [Path(n).resolve() for n in names] or sorted((ROOT / 'chapters').glob('*.ipynb'))
    failed = []
    for path in chapters:
        nb = nbformat.read(path, as_version=4)
        start = time.perf_counter()
        try:
            NotebookClient(nb, timeout=1800, kernel_name='python3',
                           resources={'metadata': {'path': str(path.parent)}}).execute()
            print(f"colab-like: {path.name} ran in {time.perf_counter() - start:.0f} s")
        except CellExecutionError as error:
            failed.append(path.name)
            print(f"colab-like: {path.name} FAILED:\n{str(error)[-2000:]}")
    print(f"colab-like: {len(chapters) - len(failed)} of {len(chapters)} chapters execute with ipywidgets 7.7.1")
    if failed:
        sys.exit(f"colab-like: failed: {', '.join(failed)}")


if __name__ == '__main__':
    main(sys.argv[1:])
