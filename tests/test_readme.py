"""README tells a newcomer the truth: the commands it shows are the ones CI runs."""
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
README = (REPO / 'README.md').read_text()
CI = (REPO / '.ci' / 'run').read_text()


def _block_after(heading):
    section = README.split(heading, 1)[1]
    return re.search(r'```bash\n(.*?)```', section, re.S).group(1).strip()


def test_ci_runs_the_test_command_that_readme_shows():
    command = _block_after('## Run the tests')
    env, _, pytest_command = command.partition(' python -m pytest')
    assert env == 'D2LMINI_SMOKE=1'
    assert 'export D2LMINI_SMOKE=1' in CI
    assert f'\npython -m pytest{pytest_command}\n' in CI


def test_ci_installs_as_readme_says():
    setup = _block_after('## Setup')
    assert setup == 'python3 -m venv .venv && .venv/bin/pip install -r requirements.txt -e .'
    assert '.venv/bin/pip install -q -r requirements.txt -e .' in CI


def test_readme_build_command_is_the_zero_warning_build():
    assert _block_after('## Build the book') == 'rm -rf _build && jupyter-book build . --all -W --keep-going'


def test_ci_uses_the_offline_data_and_never_the_network():
    assert '../shared/data/FashionMNIST/raw' in CI and 'export D2LMINI_DATA=' in CI
