from __future__ import annotations

import numpy as np
import pytest

from coopgov.dynamics.engine import simulate
from coopgov.errors import InputError
from coopgov.experiments.ema import LEVER_FREE_PARAMETERS, coopgov_model, ema_model
from coopgov.model import ModelParameters, city_data
from coopgov.model.levers import LEVER_NAMES
from coopgov.region import load_region


def test_model_function_equals_engine():
    out = coopgov_model(years=6, lateral_thrust=1.2, enforcement=0.5)
    city = city_data(load_region("yrd"))
    inten = np.zeros((1, 6, len(LEVER_NAMES)))
    inten[0, :, LEVER_NAMES.index("enforcement")] = 0.5
    sim = simulate(city, [ModelParameters({"lateral_thrust": 1.2})], inten, years=6)
    assert out["final_cooperation"] == pytest.approx(sim.cooperation_rate[0, -1])
    assert out["lever_cost"] == pytest.approx(6 * 0.5 * 8.0e8)  # 6 yr x 0.5 x 800 M yuan/yr
    assert out["cooperation_rate"].shape == (7,)
    with pytest.raises(InputError):
        coopgov_model(not_a_parameter=1.0)
    with pytest.raises(InputError):
        coopgov_model(enforcement=1.5)


def test_lever_free_parameters_exclude_lever_targets():
    assert "reciprocity" not in LEVER_FREE_PARAMETERS  # moved by joint_mechanism
    assert "lateral_thrust" in LEVER_FREE_PARAMETERS


def test_runs_through_ema_workbench():
    ema = pytest.importorskip("ema_workbench")
    model = ema_model(uncertainties=["lateral_thrust", "gdp_loss"], levers=["enforcement"], years=3)
    with ema.SequentialEvaluator(model) as ev:
        experiments, outcomes = ev.perform_experiments(scenarios=3, policies=2)
    assert len(experiments) == 6
    y = outcomes["final_cooperation"]
    assert np.all((y >= 0) & (y <= 1))
    row = experiments.iloc[0]
    direct = coopgov_model(
        years=3,
        lateral_thrust=row["lateral_thrust"],
        gdp_loss=row["gdp_loss"],
        enforcement=row["enforcement"],
    )
    assert y[0] == pytest.approx(direct["final_cooperation"])


def test_batch_equals_single_runs_and_locates_bad_input():
    from coopgov.experiments.ema import evaluate_batch

    rows = [
        {"lateral_thrust": 0.4, "enforcement": 0.2},
        {"gdp_loss": 0.01},
        {"lateral_thrust": 1.5, "information_sharing": 1.0},
    ]
    out = evaluate_batch(rows, years=4)
    for k, r in enumerate(rows):
        one = coopgov_model(years=4, **r)
        for name, v in one.items():
            np.testing.assert_allclose(out[name][k], v, rtol=1e-12, err_msg=name)
    with pytest.raises(InputError) as err:
        evaluate_batch([{"gdp_loss": 0.01}, {"gdp_loss": -1.0}], years=2)
    assert err.value.row == 2 and err.value.field == "gdp_loss"
    with pytest.raises(InputError, match="must be a number"):
        evaluate_batch([{"gdp_loss": "abc"}], years=2)


def test_batched_evaluator_matches_the_per_run_evaluator():
    ema = pytest.importorskip("ema_workbench")
    from coopgov.experiments.ema import BatchedEvaluator

    model = ema_model(uncertainties=["lateral_thrust", "gdp_loss"], levers=["enforcement"], years=3)
    scenarios = ema.em_framework.samplers.sample_uncertainties(model, 7)
    policies = ema.em_framework.samplers.sample_levers(model, 2)
    with ema.SequentialEvaluator(model) as ev:
        exp_a, out_a = ev.perform_experiments(scenarios=scenarios, policies=policies)
    for processes in (0, 2):
        with BatchedEvaluator(model, batch_size=4, processes=processes) as ev:
            exp_b, out_b = ev.perform_experiments(scenarios=scenarios, policies=policies)
        assert len(exp_b) == 14
        cols = ["lateral_thrust", "gdp_loss", "enforcement"]
        np.testing.assert_allclose(exp_b[cols].to_numpy(), exp_a[cols].to_numpy())
        for name in out_a:
            np.testing.assert_allclose(out_b[name], out_a[name], rtol=1e-12, err_msg=name)
    with pytest.raises(InputError):
        BatchedEvaluator(ema.Model("other", function=lambda **kw: {}))
