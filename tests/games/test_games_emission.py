"""Source-receptor emission game (Mäler 1989) and Chander-Tulkens transfers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coopgov.errors import InputError
from coopgov.games.cooperative import (
    _prefix_values_generic,
    coalition_members,
    game_table,
    in_core,
    shapley_value,
    shapley_value_sampled,
)
from coopgov.games.emission import (
    EmissionCoalitionGame,
    EmissionGame,
    calibrate_emission_game,
    chander_tulkens_transfers,
    emission_coalition_payoffs,
    emission_payoffs,
    emissions_cooperative,
    emissions_nash,
    solve_emission_game,
    surplus_sharing_transfers,
)
from coopgov.testing.strategies import bounded_arrays


def two_city_game() -> EmissionGame:
    return EmissionGame(
        transfer=np.array([[0.5, 0.3], [0.2, 0.6]]),
        intercept=np.array([10.0, 10.0]),
        slope=np.array([1.0, 2.0]),
        damage=np.array([2.0, 4.0]),
    )


def random_game(n: int, seed: int, uniform: bool = False) -> EmissionGame:
    rng = np.random.default_rng(seed)
    if uniform:  # uniformly mixed pollutant: every tonne reaches every city
        t = np.ones((n, n))
    else:
        t = rng.random((n, n)) * 0.1
        np.fill_diagonal(t, 0.2 + 0.4 * rng.random(n))
    return EmissionGame(
        transfer=t,
        intercept=50 + 50 * rng.random(n),
        slope=0.5 + rng.random(n),
        damage=0.5 + 2 * rng.random(n),
    )


@st.composite
def emission_games(draw, sizes, uniform=None):
    """Emission games with the ranges of :func:`random_game`, every array drawn.

    Local spill-overs T[i, j] in [0, 0.1] off the diagonal and [0.2, 0.6] on
    it, or all ones for a uniformly mixed pollutant; intercepts in [50, 100],
    slopes in [0.5, 1.5], damages in [0.5, 2.5].
    """
    n = draw(sizes)
    if draw(st.booleans() if uniform is None else uniform):
        t = np.ones((n, n))
    else:
        t = draw(bounded_arrays((n, n), 0.0, 0.1))
        np.fill_diagonal(t, draw(bounded_arrays(n, 0.2, 0.6)))
    return EmissionGame(
        transfer=t,
        intercept=draw(bounded_arrays(n, 50.0, 100.0)),
        slope=draw(bounded_arrays(n, 0.5, 1.5)),
        damage=draw(bounded_arrays(n, 0.5, 2.5)),
    )


def test_two_city_hand_example():
    # Hand-derived: Nash e_i = (a_i - gamma_i T_ii)/b_i = (10 - 1, (10 - 2.4)/2) = (9, 3.8);
    # cooperation e_i = (a_i - sum_j T_ij gamma_j)/b_i = (10 - 2.2, (10 - 2.8)/2) = (7.8, 3.6).
    g = two_city_game()
    np.testing.assert_allclose(emissions_nash(g), [9.0, 3.8])
    np.testing.assert_allclose(emissions_cooperative(g), [7.8, 3.6])
    # payoffs at Nash: B = (10*9 - 81/2, 10*3.8 - 3.8^2) = (49.5, 23.56);
    # D_1 = 2*(0.5*9 + 0.2*3.8) = 10.52, D_2 = 4*(0.3*9 + 0.6*3.8) = 19.92
    payoff, benefit, damage = emission_payoffs(emissions_nash(g), g)
    np.testing.assert_allclose(benefit, [49.5, 23.56])
    np.testing.assert_allclose(damage, [10.52, 19.92])
    res = solve_emission_game(g)
    assert res.total_gain > 0


def test_calibration_reproduces_baseline():
    rng = np.random.default_rng(1)
    n = 12
    t = rng.random((n, n)) * 0.05
    np.fill_diagonal(t, 0.3)
    e = 1e4 + 1e4 * rng.random(n)
    pop = 1e6 * (1 + rng.random(n))
    gdp = pop * 1e5 * (1 + rng.random(n))
    g = calibrate_emission_game(e, t, pop, gdp)
    np.testing.assert_allclose(emissions_nash(g), e)
    # damage parameter: mean-city damage times population and income^elasticity ratios
    income = gdp / pop
    expected = 12_000.0 * pop / pop.mean() * (income / income.mean()) ** 0.8
    np.testing.assert_allclose(g.damage, expected)
    assert np.all(emissions_cooperative(g) <= e + 1e-9)
    with pytest.raises(InputError):
        calibrate_emission_game(e, t, pop, gdp, mac_full_abatement=1.0)
    with pytest.raises(InputError):
        calibrate_emission_game(-e, t, pop, gdp)


@settings(max_examples=30, deadline=None)
@given(emission_games(st.integers(2, 9)))
def test_chander_tulkens_makes_everyone_gain(g):
    n = g.intercept.size
    res = solve_emission_game(g)
    ct = chander_tulkens_transfers(res)
    assert ct.sum() == pytest.approx(0.0, abs=1e-8 * max(1.0, np.abs(ct).max()))
    assert np.all(res.gain + ct >= -1e-9 * max(1.0, abs(res.total_gain)))
    eq = surplus_sharing_transfers(res)
    assert eq.sum() == pytest.approx(0.0, abs=1e-8 * max(1.0, np.abs(eq).max()))
    np.testing.assert_allclose(res.gain + eq, res.total_gain / n)


@settings(max_examples=15, deadline=None)
@given(emission_games(st.integers(2, 7), uniform=st.just(True)))
def test_chander_tulkens_in_gamma_core_for_uniform_pollutant(g):
    # Chander & Tulkens (1997), Theorem: with a uniformly mixed pollutant and linear
    # damages, the CT allocation lies in the gamma-core.
    n = g.intercept.size
    res = solve_emission_game(g)
    x = res.gain + chander_tulkens_transfers(res)
    table = game_table(EmissionCoalitionGame(g), n)
    assert in_core(table, x, tol=1e-7)


def test_coalition_payoffs_at_extremes():
    g = random_game(5, 0)
    m = coalition_members(5)
    pay = emission_coalition_payoffs(m, g)
    nash = emission_payoffs(emissions_nash(g), g)[0]
    coop = emission_payoffs(emissions_cooperative(g), g)[0]
    np.testing.assert_allclose(pay[0], nash)
    np.testing.assert_allclose(pay[-1], coop)
    for i in range(5):  # a singleton coalition is the Nash equilibrium
        np.testing.assert_allclose(pay[1 << i], nash)


def test_prefix_worths_agree_with_membership_evaluation():
    g = random_game(8, 3)
    game = EmissionCoalitionGame(g)
    rng = np.random.default_rng(0)
    orders = np.array([rng.permutation(8) for _ in range(6)])
    np.testing.assert_allclose(
        game.prefix_values(orders), _prefix_values_generic(game, orders), rtol=1e-9, atol=1e-9
    )


def test_sampled_shapley_of_emission_game():
    g = random_game(8, 4)
    game = EmissionCoalitionGame(g)
    exact = shapley_value(game_table(game, 8))
    est = shapley_value_sampled(game, 8, n_permutations=20_000, seed=2)
    assert np.all(np.abs(est.value - exact) <= 5 * est.std_error + 1e-9)
    assert exact.sum() == pytest.approx(solve_emission_game(g).total_gain)


def test_bad_game_parameters():
    with pytest.raises(InputError):
        EmissionGame(np.ones((2, 3)), np.ones(2), np.ones(2), np.ones(2))
    with pytest.raises(InputError):
        EmissionGame(-np.ones((2, 2)), np.ones(2), np.ones(2), np.ones(2))
    with pytest.raises(InputError):
        EmissionGame(np.ones((2, 2)), np.ones(2), np.zeros(2), np.ones(2))
