"""Shared fixtures: where the offline Fashion-MNIST is, and a clean environment per test."""
import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _data_root():
    """D2LMINI_DATA when set (CI), else the offline copy in ../shared/data (gzipped files work too)."""
    for root in (os.environ.get('D2LMINI_DATA'), REPO.parent / 'shared' / 'data'):
        if root and (Path(root) / 'FashionMNIST' / 'raw').is_dir():
            return Path(root)
    pytest.skip("no offline Fashion-MNIST: set D2LMINI_DATA (see README)")


@pytest.fixture(scope='session')
def data_root():
    return _data_root()


@pytest.fixture(autouse=True)
def no_budget_env(monkeypatch):
    """Unit tests choose their own budget: CI's D2LMINI_SMOKE must not leak into them."""
    monkeypatch.delenv('D2LMINI_SMOKE', raising=False)
    monkeypatch.delenv('D2LMINI_BUDGET', raising=False)


@pytest.fixture(scope='session')
def node():
    """The node binary for the widgets' JavaScript tests; skipped without it, except under CI."""
    path = shutil.which('node')
    if path is None:
        if os.environ.get('CI'):
            pytest.fail('node is missing (CI is set: the JavaScript tests may not be skipped)')
        pytest.skip('node is not installed')
    return path
