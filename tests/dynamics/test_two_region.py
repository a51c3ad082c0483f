"""Two-region game: coefficients, rest points and basins against hand derivation
and numerical integration."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coopgov.dynamics.two_region import (
    TwoRegionGame,
    basin_of,
    basin_share,
    integrate_game,
    rest_points,
)

# A coordination case: M = 0.5, K_d = 2.0, R_d = 2.5, other defaults.
GAME = TwoRegionGame(compensation=0.5, transaction_cost=2.0, downstream_reward=2.5)


def test_coefficients_by_hand():
    # a = -c_u + e_u + R_u + F_u + L_u = -3 + 1 + 0.5 + 0.5 + 0.2 = -0.8;  b = 2M = 1.0
    # c = M + F_d + L_d - K_d = 0.5 + 0.5 + 0.2 - 2.0 = -0.8;            d = R_d - 2M = 1.5
    a, b, c, d = GAME.coefficients()
    assert (a, b, c, d) == pytest.approx((-0.8, 1.0, -0.8, 1.5))


def test_rest_points_and_stability_by_hand():
    pts = {(round(p.x, 12), round(p.y, 12)): p for p in rest_points(GAME)}
    # interior (x*, y*) = (-c/d, -a/b) = (0.8/1.5, 0.8)
    assert set(pts) == {(0, 0), (1, 0), (0, 1), (1, 1), (round(0.8 / 1.5, 12), 0.8)}
    # eigenvalues at corners are the payoff differences: (0,0): a, c; (1,1): -(a+b), -(c+d)
    np.testing.assert_allclose(sorted(pts[(0, 0)].eigenvalues.real), [-0.8, -0.8])
    np.testing.assert_allclose(sorted(pts[(1, 1)].eigenvalues.real), [-0.7, -0.2])
    assert pts[(0, 0)].kind == "stable" and pts[(1, 1)].kind == "stable"
    assert pts[(1, 0)].kind == "unstable" and pts[(0, 1)].kind == "unstable"
    interior = pts[(round(0.8 / 1.5, 12), 0.8)]
    # λ = ±sqrt(x*(1-x*) y*(1-y*) b d)
    xs, ys = 0.8 / 1.5, 0.8
    lam = np.sqrt(xs * (1 - xs) * ys * (1 - ys) * 1.0 * 1.5)
    np.testing.assert_allclose(sorted(interior.eigenvalues.real), [-lam, lam])
    assert interior.kind == "saddle"


def test_centre_when_compensation_alone_drives_the_game():
    # b d < 0 with an interior point: a centre (Hofbauer & Sigmund 1998, ch. 10)
    game = TwoRegionGame(
        compensation=2.0,
        downstream_reward=0.0,
        transaction_cost=0.0,
        downstream_penalty=0.0,
        downstream_reputation=0.0,
    )
    a, b, c, d = game.coefficients()
    assert b * d < 0
    kinds = [p.kind for p in rest_points(game)]
    assert "centre" in kinds


def test_basin_classification_agrees_with_numerical_integration():
    rng = np.random.default_rng(11)
    pts = rng.uniform(0.02, 0.98, size=(150, 2))
    ends = np.array([integrate_game(GAME, x, y) for x, y in pts])
    numeric = (ends.sum(axis=1) > 1).astype(int)
    exact = basin_of(GAME, pts[:, 0], pts[:, 1])
    assert (numeric == exact).mean() >= 0.99


def test_basin_share_against_monte_carlo():
    share = basin_share(GAME)
    rng = np.random.default_rng(0)
    pts = rng.random((20_000, 2))
    mc = basin_of(GAME, pts[:, 0], pts[:, 1]).mean()
    assert share == pytest.approx(mc, abs=0.01)
    assert 0 < share < 1


@given(m=st.floats(0.0, 3.0), k=st.floats(0.0, 3.0))
@settings(max_examples=30, deadline=None)
def test_basin_share_is_a_share(m, k):
    game = TwoRegionGame(compensation=m, transaction_cost=k, downstream_reward=2.5)
    try:
        s = basin_share(game)
    except ValueError:
        return
    assert 0.0 <= s <= 1.0


def test_no_saddle_means_no_basin_boundary():
    with pytest.raises(ValueError, match="saddle"):
        basin_of(TwoRegionGame(), np.array([0.5]), np.array([0.5]))
