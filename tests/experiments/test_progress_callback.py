"""Experiments report progress through a callback; the library draws no bar."""

from __future__ import annotations

import subprocess
import sys

import pytest

from coopgov.experiments import SerialExecutor, run_experiment, spec_from_dict


def test_callback_counts_every_run_once_across_a_resume(tmp_path, tiny_dict):
    spec = spec_from_dict(tiny_dict)  # 36 runs in chunks of 7: 6 chunks
    calls: list[int] = []
    first = run_experiment(
        spec, tmp_path / "r", executor=SerialExecutor(), max_chunks=2, progress=calls.append
    )
    assert first.chunks_run == 2 and calls == [7, 7]
    calls.clear()
    second = run_experiment(spec, tmp_path / "r", executor=SerialExecutor(), progress=calls.append)
    assert second.complete and second.chunks_skipped == 2
    # the runs already written are reported first, once; then each chunk as it lands
    # (chunks finishing together land in any order)
    assert calls[0] == 14 and sorted(calls[1:]) == [1, 7, 7, 7]
    assert sum(calls) == spec.n_runs


def test_no_callback_and_the_older_false_both_run_silently(tmp_path, tiny_dict, capsys):
    spec = spec_from_dict(tiny_dict)
    run_experiment(spec, tmp_path / "a", executor=SerialExecutor(), progress=None)
    run_experiment(spec, tmp_path / "b", executor=SerialExecutor(), progress=False)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_a_non_callable_progress_is_refused(tmp_path, tiny_dict):
    with pytest.raises(TypeError, match="callable"):
        run_experiment(spec_from_dict(tiny_dict), tmp_path / "r", progress=True)


def test_the_runner_imports_no_progress_bar():
    code = "import sys, coopgov.experiments.runner; print('rich.progress' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
