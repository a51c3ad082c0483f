"""Game theory of transboundary pollution: emission games, coalitions, allocation.

Modules
-------
emission
    Source-receptor emission game (Mäler 1989): Nash vs cooperation, side
    payments (Chander & Tulkens 1997).
coalitions
    Stability of environmental agreements (d'Aspremont et al. 1983; Barrett
    1994; Carraro & Siniscalco 1993), with and without transfers.
cooperative
    TU games: Shapley value (exact and sampled), nucleolus, core, Nash
    bargaining.
river
    Sharing a polluted river (Ni & Wang 2007; Dong, Ni & Wang 2012) and
    sharing a river's water (Ambec & Sprumont 2002).

Every public name of those four modules is re-exported here and imported on
first use, so ``import coopgov.games`` loads no module of the package yet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from coopgov._lazy import lazy_exports

if TYPE_CHECKING:
    from coopgov.games.coalitions import CoalitionStability as CoalitionStability
    from coopgov.games.coalitions import SymmetricCoalitionGame as SymmetricCoalitionGame
    from coopgov.games.coalitions import SymmetricStability as SymmetricStability
    from coopgov.games.coalitions import barrett_game as barrett_game
    from coopgov.games.coalitions import (
        coalition_payoffs_linear_quadratic as coalition_payoffs_linear_quadratic,
    )
    from coopgov.games.coalitions import coalition_payoffs_quadratic as coalition_payoffs_quadratic
    from coopgov.games.coalitions import coalition_stability as coalition_stability
    from coopgov.games.coalitions import linear_quadratic_game as linear_quadratic_game
    from coopgov.games.coalitions import optimal_sharing_payoffs as optimal_sharing_payoffs
    from coopgov.games.coalitions import quadratic_quadratic_game as quadratic_quadratic_game
    from coopgov.games.coalitions import symmetric_game as symmetric_game
    from coopgov.games.coalitions import symmetric_stability as symmetric_stability
    from coopgov.games.cooperative import MAX_EXACT_PLAYERS as MAX_EXACT_PLAYERS
    from coopgov.games.cooperative import ShapleyEstimate as ShapleyEstimate
    from coopgov.games.cooperative import coalition_members as coalition_members
    from coopgov.games.cooperative import coalition_sizes as coalition_sizes
    from coopgov.games.cooperative import core_excess as core_excess
    from coopgov.games.cooperative import game_table as game_table
    from coopgov.games.cooperative import in_core as in_core
    from coopgov.games.cooperative import least_core as least_core
    from coopgov.games.cooperative import n_players_of as n_players_of
    from coopgov.games.cooperative import nash_bargaining as nash_bargaining
    from coopgov.games.cooperative import nucleolus as nucleolus
    from coopgov.games.cooperative import shapley_value as shapley_value
    from coopgov.games.cooperative import shapley_value_sampled as shapley_value_sampled
    from coopgov.games.cooperative import subset_sums as subset_sums
    from coopgov.games.emission import DEFAULT_INCOME_ELASTICITY as DEFAULT_INCOME_ELASTICITY
    from coopgov.games.emission import DEFAULT_MAC_FULL_ABATEMENT as DEFAULT_MAC_FULL_ABATEMENT
    from coopgov.games.emission import DEFAULT_MARGINAL_DAMAGE as DEFAULT_MARGINAL_DAMAGE
    from coopgov.games.emission import EmissionCoalitionGame as EmissionCoalitionGame
    from coopgov.games.emission import EmissionGame as EmissionGame
    from coopgov.games.emission import EmissionGameResult as EmissionGameResult
    from coopgov.games.emission import calibrate_emission_game as calibrate_emission_game
    from coopgov.games.emission import chander_tulkens_transfers as chander_tulkens_transfers
    from coopgov.games.emission import emission_coalition_payoffs as emission_coalition_payoffs
    from coopgov.games.emission import emission_payoffs as emission_payoffs
    from coopgov.games.emission import emissions_cooperative as emissions_cooperative
    from coopgov.games.emission import emissions_nash as emissions_nash
    from coopgov.games.emission import solve_emission_game as solve_emission_game
    from coopgov.games.emission import surplus_sharing_transfers as surplus_sharing_transfers
    from coopgov.games.river import RiverCostGame as RiverCostGame
    from coopgov.games.river import ambec_sprumont as ambec_sprumont
    from coopgov.games.river import downstream_equal_sharing as downstream_equal_sharing
    from coopgov.games.river import downstream_matrix as downstream_matrix
    from coopgov.games.river import line_parents as line_parents
    from coopgov.games.river import local_responsibility_sharing as local_responsibility_sharing
    from coopgov.games.river import river_cost_game as river_cost_game
    from coopgov.games.river import river_cost_table as river_cost_table
    from coopgov.games.river import river_water_game as river_water_game
    from coopgov.games.river import river_water_welfare as river_water_welfare
    from coopgov.games.river import upstream_equal_sharing as upstream_equal_sharing

_EXPORTS = {
    "DEFAULT_INCOME_ELASTICITY": "coopgov.games.emission",
    "DEFAULT_MAC_FULL_ABATEMENT": "coopgov.games.emission",
    "DEFAULT_MARGINAL_DAMAGE": "coopgov.games.emission",
    "EmissionCoalitionGame": "coopgov.games.emission",
    "EmissionGame": "coopgov.games.emission",
    "EmissionGameResult": "coopgov.games.emission",
    "calibrate_emission_game": "coopgov.games.emission",
    "chander_tulkens_transfers": "coopgov.games.emission",
    "emission_coalition_payoffs": "coopgov.games.emission",
    "emission_payoffs": "coopgov.games.emission",
    "emissions_cooperative": "coopgov.games.emission",
    "emissions_nash": "coopgov.games.emission",
    "solve_emission_game": "coopgov.games.emission",
    "surplus_sharing_transfers": "coopgov.games.emission",
    "CoalitionStability": "coopgov.games.coalitions",
    "SymmetricCoalitionGame": "coopgov.games.coalitions",
    "SymmetricStability": "coopgov.games.coalitions",
    "barrett_game": "coopgov.games.coalitions",
    "coalition_payoffs_linear_quadratic": "coopgov.games.coalitions",
    "coalition_payoffs_quadratic": "coopgov.games.coalitions",
    "coalition_stability": "coopgov.games.coalitions",
    "linear_quadratic_game": "coopgov.games.coalitions",
    "optimal_sharing_payoffs": "coopgov.games.coalitions",
    "quadratic_quadratic_game": "coopgov.games.coalitions",
    "symmetric_game": "coopgov.games.coalitions",
    "symmetric_stability": "coopgov.games.coalitions",
    "MAX_EXACT_PLAYERS": "coopgov.games.cooperative",
    "ShapleyEstimate": "coopgov.games.cooperative",
    "coalition_members": "coopgov.games.cooperative",
    "coalition_sizes": "coopgov.games.cooperative",
    "core_excess": "coopgov.games.cooperative",
    "game_table": "coopgov.games.cooperative",
    "in_core": "coopgov.games.cooperative",
    "least_core": "coopgov.games.cooperative",
    "n_players_of": "coopgov.games.cooperative",
    "nash_bargaining": "coopgov.games.cooperative",
    "nucleolus": "coopgov.games.cooperative",
    "shapley_value": "coopgov.games.cooperative",
    "shapley_value_sampled": "coopgov.games.cooperative",
    "subset_sums": "coopgov.games.cooperative",
    "RiverCostGame": "coopgov.games.river",
    "ambec_sprumont": "coopgov.games.river",
    "downstream_equal_sharing": "coopgov.games.river",
    "downstream_matrix": "coopgov.games.river",
    "line_parents": "coopgov.games.river",
    "local_responsibility_sharing": "coopgov.games.river",
    "river_cost_game": "coopgov.games.river",
    "river_cost_table": "coopgov.games.river",
    "river_water_game": "coopgov.games.river",
    "river_water_welfare": "coopgov.games.river",
    "upstream_equal_sharing": "coopgov.games.river",
}

__all__ = [
    "CoalitionStability",
    "DEFAULT_INCOME_ELASTICITY",
    "DEFAULT_MAC_FULL_ABATEMENT",
    "DEFAULT_MARGINAL_DAMAGE",
    "EmissionCoalitionGame",
    "EmissionGame",
    "EmissionGameResult",
    "MAX_EXACT_PLAYERS",
    "RiverCostGame",
    "ShapleyEstimate",
    "SymmetricCoalitionGame",
    "SymmetricStability",
    "ambec_sprumont",
    "barrett_game",
    "calibrate_emission_game",
    "chander_tulkens_transfers",
    "coalition_members",
    "coalition_payoffs_linear_quadratic",
    "coalition_payoffs_quadratic",
    "coalition_sizes",
    "coalition_stability",
    "core_excess",
    "downstream_equal_sharing",
    "downstream_matrix",
    "emission_coalition_payoffs",
    "emission_payoffs",
    "emissions_cooperative",
    "emissions_nash",
    "game_table",
    "in_core",
    "least_core",
    "line_parents",
    "linear_quadratic_game",
    "local_responsibility_sharing",
    "n_players_of",
    "nash_bargaining",
    "nucleolus",
    "optimal_sharing_payoffs",
    "quadratic_quadratic_game",
    "river_cost_game",
    "river_cost_table",
    "river_water_game",
    "river_water_welfare",
    "shapley_value",
    "shapley_value_sampled",
    "solve_emission_game",
    "subset_sums",
    "surplus_sharing_transfers",
    "symmetric_game",
    "symmetric_stability",
    "upstream_equal_sharing",
]

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
