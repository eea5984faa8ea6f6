/* d2lmini book: make the visible sidebar buttons work.
 *
 * Why a script and not a theme pin: with sphinx-book-theme 1.3.0 and pydata-sphinx-theme
 * 0.17.1, both themes bind their click handlers to the FIRST `.primary-toggle` /
 * `.secondary-toggle` in the document, which is a button inside pydata's top header bar
 * (#pst-header) that the book theme hides. The buttons readers see (in the article header)
 * get no handler and do nothing. No released pair of these themes that Jupyter Book 1 accepts
 * avoids this, so every other toggle forwards its click to the first one, which then runs the
 * themes' own code (desktop: hide/show the sidebar; phone: open the sidebar as a dialog).
 */
(function () {
  /* pydata-sphinx-theme's head script copies the saved colour mode from localStorage, or ""
   * on a first visit, and its deferred script then logs "Got invalid theme mode: ." as a console
   * error before falling back to "auto". This script runs in the head before that one: choose
   * "auto" (the theme's own fallback) up front so a first visit logs no error. */
  var root = document.documentElement;
  if (!root.dataset.mode) root.dataset.mode = 'auto';

  function forward(selector) {
    var buttons = document.querySelectorAll(selector);
    if (buttons.length < 2) return;
    var bound = buttons[0];
    Array.prototype.slice.call(buttons, 1).forEach(function (button) {
      button.addEventListener('click', function (event) {
        event.preventDefault();
        event.stopPropagation();
        bound.click();
        button.blur();
      });
    });
  }
  function init() {
    forward('.primary-toggle');
    forward('.secondary-toggle');
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
