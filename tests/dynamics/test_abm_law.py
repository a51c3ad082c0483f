"""The ABM kernel's one-step law, against the switching probabilities derived by hand.

Given the state at the start of a step, the agents switch independently: a
defector of city i with probability ``h · up_i`` and a cooperator with
``h · down_i``, where (derivation in :mod:`coopgov.dynamics.abm`)

    up_i   = x_i r Δ_i⁺ + κ Σ_j W_ij x_j Δ_j⁺ + μ,
    down_i = (1 − x_i) r Δ_i⁻ + κ Δ_i⁻ Σ_j W_ij (1 − x_j) + λ_i + μ,

as long as the event rate R_i (the sum of the rates' bounds) keeps ``R_i h < 1``;
when ``R_i h ≥ 1`` every agent has an event and the probabilities are
``up_i / R_i`` and ``down_i / R_i``.  Δ is the affine field
``c0 + c1 x + c2 (x P0) + c3 (W x) + c4 (x PW)``.  One step is run on many
agents, and the number of switches in each city is compared with its
binomial law (a z-score per city and direction).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coopgov.dynamics.abm import ABMConfig, city_agents, run_abm_coef

N = 4
# a ring of four cities: each has two neighbours, weight 1/2
W = (
    np.array(
        [[0, 1, 0, 1], [1, 0, 1, 0], [0, 1, 0, 1], [1, 0, 1, 0]],
        dtype=float,
    )
    / 2.0
)
P0 = np.array(
    [[0.7, 0.1, 0.1, 0.1], [0.2, 0.6, 0.1, 0.1], [0.05, 0.15, 0.7, 0.1], [0.1, 0.1, 0.2, 0.6]]
)
PW = np.array(
    [[0.5, 0.2, 0.0, 0.0], [0.0, 0.5, 0.2, 0.0], [0.0, 0.0, 0.5, 0.2], [0.0, 0.0, 0.0, 0.5]]
)
C = np.array(
    [
        [0.4, -0.6, 0.2, -0.1],  # c0
        [0.3, 0.3, -0.2, 0.1],  # c1
        [0.5, 0.2, -0.4, 0.3],  # c2 (x P0)
        [-0.2, 0.4, 0.1, 0.2],  # c3 (W x)
        [0.1, -0.3, 0.2, 0.1],  # c4 (x PW)
    ]
)
LAPSE = np.array([0.3, 0.1, 0.2, 0.0])


def _hand_rates(x, r, kappa, mu):
    """Δ, R, up and down of each city at shares x (the formulas of the module docstring)."""
    d = C[0] + C[1] * x + C[2] * (x @ P0) + C[3] * (W @ x) + C[4] * (x @ PW)
    dp, dn = np.maximum(d, 0.0), np.maximum(-d, 0.0)
    nb = W > 0
    bound = np.array([max(dn[i], d[nb[i]].max()) for i in range(N)])
    total = r * np.abs(d) + kappa * bound + LAPSE + mu
    up = x * r * dp + kappa * (W @ (x * dp)) + mu
    down = (1 - x) * r * dn + kappa * dn * (W @ (1 - x)) + LAPSE + mu
    return total, up, down


def _one_step(initial, m, r, kappa, mu, steps, reps, seed):
    coef = C[:, None, :]  # one year
    res = run_abm_coef(
        city_agents(np.full(N, m)),
        coef,
        P0,
        W,
        rate=r,
        lateral=kappa,
        decay=LAPSE[None, :],
        noise=mu,
        water_exposure_shares=PW,
        initial=initial,
        replications=reps,
        seed=seed,
        config=ABMConfig(steps_per_year=steps),
    )
    return res.city_cooperation[:, 0], res.city_cooperation[:, 1]


@pytest.mark.parametrize(
    ("r", "kappa", "mu", "steps", "capped"),
    [
        (0.3, 0.2, 0.05, 1, False),  # R h < 1 in every city: geometric skipping
        (4.0, 3.0, 0.5, 1, True),  # R h ≥ 1 in some cities: every agent has an event
    ],
)
def test_one_step_switching_probabilities_are_the_hand_derived_ones(r, kappa, mu, steps, capped):
    m = 100_000
    h = 1.0 / steps
    # cities all-defecting, all-cooperating and mixed: each direction is seen alone
    for initial in ([0.0, 1.0, 0.4, 0.7], [1.0, 0.0, 0.6, 0.2]):
        x0, x1 = _one_step(np.array(initial), m, r, kappa, mu, steps, reps=6, seed=17)
        z_all = []
        for a, b in zip(x0, x1, strict=True):
            total, up, down = _hand_rates(a, r, kappa, mu)
            p = total * h
            assert capped == bool(np.any(p >= 1.0))
            p_up = np.where(p < 1.0, h * up, up / total)
            p_down = np.where(p < 1.0, h * down, down / total)
            n1 = np.rint(a * m)
            n0 = m - n1
            # net switches to cooperation: a sum of independent Bernoulli trials
            mean = n0 * p_up - n1 * p_down
            var = n0 * p_up * (1 - p_up) + n1 * p_down * (1 - p_down)
            z_all.append((b * m - a * m - mean) / np.sqrt(var))
        z = np.array(z_all)
        assert np.all(np.isfinite(z))
        assert np.abs(z).max() < 4.5, z
        # and not trivially: the field moves the shares by many standard deviations
        assert np.abs(x1 - x0).max() * m > 100


@given(
    counts=st.lists(st.integers(1, 40), min_size=N, max_size=N),
    r=st.floats(0.0, 5.0),
    kappa=st.floats(0.0, 5.0),
    mu=st.floats(0.0, 1.0),
    steps=st.integers(1, 60),
    initial=st.floats(0.0, 1.0),
    seed=st.integers(0, 2**32 - 1),
)
@settings(max_examples=40, deadline=None)
def test_shares_are_counts_of_the_final_state(counts, r, kappa, mu, steps, initial, seed):
    agents = city_agents(counts)
    res = run_abm_coef(
        agents,
        np.repeat(C[:, None, :], 2, axis=1),
        P0,
        W,
        rate=r,
        lateral=kappa,
        decay=np.tile(LAPSE, (2, 1)),
        noise=mu,
        water_exposure_shares=PW,
        initial=initial,
        replications=2,
        seed=seed,
        config=ABMConfig(steps_per_year=steps),
    )
    shares = res.city_cooperation
    assert np.all((shares >= 0.0) & (shares <= 1.0))
    ones = shares * agents.counts
    np.testing.assert_allclose(ones, np.rint(ones), atol=1e-9)
    ptr = agents.city_ptr
    for k in range(2):
        last = [res.final_state[k, ptr[i] : ptr[i + 1]].mean() for i in range(N)]
        np.testing.assert_allclose(shares[k, -1], last, atol=1e-12)


def _kwargs(**over):
    kw = {
        "coef": C[:, None, :],
        "exposure_shares": P0,
        "neighbour_weights": W,
        "rate": 1.0,
        "lateral": 0.5,
        "decay": 0.1,
        "noise": 0.02,
        "replications": 1,
    }
    kw.update(over)
    return kw


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"coef": np.zeros((5, 1, 3))}, r"coef: expected shape \(5, years, 4\)"),
        ({"coef": np.full((5, 1, 4), np.nan)}, r"coef: entry \(0, 0, 0\) is nan"),
        ({"exposure_shares": np.eye(3)}, r"exposure_shares: expected a number or shape \(4, 4\)"),
        ({"rate": -1.0}, r"rate: entry \(0,\) is -1.0; must be finite, at least 0.0"),
        ({"noise": [0.1, 0.2]}, r"noise: expected a number or shape \(1,\), got shape \(2,\)"),
        ({"decay": np.full((1, 4), np.inf)}, r"decay: entry \(0, 0\) is inf"),
        ({"initial": 1.5}, r"initial: entry \(0,\) is 1.5; must be finite, at least 0.0, at most"),
        ({"neighbour_weights": np.where(W > 0, 0.3, 0.0)}, r"neighbour_weights: .*row 0"),
        ({"neighbour_weights": -W}, r"neighbour_weights: entry \(0, 1\) is -0.5"),
        ({"replications": -1}, "replications: must be at least 0"),
        ({"config": ABMConfig(steps_per_year=0)}, "steps_per_year: must be at least 1"),
    ],
)
def test_bad_input_is_named(over, message):
    with pytest.raises(ValueError, match=message):
        run_abm_coef(city_agents(np.full(N, 5)), **_kwargs(**over))


def test_updated_field_equals_the_field_evaluated_in_full():
    # Δ is followed through a year of share changes by updates; it must stay the
    # affine field of the current shares (rounding only)
    from coopgov.dynamics.abm import _delta_add, _delta_into, _field_matrix

    coef = np.ascontiguousarray(C[:, None, :])
    at = np.empty((N, N))
    _field_matrix(at, coef, 0, P0, np.ascontiguousarray(W.T), PW)
    rng = np.random.default_rng(2)
    x = rng.random(N)
    d = np.empty(N)
    _delta_into(d, x, coef, 0, at)
    np.testing.assert_allclose(
        d, C[0] + C[1] * x + C[2] * (x @ P0) + C[3] * (W @ x) + C[4] * (x @ PW)
    )
    for _ in range(48 * N):
        i = int(rng.integers(N))
        new = rng.random()
        _delta_add(d, i, new - x[i], coef, 0, at)
        x[i] = new
    full = C[0] + C[1] * x + C[2] * (x @ P0) + C[3] * (W @ x) + C[4] * (x @ PW)
    np.testing.assert_allclose(d, full, rtol=0, atol=1e-12)
