// Pure logic of d2lmini/static/lenet_explorer.js: hand-checked cases here; the comparison with
// PyTorch runs when tests/test_lenet_explorer.py writes its fixtures to the file named by
// D2LMINI_LENET_FIXTURES (without it that test is not registered, so `node --test tests/js/`
// skips nothing).
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const lx = require('../../d2lmini/static/lenet_explorer.js');

const close = (a, b, tol, what) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

test('halfToFloat decodes IEEE half precision', () => {
  assert.strictEqual(lx.halfToFloat(0x3c00), 1);
  assert.strictEqual(lx.halfToFloat(0xc000), -2);
  assert.strictEqual(lx.halfToFloat(0x3555), 0.333251953125);
  assert.strictEqual(lx.halfToFloat(0x7bff), 65504);
  assert.strictEqual(lx.halfToFloat(0x0001), Math.pow(2, -24));      // smallest subnormal
  assert.strictEqual(lx.halfToFloat(0x0000), 0);
  assert.strictEqual(lx.halfToFloat(0x7c00), Infinity);
  assert.ok(Number.isNaN(lx.halfToFloat(0x7e00)));
  // little-endian pairs: 1.0 = 00 3c, -2.0 = 00 c0
  assert.deepStrictEqual(Array.from(lx.decodeHalf(Buffer.from([0, 0x3c, 0, 0xc0]).toString('base64'))), [1, -2]);
  assert.deepStrictEqual(Array.from(lx.decodeImage(Buffer.from([0, 51, 255]).toString('base64'))), [0, 0.2, 1]);
});

test('conv2d is a padded, strided cross-correlation with bias (as nn.Conv2d)', () => {
  const x = {c: 1, h: 3, w: 3, data: Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9])};
  const ones = new Float64Array(9).fill(1);
  // 3x3 all-ones kernel, padding 1: each output is the sum of the 3x3 neighbourhood (zeros outside)
  const y = lx.conv2d(x, ones, [0.5], 1, 3, 1, 1);
  assert.deepStrictEqual([y.c, y.h, y.w], [1, 3, 3]);
  assert.deepStrictEqual(Array.from(y.data), [12, 21, 16, 27, 45, 33, 24, 39, 28].map(v => v + 0.5));
  // stride 2 with padding 1 centres windows on every other pixel (the centre weight picks them)
  const centre = Float64Array.from([0, 0, 0, 0, 1, 0, 0, 0, 0]);
  assert.deepStrictEqual(Array.from(lx.conv2d(x, centre, [0], 1, 3, 1, 2).data), [1, 3, 7, 9]);
  // a 2x2 kernel that picks its bottom-right element: no flip (cross-correlation, not convolution)
  assert.deepStrictEqual(Array.from(lx.conv2d(x, [0, 0, 0, 1], [0], 1, 2, 0, 1).data), [5, 6, 8, 9]);
  // two input channels are summed, two output channels stacked
  const x2 = {c: 2, h: 1, w: 1, data: Float64Array.from([2, 3])};
  const w2 = Float64Array.from([1, 10, -1, 1]);                        // (cout 2, cin 2, 1, 1)
  assert.deepStrictEqual(Array.from(lx.conv2d(x2, w2, [0, 1], 2, 1, 0, 1).data), [32, 2]);
});

test('pooling, dense, activations and softmax', () => {
  const x = {c: 1, h: 4, w: 4, data: Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16])};
  assert.deepStrictEqual(Array.from(lx.pool2d(x, 2, 2, 'maxpool').data), [6, 8, 14, 16]);
  assert.deepStrictEqual(Array.from(lx.pool2d(x, 2, 2, 'avgpool').data), [3.5, 5.5, 11.5, 13.5]);
  assert.deepStrictEqual(Array.from(lx.pool2d(x, 3, 1, 'maxpool').data), [11, 12, 15, 16]);
  const v = {c: 3, h: 1, w: 1, data: Float64Array.from([1, -2, 3])};
  assert.deepStrictEqual(Array.from(lx.dense(v, [1, 1, 1, 0, 1, 0], [0, 10], 2).data), [2, 8]);
  assert.deepStrictEqual(Array.from(lx.activate(v, 'relu').data), [1, 0, 3]);
  close(lx.activate(v, 'sigmoid').data[1], 1 / (1 + Math.exp(2)), 1e-15, 'sigmoid');
  const p = lx.softmax([1000, 1000, 1000 - Math.log(2)]);               // no overflow
  [0.4, 0.4, 0.2].forEach((q, k) => close(p[k], q, 1e-12, 'softmax ' + k));
});

test('receptive fields of LeNet: 5, 6, 14 and 16 pixels wide; dense units see everything', () => {
  const layers = [{op: 'conv', k: 5, pad: 2, stride: 1}, {op: 'relu'}, {op: 'maxpool', k: 2, stride: 2},
    {op: 'conv', k: 5, pad: 0, stride: 1}, {op: 'relu'}, {op: 'maxpool', k: 2, stride: 2}, {op: 'flatten'},
    {op: 'dense'}];
  const shapes = [[1, 28, 28], [6, 28, 28], [6, 28, 28], [6, 14, 14], [16, 10, 10], [16, 10, 10], [16, 5, 5],
    [400, 1, 1], [120, 1, 1]];
  const conv1 = lx.receptiveField(layers, shapes, 2, 3, 0, 7)[0];
  assert.deepStrictEqual(conv1, {ch: -1, r0: -2, r1: 2, c0: 5, c1: 9});  // reaches into the padding
  assert.deepStrictEqual(lx.clipRange(conv1, shapes[0]), {ch: -1, r0: 0, r1: 2, c0: 5, c1: 9});
  assert.deepStrictEqual(lx.receptiveField(layers, shapes, 3, 1, 4, 4)[0], {ch: -1, r0: 6, r1: 11, c0: 6, c1: 11});
  const conv2 = lx.receptiveField(layers, shapes, 5, 2, 3, 3);
  assert.deepStrictEqual(conv2[0], {ch: -1, r0: 4, r1: 17, c0: 4, c1: 17});
  assert.strictEqual(conv2[3].ch, -1);                                   // a conv reads every input map
  const pool2 = lx.receptiveField(layers, shapes, 6, 5, 0, 0);
  assert.deepStrictEqual(pool2[0], {ch: -1, r0: -2, r1: 13, c0: -2, c1: 13});
  assert.strictEqual(pool2[5].ch, 5);                                    // pooling stays in its channel
  // flat unit 5*25 + 2*5 + 3 is channel 5, row 2, column 3 of the last pooling's output
  assert.deepStrictEqual(lx.receptiveField(layers, shapes, 7, 5 * 25 + 13, 0, 0)[6], {ch: 5, r0: 2, r1: 2, c0: 3, c1: 3});
  assert.ok(lx.receptiveField(layers, shapes, 8, 0, 0, 0)[0].all);
});

test('stages: what the page shows, and which conv layer owns their channels', () => {
  const layers = [{op: 'conv', cin: 1, shape: [6, 28, 28]}, {op: 'relu', shape: [6, 28, 28], title: 'conv1 + ReLU'},
    {op: 'maxpool', shape: [6, 14, 14], title: 'max pool'}, {op: 'flatten', shape: [1176, 1, 1]},
    {op: 'dense', shape: [30, 1, 1]}, {op: 'relu', shape: [30, 1, 1], title: 'dense1 + ReLU'},
    {op: 'dense', shape: [10, 1, 1], title: 'scores'}];
  const s = lx.stages(layers, [1, 28, 28]);
  assert.deepStrictEqual(s.stages.map(t => [t.layer, t.tensor, t.conv, t.units]),
    [[1, 2, 0, false], [2, 3, 0, false], [5, 6, -1, true]]);
  assert.strictEqual(s.shapes.length, 8);
});

test('drawing: a stroke paints its value over the picture as it was, with soft edges', () => {
  const h = 8, w = 8, img = new Float64Array(h * w).fill(0.2), base = img.slice(), cov = new Float64Array(h * w);
  lx.stroke(img, base, cov, h, w, 1.5, 4.5, 6.5, 4.5, 1, 1);               // a horizontal line along row 4
  for (let c = 1; c <= 6; c++) { close(img[4 * w + c], 1, 1e-12, 'row 4 col ' + c); }
  close(img[3 * w + 3], 0.2 * 0.5 + 0.5, 1e-12, 'soft edge: half covered one row away');
  close(img[2 * w + 3], 0.2, 0, 'two rows away: untouched');
  close(img[0], 0.2, 0, 'far pixel untouched');
  // drawing over the same place again in one stroke does not darken or brighten twice
  lx.stroke(img, base, cov, h, w, 6.5, 4.5, 1.5, 4.5, 1, 1);
  close(img[3 * w + 3], 0.6, 1e-12, 'coverage is a max, not a sum');
  // the eraser (value 0) and a grey brush
  const grey = new Float64Array(h * w).fill(1);
  lx.stroke(grey, grey.slice(), new Float64Array(h * w), h, w, 4.5, 4.5, 4.5, 4.5, 1, 0.5);
  close(grey[4 * w + 4], 0.5, 1e-12, 'grey brush at the centre');
  assert.strictEqual(lx.coverage(0, 0, 10, 10, 1), 0);
});

test('colours: viridis ends, bwr, and the scale rule', () => {
  assert.deepStrictEqual(lx.viridis(0), [68, 1, 84]);
  assert.deepStrictEqual(lx.viridis(1), [253, 231, 37]);
  assert.deepStrictEqual(lx.viridis(7), [253, 231, 37]);
  assert.deepStrictEqual(lx.bwr(-2, 2), [0, 0, 255]);
  assert.deepStrictEqual(lx.bwr(0, 0), [255, 255, 255]);
  assert.strictEqual(lx.scaleFor(Float64Array.from([0, 2, 1])).signed, false);
  assert.deepStrictEqual(lx.scaleFor(Float64Array.from([0, 2, 1])).color(2), [253, 231, 37]);
  const s = lx.scaleFor(Float64Array.from([-1, 3]));
  assert.ok(s.signed && s.max === 3);
});

const fixturesFile = process.env.D2LMINI_LENET_FIXTURES;
if (fixturesFile) {
  test('the forward pass gives PyTorch\'s logits and class (fixtures from tests/test_lenet_explorer.py)', () => {
    const f = JSON.parse(fs.readFileSync(fixturesFile, 'utf8'));
    assert.ok(f.cases.length > 0);
    for (const c of f.cases) {
      const layers = lx.prepare(c.net);
      c.images.forEach((b64, n) => {
        const acts = lx.forward(layers, c.net.input, lx.decodeImage(b64));
        const logits = Array.from(acts[acts.length - 1].data);
        const expected = c.logits[n];
        assert.strictEqual(logits.length, expected.length);
        logits.forEach((v, k) => close(v, expected[k], c.tol, `${c.name}, picture ${n}, logit ${k}`));
        assert.strictEqual(logits.indexOf(Math.max(...logits)), c.classes[n], `${c.name}, picture ${n}: class`);
        // every shown stage has the shape the export promised
        c.net.layers.forEach((L, k) => assert.deepStrictEqual([acts[k + 1].c, acts[k + 1].h, acts[k + 1].w], L.shape,
          `${c.name}: layer ${k} (${L.op}) shape`));
      });
    }
  });
}
