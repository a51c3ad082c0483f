"""Games on a region: the emission game built from its data, river-cost sharing on its rivers.

Both ``coopgov games emissions`` and the dashboard's allocation map call
these functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from coopgov.errors import InputError
from coopgov.games.cooperative import ShapleyEstimate, shapley_value_sampled
from coopgov.games.emission import (
    DEFAULT_INCOME_ELASTICITY,
    DEFAULT_MAC_FULL_ABATEMENT,
    DEFAULT_MARGINAL_DAMAGE,
    EmissionCoalitionGame,
    EmissionGame,
    EmissionGameResult,
    calibrate_emission_game,
    chander_tulkens_transfers,
    solve_emission_game,
    surplus_sharing_transfers,
)
from coopgov.games.river import (
    downstream_equal_sharing,
    local_responsibility_sharing,
    upstream_equal_sharing,
)

__all__ = [
    "RIVER_METHODS",
    "EmissionGameAnalysis",
    "emission_game_analysis",
    "region_emission_game",
    "river_cleaning_costs",
    "river_parents",
    "river_sharing",
]

RiverMethod = Literal["lrs", "ues", "des"]
#: Ni & Wang (2007) river-sharing rules: local responsibility, upstream and
#: downstream equal sharing.
RIVER_METHODS: tuple[str, ...] = ("lrs", "ues", "des")


def region_emission_game(
    region: Any,
    pollutant: str = "so2",
    *,
    marginal_damage: float = DEFAULT_MARGINAL_DAMAGE,
    income_elasticity: float = DEFAULT_INCOME_ELASTICITY,
    mac_full_abatement: float = DEFAULT_MAC_FULL_ABATEMENT,
) -> EmissionGame:
    """The source-receptor emission game of a region, calibrated on its data.

    Baseline emissions of ``pollutant`` [t/yr] are the Nash equilibrium; the
    region's air transfer matrix carries them to the receptors
    (:func:`coopgov.games.emission.calibrate_emission_game`, Mäler 1989).

    Parameters
    ----------
    region : coopgov.region.Region
        Cities (population [persons], gdp [yuan]), emissions, air transfer.
    pollutant : str
        Emission column (``so2``, ``nox``, ``pm``, ...).
    marginal_damage : float
        Assumption: damage per tonne received by the mean city [yuan/t].
    income_elasticity : float
        Assumption: income elasticity of willingness to pay [-].
    mac_full_abatement : float
        Assumption: marginal abatement cost at zero emissions [yuan/t].

    Raises
    ------
    InputError
        Unknown pollutant.
    """
    if pollutant not in region.emissions.columns:
        raise InputError(
            f"unknown pollutant (have {', '.join(region.emissions.columns)})",
            field="pollutant",
            value=pollutant,
        )
    cities = region.cities
    return calibrate_emission_game(
        region.emissions[pollutant].to_numpy(float),
        np.asarray(region.air_transfer, dtype=float),
        cities["population"].to_numpy(float),
        cities["gdp"].to_numpy(float),
        marginal_damage=marginal_damage,
        income_elasticity=income_elasticity,
        mac_full_abatement=mac_full_abatement,
        names=tuple(cities["name_en"]),
    )


@dataclass(frozen=True)
class EmissionGameAnalysis:
    """Nash vs cooperation in a region's emission game, and the side payments.

    Attributes
    ----------
    game : EmissionGame
        The calibrated game.
    result : EmissionGameResult
        Emissions [t/yr] and payoffs [yuan/yr] at Nash and full cooperation.
    chander_tulkens : ndarray, shape (N,)
        Chander-Tulkens transfers received [yuan/yr] (sum zero).
    equal_surplus : ndarray, shape (N,)
        Transfers sharing the surplus equally [yuan/yr].
    shapley : ShapleyEstimate or None
        Sampled Shapley value of the cooperative gain [yuan/yr] (None when
        no permutations were asked for).
    """

    game: EmissionGame
    result: EmissionGameResult
    chander_tulkens: NDArray[np.float64]
    equal_surplus: NDArray[np.float64]
    shapley: ShapleyEstimate | None


def emission_game_analysis(
    region: Any,
    pollutant: str = "so2",
    *,
    marginal_damage: float = DEFAULT_MARGINAL_DAMAGE,
    income_elasticity: float = DEFAULT_INCOME_ELASTICITY,
    mac_full_abatement: float = DEFAULT_MAC_FULL_ABATEMENT,
    permutations: int = 0,
    seed: int = 0,
) -> EmissionGameAnalysis:
    """Solve a region's emission game and compute its side payments.

    Parameters are those of :func:`region_emission_game`, and
    ``permutations`` [-] sampled orders for the Shapley value (0: skip) with
    their random ``seed``.
    """
    game = region_emission_game(
        region,
        pollutant,
        marginal_damage=marginal_damage,
        income_elasticity=income_elasticity,
        mac_full_abatement=mac_full_abatement,
    )
    res = solve_emission_game(game)
    shapley = None
    if permutations > 0:
        shapley = shapley_value_sampled(
            EmissionCoalitionGame(game), game.n_players, n_permutations=permutations, seed=seed
        )
    return EmissionGameAnalysis(
        game=game,
        result=res,
        chander_tulkens=np.asarray(chander_tulkens_transfers(res), dtype=float),
        equal_surplus=np.asarray(surplus_sharing_transfers(res), dtype=float),
        shapley=shapley,
    )


def river_parents(region: Any) -> NDArray[np.int64]:
    """Downstream neighbour of each city (index, ``-1`` at a mouth) from the river edges.

    Parameters
    ----------
    region : coopgov.region.Region
        Needs ``adcodes`` and ``river_edges`` (upstream, downstream, share).

    Returns
    -------
    ndarray of int, shape (N,)
        A forest: each city keeps the outflow edge carrying its largest share
        of load (first listed on ties); cities off the river network are
        their own mouth.

    Notes
    -----
    Ni & Wang's river sharing needs a tree; where a river splits (a city
    drains to two neighbours) only the main branch is kept (assumption of
    coopgov, 2026).
    """
    codes = [int(a) for a in region.adcodes]
    index = {a: k for k, a in enumerate(codes)}
    parent = np.full(len(codes), -1, dtype=np.int64)
    best = np.full(len(codes), -np.inf)
    edges = region.river_edges
    for up, down, share in zip(edges["upstream"], edges["downstream"], edges["share"], strict=True):
        i, j = index.get(int(up)), index.get(int(down))
        if i is None or j is None or i == j:
            continue
        if float(share) > best[i]:
            best[i], parent[i] = float(share), j
    return parent


def river_sharing(
    costs: NDArray[np.float64], parent: NDArray[np.int64], method: str
) -> NDArray[np.float64]:
    """Share each river's cleaning cost by a Ni & Wang (2007) rule, tree by tree of a forest.

    Parameters
    ----------
    costs : ndarray, shape (N,)
        Cleaning cost of each city's river segment [yuan/yr].
    parent : ndarray of int, shape (N,)
        Downstream neighbour (index, ``-1`` at a mouth), e.g. :func:`river_parents`.
    method : {"lrs", "ues", "des"}
        Local responsibility, upstream or downstream equal sharing.

    Returns
    -------
    ndarray, shape (N,)
        Each city's share [yuan/yr]; the shares of each tree sum to its costs.
    """
    rules = {
        "lrs": lambda c, p: local_responsibility_sharing(c),
        "ues": upstream_equal_sharing,
        "des": downstream_equal_sharing,
    }
    if method not in rules:
        raise InputError(
            f"unknown river-sharing method; use one of {', '.join(RIVER_METHODS)}",
            field="method",
            value=method,
        )
    rule = rules[method]
    costs = np.asarray(costs, dtype=float)
    n = parent.size
    root = np.arange(n)
    for _ in range(n):  # follow each city to its mouth
        nxt = np.where(parent[root] >= 0, parent[root], root)
        if np.array_equal(nxt, root):
            break
        root = nxt
    out = np.zeros(n)
    for mouth in np.unique(root):
        members = np.flatnonzero(root == mouth)
        local = {int(g): k for k, g in enumerate(members)}
        sub = np.array([local.get(int(parent[g]), -1) for g in members], dtype=np.int64)
        out[members] = rule(costs[members], sub)
    return out


def river_cleaning_costs(region: Any) -> NDArray[np.float64]:
    """Yearly cleaning cost of each city's river segment [yuan/yr].

    Its COD and NH3-N loads [t/yr] cut at the model's default water abatement
    rate, valued at the per-tonne scheme's prices [yuan/t]
    (:func:`coopgov.dynamics.engine.compensation_prices`; assumption of
    coopgov, 2026).
    """
    from coopgov.dynamics.engine import compensation_prices
    from coopgov.model.parameters import PARAMETER_INFO

    loads = region.emissions[["cod", "nh3n"]].to_numpy(float)
    rate = PARAMETER_INFO["water_abatement_rate"].default
    return np.asarray(rate * loads @ compensation_prices(), dtype=float)
