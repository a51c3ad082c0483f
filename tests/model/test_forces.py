"""Force terms: decomposition sums to Δ, declared affine structure, hand values."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coopgov.model import ModelParameters
from coopgov.model.forces import (
    FEATURE_NAMES,
    FORCE_TERMS,
    Features,
    ForceContext,
    affine_coefficients,
    decompose,
    features,
    payoff_difference,
)
from coopgov.model.synthetic import synthetic_city_data

CITY = synthetic_city_data(12, seed=5)


def _ctx(**overrides):
    p = ModelParameters(overrides)
    return ForceContext(CITY, {k: np.array([[v]]) for k, v in p.items()},
                        fiscal_transfer=np.zeros((1, 1, CITY.n)) + 1e6,
                        compensation_incentive=np.full((1, 1, CITY.n), 2e6))


@given(seed=st.integers(0, 10_000))
@settings(max_examples=50, deadline=None)
def test_decomposition_sums_to_affine_payoff_difference(seed):
    x = np.random.default_rng(seed).random((1, 1, CITY.n))
    ctx = _ctx()
    coef = affine_coefficients(ctx)
    f = features(x, CITY)
    affine = coef[0] + coef[1] * f.x + coef[2] * f.px + coef[3] * f.wx + coef[4] * f.xbar
    total = sum(decompose(x, ctx).values())
    np.testing.assert_allclose(total, affine, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(payoff_difference(x, ctx), affine, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("term", FORCE_TERMS, ids=lambda t: t.name)
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
    # vertical: R + F ℓ p = 0.2 + 2.0 * 0.3 * 0.2 = 0.32
    np.testing.assert_allclose(d["vertical_thrust"], 0.32)
    # promotion: 2.0 * 0.10 = 0.2; legitimacy 0.4 * 0.2 = 0.08; technology -1
    np.testing.assert_allclose(d["promotion"], 0.2)
    np.testing.assert_allclose(d["legitimacy"], 0.08)
    np.testing.assert_allclose(d["technology"], -1.0)
    # information: -0.25 * (1 - 0.1) = -0.225; monitoring: -0.3 * (1 - 0) * (0.2 + 2 * 0.3)
    np.testing.assert_allclose(d["information"], -0.225)
    np.testing.assert_allclose(d["monitoring_disunity"], -0.24)
    # institutional at x = 0: -σ (1 - m) = -0.4 * 0.9
    np.testing.assert_allclose(d["institutional"], -0.36)
    # compensation: incentive / c0 with c0 = u a E
    c0 = 10_000 * 0.2 * CITY.air_emissions
    np.testing.assert_allclose(d["compensation"][0, 0], 2e6 / c0)


def test_families_cover_the_study():
    fams = {t.family for t in FORCE_TERMS}
    assert fams == {"attraction", "pressure", "thrust", "resistance"}


def test_fiscal_transfers_cover_weak_governments_burden():
    ctx0 = ForceContext(CITY, {k: np.array([[v]]) for k, v in ModelParameters().items()})
    x = np.zeros((1, 1, CITY.n))
    weak = CITY.fiscal_capacity < 1
    base = decompose(x, ctx0)["fiscal_imbalance"][0, 0]
    assert np.all(base[weak] < 0) and np.all(base[~weak] >= 0)
    c0 = 10_000 * 0.2 * CITY.air_emissions
    full = ForceContext(CITY, ctx0.params, fiscal_transfer=c0[None, None, :])
    covered = decompose(x, full)["fiscal_imbalance"][0, 0]
    np.testing.assert_allclose(covered, 0.0, atol=1e-12)
