"""Replicator integrator against closed forms and hand-derived rest points."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from coopgov.dynamics import replicator
from coopgov.dynamics.replicator import (
    fixed_points,
    integrate_affine,
    jacobian,
    logistic_closed_form,
    vector_field,
)
from coopgov.testing import strategies as cst


def _run(coef, rate, decay=0.0, noise=0.0, steps=12, x0=0.1, record="year", method="riccati"):
    _, s, y, n = coef.shape
    return integrate_affine(
        np.full((s, n), x0),
        coef,
        np.full((s, y), rate),
        np.full((s, y), decay),
        np.full((s, y), noise),
        np.eye(n),
        np.zeros((n, n)),
        steps_per_year=steps,
        record=record,
        method=method,
    )


@pytest.mark.parametrize(
    "method, atol", [("riccati", 1e-13), ("exponential", 1e-13), ("rk4", 5e-4)]
)
@given(
    x0=st.floats(0.01, 0.99),
    delta=st.floats(-3, 3),
    rate=st.floats(0.1, 3.0),
    scenarios=st.sampled_from([1, replicator._LANES_MIN + 3, replicator._LANES_EXP_MIN + 1]),
)
@settings(max_examples=40, deadline=None)
def test_constant_payoff_matches_logistic_closed_form(method, atol, x0, delta, rate, scenarios):
    # dx/dt = r x (1 - x) Δ has x(t) = x0 e^{rΔt} / (1 - x0 + x0 e^{rΔt}) (Taylor & Jonker 1978).
    # The Riccati and the exponential schemes solve the frozen-rate equation exactly, and
    # with a constant Δ the rates are constant: every state is the closed form to rounding
    # (Richardson's combination of exact values is exact).  The classical RK4 step is
    # fourth order: within 5e-4 up to |rΔ| = 9 per year (the step is split where the
    # stiffness estimate times h exceeds 0.6; just below that threshold the RK4 error of
    # the logistic reaches 3.3e-4, measured).  Every integration path is taken (city axis
    # and scenario axis as the SIMD axis).  The 1e-4 target for the built-in scenarios
    # is tested in tests/dynamics/test_accuracy.py.
    coef = np.zeros((5, scenarios, 10, 3))
    coef[0] = delta
    out = _run(coef, rate, x0=x0, record="step", method=method)
    t = np.arange(out.shape[1]) / (out.shape[1] - 1) * 10
    for s in (0, scenarios - 1):
        np.testing.assert_allclose(
            out[s, :, 0], logistic_closed_form(x0, delta, rate, t), rtol=0, atol=atol
        )


@pytest.mark.parametrize("scenarios", [1, replicator._LANES_MIN + 1])
def test_riccati_step_solves_the_frozen_equation_exactly(scenarios):
    # One uncoupled city with constant Δ, lapse and exploration:
    #   dx/dt = rΔ x (1 - x) - λ x + μ (1 - 2x),  rΔ = 1, λ = 0.2, μ = 0.1,
    # a Riccati equation with constant coefficients.  Its rest point in [0, 1] solves
    # x² - 0.6 x - 0.1 = 0 (hand-derived): x* = (0.6 + sqrt(0.76)) / 2 = 0.735889894354...
    # With u = x - x*, s = sqrt(0.76): u' = -s u - u², so
    #   u(t) = u0 e^{-st} / (1 + u0 (1 - e^{-st}) / s)   (Bernoulli substitution).
    coef = np.zeros((5, scenarios, 8, 1))
    coef[0] = 1.0
    out = _run(coef, 1.0, decay=0.2, noise=0.1, x0=0.05, steps=1)
    s = np.sqrt(0.76)
    x_star = (0.6 + s) / 2
    assert x_star == pytest.approx(0.735889894354, abs=1e-12)
    t = np.arange(9)
    u0 = 0.05 - x_star
    want = x_star + u0 * np.exp(-s * t) / (1 + u0 * (1 - np.exp(-s * t)) / s)
    for k in (0, scenarios - 1):
        np.testing.assert_allclose(out[k, :, 0], want, rtol=0, atol=1e-14)


@given(z=st.lists(st.floats(-50, 50), min_size=1, max_size=64))
@settings(max_examples=100, deadline=None)
def test_integrator_exponential_is_within_one_ulp_of_libm(z):
    z = np.array(z)
    got = replicator.exp(z)
    want = np.exp(z)
    assert np.all(np.abs(got - want) <= np.spacing(want))


def test_integrator_exponential_clips_and_hits_exact_values():
    got = replicator.exp(np.array([0.0, 1.0, -1.0, np.log(2.0), 60.0, -60.0]))
    assert got[0] == 1.0
    np.testing.assert_allclose(got[1:4], [np.e, 1 / np.e, 2.0], rtol=4.5e-16)
    np.testing.assert_allclose(got[4:], np.exp([50.0, -50.0]), rtol=4.5e-16)


@pytest.mark.parametrize("method", replicator.METHODS)
@given(
    x0=cst.cooperation_states(n_cities=13, n_scenarios=70),
    p0=cst.exposure_shares(n=13),
    w=cst.neighbour_weights(n=13),
    seed=st.integers(0, 10_000),
)
@settings(max_examples=6, deadline=None)
def test_batch_path_agrees_with_single_scenario_path(method, x0, p0, w, seed):
    # 70 scenarios take the scenario-as-SIMD-axis path in two blocks (the second one
    # short); each run alone takes the city-axis path.  13 cities: not a multiple of
    # the unrolled widths; the neighbour strategy draws cities without neighbours
    # (empty CSR rows).  The 18,200 payoff coefficients and the rates come from a
    # seeded generator: drawn element by element they would slow the test tenfold.
    rng = np.random.default_rng(seed)
    s_n, y_n, n = 70, 4, 13
    coef = rng.normal(scale=3.0, size=(5, s_n, y_n, n))
    args = (
        x0,
        coef,
        rng.uniform(0.5, 3, (s_n, y_n)),
        rng.uniform(0, 0.5, (s_n, y_n)),
        rng.uniform(0, 0.05, (s_n, y_n)),
        p0,
        w,
    )
    batch = integrate_affine(*args, record="step", method=method)
    for s in (0, 33, 64, 69):
        one = integrate_affine(
            *(a[s : s + 1] for a in args[:1]),
            args[1][:, s : s + 1],
            *(a[s : s + 1] for a in args[2:5]),
            p0,
            w,
            record="step",
            method=method,
        )
        # the two paths order sums and evaluate exp/sqrt differently; the Riccati
        # scheme's extrapolation (4 a - b) / 3 and its repeated split steps amplify
        # that rounding to at most ~2e-12 absolute (seeds 124, 210, 226, 293, 544
        # at x0 = 0, P0 = I, W = 0), so rounding is held to 1e-11 absolute.
        np.testing.assert_allclose(batch[s], one[0], rtol=1e-12, atol=1e-11)


@pytest.mark.parametrize(
    "method, rtol", [("riccati", 1e-13), ("exponential", 1e-13), ("rk4", 1e-8)]
)
def test_decay_and_noise_follow_the_linear_closed_form(method, rtol):
    # Δ = 0: dx/dt = -λ x + μ (1 - 2x) → x(t) = x* + (x0 - x*) e^{-(λ + 2μ) t},
    # x* = μ / (λ + 2μ) = 0.02 / 0.34.  The Riccati and exponential steps are exact
    # here; RK4's error is (0.34 h)^5 / 120 per step.
    coef = np.zeros((5, 1, 60, 2))
    out = _run(coef, 1.0, decay=0.3, noise=0.02, x0=0.9, method=method)
    x_star = 0.02 / 0.34
    t = np.arange(61)
    np.testing.assert_allclose(out[0, :, 0], x_star + (0.9 - x_star) * np.exp(-0.34 * t), rtol=rtol)


@pytest.mark.parametrize("method", replicator.METHODS)
@given(
    coef=hnp.arrays(np.float64, (5, 2, 5, 6), elements=st.floats(-60.0, 60.0)),
    x0=cst.cooperation_states(n_cities=6, n_scenarios=2),
    p0=cst.exposure_shares(n=6),
    w=cst.neighbour_weights(n=6),
)
@settings(max_examples=30, deadline=None)
def test_shares_stay_in_unit_interval(method, coef, x0, p0, w):
    # payoff coefficients up to 60 c0 (steep), states at the edges 0 and 1 included
    for s_n in (2, replicator._LANES_MIN + 1):
        reps = (s_n + 1) // 2
        c = np.concatenate([coef] * reps, axis=1)[:, :s_n]
        out = integrate_affine(
            np.concatenate([x0] * reps)[:s_n],
            c,
            np.full((s_n, 5), 2.0),
            np.full((s_n, 5), 0.3),
            np.full((s_n, 5), 0.01),
            p0,
            w,
            method=method,
        )
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
        out = integrate_affine(
            np.full((1, 2), start),
            c,
            np.ones((1, 200)),
            np.zeros((1, 200)),
            np.full((1, 200), 0.01),
            np.eye(2),
            w,
        )
        end = out[0, -1]
        # the default Riccati step keeps the ODE's rest points (at a rest point the
        # frozen equation's stable root is the state itself)
        assert min(np.abs(end - s).max() for s in stable) < 1e-8


@pytest.mark.parametrize("method", replicator.METHODS)
def test_batch_result_does_not_depend_on_the_batch_it_is_in(method):
    # From 16 scenarios on every lane of the integrator performs the same operations
    # in the same order, so a scenario gives identical bits in any batch, at any
    # position (the last block of 70 is short and repeats its last scenario).
    rng = np.random.default_rng(11)
    s_n, y_n, n = 70, 3, 9
    coef = rng.normal(scale=2.0, size=(5, s_n, y_n, n))
    p0 = rng.random((n, n))
    p0 /= p0.sum(axis=0)
    w = (rng.random((n, n)) < 0.4) * rng.random((n, n))
    w = np.divide(
        w,
        w.sum(axis=1, keepdims=True),
        out=np.zeros_like(w),
        where=w.sum(axis=1, keepdims=True) > 0,
    )
    x0 = rng.random((s_n, n))
    rate, decay, noise = (
        rng.uniform(lo, hi, (s_n, y_n)) for lo, hi in ((0.5, 3.0), (0.0, 0.5), (0.0, 0.05))
    )

    def run(sel):
        return integrate_affine(
            x0[sel],
            coef[:, sel],
            rate[sel],
            decay[sel],
            noise[sel],
            p0,
            w,
            record="step",
            method=method,
        )

    full = run(np.arange(s_n))
    other = run(np.arange(69, 49, -1))  # 20 scenarios, reversed
    np.testing.assert_array_equal(other[::-1], full[50:70])


def test_riccati_controls_its_steps_where_its_estimate_asks_and_gains_accuracy():
    # Two strongly coupled cities with a fast adjustment rate: each city's payoff
    # difference flips sign as the other one cooperates, so the rates frozen over a
    # year (or a quarter) are far off; the step-size controller shrinks those steps.
    from scipy.integrate import solve_ivp

    n, y_n = 2, 6
    coef = np.zeros((5, 1, y_n, n))
    coef[0] = [-2.0, 1.5]
    coef[3] = [6.0, -5.0]  # neighbour term, W = swap
    w = np.array([[0.0, 1.0], [1.0, 0.0]])
    args = (np.full((1, y_n), 4.0), np.full((1, y_n), 0.1), np.full((1, y_n), 0.02))
    x0 = np.array([[0.2, 0.7]])
    split = integrate_affine(x0, coef, *args, np.eye(n), w, lateral=np.full((1, y_n), 0.5))
    fixed = integrate_affine(
        x0,
        coef,
        *args,
        np.eye(n),
        w,
        lateral=np.full((1, y_n), 0.5),
        tolerance=1.0,
        steps_per_year=4,
    )
    x, ref = x0[0], [x0[0]]
    for y in range(y_n):
        a = (coef[:, 0, y], 4.0, 0.1, 0.02, np.eye(n), w, 0.5)
        x = solve_ivp(
            lambda _t, z, a=a: vector_field(z, *a),
            (0, 1),
            x,
            method="LSODA",
            rtol=1e-11,
            atol=1e-13,
        ).y[:, -1]
        ref.append(x)
    err_split = np.abs(split[0] - np.array(ref)).max()
    err_fixed = np.abs(fixed[0] - np.array(ref)).max()
    # measured: 1.6e-4 with the controller (largest step a year), 7.4e-2 with fixed
    # quarter-year steps (a tolerance of 1 accepts every step), 4.2e-1 with fixed years
    assert err_split <= 1e-3
    assert err_split < err_fixed / 30


@pytest.mark.parametrize("method", replicator.METHODS)
@pytest.mark.parametrize("scenarios", [1, replicator._LANES_EXP_MIN + 1])
def test_read_only_and_writable_inputs_share_one_kernel_specialisation(method, scenarios):
    # a read-only input (np.broadcast_to) and a writable one must reach the kernels
    # with the same type, or a timed call could compile a second specialisation
    rng = np.random.default_rng(3)
    n, y_n = 5, 2
    coef = rng.normal(size=(5, scenarios, y_n, n))
    p0 = np.full((n, n), 1.0 / n)
    w = np.full((n, n), 1.0 / n)
    per_year = np.full((scenarios, y_n), 0.5)
    args = (np.full((scenarios, n), 0.3), coef, per_year, per_year, per_year, p0, w)
    kernels = [
        replicator._integrate_ric,
        replicator._integrate_ric_small,
        replicator._integrate_exp,
        replicator._integrate_exp_small,
        replicator._integrate,
        replicator._integrate_small,
    ]
    first = integrate_affine(*args, method=method)
    counts = [len(k.signatures) for k in kernels]
    frozen = []
    for a in args:
        b = np.broadcast_to(a, a.shape)  # a read-only view
        assert not b.flags.writeable
        frozen.append(b)
    again = integrate_affine(*frozen, method=method)
    assert [len(k.signatures) for k in kernels] == counts
    np.testing.assert_array_equal(first, again)


def test_riccati_attempts_count_the_steps_tried_and_are_the_same_in_a_batch():
    # with a tolerance of 1 every step is accepted: exactly one attempt a year per
    # scenario at one step a year; with the default tolerance the scenario that moves
    # fast (a strong payoff difference that changes with its state) tries more steps
    # than the one at rest (a constant Δ: the frozen-rate step is exact)
    y_n, n = 5, 3
    coef = np.zeros((5, 9, y_n, n))
    coef[0, 0] = 6.0  # fast selection towards cooperation, Δ = 6 − 12 x
    coef[1, 0] = -12.0
    args = (np.full((9, y_n), 2.0), np.full((9, y_n), 0.1), np.full((9, y_n), 0.01))
    x0 = np.full((9, n), 0.05)
    fixed = np.empty(9, dtype=np.int64)
    integrate_affine(x0, coef, *args, np.eye(n), np.zeros((n, n)), tolerance=1.0, attempts=fixed)
    assert fixed.tolist() == [y_n] * 9
    tries = np.empty(9, dtype=np.int64)
    batch = integrate_affine(x0, coef, *args, np.eye(n), np.zeros((n, n)), attempts=tries)
    assert tries[0] > tries[1] >= y_n
    one = np.empty(1, dtype=np.int64)
    single = integrate_affine(
        x0[:1], coef[:, :1], *(a[:1] for a in args), np.eye(n), np.zeros((n, n)), attempts=one
    )
    assert one[0] == tries[0]
    np.testing.assert_allclose(single[0], batch[0], rtol=0, atol=1e-12)
    with pytest.raises(ValueError, match="attempts must be"):
        integrate_affine(x0, coef, *args, np.eye(n), np.zeros((n, n)), attempts=np.empty(9))
    with pytest.raises(ValueError, match="attempts must be"):
        integrate_affine(x0, coef, *args, np.eye(n), np.zeros((n, n)), method="rk4", attempts=tries)


@pytest.mark.parametrize("s_n", [1, 20])
def test_riccati_without_a_year_returns_the_clipped_initial_states(s_n):
    # no year to integrate: nothing is read from the (empty) yearly arrays
    n = 3
    x0 = np.tile([-0.5, 0.3, 1.5], (s_n, 1))
    args = (np.zeros((5, s_n, 0, n)), np.ones((s_n, 0)), np.zeros((s_n, 0)), np.zeros((s_n, 0)))
    out = integrate_affine(x0, *args, np.eye(n), np.zeros((n, n)))
    np.testing.assert_array_equal(out, np.tile([0.0, 0.3, 1.0], (s_n, 1, 1)))


def test_riccati_records_each_step_of_record_alike_in_a_batch_and_alone():
    # with four steps of record a year the controller still chooses its own steps
    # within each quarter; a batch of 20 and each run alone record the same states
    rng = np.random.default_rng(3)
    s_n, y_n, n = 20, 3, 13
    coef = rng.normal(scale=3.0, size=(5, s_n, y_n, n))
    x0 = rng.random((s_n, n))
    p0 = rng.dirichlet(np.ones(n), n)
    w = np.roll(np.eye(n), 1, axis=1)
    rates = (
        rng.uniform(0.5, 3, (s_n, y_n)),
        rng.uniform(0, 0.5, (s_n, y_n)),
        rng.uniform(0, 0.05, (s_n, y_n)),
    )
    batch = integrate_affine(x0, coef, *rates, p0, w, record="step", steps_per_year=4)
    assert batch.shape == (s_n, 4 * y_n + 1, n)
    for s in (0, 7, 19):
        one = integrate_affine(
            x0[s : s + 1],
            coef[:, s : s + 1],
            *(r[s : s + 1] for r in rates),
            p0,
            w,
            record="step",
            steps_per_year=4,
        )
        np.testing.assert_allclose(batch[s], one[0], rtol=1e-12, atol=1e-11)
    # the states at the year ends are those of a yearly record at the same largest step
    yearly = integrate_affine(x0, coef, *rates, p0, w, steps_per_year=4)
    np.testing.assert_array_equal(batch[:, ::4], yearly)


@pytest.mark.parametrize("method", replicator.METHODS)
@pytest.mark.parametrize(
    "field, index", [("coef", (1, 0, 1, 2)), ("rate", (0, 1)), ("x0", (0, 2)), ("decay", (0, 0))]
)
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_inputs_are_refused_by_name_and_entry(method, field, index, bad):
    # the kernels assume finite values (their loops end because their estimates are
    # finite): a NaN or infinity is named with its entry instead of integrated
    n, y_n = 3, 2
    inputs = {
        "x0": np.full((1, n), 0.3),
        "coef": np.zeros((5, 1, y_n, n)),
        "rate": np.ones((1, y_n)),
        "decay": np.zeros((1, y_n)),
        "noise": np.zeros((1, y_n)),
    }
    inputs[field][index] = bad
    with pytest.raises(ValueError, match=rf"{field}: entry \(.*\) is .*; must be finite"):
        integrate_affine(
            inputs["x0"],
            inputs["coef"],
            inputs["rate"],
            inputs["decay"],
            inputs["noise"],
            np.eye(n),
            np.zeros((n, n)),
            method=method,
        )
