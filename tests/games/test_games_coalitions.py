"""Coalition stability: published symmetric results and asymmetric enumeration."""

from __future__ import annotations

from math import comb

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize_scalar

from coopgov.errors import InputError
from coopgov.games.coalitions import (
    barrett_game,
    coalition_payoffs_linear_quadratic,
    coalition_payoffs_quadratic,
    coalition_stability,
    linear_quadratic_game,
    optimal_sharing_payoffs,
    quadratic_quadratic_game,
    symmetric_game,
    symmetric_stability,
)
from coopgov.games.cooperative import coalition_members
from coopgov.testing.strategies import bounded_arrays


def test_linear_quadratic_payoffs_closed_form():
    # Hand derivation (Barrett 1994 sect. 5; Finus 2003): q_n = b/c, q_s = k b/c,
    # pi_s(k) = b^2/c (k^2/2 + N - k), pi_n(k) = b^2/c (k^2 + N - k - 1/2).
    n, b, c = 5, 2.0, 1.0
    g = linear_quadratic_game(n, b, c)
    k = np.arange(1, n + 1)
    np.testing.assert_allclose(g.member_payoff[1:], b**2 / c * (k**2 / 2 + n - k))
    k = np.arange(0, n)
    np.testing.assert_allclose(g.nonmember_payoff[:-1], b**2 / c * (k**2 + n - k - 0.5))


@pytest.mark.parametrize(
    ("ties", "expected"),
    [
        # pi_s(k) - pi_n(k-1) = -(b^2/2c)(k-1)(k-3): ties at k = 3 (internal) and at the
        # move 2 -> 3 (external).  Carraro & Siniscalco (1993) and Finus (2003) let
        # indifferent countries join: k* = 3.
        ("join", [3]),
        ("stay", [2, 3]),
        ("leave", [2]),
    ],
)
@pytest.mark.parametrize("n", [3, 10, 50])
def test_linear_quadratic_stable_sizes(ties, expected, n):
    stab = symmetric_stability(linear_quadratic_game(n, 0.7, 2.5), ties=ties)
    assert stab.stable_sizes == expected


def _cournot_payoffs(n, b, c, a, k):
    # Independent solution of the first-order conditions as a linear system:
    # c q_s = k (b/N)(a - Q), c q_n = (b/N)(a - Q), Q = k q_s + (N - k) q_n.
    m = np.array([[c + k * k * b / n, (n - k) * k * b / n], [k * b / n, c + (n - k) * b / n]])
    q_s, q_n = np.linalg.solve(m, [k * b / n * a, b / n * a])
    total = k * q_s + (n - k) * q_n
    common = b / n * (a * total - total**2 / 2)
    return common - c * q_s**2 / 2, common - c * q_n**2 / 2


@pytest.mark.parametrize("gamma", [0.5, 2.0, 10.0])
def test_quadratic_quadratic_matches_linear_system(gamma):
    n, b, a = 10, 1.0, 100.0
    g = quadratic_quadratic_game(n, b, gamma * b, a)
    for k in range(1, n):
        pm, pn = _cournot_payoffs(n, b, gamma * b, a, k)
        assert g.member_payoff[k] == pytest.approx(pm)
        assert g.nonmember_payoff[k] == pytest.approx(pn)


@pytest.mark.parametrize(
    ("n", "gamma", "expected"),
    [
        # Nash-Cournot moves: at most a pair is stable (Barrett 1994 sect. 3;
        # Finus 2003).  Hand-checked with the linear system above: for N = 10 a pair is
        # profitable only when gamma = c/b exceeds about 2.2; below that no coalition of
        # two or more is stable.
        (10, 10.0, [2]),
        (10, 100.0, [2]),
        (100, 10.0, [2]),
        (10, 0.5, []),
    ],
)
def test_quadratic_quadratic_simultaneous_stable_sizes(n, gamma, expected):
    stab = symmetric_stability(quadratic_quadratic_game(n, 1.0, gamma, 100.0))
    assert stab.stable_sizes == expected


def _stackelberg_numeric(n, b, c, a, k):
    # Followers' equilibrium for given q_s from their first-order condition, then the
    # leaders' joint welfare maximised numerically.
    def follower(q_s):
        return max(0.0, (b / n) * (a - k * q_s) / (c + (n - k) * b / n))

    def welfare(q_s):
        total = k * q_s + (n - k) * follower(q_s)
        return -(b / n * (a * total - total**2 / 2) - c * q_s**2 / 2)

    res = minimize_scalar(welfare, bounds=(0, a), method="bounded", options={"xatol": 1e-12})
    q_s = res.x
    q_n = follower(q_s)
    total = k * q_s + (n - k) * q_n
    common = b / n * (a * total - total**2 / 2)
    return common - c * q_s**2 / 2, common - c * q_n**2 / 2


@pytest.mark.parametrize("gamma", [0.1, 1.0, 10.0])
def test_barrett_matches_numeric_stackelberg(gamma):
    n, b, a = 20, 1.0, 10.0
    g = barrett_game(n, b, gamma * b, a)
    for k in (1, 2, 5, 11, 19):
        pm, pn = _stackelberg_numeric(n, b, gamma * b, a, k)
        assert g.member_payoff[k] == pytest.approx(pm, rel=1e-6)
        assert g.nonmember_payoff[k] == pytest.approx(pn, rel=1e-6)


@pytest.mark.parametrize(
    ("n", "gamma", "expected"),
    [
        # Barrett (1994), signatories as Stackelberg leader: the stable size can be
        # anything from 2 to N depending on gamma = c/b (Barrett 1994 sect. 4; restated by
        # Rubio & Ulph 2006).  Values from the closed form, checked against the numeric
        # Stackelberg solution above.
        (10, 0.01, [10]),  # the grand coalition is self-enforcing
        (100, 0.01, [51]),
        (100, 0.1, [11]),
        (100, 1.0, [3]),
        (100, 100.0, [2]),
    ],
)
def test_barrett_stable_sizes(n, gamma, expected):
    assert symmetric_stability(barrett_game(n, 1.0, gamma, 100.0)).stable_sizes == expected


def test_barrett_size_falls_with_gamma():
    sizes = [
        symmetric_stability(barrett_game(50, 1.0, g, 1.0)).stable_sizes[0]
        for g in (0.0001, 0.005, 0.02, 0.1, 0.5, 2.0, 10.0, 100.0)
    ]
    assert sizes == sorted(sizes, reverse=True)
    assert sizes[0] == 50 and sizes[-1] == 2


def test_symmetric_game_dispatch_and_errors():
    assert symmetric_game("barrett", 5, 1, 1, 1).model == "barrett"
    with pytest.raises(InputError):
        symmetric_game("bogus", 5, 1, 1)  # type: ignore[arg-type]
    with pytest.raises(InputError):
        linear_quadratic_game(1, 1, 1)
    with pytest.raises(InputError):
        linear_quadratic_game(5, 1, -1)
    with pytest.raises(InputError):
        symmetric_stability(linear_quadratic_game(5, 1, 1), ties="maybe")  # type: ignore[arg-type]


@pytest.mark.parametrize("transfers", [False, True])
def test_enumeration_reproduces_symmetric_linear_quadratic(transfers):
    n = 8
    res = coalition_stability(
        lambda m: coalition_payoffs_linear_quadratic(m, np.full(n, 0.5), np.full(n, 2.0)),
        n,
        transfers=transfers,
    )
    sizes = [len(s) for s in res.stable_coalitions]
    assert sorted(sizes) == sorted([2] * comb(n, 2) + [3] * comb(n, 3))


def test_enumeration_reproduces_symmetric_quadratic():
    n = 6
    res = coalition_stability(
        lambda m: coalition_payoffs_quadratic(m, np.full(n, 1.0 / n), np.full(n, 10.0), 100.0), n
    )
    assert {len(s) for s in res.stable_coalitions} == {2}
    sym = quadratic_quadratic_game(n, 1.0, 10.0, 100.0)
    members = coalition_members(n)
    table = coalition_payoffs_quadratic(members, np.full(n, 1.0 / n), np.full(n, 10.0), 100.0)
    assert table[0b111, 0] == pytest.approx(sym.member_payoff[3])
    assert table[0b111, 5] == pytest.approx(sym.nonmember_payoff[3])


@st.composite
def linear_quadratic_players(draw):
    """n in 3..8 players, benefit b and cost c slopes in [0.2, 1.2], five coalitions to share."""
    n = draw(st.integers(3, 8))
    b = draw(bounded_arrays(n, 0.2, 1.2))
    c = draw(bounded_arrays(n, 0.2, 1.2))
    masks = draw(st.lists(st.integers(1, (1 << n) - 1), min_size=5, max_size=5))
    return b, c, masks


@settings(max_examples=25, deadline=None)
@given(linear_quadratic_players())
def test_transfers_weakly_enlarge_internal_stability(players):
    b, c, masks = players
    n = b.size
    table = coalition_payoffs_linear_quadratic(coalition_members(n), b, c)
    plain = coalition_stability(table)
    with_t = coalition_stability(table, transfers=True)
    # an internally stable coalition has non-negative surplus: potentially internally stable
    assert np.all(with_t.internal[plain.internal])
    # the optimal sharing rule distributes exactly the coalition's joint payoff, and gives
    # every member at least its free-riding payoff when the surplus is >= 0 (Weikard 2009)
    for mask in masks:
        x = optimal_sharing_payoffs(table, int(mask))
        member = (int(mask) >> np.arange(n)) & 1 == 1
        assert x[member].sum() == pytest.approx(table[mask][member].sum())
        free = table[int(mask) ^ (1 << np.arange(n)), np.arange(n)]
        if with_t.surplus[mask] >= 0:
            assert np.all(x[member] >= free[member] - 1e-9)


def test_enumeration_handles_fifteen_players():
    n = 15
    rng = np.random.default_rng(0)
    res = coalition_stability(
        lambda m: coalition_payoffs_linear_quadratic(m, 0.5 + rng.random(n), 1 + np.arange(n) / n),
        n,
        transfers=True,
    )
    assert res.internal.shape == (1 << n,)
    assert res.stable_coalitions  # at least one stable coalition exists
