"""The central government as a strategic supervisor: rest points against hand
derivation, numerical root finding and long LSODA runs; the static special case
against today's two-region game; the supervision response."""

import itertools
import warnings
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import optimize

from coopgov.dynamics import two_region
from coopgov.dynamics.supervision import (
    CentralGovernment,
    SupervisedGame,
    SupervisionParameters,
    integrate_supervised,
    jacobian,
    payoff_differences,
    replicator_field,
    rest_points,
    supervision_response,
    supervision_threshold,
)
from coopgov.dynamics.two_region import TwoRegionGame
from coopgov.errors import InputError

# ---------------------------------------------------------------- games used

STATIC = SupervisedGame()  # defaults, static penalty
DYNAMIC_STABLE = SupervisedGame(
    TwoRegionGame(upstream_penalty=3.0, downstream_penalty=3.0),
    CentralGovernment(
        supervision_cost=1.2,
        enforcement_benefit_upstream=0.3,
        enforcement_benefit_downstream=0.3,
        penalty_rule="dynamic",
    ),
)
# downstream matching reward 2.5 > 2M: full cooperation is a strict equilibrium
STATIC_STABLE_VERTEX = SupervisedGame(TwoRegionGame(downstream_reward=2.5))
# the coordination game of test_two_region (M = 0.5, K_d = 2, R_d = 2.5), C_g = 0.44
STATIC_COORDINATION = SupervisedGame(
    TwoRegionGame(compensation=0.5, transaction_cost=2.0, downstream_reward=2.5),
    CentralGovernment(supervision_cost=0.44),
)


def by_state(points):
    return {tuple(round(v, 9) for v in p.state): p for p in points}


# ------------------------------------------------------------ strategies

regional_games = st.builds(
    TwoRegionGame,
    protection_cost=st.floats(0.0, 5.0),
    upstream_benefit=st.floats(0.0, 2.0),
    upstream_reward=st.floats(0.0, 2.0),
    compensation=st.floats(0.1, 3.0),
    downstream_benefit=st.floats(0.0, 5.0),
    downstream_loss=st.floats(0.0, 2.0),
    downstream_reward=st.floats(0.0, 3.0),
    transaction_cost=st.floats(0.0, 2.0),
    upstream_penalty=st.floats(0.1, 4.0),
    downstream_penalty=st.floats(0.1, 4.0),
    upstream_reputation=st.floats(0.0, 1.0),
    downstream_reputation=st.floats(0.0, 1.0),
)
centres = st.builds(
    CentralGovernment,
    supervision_cost=st.floats(0.0, 4.0),
    enforcement_benefit_upstream=st.floats(0.0, 2.0),
    enforcement_benefit_downstream=st.floats(0.0, 2.0),
    penalty_rule=st.sampled_from(["static", "dynamic"]),
)
games = st.builds(SupervisedGame, regions=regional_games, centre=centres)


def generic(game):
    """Away from the measure-zero parameter sets with continua of rest points."""
    _, b, _, d = game.regional_coefficients()
    return abs(b) > 0.05 and abs(d) > 0.05


# ---------------------------------------------------------------- payoffs


def test_regional_coefficients_by_hand():
    # with no central penalty (P · z = 0), defaults of TwoRegionGame:
    # a0 = -c_u + e_u + R_u + L_u = -3 + 1 + 0.5 + 0.2 = -1.3;   b = 2M = 2
    # c0 = M + L_d - K_d = 1 + 0.2 - 0.5 = 0.7;                   d = R_d - 2M = -1.5
    assert STATIC.regional_coefficients() == pytest.approx((-1.3, 2.0, 0.7, -1.5))


@given(game=games, x=st.floats(0, 1), y=st.floats(0, 1), z=st.floats(0, 1))
@settings(max_examples=60, deadline=None)
def test_payoff_tables_give_the_payoff_differences(game, x, y, z):
    # Expected payoffs over mixed populations, from the pure-profile tables,
    # must give the payoff differences the replicator field uses.
    pay_u, pay_d, pay_g = game.payoffs(x, y)
    pu, pd, pg = np.array([x, 1 - x]), np.array([y, 1 - y]), np.array([z, 1 - z])
    du = np.einsum("ijk,j,k->i", pay_u, pd, pg)
    dd = np.einsum("ijk,i,k->j", pay_d, pu, pg)
    dg = np.einsum("ijk,i,j->k", pay_g, pu, pd)
    expected = payoff_differences(game, x, y, z)
    np.testing.assert_allclose(
        [du[0] - du[1], dd[0] - dd[1], dg[0] - dg[1]], [float(v) for v in expected], atol=1e-9
    )


# ------------------------------------------------- static special case


@given(regions=regional_games)
@settings(max_examples=60, deadline=None)
def test_static_supervision_is_todays_two_region_game(regions):
    # strategic=False, intensity 1, static penalty: exactly today's rest points
    game = SupervisedGame(regions, CentralGovernment(strategic=False, static_intensity=1.0))
    old = two_region.rest_points(regions)
    new = rest_points(game)
    assert len(new) == len(old)
    old_sorted = sorted(old, key=lambda p: (p.y, p.x))
    for o, n in zip(old_sorted, new, strict=True):
        assert (n.x, n.y, n.z) == (o.x, o.y, 1.0)
        np.testing.assert_array_equal(n.eigenvalues, o.eigenvalues)
        # same label, except that an eigenvalue within round-off of zero is
        # called non-hyperbolic here where two_region goes by its sign
        if n.kind == "non-hyperbolic":
            assert np.min(np.abs(n.eigenvalues.real)) < 1e-9
        else:
            assert n.kind == o.kind


@given(regions=regional_games, zbar=st.floats(0, 1), x=st.floats(0, 1), y=st.floats(0, 1))
@settings(max_examples=60, deadline=None)
def test_frozen_centre_is_the_two_region_game_with_scaled_penalties(regions, zbar, x, y):
    game = SupervisedGame(regions, CentralGovernment(strategic=False, static_intensity=zbar))
    scaled = replace(
        regions,
        upstream_penalty=zbar * regions.upstream_penalty,
        downstream_penalty=zbar * regions.downstream_penalty,
    )
    a, b, c, d = scaled.coefficients()
    fx, fy, fz = replicator_field(game, (x, y, zbar))
    np.testing.assert_allclose(
        [fx, fy], [x * (1 - x) * (a + b * y), y * (1 - y) * (c + d * x)], atol=1e-12
    )
    assert fz == 0.0


# ------------------------------------------------- rest points by hand


def test_rest_points_static_penalty_by_hand():
    # Defaults: a0 = -1.3, b = 2, c0 = 0.7, d = -1.5, P_u = P_d = 0.5,
    # g_u = P_u + B_u = 0.9, g_d = P_d + B_d = 0.8, C_g = 0.7.
    # Interior: z* = (C - g_u(1 + c0/d) - g_d(1 + a0/b)) / (g_u P_d/d + g_d P_u/b)
    #              = (0.7 - 0.9·(8/15) - 0.8·0.35) / (-0.3 + 0.2) = (-0.06)/(-0.1) = 0.6
    #   x* = -(c0 + P_d z*)/d = 1.0/1.5 = 2/3,   y* = -(a0 + P_u z*)/b = 1.0/2 = 0.5
    # Face z = 1: (-(0.7 + 0.5)/-1.5, -(-1.3 + 0.5)/2) = (0.8, 0.4)
    # Face z = 0: (0.7/1.5, 1.3/2) = (7/15, 0.65)
    # Faces x = 0, 1 need z = -c0/P_d = -1.4 or -(c0 + d)/P_d = 1.6; faces y = 0, 1
    # need z = -a0/P_u = 2.6 or -(a0 + b)/P_u = -1.4: all outside, none.
    pts = by_state(rest_points(STATIC))
    corners = {tuple(map(float, v)) for v in itertools.product((0, 1), repeat=3)}
    expected = corners | {
        (round(2 / 3, 9), 0.5, 0.6),
        (0.8, 0.4, 1.0),
        (round(7 / 15, 9), 0.65, 0.0),
    }
    assert set(pts) == expected

    # Vertex eigenvalues: ((1-2x)Δ_U, (1-2y)Δ_D, (1-2z)Δ_G) with
    # Δ_U = -1.3 + 2y + 0.5z, Δ_D = 0.7 - 1.5x + 0.5z, Δ_G = 0.9(1-x) + 0.8(1-y) - 0.7
    np.testing.assert_allclose(pts[(0.0, 0.0, 0.0)].eigenvalues.real, [-1.3, 0.7, 1.0])
    np.testing.assert_allclose(pts[(1.0, 0.0, 1.0)].eigenvalues.real, [0.8, -0.3, -0.1])
    np.testing.assert_allclose(pts[(1.0, 1.0, 1.0)].eigenvalues.real, [-1.2, 0.3, 0.7])
    assert all(pts[v].kind == "saddle" for v in corners)

    # Interior Jacobian: zero diagonal, J12 = x(1-x) b = 4/9, J13 = x(1-x) P_u = 1/9,
    # J21 = y(1-y) d = -0.375, J23 = y(1-y) P_d = 0.125,
    # J31 = z(1-z)(-g_u) = -0.216, J32 = z(1-z)(-g_d) = -0.192.
    # det(λI - J) = λ³ - (J12 J21 + J13 J31 + J23 J32) λ - (J12 J23 J31 + J13 J32 J21)
    #             = λ³ + (1/6 + 0.024 + 0.024) λ - (-0.012 + 0.008)
    #             = λ³ + 0.2146667 λ + 0.004
    interior = pts[(round(2 / 3, 9), 0.5, 0.6)]
    assert interior.cell == "interior"
    np.testing.assert_allclose(
        np.poly(interior.eigenvalues).real, [1.0, 0.0, 0.2146666667, 0.004], atol=1e-9
    )
    assert interior.kind == "saddle"  # a saddle-focus: trace 0

    # Face z = 1 point: transversal eigenvalue -Δ_G(0.8, 0.4) = -(0.18 + 0.48 - 0.7) = 0.04;
    # in the face ±i sqrt(-x(1-x) b · y(1-y) d) = ±i sqrt(0.16·2·0.24·1.5)
    face = pts[(0.8, 0.4, 1.0)]
    ev = sorted(face.eigenvalues, key=lambda v: (v.imag, v.real))
    np.testing.assert_allclose(ev[1], 0.04, atol=1e-12)
    np.testing.assert_allclose(abs(ev[0].imag), np.sqrt(0.16 * 2 * 0.24 * 1.5), atol=1e-12)


def test_rest_points_dynamic_penalty_by_hand():
    # P_u = P_d = 3, B_u = B_d = 0.3, C_g = 1.2; a0 = -1.3, b = 2, c0 = 0.7, d = -1.5.
    # Interior: with u = 1 - r, Δ_G = (2 - x - y)(3u + 0.3) - 1.2 = 2u(3u + 0.3) - 1.2 = 0
    #   → u² + 0.1u - 0.2 = 0 → u = (-0.1 + 0.9)/2 = 0.4, r = 0.6.
    #   q = z u: x = (0.7 + 3q)/1.5, y = (1.3 - 3q)/2, x + y = 1.2 → 6.7 + 3q = 7.2 → q = 1/6
    #   → x = 0.8, y = 0.4, z = q/u = 5/12.
    # Face x = 1 (k = 0): 1.5u² + 0.3u - 1.2 = 0 → u = 0.8, y = 0.2; 1 - r = 0.4;
    #   z = -(c0 + d)/(P_d (1 - r)) = 0.8/1.2 = 2/3.
    # Edge x = 1, z = 1: y = 2 + 2(c0 + d)/P_d - 1 = 1 - 1.6/3 = 7/15.
    pts = by_state(rest_points(DYNAMIC_STABLE))
    interior = pts[(0.8, 0.4, round(5 / 12, 9))]
    assert interior.cell == "interior" and interior.kind == "stable"
    assert pts[(1.0, 0.2, round(2 / 3, 9))].cell == "face"
    assert pts[(1.0, round(7 / 15, 9), 1.0)].cell == "edge"
    # Interior Jacobian diagonal (dynamic penalty): -x(1-x) z P_u/2 = -0.16·(5/12)·1.5 = -0.1,
    # -y(1-y) z P_d/2 = -0.24·(5/12)·1.5 = -0.15, 0 → trace -0.25
    assert interior.eigenvalues.sum().real == pytest.approx(-0.25)


def test_interior_supervision_rises_with_cost_in_a_coordination_game():
    # Tsebelis (1989): at the mixed point the centre's cost moves the regions' mix.
    # M = 0.5, K_d = 2, R_d = 2.5: a0 = -1.3, b = 1, c0 = -1.3, d = 1.5; g_u = 0.9, g_d = 0.8.
    # den = g_u P_d/d + g_d P_u/b = 0.3 + 0.4 = 0.7 > 0;
    # z* = (0.44 - 0.9(1 - 1.3/1.5) - 0.8(1 - 1.3))/0.7 = (0.44 - 0.12 + 0.24)/0.7 = 0.8,
    # x* = (1.3 - 0.4)/1.5 = 0.6, y* = 1.3 - 0.4 = 0.9; dz*/dC_g = 1/0.7.
    pts = [p for p in rest_points(STATIC_COORDINATION) if p.cell == "interior"]
    assert len(pts) == 1
    assert pts[0].state == pytest.approx((0.6, 0.9, 0.8))
    dearer = replace(
        STATIC_COORDINATION, centre=replace(STATIC_COORDINATION.centre, supervision_cost=0.45)
    )
    (p2,) = [p for p in rest_points(dearer) if p.cell == "interior"]
    assert p2.z == pytest.approx(0.8 + 0.01 / 0.7)


# ------------------------------------------- against numerical root finding


def numerical_rest_points(game, starts_per_axis=5, zbar=None):
    """Rest points found by root finding of the free players' payoff differences,
    cell by cell of the cube (of the square z = zbar when given), from a grid
    of starting points."""
    grid = (np.arange(starts_per_axis) + 0.5) / starts_per_axis
    found = []
    cells = (
        itertools.product((0.0, 1.0, None), repeat=3)
        if zbar is None
        else ((fx, fy, zbar) for fx, fy in itertools.product((0.0, 1.0, None), repeat=2))
    )
    for fixed in cells:
        free = [i for i in range(3) if fixed[i] is None]
        if not free:
            found.append(tuple(fixed))
            continue

        def equations(v, fixed=fixed, free=free):
            s = list(fixed)
            for i, val in zip(free, v, strict=True):
                s[i] = val
            diffs = payoff_differences(game, *s)
            return [float(diffs[i]) for i in free]

        for start in itertools.product(grid, repeat=len(free)):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                sol = optimize.root(equations, start, method="hybr", tol=1e-13)
            # judged by the residual: hybr may report 'no progress' at round-off level
            if np.max(np.abs(equations(sol.x))) > 1e-10:
                continue
            if np.all((sol.x > 1e-9) & (sol.x < 1 - 1e-9)):
                s = list(fixed)
                for i, val in zip(free, sol.x, strict=True):
                    s[i] = float(val)
                found.append(tuple(s))
    unique: list[tuple[float, ...]] = []
    for s in found:
        if not any(np.allclose(s, u, atol=1e-7) for u in unique):
            unique.append(s)
    return unique


def assert_same_points(closed, numeric, margin=1e-6):
    """Each numerical root is a closed-form point and each closed-form point
    clear of the cell's boundary by ``margin`` is found numerically."""
    for s in numeric:
        assert any(np.allclose(s, c, atol=1e-7) for c in closed), s
    for c in closed:
        free = [v for v in c if v not in (0.0, 1.0)]
        if all(margin < v < 1 - margin for v in free):
            assert any(np.allclose(s, c, atol=1e-7) for s in numeric), c


@pytest.mark.parametrize(
    "game",
    [
        STATIC,
        DYNAMIC_STABLE,
        STATIC_STABLE_VERTEX,
        STATIC_COORDINATION,
        replace(STATIC, centre=replace(STATIC.centre, penalty_rule="dynamic")),
    ],
)
def test_rest_points_match_numerical_root_finding(game):
    closed = [p.state for p in rest_points(game)]
    assert_same_points(closed, numerical_rest_points(game))


def _closed_equals_numerical(game):
    assume(generic(game))
    # payoff differences near zero at a vertex make an edge nearly a continuum
    # of rest points, which root finding at tolerance 1e-10 cannot tell apart
    corners = np.array(list(itertools.product((0.0, 1.0), repeat=3))).T
    assume(np.min(np.abs(np.stack(payoff_differences(game, *corners)))) > 1e-6)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        closed = [p.state for p in rest_points(game)]
    assume(not caught)  # a continuum of rest points: nothing isolated to compare
    assert_same_points(closed, numerical_rest_points(game, starts_per_axis=4))


@given(game=games)
@settings(max_examples=6, deadline=None)
def test_rest_points_match_numerical_root_finding_random(game):
    _closed_equals_numerical(game)


@pytest.mark.slow
@given(game=games)
@settings(max_examples=300, deadline=None)
def test_rest_points_match_numerical_root_finding_random_many(game):
    _closed_equals_numerical(game)


@given(game=games)
@settings(max_examples=60, deadline=None)
def test_rest_points_lie_in_the_cube_and_are_at_rest(game):
    assume(generic(game))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pts = rest_points(game)
    assert len(pts) >= 8
    for p in pts:
        assert all(0.0 <= v <= 1.0 for v in p.state)
        assert np.max(np.abs(replicator_field(game, p.state))) < 1e-10
        assert len(p.eigenvalues) == 3


@given(game=games, s=st.tuples(*(st.floats(0.01, 0.99),) * 3))
@settings(max_examples=60, deadline=None)
def test_jacobian_matches_finite_differences(game, s):
    h = 1e-6
    num = np.empty((3, 3))
    for j in range(3):
        up, down = np.array(s), np.array(s)
        up[j] += h
        down[j] -= h
        num[:, j] = (replicator_field(game, up) - replicator_field(game, down)) / (2 * h)
    np.testing.assert_allclose(jacobian(game, s), num, atol=1e-7)


# ------------------------------------------------ stability, LSODA


def test_lsoda_reaches_the_stable_interior_point_of_the_dynamic_penalty():
    rng = np.random.default_rng(3)
    # slowest eigenvalue -0.0348/yr: after 1500 yr the distance has shrunk by e^-52
    for start in rng.uniform(0.05, 0.95, size=(8, 3)):
        end = integrate_supervised(DYNAMIC_STABLE, *start, t_end=1500.0)
        np.testing.assert_allclose(end, [0.8, 0.4, 5 / 12], atol=1e-6)


def test_lsoda_reaches_the_stable_vertex():
    # (1, 1, 0): eigenvalues -(a0 + b) = -0.7, -(c0 + d) = -(0.7 + 0.5) = -1.2, Δ_G = -C_g = -0.7
    pts = by_state(rest_points(STATIC_STABLE_VERTEX))
    stable = [k for k, p in pts.items() if p.kind == "stable"]
    assert stable == [(1.0, 1.0, 0.0)]
    np.testing.assert_allclose(pts[(1.0, 1.0, 0.0)].eigenvalues.real, [-0.7, -1.2, -0.7])
    rng = np.random.default_rng(4)
    for start in rng.uniform(0.05, 0.95, size=(12, 3)):
        end = integrate_supervised(STATIC_STABLE_VERTEX, *start, t_end=400.0)
        np.testing.assert_allclose(end, [1.0, 1.0, 0.0], atol=1e-6)


@given(game=games)
@settings(max_examples=60, deadline=None)
def test_static_penalty_interior_is_never_asymptotically_stable(game):
    # zero diagonal → trace 0 (Ritzberger & Weibull 1995); dynamic penalty → trace < 0
    assume(generic(game))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        interior = [p for p in rest_points(game) if p.cell == "interior"]
    for p in interior:
        trace = np.trace(jacobian(game, p.state))
        if game.centre.penalty_rule == "static":
            assert abs(trace) < 1e-12
            assert p.kind != "stable"
        else:
            assert trace < 0


@given(game=games, extra=st.floats(0.01, 2.0))
@settings(max_examples=60, deadline=None)
def test_dearer_supervision_never_stabilises_more_supervision(game, extra):
    # At a vertex the centre's eigenvalue is Δ_G (z = 0) or -Δ_G (z = 1) and Δ_G
    # falls with C_g: a fully supervised vertex can only lose stability, an
    # unsupervised one only gain it.
    assume(generic(game))
    dearer = replace(
        game, centre=replace(game.centre, supervision_cost=game.centre.supervision_cost + extra)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        before = {p.state for p in rest_points(game) if p.cell == "vertex" and p.kind == "stable"}
        after = {p.state for p in rest_points(dearer) if p.cell == "vertex" and p.kind == "stable"}
    assert {s for s in after if s[2] == 1.0} <= {s for s in before if s[2] == 1.0}
    assert {s for s in before if s[2] == 0.0} <= {s for s in after if s[2] == 0.0}


@given(regions=regional_games, centre=centres)
@settings(max_examples=60, deadline=None)
def test_interior_supervision_moves_with_cost_by_the_closed_form_slope(regions, centre):
    # static penalty: dz*/dC_g = 1/(g_u P_d/d + g_d P_u/b), of either sign
    game = SupervisedGame(regions, replace(centre, penalty_rule="static"))
    assume(generic(game))
    a0, b, c0, d = game.regional_coefficients()
    p_u, p_d = game.penalties()
    g_u = p_u + game.centre.enforcement_benefit_upstream
    g_d = p_d + game.centre.enforcement_benefit_downstream
    den = g_u * p_d / d + g_d * p_u / b
    assume(abs(den) > 0.05)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p1 = [p for p in rest_points(game) if p.cell == "interior"]
        dearer = replace(
            game, centre=replace(game.centre, supervision_cost=game.centre.supervision_cost + 1e-6)
        )
        p2 = [p for p in rest_points(dearer) if p.cell == "interior"]
    if len(p1) == 1 and len(p2) == 1:
        assert (p2[0].z - p1[0].z) / 1e-6 == pytest.approx(1 / den, rel=1e-4)


# ------------------------------------------------ supervision response


def test_supervision_response_by_hand():
    params = SupervisionParameters(penalty=1.0, enforcement_benefit=0.6, supervision_cost=0.6)
    # Δ_G(0.5) = 0.5 · (1 + 0.6) - 0.6 = 0.2 > 0 → supervise
    assert supervision_response(0.5, params) == 1.0
    # Δ_G(0.8) = 0.2 · 1.6 - 0.6 = -0.28 → do not
    assert supervision_response(0.8, params) == 0.0
    # logit with τ = 0.1: 1/(1 + e^{-2}) = 0.880797
    noisy = replace(params, noise=0.1)
    assert supervision_response(0.5, noisy) == pytest.approx(1 / (1 + np.exp(-2.0)))
    # threshold r* = 1 - C/(P + B) = 1 - 0.6/1.6 = 0.625; indifferent there
    assert supervision_threshold(params) == pytest.approx(0.625)
    assert supervision_response(0.625, noisy) == pytest.approx(0.5)
    # dynamic: u² + 0.6u - 0.6 = 0 → u = (-0.6 + sqrt(2.76))/2 = 0.530662, r* = 0.469338
    dyn = replace(params, penalty_rule="dynamic")
    assert supervision_threshold(dyn) == pytest.approx(1 - (-0.6 + np.sqrt(2.76)) / 2)


@given(
    r=st.lists(st.floats(0, 1), min_size=2, max_size=20),
    penalty=st.floats(0, 5),
    benefit=st.floats(0, 5),
    cost=st.floats(0, 5),
    extra=st.floats(0, 2),
    noise=st.floats(0, 2),
    rule=st.sampled_from(["static", "dynamic"]),
)
@settings(max_examples=100, deadline=None)
def test_supervision_response_falls_with_cooperation_and_cost(
    r, penalty, benefit, cost, extra, noise, rule
):
    params = SupervisionParameters(penalty, benefit, cost, rule, noise)
    rs = np.sort(np.asarray(r))
    z = supervision_response(rs, params)
    assert np.all((z >= 0) & (z <= 1))
    assert np.all(np.diff(z) <= 1e-12)
    dearer = supervision_response(rs, replace(params, supervision_cost=cost + extra))
    assert np.all(dearer <= z + 1e-12)


@given(game=games, r=st.floats(0, 1))
@settings(max_examples=60, deadline=None)
def test_supervision_response_is_the_sign_of_the_centres_gain(game, r):
    dg = float(payoff_differences(game, r, r, 0.5)[2])
    assume(abs(dg) > 1e-9)
    z = supervision_response(r, game.supervision_parameters())
    assert z == (1.0 if dg > 0 else 0.0)


# ------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"supervision_cost": -1.0}, "supervision_cost"),
        ({"enforcement_benefit_upstream": float("nan")}, "enforcement_benefit_upstream"),
        ({"penalty_rule": "quadratic"}, "penalty_rule"),
        ({"static_intensity": 1.5}, "static_intensity"),
        ({"strategic": "yes"}, "strategic"),
    ],
)
def test_bad_centre_parameters_are_named(kwargs, field):
    with pytest.raises(InputError) as err:
        CentralGovernment(**kwargs)
    assert err.value.field == field


def test_bad_cooperation_rate_is_named():
    with pytest.raises(InputError) as err:
        supervision_response(np.array([0.2, 1.3]), SupervisionParameters())
    assert err.value.field == "cooperation_rate" and err.value.value == 1.3
    with pytest.raises(InputError):
        SupervisionParameters(noise=-0.1)


def test_bad_initial_state_is_named():
    with pytest.raises(InputError) as err:
        integrate_supervised(STATIC, 0.5, 0.5, 1.2)
    assert err.value.field == "z0"


@pytest.mark.parametrize("zbar", [0.3, 1.0])
def test_frozen_centre_with_dynamic_penalty_matches_root_finding(zbar):
    # the square z = z̄: vertices, edge and interior points of Δ_U = Δ_D = 0
    game = replace(
        DYNAMIC_STABLE,
        centre=replace(DYNAMIC_STABLE.centre, strategic=False, static_intensity=zbar),
    )
    pts = rest_points(game)
    assert all(p.z == zbar and len(p.eigenvalues) == 2 for p in pts)
    numeric = numerical_rest_points(game, zbar=zbar)
    assert_same_points([p.state for p in pts], numeric)
    if zbar == 1.0:
        # same as the z = 1 face of the strategic game, by hand: the linear system
        # -(3/2) x + (2 - 3/2) y = -(-1.3 + 3),  (-1.5 - 3/2) x - (3/2) y = -(0.7 + 3)
        # → from the first y = 3x - 3.4; the second: -3x - 1.5(3x - 3.4) = -3.7
        #   → -7.5x = -8.8 → x = 1.17333 (outside): no interior point of the square
        assert not [p for p in pts if p.cell == "face"]


def test_default_static_orbits_spiral_out_to_the_boundary():
    # Defaults: no vertex is stable and the interior point (2/3, 1/2, 0.6) is a
    # saddle-focus with eigenvalues 0.0093 ± 0.4636i, -0.0186: orbits near it
    # spiral away and end up hugging the faces of the cube (a heteroclinic
    # cycle between saddle vertices), never leaving the cube.
    t = np.linspace(0.0, 3000.0, 3001)
    path = integrate_supervised(STATIC, 0.67, 0.5, 0.61, t_end=3000.0, t_eval=t)
    assert np.all((path >= 0) & (path <= 1))
    distance_to_faces = np.minimum(path, 1 - path).min(axis=0)
    assert distance_to_faces[:10].max() > 0.3
    assert distance_to_faces[t >= 2000].max() < 1e-6


def test_a_share_on_a_face_stays_there():
    end = integrate_supervised(STATIC, 0.0, 0.3, 0.7, t_end=50.0)
    assert end[0] == 0.0
    frozen = replace(STATIC, centre=replace(STATIC.centre, strategic=False, static_intensity=0.4))
    assert integrate_supervised(frozen, 0.3, 0.3, t_end=50.0)[2] == 0.4
