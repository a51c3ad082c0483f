"""PM2.5 transported from outside the region: not reducible by the region's cooperation.

The air terms of the force field (shared interest, own abatement benefit) value the
region's abatement; a share ``o_i`` of city i's PM2.5 comes from outside the region
(region README, air, outside the YRD) and is scaled out: ``(1 - o_i)``.
"""

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coopgov.errors import InputError
from coopgov.model import ModelParameters
from coopgov.model.cities import city_data
from coopgov.model.forces import (
    ForceContext,
    features,
    own_abatement_benefit,
    payoff_difference,
    shared_interest,
)
from coopgov.model.synthetic import synthetic_city_data
from coopgov.region import load_region

CITY = synthetic_city_data(10, seed=11)
PARAMS = {k: np.array([[v]]) for k, v in ModelParameters({}).items()}


def _air_parts(city, x):
    """Air-only parts of the two terms (water switched off)."""
    p = dict(PARAMS, water_damage_gdp_share=np.array([[0.0]]))
    ctx = ForceContext(city, p)
    f = features(x, city)
    own = np.broadcast_to(own_abatement_benefit(f, ctx), x.shape)
    return shared_interest(f, ctx), own


@given(
    o=st.lists(st.floats(0.0, 0.95), min_size=CITY.n, max_size=CITY.n),
    seed=st.integers(0, 1000),
)
@settings(max_examples=50, deadline=None)
def test_air_terms_scale_by_the_within_region_share(o, seed):
    x = np.random.default_rng(seed).random((1, 1, CITY.n))
    o = np.array(o)
    si0, own0 = _air_parts(CITY, x)
    si, own = _air_parts(replace(CITY, outside_share=o), x)
    np.testing.assert_allclose(si, si0 * (1.0 - o), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(own, own0 * (1.0 - o), rtol=1e-12, atol=1e-15)


def test_hand_value_of_one_city():
    """o = 0.35 leaves 65 % of the air terms (hand: 1 - 0.35 = 0.65)."""
    o = np.zeros(CITY.n)
    o[3] = 0.35
    x = np.full((1, 1, CITY.n), 0.5)
    si0, own0 = _air_parts(CITY, x)
    si, own = _air_parts(replace(CITY, outside_share=o), x)
    assert si[0, 0, 3] == pytest.approx(0.65 * si0[0, 0, 3], rel=1e-12)
    assert own[0, 0, 3] == pytest.approx(0.65 * own0[0, 0, 3], rel=1e-12)
    others = np.arange(CITY.n) != 3
    np.testing.assert_array_equal(si[0, 0, others], si0[0, 0, others])


@given(extra=st.floats(0.0, 0.5), city=st.integers(0, CITY.n - 1), xv=st.floats(0.0, 1.0))
@settings(max_examples=50, deadline=None)
def test_more_pollution_from_outside_never_raises_the_payoff_difference(extra, city, xv):
    """Study 3.1 / 4.1.1: what the region cannot abate gives no reason to cooperate."""
    base = np.full(CITY.n, 0.2)
    more = base.copy()
    more[city] += extra
    x = np.full((1, 1, CITY.n), xv)
    d0 = payoff_difference(x, ForceContext(replace(CITY, outside_share=base), PARAMS))
    d1 = payoff_difference(x, ForceContext(replace(CITY, outside_share=more), PARAMS))
    assert d1[0, 0, city] <= d0[0, 0, city] + 1e-12


@pytest.mark.parametrize("bad", [1.0, -0.1, float("nan")])
def test_out_of_range_share_is_a_located_error(bad):
    o = np.zeros(CITY.n)
    o[4] = bad
    with pytest.raises(InputError) as err:
        replace(CITY, outside_share=o)
    assert err.value.field == "outside_share"
    assert err.value.row == 5


def test_wrong_length_is_refused():
    with pytest.raises(InputError, match="expected shape"):
        replace(CITY, outside_share=np.zeros(CITY.n + 1))


def test_bundled_region_carries_its_outside_shares_into_the_model():
    region = load_region("yrd")
    city = city_data(region)
    np.testing.assert_array_equal(city.outside_share, region.outside_share)
    assert 0.30 < city.outside_share.min() and city.outside_share.max() < 0.43


def test_default_is_no_outside_transport():
    assert np.all(CITY.outside_share == 0.0)


def test_pm25_outcome_reduces_only_the_within_region_share():
    """q_i = 1 - a (1 - b)(1 - o_i) sum_j P0_ji x_j: outside transport stays (hand formula)."""
    from coopgov.dynamics.engine import simulate

    o = np.linspace(0.0, 0.6, CITY.n)
    city = replace(CITY, outside_share=o)
    sim = simulate(city, [ModelParameters({})], years=3)
    p = ModelParameters({})
    px = sim.cooperation @ city.exposure_shares
    expected = 1.0 - p["abatement_rate"] * (1.0 - p["background_share"]) * (1.0 - o) * px
    np.testing.assert_allclose(sim.relative_pm25, expected, rtol=1e-12)
    # a city whose PM2.5 all came from outside would see none of the region's abatement
    assert np.all(sim.relative_pm25[..., 0] <= 1.0)
    assert np.all(sim.relative_pm25[..., -1] >= 1.0 - p["abatement_rate"] * 0.4)
