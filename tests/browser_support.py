"""A static file server for the built book and the JavaScript probes of tests/test_browser.py."""
import functools
import http.server
import threading

# Console messages and failed requests that are known and harmless.
HARMLESS_ERRORS = (
    # sphinx-thebe's inline config is added twice (Jupyter Book 1 and sphinx-book-theme both set
    # the extension up; not from _config.yml, and no config option removes it): the second copy
    # redeclares a const. Harmless: the launch buttons do not use thebe.
    "Identifier 'THEBE_JS_URL' has already been declared",
    # ("Got invalid theme mode" is gone: _static/d2lmini-book.js chooses "auto" first.)
    # Chromium's own line for every failed request; the requests themselves are checked one by one.
    "Failed to load resource",
)
# @jupyter-widgets/html-manager@1.0.6 asks for its Font Awesome files relative to the page
# (chapters/@jupyter-widgets/...): they only draw icons on buttons, and are missing from the CDN
# path as well, so they are allowed to fail.
HARMLESS_URL_PARTS = ('/@jupyter-widgets/', '/favicon.ico')


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class StaticServer:
    """Serve a folder on 127.0.0.1 (a free port) from a daemon thread."""

    def __init__(self, root):
        handler = functools.partial(_QuietHandler, directory=str(root))
        self.httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
        self.url = f'http://127.0.0.1:{self.httpd.server_address[1]}/'
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
                 '--disable-background-networking', '--disable-component-update', '--disable-sync']

# Waits for every <img> to finish (load or error); returns the broken ones.
BROKEN_IMAGES_JS = """async () => {
    const images = Array.from(document.images);
    await Promise.all(images.map(img => img.complete ? null : new Promise(done => {
        img.addEventListener('load', done); img.addEventListener('error', done); setTimeout(done, 10000);
    })));
    return images.filter(img => !img.getAttribute('src') || !img.complete || img.naturalWidth === 0)
                 .map(img => img.getAttribute('src') || '(no src) ' + img.outerHTML.slice(0, 120));
}"""

# What an output area shows, leaving out its controls (slider track, readout, inputs):
# the content of its visible images, canvases and SVGs, and its visible text.
SHOWN_JS = """async (root) => {
    const CONTROLS = 'input, select, textarea, button, .widget-readout, .noUi-target, .widget-inline-hbox > .widget-label';
    const visible = el => el.checkVisibility ? el.checkVisibility() : el.offsetParent !== null;
    const digest = async text => {
        const bytes = new TextEncoder().encode(text);
        const hash = await crypto.subtle.digest('SHA-256', bytes);
        return Array.from(new Uint8Array(hash)).map(b => b.toString(16).padStart(2, '0')).join('');
    };
    const parts = [];
    for (const el of root.querySelectorAll('img, canvas, svg')) {
        if (!visible(el) || el.closest(CONTROLS) || el.parentElement.closest('svg')) continue;
        if (el.tagName === 'IMG') {
            const data = await (await fetch(el.src)).arrayBuffer();
            const hash = await crypto.subtle.digest('SHA-256', data);
            parts.push('img ' + Array.from(new Uint8Array(hash)).join(','));
        } else if (el.tagName === 'CANVAS') {
            parts.push('canvas ' + await digest(el.toDataURL()));
        } else {
            parts.push('svg ' + await digest(el.outerHTML));
        }
    }
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const parent = node.parentElement;
        const text = node.textContent.trim();
        if (!text || !parent || parent.closest(CONTROLS) || parent.closest('script, style')) continue;
        if (visible(parent)) parts.push('text ' + text);
    }
    return parts.join('\\n');
}"""


class PlaywrightThread:
    """Playwright's sync API on a thread of its own, with no asyncio loop.

    The sync API refuses to start in a thread where an asyncio loop is running, and earlier
    tests in a serial `python -m pytest` run (kernels, nbval) can leave one running in the main
    thread. So every Playwright call of the browser test runs here: `run(job)` sends
    `job(browser)` to this thread and returns its result, or raises its exception (pytest's
    fail/skip included) in the caller's thread. The order of the tests then does not matter.
    """

    def __init__(self, executable, args):
        import queue
        self._jobs = queue.Queue()
        self._ready = queue.Queue()
        self._thread = threading.Thread(target=self._serve, args=(executable, args), daemon=True,
                                        name='playwright')
        self._thread.start()
        error = self._ready.get()
        if error is not None:
            raise error

    def _serve(self, executable, args):
        try:
            from playwright.sync_api import sync_playwright
            manager = sync_playwright()
            playwright = manager.start()
            browser = playwright.chromium.launch(executable_path=executable, args=args)
        except BaseException as error:   # noqa: B036 - handed to the caller's thread
            self._ready.put(error)
            return
        self._ready.put(None)
        try:
            while True:
                job, reply = self._jobs.get()
                if job is None:
                    break
                try:
                    reply.put((True, job(browser)))
                except BaseException as error:   # noqa: B036 - pytest.fail/skip are BaseExceptions
                    reply.put((False, error))
        finally:
            browser.close()
            manager.__exit__(None, None, None)

    def run(self, job):
        import queue
        reply = queue.Queue()
        self._jobs.put((job, reply))
        ok, value = reply.get()
        if not ok:
            raise value
        return value

    def close(self):
        self._jobs.put((None, None))
        self._thread.join(timeout=60)


# Output blocks wider than they may be. At every width: an element of an output area whose
# content is wider than its box while its overflow hides it (cut without a scrollbar), and an
# output area that reaches past the article's text column. With `strict` (1280 px) also any
# output area, or a block in it, that needs a horizontal scrollbar at all.
OVERFLOW_JS = """(strict) => {
    const visible = el => el.checkVisibility ? el.checkVisibility() : el.offsetParent !== null;
    const article = document.querySelector('.bd-article') || document.querySelector('article');
    const column = article.getBoundingClientRect();
    const describe = (el, what) => {
        const area = el.closest('.cell_output') || el;
        const text = (el.innerText || '').trim().split('\\n')[0].slice(0, 80);
        return `${what}: ${el.tagName.toLowerCase()}.${String(el.className).split(' ').join('.')} ` +
               `${el.scrollWidth}/${el.clientWidth} px "${text}"` +
               (area.id ? ` in #${area.id}` : '');
    };
    const found = [];
    for (const area of document.querySelectorAll('.cell_output')) {
        if (!visible(area)) continue;
        const box = area.getBoundingClientRect();
        if (box.right > column.right + 1 || box.left < column.left - 1)
            found.push(describe(area, `reaches past the text column (${Math.round(box.left)}..${Math.round(box.right)} vs ${Math.round(column.left)}..${Math.round(column.right)})`));
        for (const el of [area, ...area.querySelectorAll('*')]) {
            if (el.scrollWidth <= el.clientWidth + 1 || el.clientWidth === 0 || !visible(el)) continue;
            if (el.closest('svg, mjx-container')) continue;
            const overflow = getComputedStyle(el).overflowX;
            if (overflow === 'hidden' || overflow === 'clip') found.push(describe(el, 'cut without a scrollbar'));
            else if (strict && (el === area || el.matches('pre, .output, table, div.cell_output > *')))
                found.push(describe(el, 'wider than the column'));
        }
    }
    return found;
}"""

# Visible text outside math that looks like TeX: a `$` or a `\\command` (MathJax did not
# typeset it, e.g. a formula broken by a list item). Code, outputs and math are left out.
RAW_TEX_JS = r"""() => {
    const visible = el => el.checkVisibility ? el.checkVisibility() : el.offsetParent !== null;
    const root = document.querySelector('.bd-article') || document.body;
    const skip = 'mjx-container, .math, code, pre, kbd, script, style, svg, .cell_output, .cell_input, .highlight, .MathJax';
    const pattern = /\$|\\[A-Za-z]+|\\[()\[\]]/;
    const found = [];
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const parent = node.parentElement;
        if (!parent || parent.closest(skip) || !visible(parent)) continue;
        const text = node.textContent;
        const match = text.match(pattern);
        if (match) found.push(text.slice(Math.max(0, match.index - 40), match.index + 40).trim());
    }
    return found;
}"""
