#!/usr/bin/env bash
# Every chapter once more, under the smoke budget, in a Colab-like environment: ipywidgets
# 7.7.1 (what Colab ships; its front end does not render ipywidgets 8) and the loosest versions
# that pyproject.toml allows and that install here for this Python (the lower bounds, raised
# to the first release with wheels for it). torch and torchvision are the first venv's (a .pth
# file appended AFTER this venv's own site-packages, so everything installed here wins; pip
# caps torch here at 2.14.1 anyway). Prints the versions that the kernel really imports.
#
#   .ci/colab_like.sh [CHAPTER.ipynb ...]   (D2LMINI_DATA must point at the offline data;
#                                          FIRST_VENV=.venv is where torch comes from)
set -euo pipefail
cd "$(dirname "$0")/.."
first=${FIRST_VENV:-.venv}
venv=.cache/venv-colab   # .cache/ is git-ignored
python=$first/bin/python

# Lower bounds of pyproject.toml for Python 3.11: numpy>=1.22 and matplotlib>=3.5 have no
# cp311 wheels, so their first versions that do (numpy 1.23.2, matplotlib 3.6.0).
COLAB_PINS=("ipywidgets==7.7.1" "numpy==1.23.2" "matplotlib==3.6.0" "tqdm==4.60.0"
            # matplotlib-inline 0.1.7+ (what ipykernel pulls in today) calls rcParams._get, new in
            # matplotlib 3.7; Colab itself still has an older one
            "matplotlib-inline==0.1.6")

if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
    "$venv/bin/pip" install -q --only-binary=:all: "${COLAB_PINS[@]}" ipykernel nbclient nbformat
    own=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
    theirs=$("$python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
    # .pth lines are appended to sys.path after the venv's own site-packages: torch comes from
    # there, while ipywidgets, numpy, matplotlib and tqdm are found here first.
    echo "$(cd "$theirs" && pwd)" > "$own/zz-first-venv-torch.pth"
    "$venv/bin/pip" install -q --no-deps --no-build-isolation -e . 2>/dev/null \
        || "$venv/bin/pip" install -q --no-deps -e .
    "$venv/bin/python" -m ipykernel install --sys-prefix --name python3 >/dev/null
fi

export PATH="$PWD/$venv/bin:$PATH"
export D2LMINI_SMOKE=1
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
"$venv/bin/python" .ci/colab_like_run.py "$@"
