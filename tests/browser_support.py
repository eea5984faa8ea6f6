"""A static file server for the built book and the JavaScript probes of tests/test_browser.py."""
import functools
import http.server
import threading

# Console messages and failed requests that are known and harmless.
HARMLESS_ERRORS = (
    # sphinx-thebe's script is included twice by sphinx-book-theme; the second copy redeclares a const.
    "Identifier 'THEBE_JS_URL' has already been declared",
    # pydata-sphinx-theme on a first visit (empty localStorage) says so, then picks "auto".
    "Got invalid theme mode",
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
