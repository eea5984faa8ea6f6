"""The book as readers get it: a zero-warning build, the chapter headers (Colab/Kaggle install
cell and badges), the launch buttons, and that no page depends on ipywidgets state.

Every check follows `_toc.yml`: a chapter added there is checked without editing this file.
"""
import re
from pathlib import Path

import nbformat
import pytest

from book_support import (BUILD_COMMAND, REPO, WIDGET_STATE, WIDGET_VIEW, chapter_docnames, config,
                          expected_header, launch_urls, repository, shared_build,
                          toc_docnames)

CHAPTERS = chapter_docnames()


@pytest.fixture(scope='session')
def book(tmp_path_factory):
    return shared_build(tmp_path_factory)


def notebook(docname):
    path = REPO / (docname + '.ipynb')
    if not path.exists():
        pytest.fail(f"_toc.yml lists {docname}, but {path.relative_to(REPO)} does not exist")
    return nbformat.read(path, as_version=4)


# --------------------------------------------------------------------------- the build

def test_build_command_gives_zero_warnings(book):
    """README's build command, run from scratch: exit status 0 and not one warning."""
    warnings = [line.replace(str(book.html_dir.parents[1]) + '/', '')
                for line in book.output.splitlines() if 'WARNING' in line]
    print(f"`{BUILD_COMMAND}` took {book.seconds} s")
    assert not warnings, (f"the build gives {len(warnings)} warning(s):\n" + '\n'.join(warnings[:40]) +
                          ('\n...' if len(warnings) > 40 else ''))
    assert book.returncode == 0, f"the build failed (exit {book.returncode}):\n{book.output[-5000:]}"


def test_every_page_of_the_toc_is_built(book):
    missing = [name for name in toc_docnames() if not (book.html_dir / f'{name}.html').is_file()]
    assert not missing, f"no HTML page for {missing}"
    assert (book.html_dir / 'index.html').is_file()


def test_config_uses_committed_outputs_and_only_toc_files():
    cfg = config()
    assert cfg['execute']['execute_notebooks'] == 'off', "the committed outputs are the book's outputs"
    assert cfg['only_build_toc_files'] is True
    assert cfg['title'].strip()
    assert toc_docnames()[0] == 'chapters/intro'


def test_repository_url_is_the_books_github_repository():
    url, branch, _ = repository()
    assert re.fullmatch(r'https://github\.com/[\w.-]+/[\w.-]+', url), url
    assert branch
    launch = config()['launch_buttons']
    assert launch['colab_url'] == 'https://colab.research.google.com'
    assert launch['binderhub_url'] == 'https://mybinder.org'


def test_front_page_links_every_chapter():
    """The front page's map of the chapters follows _toc.yml (MyST {doc} links)."""
    intro = (REPO / 'chapters' / 'intro.md').read_text()
    linked = set(re.findall(r'\{doc\}`(?:[^`<]*<)?([^`>]+)>?`', intro))
    missing = [name for name in CHAPTERS if Path(name).name not in linked and name not in linked]
    assert not missing, f"chapters/intro.md does not link {missing}"
    for topic in ('Colab', 'Kaggle', 'GPU', 'CPU', 'full', 'cpu', 'smoke'):
        assert topic in intro, f"the front page does not mention {topic}"


# --------------------------------------------------------------------------- chapter headers

@pytest.mark.parametrize('docname', CHAPTERS)
def test_chapter_starts_with_install_cell_and_badges(docname):
    nb = notebook(docname)
    install, badges, colab, kaggle = expected_header(docname)
    first = nb.cells[0]
    assert first.cell_type == 'code', "cell 1 must be the Colab/Kaggle install cell (code)"
    assert 'remove-cell' in first.metadata.get('tags', []), "the install cell needs the tag remove-cell"
    source = first.source.strip()
    assert 'torch' not in source, "the install cell must not install or pin torch (Colab/Kaggle bring theirs)"
    assert source == install, f"cell 1 must be exactly the install cell of COMMON.md:\n{install}"

    second = nb.cells[1]
    assert second.cell_type == 'markdown', "cell 2 must be markdown: title, then the badges"
    lines = second.source.splitlines()
    assert lines[0].startswith('# ') and lines[0][2:].strip(), "cell 2 starts with the title '# ...'"
    assert len(lines) > 2 and lines[1] == '', "a blank line after the title, then the badge line"
    assert colab in lines[2] and kaggle in lines[2], \
        f"the badges must open this notebook ({Path(docname).name}.ipynb), got:\n{lines[2]}"
    assert lines[2] == badges, f"cell 2's badge line must be exactly:\n{badges}"


@pytest.mark.parametrize('docname', CHAPTERS)
def test_chapter_page_has_launch_buttons_and_badges(book, docname):
    if book.returncode != 0 and not (book.html_dir / f'{docname}.html').exists():
        pytest.fail(f"the build produced no page for {docname}")
    html = (book.html_dir / f'{docname}.html').read_text()
    colab_launch, binder_launch = launch_urls(docname)
    _, _, colab, kaggle = expected_header(docname)
    assert f'href="{colab_launch}"' in html, f"no Colab launch button to {colab_launch}"
    assert f'href="{binder_launch}"' in html.replace('&amp;', '&'), f"no Binder launch button to {binder_launch}"
    assert f'href="{colab}"' in html and f'href="{kaggle}"' in html, "the Colab/Kaggle badges are not on the page"
    for badge in ('colab-badge.svg', 'kaggle-badge.svg'):
        assert re.search(rf'<img[^>]+src="[^"]*{badge}"', html), f"{badge} is not shown"
        assert (book.html_dir / '_images' / badge).is_file(), f"{badge} was not copied into the book"
    assert 'import os, sys' not in html, "the install cell (tag remove-cell) must not appear in the HTML"


# --------------------------------------------------------------------------- widgets

@pytest.mark.parametrize('docname', CHAPTERS)
def test_no_ipywidgets_in_the_static_pages(docname):
    """The book's widgets are self-contained HTML/JS outputs. An ipywidgets view (a live
    `interact`) needs a kernel: its cell must hide its output from the pages, and no chapter
    saves ipywidgets state, which would make myst-nb load require.js and the widget manager
    from a CDN on that page."""
    nb = notebook(docname)
    shown = [i for i, cell in enumerate(nb.cells) if cell.cell_type == 'code'
             and any(WIDGET_VIEW in output.get('data', {}) for output in cell.get('outputs', []))
             and not {'remove-output', 'remove-cell'} & set(cell.metadata.get('tags', []))]
    assert not shown, (f"{docname}: cells {shown} show an ipywidgets view in the static page; "
                       f"tag them remove-output or build the widget as HTML/JS (d2lmini.widgets)")
    assert not nb.metadata.get('widgets', {}).get(WIDGET_STATE), (
        f"{docname} saves ipywidgets state: execute it with .ci/execute_notebooks.py, which drops it")


def test_no_mathjax2_shim_for_a_widget_manager_that_is_never_loaded():
    """The MathJax-2 shim existed only for @jupyter-widgets/html-manager; no page loads it now."""
    js_files = config()['sphinx']['config'].get('html_js_files', [])
    assert not any('Hub' in str(entry) and 'Queue' in str(entry) for entry in js_files)
