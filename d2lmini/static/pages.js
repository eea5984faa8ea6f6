/* d2lmini page widgets (slider_pages, dropdown_pages): flip between precomputed pictures.
 *
 * Markup (made by d2lmini/widgets.py): <div class="d2l-pages"> holding one control
 * (input[type=range] or select, class d2l-pages-control), an <output class="d2l-pages-value">
 * and the pages <img class="d2l-page">, all but one with the `hidden` attribute.
 * Without JavaScript the first page shows. With it, every .d2l-pages on the page that is
 * not yet wired (data-d2l-ready) gets wired, so several copies of this script are harmless.
 * No external script; node loads the pure functions through module.exports for the tests.
 */
(function () {
  'use strict';

  /* The page index a control value stands for: an integer clamped to 0 .. count - 1. */
  function pageIndex(value, count) {
    var i = Math.round(Number(value));
    if (!isFinite(i) || count < 1) { return 0; }
    return Math.max(0, Math.min(count - 1, i));
  }

  /* The caption under the control: "step 3 / 9" for a slider, the option's label for a menu.
   * A slider numbers its pages from `first` (data-first; 0 when absent): "layer 1 / 8". */
  function captionText(kind, description, index, count, label, first) {
    if (kind === 'select') { return label; }
    first = Number(first) || 0;
    return description + ' ' + (first + index) + ' / ' + (first + count - 1);
  }

  /* Which pages are hidden when page `index` of `count` shows (true = hidden). */
  function hiddenFlags(index, count) {
    var flags = [];
    for (var i = 0; i < count; i++) { flags.push(i !== index); }
    return flags;
  }

  function show(root, index) {
    var pages = root.querySelectorAll('img.d2l-page'), control = root.querySelector('.d2l-pages-control');
    var kind = control.tagName.toLowerCase() === 'select' ? 'select' : 'range';
    index = pageIndex(index, pages.length);
    hiddenFlags(index, pages.length).forEach(function (hide, i) {
      if (hide) { pages[i].setAttribute('hidden', ''); } else { pages[i].removeAttribute('hidden'); }
    });
    var label = kind === 'select' ? control.options[index].text : '';
    root.querySelector('.d2l-pages-value').textContent =
      captionText(kind, root.getAttribute('data-description') || '', index, pages.length, label,
                  root.getAttribute('data-first'));
  }

  function wire(root) {
    if (root.getAttribute('data-d2l-ready')) { return; }
    root.setAttribute('data-d2l-ready', '1');
    var control = root.querySelector('.d2l-pages-control');
    var update = function () {
      show(root, control.tagName.toLowerCase() === 'select' ? control.selectedIndex : control.value);
    };
    control.addEventListener('input', update);
    control.addEventListener('change', update);
    update();
  }

  function init(doc) {
    Array.prototype.forEach.call(doc.querySelectorAll('div.d2l-pages'), wire);
  }

  if (typeof module !== 'undefined' && module.exports) {
    module.exports = {pageIndex: pageIndex, captionText: captionText, hiddenFlags: hiddenFlags, show: show, init: init};
  } else if (typeof document !== 'undefined') {
    /* The widget around this script first (it may sit in a sandboxed or not yet attached output), then any other. */
    var here = document.currentScript, own = here && here.closest ? here.closest('div.d2l-pages') : null;
    if (own) { wire(own); }
    init(document);
  }
})();
