"""The widgets' JavaScript (d2lmini/static/*.js), tested in node: `node --test tests/js/`.

Python writes reference values (corr2d, display_mode, fit_report) to a JSON file that the
node tests read, so the JavaScript is checked against the Python it mirrors. Without node
the test is skipped, except under CI (env CI set), where that fails.
"""
import base64
import itertools
import json
import os
import subprocess
from pathlib import Path

import pytest
import torch

import d2lmini as d2l
from d2lmini import kernel_widgets as kw
from d2lmini.shape_widgets import fit_report

ROOT = Path(__file__).resolve().parent.parent


def _fixtures():
    gen = torch.Generator().manual_seed(0)
    cases = []
    for name, kernel in kw.PRESETS.items():
        image = (torch.rand(7, 9, generator=gen) * 255).round().to(torch.uint8)
        x = image.double() / 255
        flat = [v for row in kw.check_kernel(kernel) for v in row]
        cases.append({'name': name, 'h': 7, 'w': 9, 'kernel': flat, 'mode': kw.display_mode(kernel),
                      'image': base64.b64encode(bytes(image.flatten().tolist())).decode('ascii'),
                      'expected': d2l.corr2d(x, torch.tensor(kernel, dtype=torch.float64)).flatten().tolist()})
    sweep = list(itertools.product(range(1, 13), range(1, 8), range(0, 4), range(1, 5)))[::3]
    return {'playground': cases, 'fit_report': [{'args': list(c), 'expected': fit_report(*c)} for c in sweep]}


def test_widget_javascript_passes_its_node_tests(tmp_path, node):
    fixtures = tmp_path / 'fixtures.json'
    fixtures.write_text(json.dumps(_fixtures()))
    env = dict(os.environ, D2LMINI_JS_FIXTURES=str(fixtures))
    run = subprocess.run([node, '--test', 'tests/js/'], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert '# skipped 0' in run.stdout or '\u2139 skipped 0' in run.stdout, run.stdout[-2000:]
