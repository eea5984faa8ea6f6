// Pure logic of d2lmini/static/pages.js (slider_pages / dropdown_pages), run with `node --test tests/js/`.
const test = require('node:test');
const assert = require('node:assert');
const pages = require('../../d2lmini/static/pages.js');

test('pageIndex clamps and rounds a control value to a page', () => {
  assert.strictEqual(pages.pageIndex('3', 5), 3);
  assert.strictEqual(pages.pageIndex(7, 5), 4);
  assert.strictEqual(pages.pageIndex(-2, 5), 0);
  assert.strictEqual(pages.pageIndex('2.6', 5), 3);
  assert.strictEqual(pages.pageIndex('not a number', 5), 0);
  assert.strictEqual(pages.pageIndex(0, 0), 0);
});

test('exactly one page is visible', () => {
  assert.deepStrictEqual(pages.hiddenFlags(1, 3), [true, false, true]);
  for (let n = 1; n < 6; n++) {
    for (let i = 0; i < n; i++) {
      assert.strictEqual(pages.hiddenFlags(i, n).filter((h) => !h).length, 1);
    }
  }
});

test('caption text matches what Python writes before JavaScript runs', () => {
  // d2lmini/widgets.py writes f'{description} {start} / {len(pngs) - 1}' for a slider.
  assert.strictEqual(pages.captionText('range', 'step', 2, 10, ''), 'step 2 / 9');
  assert.strictEqual(pages.captionText('select', 'garment', 1, 3, 'Sneaker'), 'Sneaker');
  // slider_pages(..., first=1) numbers the pages 1..n: page index 0 of 8 is "layer 1 / 8".
  assert.strictEqual(pages.captionText('range', 'layer', 0, 8, '', '1'), 'layer 1 / 8');
  assert.strictEqual(pages.captionText('range', 'layer', 7, 8, '', null), 'layer 7 / 7');
});

// A tiny fake DOM, enough for show() and init(): attributes, querySelector(All), events.
function fakeWidget(kind, count) {
  const attrs = (el) => Object.assign(el, {
    a: {}, setAttribute(k, v) { this.a[k] = String(v); }, getAttribute(k) { return k in this.a ? this.a[k] : null; },
    removeAttribute(k) { delete this.a[k]; }, hasAttribute(k) { return k in this.a; },
  });
  const imgs = Array.from({length: count}, (_, i) => attrs({i}));
  imgs.slice(1).forEach((img) => img.setAttribute('hidden', ''));
  const handlers = {};
  const control = attrs({
    tagName: kind === 'select' ? 'SELECT' : 'INPUT', value: '0', selectedIndex: 0,
    options: imgs.map((_, i) => ({text: 'option ' + i})),
    addEventListener(type, f) { (handlers[type] = handlers[type] || []).push(f); },
    fire(type) { (handlers[type] || []).forEach((f) => f()); },
  });
  const caption = {textContent: ''};
  const root = attrs({
    querySelectorAll: (sel) => (sel === 'img.d2l-page' ? imgs : []),
    querySelector: (sel) => (sel === '.d2l-pages-control' ? control : caption),
  });
  root.setAttribute('data-description', 'step');
  const doc = {querySelectorAll: (sel) => (sel === 'div.d2l-pages' ? [root] : [])};
  return {root, imgs, control, caption, doc, handlers};
}

test('moving the slider shows that page and hides the others', () => {
  const w = fakeWidget('range', 4);
  pages.init(w.doc);
  w.control.value = '2';
  w.control.fire('input');
  assert.deepStrictEqual(w.imgs.map((img) => img.hasAttribute('hidden')), [true, true, false, true]);
  assert.strictEqual(w.caption.textContent, 'step 2 / 3');
});

test('choosing an option shows its page; init wires a widget only once', () => {
  const w = fakeWidget('select', 3);
  pages.init(w.doc);
  pages.init(w.doc);
  assert.strictEqual(w.handlers.change.length, 1);
  w.control.selectedIndex = 2;
  w.control.fire('change');
  assert.deepStrictEqual(w.imgs.map((img) => img.hasAttribute('hidden')), [true, true, false]);
  assert.strictEqual(w.caption.textContent, 'option 2');
});
