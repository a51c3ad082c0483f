r"""The classic two-region upstream/downstream game with compensation, as a reduced model.

Upstream government U chooses protect (P) or not (N); downstream government D
chooses to join a bidirectional compensation agreement of the Xin'an type
(C) or not (N).  Payoffs (yuan/yr, any common unit):

==========  ==============================  ====================================
(U, D)      U's payoff                       D's payoff
==========  ==============================  ====================================
(P, C)      −c_u + e_u + R_u + M             b_d − M + R_d − K_d
(P, N)      −c_u + e_u + R_u                 b_d − F_d − L_d
(N, C)      −F_u − L_u − M                   −g_d + M − K_d
(N, N)      −F_u − L_u                       −g_d − F_d − L_d
==========  ==============================  ====================================

c_u protection cost, e_u upstream's own ecological benefit, R_u central
reward for protection, M the compensation (paid downstream → upstream when
the water meets the standard, upstream → downstream when not: the "bet"),
b_d downstream benefit of clean water, g_d its loss from polluted water,
R_d central matching reward for a working agreement, K_d transaction cost
of running the agreement, F central penalty × detection probability for a
government that stays out, L its reputation loss.

With x = share of protecting upstream, y = share of compensating downstream,
the two-population replicator dynamics (Taylor 1979) are

.. math::
    \\dot x = x(1-x)(a + b y), \\qquad \\dot y = y(1-y)(c + d x)

with a = U's gain from protecting when D does not compensate, b = the extra
when it does, c and d likewise for D.  Rest points: the four corners and,
when −c/d and −a/b lie in (0, 1), the interior point
(x*, y*) = (−c/d, −a/b).  Eigenvalues at a corner are the two payoff
differences there; the interior point has eigenvalues ±sqrt(x*(1−x*)y*(1−y*) b d):
a saddle if b d > 0, a centre if b d < 0 (Hofbauer & Sigmund 1998, ch. 10).

The system has the constant of motion (separating variables in dx/dy)

.. math::
    H(x, y) = c \\ln x - (c + d) \\ln(1-x) - a \\ln y + (a + b) \\ln(1 - y),

so when the interior point is a saddle the basin boundary between (0, 0) and
(1, 1) is the level set ``H = H(x*, y*)``, and basins are computed exactly
(up to quadrature) from it.

Central supervision here is static: F is a fixed expected penalty.  For the
central government as a strategic supervisor (supervision intensity with its
own replicator equation and cost, optional dynamic penalty), of which this
game is the special case of fixed intensity, see
:mod:`coopgov.dynamics.supervision`.

References
----------
.. [1] Taylor, P. D. (1979). Evolutionarily stable strategies with two types
   of player. Journal of Applied Probability, 16(1), 76-83.
.. [2] Hofbauer, J., & Sigmund, K. (1998). Evolutionary Games and Population
   Dynamics, ch. 10 (bimatrix games). Cambridge University Press.
.. [3] Friedman, D. (1991). Evolutionary games in economics. Econometrica,
   59(3), 637-666 (stability of rest points of asymmetric games).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import integrate, optimize

__all__ = [
    "TwoRegionGame",
    "RestPoint",
    "rest_points",
    "separatrix",
    "basin_of",
    "basin_share",
    "integrate_game",
]


@dataclass(frozen=True)
class TwoRegionGame:
    """Payoff parameters of the upstream/downstream game [yuan/yr, any common unit].

    Defaults are illustrative (**assumption**), of the order of the Xin'an
    pilot where M = 1 (10^8 yuan/yr, round 1).
    """

    protection_cost: float = 3.0
    upstream_benefit: float = 1.0
    upstream_reward: float = 0.5
    compensation: float = 1.0
    downstream_benefit: float = 4.0
    downstream_loss: float = 1.0
    downstream_reward: float = 0.5
    transaction_cost: float = 0.5
    upstream_penalty: float = 0.5
    downstream_penalty: float = 0.5
    upstream_reputation: float = 0.2
    downstream_reputation: float = 0.2

    def payoffs(self) -> tuple[np.ndarray, np.ndarray]:
        """Bimatrix (A for upstream, B for downstream), rows U ∈ {P, N}, cols D ∈ {C, N}."""
        m = self.compensation
        u_out = -self.upstream_penalty - self.upstream_reputation
        d_out = -self.downstream_penalty - self.downstream_reputation
        protect = -self.protection_cost + self.upstream_benefit + self.upstream_reward
        a = np.array([[protect + m, protect], [u_out - m, u_out]])
        b = np.array(
            [
                [
                    self.downstream_benefit - m + self.downstream_reward - self.transaction_cost,
                    self.downstream_benefit + d_out,
                ],
                [-self.downstream_loss + m - self.transaction_cost, -self.downstream_loss + d_out],
            ]
        )
        return a, b

    def coefficients(self) -> tuple[float, float, float, float]:
        """(a, b, c, d) of the replicator system, from the bimatrix.

        a = A[P,N] − A[N,N], b = (A[P,C] − A[N,C]) − a, c = B[N,C] − B[N,N],
        d = (B[P,C] − B[P,N]) − c.
        """
        pa, pb = self.payoffs()
        a = pa[0, 1] - pa[1, 1]
        b = (pa[0, 0] - pa[1, 0]) - a
        c = pb[1, 0] - pb[1, 1]
        d = (pb[0, 0] - pb[0, 1]) - c
        return float(a), float(b), float(c), float(d)


@dataclass(frozen=True)
class RestPoint:
    """A rest point (x, y) with the eigenvalues of the Jacobian there."""

    x: float
    y: float
    eigenvalues: np.ndarray

    @property
    def kind(self) -> str:
        """'stable', 'unstable', 'saddle' or 'centre' (by eigenvalues)."""
        ev = self.eigenvalues
        re = ev.real
        if np.all(np.abs(re) < 1e-12) and np.any(np.abs(ev.imag) > 0):
            return "centre"
        if np.all(re < 0):
            return "stable"
        if np.all(re > 0):
            return "unstable"
        return "saddle"


def _field(t: float, z: np.ndarray, a: float, b: float, c: float, d: float) -> np.ndarray:
    x, y = z
    return np.array([x * (1 - x) * (a + b * y), y * (1 - y) * (c + d * x)])


def _jacobian(x: float, y: float, a: float, b: float, c: float, d: float) -> np.ndarray:
    return np.array(
        [
            [(1 - 2 * x) * (a + b * y), x * (1 - x) * b],
            [y * (1 - y) * d, (1 - 2 * y) * (c + d * x)],
        ]
    )


def rest_points(game: TwoRegionGame) -> list[RestPoint]:
    """Corners and (when it exists) the interior rest point, classified.

    Examples
    --------
    The default game: the corners and one interior centre (purely imaginary
    eigenvalues), whose orbits cycle around it.

    >>> pts = rest_points(TwoRegionGame())
    >>> [(round(p.x, 3), round(p.y, 3)) for p in pts]
    [(0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (1.0, 1.0), (0.8, 0.4)]
    """
    a, b, c, d = game.coefficients()
    pts = [(0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (1.0, 1.0)]
    if b != 0 and d != 0:
        xs, ys = -c / d, -a / b
        if 0 < xs < 1 and 0 < ys < 1:
            pts.append((xs, ys))
    return [RestPoint(x, y, np.linalg.eigvals(_jacobian(x, y, a, b, c, d))) for x, y in pts]


def _h(x: np.ndarray, y: np.ndarray, a: float, b: float, c: float, d: float) -> np.ndarray:
    return c * np.log(x) - (c + d) * np.log1p(-x) - a * np.log(y) + (a + b) * np.log1p(-y)


def _saddle(game: TwoRegionGame) -> tuple[float, float, float, float, float, float]:
    a, b, c, d = game.coefficients()
    if not (b > 0 and d > 0 and 0 < -c / d < 1 and 0 < -a / b < 1):
        raise ValueError(
            "no interior saddle between (0, 0) and (1, 1): needs b > 0, d > 0 "
            "and the interior rest point inside the square"
        )
    return a, b, c, d, -c / d, -a / b


def separatrix(game: TwoRegionGame, x: np.ndarray) -> np.ndarray:
    """The basin boundary y_b(x): the stable manifold of the interior saddle.

    On it ``H(x, y) = H(x*, y*)``.  H is monotone in y on each side of y*
    (∂H/∂y = −(a + b y)/(y(1 − y))), so for x < x* the boundary is the unique
    root in (y*, 1) and for x > x* the unique root in (0, y*); where no root
    exists the separatrix has left the square (y_b = 1 or 0).
    """
    a, b, c, d, xs, ys = _saddle(game)
    h_star = float(_h(np.array(xs), np.array(ys), a, b, c, d))
    out = np.empty(np.shape(x))
    flat = np.atleast_1d(np.asarray(x, float)).ravel()
    res = out.reshape(-1) if out.ndim else np.empty(1)
    eps = 1e-15
    for k, xv in enumerate(flat):
        if abs(xv - xs) < 1e-14:
            res[k] = ys
            continue

        def f(y: float, xv: float = xv) -> float:
            return float(_h(np.array(xv), np.array(y), a, b, c, d)) - h_star

        lo, hi = (ys, 1 - eps) if xv < xs else (eps, ys)
        flo, fhi = f(lo), f(hi)
        if flo * fhi > 0:
            res[k] = 1.0 if xv < xs else 0.0
        else:
            res[k] = optimize.brentq(f, lo, hi, xtol=1e-14)
    return res.reshape(np.shape(x)) if np.ndim(x) else res[0]


def basin_of(game: TwoRegionGame, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Which stable corner interior points (x, y) converge to: 1 for (1, 1), 0 for (0, 0).

    Needs a saddle between the stable corners (b > 0, d > 0); points above the
    separatrix converge to (1, 1).
    """
    return (np.asarray(y, float) > separatrix(game, np.asarray(x, float))).astype(int)


def basin_share(game: TwoRegionGame) -> float:
    """Share of the unit square whose trajectories converge to (1, 1).

    With an interior saddle between the stable corners this is the area above
    the separatrix, ``∫ (1 − y_b(x)) dx`` (quadrature of the exact curve of
    :func:`separatrix`).  Otherwise it is 1 when (1, 1) is the only stable
    rest point and 0 when (1, 1) is not stable.
    """
    pts = rest_points(game)
    stable = [(p.x, p.y) for p in pts if p.kind == "stable"]
    if (1.0, 1.0) not in stable:
        return 0.0
    if len(stable) == 1:
        return 1.0
    _, _, _, _, xs, _ = _saddle(game)
    area, _ = integrate.quad(
        lambda x: 1.0 - float(separatrix(game, np.array(x))), 0.0, 1.0, points=[xs], limit=200
    )
    return float(area)


def integrate_game(game: TwoRegionGame, x0: float, y0: float, t_end: float = 200.0) -> np.ndarray:
    """Numerical solution of the replicator system (LSODA) at ``t_end``: (x, y)."""
    a, b, c, d = game.coefficients()
    sol = integrate.solve_ivp(
        _field, (0.0, t_end), [x0, y0], args=(a, b, c, d), method="LSODA", rtol=1e-10, atol=1e-12
    )
    return sol.y[:, -1]
