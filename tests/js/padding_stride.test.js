// d2lmini/static/padding_stride.js: fitReport must say word for word what Python's fit_report says.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const ps = require('../../d2lmini/static/padding_stride.js');

const fixtures = process.env.D2LMINI_JS_FIXTURES
  ? JSON.parse(fs.readFileSync(process.env.D2LMINI_JS_FIXTURES, 'utf8')) : null;

test('a worked example', () => {
  const r = ps.fitReport(32, 4, 0, 3);
  assert.strictEqual(r.out, 10);
  assert.strictEqual(r.dropped, 1);
  assert.match(r.text, /28 \/ 3 = 9 remainder 1/);
  assert.strictEqual(ps.fitReport(3, 5, 0, 1).formula, 'n + 2p - k = 3 + 2*0 - 5 = -2 < 0');
});

test('fitReport equals fit_report on a sweep', { skip: !fixtures && 'run through tests/test_widget_js.py' }, () => {
  for (const c of fixtures.fit_report) {
    assert.deepStrictEqual(ps.fitReport(...c.args), c.expected);
  }
});
