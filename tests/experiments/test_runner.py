from __future__ import annotations

import json
from concurrent.futures import Executor, ProcessPoolExecutor

import numpy as np
import pandas as pd
import pytest

from coopgov.dynamics.engine import simulate
from coopgov.errors import InputError
from coopgov.experiments import (
    SerialExecutor,
    design,
    load_results,
    run_experiment,
    spec_from_dict,
)
from coopgov.experiments import runner as runner_mod
from coopgov.model import city_data
from coopgov.model.levers import LEVER_NAMES, LEVERS
from coopgov.model.parameters import PARAMETER_INFO
from coopgov.region import load_region


def _values(out):
    df = load_results(out)
    return df.drop(columns=["run"]).set_index(df["run"])


def test_outcomes_match_a_direct_engine_call(tmp_path, tiny_dict):
    spec = spec_from_dict(tiny_dict)
    run_experiment(spec, tmp_path / "r", executor=SerialExecutor())
    df = load_results(tmp_path / "r")
    assert len(df) == spec.n_runs == 36 and df["run"].tolist() == list(range(36))
    city = city_data(load_region("yrd"))
    d = design(spec)
    # runs 12..23 are the "enforcement" policy (policy index 1) over scenarios 0..11
    rows = df[df.policy == "enforcement"]
    params = {k: np.full(12, v.default) for k, v in PARAMETER_INFO.items()}
    for col in d.columns:
        params[col] = d[col].to_numpy()
    intensity = np.zeros((12, 5, len(LEVER_NAMES)))
    intensity[:, :, LEVER_NAMES.index("enforcement")] = 1.0
    sim = simulate(city, params, intensity, years=5, method="riccati")  # the spec default
    np.testing.assert_allclose(rows["final_cooperation"], sim.cooperation_rate[:, -1])
    np.testing.assert_allclose(rows["pm25"], sim.pm25_change[:, -1])
    np.testing.assert_allclose(rows["final_cooperation/310100"], sim.cooperation[:, -1, 0])
    # lever cost summed over 5 years at full intensity: 5 x yearly cost (hand-derived)
    assert np.allclose(rows["lever_cost"], 5 * LEVERS["enforcement"].yearly_cost)
    assert np.allclose(df[df.policy == "baseline"]["lever_cost"], 0.0)
    # per-city columns average to the regional rate
    cols = [c for c in df.columns if c.startswith("final_cooperation/")]
    assert len(cols) == 41
    np.testing.assert_allclose(df[cols].mean(axis=1), df["final_cooperation"])


def test_results_do_not_depend_on_executor_or_chunking(tmp_path, abm_dict):
    # agent-based runs draw random numbers: seeds must follow the run, not the chunk
    spec = spec_from_dict(abm_dict)
    run_experiment(spec, tmp_path / "a", executor=SerialExecutor())
    run_experiment(spec, tmp_path / "b", executor=SerialExecutor(), chunk_size=1)
    with ProcessPoolExecutor(max_workers=2) as pool:
        run_experiment(spec, tmp_path / "c", executor=pool, chunk_size=7)
    a = _values(tmp_path / "a")
    pd.testing.assert_frame_equal(a, _values(tmp_path / "b"))
    pd.testing.assert_frame_equal(a, _values(tmp_path / "c"))
    # replications differ from one another (they are seeded differently)
    fc = a["final_cooperation"].to_numpy().reshape(-1, 3)
    assert (fc.std(axis=1) > 0).any()


def test_interrupted_experiment_resumes_and_skips_finished_chunks(tmp_path, tiny_dict, monkeypatch):
    spec = spec_from_dict(tiny_dict)  # 36 runs in chunks of 7 -> 6 chunks
    out = tmp_path / "r"
    real = runner_mod.run_chunk
    calls = []

    def flaky(task):
        calls.append(task.index)
        if len(calls) == 4:
            raise KeyboardInterrupt  # the user presses Ctrl-C during the 4th chunk
        return real(task)

    monkeypatch.setattr(runner_mod, "run_chunk", flaky)
    with pytest.raises(KeyboardInterrupt):
        run_experiment(spec, out, executor=SerialExecutor())
    files = sorted((out / "chunks").glob("chunk-*.parquet"))
    assert len(files) == 3
    assert not json.loads((out / "manifest.json").read_text())["complete"]
    assert not list((out / "chunks").glob(".*tmp"))  # no half-written file

    monkeypatch.setattr(runner_mod, "run_chunk", real)
    summary = run_experiment(spec, out, executor=SerialExecutor())
    assert (summary.chunks_skipped, summary.chunks_run, summary.complete) == (3, 3, True)
    run_experiment(spec, tmp_path / "fresh", executor=SerialExecutor())
    pd.testing.assert_frame_equal(_values(out), _values(tmp_path / "fresh"))
    again = run_experiment(spec, out, executor=SerialExecutor())
    assert again.chunks_run == 0 and again.chunks_skipped == 6


def test_incremental_runs_and_foreign_folder(tmp_path, tiny_dict):
    spec = spec_from_dict(tiny_dict)
    s1 = run_experiment(spec, tmp_path / "r", executor=SerialExecutor(), max_chunks=2)
    assert (s1.chunks_run, s1.complete) == (2, False)
    tiny_dict["sampler"]["seed"] = 8
    with pytest.raises(InputError, match="different experiment"):
        run_experiment(spec_from_dict(tiny_dict), tmp_path / "r", executor=SerialExecutor())


def test_policy_from_year_switches_levers_on_later(tmp_path, tiny_dict):
    tiny_dict["policies"] = {"baseline": True, "single_levers": ["enforcement"], "from_year": 2029}
    spec = spec_from_dict(tiny_dict)
    run_experiment(spec, tmp_path / "r", executor=SerialExecutor())
    df = load_results(tmp_path / "r")
    # on from 2029 to the end of a 2026-2030 horizon: 2 of 5 years paid (hand-derived)
    assert np.allclose(
        df[df.policy == "enforcement"]["lever_cost"], 2 * LEVERS["enforcement"].yearly_cost
    )


def test_slots_of_a_given_executor():
    from coopgov.experiments.runner import _slots

    assert _slots(SerialExecutor()) == 1
    with ProcessPoolExecutor(max_workers=3) as pool:
        assert _slots(pool) == 3

    class FakeClient:
        def nthreads(self):
            return {"tcp://a": 1, "tcp://b": 1, "tcp://c": 2}

    class FakeDaskExecutor(Executor):
        _client = FakeClient()

    # a Dask client executor runs as many tasks at once as its workers have threads
    assert _slots(FakeDaskExecutor()) == 4


def test_a_folder_of_another_engine_revision_is_not_resumed(tmp_path, tiny_dict):
    # runs written by an earlier revision of the integrator's numerics (e.g. before
    # the Riccati step-size controller) differ beyond rounding: never mixed with new ones
    spec = spec_from_dict(tiny_dict)
    out = tmp_path / "r"
    run_experiment(spec, out, executor=SerialExecutor(), max_chunks=2)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["engine_revision"] == runner_mod.engine_revision(spec)
    assert manifest["engine_revision"].startswith("mean_field/riccati/")
    del manifest["engine_revision"]  # as written before revisions were recorded
    (out / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(InputError, match="another revision") as err:
        run_experiment(spec, out, executor=SerialExecutor())
    assert err.value.field == "engine_revision"
    assert "manifest.json" in str(err.value)
