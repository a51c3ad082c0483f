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
Ambec & Sprumont (2002) is :func:`ambec_sprumont`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from coopgov.errors import InputError
from coopgov.games.cooperative import game_table

__all__ = [
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
def _benefit(
    x: NDArray[np.float64], alpha: NDArray[np.float64], beta: NDArray[np.float64]
) -> NDArray[np.float64]:
    xs = np.minimum(x, alpha / beta)
    return alpha * xs - 0.5 * beta * xs**2


def _clearing_price(alpha: NDArray[np.float64], beta: NDArray[np.float64], supply: float) -> float:
    """Price p >= 0 at which sum_i max(0, (alpha_i - p)/beta_i) equals ``supply``."""
    if np.sum(alpha / beta) <= supply:
        return 0.0
    lo, hi = 0.0, float(np.max(alpha))
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if np.sum(np.maximum(0.0, (alpha - mid) / beta)) > supply:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-15 * max(1.0, hi):
            break
    return 0.5 * (lo + hi)


def _check_water(
    inflows: ArrayLike, alpha: ArrayLike, beta: ArrayLike
) -> tuple[NDArray[np.float64], ...]:
    e = np.asarray(inflows, dtype=float)
    a = np.asarray(alpha, dtype=float)
    b = np.asarray(beta, dtype=float)
    if e.ndim != 1 or e.size == 0 or a.shape != e.shape or b.shape != e.shape:
        raise InputError("inflows, alpha and beta must be vectors of one length", field="inflows")
    for name, arr, strict in (("inflows", e, False), ("alpha", a, True), ("beta", b, True)):
        bad = np.flatnonzero(~np.isfinite(arr) | ((arr <= 0) if strict else (arr < 0)))
        if bad.size:
            raise InputError(
                "must be finite and " + ("> 0" if strict else ">= 0"),
                field=name,
                row=int(bad[0]) + 1,  # 1-based entry of the vector
                value=float(arr[bad[0]]),
            )
    return e, a, b


def river_water_welfare(
    inflows: ArrayLike, alpha: ArrayLike, beta: ArrayLike
) -> tuple[float, NDArray[np.float64]]:
    r"""Efficient use of a river's water by consecutive regions (one segment of river).

    Parameters
    ----------
    inflows : array_like, shape (n,)
        Water entering the river at each region, source first [hm³/yr].
    alpha : array_like, shape (n,)
        Marginal benefit of the first unit of water used [yuan/hm³].
    beta : array_like, shape (n,)
        Slope of the marginal benefit [yuan/(hm³)²]; benefit saturates at
        ``alpha/beta`` (free disposal beyond).

    Returns
    -------
    welfare : float
        Maximal total benefit [yuan/yr].
    use : ndarray, shape (n,)
        Optimal water use of each region [hm³/yr].

    Notes
    -----
    Benefit (assumption, quadratic with satiation):
    :math:`b_i(x) = \alpha_i x - \beta_i x^2/2` for
    :math:`x \le \alpha_i/\beta_i`.  The problem is

    .. math:: \max \sum_i b_i(x_i)\ \text{s.t.}\ \sum_{j \le i} x_j \le
              \sum_{j \le i} e_j\ (\forall i),\quad x \ge 0.

    Water flows downstream only, so the shadow price of water is
    non-increasing downstream.  The first region's price is the largest of
    the prices clearing each prefix :math:`\{1..k\}`; the prefix attaining it
    is a block at that price, and the rest is solved recursively (an exact
    pool-the-violators argument; each clearing price by bisection).

    References
    ----------
    .. [1] Ambec, S., & Sprumont, Y. (2002). Sharing a river. Journal of
       Economic Theory 107(2), 453-462, sect. 2.
    """
    e, a, b = _check_water(inflows, alpha, beta)
    n = e.size
    use = np.zeros(n)
    start = 0
    while start < n:
        supply = np.cumsum(e[start:])
        prices = np.array(
            [
                _clearing_price(
                    a[start : start + k + 1], b[start : start + k + 1], float(supply[k])
                )
                for k in range(n - start)
            ]
        )
        top = prices.max()
        end = start + int(np.flatnonzero(prices >= top - 1e-12 * max(1.0, top))[-1])
        use[start : end + 1] = np.maximum(0.0, (a[start : end + 1] - top) / b[start : end + 1])
        use[start : end + 1] = np.minimum(
            use[start : end + 1], a[start : end + 1] / b[start : end + 1]
        )
        start = end + 1
    return float(_benefit(use, a, b).sum()), use


def river_water_game(inflows: ArrayLike, alpha: ArrayLike, beta: ArrayLike) -> NDArray[np.float64]:
    """Ambec-Sprumont river game as a table over all ``2**n`` coalitions.

    Parameters
    ----------
    inflows, alpha, beta : array_like, shape (n,)
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
    e, a, b = _check_water(inflows, alpha, beta)
    n = e.size
    if n > 16:
        raise InputError("the full river game is built for at most 16 regions", value=n)
    connected = np.zeros((n, n))
    for lo in range(n):
        for hi in range(lo, n):
            connected[lo, hi] = river_water_welfare(e[lo : hi + 1], a[lo : hi + 1], b[lo : hi + 1])[
                0
            ]
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


def ambec_sprumont(inflows: ArrayLike, alpha: ArrayLike, beta: ArrayLike) -> NDArray[np.float64]:
    r"""Downstream incremental distribution of the welfare from a river's water.

    Parameters
    ----------
    inflows : array_like, shape (n,)
        Water entering at each region, source first [hm³/yr].
    alpha : array_like, shape (n,)
        Marginal benefit of the first unit of water [yuan/hm³].
    beta : array_like, shape (n,)
        Slope of marginal benefit [yuan/(hm³)²] (see :func:`river_water_welfare`).

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
    """
    e, a, b = _check_water(inflows, alpha, beta)
    prefix = np.array(
        [river_water_welfare(e[: k + 1], a[: k + 1], b[: k + 1])[0] for k in range(e.size)]
    )
    return np.diff(np.r_[0.0, prefix])
