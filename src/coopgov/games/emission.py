r"""Source-receptor emission game (Mäler's acid rain game) on a transfer matrix.

Each city i chooses its emissions :math:`e_i` [t/yr].  Emitting brings a
benefit (the abatement cost avoided) and pollution received brings a damage:

.. math::

    \pi_i(e) = B_i(e_i) - D_i(e), \qquad
    B_i(e_i) = a_i e_i - b_i e_i^2/2, \qquad
    D_i(e) = \gamma_i \sum_k T_{ki} e_k

with :math:`T_{ki}` the share of k's emissions that reach i (rows: sources,
columns: receptors) and :math:`\gamma_i` the damage per tonne received
[yuan/t].  Emissions are bounded to :math:`[0, a_i/b_i]` (the benefit is
satiated at :math:`a_i/b_i`).

* Non-cooperative Nash equilibrium: :math:`B_i'(e_i) = \gamma_i T_{ii}`;
  with linear damages it is in dominant strategies.
* Full cooperation: :math:`B_i'(e_i) = \sum_j T_{ij}\gamma_j`.
* A coalition S facing individually optimising outsiders (the
  γ-characteristic function of Chander & Tulkens 1997): members set
  :math:`B_i'(e_i) = \sum_{j\in S} T_{ij}\gamma_j`, outsiders stay at Nash.

Everything is a pure function of arrays; :class:`EmissionGame` only bundles
the parameters.  :func:`calibrate_emission_game` builds the parameters from
region data with labelled, configurable assumptions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numba
import numpy as np
from numpy.typing import ArrayLike, NDArray

from coopgov.errors import InputError
from coopgov.games.cooperative import nash_bargaining

__all__ = [
    "DEFAULT_INCOME_ELASTICITY",
    "DEFAULT_MAC_FULL_ABATEMENT",
    "DEFAULT_MARGINAL_DAMAGE",
    "EmissionCoalitionGame",
    "EmissionGame",
    "EmissionGameResult",
    "calibrate_emission_game",
    "chander_tulkens_transfers",
    "emission_coalition_payoffs",
    "emission_payoffs",
    "emissions_cooperative",
    "emissions_nash",
    "solve_emission_game",
    "surplus_sharing_transfers",
]

#: Assumption: damage of one tonne of SO2-equivalent received by a city of the
#: region's mean population and mean income [yuan/t].  Order of magnitude of
#: the Environmental Protection Tax Law of the PRC (2016, in force 2018),
#: which levies 1.2-12 yuan per pollution equivalent on air pollutants (SO2:
#: 0.95 kg per equivalent, i.e. about 1,300-12,600 yuan/t); configurable.
DEFAULT_MARGINAL_DAMAGE = 12_000.0

#: Assumption: income elasticity of the willingness to pay for avoided damage
#: [-]; 0.8 is the value OECD (2012), Mortality Risk Valuation in
#: Environment, Health and Transport Policies, recommends for benefit
#: transfer of the value of statistical life.  Configurable.
DEFAULT_INCOME_ELASTICITY = 0.8

#: Assumption: marginal abatement cost of the last tonne (at zero emissions)
#: [yuan/t], the intercept a_i of the marginal benefit of emitting; the same
#: for every city unless given per city.  Configurable.
DEFAULT_MAC_FULL_ABATEMENT = 60_000.0


@dataclass(frozen=True)
class EmissionGame:
    r"""Parameters of a source-receptor emission game.

    Attributes
    ----------
    transfer : ndarray, shape (n, n)
        :math:`T_{ij}`, share of i's emissions reaching j [-].
    intercept : ndarray, shape (n,)
        :math:`a_i`, marginal benefit of emitting at zero emissions [yuan/t].
    slope : ndarray, shape (n,)
        :math:`b_i`, slope of the marginal benefit [yuan/t²].
    damage : ndarray, shape (n,)
        :math:`\gamma_j`, damage per tonne received [yuan/t].
    names : tuple of str
        Player labels.
    assumptions : dict
        Calibration assumptions, for the record.
    """

    transfer: NDArray[np.float64]
    intercept: NDArray[np.float64]
    slope: NDArray[np.float64]
    damage: NDArray[np.float64]
    names: tuple[str, ...] = ()
    assumptions: dict[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        t = np.asarray(self.transfer, dtype=float)
        n = t.shape[0] if t.ndim == 2 else -1
        if t.ndim != 2 or t.shape != (n, n) or n < 1:
            raise InputError("transfer matrix must be square", field="transfer", value=t.shape)
        bad = np.argwhere(~np.isfinite(t) | (t < 0))
        if bad.size:
            i, j = (int(x) for x in bad[0])
            raise InputError(
                "transfer shares must be finite and >= 0",
                field=f"transfer[{i},{j}]",
                row=i,
                value=float(t[i, j]),
            )
        for name in ("intercept", "slope", "damage"):
            arr = np.asarray(getattr(self, name), dtype=float)
            if arr.shape != (n,):
                raise InputError(f"must have {n} entries", field=name, value=arr.shape)
            strict = name != "damage"
            bad1 = np.flatnonzero(~np.isfinite(arr) | ((arr <= 0) if strict else (arr < 0)))
            if bad1.size:
                raise InputError(
                    "must be finite and " + ("> 0" if strict else ">= 0"),
                    field=name,
                    row=int(bad1[0]),
                    value=float(arr[bad1[0]]),
                )
            object.__setattr__(self, name, arr)
        object.__setattr__(self, "transfer", t)
        if self.names and len(self.names) != n:
            raise InputError(f"need {n} names", field="names", value=len(self.names))

    @property
    def n_players(self) -> int:
        """Number of players."""
        return int(self.transfer.shape[0])


def _bounded(e: NDArray[np.float64], game: EmissionGame) -> NDArray[np.float64]:
    return np.clip(e, 0.0, game.intercept / game.slope)


def emissions_nash(game: EmissionGame) -> NDArray[np.float64]:
    r"""Non-cooperative Nash equilibrium emissions.

    Parameters
    ----------
    game : EmissionGame
        Game parameters.

    Returns
    -------
    ndarray, shape (n,)
        :math:`e_i^N = (a_i - \gamma_i T_{ii})/b_i`, clipped to
        :math:`[0, a_i/b_i]` [t/yr].

    References
    ----------
    .. [1] Mäler, K.-G. (1989). The acid rain game. In Folmer & van Ierland
       (eds.), Valuation Methods and Policy Making in Environmental Economics,
       231-252, Elsevier.
    """
    own = np.diag(game.transfer) * game.damage
    return _bounded((game.intercept - own) / game.slope, game)


def emissions_cooperative(game: EmissionGame) -> NDArray[np.float64]:
    r"""Emissions maximising the sum of all players' payoffs.

    Parameters
    ----------
    game : EmissionGame
        Game parameters.

    Returns
    -------
    ndarray, shape (n,)
        :math:`e_i^C = (a_i - \sum_j T_{ij}\gamma_j)/b_i`, clipped to
        :math:`[0, a_i/b_i]` [t/yr].

    References
    ----------
    .. [1] Mäler, K.-G. (1989). The acid rain game. Valuation Methods and
       Policy Making in Environmental Economics, 231-252.
    """
    return _bounded((game.intercept - game.transfer @ game.damage) / game.slope, game)


def emission_payoffs(
    emissions: ArrayLike, game: EmissionGame
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    r"""Payoffs of all players at given emissions (batched over leading axes).

    Parameters
    ----------
    emissions : array_like, shape (..., n)
        Emissions [t/yr].
    game : EmissionGame
        Game parameters.

    Returns
    -------
    payoff, benefit, damage : ndarray, shape (..., n)
        :math:`\pi_i = B_i(e_i) - D_i(e)` and its two parts [yuan/yr].

    References
    ----------
    .. [1] Mäler, K.-G. (1989). The acid rain game.
    """
    e = np.asarray(emissions, dtype=float)
    benefit = game.intercept * e - game.slope * e**2 / 2
    damage = game.damage * (e @ game.transfer)
    return benefit - damage, benefit, damage


def emission_coalition_payoffs(members: ArrayLike, game: EmissionGame) -> NDArray[np.float64]:
    r"""Payoff of every player when coalition S forms (γ-characteristic function).

    Parameters
    ----------
    members : array_like of bool, shape (K, n)
        Coalitions (rows).
    game : EmissionGame
        Game parameters.

    Returns
    -------
    ndarray, shape (K, n)
        Payoffs [yuan/yr].  Members choose
        :math:`B_i'(e_i) = \sum_{j \in S} T_{ij}\gamma_j`; outsiders play
        their individual best reply, which with linear damages is their Nash
        emission whatever S does, so the γ- and α-functions coincide.

    References
    ----------
    .. [1] Chander, P., & Tulkens, H. (1997). The core of an economy with
       multilateral environmental externalities. International Journal of Game
       Theory 26(3), 379-401.
    """
    m = np.asarray(members, dtype=bool)
    internal = (m * game.damage) @ game.transfer.T  # sum_{j in S} T_ij gamma_j
    e = np.where(m, _bounded((game.intercept - internal) / game.slope, game), emissions_nash(game))
    return emission_payoffs(e, game)[0]


@numba.njit(parallel=True, cache=True)
def _prefix_worths(
    orders: NDArray[np.int64],
    internal_effect: NDArray[np.float64],
    intercept: NDArray[np.float64],
    slope: NDArray[np.float64],
    e_nash: NDArray[np.float64],
    payoff_nash: NDArray[np.float64],
) -> NDArray[np.float64]:  # pragma: no cover - compiled
    m, n = orders.shape
    out = np.zeros((m, n + 1))
    for p in numba.prange(m):
        internal = np.zeros(n)
        member = np.zeros(n, dtype=np.bool_)
        nash_sum = 0.0
        for k in range(n):
            j = orders[p, k]
            member[j] = True
            nash_sum += payoff_nash[j]
            for i in range(n):
                internal[i] += internal_effect[i, j]
            worth = 0.0
            for i in range(n):
                if member[i]:
                    ei = (intercept[i] - internal[i]) / slope[i]
                    ei = min(max(ei, 0.0), intercept[i] / slope[i])
                    worth += intercept[i] * ei - 0.5 * slope[i] * ei * ei
                else:
                    ei = e_nash[i]
                worth -= ei * internal[i]
            out[p, k + 1] = worth - nash_sum
    return out


@dataclass(frozen=True)
class EmissionCoalitionGame:
    r"""Worth of coalitions in the emission game, a vectorised characteristic function.

    ``game(members)`` returns, for each row of ``members``, the members' joint
    gain over the Nash equilibrium,
    :math:`v(S) = \sum_{i \in S} [\pi_i(S) - \pi_i^N]` [yuan/yr] (or their
    joint payoff when ``relative_to_nash`` is False); ``prefix_values(orders)``
    evaluates the prefixes of many orders incrementally (``O(m n^2)``,
    compiled with Numba, parallel over orders) for sampled Shapley values.

    Attributes
    ----------
    game : EmissionGame
        Game parameters.
    relative_to_nash : bool
        Measure worths as gains over the Nash payoffs (so that
        :math:`v(\{i\}) = 0`); default True.

    References
    ----------
    .. [1] Chander, P., & Tulkens, H. (1997). International Journal of Game
       Theory 26(3), 379-401 (γ-characteristic function).
    """

    game: EmissionGame
    relative_to_nash: bool = True

    @property
    def n_players(self) -> int:
        """Number of players."""
        return self.game.n_players

    def _nash_payoffs(self) -> NDArray[np.float64]:
        if not self.relative_to_nash:
            return np.zeros(self.n_players)
        return emission_payoffs(emissions_nash(self.game), self.game)[0]

    def __call__(self, members: NDArray[np.bool_]) -> NDArray[np.float64]:
        """Worth of each coalition (row of ``members``) [yuan/yr]."""
        m = np.asarray(members, dtype=bool)
        gains = emission_coalition_payoffs(m, self.game) - self._nash_payoffs()
        return np.where(m, gains, 0.0).sum(axis=1)

    def prefix_values(self, orders: NDArray[np.int64]) -> NDArray[np.float64]:
        """Worths of the ``n + 1`` prefix coalitions of each order, shape ``(m, n + 1)``."""
        g = self.game
        return _prefix_worths(
            np.ascontiguousarray(orders, dtype=np.int64),
            np.ascontiguousarray(g.transfer * g.damage),
            g.intercept,
            g.slope,
            emissions_nash(g),
            self._nash_payoffs(),
        )


@dataclass(frozen=True)
class EmissionGameResult:
    r"""Nash equilibrium and full cooperation compared, city by city.

    Attributes
    ----------
    emissions_nash, emissions_cooperative : ndarray, shape (n,)
        [t/yr].
    payoff_nash, payoff_cooperative : ndarray, shape (n,)
        :math:`\pi_i` [yuan/yr].
    gain : ndarray, shape (n,)
        :math:`\pi_i^C - \pi_i^N`, before side payments [yuan/yr]; some
        cities lose.
    total_gain : float
        Sum of gains, the surplus of cooperation [yuan/yr] (>= 0).
    abatement_cost : ndarray, shape (n,)
        :math:`B_i(e^N_i) - B_i(e^C_i)` [yuan/yr].
    damage_avoided : ndarray, shape (n,)
        :math:`D_i(e^N) - D_i(e^C)` [yuan/yr].
    """

    emissions_nash: NDArray[np.float64]
    emissions_cooperative: NDArray[np.float64]
    payoff_nash: NDArray[np.float64]
    payoff_cooperative: NDArray[np.float64]
    gain: NDArray[np.float64]
    total_gain: float
    abatement_cost: NDArray[np.float64]
    damage_avoided: NDArray[np.float64]


def solve_emission_game(game: EmissionGame) -> EmissionGameResult:
    """Compute the Nash equilibrium, the cooperative optimum and each player's gain.

    Parameters
    ----------
    game : EmissionGame
        Game parameters.

    Returns
    -------
    EmissionGameResult
        Emissions [t/yr], payoffs and gains [yuan/yr].

    References
    ----------
    .. [1] Mäler, K.-G. (1989). The acid rain game. Valuation Methods and
       Policy Making in Environmental Economics, 231-252.

    Examples
    --------
    Two cities; 60 % of city 0's emissions stay at home and 30 % reach city 1:

    >>> import numpy as np
    >>> game = EmissionGame(
    ...     transfer=np.array([[0.6, 0.3], [0.1, 0.8]]),
    ...     intercept=np.array([100.0, 100.0]),
    ...     slope=np.array([1.0, 1.0]),
    ...     damage=np.array([10.0, 20.0]),
    ... )
    >>> r = solve_emission_game(game)
    >>> r.emissions_nash.tolist(), r.emissions_cooperative.tolist()
    ([94.0, 84.0], [88.0, 83.0])
    >>> r.gain.tolist(), float(r.total_gain)  # city 0 loses by cooperating
    ([-17.0, 35.5], 18.5)
    """
    e_n = emissions_nash(game)
    e_c = emissions_cooperative(game)
    p_n, b_n, d_n = emission_payoffs(e_n, game)
    p_c, b_c, d_c = emission_payoffs(e_c, game)
    gain = p_c - p_n
    return EmissionGameResult(
        emissions_nash=e_n,
        emissions_cooperative=e_c,
        payoff_nash=p_n,
        payoff_cooperative=p_c,
        gain=gain,
        total_gain=float(gain.sum()),
        abatement_cost=b_n - b_c,
        damage_avoided=d_n - d_c,
    )


def chander_tulkens_transfers(result: EmissionGameResult) -> NDArray[np.float64]:
    r"""Chander-Tulkens side payments that make every player gain from cooperation.

    Parameters
    ----------
    result : EmissionGameResult
        Output of :func:`solve_emission_game`.

    Returns
    -------
    ndarray, shape (n,)
        Transfer received by each player (negative: paid) [yuan/yr]; sums to
        zero.

    Notes
    -----
    .. math::

        t_i = \bigl[B_i(e^N_i) - B_i(e^C_i)\bigr]
              - w_i \sum_j \bigl[B_j(e^N_j) - B_j(e^C_j)\bigr],
        \qquad w_i = \frac{\Delta D_i}{\sum_j \Delta D_j}

    Each player is refunded its abatement cost and pays a share of the total
    abatement cost.  With a uniformly mixed pollutant and linear damages,
    :math:`\Delta D_i \propto \gamma_i` and :math:`w_i` is the share of
    marginal damage :math:`\gamma_i/\sum_j\gamma_j`, Chander & Tulkens'
    (1995, 1997) formula, which lies in the γ-core.  With a transfer matrix
    the weights generalise to each player's share of the damage avoided, so
    that the net gain :math:`\pi^C_i + t_i - \pi^N_i = w_i \sum_j(\pi^C_j -
    \pi^N_j) \ge 0` for everyone.

    References
    ----------
    .. [1] Chander, P., & Tulkens, H. (1995). A core-theoretic solution for the
       design of cooperative agreements on transfrontier pollution.
       International Tax and Public Finance 2(2), 279-293.
    .. [2] Chander, P., & Tulkens, H. (1997). The core of an economy with
       multilateral environmental externalities. International Journal of Game
       Theory 26(3), 379-401.

    Examples
    --------
    The two-city game of :func:`solve_emission_game`, where city 0 loses 17
    yuan/yr by cooperating: after the transfers both gain.

    >>> import numpy as np
    >>> game = EmissionGame(
    ...     np.array([[0.6, 0.3], [0.1, 0.8]]), np.array([100.0, 100.0]),
    ...     np.array([1.0, 1.0]), np.array([10.0, 20.0]),
    ... )
    >>> r = solve_emission_game(game)
    >>> t = chander_tulkens_transfers(r)
    >>> np.round(t, 2).tolist(), np.round(r.gain + t, 2).tolist()
    ([24.69, -24.69], [7.69, 10.81])
    """
    avoided = result.damage_avoided
    if avoided.sum() <= 0:
        return np.zeros_like(avoided)
    weights = avoided / avoided.sum()
    return result.abatement_cost - weights * result.abatement_cost.sum()


def surplus_sharing_transfers(
    result: EmissionGameResult, weights: ArrayLike | None = None
) -> NDArray[np.float64]:
    r"""Side payments splitting the cooperative surplus by given weights.

    Parameters
    ----------
    result : EmissionGameResult
        Output of :func:`solve_emission_game`.
    weights : array_like, shape (n,), optional
        Positive bargaining weights [-] (e.g. population); equal by default,
        which is the symmetric Nash bargaining solution with the Nash
        equilibrium as threat point.

    Returns
    -------
    ndarray, shape (n,)
        Transfer received by each player [yuan/yr]; sums to zero.

    Notes
    -----
    Final payoffs :math:`x_i = \pi^N_i + \frac{w_i}{\sum w}\sum_j(\pi^C_j -
    \pi^N_j)`, transfers :math:`t_i = x_i - \pi^C_i` (generalised Nash
    bargaining with transferable utility).

    References
    ----------
    .. [1] Nash, J. F. (1950). The bargaining problem. Econometrica 18(2),
       155-162.
    """
    total = float(result.payoff_cooperative.sum())
    x = nash_bargaining(total, result.payoff_nash, weights)
    return x - result.payoff_cooperative


def calibrate_emission_game(
    baseline_emissions: ArrayLike,
    transfer: ArrayLike,
    population: ArrayLike,
    gdp: ArrayLike,
    *,
    marginal_damage: float = DEFAULT_MARGINAL_DAMAGE,
    income_elasticity: float = DEFAULT_INCOME_ELASTICITY,
    mac_full_abatement: float | ArrayLike = DEFAULT_MAC_FULL_ABATEMENT,
    names: tuple[str, ...] = (),
) -> EmissionGame:
    r"""Calibrate an emission game so that its Nash equilibrium is the baseline.

    Parameters
    ----------
    baseline_emissions : array_like, shape (n,)
        Observed emissions, taken as the non-cooperative equilibrium [t/yr].
    transfer : array_like, shape (n, n)
        :math:`T_{ij}`, share of i's emissions reaching j [-].
    population : array_like, shape (n,)
        Resident population [persons] (any consistent unit).
    gdp : array_like, shape (n,)
        Gross domestic product [yuan/yr] (any consistent unit).
    marginal_damage : float, optional
        Assumption: damage per tonne received by a city of mean population
        and mean income per head [yuan/t] (:data:`DEFAULT_MARGINAL_DAMAGE`).
    income_elasticity : float, optional
        Assumption: income elasticity of willingness to pay [-]
        (:data:`DEFAULT_INCOME_ELASTICITY`).
    mac_full_abatement : float or array_like, optional
        Assumption: marginal abatement cost at zero emissions [yuan/t]
        (:data:`DEFAULT_MAC_FULL_ABATEMENT`).
    names : tuple of str, optional
        Player labels.

    Returns
    -------
    EmissionGame
        Calibrated game; its ``assumptions`` record the values used.

    Raises
    ------
    InputError
        On bad shapes or values, or when ``mac_full_abatement`` does not exceed
        a city's own marginal damage (no interior Nash equilibrium).

    Notes
    -----
    Damage per tonne received, from population and income per head:

    .. math:: \gamma_j = \bar\gamma \,\frac{P_j}{\bar P}
              \Bigl(\frac{y_j}{\bar y}\Bigr)^{\eta}, \qquad y_j = GDP_j/P_j

    Benefit of emitting :math:`B_i(e) = a_i e - b_i e^2/2` with
    :math:`a_i` = ``mac_full_abatement`` and :math:`b_i` chosen so that the
    Nash condition :math:`a_i - b_i \bar e_i = \gamma_i T_{ii}` holds at the
    baseline: :math:`b_i = (a_i - \gamma_i T_{ii})/\bar e_i`.

    References
    ----------
    .. [1] Mäler, K.-G. (1989). The acid rain game. Valuation Methods and
       Policy Making in Environmental Economics, 231-252.
    .. [2] OECD (2012). Mortality Risk Valuation in Environment, Health and
       Transport Policies. OECD Publishing, Paris (income elasticity).
    """
    e = np.asarray(baseline_emissions, dtype=float)
    n = e.size
    t = np.asarray(transfer, dtype=float)
    pop = np.asarray(population, dtype=float)
    out = np.asarray(gdp, dtype=float)
    if e.ndim != 1 or n == 0:
        raise InputError("baseline emissions must be a non-empty vector", field="emissions")
    for name, arr in (("emissions", e), ("population", pop), ("gdp", out)):
        if arr.shape != (n,):
            raise InputError(f"must have {n} entries", field=name, value=arr.shape)
        bad = np.flatnonzero(~np.isfinite(arr) | (arr <= 0))
        if bad.size:
            raise InputError(
                "must be finite and > 0", field=name, row=int(bad[0]), value=float(arr[bad[0]])
            )
    if t.shape != (n, n):
        raise InputError(f"transfer matrix must be {n}x{n}", field="transfer", value=t.shape)
    md = float(marginal_damage)
    if not np.isfinite(md) or md < 0:
        raise InputError("must be finite and >= 0", field="marginal_damage", value=md)
    income = out / pop
    gamma = md * (pop / pop.mean()) * (income / income.mean()) ** float(income_elasticity)
    a = np.broadcast_to(np.asarray(mac_full_abatement, dtype=float), (n,)).copy()
    own = gamma * np.diag(t)
    bad = np.flatnonzero(~(a > own))
    if bad.size:
        raise InputError(
            "marginal abatement cost at zero emissions must exceed the city's own marginal damage",
            field="mac_full_abatement",
            row=int(bad[0]),
            value=float(a[bad[0]]),
        )
    slope = (a - own) / e
    return EmissionGame(
        transfer=t,
        intercept=a,
        slope=slope,
        damage=gamma,
        names=tuple(names),
        assumptions={
            "marginal_damage_yuan_per_t": md,
            "income_elasticity": float(income_elasticity),
            "mac_full_abatement_yuan_per_t": a.tolist(),
            "benefit": "quadratic, Nash equilibrium = baseline emissions",
            "damage": "linear in pollution received; gamma from population and income",
        },
    )
