r"""The central government as a strategic supervisor of the two-region game.

The reduced upstream/downstream game of :mod:`coopgov.dynamics.two_region`
treats central supervision as a fixed number: a region that stays out of
cooperation pays ``F = penalty × detection`` whatever the regions do.  The
study calls the centre the supervisor and its vertical thrust the strongest
force; published models of cross-regional pollution make it a third player
whose supervision intensity responds to the regions' behaviour and who bears
its own cost of supervising [1]_ [2]_, and let the penalty itself respond to
how many regions defect (the "dynamic penalty" of [3]_).  This module adds
that player as an option.

Players and states
------------------
* upstream government U, share ``x`` protecting (P) rather than not (N);
* downstream government D, share ``y`` compensating (C) rather than not (N);
* the central government G, share ``z`` supervising (S) rather than not (O)
  — read as the *supervision intensity*, the probability that a given
  year's conduct is inspected.

All payoffs are in the common unit of the regional game (10^8 yuan/yr in the
Xin'an-scaled defaults).

Payoffs
-------
The regional payoffs are those of :class:`~coopgov.dynamics.two_region.TwoRegionGame`
with one change: its ``upstream_penalty`` / ``downstream_penalty`` are read as
the penalty ``P_u`` / ``P_d`` charged when an inspection finds the government
out, so the expected penalty of a defector is ``z · P · φ``, where the
penalty rule gives

* ``φ = 1`` (static penalty), or
* ``φ = 1 − r`` with ``r = (x + y)/2`` the regional cooperation rate
  (dynamic penalty: the penalty grows with the share of defection, as in the
  dynamic punishment mechanism of [3]_; **assumption**: linear, equal weight
  of the two regions).

The centre's payoff (rewards ``R_u``, ``R_d`` are paid whether or not it
supervises, so they cancel from its choice):

==========  ==========================================================
G's move    G's payoff against (U, D)
==========  ==========================================================
S           −C_g − R_u·[U=P] − R_d·[U=P, D=C]
            + [U=N]·(P_u φ + B_u) + [D=N]·(P_d φ + B_d)
O           −R_u·[U=P] − R_d·[U=P, D=C]
==========  ==========================================================

``C_g`` supervision cost (central inspection campaigns, 10^8 yuan/yr);
``P φ`` the penalty collected from a defector found out; ``B_u``, ``B_d`` the
enforcement benefit of finding a defector (damage stopped by the rectification
order plus the centre's credit for enforcing), both **assumptions** made
configuration.  The centre's supervision decision thus depends, as in [2]_,
on the benefit of the environmental improvement it enforces against its
supervision cost.

Replicator system
-----------------
With ``Δ_U``, ``Δ_D``, ``Δ_G`` the payoff differences of the first strategy
(P, C, S) over the second, the three-population replicator dynamics
(Taylor 1979 [4]_) are

.. math::
    \dot x = x(1-x)\,Δ_U,\quad \dot y = y(1-y)\,Δ_D,\quad \dot z = z(1-z)\,Δ_G

    Δ_U = a_0 + b\,y + P_u\,z\,φ,\qquad Δ_D = c_0 + d\,x + P_d\,z\,φ,

    Δ_G = (1-x)(P_u φ + B_u) + (1-y)(P_d φ + B_d) - C_g,

where ``(a_0, b, c_0, d)`` are the coefficients of the regional game with no
central penalty (``b = 2M`` and ``d`` do not depend on the penalty).  With
``z`` held fixed at ``z̄`` (``strategic=False``) and the static penalty the
system is exactly the two-region game with penalties ``z̄·P`` — today's model
is the case ``z̄ = 1``.

Rest points (derivation)
------------------------
A point is at rest when, for each coordinate, it is at 0 or 1 or its payoff
difference vanishes.  Cell by cell of the cube:

*Vertices* (8): always at rest.  The Jacobian is diagonal there with entries
``(1 − 2s_i) Δ_i``: a player's eigenvalue is its payoff gain from switching
to the other pure strategy (Friedman 1991 [5]_).

*Edges*: one coordinate free.  Under the static penalty no payoff difference
depends on its own player's share, so an edge carries rest points only when
the payoff difference vanishes along the whole edge (a non-generic
continuum, not listed; a warning is issued).  The same holds under the
dynamic penalty for the edges along z (Δ_G does not depend on z) and the
edges at ``z = 0`` (no penalty there).  On the edges with ``z = 1``:
``Δ_U(x; y₀, 1) = 0`` gives
``x = 2 + 2(a_0 + b y₀)/P_u − y₀`` and ``Δ_D(y; x₀, 1) = 0`` gives
``y = 2 + 2(c_0 + d x₀)/P_d − x₀``.

*Faces* ``z = z₀ ∈ {0, 1}``: the two-region interior point.  Static penalty:
``x = −(c_0 + P_d z₀)/d``, ``y = −(a_0 + P_u z₀)/b``.  Dynamic penalty, at
``z₀ = 1`` the linear system
``−(P_u/2) x + (b − P_u/2) y = −(a_0 + P_u)``,
``(d − P_d/2) x − (P_d/2) y = −(c_0 + P_d)``; at ``z₀ = 0`` as static.

*Faces* ``x = x₀ ∈ {0, 1}`` (free y, z).  Static penalty: ``Δ_G`` does not
depend on z and ``Δ_D`` not on y, so
``y = 1 − (C_g − (1 − x₀)(P_u + B_u))/(P_d + B_d)`` and
``z = −(c_0 + d x₀)/P_d``.  Dynamic penalty: with ``u = 1 − y`` and
``k = 1 − x₀``, ``1 − r = (k + u)/2`` and ``Δ_G = 0`` is the quadratic
``(P_d/2) u² + (k(P_u + P_d)/2 + B_d) u + (k² P_u/2 + k B_u − C_g) = 0``;
then ``z = −(c_0 + d x₀)/(P_d (1 − r))``.
Faces ``y = y₀`` are the mirror image (swap u ↔ d roles, ``v = 1 − x``).

*Interior*.  Static penalty: the three conditions are linear,

.. math::
    z^* = \frac{C_g - g_u(1 + c_0/d) - g_d(1 + a_0/b)}{g_u P_d/d + g_d P_u/b},
    \quad x^* = -\frac{c_0 + P_d z^*}{d},\quad y^* = -\frac{a_0 + P_u z^*}{b},

with ``g_u = P_u + B_u``, ``g_d = P_d + B_d``.  Dynamic penalty: put
``q = z(1 − r)``; then ``x = −(c_0 + P_d q)/d`` and ``y = −(a_0 + P_u q)/b``
are linear in q, so is ``1 − r``, and ``Δ_G = 0`` is a quadratic in q;
each real root gives ``z = q/(1 − r)``.

Stability
---------
The Jacobian is ``J_ij = δ_ij (1 − 2 s_i) Δ_i + s_i(1 − s_i) ∂Δ_i/∂s_j``.
At an interior rest point of the static-penalty game its diagonal is zero
(no payoff difference depends on its own player's share), so the trace is
zero and the point is never asymptotically stable: in multi-population
replicator dynamics only strict Nash equilibria (vertices) are
asymptotically stable (Ritzberger & Weibull 1995 [6]_).  The dynamic penalty
adds the diagonal ``−s(1 − s) z P/2`` to the regional rows, a negative
self-feedback that can make an interior point a stable focus — the
stabilising effect [3]_ reports.

References
----------
.. [1] Gao, X., Shen, J., He, W., Sun, F., Zhang, Z., Zhang, X., Yuan, L., &
   An, M. (2019). Multilevel governments' decision-making process and its
   influencing factors in watershed ecological compensation.
   *Sustainability*, 11(7), 1990. https://doi.org/10.3390/su11071990
   (tripartite game: central government, upstream and downstream
   governments; the centre supervises or not).
.. [2] Gao et al. (2019), [1]_, result (1): whether the centre supervises
   depends mainly on the benefit of the environmental improvement against
   its supervision cost.
.. [3] Wang, C., & Shi, F. (2019). An evolutionary game model for industrial
   pollution management under two punishment mechanisms. *International
   Journal of Environmental Research and Public Health*, 16(15), 2775.
   https://doi.org/10.3390/ijerph16152775 (static vs dynamic punishment:
   under the dynamic one the regulator–regulated dynamics converge instead
   of cycling).
.. [4] Taylor, P. D. (1979). Evolutionarily stable strategies with two types
   of player. *Journal of Applied Probability*, 16(1), 76-83.
.. [5] Friedman, D. (1991). Evolutionary games in economics. *Econometrica*,
   59(3), 637-666.
.. [6] Ritzberger, K., & Weibull, J. W. (1995). Evolutionary selection in
   normal-form games. *Econometrica*, 63(6), 1371-1399.
.. [7] Tsebelis, G. (1989). The abuse of probability in political analysis:
   the Robinson Crusoe fallacy. *American Political Science Review*, 83(1),
   77-91 (in a mixed inspection equilibrium the inspector's own cost moves
   the inspectees' mix).
.. [8] McKelvey, R. D., & Palfrey, T. R. (1995). Quantal response equilibria
   for normal form games. *Games and Economic Behavior*, 10(1), 6-38.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
from numpy.polynomial import Polynomial
from scipy import integrate, special

from coopgov.dynamics.two_region import TwoRegionGame
from coopgov.dynamics.two_region import rest_points as two_region_rest_points
from coopgov.errors import InputError

__all__ = [
    "CentralGovernment",
    "SupervisedGame",
    "SupervisedRestPoint",
    "SupervisionParameters",
    "classify",
    "integrate_supervised",
    "jacobian",
    "payoff_differences",
    "replicator_field",
    "rest_points",
    "supervision_response",
    "supervision_threshold",
]

PenaltyRule = Literal["static", "dynamic"]
_RULES = ("static", "dynamic")
# Tolerance [10^8 yuan/yr] below which a payoff coefficient counts as zero
# (the cell then holds a continuum of rest points, not isolated ones).
_ZERO = 1e-12


def _check_number(
    name: str, value: float, *, low: float | None = 0.0, high: float | None = None
) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise InputError("must be a number", field=name, value=value)
    if not math.isfinite(float(value)):
        raise InputError("must be finite", field=name, value=value)
    if low is not None and value < low:
        raise InputError(f"must be >= {low}", field=name, value=value)
    if high is not None and value > high:
        raise InputError(f"must be <= {high}", field=name, value=value)


@dataclass(frozen=True)
class CentralGovernment:
    """The centre's side of the supervised game.

    Parameters
    ----------
    supervision_cost : float
        C_g, yearly cost of supervising (inspection campaigns, accountability
        interviews) [10^8 yuan/yr].  Default 0.7: **assumption**, illustrative,
        of the order of the compensation M = 1 (10^8 yuan/yr, Xin'an round 1,
        2012-2014) of the regional game's defaults; with it the centre is
        indifferent at an interior state (x, y) = (2/3, 1/2).
    enforcement_benefit_upstream, enforcement_benefit_downstream : float
        B_u, B_d, the centre's benefit of finding a defecting government
        beyond the penalty it collects: damage stopped by the rectification
        order and credit for enforcing [10^8 yuan/yr].  Defaults 0.4 and 0.3:
        **assumptions** (upstream protection protects a whole basin).
    penalty_rule : {"static", "dynamic"}
        "static": the penalty on inspection is fixed; "dynamic": it is scaled
        by 1 − r, r = (x + y)/2 the regional cooperation rate (Wang & Shi 2019).
    strategic : bool
        True: supervision intensity z follows its own replicator equation.
        False: z is fixed at ``static_intensity`` (today's behaviour for the
        static penalty and intensity 1).
    static_intensity : float
        z̄ ∈ [0, 1], the fixed supervision intensity when not strategic [-].
    """

    supervision_cost: float = 0.7
    enforcement_benefit_upstream: float = 0.4
    enforcement_benefit_downstream: float = 0.3
    penalty_rule: PenaltyRule = "static"
    strategic: bool = True
    static_intensity: float = 1.0

    def __post_init__(self) -> None:
        _check_number("supervision_cost", self.supervision_cost)
        _check_number("enforcement_benefit_upstream", self.enforcement_benefit_upstream)
        _check_number("enforcement_benefit_downstream", self.enforcement_benefit_downstream)
        _check_number("static_intensity", self.static_intensity, high=1.0)
        if self.penalty_rule not in _RULES:
            raise InputError(
                f"must be one of {_RULES}", field="penalty_rule", value=self.penalty_rule
            )
        if not isinstance(self.strategic, bool):
            raise InputError("must be true or false", field="strategic", value=self.strategic)


@dataclass(frozen=True)
class SupervisedGame:
    """The two-region game with the central government as supervisor.

    ``regions.upstream_penalty`` and ``regions.downstream_penalty`` are read
    as the penalties P_u, P_d charged when an inspection finds the government
    out [10^8 yuan/yr]; the expected penalty is z · P · φ (module docstring).
    """

    regions: TwoRegionGame = field(default_factory=TwoRegionGame)
    centre: CentralGovernment = field(default_factory=CentralGovernment)

    @property
    def dynamic(self) -> bool:
        """True under the dynamic penalty rule."""
        return self.centre.penalty_rule == "dynamic"

    def regional_coefficients(self) -> tuple[float, float, float, float]:
        """(a_0, b, c_0, d): the regional game's coefficients with no central penalty."""
        return replace(self.regions, upstream_penalty=0.0, downstream_penalty=0.0).coefficients()

    def penalties(self) -> tuple[float, float]:
        """(P_u, P_d), penalties on inspection [10^8 yuan/yr]."""
        return float(self.regions.upstream_penalty), float(self.regions.downstream_penalty)

    def payoffs(self, x: float = 0.5, y: float = 0.5) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Payoff tables of U, D and G at the population state (x, y).

        Each is a 2×2×2 array indexed [U ∈ (P, N), D ∈ (C, N), G ∈ (S, O)]
        [10^8 yuan/yr].  Under the static penalty they do not depend on
        (x, y); under the dynamic penalty the penalty is scaled by
        1 − (x + y)/2.
        """
        g = self.regions
        p_u, p_d = self.penalties()
        phi = 1.0 - 0.5 * (x + y) if self.dynamic else 1.0
        m = g.compensation
        protect = -g.protection_cost + g.upstream_benefit + g.upstream_reward
        pay_u = np.empty((2, 2, 2))
        pay_d = np.empty((2, 2, 2))
        pay_g = np.empty((2, 2, 2))
        for k, sup in enumerate((1.0, 0.0)):
            fine_u = sup * p_u * phi
            fine_d = sup * p_d * phi
            pay_u[:, :, k] = [
                [protect + m, protect],
                [-fine_u - g.upstream_reputation - m, -fine_u - g.upstream_reputation],
            ]
            pay_d[:, :, k] = [
                [
                    g.downstream_benefit - m + g.downstream_reward - g.transaction_cost,
                    g.downstream_benefit - fine_d - g.downstream_reputation,
                ],
                [
                    -g.downstream_loss + m - g.transaction_cost,
                    -g.downstream_loss - fine_d - g.downstream_reputation,
                ],
            ]
        c = self.centre
        for i, u_protects in enumerate((True, False)):
            for j, d_compensates in enumerate((True, False)):
                rewards = -(g.upstream_reward if u_protects else 0.0) - (
                    g.downstream_reward if (u_protects and d_compensates) else 0.0
                )
                gain = (0.0 if u_protects else p_u * phi + c.enforcement_benefit_upstream) + (
                    0.0 if d_compensates else p_d * phi + c.enforcement_benefit_downstream
                )
                pay_g[i, j, 0] = rewards - c.supervision_cost + gain
                pay_g[i, j, 1] = rewards
        return pay_u, pay_d, pay_g

    def supervision_parameters(self, noise: float = 0.0) -> SupervisionParameters:
        """The centre's response parameters for a symmetric region (x = y = r).

        Sums the two regions' penalties and enforcement benefits, so that
        ``supervision_response(r, ...)`` is the sign (or logit) of Δ_G(r, r).
        """
        p_u, p_d = self.penalties()
        c = self.centre
        return SupervisionParameters(
            penalty=p_u + p_d,
            enforcement_benefit=c.enforcement_benefit_upstream + c.enforcement_benefit_downstream,
            supervision_cost=c.supervision_cost,
            penalty_rule=c.penalty_rule,
            noise=noise,
        )


def payoff_differences(game: SupervisedGame, x, y, z) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(Δ_U, Δ_D, Δ_G): payoff of P, C, S minus that of N, N, O [10^8 yuan/yr].

    Parameters
    ----------
    game : SupervisedGame
        The supervised two-region game.
    x, y, z : array_like
        Shares protecting, compensating, supervising [-], broadcast together.

    Notes
    -----
    Δ_U = a_0 + b y + P_u z φ, Δ_D = c_0 + d x + P_d z φ,
    Δ_G = (1 − x)(P_u φ + B_u) + (1 − y)(P_d φ + B_d) − C_g, φ = 1 or
    1 − (x + y)/2 (module docstring; Gao et al. 2019, Wang & Shi 2019).
    """
    x, y, z = np.broadcast_arrays(*(np.asarray(v, float) for v in (x, y, z)))
    a0, b, c0, d = game.regional_coefficients()
    p_u, p_d = game.penalties()
    c = game.centre
    phi = 1.0 - 0.5 * (x + y) if game.dynamic else np.ones_like(x)
    du = a0 + b * y + p_u * z * phi
    dd = c0 + d * x + p_d * z * phi
    dg = (
        (1 - x) * (p_u * phi + c.enforcement_benefit_upstream)
        + (1 - y) * (p_d * phi + c.enforcement_benefit_downstream)
        - c.supervision_cost
    )
    return du, dd, dg


def replicator_field(game: SupervisedGame, state) -> np.ndarray:
    """Time derivative (ẋ, ẏ, ż) [1/yr] of the three-population replicator system.

    With ``centre.strategic`` false, ż = 0 (z stays where it is; start it at
    ``static_intensity``).
    """
    x, y, z = np.asarray(state, float)
    du, dd, dg = payoff_differences(game, x, y, z)
    dz = z * (1 - z) * dg if game.centre.strategic else 0.0 * dg
    return np.array([x * (1 - x) * du, y * (1 - y) * dd, dz])


def jacobian(game: SupervisedGame, state) -> np.ndarray:
    """Analytic Jacobian of :func:`replicator_field` at (x, y, z) [1/yr].

    J_ij = δ_ij (1 − 2 s_i) Δ_i + s_i (1 − s_i) ∂Δ_i/∂s_j.  With the centre
    not strategic, the third row is zero.
    """
    x, y, z = (float(v) for v in state)
    a0, b, c0, d = game.regional_coefficients()
    p_u, p_d = game.penalties()
    c = game.centre
    du, dd, dg = (float(v) for v in payoff_differences(game, x, y, z))
    if game.dynamic:
        phi, dphi = 1.0 - 0.5 * (x + y), -0.5
    else:
        phi, dphi = 1.0, 0.0
    # partial derivatives of the payoff differences
    du_x, du_y, du_z = p_u * z * dphi, b + p_u * z * dphi, p_u * phi
    dd_x, dd_y, dd_z = d + p_d * z * dphi, p_d * z * dphi, p_d * phi
    dg_x = -(p_u * phi + c.enforcement_benefit_upstream) + ((1 - x) * p_u + (1 - y) * p_d) * dphi
    dg_y = -(p_d * phi + c.enforcement_benefit_downstream) + ((1 - x) * p_u + (1 - y) * p_d) * dphi
    sx, sy, sz = x * (1 - x), y * (1 - y), z * (1 - z)
    jac = np.array(
        [
            [(1 - 2 * x) * du + sx * du_x, sx * du_y, sx * du_z],
            [sy * dd_x, (1 - 2 * y) * dd + sy * dd_y, sy * dd_z],
            [sz * dg_x, sz * dg_y, (1 - 2 * z) * dg],
        ]
    )
    if not c.strategic:
        jac[2, :] = 0.0
    return jac


def classify(eigenvalues: np.ndarray, tol: float = 1e-9) -> str:
    """Kind of a rest point from its Jacobian eigenvalues.

    'stable' (all real parts < −tol), 'unstable' (all > tol), 'saddle' (some
    of each, none near zero), 'centre' (all real parts within tol, some
    imaginary part not), otherwise 'non-hyperbolic' (linearisation
    undecided).  ``tol`` is relative to the largest eigenvalue modulus.
    """
    ev = np.asarray(eigenvalues)
    scale = max(1.0, float(np.max(np.abs(ev)))) if ev.size else 1.0
    re = ev.real / scale
    small = np.abs(re) < tol
    if np.all(small):
        return "centre" if np.any(np.abs(ev.imag) / scale > tol) else "non-hyperbolic"
    if np.any(small):
        return "non-hyperbolic"
    if np.all(re < 0):
        return "stable"
    if np.all(re > 0):
        return "unstable"
    return "saddle"


@dataclass(frozen=True)
class SupervisedRestPoint:
    """A rest point (x, y, z) of the supervised game.

    ``cell`` is 'vertex', 'edge', 'face' or 'interior' (of the cube; of the
    square when the centre is not strategic); ``eigenvalues`` those of the
    Jacobian (three, or two when the centre is not strategic).
    """

    x: float
    y: float
    z: float
    eigenvalues: np.ndarray
    cell: str

    @property
    def kind(self) -> str:
        """'stable', 'unstable', 'saddle', 'centre' or 'non-hyperbolic'."""
        return classify(self.eigenvalues)

    @property
    def state(self) -> tuple[float, float, float]:
        """(x, y, z)."""
        return (self.x, self.y, self.z)


def _inside(v: float) -> bool:
    return 0.0 < v < 1.0


def _degenerate(cell: str, what: str) -> None:
    warnings.warn(
        f"rest points on {cell} are not isolated ({what} is zero); they are not listed",
        RuntimeWarning,
        stacklevel=3,
    )


def _real_roots(poly: Polynomial) -> list[float]:
    coef = np.trim_zeros(np.asarray(poly.coef, float), "b")
    if coef.size <= 1:
        return []
    roots = Polynomial(coef).roots()
    return [float(r.real) for r in roots if abs(r.imag) <= 1e-12 * max(1.0, float(abs(r)))]


def _candidates_static_rule(
    game: SupervisedGame, levels: tuple[float, ...]
) -> list[tuple[float, float, float, str]]:
    """Closed-form rest points under the static penalty (module docstring)."""
    a0, b, c0, d = game.regional_coefficients()
    p_u, p_d = game.penalties()
    c = game.centre
    g_u = p_u + c.enforcement_benefit_upstream
    g_d = p_d + c.enforcement_benefit_downstream
    out: list[tuple[float, float, float, str]] = []
    # faces z = z0: the two-region interior point with penalties z0 P
    for z0 in levels:
        if abs(b) > _ZERO and abs(d) > _ZERO:
            out.append((-(c0 + p_d * z0) / d, -(a0 + p_u * z0) / b, z0, "face"))
    if not c.strategic:
        return out
    # faces x = x0: z from Δ_D = 0, y from Δ_G = 0
    for x0 in (0.0, 1.0):
        if abs(p_d) > _ZERO and abs(g_d) > _ZERO:
            out.append(
                (x0, 1 - (c.supervision_cost - g_u * (1 - x0)) / g_d, -(c0 + d * x0) / p_d, "face")
            )
    for y0 in (0.0, 1.0):
        if abs(p_u) > _ZERO and abs(g_u) > _ZERO:
            out.append(
                (1 - (c.supervision_cost - g_d * (1 - y0)) / g_u, y0, -(a0 + b * y0) / p_u, "face")
            )
    # interior: the linear system of the module docstring
    if abs(b) > _ZERO and abs(d) > _ZERO:
        den = g_u * p_d / d + g_d * p_u / b
        if abs(den) > _ZERO:
            zs = (c.supervision_cost - g_u * (1 + c0 / d) - g_d * (1 + a0 / b)) / den
            out.append((-(c0 + p_d * zs) / d, -(a0 + p_u * zs) / b, zs, "interior"))
    return out


def _candidates_dynamic_rule(
    game: SupervisedGame, levels: tuple[float, ...]
) -> list[tuple[float, float, float, str]]:
    """Closed-form rest points under the dynamic penalty (module docstring)."""
    a0, b, c0, d = game.regional_coefficients()
    p_u, p_d = game.penalties()
    c = game.centre
    b_u, b_d, cost = (
        c.enforcement_benefit_upstream,
        c.enforcement_benefit_downstream,
        c.supervision_cost,
    )
    out: list[tuple[float, float, float, str]] = []
    for z0 in levels:
        q_u, q_d = p_u * z0, p_d * z0  # penalties at this intensity
        # edges: one regional share free, the other at 0 or 1
        for y0 in (0.0, 1.0):
            if abs(q_u) > _ZERO:
                out.append((2 + 2 * (a0 + b * y0) / q_u - y0, y0, z0, "edge"))
        for x0 in (0.0, 1.0):
            if abs(q_d) > _ZERO:
                out.append((x0, 2 + 2 * (c0 + d * x0) / q_d - x0, z0, "edge"))
        # face z = z0: linear in (x, y)
        mat = np.array([[-q_u / 2, b - q_u / 2], [d - q_d / 2, -q_d / 2]])
        if abs(np.linalg.det(mat)) > _ZERO:
            xs, ys = np.linalg.solve(mat, [-(a0 + q_u), -(c0 + q_d)])
            out.append((float(xs), float(ys), z0, "face"))
    if not c.strategic:
        return out
    # faces x = x0: quadratic in u = 1 − y, then z from Δ_D = 0
    for x0 in (0.0, 1.0):
        k = 1 - x0
        quad = Polynomial([k * k * p_u / 2 + k * b_u - cost, k * (p_u + p_d) / 2 + b_d, p_d / 2])
        for u in _real_roots(quad):
            one_minus_r = (k + u) / 2
            if abs(p_d * one_minus_r) > _ZERO:
                out.append((x0, 1 - u, -(c0 + d * x0) / (p_d * one_minus_r), "face"))
    for y0 in (0.0, 1.0):
        k = 1 - y0
        quad = Polynomial([k * k * p_d / 2 + k * b_d - cost, k * (p_u + p_d) / 2 + b_u, p_u / 2])
        for v in _real_roots(quad):
            one_minus_r = (k + v) / 2
            if abs(p_u * one_minus_r) > _ZERO:
                out.append((1 - v, y0, -(a0 + b * y0) / (p_u * one_minus_r), "face"))
    # interior: q = z(1 − r); x, y, 1 − r linear in q; Δ_G quadratic in q
    if abs(b) > _ZERO and abs(d) > _ZERO:
        one_minus_x = Polynomial([1 + c0 / d, p_d / d])
        one_minus_y = Polynomial([1 + a0 / b, p_u / b])
        one_minus_r_q = (one_minus_x + one_minus_y) / 2
        dg = (
            one_minus_x * (p_u * one_minus_r_q + b_u)
            + one_minus_y * (p_d * one_minus_r_q + b_d)
            - cost
        )
        for q in _real_roots(dg):
            omr = float(one_minus_r_q(q))
            if abs(omr) > _ZERO:
                out.append((1 - one_minus_x(q), 1 - one_minus_y(q), q / omr, "interior"))
    return out


def _check_edges(game: SupervisedGame, levels: tuple[float, ...]) -> None:
    """Warn where a payoff difference vanishes along a whole edge (a continuum).

    On an edge only one share is free; where its payoff difference does not
    depend on it (every edge under the static penalty; the edges along z and
    at z = 0 under the dynamic one) the edge holds either no rest point or a
    whole segment of them.
    """
    corners = (0.0, 1.0)
    along = (0.25, 0.75)

    def flat(i: int, states: list[tuple[float, float, float]]) -> bool:
        return all(abs(float(payoff_differences(game, *s)[i])) <= _ZERO for s in states)

    for x0 in corners:
        for y0 in corners:
            if game.centre.strategic and flat(2, [(x0, y0, t) for t in along]):
                _degenerate(f"edge x={x0:g}, y={y0:g}", "Δ_G")
        for z0 in levels:
            if flat(1, [(x0, t, z0) for t in along]):
                _degenerate(f"edge x={x0:g}, z={z0:g}", "Δ_D")
    for y0 in corners:
        for z0 in levels:
            if flat(0, [(t, y0, z0) for t in along]):
                _degenerate(f"edge y={y0:g}, z={z0:g}", "Δ_U")


def rest_points(game: SupervisedGame) -> list[SupervisedRestPoint]:
    """All isolated rest points of the supervised game, with Jacobian eigenvalues.

    Strategic centre: the 8 vertices of the cube and the closed-form rest
    points on its edges, faces and interior (module docstring), each kept
    when it lies in the cube.  Centre not strategic: the rest points of the
    square at z = z̄; with the static penalty these are exactly those of
    :func:`coopgov.dynamics.two_region.rest_points` for the regional game
    with penalties z̄·P (for z̄ = 1, today's game unchanged).

    Non-isolated rest points (a payoff difference vanishing along a whole
    edge or face, a set of measure zero in parameter space) are not listed;
    a ``RuntimeWarning`` names the cell.

    Parameters
    ----------
    game : SupervisedGame
        The supervised two-region game.

    Returns
    -------
    list of SupervisedRestPoint
        Sorted by (z, y, x).
    """
    c = game.centre
    if not c.strategic and not game.dynamic:
        p_u, p_d = game.penalties()
        zbar = float(c.static_intensity)
        fixed = replace(game.regions, upstream_penalty=zbar * p_u, downstream_penalty=zbar * p_d)
        lifted = []
        for p in two_region_rest_points(fixed):
            cell = "vertex" if p.x in (0.0, 1.0) and p.y in (0.0, 1.0) else "face"
            lifted.append(SupervisedRestPoint(p.x, p.y, zbar, p.eigenvalues, cell))
        return sorted(lifted, key=lambda p: (p.z, p.y, p.x))

    levels = (0.0, 1.0) if c.strategic else (float(c.static_intensity),)
    found: list[tuple[float, float, float, str]] = []
    for z0 in levels:
        for x0 in (0.0, 1.0):
            for y0 in (0.0, 1.0):
                found.append((x0, y0, z0, "vertex"))
    _check_edges(game, levels)
    if game.dynamic:
        found += _candidates_dynamic_rule(game, levels)
    else:
        found += _candidates_static_rule(game, levels)

    pts: list[SupervisedRestPoint] = []
    seen: list[tuple[float, float, float]] = []
    for x, y, z, cell in found:
        free = [v for v, s in zip((x, y, z), (True, True, c.strategic), strict=True) if s]
        on_grid = [v in (0.0, 1.0) for v in free]
        if not all(0.0 <= v <= 1.0 for v in free):
            continue
        # a candidate is kept in the cell it was derived for: its free
        # coordinates strictly inside (0, 1) (boundary hits belong to a lower cell)
        n_free = {"vertex": 0, "edge": 1, "face": 2, "interior": 3}[cell]
        if not c.strategic:
            n_free = {"vertex": 0, "edge": 1, "face": 2}[cell]
        if sum(not g for g in on_grid) != n_free:
            continue
        key = (round(x, 12), round(y, 12), round(z, 12))
        if key in seen:
            continue
        seen.append(key)
        jac = jacobian(game, (x, y, z))
        ev = np.linalg.eigvals(jac if c.strategic else jac[:2, :2])
        pts.append(SupervisedRestPoint(float(x), float(y), float(z), ev, cell))
    return sorted(pts, key=lambda p: (p.z, p.y, p.x))


def integrate_supervised(
    game: SupervisedGame,
    x0: float,
    y0: float,
    z0: float | None = None,
    t_end: float = 500.0,
    t_eval: np.ndarray | None = None,
):
    """Solve the supervised replicator system with LSODA.

    Shares strictly inside (0, 1) are integrated in log-odds
    ξ = ln(s/(1 − s)), where the replicator equation reads ξ̇ = Δ(s): the
    solution cannot leave the cube through round-off, however close it comes
    to a face (near a heteroclinic cycle the shares reach 1e-300).  A share
    starting at 0 or 1 stays there (the faces are invariant); with the centre
    not strategic z stays at ``z0``.

    Parameters
    ----------
    game : SupervisedGame
        The supervised two-region game.
    x0, y0, z0 : float
        Initial shares [-]; ``z0`` defaults to ``static_intensity``.
    t_end : float
        Horizon [yr] (time unit of the payoff rates).
    t_eval : array_like, optional
        Times [yr] at which to return the solution; default only ``t_end``.

    Returns
    -------
    numpy.ndarray
        State (x, y, z) at ``t_end`` (shape (3,)), or at each of ``t_eval``
        (shape (3, len(t_eval))).
    """
    if z0 is None:
        z0 = game.centre.static_intensity
    for name, v in (("x0", x0), ("y0", y0), ("z0", z0)):
        _check_number(name, v, high=1.0)
    _check_number("t_end", t_end, low=0.0)
    start = np.array([x0, y0, z0], float)
    moving = (start > 0) & (start < 1)
    if not game.centre.strategic:
        moving[2] = False
    times = np.array([t_end], float) if t_eval is None else np.asarray(t_eval, float)
    out = np.repeat(start[:, None], times.size, axis=1)
    if moving.any():

        def rhs(t: float, xi: np.ndarray) -> np.ndarray:
            state = start.copy()
            state[moving] = special.expit(xi)
            return np.stack(payoff_differences(game, *state))[moving]

        sol = integrate.solve_ivp(
            rhs,
            (0.0, t_end),
            special.logit(start[moving]),
            method="LSODA",
            rtol=1e-10,
            atol=1e-10,
            t_eval=times,
        )
        if not sol.success:
            raise RuntimeError(f"LSODA failed: {sol.message}")
        out[moving] = special.expit(sol.y)
    return out if t_eval is not None else out[:, -1]


@dataclass(frozen=True)
class SupervisionParameters:
    """What the centre weighs when it chooses how hard to supervise.

    Parameters
    ----------
    penalty : float
        P, the penalty collected when every region defects and is inspected
        [10^8 yuan/yr] (in the 41-city model: the sum of the cities' penalties
        on inspection).
    enforcement_benefit : float
        B, the centre's benefit of finding every region out, beyond the
        penalty [10^8 yuan/yr].
    supervision_cost : float
        C_g, cost of supervising [10^8 yuan/yr].
    penalty_rule : {"static", "dynamic"}
        Whether the penalty is scaled by 1 − r (Wang & Shi 2019).
    noise : float
        τ ≥ 0, the logit noise of the centre's choice [10^8 yuan/yr]; 0 gives
        the exact best response.
    """

    penalty: float = 1.0
    enforcement_benefit: float = 0.6
    supervision_cost: float = 0.6
    penalty_rule: PenaltyRule = "static"
    noise: float = 0.0

    def __post_init__(self) -> None:
        _check_number("penalty", self.penalty)
        _check_number("enforcement_benefit", self.enforcement_benefit)
        _check_number("supervision_cost", self.supervision_cost)
        _check_number("noise", self.noise)
        if self.penalty_rule not in _RULES:
            raise InputError(
                f"must be one of {_RULES}", field="penalty_rule", value=self.penalty_rule
            )


def _centre_gain(r: np.ndarray, params: SupervisionParameters) -> np.ndarray:
    defect = 1.0 - r
    penalty = params.penalty * (defect if params.penalty_rule == "dynamic" else 1.0)
    return defect * (penalty + params.enforcement_benefit) - params.supervision_cost


def supervision_response(cooperation_rate, params: SupervisionParameters):
    r"""The centre's supervision intensity given the regions' cooperation rate.

    Meant as a *detection multiplier* for the mean-field engine: the
    effective detection probability of a defecting city is
    ``detection × supervision_response(r, params)``.

    Parameters
    ----------
    cooperation_rate : float or array_like
        r ∈ [0, 1], the regional cooperation rate [-].
    params : SupervisionParameters
        The centre's penalty, enforcement benefit, cost, penalty rule and noise.

    Returns
    -------
    float or numpy.ndarray
        z ∈ [0, 1] [-], same shape as ``cooperation_rate``.

    Notes
    -----
    The centre's payoff gain from supervising at cooperation r (all regions
    at the same r) is

    .. math::
        Δ_G(r) = (1 - r)\,(P\,φ(r) + B) - C_g,\qquad φ = 1 \text{ or } 1 - r.

    With r held fixed, the centre's replicator equation ż = z(1 − z)Δ_G
    converges to z = 1 where Δ_G > 0 and to z = 0 where Δ_G < 0: the best
    response (``noise = 0``; 1/2 at indifference).  With ``noise = τ > 0``
    the response is the logit (quantal) response z = 1/(1 + e^{−Δ_G/τ})
    (McKelvey & Palfrey 1995), the rest point of the centre's perturbed
    best-response dynamics; it tends to the best response as τ → 0.
    Δ_G decreases in r (the centre supervises less as the regions cooperate
    more, Gao et al. 2019) and in C_g, so does the response.
    """
    r = np.asarray(cooperation_rate, float)
    if np.any(~np.isfinite(r)) or np.any((r < 0) | (r > 1)):
        bad = r[~np.isfinite(r) | (r < 0) | (r > 1)].ravel()[0] if r.ndim else float(r)
        raise InputError("must lie in [0, 1]", field="cooperation_rate", value=float(bad))
    gain = _centre_gain(r, params)
    if params.noise > 0:
        out = 0.5 * (1.0 + np.tanh(gain / (2.0 * params.noise)))  # logistic, overflow-free
    else:
        out = np.where(gain > 0, 1.0, np.where(gain < 0, 0.0, 0.5))
    return float(out) if out.ndim == 0 else out


def supervision_threshold(params: SupervisionParameters) -> float:
    """Cooperation rate r* at which the centre is indifferent (Δ_G(r*) = 0).

    Below r* the centre's best response is to supervise, above it not to.
    Static penalty: r* = 1 − C_g/(P + B).  Dynamic penalty: u = 1 − r* is the
    positive root of P u² + B u − C_g = 0.  The value is clipped to [0, 1]:
    0 means the centre never supervises (C_g ≥ P + B, its gain when nobody
    cooperates), 1 means it supervises at every r < 1 (C_g = 0).

    Parameters
    ----------
    params : SupervisionParameters
        The centre's penalty, enforcement benefit, cost, penalty rule and noise.

    Returns
    -------
    float
        r* ∈ [0, 1] [-].
    """
    p, b, cost = params.penalty, params.enforcement_benefit, params.supervision_cost
    if params.penalty_rule == "dynamic" and p > 0:
        u = (-b + math.sqrt(b * b + 4 * p * cost)) / (2 * p)
    elif p + b > 0:
        u = cost / (p + b)
    else:
        return 0.0
    return float(min(1.0, max(0.0, 1.0 - u)))
