"""The widgets' JavaScript and CSS, shipped as package data in `d2lmini/static/`.

Widget code lives in real .js/.css files (so node can test it and editors can lint
it); the Python side only reads them and fills in the data of one output.
"""
from importlib import resources


def read_static(name):
    """The text of `d2lmini/static/<name>` (e.g. 'pages.js'); a clear error if it is missing."""
    path = resources.files(__package__).joinpath('static', name)
    if not path.is_file():
        raise FileNotFoundError(f"d2lmini/static/{name} is missing: reinstall d2lmini "
                                f"(pip install -e . in a checkout) so its package data is present")
    return path.read_text(encoding='utf-8')
