r"""Stability of environmental agreements (coalitions), with and without transfers.

Two-stage game: players first decide to sign or not, then choose abatement;
signatories maximise their joint payoff, non-signatories their own.  A
coalition is *internally stable* when no member gains by leaving, *externally
stable* when no outsider gains by joining, and *stable* when both hold
(d'Aspremont, Jacquemin, Gabszewicz & Weymark 1983).

Symmetric players (closed form over the coalition size k)
--------------------------------------------------------
``linear-quadratic``  (Carraro & Siniscalco 1993; Barrett 1994 sect. 5;
Finus 2003): :math:`\pi_i = b\,Q - c\,q_i^2/2`.  Abatement is a dominant
strategy; hand derivation gives
:math:`\pi_s(k) - \pi_n(k-1) = -\tfrac{b^2}{2c}(k-1)(k-3)`, so k = 2 and
k = 3 are the only candidates, with exact ties at both (see ``ties``).

``quadratic-quadratic`` (simultaneous, Nash-Cournot; Barrett 1994 sect. 3;
Finus 2003): :math:`\pi_i = \frac{b}{N}(aQ - Q^2/2) - c\,q_i^2/2`.
Signatories abate :math:`q_s = k\,q_n`.  At most a pair is stable, and only
when the pair is profitable relative to the Nash equilibrium, i.e. for
:math:`\gamma = c/b` above a threshold that depends on N (about 2.2 for N = 10).

``barrett`` (the same payoffs, signatories lead as a Stackelberg leader;
Barrett 1994 sect. 4): non-signatories react with
:math:`q_n = (a - k q_s)/(N\gamma + N - k)` and the signatories, anticipating
it, choose :math:`q_s = kN\gamma a / ((N\gamma + N - k)^2 + k^2 N\gamma)`.
The stable size ranges from 2 (large :math:`\gamma`) to N (small
:math:`\gamma`), Barrett's "paradox of cooperation".  Like Barrett, abatement
is not capped by business-as-usual emissions; Rubio & Ulph (2006) show the
conclusion survives the non-negativity constraints.

Tie-breaking rule (``ties``)
---------------------------
Payoff differences within ``tol`` (relative) are ties.

* ``"stay"`` (default): an indifferent player keeps its status: internal
  stability :math:`\pi_s(k) \ge \pi_n(k-1)`, external stability
  :math:`\pi_n(k) \ge \pi_s(k+1)`.
* ``"join"``: an indifferent player prefers to be a signatory (internal
  :math:`\ge`, external :math:`>`), the convention of Carraro & Siniscalco
  (1993) and Finus (2003) under which the linear-quadratic game has k* = 3.
* ``"leave"``: an indifferent player prefers to stay out (internal
  :math:`>`, external :math:`\ge`); the linear-quadratic game then has k* = 2.

Asymmetric players (enumeration)
--------------------------------
:func:`coalition_stability` takes the payoff of every player in every
coalition (a ``(2**n, n)`` table or a vectorised function of membership
matrices) and tests all ``2**n`` coalitions at once.  With transfers it uses
the optimal sharing rule: a coalition is (potentially) internally stable iff
its members' joint payoff covers the sum of their free-riding payoffs,
:math:`\sigma(S) = \sum_{i\in S}[\pi_i(S) - \pi_i(S\setminus\{i\})] \ge 0`
(Carraro, Eyckmans & Finus 2006; Weikard 2009); an outsider j joins iff
:math:`\sigma(S \cup \{j\}) > 0`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from coopgov.errors import InputError
from coopgov.games.cooperative import MAX_EXACT_PLAYERS, coalition_members

__all__ = [
    "CoalitionStability",
    "SymmetricCoalitionGame",
    "SymmetricStability",
    "barrett_game",
    "coalition_payoffs_linear_quadratic",
    "coalition_payoffs_quadratic",
    "coalition_stability",
    "linear_quadratic_game",
    "optimal_sharing_payoffs",
    "quadratic_quadratic_game",
    "symmetric_game",
    "symmetric_stability",
]

Ties = Literal["stay", "join", "leave"]
Model = Literal["linear-quadratic", "quadratic-quadratic", "barrett"]
PayoffFunction = Callable[[NDArray[np.bool_]], NDArray[np.float64]]


def _positive(name: str, value: float) -> float:
    v = float(value)
    if not np.isfinite(v) or v <= 0:
        raise InputError("must be a finite number > 0", field=name, value=value)
    return v


def _players(n: int) -> int:
    if int(n) != n or n < 2:
        raise InputError("need at least 2 players", field="players", value=n)
    return int(n)


# ---------------------------------------------------------------------------
# symmetric games in closed form
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class SymmetricCoalitionGame:
    """Equilibrium of a symmetric two-stage coalition game for every size k.

    Arrays are indexed by the coalition size ``k = 0 .. N``; entries that do
    not exist (a signatory when k = 0, a non-signatory when k = N) are NaN.

    Attributes
    ----------
    model : str
        ``"linear-quadratic"``, ``"quadratic-quadratic"`` or ``"barrett"``.
    n_players : int
        N.
    member_payoff, nonmember_payoff : ndarray, shape (N+1,)
        Payoff of a signatory / non-signatory [payoff unit].
    member_abatement, nonmember_abatement : ndarray, shape (N+1,)
        Abatement of a signatory / non-signatory [abatement unit].
    total_abatement : ndarray, shape (N+1,)
        Q [abatement unit].
    parameters : dict
        Model parameters (b, c, a).
    """

    model: str
    n_players: int
    member_payoff: NDArray[np.float64]
    nonmember_payoff: NDArray[np.float64]
    member_abatement: NDArray[np.float64]
    nonmember_abatement: NDArray[np.float64]
    total_abatement: NDArray[np.float64]
    parameters: dict[str, float] = field(default_factory=dict)

    @property
    def total_payoff(self) -> NDArray[np.float64]:
        """Sum of all players' payoffs for each coalition size [payoff unit]."""
        k = np.arange(self.n_players + 1, dtype=float)
        return k * np.nan_to_num(self.member_payoff) + (self.n_players - k) * np.nan_to_num(
            self.nonmember_payoff
        )


def _mask_edges(game: SymmetricCoalitionGame) -> SymmetricCoalitionGame:
    game.member_payoff[0] = np.nan
    game.member_abatement[0] = np.nan
    game.nonmember_payoff[-1] = np.nan
    game.nonmember_abatement[-1] = np.nan
    return game


def linear_quadratic_game(n_players: int, benefit: float, cost: float) -> SymmetricCoalitionGame:
    r"""Symmetric coalition game with linear benefit and quadratic cost of abatement.

    Parameters
    ----------
    n_players : int
        N, number of players [-].
    benefit : float
        b, marginal benefit to each player of a unit of total abatement
        [payoff unit per abatement unit].
    cost : float
        c, slope of each player's marginal abatement cost
        [payoff unit per abatement unit²].

    Returns
    -------
    SymmetricCoalitionGame
        Payoffs and abatement for k = 0..N.

    Notes
    -----
    :math:`\pi_i = bQ - cq_i^2/2`.  Non-signatories abate :math:`b/c`
    (dominant strategy), signatories :math:`kb/c`; hence
    :math:`\pi_s(k) = \frac{b^2}{c}(k^2/2 + N - k)` and
    :math:`\pi_n(k) = \frac{b^2}{c}(k^2 + N - k - 1/2)`.

    References
    ----------
    .. [1] Carraro, C., & Siniscalco, D. (1993). Strategies for the
       international protection of the environment. Journal of Public
       Economics 52(3), 309-328.
    .. [2] Barrett, S. (1994). Self-enforcing international environmental
       agreements. Oxford Economic Papers 46, 878-894.
    .. [3] Finus, M. (2003). Stability and design of international
       environmental agreements: the case of transboundary pollution. In
       Folmer & Tietenberg (eds.), International Yearbook of Environmental and
       Resource Economics 2003/2004, 82-158, Edward Elgar.
    """
    n = _players(n_players)
    b = _positive("benefit", benefit)
    c = _positive("cost", cost)
    k = np.arange(n + 1, dtype=float)
    q_s = k * b / c
    q_n = np.full(n + 1, b / c)
    total = k * q_s + (n - k) * q_n
    game = SymmetricCoalitionGame(
        model="linear-quadratic",
        n_players=n,
        member_payoff=b * total - c * q_s**2 / 2,
        nonmember_payoff=b * total - c * q_n**2 / 2,
        member_abatement=q_s,
        nonmember_abatement=q_n,
        total_abatement=total,
        parameters={"benefit": b, "cost": c},
    )
    return _mask_edges(game)


def quadratic_quadratic_game(
    n_players: int,
    benefit: float,
    cost: float,
    intercept: float = 1.0,
    *,
    leadership: Literal["simultaneous", "stackelberg"] = "simultaneous",
) -> SymmetricCoalitionGame:
    r"""Symmetric coalition game with quadratic benefit and quadratic cost.

    Parameters
    ----------
    n_players : int
        N, number of players [-].
    benefit : float
        b, scale of the global benefit of abatement
        [payoff unit per abatement unit²]; each player receives 1/N of it.
    cost : float
        c, slope of each player's marginal abatement cost
        [payoff unit per abatement unit²].
    intercept : float, optional
        a, total abatement at which marginal benefit vanishes [abatement unit].
    leadership : {"simultaneous", "stackelberg"}
        Nash-Cournot moves, or signatories as Stackelberg leader (Barrett 1994).

    Returns
    -------
    SymmetricCoalitionGame
        Payoffs and abatement for k = 0..N.

    Notes
    -----
    :math:`\pi_i = \frac{b}{N}(aQ - Q^2/2) - c q_i^2/2`, :math:`\gamma = c/b`.
    Non-signatories: :math:`q_n = (a - Q)/(N\gamma)`.

    * simultaneous: :math:`q_s = k q_n`,
      :math:`Q = a s/(1+s)` with :math:`s = (k^2 + N - k)/(N\gamma)`;
    * Stackelberg: :math:`q_s = kN\gamma a/(D^2 + k^2 N\gamma)`,
      :math:`q_n = (a - k q_s)/D`, :math:`D = N\gamma + N - k`
      (Barrett 1994, eqs. for the signatories' problem; derived here from the
      first-order condition with :math:`dQ/dq_s = kN\gamma/D`).

    References
    ----------
    .. [1] Barrett, S. (1994). Self-enforcing international environmental
       agreements. Oxford Economic Papers 46, 878-894.
    .. [2] Finus, M. (2003). Stability and design of international
       environmental agreements: the case of transboundary pollution.
       International Yearbook of Environmental and Resource Economics
       2003/2004, 82-158.
    .. [3] Rubio, S. J., & Ulph, A. (2006). Self-enforcing international
       environmental agreements revisited. Oxford Economic Papers 58(2),
       233-263.
    """
    n = _players(n_players)
    b = _positive("benefit", benefit)
    c = _positive("cost", cost)
    a = _positive("intercept", intercept)
    gamma = c / b
    k = np.arange(n + 1, dtype=float)
    if leadership == "simultaneous":
        s = (k**2 + n - k) / (n * gamma)
        total = a * s / (1 + s)
        q_n = (a - total) / (n * gamma)
        q_s = k * q_n
        model = "quadratic-quadratic"
    elif leadership == "stackelberg":
        d = n * gamma + n - k
        q_s = k * n * gamma * a / (d**2 + k**2 * n * gamma)
        q_n = (a - k * q_s) / d
        total = k * q_s + (n - k) * q_n
        model = "barrett"
    else:
        raise InputError(
            "leadership must be 'simultaneous' or 'stackelberg'",
            field="leadership",
            value=leadership,
        )
    common = b / n * (a * total - total**2 / 2)
    game = SymmetricCoalitionGame(
        model=model,
        n_players=n,
        member_payoff=common - c * q_s**2 / 2,
        nonmember_payoff=common - c * q_n**2 / 2,
        member_abatement=q_s,
        nonmember_abatement=q_n,
        total_abatement=total,
        parameters={"benefit": b, "cost": c, "intercept": a},
    )
    return _mask_edges(game)


def barrett_game(
    n_players: int, benefit: float, cost: float, intercept: float = 1.0
) -> SymmetricCoalitionGame:
    """Barrett's (1994) game: quadratic-quadratic with signatories leading.

    Parameters
    ----------
    n_players, benefit, cost, intercept
        As in :func:`quadratic_quadratic_game` [-, payoff/abatement², same, abatement].

    Returns
    -------
    SymmetricCoalitionGame
        Payoffs and abatement for k = 0..N.

    References
    ----------
    .. [1] Barrett, S. (1994). Self-enforcing international environmental
       agreements. Oxford Economic Papers 46, 878-894.
    """
    return quadratic_quadratic_game(n_players, benefit, cost, intercept, leadership="stackelberg")


def symmetric_game(
    model: Model, n_players: int, benefit: float, cost: float, intercept: float = 1.0
) -> SymmetricCoalitionGame:
    """Build one of the three published symmetric games by name.

    Parameters
    ----------
    model : {"linear-quadratic", "quadratic-quadratic", "barrett"}
        Which game.
    n_players, benefit, cost, intercept
        As in :func:`linear_quadratic_game` / :func:`quadratic_quadratic_game`
        (``intercept`` is ignored by the linear-quadratic game).

    Returns
    -------
    SymmetricCoalitionGame
        Payoffs and abatement for k = 0..N.
    """
    if model == "linear-quadratic":
        return linear_quadratic_game(n_players, benefit, cost)
    if model == "quadratic-quadratic":
        return quadratic_quadratic_game(n_players, benefit, cost, intercept)
    if model == "barrett":
        return barrett_game(n_players, benefit, cost, intercept)
    raise InputError(
        "model must be 'linear-quadratic', 'quadratic-quadratic' or 'barrett'",
        field="model",
        value=model,
    )


def _compare(
    diff: NDArray[np.float64], strict: bool, tol: NDArray[np.float64] | float
) -> NDArray[np.bool_]:
    return diff > tol if strict else diff >= -tol


def _check_ties(ties: str) -> None:
    if ties not in ("stay", "join", "leave"):
        raise InputError("ties must be 'stay', 'join' or 'leave'", field="ties", value=ties)


@dataclass(frozen=True)
class SymmetricStability:
    """Internal and external stability of each coalition size.

    Attributes
    ----------
    internal, external, stable : ndarray of bool, shape (N+1,)
        Indexed by k; k = 0 and k = 1 are trivially internally stable.
    stable_sizes : list of int
        Stable sizes of at least 2 (empty when none is).
    ties : str
        Tie-breaking rule used.
    """

    internal: NDArray[np.bool_]
    external: NDArray[np.bool_]
    stable: NDArray[np.bool_]
    stable_sizes: list[int]
    ties: str


def symmetric_stability(
    game: SymmetricCoalitionGame, *, ties: Ties = "stay", tol: float = 1e-9
) -> SymmetricStability:
    r"""Stable coalition sizes of a symmetric game (d'Aspremont et al. 1983).

    Parameters
    ----------
    game : SymmetricCoalitionGame
        Payoffs by coalition size.
    ties : {"stay", "join", "leave"}
        Tie-breaking rule (module docstring).
    tol : float, optional
        Relative tolerance for ties [-], scaled by the largest |payoff|.

    Returns
    -------
    SymmetricStability
        Stability by size and the list of stable sizes >= 2.

    Notes
    -----
    Internal: :math:`\pi_s(k) \ge \pi_n(k-1)`; external:
    :math:`\pi_n(k) \ge \pi_s(k+1)` (with the strictness set by ``ties``).
    With symmetric players the optimal transfer scheme cannot change
    stability: the coalition surplus is :math:`k[\pi_s(k) - \pi_n(k-1)]`.

    References
    ----------
    .. [1] d'Aspremont, C., Jacquemin, A., Gabszewicz, J. J., & Weymark, J. A.
       (1983). On the stability of collusive price leadership. Canadian
       Journal of Economics 16(1), 17-25.
    .. [2] Barrett, S. (1994). Oxford Economic Papers 46, 878-894.
    .. [3] Carraro, C., & Siniscalco, D. (1993). Journal of Public Economics
       52(3), 309-328.

    Examples
    --------
    Barrett's game with ten players and equal benefit and cost slopes: only a
    coalition of three is self-enforcing.

    >>> symmetric_stability(barrett_game(10, benefit=1.0, cost=1.0)).stable_sizes
    [3]
    """
    _check_ties(ties)
    n = game.n_players
    pm, pn = game.member_payoff, game.nonmember_payoff
    scale = tol * max(1.0, float(np.nanmax(np.abs(np.r_[pm, pn]))))
    internal = np.ones(n + 1, dtype=bool)
    internal[2:] = _compare(pm[2:] - pn[1:-1], ties == "leave", scale)
    external = np.ones(n + 1, dtype=bool)
    external[:-1] = _compare(pn[:-1] - pm[1:], ties == "join", scale)
    stable = internal & external
    sizes = [int(k) for k in np.flatnonzero(stable) if k >= 2]
    return SymmetricStability(internal, external, stable, sizes, ties)


# ---------------------------------------------------------------------------
# asymmetric players: payoff tables and enumeration
# ---------------------------------------------------------------------------
def coalition_payoffs_linear_quadratic(
    members: NDArray[np.bool_], benefit: ArrayLike, cost: ArrayLike
) -> NDArray[np.float64]:
    r"""Payoffs in the asymmetric linear-quadratic game for many coalitions.

    Parameters
    ----------
    members : ndarray of bool, shape (K, n)
        Coalitions (rows).
    benefit : array_like, shape (n,)
        :math:`b_i`, marginal benefit to i of total abatement
        [payoff unit per abatement unit].
    cost : array_like, shape (n,)
        :math:`c_i`, slope of i's marginal abatement cost
        [payoff unit per abatement unit²].

    Returns
    -------
    ndarray, shape (K, n)
        :math:`\pi_i = b_i Q - c_i q_i^2/2` with :math:`q_i = b_i/c_i`
        outside and :math:`q_i = \sum_{j \in S} b_j / c_i` inside
        [payoff unit].

    References
    ----------
    .. [1] Barrett, S. (2001). International cooperation for sale. European
       Economic Review 45(10), 1835-1850.
    .. [2] Carraro, C., Eyckmans, J., & Finus, M. (2006). Optimal transfers and
       participation decisions in international environmental agreements.
       Review of International Organizations 1(4), 379-396.
    """
    m = np.asarray(members, dtype=bool)
    b = np.asarray(benefit, dtype=float)
    c = np.asarray(cost, dtype=float)
    b_coal = m.astype(float) @ b
    q = np.where(m, b_coal[:, None] / c, b / c)
    total = q.sum(axis=1, keepdims=True)
    return b * total - c * q**2 / 2


def coalition_payoffs_quadratic(
    members: NDArray[np.bool_], benefit: ArrayLike, cost: ArrayLike, intercept: float = 1.0
) -> NDArray[np.float64]:
    r"""Payoffs in the asymmetric quadratic-quadratic game (simultaneous moves).

    Parameters
    ----------
    members : ndarray of bool, shape (K, n)
        Coalitions (rows).
    benefit : array_like, shape (n,)
        :math:`b_i`, i's share of the benefit scale
        [payoff unit per abatement unit²] (``b/N`` each in the symmetric game).
    cost : array_like, shape (n,)
        :math:`c_i` [payoff unit per abatement unit²].
    intercept : float, optional
        a, total abatement at which marginal benefit vanishes [abatement unit].

    Returns
    -------
    ndarray, shape (K, n)
        :math:`\pi_i = b_i(aQ - Q^2/2) - c_i q_i^2/2` at the partial-agreement
        Nash equilibrium [payoff unit].

    Notes
    -----
    First-order conditions: :math:`q_i = w_i (a - Q)/c_i` with
    :math:`w_i = \sum_{j\in S} b_j` for members and :math:`b_i` otherwise, so
    :math:`Q = a\sigma/(1+\sigma)`, :math:`\sigma = \sum_i w_i/c_i`.

    References
    ----------
    .. [1] Barrett, S. (1994). Oxford Economic Papers 46, 878-894.
    .. [2] Finus, M. (2003). International Yearbook of Environmental and
       Resource Economics 2003/2004, 82-158.
    """
    m = np.asarray(members, dtype=bool)
    b = np.asarray(benefit, dtype=float)
    c = np.asarray(cost, dtype=float)
    a = float(intercept)
    b_coal = m.astype(float) @ b
    w = np.where(m, b_coal[:, None], b)
    sigma = (w / c).sum(axis=1, keepdims=True)
    total = a * sigma / (1 + sigma)
    q = w * (a - total) / c
    return b * (a * total - total**2 / 2) - c * q**2 / 2


@dataclass(frozen=True)
class CoalitionStability:
    """Stability of every coalition of an asymmetric game.

    Attributes
    ----------
    n_players : int
        n.
    internal, external, stable : ndarray of bool, shape (2**n,)
        By coalition bitmask.
    surplus : ndarray, shape (2**n,)
        σ(S), members' joint payoff minus their free-riding
        payoffs [payoff unit].
    welfare : ndarray, shape (2**n,)
        Sum of all players' payoffs when ``S`` forms [payoff unit].
    stable_coalitions : list of tuple of int
        Stable coalitions with at least 2 members, largest welfare first.
    transfers : bool
        Whether the optimal transfer scheme was applied.
    ties : str
        Tie-breaking rule.
    """

    n_players: int
    internal: NDArray[np.bool_]
    external: NDArray[np.bool_]
    stable: NDArray[np.bool_]
    surplus: NDArray[np.float64]
    welfare: NDArray[np.float64]
    stable_coalitions: list[tuple[int, ...]]
    transfers: bool
    ties: str


def coalition_stability(
    payoffs: ArrayLike | PayoffFunction,
    n_players: int | None = None,
    *,
    transfers: bool = False,
    ties: Ties = "stay",
    tol: float = 1e-9,
) -> CoalitionStability:
    r"""Test internal and external stability of all coalitions by enumeration.

    Parameters
    ----------
    payoffs : array_like, shape (2**n, n), or callable
        Payoff of every player when coalition ``S`` forms (rows by bitmask),
        or a function ``payoffs(members) -> (K, n)`` of boolean membership
        matrices [payoff unit].
    n_players : int, optional
        n; required with a callable.
    transfers : bool, optional
        Apply the optimal sharing rule (potential internal stability).
    ties : {"stay", "join", "leave"}
        Tie-breaking rule (module docstring).
    tol : float, optional
        Relative tolerance for ties [-].

    Returns
    -------
    CoalitionStability
        Flags for all coalitions and the stable ones.

    Notes
    -----
    Without transfers: internal stability
    :math:`\pi_i(S) \ge \pi_i(S \setminus \{i\})\ \forall i \in S`; external
    :math:`\pi_j(S) \ge \pi_j(S \cup \{j\})\ \forall j \notin S`
    (d'Aspremont et al. 1983).  With transfers: internal iff
    :math:`\sigma(S) \ge 0`, external iff :math:`\sigma(S \cup \{j\}) \le 0`
    for every outsider (Carraro, Eyckmans & Finus 2006; Weikard 2009).  All
    ``2**n`` coalitions are tested in a few array operations (``O(n 2**n)``).

    References
    ----------
    .. [1] d'Aspremont, C., Jacquemin, A., Gabszewicz, J. J., & Weymark, J. A.
       (1983). Canadian Journal of Economics 16(1), 17-25.
    .. [2] Carraro, C., Eyckmans, J., & Finus, M. (2006). Optimal transfers and
       participation decisions in international environmental agreements.
       Review of International Organizations 1(4), 379-396.
    .. [3] Weikard, H.-P. (2009). Cartel stability under an optimal sharing
       rule. The Manchester School 77(5), 575-593.

    Examples
    --------
    Three players whose payoffs by coalition (rows by bitmask) are those of a
    symmetric linear-quadratic game: every coalition of two or three is stable,
    as :func:`symmetric_stability` finds for sizes 2 and 3.

    >>> import numpy as np
    >>> g = linear_quadratic_game(3, benefit=1.0, cost=1.0)
    >>> members = np.array([[(s >> i) & 1 for i in range(3)] for s in range(8)], dtype=bool)
    >>> k = members.sum(axis=1)
    >>> pay = np.where(members, g.member_payoff[k][:, None], g.nonmember_payoff[k][:, None])
    >>> coalition_stability(pay).stable_coalitions
    [(0, 1, 2), (0, 1), (0, 2), (1, 2)]
    >>> symmetric_stability(g).stable_sizes
    [2, 3]
    """
    _check_ties(ties)
    if callable(payoffs):
        if n_players is None:
            raise InputError("n_players is required with a payoff function", field="n_players")
        n = int(n_players)
        if n < 1 or n > MAX_EXACT_PLAYERS:
            raise InputError(f"enumeration handles 1..{MAX_EXACT_PLAYERS} players", value=n)
        table = np.asarray(payoffs(coalition_members(n)), dtype=float)
    else:
        table = np.asarray(payoffs, dtype=float)
        n = table.shape[1] if table.ndim == 2 else -1
    if table.ndim != 2 or table.shape != (1 << n, n) or n < 1:
        raise InputError("payoffs must have shape (2**n, n)", field="payoffs", value=table.shape)
    masks = np.arange(1 << n, dtype=np.int64)
    bits = np.left_shift(1, np.arange(n, dtype=np.int64))
    member = (masks[:, None] & bits) != 0
    switched = table[masks[:, None] ^ bits, np.arange(n)]  # payoff after i changes status
    gain_stay = table - switched  # >0: i prefers its current status
    scale = tol * max(1.0, float(np.max(np.abs(table))))
    surplus = np.where(member, gain_stay, 0.0).sum(axis=1)
    if transfers:
        internal = _compare(surplus, ties == "leave", scale)
        enlarged = surplus[masks[:, None] | bits]  # sigma(S ∪ {j})
        joins = ~_compare(-enlarged, ties == "join", scale)  # j joins when sigma(S∪j) > 0
        external = ~np.any(joins & ~member, axis=1)
    else:
        internal = np.all(_compare(gain_stay, ties == "leave", scale) | ~member, axis=1)
        external = np.all(_compare(gain_stay, ties == "join", scale) | member, axis=1)
    stable = internal & external
    welfare = table.sum(axis=1)
    sizes = member.sum(axis=1)
    idx = np.flatnonzero(stable & (sizes >= 2))
    idx = idx[np.argsort(-welfare[idx], kind="stable")]
    coalitions = [tuple(int(i) for i in np.flatnonzero(member[s])) for s in idx]
    return CoalitionStability(
        n_players=n,
        internal=internal,
        external=external,
        stable=stable,
        surplus=surplus,
        welfare=welfare,
        stable_coalitions=coalitions,
        transfers=transfers,
        ties=ties,
    )


def optimal_sharing_payoffs(
    payoffs: ArrayLike, coalition: int, weights: ArrayLike | None = None
) -> NDArray[np.float64]:
    r"""Members' payoffs under the optimal sharing rule of Weikard (2009).

    Parameters
    ----------
    payoffs : array_like, shape (2**n, n)
        Payoff table by coalition bitmask [payoff unit].
    coalition : int
        Bitmask of the coalition.
    weights : array_like, shape (n,), optional
        Sharing weights of the surplus (positive) [-]; equal by default.

    Returns
    -------
    ndarray, shape (n,)
        Each member gets its free-riding payoff
        :math:`\pi_i(S\setminus\{i\})` plus its weighted share of
        :math:`\sigma(S)`; outsiders keep :math:`\pi_j(S)` [payoff unit].
        Members' payoffs add up to their joint payoff.

    References
    ----------
    .. [1] Weikard, H.-P. (2009). Cartel stability under an optimal sharing
       rule. The Manchester School 77(5), 575-593.
    .. [2] Carraro, C., Eyckmans, J., & Finus, M. (2006). Review of
       International Organizations 1(4), 379-396.
    """
    table = np.asarray(payoffs, dtype=float)
    n = table.shape[1]
    if not 0 <= coalition < (1 << n):
        raise InputError("coalition bitmask out of range", field="coalition", value=coalition)
    bits = np.left_shift(1, np.arange(n))
    member = (coalition & bits) != 0
    free_ride = table[coalition ^ bits, np.arange(n)]
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    w = np.where(member, w, 0.0)
    sigma = float(np.sum(np.where(member, table[coalition] - free_ride, 0.0)))
    share = w / w.sum() if w.sum() > 0 else w
    return np.where(member, free_ride + share * sigma, table[coalition])
