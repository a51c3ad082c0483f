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
    model = ema_model(uncertainties=["lateral_thrust", "gdp_loss"], levers=["enforcement"],
                      years=3)
    with ema.SequentialEvaluator(model) as ev:
        experiments, outcomes = ev.perform_experiments(scenarios=3, policies=2)
    assert len(experiments) == 6
    y = outcomes["final_cooperation"]
    assert np.all((y >= 0) & (y <= 1))
    row = experiments.iloc[0]
    direct = coopgov_model(years=3, lateral_thrust=row["lateral_thrust"],
                           gdp_loss=row["gdp_loss"], enforcement=row["enforcement"])
    assert y[0] == pytest.approx(direct["final_cooperation"])
