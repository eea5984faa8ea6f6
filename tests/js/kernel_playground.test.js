// Pure logic of d2lmini/static/kernel_playground.js against values computed in Python
// (tests/test_widget_js.py writes them to the file named by D2LMINI_JS_FIXTURES).
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const kp = require('../../d2lmini/static/kernel_playground.js');

const fixtures = process.env.D2LMINI_JS_FIXTURES
  ? JSON.parse(fs.readFileSync(process.env.D2LMINI_JS_FIXTURES, 'utf8')) : null;

test('correlate is a valid 3x3 cross-correlation (no flip)', () => {
  const x = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];  // 4x4
  const k = [0, 0, 0, 0, 0, 0, 0, 0, 1];                          // picks the bottom-right pixel
  assert.deepStrictEqual(Array.from(kp.correlate(x, 4, 4, k)), [10, 11, 14, 15]);
  const ones = [1, 1, 1, 1, 1, 1, 1, 1, 1];
  assert.deepStrictEqual(Array.from(kp.correlate(x, 4, 4, ones)), [45, 54, 81, 90]);
});

test('colours follow the display rule', () => {
  assert.strictEqual(kp.displayMode([-1, 0, 1, -2, 0, 2, -1, 0, 1]), 'signed');
  assert.strictEqual(kp.displayMode([0, 0, 0, 0, 1, 0, 0, 0, 0]), 'gray');
  assert.deepStrictEqual(kp.grayRGB(2), [255, 255, 255]);
  assert.deepStrictEqual(kp.grayRGB(-1), [0, 0, 0]);
  assert.deepStrictEqual(kp.signedRGB(1, 2), [255, 128, 128]);
  assert.deepStrictEqual(kp.signedRGB(-2, 2), [0, 0, 255]);
  assert.deepStrictEqual(kp.signedRGB(0, 0), [255, 255, 255]);
});

test('decodeImage reads the uint8 pixels that Python base64-encodes', () => {
  const x = kp.decodeImage(Buffer.from([0, 51, 255]).toString('base64'));
  assert.deepStrictEqual(Array.from(x), [0, 0.2, 1]);
});

test('correlate and the display rule agree with d2lmini.corr2d and display_mode', { skip: !fixtures && 'run through tests/test_widget_js.py' }, () => {
  for (const c of fixtures.playground) {
    const x = kp.decodeImage(c.image);
    const y = kp.correlate(x, c.h, c.w, c.kernel);
    assert.strictEqual(y.length, c.expected.length);
    c.expected.forEach((v, i) => assert.ok(Math.abs(y[i] - v) < 1e-9, `${c.name} [${i}]: ${y[i]} vs ${v}`));
    assert.strictEqual(kp.displayMode(c.kernel), c.mode, c.name);
  }
});
