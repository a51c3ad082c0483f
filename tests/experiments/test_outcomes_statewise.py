"""Outcomes read at one state equal the same state of the full trajectory."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from coopgov.dynamics.engine import simulate
from coopgov.experiments import spec_from_dict
from coopgov.experiments.outcomes import reduce_outcomes, state_slice, variable_trajectory
from coopgov.model import city_data
from coopgov.model.levers import LEVER_NAMES
from coopgov.model.parameters import PARAMETER_INFO
from coopgov.region import load_region

YEARS = 6


@lru_cache(maxsize=1)
def _sim():
    city = city_data(load_region("yrd"))
    rng = np.random.default_rng(3)
    s = 5
    params = {k: np.full(s, v.default) for k, v in PARAMETER_INFO.items()}
    for name in ("lateral_thrust", "abatement_rate", "background_share"):
        lo, hi = PARAMETER_INFO[name].bounds
        params[name] = rng.uniform(lo, hi, s)
    # levers switched on in the middle of the horizon: parameters vary by year
    intensity = np.zeros((s, YEARS, len(LEVER_NAMES)))
    intensity[:, 3:, LEVER_NAMES.index("technology")] = rng.random((s, 1))
    intensity[:, 2:, LEVER_NAMES.index("joint_mechanism")] = 1.0
    return simulate(city, params, intensity, years=YEARS)


@settings(max_examples=15, deadline=None)
@given(t=st.integers(0, YEARS))
def test_state_slice_equals_the_trajectory_at_that_state(t):
    sim = _sim()
    full_city, full_region = variable_trajectory(sim, "pm25_change")
    cut_city, cut_region = variable_trajectory(state_slice(sim, t), "pm25_change")
    np.testing.assert_allclose(cut_city[:, 0], full_city[:, t], rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(cut_region[:, 0], full_region[:, t], rtol=1e-13, atol=1e-15)


def test_reduce_outcomes_final_and_year_match_the_full_trajectory():
    sim = _sim()
    spec = spec_from_dict(
        {
            "experiment": {"name": "t", "years": YEARS},
            "sampler": {"method": "lhs", "n": 5, "seed": 1},
            "uncertainties": {"lateral_thrust": {}},
            "outcomes": [
                {"name": "pm_final", "variable": "pm25_change", "scope": "both"},
                {"name": "pm_2029", "variable": "pm25_change", "reduce": "year", "year": 2029},
                {"name": "pm_mean", "variable": "pm25_change", "reduce": "mean"},
                {"name": "coop", "variable": "cooperation"},
            ],
        }
    )
    out = reduce_outcomes(sim, spec)
    city, region = variable_trajectory(sim, "pm25_change")
    np.testing.assert_allclose(out["pm_final"], region[:, -1], rtol=1e-13)
    np.testing.assert_allclose(out["pm_2029"], region[:, 3], rtol=1e-13)
    np.testing.assert_allclose(out["pm_mean"], region.mean(axis=1), rtol=1e-13)
    np.testing.assert_allclose(out["coop"], sim.cooperation_rate[:, -1])
    np.testing.assert_allclose(
        out[f"pm_final/{int(sim.city.adcode[7])}"], city[:, -1, 7], rtol=1e-13
    )
    # the PM2.5 change is a reduction: never positive, and larger with more cooperation
    assert np.all(out["pm_final"] <= 0.0)
