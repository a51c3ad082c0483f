"""Calibration against what happened: observed data, an emission baseline, ABC-SMC.

- :mod:`coopgov.calibration.observed` — bundled observed series and events;
- :mod:`coopgov.calibration.baseline` — emissions outside cooperation and
  the PM2.5 observation model (ug/m3);
- :mod:`coopgov.calibration.abc` — ABC-SMC on a batched simulator;
- :mod:`coopgov.calibration.problem` — the history problem (forcing, distance);
- :mod:`coopgov.calibration.posterior` — :func:`calibrate`, summaries,
  :func:`load_posterior`, :func:`posterior_parameter_sets`,
  :func:`resample_posterior`, :func:`posterior_summary` and the shipped
  posterior (:func:`bundled_posterior_path`).
"""

from coopgov.calibration.abc import ABCSMCResult, abc_smc
from coopgov.calibration.posterior import (
    Calibration,
    bundled_posterior_path,
    calibrate,
    load_posterior,
    posterior_parameter_sets,
    posterior_summary,
    resample_posterior,
)
from coopgov.calibration.problem import HistoryProblem, MilestoneWindow

__all__ = [
    "ABCSMCResult",
    "abc_smc",
    "Calibration",
    "calibrate",
    "load_posterior",
    "posterior_parameter_sets",
    "posterior_summary",
    "resample_posterior",
    "bundled_posterior_path",
    "HistoryProblem",
    "MilestoneWindow",
]
