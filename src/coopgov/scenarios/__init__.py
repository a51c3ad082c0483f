"""Scenarios: region, horizon, levers by year and parameter overrides, as TOML.

See :mod:`coopgov.scenarios.spec` for the file format and
:func:`builtin_scenarios` for the scenarios that ship with coopgov.
"""

from coopgov.scenarios.spec import (
    Scenario,
    builtin_names,
    builtin_scenarios,
    load_builtin,
    load_scenario,
    scenario_from_dict,
)

__all__ = [
    "Scenario",
    "builtin_names",
    "builtin_scenarios",
    "load_builtin",
    "load_scenario",
    "scenario_from_dict",
]
