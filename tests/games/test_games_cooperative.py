"""TU games: Shapley value, nucleolus, core, Nash bargaining."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coopgov.errors import InputError
from coopgov.games.cooperative import (
    coalition_members,
    coalition_sizes,
    core_excess,
    game_table,
    in_core,
    least_core,
    nash_bargaining,
    nucleolus,
    shapley_value,
    shapley_value_sampled,
    subset_sums,
)


def glove_game() -> np.ndarray:
    # Glove game: player 0 owns a left glove, players 1 and 2 a right glove each;
    # a pair is worth 1.
    m = coalition_members(3)
    return np.minimum(m[:, 0], m[:, 1] | m[:, 2]).astype(float)


def bankruptcy_game(estate: float, claims: list[float]) -> np.ndarray:
    # v(S) = max(0, E - sum of claims outside S) (O'Neill 1982).
    m = coalition_members(len(claims))
    outside = (~m).astype(float) @ np.asarray(claims, dtype=float)
    return np.maximum(0.0, estate - outside)


def test_glove_game_shapley_and_nucleolus():
    # Textbook values (e.g. Maschler, Solan & Zamir 2013, Game Theory, ch. 18 and 20):
    # Shapley (2/3, 1/6, 1/6); the core is the single point (1, 0, 0), hence the nucleolus.
    v = glove_game()
    np.testing.assert_allclose(shapley_value(v), [2 / 3, 1 / 6, 1 / 6])
    np.testing.assert_allclose(nucleolus(v), [1.0, 0.0, 0.0], atol=1e-9)
    assert in_core(v, [1.0, 0.0, 0.0])
    assert not in_core(v, shapley_value(v))


@pytest.mark.parametrize(
    ("estate", "expected"),
    [
        # Aumann & Maschler (1985), J. Econ. Theory 36, 195-213, Table 1 (Talmud,
        # claims 100, 200, 300): the nucleolus of the bankruptcy game is the Talmud rule.
        (100, [100 / 3, 100 / 3, 100 / 3]),
        (200, [50, 75, 75]),
        (300, [50, 100, 150]),
    ],
)
def test_nucleolus_of_talmud_bankruptcy_games(estate, expected):
    v = bankruptcy_game(estate, [100, 200, 300])
    np.testing.assert_allclose(nucleolus(v), expected, atol=1e-7)


def test_majority_game_least_core():
    # 3-player simple majority game: empty core; by symmetry the nucleolus is
    # (1/3, 1/3, 1/3) and the least-core value is 1/3 (hand-derived: x_i + x_j >= 1 - eps,
    # summing the three pairs gives 2 >= 3 - 3 eps).
    v = (coalition_sizes(3) >= 2).astype(float)
    np.testing.assert_allclose(nucleolus(v), [1 / 3] * 3, atol=1e-9)
    x, eps = least_core(v)
    assert eps == pytest.approx(1 / 3)
    assert not in_core(v, x)


def test_airport_game_shapley_closed_form():
    # Littlechild & Owen (1973), Management Science 20, 370-372: for the cost game
    # c(S) = max_{i in S} c_i with c sorted, phi_i = sum_{j <= i} (c_j - c_{j-1}) / (n - j + 1).
    c = np.array([1.0, 3.0, 4.0, 8.0, 9.0])
    m = coalition_members(5)
    v = np.where(m, c, 0.0).max(axis=1)
    inc = np.diff(np.r_[0.0, c])
    expected = np.cumsum(inc / (5 - np.arange(5)))
    np.testing.assert_allclose(shapley_value(v), expected)
    # concave cost game: Shapley value is in the core (Shapley 1971)
    assert in_core(v, expected, kind="cost")
    # and the cost nucleolus is in the core too
    assert in_core(v, nucleolus(v, kind="cost"), kind="cost")


def test_sampled_shapley_agrees_with_exact_within_error():
    rng = np.random.default_rng(3)
    n = 9
    v = (1 + 0.5 * rng.random(1 << n)) * coalition_sizes(n) ** 1.5
    v[0] = 0
    exact = shapley_value(v)
    est = shapley_value_sampled(v, n_permutations=20_000, seed=1)
    assert np.all(np.abs(est.value - exact) <= 5 * est.std_error + 1e-12)
    assert est.value.sum() == pytest.approx(v[-1])  # exactly efficient

    # the same game as a vectorised callable, same seed: same estimate
    def value(members):
        return v[(members.astype(np.int64) << np.arange(n)).sum(axis=1)]

    est2 = shapley_value_sampled(value, n, n_permutations=20_000, seed=1)
    np.testing.assert_allclose(est2.value, est.value)


def test_game_table_roundtrip_and_subset_sums():
    def value(members):
        return members.sum(axis=1) ** 2.0

    v = game_table(value, 4)
    np.testing.assert_allclose(v, coalition_sizes(4) ** 2.0)
    np.testing.assert_allclose(subset_sums(np.ones(4)), coalition_sizes(4))


def test_nash_bargaining_tu():
    # Nash (1950): equal split of the surplus over the threat point.
    np.testing.assert_allclose(nash_bargaining(10, [1, 2, 3]), [2.33333333, 3.33333333, 4.33333333])
    np.testing.assert_allclose(nash_bargaining(10, [0, 0], weights=[1, 3]), [2.5, 7.5])
    with pytest.raises(InputError):
        nash_bargaining(1, [1, 2])


def test_bad_tables_are_rejected():
    with pytest.raises(InputError):
        shapley_value(np.zeros(6))
    with pytest.raises(InputError):
        nucleolus(np.array([0.0, 2.0, 2.0, 1.0]))  # empty imputation set


@st.composite
def superadditive_games(draw):
    n = draw(st.integers(2, 6))
    seed = draw(st.integers(0, 2**31))
    rng = np.random.default_rng(seed)
    v = rng.random(1 << n) * coalition_sizes(n) ** 1.3
    v[0] = 0.0
    return v


@settings(max_examples=30, deadline=None)
@given(superadditive_games())
def test_shapley_axioms(v):
    n = int(np.log2(v.size))
    phi = shapley_value(v)
    assert phi.sum() == pytest.approx(v[-1])  # efficiency
    # linearity
    np.testing.assert_allclose(
        shapley_value(2 * v + 1 - (np.arange(v.size) == 0)),
        2 * phi + shapley_value(np.r_[0.0, np.ones(v.size - 1)]),
    )
    # a dummy player gets its stand-alone worth
    w = v.copy()
    for mask in range(1 << n):
        if mask & 1:
            w[mask] = v[mask & ~1] + 0.7
    assert shapley_value(w)[0] == pytest.approx(0.7)


@settings(max_examples=25, deadline=None)
@given(superadditive_games(), st.integers(0, 2**31))
def test_nucleolus_is_lexicographically_minimal(v, seed):
    n = int(np.log2(v.size))
    singles = v[1 << np.arange(n)]
    if singles.sum() > v[-1]:
        return
    x = nucleolus(v)
    assert x.sum() == pytest.approx(v[-1])
    assert np.all(x >= singles - 1e-9)
    rng = np.random.default_rng(seed)
    ex = np.sort(core_excess(v, x)[1:-1])[::-1]
    for _ in range(20):  # random imputations never beat it lexicographically
        y = singles + rng.dirichlet(np.ones(n)) * (v[-1] - singles.sum())
        ey = np.sort(core_excess(v, y)[1:-1])[::-1]
        diff = ey - ex
        first = np.flatnonzero(np.abs(diff) > 1e-7)
        assert first.size == 0 or diff[first[0]] > 0
