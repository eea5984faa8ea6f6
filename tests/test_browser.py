"""Every page of the book in a real browser (headless Chromium, driven by playwright).

The book is built once (tests/book_support.py: README's zero-warning build, with the widget
JavaScript taken from the npm registry instead of a CDN), served on 127.0.0.1, and each page of
`_toc.yml` is opened with every request to another host blocked, so this runs offline. Checked:
no JavaScript errors, every image loads, every formula is typeset, the saved widgets render and react (moving a slider,
picking an option, clicking a preset changes what is shown), the launch buttons and badges are
there. A screenshot of each page goes to artifacts/screenshots/ (git-ignored; CI keeps it).

Without Chromium or playwright the test is skipped, except under CI (env CI set), where that fails.
"""
import os
import shutil
import time
from pathlib import Path

import pytest

from book_support import REPO, WIDGET_VIEW, expected_header, launch_urls, shared_build, toc_docnames
from browser_support import (BROKEN_IMAGES_JS, CHROMIUM_ARGS, HARMLESS_ERRORS, HARMLESS_URL_PARTS,
                             SHOWN_JS, StaticServer)

PAGES = toc_docnames()
SCREENSHOTS = REPO / 'artifacts' / 'screenshots'
CHROMIUM = os.environ.get('D2LMINI_CHROMIUM') or shutil.which('chromium') or '/usr/bin/chromium'
WIDGET_TIMEOUT_MS = 30000
CHANGE_TIMEOUT_S = 2.0
PlaywrightTimeout = TimeoutError   # playwright's own, once the browser fixture has imported it


def unavailable(reason):
    """Skip locally; under CI the browser test must run, so fail instead."""
    if os.environ.get('CI'):
        pytest.fail(f"{reason} (CI is set: the browser test may not be skipped)")
    pytest.skip(reason)


@pytest.fixture(scope='session')
def book(tmp_path_factory):
    return shared_build(tmp_path_factory)


@pytest.fixture(scope='module')
def site(book):
    if not (book.html_dir / 'index.html').exists():
        pytest.fail(f"the book did not build (see tests/test_book.py):\n{book.output[-3000:]}")
    if book.js_error:
        unavailable(f"no widget JavaScript and MathJax from the npm registry: {book.js_error}")
    with StaticServer(book.html_dir) as server:
        yield server.url


@pytest.fixture(scope='session')   # session, like `book`: so a missing browser is found before the build
def browser():
    if not Path(CHROMIUM).exists():
        unavailable(f"Chromium not found at {CHROMIUM} (Debian: apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("python playwright is not installed (pip install playwright)")
    global PlaywrightTimeout
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class PageLog:
    """Everything that went wrong while a page was open."""

    def __init__(self, page, site):
        self.errors, self.failed, self.external = [], [], []
        page.on('pageerror', lambda error: self.errors.append(f"uncaught exception: {error}"))
        page.on('console', self._console)
        page.on('requestfailed', lambda request: self._failed(request.url, request.failure))
        page.on('response', lambda response: response.status >= 400 and
                self._failed(response.url, f'HTTP {response.status}'))
        page.route('**/*', self._only_local(site))

    def _console(self, message):
        if message.type == 'error':
            self.errors.append(f"console.error: {message.text}")

    def _failed(self, url, why):
        if not url.startswith(('blob:', 'data:')):
            self.failed.append(f"{url}: {why}")

    def _only_local(self, site):
        def handle(route):
            url = route.request.url
            if url.startswith(site):
                route.continue_()
            else:
                self.external.append(url)
                route.abort()
        return handle

    def js_errors(self):
        return [e for e in self.errors if not any(harmless in e for harmless in HARMLESS_ERRORS)]

    def failed_requests(self):
        return [f for f in self.failed if not any(part in f for part in HARMLESS_URL_PARTS)
                and not any(f.startswith(url) for url in self.external)]


def shown(output):
    return output.evaluate(SHOWN_JS)


def changes_what_is_shown(page, output, act):
    """Do `act` and wait until the output area shows something else; True if it did."""
    before = shown(output)
    act()
    deadline = time.monotonic() + CHANGE_TIMEOUT_S
    while time.monotonic() < deadline:
        page.wait_for_timeout(100)
        if shown(output) != before:
            return True
    return False


def move_slider(handle):
    def act():
        value = handle.get_attribute('aria-valuenow')
        handle.focus()
        handle.press('ArrowRight')
        if handle.get_attribute('aria-valuenow') == value:   # it was at its maximum
            handle.press('ArrowLeft')
    return act


def step_range(element):
    return lambda: element.evaluate("""el => {
        const step = Number(el.step) || 1, min = Number(el.min || 0), max = Number(el.max || 100);
        const next = Number(el.value) + step;
        el.value = next <= max ? next : Math.max(min, Number(el.value) - step);
        el.dispatchEvent(new Event('input', {bubbles: true}));
        el.dispatchEvent(new Event('change', {bubbles: true}));
    }""")


def pick_other_option(select):
    def act():
        options = select.locator('option')
        current = select.evaluate('el => el.selectedIndex')
        select.select_option(index=(current + 1) % options.count())
    return act


def step_number(element):
    return lambda: element.evaluate("""el => {
        el.stepUp ? el.stepUp() : (el.value = Number(el.value) + 1);
        el.dispatchEvent(new Event('input', {bubbles: true}));
        el.dispatchEvent(new Event('change', {bubbles: true}));
    }""")


def check_controls(page, output, where):
    """Every slider and choice must change what the output area shows; of the other controls
    (buttons, checkboxes, number fields) at least one must. Returns the controls it moved."""
    must, may = [], []

    def visible(selector):
        found = output.locator(selector)
        return [found.nth(i) for i in range(found.count()) if found.nth(i).is_visible()]

    for i, handle in enumerate(visible('.noUi-handle')):
        must.append((f'slider {i + 1}', move_slider(handle)))
    for i, element in enumerate(visible('input[type=range]')):
        must.append((f'range input {i + 1}', step_range(element)))
    for i, select in enumerate(visible('select')):
        if select.locator('option').count() > 1 and select.is_enabled():
            must.append((f'dropdown {i + 1}', pick_other_option(select)))
    buttons = visible('button:not(.copybtn), input[type=button], input[type=checkbox], input[type=radio]')
    for i, button in enumerate(buttons):
        if button.is_enabled():
            may.append((f'button {i + 1}', button.click))
    for i, element in enumerate(visible('input[type=number]')):
        may.append((f'number input {i + 1}', step_number(element)))
    for name, act in must:
        assert changes_what_is_shown(page, output, act), \
            f"{where}: moving {name} does not change what is shown (no kernel: link it in JavaScript)"
    tried = [name for name, _ in must]
    if may and not must:
        for name, act in may:
            tried.append(name)
            if changes_what_is_shown(page, output, act):
                break
        else:
            pytest.fail(f"{where}: none of its controls ({', '.join(tried)}) changes what is shown")
    return tried


@pytest.mark.parametrize('docname', PAGES)
def test_page_in_browser(browser, site, docname):
    context = browser.new_context(viewport={'width': 1280, 'height': 900})
    page = context.new_page()
    page.set_default_timeout(10000)
    log = PageLog(page, site)
    phases, start = [], time.perf_counter()

    def phase(name):
        phases.append(f"{name} {time.perf_counter() - start:.1f} s")

    try:
        page.goto(site + docname + '.html', wait_until='load')

        # Saved widgets: each view is rendered by the widget manager, without an error.
        views = page.locator(f'script[type="{WIDGET_VIEW}"]').count()
        if views:
            try:
                page.wait_for_function(
                    """n => document.querySelectorAll('.widget-subarea > .jupyter-widgets').length >= n""",
                    arg=views, timeout=WIDGET_TIMEOUT_MS)
            except PlaywrightTimeout:
                shown_views = page.locator('.widget-subarea > .jupyter-widgets').count()
                pytest.fail(f"{docname}: {shown_views} of its {views} widgets rendered within "
                            f"{WIDGET_TIMEOUT_MS / 1000:.0f} s (saved widget state missing? JavaScript errors: "
                            f"{log.js_errors()})")
        # Math: MathJax typesets every formula, without a TeX error.
        if page.locator('.math').count():
            try:
                page.wait_for_function(
                    """() => Array.from(document.querySelectorAll('.math')).every(
                           el => el.querySelector('mjx-container'))""",
                    timeout=WIDGET_TIMEOUT_MS)
            except PlaywrightTimeout:
                pytest.fail(f"{docname}: MathJax did not typeset its formulas (failed requests: "
                            f"{log.failed_requests()}, JavaScript errors: {log.js_errors()})")
            errors = page.locator('mjx-merror').all_text_contents()
            assert not errors, f"{docname}: TeX errors in formulas: {errors}"
        page.wait_for_load_state('networkidle')
        body = page.locator('body').inner_text()
        assert 'Error displaying widget' not in body and page.locator('.widget-error').count() == 0, \
            f"{docname}: a widget failed to display"

        phase('loaded')
        broken = page.evaluate(BROKEN_IMAGES_JS)
        assert not broken, f"{docname}: images that do not load: {broken}"

        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f'{Path(docname).name}.png'), full_page=True)
        phase('screenshot')

        if (REPO / f'{docname}.ipynb').exists():
            # The rocket button opens a menu with Colab and Binder; the badges link Colab and Kaggle.
            colab_launch, binder_launch = launch_urls(docname)
            page.locator('.dropdown-launch-buttons button').first.click()
            for url in (colab_launch, binder_launch):
                assert page.locator(f'a[href="{url}"]').first.is_visible(), f"{docname}: no launch button to {url}"
            page.keyboard.press('Escape')
            _, _, colab, kaggle = expected_header(docname)
            for url, badge in ((colab, 'colab-badge'), (kaggle, 'kaggle-badge')):
                link = page.locator(f'article a[href="{url}"] img[src*="{badge}"]')
                assert link.count() == 1 and link.first.is_visible(), f"{docname}: no {badge} linking {url}"

        # Interactive outputs: saved widgets and HTML/JS widgets react without a kernel.
        outputs = page.locator('.cell_output')
        tried = []
        for i in range(outputs.count()):
            output = outputs.nth(i)
            interactive = output.locator('.noUi-handle, input, select, button:not(.copybtn)')
            if interactive.count():
                tried += [f'output {i + 1} {name}' for name in
                          check_controls(page, output, f"{docname}, output {i + 1}")]
        phase('controls')
        print(f"{docname}: {views} widget views; controls moved: {', '.join(tried) or 'none'}; "
              f"at {', '.join(phases)}")
        if views:
            assert tried, f"{docname} has widgets but none that a reader can move"

        assert not log.js_errors(), f"{docname}: JavaScript errors:\n" + '\n'.join(log.js_errors())
        assert not log.failed_requests(), f"{docname}: failed requests:\n" + '\n'.join(log.failed_requests())
        assert not log.external, (f"{docname} needs other hosts (blocked here, so the page does not "
                                  f"work offline):\n" + '\n'.join(sorted(set(log.external))))
    finally:
        context.close()
