"""What the book tests share: the table of contents, the chapter header every notebook starts
with, the widget JavaScript from the npm registry, and one zero-warning build of the book.

The build runs README's exact command, `rm -rf _build && jupyter-book build . --all -W --keep-going`,
in a copy of the repository, once per test session: pytest-xdist workers share it through a lock
file in the session's temporary folder (the first worker that needs it builds, the others wait
and reuse it). In that copy `sphinx.config.nb_ipywidgets_js` points at require.js and
@jupyter-widgets/html-manager, and `mathjax_path` at MathJax 3, all fetched from the npm
registry at test time (require.js and html-manager only while a chapter saves widget state), so that the browser test runs without the CDNs that the published
book uses; nothing else differs.
"""
import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
BUILD_COMMAND = 'rm -rf _build && jupyter-book build . --all -W --keep-going'
WIDGET_STATE = 'application/vnd.jupyter.widget-state+json'
WIDGET_VIEW = 'application/vnd.jupyter.widget-view+json'

# The JavaScript that the published pages load from CDNs (myst-nb's widget manager with
# require.js, and Sphinx's MathJax 3), taken from the npm registry for the browser test.
NPM_PACKAGES = ('@jupyter-widgets/html-manager@1.0.6', 'requirejs@2.3.7', 'mathjax@3.2.2')
NPM_JS_FOLDER = 'npm-js'  # in the built HTML; not `_static` (Jupyter Book loads every .js there)


def _wanted(package, name):
    """Where a file of an npm package goes in NPM_JS_FOLDER, or None to leave it out."""
    if package.startswith('requirejs'):
        return 'require.js' if name == 'require.js' else None
    if package.startswith('@jupyter-widgets/html-manager'):
        # embed-amd.js, the chunks it loads and the fonts its CSS names; no source maps
        if name.startswith('dist/') and not name.endswith(('.map', '.txt')):
            return name.removeprefix('dist/')
        return None
    # MathJax: the combined TeX component and what it loads (extensions, fonts, menu)
    if name == 'es5/tex-mml-chtml.js' or name.startswith(('es5/input/', 'es5/output/chtml', 'es5/ui/',
                                                           'es5/a11y/')):
        return 'mathjax/' + name.removeprefix('es5/')
    return None


# Left out of the copy that is built: environments, caches, outputs, the smoke runs' results.
IGNORE_AT_ROOT = {'.venv', '.git', '_build', '.cache', 'artifacts', '.pytest_cache', 'data', 'build', 'dist',
                  'd2lmini.egg-info'}
IGNORE_ANYWHERE = {'__pycache__', '.ipynb_checkpoints'}


def _copy_ignore(folder, names):
    folder = Path(folder)
    ignored = {n for n in names if n in IGNORE_ANYWHERE}
    if folder == REPO:
        ignored |= {n for n in names if n in IGNORE_AT_ROOT}
    if folder == REPO / 'chapters' / 'results':
        ignored |= {'smoke'} & set(names)
    return ignored


def config():
    return yaml.safe_load((REPO / '_config.yml').read_text())


def _toc_files(entries):
    for entry in entries or []:
        if 'file' in entry:
            yield entry['file']
        yield from _toc_files(entry.get('sections'))


def toc_docnames():
    """The root page, then every page that `_toc.yml` lists, in order (e.g. 'chapters/lenet')."""
    toc = yaml.safe_load((REPO / '_toc.yml').read_text())
    names = [toc['root']]
    for part in toc.get('parts', [{'chapters': toc.get('chapters')}]):
        names += list(_toc_files(part.get('chapters')))
    names += list(_toc_files(toc.get('sections')))
    return [str(Path(name).with_suffix('')) if Path(name).suffix in ('.md', '.ipynb') else name
            for name in names]


def source_of(docname):
    """The file behind a docname: its .ipynb or .md, or None when neither exists."""
    for suffix in ('.ipynb', '.md'):
        path = REPO / (docname + suffix)
        if path.exists():
            return path
    return None


def chapter_docnames():
    """The pages that `_toc.yml` lists after the front page: the chapters (notebooks)."""
    return [name for name in toc_docnames()[1:] if not (REPO / (name + '.md')).exists()]


def repository():
    """(url, branch, path_to_book prefix) as `_config.yml` sets them."""
    repo = config()['repository']
    prefix = str(repo.get('path_to_book') or '').strip('/').removeprefix('.').strip('/')
    return repo['url'].rstrip('/'), repo.get('branch', 'main'), (prefix + '/' if prefix else '')


def expected_header(docname):
    """The install cell and the badge line that COMMON.md/README prescribe for this notebook."""
    url, branch, prefix = repository()
    github = url.removeprefix('https://github.com/')
    path = f'{prefix}{docname}.ipynb'
    name = Path(docname).name
    install = ("# On Colab or Kaggle, install the book's helper package; elsewhere do nothing.\n"
               "import os, sys\n"
               "if 'google.colab' in sys.modules or 'KAGGLE_KERNEL_RUN_TYPE' in os.environ:\n"
               f'    %pip install -q "d2lmini @ git+{url}"')
    colab = f'https://colab.research.google.com/github/{github}/blob/{branch}/{path}'
    kaggle = f'https://kaggle.com/kernels/welcome?src={url}/blob/{branch}/{path}'
    badges = (f'[![Open in Colab](images/colab-badge.svg)]({colab}) '
              f'[![Open in Kaggle](images/kaggle-badge.svg)]({kaggle})')
    assert name in colab and name in kaggle
    return install, badges, colab, kaggle


def launch_urls(docname):
    """The Colab and Binder URLs of the rocket button (sphinx-book-theme) on a chapter page."""
    url, branch, prefix = repository()
    github = url.removeprefix('https://github.com/')
    interface = config().get('launch_buttons', {}).get('notebook_interface', 'classic')
    binder_path = ('lab/tree/' if interface == 'jupyterlab' else 'tree/') + f'{prefix}{docname}.ipynb'
    return (f'https://colab.research.google.com/github/{github}/blob/{branch}/{prefix}{docname}.ipynb',
            f'https://mybinder.org/v2/gh/{github}/{branch}?urlpath={binder_path}')


# --------------------------------------------------------------------------- widget JavaScript

def any_widget_state():
    """True while some chapter saves ipywidgets state: only then does myst-nb put require.js and
    html-manager on a page, and only then does the test build need them."""
    for docname in chapter_docnames():
        path = REPO / (docname + '.ipynb')
        if path.exists() and WIDGET_STATE in json.loads(path.read_text()).get('metadata', {}).get('widgets', {}):
            return True
    return False


def fetch_npm_js(dest, widgets=True):
    """`npm pack` NPM_PACKAGES (only MathJax when `widgets` is false) into dest and return the
    folder of files to serve.

    Raises RuntimeError with the reason when npm or the registry is not available.
    """
    dest = Path(dest)
    npm = shutil.which('npm')
    if npm is None:
        raise RuntimeError("npm is not installed: it fetches require.js, the widget manager and MathJax "
                           f"({', '.join(NPM_PACKAGES)}) from the npm registry")
    packs = dest / 'packs'
    files = dest / NPM_JS_FOLDER
    packages = NPM_PACKAGES if widgets else [p for p in NPM_PACKAGES if p.startswith('mathjax@')]
    for package in packages:
        packs.mkdir(parents=True, exist_ok=True)
        run = subprocess.run([npm, 'pack', '--silent', '--pack-destination', str(packs), package],
                             capture_output=True, text=True, timeout=300)
        tgz = packs / run.stdout.strip().splitlines()[-1] if run.stdout.strip() else None
        if run.returncode != 0 or tgz is None or not tgz.is_file():
            raise RuntimeError(f"npm pack {package} failed:\n{run.stderr[-2000:]}")
        with tarfile.open(tgz) as archive:
            for member in archive.getmembers():
                target = _wanted(package, member.name.removeprefix('package/'))
                if member.isfile() and target:
                    (files / target).parent.mkdir(parents=True, exist_ok=True)
                    (files / target).write_bytes(archive.extractfile(member).read())
    wanted = ('require.js', 'embed-amd.js', 'mathjax/tex-mml-chtml.js') if widgets else ('mathjax/tex-mml-chtml.js',)
    missing = [f for f in wanted if not (files / f).is_file()]
    if missing:
        raise RuntimeError(f"npm packages {packages} did not contain {missing}")
    return files


def use_local_js(book_dir, js_files):
    """Make the book copy at book_dir load its JavaScript from its own `npm-js/` folder."""
    extra = book_dir / '_test_extra'                      # html_extra_path: copied to the HTML root
    shutil.copytree(js_files, extra / NPM_JS_FOLDER)
    cfg = yaml.safe_load((book_dir / '_config.yml').read_text())
    cfg.setdefault('exclude_patterns', []).append('_test_extra')
    sphinx_cfg = cfg.setdefault('sphinx', {}).setdefault('config', {}) or {}
    cfg['sphinx']['config'] = sphinx_cfg
    sphinx_cfg['html_extra_path'] = list(sphinx_cfg.get('html_extra_path', [])) + ['_test_extra']
    # Sphinx puts a relative script path under _static/, hence the `../`.
    if (js_files / 'require.js').is_file():
        sphinx_cfg['nb_ipywidgets_js'] = {f'../{NPM_JS_FOLDER}/require.js': {},
                                          f'../{NPM_JS_FOLDER}/embed-amd.js': {}}
    sphinx_cfg['mathjax_path'] = f'../{NPM_JS_FOLDER}/mathjax/tex-mml-chtml.js'
    (book_dir / '_config.yml').write_text(yaml.safe_dump(cfg, sort_keys=False))


# --------------------------------------------------------------------------- the build

@dataclass
class BookBuild:
    returncode: int
    output: str
    seconds: float
    html: str                 # the built _build/html folder
    js_error: str            # why the JavaScript from npm is missing ('' when it is there)

    @property
    def html_dir(self):
        return Path(self.html)


def build_book(workdir):
    """Copy the repository to workdir/book, add the npm widget JavaScript, run BUILD_COMMAND."""
    workdir = Path(workdir)
    book = workdir / 'book'
    shutil.rmtree(book, ignore_errors=True)
    shutil.copytree(REPO, book, ignore=_copy_ignore)
    try:
        use_local_js(book, fetch_npm_js(workdir / 'npm', widgets=any_widget_state()))
        js_error = ''
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as error:
        js_error = str(error)
    env = dict(os.environ, PATH=f'{Path(sys.executable).parent}{os.pathsep}{os.environ.get("PATH", "")}')
    start = time.perf_counter()
    run = subprocess.run(['bash', '-c', BUILD_COMMAND], cwd=book, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    output = re.sub(r'\x1b\[[0-9;]*m', '', run.stdout + run.stderr)   # no terminal colours
    return BookBuild(run.returncode, output, round(seconds, 1),
                     str(book / '_build' / 'html'), js_error)


def shared_build(tmp_path_factory):
    """The session's one build, shared by all pytest-xdist workers (lock file + saved result)."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get('PYTEST_XDIST_WORKER'):
        base = base.parent                                 # the folder all workers of this run share
    workdir = base / 'd2lmini-book'
    workdir.mkdir(exist_ok=True)
    result = workdir / 'result.json'
    with open(workdir / 'lock', 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not result.exists():
                result.write_text(json.dumps(build_book(workdir).__dict__))
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return BookBuild(**json.loads(result.read_text()))
