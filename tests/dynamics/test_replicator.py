"""Replicator integrator against closed forms and hand-derived rest points."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coopgov.dynamics.replicator import (
    fixed_points,
    integrate_affine,
    jacobian,
    logistic_closed_form,
    vector_field,
)


def _run(coef, rate, decay=0.0, noise=0.0, steps=12, x0=0.1, record="year"):
    _, s, y, n = coef.shape
    return integrate_affine(np.full((s, n), x0), coef, np.full((s, y), rate),
                            np.full((s, y), decay), np.full((s, y), noise), np.eye(n),
                            np.zeros((n, n)), steps_per_year=steps, record=record)


@given(x0=st.floats(0.01, 0.99), delta=st.floats(-3, 3), rate=st.floats(0.1, 3.0))
@settings(max_examples=60, deadline=None)
def test_constant_payoff_matches_logistic_closed_form(x0, delta, rate):
    # dx/dt = r x (1 - x) Δ has x(t) = x0 e^{rΔt} / (1 - x0 + x0 e^{rΔt}) (Taylor & Jonker 1978);
    # the exponential step is exact for constant Δ, so every monthly state matches.
    coef = np.zeros((5, 1, 10, 3))
    coef[0] = delta
    out = _run(coef, rate, x0=x0, record="step")
    t = np.arange(121) / 12
    np.testing.assert_allclose(out[0, :, 0], logistic_closed_form(x0, delta, rate, t),
                               rtol=1e-9, atol=1e-12)


def test_decay_and_noise_follow_the_linear_closed_form():
    # Δ = 0: dx/dt = -λ x + μ (1 - 2x) → x(t) = x* + (x0 - x*) e^{-(λ + 2μ) t},
    # x* = μ / (λ + 2μ) = 0.02 / 0.34.
    coef = np.zeros((5, 1, 60, 2))
    out = _run(coef, 1.0, decay=0.3, noise=0.02, x0=0.9)
    x_star = 0.02 / 0.34
    t = np.arange(61)
    np.testing.assert_allclose(out[0, :, 0], x_star + (0.9 - x_star) * np.exp(-0.34 * t),
                               rtol=1e-12)


@given(seed=st.integers(0, 10_000), scale=st.floats(0.1, 20.0))
@settings(max_examples=40, deadline=None)
def test_shares_stay_in_unit_interval(seed, scale):
    rng = np.random.default_rng(seed)
    n = 6
    coef = rng.normal(scale=scale, size=(5, 2, 5, n))
    p0 = rng.random((n, n))
    p0 /= p0.sum(axis=0)
    w = rng.random((n, n))
    w /= w.sum(axis=1, keepdims=True)
    out = integrate_affine(rng.random((2, n)), coef, np.full((2, 5), 2.0),
                           np.full((2, 5), 0.3), np.full((2, 5), 0.01), p0, w)
    assert np.all((out >= 0) & (out <= 1))


def test_rest_points_of_uncoupled_city_match_hand_derivation():
    # f(x) = r x (1 - x) Δ - λ x: rest points 0 and x* = 1 - λ/(rΔ);
    # f'(0) = rΔ - λ, f'(x*) = λ - rΔ.   With r = 1, Δ = 0.5, λ = 0.2: x* = 0.6.
    coef = np.zeros((5, 1))
    coef[0] = 0.5
    pts = fixed_points(coef, 1.0, 0.2, 0.0, np.eye(1), np.zeros((1, 1)))
    by_x = {round(float(p.x[0]), 9): p for p in pts}
    assert set(by_x) == {0.0, 0.6}
    assert by_x[0.0].eigenvalues[0].real == pytest.approx(0.3)
    assert not by_x[0.0].stable
    assert by_x[0.6].eigenvalues[0].real == pytest.approx(-0.3)
    assert by_x[0.6].stable


def test_jacobian_matches_finite_differences():
    rng = np.random.default_rng(3)
    n = 5
    coef = rng.normal(size=(5, n))
    p0 = rng.random((n, n))
    w = rng.random((n, n))
    x = rng.random(n)
    args = (coef, 1.3, 0.2, 0.01, p0, w)
    num = np.empty((n, n))
    h = 1e-6
    for j in range(n):
        e = np.zeros(n)
        e[j] = h
        num[:, j] = (vector_field(x + e, *args) - vector_field(x - e, *args)) / (2 * h)
    np.testing.assert_allclose(jacobian(x, *args), num, rtol=1e-6, atol=1e-8)


def test_rest_points_stable_ones_attract_integration():
    # Coupled two-city coordination: Δ_i = -0.5 + 1.5 x_j; both 0 and the cooperative
    # state are stable; integration from near each lands on the stable rest point found.
    coef = np.zeros((5, 2))
    coef[0] = -0.5
    coef[3] = 1.5  # neighbour term, W = swap
    w = np.array([[0.0, 1.0], [1.0, 0.0]])
    pts = fixed_points(coef, 1.0, 0.0, 0.01, np.eye(2), w)
    stable = [p.x for p in pts if p.stable]
    assert len(stable) == 2
    for start in (0.05, 0.95):
        c = np.broadcast_to(coef[:, None, None, :], (5, 1, 200, 2))
        out = integrate_affine(np.full((1, 2), start), c, np.ones((1, 200)), np.zeros((1, 200)),
                               np.full((1, 200), 0.01), np.eye(2), w)
        end = out[0, -1]
        # Lie splitting of selection and exploration moves the discrete rest point by
        # O(h μ) ~ 1e-3 at monthly steps
        assert min(np.abs(end - s).max() for s in stable) < 2e-3
