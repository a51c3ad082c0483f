"""coopgov: computable cooperation dynamics in cross-regional environmental governance.

Local governments of a region (the Yangtze River Delta built in) as players.
The main workflow is available from the top level::

    import coopgov

    yrd = coopgov.load_region("yrd")                      # 41 cities, keyed by adcode
    city = coopgov.city_data(yrd)                         # arrays the model runs on
    results = coopgov.run_scenarios(coopgov.builtin_scenarios())
    coopgov.aqi_report({"pm2_5": 80, "pm10": 120}).aqi    # HJ 633-2026

Every name is imported on first use (PEP 562), so ``import coopgov`` itself
loads neither NumPy nor numba; the same names live in their subpackages
(``coopgov.region``, ``coopgov.model``, ``coopgov.dynamics``,
``coopgov.scenarios``, ``coopgov.experiments``, ``coopgov.games``,
``coopgov.compensation``, ``coopgov.standards``, ``coopgov.calibration``).

The package is layered (see the README, "Layout"): ``standards``, ``region``,
``games`` and ``compensation`` import nothing of coopgov's beyond the shared
utilities in :mod:`coopgov.errors` and :mod:`coopgov.io`; ``model`` and
``dynamics`` build on ``region``; ``experiments`` on ``dynamics``;
``platform`` on ``standards`` and ``region``; ``cli``, ``report`` and ``web``
sit on top and hold no model logic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from coopgov._lazy import lazy_exports

__version__ = "0.1.0"

if TYPE_CHECKING:
    from coopgov.calibration.posterior import bundled_posterior_path as bundled_posterior_path
    from coopgov.calibration.posterior import load_posterior as load_posterior
    from coopgov.compensation.fiscal import fiscal_transfers as fiscal_transfers
    from coopgov.compensation.schemes import per_tonne_assessment as per_tonne_assessment
    from coopgov.compensation.schemes import per_tonne_compensation as per_tonne_compensation
    from coopgov.compensation.schemes import xinan_assessment as xinan_assessment
    from coopgov.compensation.schemes import xinan_compensation as xinan_compensation
    from coopgov.dynamics.abm import ABMConfig as ABMConfig
    from coopgov.dynamics.abm import run_abm as run_abm
    from coopgov.dynamics.engine import Simulation as Simulation
    from coopgov.dynamics.engine import simulate as simulate
    from coopgov.errors import CoopgovError as CoopgovError
    from coopgov.errors import InputError as InputError
    from coopgov.experiments.analysis import analyze_experiment as analyze_experiment
    from coopgov.experiments.runner import run_experiment as run_experiment
    from coopgov.experiments.spec import ExperimentSpec as ExperimentSpec
    from coopgov.experiments.spec import load_spec as load_spec
    from coopgov.games.coalitions import coalition_stability as coalition_stability
    from coopgov.games.coalitions import symmetric_stability as symmetric_stability
    from coopgov.games.cooperative import in_core as in_core
    from coopgov.games.cooperative import nash_bargaining as nash_bargaining
    from coopgov.games.cooperative import nucleolus as nucleolus
    from coopgov.games.cooperative import shapley_value as shapley_value
    from coopgov.games.cooperative import shapley_value_sampled as shapley_value_sampled
    from coopgov.games.emission import EmissionGame as EmissionGame
    from coopgov.games.emission import calibrate_emission_game as calibrate_emission_game
    from coopgov.games.emission import chander_tulkens_transfers as chander_tulkens_transfers
    from coopgov.games.emission import solve_emission_game as solve_emission_game
    from coopgov.games.river import ambec_sprumont as ambec_sprumont
    from coopgov.games.river import downstream_equal_sharing as downstream_equal_sharing
    from coopgov.games.river import local_responsibility_sharing as local_responsibility_sharing
    from coopgov.games.river import river_cost_game as river_cost_game
    from coopgov.games.river import upstream_equal_sharing as upstream_equal_sharing
    from coopgov.model.cities import CityData as CityData
    from coopgov.model.cities import city_data as city_data
    from coopgov.model.forces import FORCE_TERMS as FORCE_TERMS
    from coopgov.model.levers import LEVERS as LEVERS
    from coopgov.model.parameters import ModelParameters as ModelParameters
    from coopgov.region.loader import Region as Region
    from coopgov.region.loader import bundled_regions as bundled_regions
    from coopgov.region.loader import load_region as load_region
    from coopgov.scenarios.run import RunResults as RunResults
    from coopgov.scenarios.run import run_scenarios as run_scenarios
    from coopgov.scenarios.spec import Scenario as Scenario
    from coopgov.scenarios.spec import builtin_scenarios as builtin_scenarios
    from coopgov.scenarios.spec import load_builtin as load_builtin
    from coopgov.scenarios.spec import load_scenario as load_scenario
    from coopgov.standards.aqi import DEFAULT_STANDARD as DEFAULT_STANDARD
    from coopgov.standards.aqi import aqi_category as aqi_category
    from coopgov.standards.aqi import aqi_report as aqi_report
    from coopgov.standards.aqi import iaqi as iaqi
    from coopgov.standards.reference_state import harmonise_gas as harmonise_gas
    from coopgov.standards.warning import warning_level as warning_level
    from coopgov.standards.water import section_class as section_class

#: Public name -> module that defines it (imported on first use).
_EXPORTS = {
    # errors
    "CoopgovError": "coopgov.errors",
    "InputError": "coopgov.errors",
    # region and model
    "Region": "coopgov.region.loader",
    "bundled_regions": "coopgov.region.loader",
    "load_region": "coopgov.region.loader",
    "CityData": "coopgov.model.cities",
    "city_data": "coopgov.model.cities",
    "ModelParameters": "coopgov.model.parameters",
    "LEVERS": "coopgov.model.levers",
    "FORCE_TERMS": "coopgov.model.forces",
    # dynamics
    "Simulation": "coopgov.dynamics.engine",
    "simulate": "coopgov.dynamics.engine",
    "ABMConfig": "coopgov.dynamics.abm",
    "run_abm": "coopgov.dynamics.abm",
    # scenarios and experiments
    "Scenario": "coopgov.scenarios.spec",
    "builtin_scenarios": "coopgov.scenarios.spec",
    "load_builtin": "coopgov.scenarios.spec",
    "load_scenario": "coopgov.scenarios.spec",
    "RunResults": "coopgov.scenarios.run",
    "run_scenarios": "coopgov.scenarios.run",
    "ExperimentSpec": "coopgov.experiments.spec",
    "load_spec": "coopgov.experiments.spec",
    "run_experiment": "coopgov.experiments.runner",
    "analyze_experiment": "coopgov.experiments.analysis",
    "load_posterior": "coopgov.calibration.posterior",
    "bundled_posterior_path": "coopgov.calibration.posterior",
    # games
    "EmissionGame": "coopgov.games.emission",
    "calibrate_emission_game": "coopgov.games.emission",
    "solve_emission_game": "coopgov.games.emission",
    "chander_tulkens_transfers": "coopgov.games.emission",
    "coalition_stability": "coopgov.games.coalitions",
    "symmetric_stability": "coopgov.games.coalitions",
    "shapley_value": "coopgov.games.cooperative",
    "shapley_value_sampled": "coopgov.games.cooperative",
    "nucleolus": "coopgov.games.cooperative",
    "in_core": "coopgov.games.cooperative",
    "nash_bargaining": "coopgov.games.cooperative",
    "river_cost_game": "coopgov.games.river",
    "local_responsibility_sharing": "coopgov.games.river",
    "upstream_equal_sharing": "coopgov.games.river",
    "downstream_equal_sharing": "coopgov.games.river",
    "ambec_sprumont": "coopgov.games.river",
    # compensation
    "xinan_assessment": "coopgov.compensation.schemes",
    "xinan_compensation": "coopgov.compensation.schemes",
    "per_tonne_assessment": "coopgov.compensation.schemes",
    "per_tonne_compensation": "coopgov.compensation.schemes",
    "fiscal_transfers": "coopgov.compensation.fiscal",
    # standards
    "DEFAULT_STANDARD": "coopgov.standards.aqi",
    "aqi_report": "coopgov.standards.aqi",
    "aqi_category": "coopgov.standards.aqi",
    "iaqi": "coopgov.standards.aqi",
    "section_class": "coopgov.standards.water",
    "warning_level": "coopgov.standards.warning",
    "harmonise_gas": "coopgov.standards.reference_state",
}

__all__ = [
    "__version__",
    "ABMConfig",
    "CityData",
    "CoopgovError",
    "DEFAULT_STANDARD",
    "EmissionGame",
    "ExperimentSpec",
    "FORCE_TERMS",
    "InputError",
    "LEVERS",
    "ModelParameters",
    "Region",
    "RunResults",
    "Scenario",
    "Simulation",
    "ambec_sprumont",
    "analyze_experiment",
    "aqi_category",
    "aqi_report",
    "bundled_posterior_path",
    "bundled_regions",
    "builtin_scenarios",
    "calibrate_emission_game",
    "chander_tulkens_transfers",
    "city_data",
    "coalition_stability",
    "downstream_equal_sharing",
    "fiscal_transfers",
    "harmonise_gas",
    "iaqi",
    "in_core",
    "load_builtin",
    "load_posterior",
    "load_region",
    "load_scenario",
    "load_spec",
    "local_responsibility_sharing",
    "nash_bargaining",
    "nucleolus",
    "per_tonne_assessment",
    "per_tonne_compensation",
    "river_cost_game",
    "run_abm",
    "run_experiment",
    "run_scenarios",
    "section_class",
    "shapley_value",
    "shapley_value_sampled",
    "simulate",
    "solve_emission_game",
    "symmetric_stability",
    "upstream_equal_sharing",
    "warning_level",
    "xinan_assessment",
    "xinan_compensation",
]

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
