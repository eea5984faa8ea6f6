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

from book_support import REPO, WIDGET_STATE, WIDGET_VIEW, expected_header, launch_urls, shared_build, toc_docnames
from browser_support import (BROKEN_IMAGES_JS, CHROMIUM_ARGS, HARMLESS_ERRORS, HARMLESS_URL_PARTS,
                             SHOWN_JS, OVERFLOW_JS, RAW_TEX_JS, PlaywrightThread, StaticServer)

PAGES = toc_docnames()
WIDTHS = (1280, 390)   # a desktop and a phone (iPhone 12-15 width)
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
    """Chromium, driven from a thread of its own (browser_support.PlaywrightThread): Playwright's
    sync API then works whatever earlier tests left running in the main thread's asyncio loop."""
    if not Path(CHROMIUM).exists():
        unavailable(f"Chromium not found at {CHROMIUM} (Debian: apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        unavailable("python playwright is not installed (pip install playwright)")
    global PlaywrightTimeout
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    thread = PlaywrightThread(CHROMIUM, CHROMIUM_ARGS)
    yield thread
    thread.close()


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

    def failed_requests(self, widget_state):
        """Failed requests to the book's server. Only a page with saved ipywidgets state may
        lose html-manager's Font Awesome files (HARMLESS_URL_PARTS); the favicon never matters."""
        harmless = HARMLESS_URL_PARTS if widget_state else ('/favicon.ico',)
        return [f for f in self.failed if not any(part in f for part in harmless)
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


def check_navigation(page, docname, width):
    """The visible hamburger button opens (phone) or hides and shows again (desktop) the chapter
    list; the visible contents button, where there is one, opens the page's contents."""
    primary = page.locator('.bd-header-article .primary-toggle')
    assert primary.count() == 1 and primary.is_visible(), f"{docname} at {width} px: no visible navigation button"
    assert page.locator('#pst-header').evaluate('el => el.offsetHeight') == 0, \
        f"{docname} at {width} px: the theme's second top bar (with a second search box) is shown"
    sidebar = page.locator('#pst-primary-sidebar')
    modal = page.locator('#pst-primary-sidebar-modal')
    chapters = 'nav.bd-docs-nav a.reference'
    if sidebar.is_visible() and sidebar.locator(chapters).first.is_visible():   # desktop: shown beside the text
        primary.click()
        page.wait_for_function("() => !document.querySelector('#pst-primary-sidebar').checkVisibility() || "
                               "document.querySelector('#pst-primary-sidebar').getBoundingClientRect().right <= 0",
                               timeout=3000)
        primary.click()
        page.wait_for_function("() => document.querySelector('#pst-primary-sidebar').getBoundingClientRect().right > 0",
                               timeout=3000)
        assert sidebar.locator(chapters).first.is_visible(), f"{docname} at {width} px: the chapter list does not come back"
    else:                                                # phone: the button opens it as a dialog
        primary.click()
        try:
            page.wait_for_function("() => document.querySelector('#pst-primary-sidebar-modal').open", timeout=3000)
        except PlaywrightTimeout:
            pytest.fail(f"{docname} at {width} px: the navigation button does not open the chapter list")
        links = modal.locator(chapters)
        assert links.count() >= len(PAGES) - 1 and links.first.is_visible(), \
            f"{docname} at {width} px: the opened chapter list shows {links.count()} links"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f'{Path(docname).name}-{width}-chapters.png'))
        page.keyboard.press('Escape')
        page.wait_for_function("() => !document.querySelector('#pst-primary-sidebar-modal').open", timeout=3000)
    secondary = page.locator('.bd-header-article .secondary-toggle')
    if secondary.count() and secondary.first.is_visible():
        secondary.first.click()
        try:
            page.wait_for_function("""() => document.querySelector('#pst-secondary-sidebar-modal').open ||
                                            document.querySelector('#pst-secondary-sidebar').checkVisibility()""",
                                   timeout=3000)
        except PlaywrightTimeout:
            pytest.fail(f"{docname} at {width} px: the contents button does not open the page's contents")
        if page.locator('#pst-secondary-sidebar-modal').evaluate('el => el.open'):
            page.keyboard.press('Escape')


def check_pages_widgets(page, docname):
    """Every self-contained page switcher (`div.d2l-pages`) shows exactly one page."""
    for i, counts in enumerate(page.locator('.d2l-pages').evaluate_all(
            "els => els.map(el => Array.from(el.querySelectorAll('img.d2l-page')).filter(img => !img.hidden).length)")):
        assert counts == 1, f"{docname}: page switcher {i + 1} shows {counts} pages at once"


def check_lenet_explorer(page, docname, width):
    """The in-page LeNet (`div.d2lx`): picking a picture, drawing on the canvas (mouse, or touch
    on the phone) and clicking a feature-map pixel each change what it shows, without a kernel."""
    root = page.locator('div.d2lx')
    if not root.count():
        return []
    root.first.scroll_into_view_if_needed()
    probs = lambda: page.locator('.d2lx-probs').first.inner_text()
    before = probs()
    page.locator('button.d2lx-thumb').nth(1).click()
    page.wait_for_timeout(200)
    assert probs() != before, f"{docname} at {width} px: picking a picture did not change the scores"
    # Draw on a cleared canvas: a stroke across a picture the net is sure of can leave every
    # rounded percentage as it was; on a blank one it always moves them.
    page.locator('button.d2lx-tool', has_text='clear').first.click()
    page.wait_for_timeout(200)
    canvas = page.locator('canvas.d2lx-input').first
    box = canvas.bounding_box()
    at = lambda fx, fy: (box['x'] + fx * box['width'], box['y'] + fy * box['height'])
    before = probs()
    if width < 1000:                                       # a finger
        points = [at(0.5, 0.1 + 0.08 * k) for k in range(11)]
        kinds = ['pointerdown'] + ['pointermove'] * 10
        for kind, (x, y) in zip(kinds, points):
            canvas.dispatch_event(kind, {'clientX': x, 'clientY': y, 'pointerId': 1,
                                         'pointerType': 'touch', 'isPrimary': True})
        canvas.dispatch_event('pointerup', {'pointerId': 1, 'pointerType': 'touch', 'isPrimary': True})
    else:                                                  # a mouse
        page.mouse.move(*at(0.5, 0.1))
        page.mouse.down()
        for k in range(1, 11):
            page.mouse.move(*at(0.5, 0.1 + 0.08 * k))
        page.mouse.up()
    page.wait_for_timeout(200)
    assert probs() != before, f"{docname} at {width} px: drawing did not change the scores"
    feature_map = page.locator('canvas.d2lx-map').nth(8)
    feature_map.scroll_into_view_if_needed()
    detail = page.locator('.d2lx-detail-text').first
    before = detail.inner_text()
    bb = feature_map.bounding_box()
    page.mouse.click(bb['x'] + bb['width'] / 2, bb['y'] + bb['height'] / 2)
    page.wait_for_timeout(200)
    assert detail.inner_text() not in ('', before), \
        f"{docname} at {width} px: clicking a feature-map pixel did not show its receptive field"
    page.screenshot(path=str(SCREENSHOTS / f'{Path(docname).name}-{width}-explorer.png'))
    return ['lenet explorer: pick, draw, click']


@pytest.mark.parametrize('width', WIDTHS)
@pytest.mark.parametrize('docname', PAGES)
def test_page_in_browser(browser, site, docname, width):
    browser.run(lambda chromium: check_page(chromium, site, docname, width))


def check_page(browser, site, docname, width):
    """All checks of one page at one width, run on the Playwright thread."""
    context = browser.new_context(viewport={'width': width, 'height': 900})
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
        widget_state = page.locator(f'script[type="{WIDGET_STATE}"]').count() > 0
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
                            f"{log.failed_requests(widget_state)}, JavaScript errors: {log.js_errors()})")
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
        page.screenshot(path=str(SCREENSHOTS / f'{Path(docname).name}-{width}.png'), full_page=True)
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

        overflowing = page.evaluate(OVERFLOW_JS, width >= 1000)
        assert not overflowing, f"{docname} at {width} px: output blocks too wide:\n" + '\n'.join(overflowing)
        raw = page.evaluate(RAW_TEX_JS)
        assert not raw, f"{docname} at {width} px: TeX shown as text (not typeset):\n" + '\n'.join(raw)
        check_navigation(page, docname, width)
        check_pages_widgets(page, docname)
        phase('layout')
        explored = check_lenet_explorer(page, docname, width)

        # Interactive outputs: saved widgets and HTML/JS widgets react without a kernel (checked
        # at the desktop width; the phone width checks layout, navigation and errors).
        outputs = page.locator('.cell_output')
        tried = []
        for i in range(outputs.count() if width >= 1000 else 0):
            output = outputs.nth(i)
            interactive = output.locator('.noUi-handle, input, select, button:not(.copybtn)')
            if interactive.count():
                tried += [f'output {i + 1} {name}' for name in
                          check_controls(page, output, f"{docname}, output {i + 1}")]
        phase('controls')
        tried += explored
        print(f"{docname} at {width} px: {views} widget views; controls moved: {', '.join(tried) or 'none'}; "
              f"at {', '.join(phases)}")
        if views and width >= 1000:
            assert tried, f"{docname} has widgets but none that a reader can move"

        assert not log.js_errors(), f"{docname}: JavaScript errors:\n" + '\n'.join(log.js_errors())
        assert not log.failed_requests(widget_state), f"{docname}: failed requests:\n" + '\n'.join(log.failed_requests(widget_state))
        assert not log.external, (f"{docname} needs other hosts (blocked here, so the page does not "
                                  f"work offline):\n" + '\n'.join(sorted(set(log.external))))
    finally:
        context.close()


def test_browser_runs_after_a_test_that_leaves_an_asyncio_loop_running(browser, site):
    """A serial `python -m pytest` can reach the browser test with an asyncio loop still marked
    running in the main thread (left by kernel tests); Playwright's sync API refuses to start
    there. Recreate that state and check that the browser (on its own thread) still works."""
    import asyncio
    loop = asyncio.new_event_loop()
    asyncio.events._set_running_loop(loop)   # what a leaked nest_asyncio-style loop looks like
    try:
        from playwright.sync_api import sync_playwright
        with pytest.raises(Exception, match='loop'):   # the state really breaks the sync API here
            with sync_playwright():
                pass
        title = browser.run(lambda chromium: _title(chromium, site + PAGES[0] + '.html'))
        assert title, "the browser thread could not open the first page"
    finally:
        asyncio.events._set_running_loop(None)
        loop.close()


def _title(chromium, url):
    context = chromium.new_context()
    try:
        page = context.new_page()
        page.goto(url)
        return page.title()
    finally:
        context.close()
