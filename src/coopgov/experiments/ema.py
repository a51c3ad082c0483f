"""coopgov as an EMA Workbench model: a function of named inputs returning named outcomes.

:func:`coopgov_model` runs one scenario of the mean-field model: its keyword
arguments are any model parameter of
:data:`~coopgov.model.parameters.PARAMETER_INFO` and any lever of
:data:`~coopgov.model.levers.LEVERS` (an intensity in [0, 1], constant over
the horizon); it returns a dict of outcomes.  :func:`ema_model` wraps it in an
``ema_workbench.Model`` with uncertainties and levers declared from the same
single declarations (bounds, names), so EMA Workbench's samplers,
evaluators and analysis (PRIM, feature scoring, robustness) apply unchanged.

For large sweeps prefer :func:`coopgov.experiments.run_experiment`: it
batches thousands of runs in one engine call instead of one Python call per
run (see ``benchmarks/bench_experiments.py``).

References
----------
.. [1] Kwakkel, J. H. (2017). The Exploratory Modeling Workbench.
   Environmental Modelling & Software, 96, 239-250 (section 3: a model is
   any callable of named uncertainties and levers returning named outcomes).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from coopgov.errors import InputError
from coopgov.model.levers import LEVER_NAMES, LEVERS
from coopgov.model.parameters import PARAMETER_INFO

__all__ = ["OUTCOMES", "coopgov_model", "ema_model", "LEVER_FREE_PARAMETERS"]

#: Outcomes returned by :func:`coopgov_model` with their units.
OUTCOMES: dict[str, str] = {
    "final_cooperation": "regional cooperation rate at the end of the horizon [1]",
    "mean_cooperation": "regional cooperation rate averaged over the horizon [1]",
    "pm25_change": "population-weighted PM2.5 change against no cooperation at the end [1]",
    "abatement_cost": "abatement cost of all cities summed over the horizon [yuan]",
    "lever_cost": "fiscal cost of the levers summed over the horizon [yuan]",
    "fiscal_transfers": "fiscal transfers summed over the horizon [yuan]",
    "cooperation_rate": "regional cooperation rate by year, Y + 1 values [1]",
}

#: Parameters that no lever moves: the natural uncertainties of a policy study.
LEVER_FREE_PARAMETERS: tuple[str, ...] = tuple(
    name for name in PARAMETER_INFO
    if not any(name in lv.targets or name in lv.scales for lv in LEVERS.values()))


def coopgov_model(*, years: int = 30, region: str = "yrd", **inputs: float) -> dict[str, Any]:
    """Run one scenario of the mean-field model from named inputs.

    Parameters
    ----------
    years : int
        Horizon [yr].
    region : str
        Bundled region name or region folder.
    **inputs : float
        Model parameters by name [their units, see ``PARAMETER_INFO``] and
        lever intensities by lever name [1]; anything not given takes its
        default (levers: off).

    Returns
    -------
    dict
        The outcomes of :data:`OUTCOMES` (floats; ``cooperation_rate`` an
        array of Y + 1 values).

    Raises
    ------
    InputError
        An unknown input name, or a lever intensity outside [0, 1].
    """
    from coopgov.dynamics.engine import simulate
    from coopgov.experiments.runner import _city, _one_blas_thread
    from coopgov.model.parameters import ModelParameters

    params: dict[str, float] = {}
    intensity = np.zeros((1, years, len(LEVER_NAMES)))
    for name, value in inputs.items():
        if name in LEVERS:
            level = float(value)
            if not 0.0 <= level <= 1.0:
                raise InputError("lever intensity must lie in [0, 1]", field=name, value=value)
            intensity[0, :, LEVER_NAMES.index(name)] = level
        elif name in PARAMETER_INFO:
            params[name] = float(value)
        else:
            raise InputError("unknown input: not a model parameter nor a lever", field=name,
                             value=value)
    with _one_blas_thread():
        sim = simulate(_city(region), [ModelParameters(params)], intensity, years=years)
    rate = sim.cooperation_rate[0]
    return {
        "final_cooperation": float(rate[-1]),
        "mean_cooperation": float(rate.mean()),
        "pm25_change": float(sim.pm25_change[0, -1]),
        "abatement_cost": float(sim.abatement_cost[0, :years].sum()),
        "lever_cost": float(sim.lever_cost[0].sum()),
        "fiscal_transfers": float(sim.fiscal_transfer_states[0, :years].sum()),
        "cooperation_rate": rate.copy(),
    }


def ema_model(uncertainties: Sequence[str] | None = None, levers: Sequence[str] | None = None,
              *, name: str = "coopgov", years: int = 30) -> Any:
    """Build an ``ema_workbench.Model`` around :func:`coopgov_model`.

    Parameters
    ----------
    uncertainties : sequence of str, optional
        Parameters to declare as ``RealParameter`` over their declared
        bounds (default: :data:`LEVER_FREE_PARAMETERS`).
    levers : sequence of str, optional
        Levers to declare as ``RealParameter`` intensities in [0, 1]
        (default: all ten).
    name : str
        EMA model name (an identifier).
    years : int
        Horizon [yr], passed as a constant.

    Returns
    -------
    ema_workbench.Model
    """
    from ema_workbench import ArrayOutcome, Constant, Model, RealParameter, ScalarOutcome

    unc = list(LEVER_FREE_PARAMETERS if uncertainties is None else uncertainties)
    lev = list(LEVER_NAMES if levers is None else levers)
    for p in unc:
        if p not in PARAMETER_INFO:
            raise InputError("unknown parameter", field="uncertainties", value=p)
    for lv in lev:
        if lv not in LEVERS:
            raise InputError("unknown lever", field="levers", value=lv)
    model = Model(name, function=coopgov_model)
    model.uncertainties = [RealParameter(p, *PARAMETER_INFO[p].bounds) for p in unc]
    model.levers = [RealParameter(lv, 0.0, 1.0) for lv in lev]
    model.constants = [Constant("years", years)]
    model.outcomes = [ScalarOutcome(o) for o in OUTCOMES if o != "cooperation_rate"] + [
        ArrayOutcome("cooperation_rate")]
    return model
