"""Force terms: decomposition sums to Δ, declared affine structure, hand values."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coopgov.model import ModelParameters
from coopgov.model.forces import (
    FEATURE_NAMES,
    FORCE_TERMS,
    PAYOFF_TERMS,
    Features,
    ForceContext,
    affine_coefficients,
    decompose,
    features,
    lateral_flow,
    payoff_difference,
    shared_interest,
)
from coopgov.model.parameters import PARAMETER_INFO
from coopgov.model.synthetic import synthetic_city_data
from coopgov.testing import strategies as cst

CITY = synthetic_city_data(12, seed=5)


def _ctx(**overrides):
    p = ModelParameters(overrides)
    return ForceContext(
        CITY,
        {k: np.array([[v]]) for k, v in p.items()},
        fiscal_transfer=np.zeros((1, 1, CITY.n)) + 1e6,
        compensation_incentive=np.full((1, 1, CITY.n), 2e6),
    )


@given(state=cst.cooperation_states(n_cities=CITY.n))
@settings(max_examples=50, deadline=None)
def test_decomposition_sums_to_affine_payoff_difference(state):
    x = state.reshape(1, 1, CITY.n)
    ctx = _ctx()
    coef = affine_coefficients(ctx)
    f = features(x, CITY)
    affine = coef[0] + coef[1] * f.x + coef[2] * f.px + coef[3] * f.wx + coef[4] * f.qx
    total = sum(decompose(x, ctx, lateral=False).values())
    np.testing.assert_allclose(total, affine, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(payoff_difference(x, ctx), affine, rtol=1e-12, atol=1e-12)
    # with the lateral imitation as its equivalent payoff, the terms add up to the flow
    full = decompose(x, ctx)
    lateral = lateral_flow(x, affine, CITY.neighbour_weights, 0.5)
    # ... inside (0, 1): at x = 0 or 1 a defector can still copy a cooperating neighbour,
    # but no payoff times x (1 - x) = 0 gives that flow; there the equivalent payoff is
    # floored (lateral_equivalent) and stays finite
    inner = x * (1 - x) >= 1e-9
    np.testing.assert_allclose(
        (full["lateral_thrust"] * 1.0 * x * (1 - x))[inner], lateral[inner], rtol=1e-9, atol=1e-12
    )
    assert np.all(np.isfinite(full["lateral_thrust"]))


@pytest.mark.parametrize("term", PAYOFF_TERMS, ids=lambda t: t.name)
def test_each_term_is_affine_in_exactly_its_declared_features(term):
    rng = np.random.default_rng(0)
    ctx = _ctx()
    zero = term.function(Features(0.0, 0.0, 0.0, 0.0), ctx)
    vals = rng.random(4)
    got = term.function(Features(*vals), ctx)
    expect = zero
    for k, name in enumerate(FEATURE_NAMES):
        unit = Features(*(1.0 if j == k else 0.0 for j in range(4)))
        slope = term.function(unit, ctx) - zero
        if name not in term.depends_on:
            np.testing.assert_allclose(slope, 0.0, atol=1e-15, err_msg=f"{term.name} {name}")
        expect = expect + slope * vals[k]
    np.testing.assert_allclose(got, expect, rtol=1e-12, atol=1e-12)


def test_hand_values_of_constant_terms():
    ctx = _ctx()
    x = np.zeros((1, 1, CITY.n))
    d = decompose(x, ctx)
    # vertical: R + F ℓ d = 0.2 + 2.0 * 0.3 * 0.2 = 0.32
    np.testing.assert_allclose(d["vertical_thrust"], 0.32)
    # promotion: 2.0 * 0.10 = 0.2; legitimacy 0.4 * 0.2 = 0.08; technology -1
    np.testing.assert_allclose(d["promotion"], 0.2)
    np.testing.assert_allclose(d["legitimacy"], 0.08)
    np.testing.assert_allclose(d["technology"], -1.0)
    # information: -0.25 * (1 - 0.1) = -0.225
    np.testing.assert_allclose(d["information"], -0.225)
    # monitoring errors with disunited standards (υ = 0): fp 0.15 + fn 0.30, of the stake 0.32
    np.testing.assert_allclose(d["monitoring_disunity"], -0.32 * 0.45)
    # institutional at x = 0: -σ (1 - m) = -0.4 * (1 - 0.1), m the mean of six parts at 0.1
    np.testing.assert_allclose(d["institutional"], -0.36)
    # bottom-up: b (ν + (1 - ν) δ) = 0.4 * (0.3 + 0.7 * 0.2) = 0.176, with nobody cooperating
    np.testing.assert_allclose(d["bottom_up_thrust"], 0.176)
    # public opinion: ρ δ pop/mean = 1.0 * 0.2 * pop_rel
    np.testing.assert_allclose(d["public_opinion"][0, 0], 0.2 * CITY.population_relative)
    # compensation: incentive / c0 with c0 = u a E
    c0 = 10_000 * 0.2 * CITY.air_emissions
    np.testing.assert_allclose(d["compensation"][0, 0], 2e6 / c0)
    # water: -τ u_w a_w L / c0 = -2000 * 0.2 * L / c0
    np.testing.assert_allclose(d["water_abatement"][0, 0], -2000 * 0.2 * CITY.water_load_total / c0)


def test_families_cover_the_study():
    fams = {t.family for t in FORCE_TERMS}
    assert fams == {"attraction", "pressure", "thrust", "resistance"}


def test_fiscal_transfers_offset_at_most_the_fiscal_resistance():
    ctx0 = ForceContext(CITY, {k: np.array([[v]]) for k, v in ModelParameters().items()})
    x = np.zeros((1, 1, CITY.n))
    weak = CITY.fiscal_capacity < 1
    base = decompose(x, ctx0)["fiscal_imbalance"][0, 0]
    assert np.all(base[weak] < 0) and np.all(base[~weak] == 0)
    assert np.all(decompose(x, ctx0)["fiscal_transfer"] == 0)
    c0 = 10_000 * 0.2 * CITY.air_emissions
    # a transfer of five times the abatement cost still only offsets the extra weight
    full = ForceContext(CITY, ctx0.params, fiscal_transfer=5 * c0[None, None, :])
    d = decompose(x, full)
    np.testing.assert_allclose(d["fiscal_imbalance"] + d["fiscal_transfer"], 0.0, atol=1e-12)
    half = ForceContext(CITY, ctx0.params, fiscal_transfer=0.01 * c0[None, None, :])
    d = decompose(x, half)
    assert np.all(d["fiscal_imbalance"] + d["fiscal_transfer"] <= 1e-12)


_BOX = {name: info.bounds for name, info in PARAMETER_INFO.items()}


@st.composite
def _params(draw):
    return {n: draw(st.floats(lo, hi, allow_nan=False)) for n, (lo, hi) in _BOX.items()}


@given(p=_params())
@settings(max_examples=100, deadline=None)
def test_central_stake_net_of_errors_is_never_negative(p):
    ctx = ForceContext(CITY, {k: np.array([[v]]) for k, v in p.items()})
    d = decompose(np.zeros((1, 1, CITY.n)), ctx, lateral=False)
    assert np.all(d["vertical_thrust"] + d["monitoring_disunity"] >= -1e-12)


@given(p=_params(), moved=st.floats(0.01, 0.9), x=st.floats(0.01, 1.0))
@settings(max_examples=100, deadline=None)
def test_shared_interest_grows_with_the_share_of_pollution_from_outside(p, moved, x):
    """Study 3.1: a city that cannot govern alone gains more from the agreement.

    Move part of city 0's own contribution to its PM2.5 onto the other
    emitters (same total, same cooperation everywhere): its shared interest
    must not fall, and rises when the joint mechanism is mature at all.
    """
    from dataclasses import replace

    t = np.array(CITY.air_transfer)
    e = CITY.air_emissions
    own_before = t[0, 0] * e[0]
    t[0, 0] *= 1.0 - moved
    others = np.arange(1, CITY.n)
    t[others, 0] += moved * own_before * e[others] / (e[others] ** 2).sum()
    shifted = replace(CITY, air_transfer=t)
    assert shifted.exposure_shares[0, 0] < CITY.exposure_shares[0, 0]
    state = np.full((1, 1, CITY.n), x)

    def attraction(city):
        ctx = ForceContext(city, {k: np.array([[v]]) for k, v in p.items()})
        return shared_interest(features(state, city), ctx)[0, 0, 0]

    assert attraction(shifted) >= attraction(CITY) - 1e-12


def _agrees_with_probe(ctx):
    from coopgov.model.forces import probed_affine_coefficients

    got, ref = affine_coefficients(ctx), probed_affine_coefficients(ctx)
    assert got.shape == ref.shape
    np.testing.assert_array_less(np.abs(got - ref), 1e-12 * np.maximum(np.abs(ref), 1.0))


@given(
    base=cst.parameter_sets(),
    other=cst.parameter_sets(),
    transfer=st.floats(0.0, 1e10),
    incentive=st.floats(-1e9, 1e9),
    seed=st.integers(0, 2**32 - 1),
)
@settings(max_examples=60, deadline=None)
def test_closed_form_coefficients_equal_the_probed_terms(base, other, transfer, incentive, seed):
    # two scenarios, three years, parameters by scenario, by year and, for some, by city
    rng = np.random.default_rng(seed)
    p0, p1 = ModelParameters(base), ModelParameters(other)
    params = {k: np.array([p0[k], p1[k]]).reshape(2, 1, 1) for k in PARAMETER_INFO}
    for name in rng.choice(sorted(PARAMETER_INFO), size=6, replace=False):
        lo, hi = PARAMETER_INFO[name].bounds
        shape = (2, 3, CITY.n) if rng.random() < 0.5 else (2, 3, 1)
        params[name] = rng.uniform(max(lo, 1e-3), hi, shape)
    ctx = ForceContext(
        CITY,
        params,
        fiscal_transfer=transfer * rng.random((2, 3, CITY.n)),
        compensation_incentive=incentive * rng.random((2, 3, CITY.n)),
    )
    _agrees_with_probe(ctx)
    # scalars and a context without transfers
    scalar = ForceContext(CITY, dict(p0))
    _agrees_with_probe(scalar)


def test_coefficients_of_contexts_of_any_number_of_axes_equal_the_probed_terms():
    # scalars, per-city vectors and four leading axes all take the general path
    p = ModelParameters({"disclosure": 0.4, "jm_consultation": 0.5})
    rng = np.random.default_rng(3)
    scalar = ForceContext(CITY, dict(p.items()), fiscal_transfer=1e6)
    _agrees_with_probe(scalar)
    assert affine_coefficients(scalar).shape == (5, CITY.n)
    params = {k: np.full((2, 1, 3, 1, 1), v) for k, v in p.items()}
    params["abatement_rate"] = rng.uniform(0.1, 0.4, (2, 1, 3, 2, CITY.n))
    deep = ForceContext(CITY, params, compensation_incentive=np.full(CITY.n, 3e6))
    _agrees_with_probe(deep)
    assert affine_coefficients(deep).shape == (5, 2, 1, 3, 2, CITY.n)


def test_coefficients_refuse_arrays_that_do_not_broadcast():
    params = {k: np.full((2, 1, 1), v) for k, v in ModelParameters().items()}
    params["detection"] = np.full((3, 1, 1), 0.2)  # three scenarios among two
    with pytest.raises(ValueError):
        affine_coefficients(ForceContext(CITY, params))
