"""Sharing a river: cleaning costs of a polluted river, and the river's water.

A river is a tree of regions draining to one mouth, given by ``parent``:
``parent[i]`` is the region immediately downstream of region ``i`` and ``-1``
marks the mouth.  A river on a line (regions numbered from source to mouth)
is ``parent = [1, 2, ..., n-1, -1]`` (:func:`line_parents`).  ``costs[i]`` is
the cost of cleaning the segment of river in region ``i`` [yuan/yr].

Cost sharing methods (Ni & Wang 2007 on a line; Dong, Ni & Wang 2012 on a
tree):

* **LRS**, local responsibility sharing (Absolute Territorial Sovereignty):
  each region pays for its own segment.
* **UES**, upstream equal sharing (Unlimited Territorial Integrity): the cost
  of a segment is shared equally by its region and all regions upstream of it.
* **DES**, downstream equal sharing: the cost of a segment is shared equally
  by its region and all regions downstream of it (the airport rule of
  Littlechild & Owen 1973 on a line).

Each method is the Shapley value of its own cost game
(:class:`RiverCostGame`), which the tests check.  The water-sharing problem of
Ambec & Sprumont (2002) is :func:`ambec_sprumont`, for any increasing,
strictly concave benefit of water (:class:`Benefit`: quadratic, power, log,
or a user's function).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from coopgov.errors import InputError
from coopgov.games.cooperative import game_table

__all__ = [
    "Benefit",
    "CallableBenefit",
    "LogBenefit",
    "PowerBenefit",
    "QuadraticBenefit",
    "RiverCostGame",
    "ambec_sprumont",
    "downstream_equal_sharing",
    "downstream_matrix",
    "line_parents",
    "local_responsibility_sharing",
    "river_cost_game",
    "river_cost_table",
    "river_water_game",
    "river_water_welfare",
    "upstream_equal_sharing",
]

Doctrine = Literal["lrs", "ues", "des"]


# ---------------------------------------------------------------------------
# river topology
# ---------------------------------------------------------------------------
def line_parents(n: int) -> NDArray[np.int64]:
    """Downstream neighbour of each region on a line river, source first.

    Parameters
    ----------
    n : int
        Number of regions [-].

    Returns
    -------
    ndarray of int, shape (n,)
        ``[1, 2, ..., n-1, -1]``.
    """
    if n < 1:
        raise InputError("a river needs at least one region", field="n", value=n)
    parent = np.arange(1, n + 1, dtype=np.int64)
    parent[-1] = -1
    return parent


def _validate_parent(parent: ArrayLike, n: int | None = None) -> NDArray[np.int64]:
    par = np.asarray(parent)
    if par.ndim != 1 or par.size == 0 or not np.issubdtype(par.dtype, np.integer):
        raise InputError("parent must be a non-empty vector of integers", field="parent")
    par = par.astype(np.int64)
    if n is not None and par.size != n:
        raise InputError(f"parent must have {n} entries", field="parent", value=par.size)
    bad = np.flatnonzero((par < -1) | (par >= par.size) | (par == np.arange(par.size)))
    if bad.size:
        raise InputError(
            "parent entries must be -1 or another region's index",
            field="parent",
            row=int(bad[0]) + 1,  # 1-based entry of the vector
            value=int(par[bad[0]]),
        )
    if np.count_nonzero(par == -1) != 1:
        raise InputError("a river network needs exactly one mouth (parent -1)", field="parent")
    return par


def downstream_matrix(parent: ArrayLike) -> NDArray[np.bool_]:
    """Which regions lie downstream of which.

    Parameters
    ----------
    parent : array_like of int, shape (n,)
        Downstream neighbour of each region, ``-1`` at the mouth.

    Returns
    -------
    ndarray of bool, shape (n, n)
        ``D[i, j]`` is True when region ``j`` is ``i`` itself or lies on the
        path from ``i`` to the mouth.

    Raises
    ------
    InputError
        If ``parent`` has a cycle or more than one mouth.
    """
    par = _validate_parent(parent)
    n = par.size
    down = np.eye(n, dtype=bool)
    cur = np.arange(n)
    for _ in range(n):
        active = cur >= 0
        if not active.any():
            break
        nxt = np.where(active, par[np.maximum(cur, 0)], -1)
        ok = nxt >= 0
        down[np.flatnonzero(ok), nxt[ok]] = True
        cur = nxt
    else:
        if np.any(cur >= 0):
            raise InputError("parent describes a cycle, not a river tree", field="parent")
    if np.any(cur >= 0):
        raise InputError("parent describes a cycle, not a river tree", field="parent")
    return down


def _costs(costs: ArrayLike) -> NDArray[np.float64]:
    c = np.asarray(costs, dtype=float)
    if c.ndim != 1 or c.size == 0:
        raise InputError("costs must be a non-empty vector", field="costs")
    bad = np.flatnonzero(~np.isfinite(c) | (c < 0))
    if bad.size:
        raise InputError(
            "segment costs must be finite and >= 0",
            field="costs",
            row=int(bad[0]) + 1,  # 1-based entry of the vector
            value=float(c[bad[0]]),
        )
    return c


# ---------------------------------------------------------------------------
# cost sharing methods
# ---------------------------------------------------------------------------
def local_responsibility_sharing(costs: ArrayLike) -> NDArray[np.float64]:
    r"""Local Responsibility Sharing (LRS): each region pays its own segment.

    Parameters
    ----------
    costs : array_like, shape (n,)
        Cleaning cost of each region's segment [yuan/yr].

    Returns
    -------
    ndarray, shape (n,)
        :math:`x_i = c_i` [yuan/yr].

    Notes
    -----
    Based on the Absolute Territorial Sovereignty doctrine; it is the Shapley
    value of the stand-alone game :math:`c(S) = \sum_{i \in S} c_i`
    (Ni & Wang 2007, Theorem 1 and sect. 4; Dong, Ni & Wang 2012 for trees).

    References
    ----------
    .. [1] Ni, D., & Wang, Y. (2007). Sharing a polluted river. Games and
       Economic Behavior 60(1), 176-186.
    .. [2] Dong, B., Ni, D., & Wang, Y. (2012). Sharing a polluted river
       network. Environmental and Resource Economics 53(3), 367-387.

    Examples
    --------
    >>> local_responsibility_sharing([6.0, 4.0, 2.0]).tolist()
    [6.0, 4.0, 2.0]
    """
    return _costs(costs).copy()


def upstream_equal_sharing(
    costs: ArrayLike, parent: ArrayLike | None = None
) -> NDArray[np.float64]:
    r"""Upstream Equal Sharing (UES) of river cleaning costs.

    Parameters
    ----------
    costs : array_like, shape (n,)
        Cleaning cost of each region's segment [yuan/yr].
    parent : array_like of int, shape (n,), optional
        Downstream neighbour of each region (``-1`` at the mouth); a line
        river, source first, by default.

    Returns
    -------
    ndarray, shape (n,)
        Cost paid by each region [yuan/yr]; sums to ``sum(costs)``.

    Notes
    -----
    The cost of segment :math:`j` is shared equally by :math:`j` and every
    region upstream of it, :math:`U(j)`:

    .. math:: x_i = \sum_{j \in D(i)} \frac{c_j}{|U(j)|}

    with :math:`D(i)` the regions at and downstream of :math:`i`.  On a line
    (source = 1): :math:`x_i = \sum_{j \ge i} c_j / j`.  It is the Shapley
    value of the upstream-oriented game (Unlimited Territorial Integrity):
    a coalition pays for every segment at or downstream of any member.

    References
    ----------
    .. [1] Ni, D., & Wang, Y. (2007). Sharing a polluted river. Games and
       Economic Behavior 60(1), 176-186.
    .. [2] Dong, B., Ni, D., & Wang, Y. (2012). Sharing a polluted river
       network. Environmental and Resource Economics 53(3), 367-387.

    Examples
    --------
    Three regions on a line, source first: the mouth's segment (2) is shared
    by all three, the middle one (4) by the two upstream regions.

    >>> [round(float(x), 4) for x in upstream_equal_sharing([6.0, 4.0, 2.0])]
    [8.6667, 2.6667, 0.6667]
    """
    c = _costs(costs)
    down = downstream_matrix(
        line_parents(c.size) if parent is None else _validate_parent(parent, c.size)
    )
    n_upstream = down.sum(axis=0)  # |U(j)|: regions whose downstream path contains j
    return down.astype(float) @ (c / n_upstream)


def downstream_equal_sharing(
    costs: ArrayLike, parent: ArrayLike | None = None
) -> NDArray[np.float64]:
    r"""Downstream Equal Sharing (DES) of river cleaning costs.

    Parameters
    ----------
    costs : array_like, shape (n,)
        Cleaning cost of each region's segment [yuan/yr].
    parent : array_like of int, shape (n,), optional
        Downstream neighbour of each region (``-1`` at the mouth); a line
        river, source first, by default.

    Returns
    -------
    ndarray, shape (n,)
        Cost paid by each region [yuan/yr]; sums to ``sum(costs)``.

    Notes
    -----
    The cost of segment :math:`j` is shared equally by :math:`j` and every
    region downstream of it, :math:`D(j)`:

    .. math:: x_i = \sum_{j :\, i \in D(j)} \frac{c_j}{|D(j)|}

    On a line this is Littlechild & Owen's (1973) airport rule, the Shapley
    value of :math:`c(S) = \sum_{j \le \max S} c_j`; on a tree it is the
    Shapley value of the downstream-oriented game: a coalition pays for every
    segment at or upstream of any member (Dong, Ni & Wang 2012, sect. 3).

    References
    ----------
    .. [1] Dong, B., Ni, D., & Wang, Y. (2012). Sharing a polluted river
       network. Environmental and Resource Economics 53(3), 367-387.
    .. [2] Littlechild, S. C., & Owen, G. (1973). A simple expression for the
       Shapley value in a special case. Management Science 20(3), 370-372.

    Examples
    --------
    >>> downstream_equal_sharing([6.0, 4.0, 2.0]).tolist()  # 6/3, 6/3 + 4/2, 6/3 + 4/2 + 2
    [2.0, 4.0, 6.0]
    """
    c = _costs(costs)
    down = downstream_matrix(
        line_parents(c.size) if parent is None else _validate_parent(parent, c.size)
    )
    return (c / down.sum(axis=1)) @ down.astype(float)


# ---------------------------------------------------------------------------
# the cost games behind the methods
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class RiverCostGame:
    """Cost game of a polluted river, a vectorised characteristic function.

    ``game(members)`` returns the cost of each coalition (rows of the boolean
    matrix ``members``, shape ``(K, n)``) [yuan/yr]; ``game.prefix_values``
    evaluates all prefixes of many player orders in ``O(m n)`` for
    :func:`coopgov.games.cooperative.shapley_value_sampled`.

    Attributes
    ----------
    costs : ndarray, shape (n,)
        Segment cleaning costs [yuan/yr].
    responsible : ndarray of bool, shape (n, n)
        ``responsible[j, i]``: region ``i`` shares liability for segment ``j``;
        a coalition pays :math:`c_j` when any member is liable.
    parent : ndarray of int, shape (n,)
        River topology.
    doctrine : {"lrs", "ues", "des"}
        Which game this is.
    """

    costs: NDArray[np.float64]
    responsible: NDArray[np.bool_]
    parent: NDArray[np.int64]
    doctrine: Doctrine

    @property
    def n_players(self) -> int:
        """Number of regions."""
        return int(self.costs.size)

    def __call__(self, members: NDArray[np.bool_]) -> NDArray[np.float64]:
        """Cost of each coalition (row of ``members``) [yuan/yr]."""
        m = np.asarray(members, dtype=bool)
        liable = (m.astype(np.float32) @ self.responsible.T.astype(np.float32)) > 0
        return liable @ self.costs

    def prefix_values(self, orders: NDArray[np.int64]) -> NDArray[np.float64]:
        """Costs of the ``n + 1`` prefix coalitions of each order, shape ``(m, n + 1)``."""
        m, n = orders.shape
        rank = np.empty_like(orders)
        np.put_along_axis(rank, orders, np.arange(n)[None, :], axis=1)
        # first[:, j]: position in the order of the first member liable for j
        if self.doctrine == "lrs":
            first = rank
        else:
            first = rank.copy()
            down = self.parent
            if self.doctrine == "ues":  # liable: j and its upstream regions
                for j in _upstream_first_order(down):
                    p = down[j]
                    if p >= 0:
                        np.minimum(first[:, p], first[:, j], out=first[:, p])
            else:  # des; liable: j and its downstream regions
                for j in _upstream_first_order(down)[::-1]:
                    p = down[j]
                    if p >= 0:
                        np.minimum(first[:, j], first[:, p], out=first[:, j])
        flat = (np.arange(m)[:, None] * n + first).ravel()
        weights = np.broadcast_to(self.costs, (m, n)).ravel()
        marginal = np.bincount(flat, weights=weights, minlength=m * n).reshape(m, n)
        out = np.zeros((m, n + 1))
        np.cumsum(marginal, axis=1, out=out[:, 1:])
        return out


def _upstream_first_order(parent: NDArray[np.int64]) -> NDArray[np.int64]:
    """Regions ordered so that every region comes before its downstream neighbour."""
    n = parent.size
    depth = np.zeros(n, dtype=np.int64)
    cur = parent.copy()
    while np.any(cur >= 0):
        depth += cur >= 0
        cur = np.where(cur >= 0, parent[np.maximum(cur, 0)], -1)
    return np.argsort(-depth, kind="stable")


def river_cost_game(
    costs: ArrayLike, parent: ArrayLike | None = None, doctrine: Doctrine = "ues"
) -> RiverCostGame:
    r"""Build the cost game whose Shapley value is LRS, UES or DES.

    Parameters
    ----------
    costs : array_like, shape (n,)
        Segment cleaning costs [yuan/yr].
    parent : array_like of int, shape (n,), optional
        River topology; a line, source first, by default.
    doctrine : {"lrs", "ues", "des"}
        ``"lrs"``: stand-alone game :math:`c(S) = \sum_{i \in S} c_i`;
        ``"ues"``: upstream-oriented game, a coalition pays every segment at or
        downstream of a member; ``"des"``: downstream-oriented game, a
        coalition pays every segment at or upstream of a member.

    Returns
    -------
    RiverCostGame
        Vectorised cost game [yuan/yr].

    Notes
    -----
    Each game is a sum over segments of :math:`c_j\,[S \cap R_j \ne
    \emptyset]`, with :math:`R_j` the regions liable for :math:`j`; such
    games are concave (submodular), so their Shapley value
    :math:`\sum_{j: i \in R_j} c_j/|R_j|` is in the core (Ni & Wang 2007,
    sect. 4; Dong, Ni & Wang 2012, sect. 4).

    References
    ----------
    .. [1] Ni, D., & Wang, Y. (2007). Sharing a polluted river. Games and
       Economic Behavior 60(1), 176-186.
    .. [2] Dong, B., Ni, D., & Wang, Y. (2012). Sharing a polluted river
       network. Environmental and Resource Economics 53(3), 367-387.
    """
    c = _costs(costs)
    par = line_parents(c.size) if parent is None else _validate_parent(parent, c.size)
    down = downstream_matrix(par)
    if doctrine == "lrs":
        responsible = np.eye(c.size, dtype=bool)
    elif doctrine == "ues":
        responsible = down.T.copy()  # responsible[j, i]: j downstream of (or equal to) i
    elif doctrine == "des":
        responsible = down.copy()  # responsible[j, i]: i downstream of (or equal to) j
    else:
        raise InputError("doctrine must be 'lrs', 'ues' or 'des'", field="doctrine", value=doctrine)
    return RiverCostGame(costs=c, responsible=responsible, parent=par, doctrine=doctrine)


def river_cost_table(
    costs: ArrayLike, parent: ArrayLike | None = None, doctrine: Doctrine = "ues"
) -> NDArray[np.float64]:
    """Tabulate a river cost game over all ``2**n`` coalitions.

    Parameters
    ----------
    costs : array_like, shape (n,)
        Segment cleaning costs [yuan/yr].
    parent : array_like of int, shape (n,), optional
        River topology; a line, source first, by default.
    doctrine : {"lrs", "ues", "des"}
        Which game (see :func:`river_cost_game`).

    Returns
    -------
    ndarray, shape (2**n,)
        Cost of each coalition by bitmask [yuan/yr].

    References
    ----------
    .. [1] Dong, B., Ni, D., & Wang, Y. (2012). Environmental and Resource
       Economics 53(3), 367-387.

    Examples
    --------
    The Shapley value of the upstream-oriented game is Upstream Equal Sharing:

    >>> from coopgov.games.cooperative import shapley_value
    >>> table = river_cost_table([6.0, 4.0, 2.0], doctrine="ues")
    >>> table.tolist()  # by bitmask: any coalition with region 0 pays all 12
    [0.0, 12.0, 6.0, 12.0, 2.0, 12.0, 6.0, 12.0]
    >>> [round(float(x), 4) for x in shapley_value(table)]
    [8.6667, 2.6667, 0.6667]
    """
    game = river_cost_game(costs, parent, doctrine)
    return game_table(game, game.n_players)


# ---------------------------------------------------------------------------
# Ambec & Sprumont: sharing the water of a river
# ---------------------------------------------------------------------------
#
# Ambec & Sprumont (2002, sect. 2) allow any benefit b_i that is increasing and
# strictly concave (differentiable, with free disposal of water beyond a
# satiation point).  A family below supplies, per region, the benefit b_i(x)
# and the demand d_i(p) = argmax_x b_i(x) - p x (the inverse of the marginal
# benefit, 0 where b_i'(0) <= p): the efficient use of a stretch of river is
# found from demands alone.


class Benefit:
    """Benefit of water use of each region: increasing and strictly concave.

    Subclasses: :class:`QuadraticBenefit`, :class:`PowerBenefit`,
    :class:`LogBenefit` (closed-form demand) and :class:`CallableBenefit`
    (any function; demand found numerically).  Region ``i`` of the river is
    entry ``i`` of every parameter vector.
    """

    n: int

    def _value(self, x: NDArray[np.float64], sl: slice) -> NDArray[np.float64]:
        """Benefit of the regions ``sl`` using ``x`` [hm³/yr] each [yuan/yr]."""
        raise NotImplementedError

    def _demand(self, price: float, sl: slice, cap: float) -> NDArray[np.float64]:
        """Water use maximising b_i(x) - price·x, at most ``cap`` [hm³/yr]."""
        raise NotImplementedError

    def _top_price(self, sl: slice) -> float:
        """Largest marginal benefit at x = 0 over ``sl`` [yuan/hm³] (may be inf)."""
        raise NotImplementedError


def _positive_vector(name: str, values: ArrayLike, n: int | None) -> NDArray[np.float64]:
    arr = np.atleast_1d(np.asarray(values, dtype=float))
    if arr.ndim != 1 or (n is not None and arr.size != n):
        raise InputError("must be a vector with one entry per region", field=name)
    bad = np.flatnonzero(~np.isfinite(arr) | (arr <= 0))
    if bad.size:
        raise InputError(
            "must be finite and > 0", field=name, row=int(bad[0]) + 1, value=float(arr[bad[0]])
        )
    return arr


@dataclass(frozen=True)
class QuadraticBenefit(Benefit):
    r"""Quadratic benefit with satiation: :math:`b_i(x) = \alpha_i x - \beta_i x^2/2`.

    For :math:`x \le \alpha_i/\beta_i`, constant beyond (free disposal).

    Parameters
    ----------
    alpha : array_like, shape (n,)
        Marginal benefit of the first unit of water [yuan/hm³], > 0.
    beta : array_like, shape (n,)
        Slope of the marginal benefit [yuan/(hm³)²], > 0.

    Notes
    -----
    Demand :math:`d_i(p) = \max(0, (\alpha_i - p)/\beta_i)`.  An assumption
    of convenience (a linear demand); Ambec & Sprumont (2002) require only
    increasing, strictly concave benefits.
    """

    alpha: NDArray[np.float64]
    beta: NDArray[np.float64]

    def __post_init__(self) -> None:
        a = _positive_vector("alpha", self.alpha, None)
        object.__setattr__(self, "alpha", a)
        object.__setattr__(self, "beta", _positive_vector("beta", self.beta, a.size))

    @property
    def n(self) -> int:  # type: ignore[override]
        """Number of regions."""
        return int(self.alpha.size)

    def _value(self, x: NDArray[np.float64], sl: slice) -> NDArray[np.float64]:
        a, b = self.alpha[sl], self.beta[sl]
        xs = np.minimum(x, a / b)
        return a * xs - 0.5 * b * xs**2

    def _demand(self, price: float, sl: slice, cap: float) -> NDArray[np.float64]:
        return np.minimum(cap, np.maximum(0.0, (self.alpha[sl] - price) / self.beta[sl]))

    def _top_price(self, sl: slice) -> float:
        return float(np.max(self.alpha[sl]))


@dataclass(frozen=True)
class PowerBenefit(Benefit):
    r"""Power benefit :math:`b_i(x) = k_i x^{\gamma_i}`, :math:`0 < \gamma_i < 1`.

    Parameters
    ----------
    scale : array_like, shape (n,)
        :math:`k_i` [yuan/yr per (hm³/yr)^γ], > 0.
    exponent : array_like, shape (n,) or float
        :math:`\gamma_i` [dimensionless], in (0, 1) (strict concavity).

    Notes
    -----
    Marginal benefit :math:`k_i \gamma_i x^{\gamma_i - 1}` (infinite at 0),
    demand :math:`d_i(p) = (k_i \gamma_i / p)^{1/(1-\gamma_i)}`.
    ``exponent=0.5`` is the square-root benefit.
    """

    scale: NDArray[np.float64]
    exponent: NDArray[np.float64] | float = 0.5

    def __post_init__(self) -> None:
        k = _positive_vector("scale", self.scale, None)
        g = np.broadcast_to(np.asarray(self.exponent, dtype=float), k.shape).copy()
        bad = np.flatnonzero(~((g > 0) & (g < 1)))
        if bad.size:
            raise InputError(
                "must lie strictly between 0 and 1 (strictly concave, increasing)",
                field="exponent",
                row=int(bad[0]) + 1,
                value=float(g[bad[0]]),
            )
        object.__setattr__(self, "scale", k)
        object.__setattr__(self, "exponent", g)

    @property
    def n(self) -> int:  # type: ignore[override]
        """Number of regions."""
        return int(self.scale.size)

    def _value(self, x: NDArray[np.float64], sl: slice) -> NDArray[np.float64]:
        return self.scale[sl] * np.maximum(x, 0.0) ** np.asarray(self.exponent)[sl]

    def _demand(self, price: float, sl: slice, cap: float) -> NDArray[np.float64]:
        k, g = self.scale[sl], np.asarray(self.exponent)[sl]
        if price <= 0.0:
            return np.full(k.shape, cap)
        return np.minimum(cap, (k * g / price) ** (1.0 / (1.0 - g)))

    def _top_price(self, sl: slice) -> float:
        return math.inf


@dataclass(frozen=True)
class LogBenefit(Benefit):
    r"""Logarithmic benefit :math:`b_i(x) = k_i \ln(1 + x / c_i)`.

    Parameters
    ----------
    scale : array_like, shape (n,)
        :math:`k_i` [yuan/yr], > 0.
    offset : array_like, shape (n,) or float
        :math:`c_i` [hm³/yr], > 0: the use at which the marginal benefit has
        halved.

    Notes
    -----
    Marginal benefit :math:`k_i / (c_i + x)`, demand
    :math:`d_i(p) = \max(0, k_i/p - c_i)`.
    """

    scale: NDArray[np.float64]
    offset: NDArray[np.float64] | float = 1.0

    def __post_init__(self) -> None:
        k = _positive_vector("scale", self.scale, None)
        c = _positive_vector(
            "offset", np.broadcast_to(np.asarray(self.offset, float), k.shape), k.size
        )
        object.__setattr__(self, "scale", k)
        object.__setattr__(self, "offset", c)

    @property
    def n(self) -> int:  # type: ignore[override]
        """Number of regions."""
        return int(self.scale.size)

    def _value(self, x: NDArray[np.float64], sl: slice) -> NDArray[np.float64]:
        return self.scale[sl] * np.log1p(np.maximum(x, 0.0) / np.asarray(self.offset)[sl])

    def _demand(self, price: float, sl: slice, cap: float) -> NDArray[np.float64]:
        k, c = self.scale[sl], np.asarray(self.offset)[sl]
        if price <= 0.0:
            return np.full(k.shape, cap)
        return np.minimum(cap, np.maximum(0.0, k / price - c))

    def _top_price(self, sl: slice) -> float:
        return float(np.max(self.scale[sl] / np.asarray(self.offset)[sl]))


@dataclass(frozen=True)
class CallableBenefit(Benefit):
    r"""Any increasing, strictly concave benefit given as a function.

    Parameters
    ----------
    n : int
        Number of regions.
    value_fn : callable
        ``value_fn(x)`` with ``x`` of shape (n,) [hm³/yr] returns each
        region's benefit of its own use, shape (n,) [yuan/yr]; vectorised,
        region ``i`` depends on ``x[i]`` only.
    marginal_fn : callable, optional
        Its derivative, same signature [yuan/hm³].  Default: a central
        finite difference of ``value_fn`` (relative step 1e-6).

    Notes
    -----
    The demand at price p solves :math:`b_i'(x) = p` by bisection on
    :math:`[0, \text{cap}]` (80 halvings; cap = the water of the stretch),
    so results carry a relative error of about 1e-9 with an exact marginal
    and about 1e-6 with the finite difference.  Concavity is not checked.
    """

    n: int  # type: ignore[misc]
    value_fn: Callable[[NDArray[np.float64]], ArrayLike]
    marginal_fn: Callable[[NDArray[np.float64]], ArrayLike] | None = None

    def __post_init__(self) -> None:
        if not callable(self.value_fn):
            raise InputError("benefit must be callable", field="value_fn", value=self.value_fn)

    def _full(self, x: NDArray[np.float64], sl: slice) -> NDArray[np.float64]:
        full = np.zeros(self.n)
        full[sl] = x
        return full

    def _value(self, x: NDArray[np.float64], sl: slice) -> NDArray[np.float64]:
        out = np.asarray(self.value_fn(self._full(x, sl)), dtype=float)
        if out.shape != (self.n,):
            raise InputError(
                f"benefit function must return shape ({self.n},)", field="value_fn", value=out.shape
            )
        return out[sl]

    def _marginal(self, x: NDArray[np.float64], sl: slice) -> NDArray[np.float64]:
        if self.marginal_fn is not None:
            return np.asarray(self.marginal_fn(self._full(x, sl)), dtype=float)[sl]
        h = 1e-6 * np.maximum(x, 1e-3)
        lo = np.maximum(x - h, 0.0)
        return (self._value(x + h, sl) - self._value(lo, sl)) / (x + h - lo)

    def _demand(self, price: float, sl: slice, cap: float) -> NDArray[np.float64]:
        size = len(range(*sl.indices(self.n)))
        lo, hi = np.zeros(size), np.full(size, float(cap))
        wants_all = self._marginal(hi, sl) >= price
        for _ in range(80):
            mid = 0.5 * (lo + hi)
            above = self._marginal(mid, sl) > price
            lo, hi = np.where(above, mid, lo), np.where(above, hi, mid)
        return np.where(wants_all, cap, 0.5 * (lo + hi))

    def _top_price(self, sl: slice) -> float:
        size = len(range(*sl.indices(self.n)))
        return float(np.max(self._marginal(np.zeros(size), sl)))


def _clearing_price(benefit: Benefit, sl: slice, supply: float) -> float:
    """Price p >= 0 at which the demands of the regions ``sl`` sum to ``supply``.

    Demands are capped at twice the supply, which keeps every sign of the
    excess demand (and the sums finite for benefits whose marginal is
    infinite at 0).  No water: the top marginal benefit (infinite for power).
    """
    if supply <= 0.0:
        return benefit._top_price(sl)
    cap = 2.0 * supply

    def excess(p: float) -> float:
        return float(np.sum(benefit._demand(p, sl, cap))) - supply

    if excess(0.0) <= 0.0:
        return 0.0  # satiated: water is free
    # bracket [lo, hi] with hi <= 2 lo (or lo = 0) by doubling or halving from
    # 1 yuan/hm³, so that bisection converges whatever the scale of the prices
    top = benefit._top_price(sl)
    lo, hi = 0.0, min(1.0, top)
    if excess(hi) > 0.0:
        while hi < top and excess(hi) > 0.0:
            lo, hi = hi, min(2.0 * hi, top)
    else:
        while hi > 1e-300 and excess(0.5 * hi) <= 0.0:
            hi *= 0.5
        lo = 0.5 * hi if hi > 1e-300 else 0.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if excess(mid) > 0.0:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-15 * max(1.0, hi):
            break
    return 0.5 * (lo + hi)


def _check_water(
    inflows: ArrayLike,
    alpha: ArrayLike | None,
    beta: ArrayLike | None,
    benefit: Benefit | None,
) -> tuple[NDArray[np.float64], Benefit]:
    e = np.asarray(inflows, dtype=float)
    if e.ndim != 1 or e.size == 0:
        raise InputError("inflows must be a non-empty vector", field="inflows")
    bad = np.flatnonzero(~np.isfinite(e) | (e < 0))
    if bad.size:
        raise InputError(
            "must be finite and >= 0",
            field="inflows",
            row=int(bad[0]) + 1,  # 1-based entry of the vector
            value=float(e[bad[0]]),
        )
    if benefit is None:
        if alpha is None or beta is None:
            raise InputError("give alpha and beta, or a benefit", field="benefit")
        a, b = np.asarray(alpha, dtype=float), np.asarray(beta, dtype=float)
        if a.shape != e.shape or b.shape != e.shape:
            raise InputError(
                "inflows, alpha and beta must be vectors of one length", field="inflows"
            )
        benefit = QuadraticBenefit(a, b)
    elif alpha is not None or beta is not None:
        raise InputError("give alpha and beta, or a benefit, not both", field="benefit")
    elif not isinstance(benefit, Benefit):
        raise InputError(
            "must be a Benefit (QuadraticBenefit, PowerBenefit, LogBenefit, CallableBenefit)",
            field="benefit",
            value=type(benefit).__name__,
        )
    if benefit.n != e.size:
        raise InputError(
            f"benefit has {benefit.n} regions, inflows {e.size}", field="benefit", value=benefit.n
        )
    return e, benefit


def _welfare(e: NDArray[np.float64], benefit: Benefit, lo: int, hi: int) -> tuple[float, NDArray]:
    """Efficient use of regions lo..hi-1 with their own inflows (see river_water_welfare)."""
    n = hi - lo
    use = np.zeros(n)
    start = 0
    while start < n:
        supply = np.cumsum(e[lo + start : hi])
        prices = np.array(
            [
                _clearing_price(benefit, slice(lo + start, lo + start + k + 1), float(supply[k]))
                for k in range(n - start)
            ]
        )
        top = prices.max()
        tie = top if math.isinf(top) else top - 1e-12 * max(1.0, top)
        end = start + int(np.flatnonzero(prices >= tie)[-1])
        block = slice(lo + start, lo + end + 1)
        use[start : end + 1] = benefit._demand(top, block, float(supply[end - start]))
        start = end + 1
    return float(benefit._value(use, slice(lo, hi)).sum()), use


def river_water_welfare(
    inflows: ArrayLike,
    alpha: ArrayLike | None = None,
    beta: ArrayLike | None = None,
    *,
    benefit: Benefit | None = None,
) -> tuple[float, NDArray[np.float64]]:
    r"""Efficient use of a river's water by consecutive regions (one segment of river).

    Parameters
    ----------
    inflows : array_like, shape (n,)
        Water entering the river at each region, source first [hm³/yr].
    alpha : array_like, shape (n,), optional
        Quadratic benefit (:class:`QuadraticBenefit`): marginal benefit of
        the first unit of water used [yuan/hm³].
    beta : array_like, shape (n,), optional
        Quadratic benefit: slope of the marginal benefit [yuan/(hm³)²];
        benefit saturates at ``alpha/beta`` (free disposal beyond).
    benefit : Benefit, optional
        Instead of ``alpha`` and ``beta``: any increasing, strictly concave
        benefit (:class:`PowerBenefit`, :class:`LogBenefit`,
        :class:`CallableBenefit`, :class:`QuadraticBenefit`) [yuan/yr].

    Returns
    -------
    welfare : float
        Maximal total benefit [yuan/yr].
    use : ndarray, shape (n,)
        Optimal water use of each region [hm³/yr].

    Notes
    -----
    The problem is

    .. math:: \max \sum_i b_i(x_i)\ \text{s.t.}\ \sum_{j \le i} x_j \le
              \sum_{j \le i} e_j\ (\forall i),\quad x \ge 0.

    Water flows downstream only, so the shadow price of water is
    non-increasing downstream.  The first region's price is the largest of
    the prices clearing each prefix :math:`\{1..k\}` (the demands
    :math:`d_i(p) = \arg\max_x b_i(x) - p x` summing to its water); the
    prefix attaining it is a block at that price, and the rest is solved
    recursively (an exact pool-the-violators argument; each clearing price
    by bisection).  This needs only that every :math:`b_i` be increasing
    and strictly concave, the setting of Ambec & Sprumont (2002).

    References
    ----------
    .. [1] Ambec, S., & Sprumont, Y. (2002). Sharing a river. Journal of
       Economic Theory 107(2), 453-462, sect. 2.
    """
    e, ben = _check_water(inflows, alpha, beta, benefit)
    return _welfare(e, ben, 0, e.size)


def river_water_game(
    inflows: ArrayLike,
    alpha: ArrayLike | None = None,
    beta: ArrayLike | None = None,
    *,
    benefit: Benefit | None = None,
) -> NDArray[np.float64]:
    """Ambec-Sprumont river game as a table over all ``2**n`` coalitions.

    Parameters
    ----------
    inflows, alpha, beta, benefit
        As in :func:`river_water_welfare` [hm³/yr, yuan/hm³, yuan/(hm³)²].

    Returns
    -------
    ndarray, shape (2**n,)
        :math:`v(S)`: welfare of ``S`` using only its own water; a coalition
        that is not connected along the river is worth the sum of its
        connected parts (Ambec & Sprumont 2002, sect. 3) [yuan/yr].

    References
    ----------
    .. [1] Ambec, S., & Sprumont, Y. (2002). Sharing a river. Journal of
       Economic Theory 107(2), 453-462.
    """
    e, ben = _check_water(inflows, alpha, beta, benefit)
    n = e.size
    if n > 16:
        raise InputError("the full river game is built for at most 16 regions", value=n)
    connected = np.zeros((n, n))
    for lo in range(n):
        for hi in range(lo, n):
            connected[lo, hi] = _welfare(e, ben, lo, hi + 1)[0]
    table = np.zeros(1 << n)
    for mask in range(1, 1 << n):
        total, i = 0.0, 0
        while i < n:
            if mask >> i & 1:
                j = i
                while j + 1 < n and mask >> (j + 1) & 1:
                    j += 1
                total += connected[i, j]
                i = j + 1
            else:
                i += 1
        table[mask] = total
    return table


def ambec_sprumont(
    inflows: ArrayLike,
    alpha: ArrayLike | None = None,
    beta: ArrayLike | None = None,
    *,
    benefit: Benefit | None = None,
) -> NDArray[np.float64]:
    r"""Downstream incremental distribution of the welfare from a river's water.

    Parameters
    ----------
    inflows : array_like, shape (n,)
        Water entering at each region, source first [hm³/yr].
    alpha, beta : array_like, shape (n,), optional
        Quadratic benefit [yuan/hm³, yuan/(hm³)²] (see
        :func:`river_water_welfare`).
    benefit : Benefit, optional
        Instead of ``alpha`` and ``beta``: any increasing, strictly concave
        benefit, e.g. ``PowerBenefit(scale, 0.5)`` for :math:`k_i\sqrt{x}`,
        ``LogBenefit(scale, offset)`` or ``CallableBenefit(n, f)``.

    Returns
    -------
    ndarray, shape (n,)
        Welfare of each region after transfers [yuan/yr]; sums to the
        efficient total welfare.

    Notes
    -----
    .. math:: z_i = v(\{1, \dots, i\}) - v(\{1, \dots, i-1\})

    The unique allocation that gives every connected coalition at least its
    stand-alone welfare (core lower bounds) and at most its aspiration
    welfare, what it could reach with all the water of the regions upstream
    of it (Ambec & Sprumont 2002, Theorem); it is in the core of the river
    game (:func:`river_water_game`).
    Water use follows :func:`river_water_welfare` for the whole river; the
    monetary transfers implied are :math:`z_i - b_i(x_i^*)`.

    References
    ----------
    .. [1] Ambec, S., & Sprumont, Y. (2002). Sharing a river. Journal of
       Economic Theory 107(2), 453-462.

    Examples
    --------
    Square-root benefits, all water at the source: :math:`z = (1, \sqrt2 - 1,
    \sqrt3 - \sqrt2)`.

    >>> z = ambec_sprumont([1.0, 0.0, 0.0], benefit=PowerBenefit([1.0, 1.0, 1.0], 0.5))
    >>> [round(float(v), 6) for v in z]
    [1.0, 0.414214, 0.317837]
    """
    e, ben = _check_water(inflows, alpha, beta, benefit)
    prefix = np.array([_welfare(e, ben, 0, k + 1)[0] for k in range(e.size)])
    return np.diff(np.r_[0.0, prefix])
