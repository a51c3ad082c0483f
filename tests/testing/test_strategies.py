"""The public Hypothesis strategies draw what they promise, edge cases included."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st

from coopgov.model.levers import LEVER_NAMES
from coopgov.model.parameters import PARAMETER_INFO, ModelParameters
from coopgov.region.air import validate_transfer_matrix
from coopgov.scenarios.spec import scenario_from_dict
from coopgov.testing import strategies as cst


@given(cst.cooperation_states(n_cities=5, n_scenarios=st.integers(1, 3)))
def test_cooperation_states_are_in_the_unit_interval(x):
    assert x.ndim == 2 and x.shape[1] == 5 and 1 <= x.shape[0] <= 3
    assert np.all((x >= 0) & (x <= 1))


def test_cooperation_states_reach_both_ends():
    assert find(cst.cooperation_states(n_cities=3), lambda x: np.any(x == 0.0)).min() == 0.0
    assert find(cst.cooperation_states(n_cities=3), lambda x: np.any(x == 1.0)).max() == 1.0


@given(cst.transfer_matrices())
def test_transfer_rows_sum_to_at_most_one(t):
    assert t.shape[0] == t.shape[1] and np.all(t >= 0)
    assert np.all(t.sum(axis=1) <= 1.0)
    validate_transfer_matrix(t)  # the region loader's own check accepts them


def test_transfer_matrices_include_full_rows():
    t = find(cst.transfer_matrices(n=3), lambda t: np.any(np.isclose(t.sum(axis=1), 1.0)))
    assert np.all(t.sum(axis=1) <= 1.0)


@given(cst.exposure_shares(n=st.integers(1, 8)))
def test_exposure_columns_sum_to_one(p):
    assert np.all(p >= 0)
    np.testing.assert_allclose(p.sum(axis=0), 1.0, rtol=0, atol=1e-12)


@given(cst.neighbour_weights())
def test_neighbour_rows_sum_to_one_or_zero_with_empty_diagonal(w):
    assert np.all(np.diag(w) == 0) and np.all(w >= 0)
    sums = w.sum(axis=1)
    assert np.all(np.isclose(sums, 1.0, atol=1e-12) | (sums == 0))


def test_neighbour_weights_include_a_city_without_neighbours():
    w = find(cst.neighbour_weights(n=4), lambda w: np.any(w.sum(axis=1) == 0))
    assert np.any(w.sum(axis=1) == 0)


@given(cst.parameter_sets())
@settings(max_examples=50)
def test_parameter_sets_stay_in_their_declared_bounds(values):
    assert set(values) == set(PARAMETER_INFO)
    for name, v in values.items():
        lo, hi = PARAMETER_INFO[name].bounds
        assert lo <= v <= hi, name
    ModelParameters(values)  # and validate as a parameter set


@given(cst.model_parameters(["adjustment_rate", "initial_cooperation"]))
def test_model_parameters_override_only_the_names_asked_for(p):
    defaults = ModelParameters()
    assert isinstance(p, ModelParameters)
    drawn = {"adjustment_rate", "initial_cooperation"}
    assert all(p[k] == defaults[k] for k in PARAMETER_INFO if k not in drawn)


def test_parameter_sets_refuse_unknown_names():
    with pytest.raises(ValueError, match="no_such"):
        cst.parameter_sets(["no_such"])


@given(cst.lever_intensities(years=4, n_scenarios=2))
def test_lever_intensities_shape_and_range(a):
    assert a.shape == (2, 4, len(LEVER_NAMES)) and np.all((a >= 0) & (a <= 1))


@given(cst.lever_settings(start_year=2026, years=8))
@settings(max_examples=50, deadline=None)
def test_lever_settings_make_valid_scenarios(levers):
    s = scenario_from_dict(
        {"name": "drawn", "region": "yrd", "start_year": 2026, "years": 8, "levers": levers}
    )
    a = s.intensity()
    assert a.shape == (8, len(LEVER_NAMES)) and np.all((a >= 0) & (a <= 1))
    for name, setting in levers.items():
        k = LEVER_NAMES.index(name)
        # each year is the mean of its months: equal to the setting up to rounding
        if isinstance(setting, float):
            np.testing.assert_allclose(a[:, k], setting, rtol=1e-12, atol=0)
        else:  # a step schedule: nothing before its first year, that year's value in it
            first = min(int(y) for y in setting)
            assert np.all(a[: first - 2026, k] == 0)
            assert a[first - 2026, k] == pytest.approx(setting[str(first)], rel=1e-12)


@given(cst.bounded_arrays(st.tuples(st.integers(0, 4), st.integers(1, 3)), -2.0, 3.5))
def test_bounded_arrays_stay_inside_their_bounds(a):
    assert a.dtype == np.float64 and a.ndim == 2 and 1 <= a.shape[1] <= 3
    assert np.all((a >= -2.0) & (a <= 3.5))


def test_bounded_arrays_reach_both_bounds():
    assert find(cst.bounded_arrays(3, 0.2, 1.2), lambda a: np.any(a == 0.2)).min() == 0.2
    assert find(cst.bounded_arrays(3, 0.2, 1.2), lambda a: np.any(a == 1.2)).max() == 1.2


def test_bounded_arrays_reject_empty_interval():
    with pytest.raises(ValueError, match="low <= high"):
        cst.bounded_arrays(3, 1.0, 0.0)
