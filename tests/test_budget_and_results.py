import json

import pytest
import torch
from torch import nn

import d2lmini as d2l

FULL, CPU, SMOKE = dict(num_epochs=10, resize=224), dict(num_epochs=5, resize=64), dict(num_epochs=1, resize=32)


def test_cpu_budget_without_a_gpu_printed_in_short_lines(capsys):
    budget = d2l.choose_budget(FULL, CPU, SMOKE, device='cpu')
    assert (budget.name, budget.num_epochs, budget.resize) == ('cpu', 5, 64)
    assert budget.device == torch.device('cpu')
    out = capsys.readouterr().out
    assert out == ("budget: cpu on cpu\n"
                   "  (no GPU found; D2LMINI_BUDGET=full forces the full budget)\n"
                   "  num_epochs = 5\n  resize = 64\n")
    assert max(len(line) for line in out.splitlines()) <= 80


def test_full_budget_on_a_gpu_device(capsys):
    budget = d2l.choose_budget(FULL, CPU, SMOKE, device='cuda:0')
    assert budget.name == 'full' and budget.resize == 224
    assert capsys.readouterr().out.startswith('budget: full on cuda:0\n  (GPU found (cuda:0))')


def test_smoke_wins_and_defaults_to_one_epoch_of_the_cpu_budget(monkeypatch, capsys):
    monkeypatch.setenv('D2LMINI_SMOKE', '1')
    monkeypatch.setenv('D2LMINI_BUDGET', 'full')
    assert d2l.choose_budget(FULL, CPU, SMOKE, device='cpu').name == 'smoke'
    budget = d2l.choose_budget(FULL, CPU, device='cpu')
    assert (budget.num_epochs, budget.resize) == (1, 64)
    assert 'D2LMINI_SMOKE=1' in capsys.readouterr().out


def test_forced_budget_and_a_bad_value(monkeypatch):
    monkeypatch.setenv('D2LMINI_BUDGET', 'full')
    assert d2l.choose_budget(FULL, CPU, device='cpu').name == 'full'
    monkeypatch.setenv('D2LMINI_BUDGET', 'huge')
    with pytest.raises(ValueError, match="D2LMINI_BUDGET must be one of .*'huge'"):
        d2l.choose_budget(FULL, CPU, device='cpu')


def test_smoke_flag_values(monkeypatch):
    for value, expected in (('1', True), ('yes', True), ('0', False), ('', False)):
        monkeypatch.setenv('D2LMINI_SMOKE', value)
        assert d2l.is_smoke() is expected


def _history():
    return d2l.History(loss=[1.0, 0.5], train_acc=[0.6, 0.8], test_acc=[0.7, 0.82], seconds=[2.0, 4.0],
                       examples_per_sec=[100.0, 300.0], device='cpu')


def test_results_round_trip(tmp_path, capsys):
    net = nn.Sequential(nn.Flatten(), nn.Linear(4, 3))
    budget = d2l.choose_budget(FULL, CPU, device='cpu')
    capsys.readouterr()
    result = d2l.save_results('tiny', _history(), net, (1, 1, 2, 2), budget, folder=tmp_path, note='x')
    assert result is None and capsys.readouterr().out == ''       # a cell may end with it
    assert (tmp_path / 'tiny.json').exists() and not list(tmp_path.glob('*.tmp'))
    [record] = d2l.load_results(tmp_path)
    assert record['params'] == 15 and record['macs'] == 12
    assert record['budget'] == 'cpu' and record['budget_settings'] == CPU
    assert record['final_test_acc'] == 0.82 and record['mean_examples_per_sec'] == 200.0
    assert record['mean_seconds_per_epoch'] == 3.0 and record['note'] == 'x'
    assert record['cpu_threads'] == torch.get_num_threads()
    assert (record['precision'], record['channels_last']) == ('fp32', False)
    assert record['history']['loss'] == [1.0, 0.5]


def test_results_record_the_runs_precision_layout_and_threads(tmp_path):
    history = _history()
    history.precision, history.channels_last, history.cpu_threads = 'bf16', True, 2
    budget = d2l.choose_budget(FULL, CPU, device='cpu')
    d2l.save_results('run', history, nn.Linear(4, 3), (1, 4), budget, folder=tmp_path,
                     optimizer='Adam', schedule='one-cycle, max lr 0.002')
    [record] = d2l.load_results(tmp_path)
    assert (record['precision'], record['channels_last'], record['cpu_threads']) == ('bf16', True, 2)
    assert record['optimizer'] == 'Adam' and record['schedule'] == 'one-cycle, max lr 0.002'


def test_a_smoke_run_never_overwrites_real_results(tmp_path, monkeypatch):
    net = nn.Linear(4, 3)
    d2l.save_results('m', _history(), net, (1, 4), 'cpu', folder=tmp_path)
    real = (tmp_path / 'm.json').read_text()
    monkeypatch.setenv('D2LMINI_SMOKE', '1')
    d2l.save_results('m', _history(), net, (1, 4), 'smoke', folder=tmp_path)
    path = tmp_path / 'smoke' / 'm.json'
    assert (tmp_path / 'm.json').read_text() == real
    assert [r['budget'] for r in d2l.load_results(tmp_path)] == ['cpu']
    assert json.loads(path.read_text())['budget'] == 'smoke'


def test_nothing_to_save_is_an_error(tmp_path):
    with pytest.raises(ValueError, match='no finished epoch'):
        d2l.save_results('m', d2l.History(), nn.Linear(4, 3), (1, 4), 'cpu', folder=tmp_path)
    assert not list(tmp_path.iterdir())
