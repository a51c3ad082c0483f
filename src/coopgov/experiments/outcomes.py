"""Outcomes: named reductions of a batch of runs to one number per run (and city).

A :class:`~coopgov.dynamics.engine.Simulation` holds trajectories of shape
(S, Y + 1, N) (states at the start of each year and at the end) or (S, Y)
(yearly flows such as lever cost).  An outcome picks a variable, reduces it
over time and either keeps the cities (``scope = "city"``, columns
``name/adcode``) or aggregates them to the region (mean of cooperation,
population-weighted mean of the PM2.5 change, sum of money).

An outcome that reads one recorded state (``reduce = "final"`` or
``"year"``) of a variable that the engine computes state by state from the
cooperation propensities (:data:`STATEWISE`) is computed on that state
alone: the simulation is cut to the state and the engine's own property is
evaluated there, instead of the whole (S, Y + 1, N) trajectory (measured:
the PM2.5 trajectory of a 1,024-run chunk cost about a fifth of the
integrator's time).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np

from coopgov.dynamics.engine import Simulation
from coopgov.dynamics.outcomes import outcome_trajectory
from coopgov.experiments.spec import ExperimentSpec, OutcomeSpec

__all__ = [
    "outcome_columns",
    "city_column",
    "reduce_outcomes",
    "variable_trajectory",
    "STATEWISE",
    "state_slice",
]

#: Variables whose value at a recorded state depends only on that state's
#: cooperation and the parameters in force then (the engine's ``relative_pm25``
#: and ``cooperation``), so that one state can be computed alone.
STATEWISE = frozenset({"cooperation", "pm25_change"})


def city_column(outcome: str, adcode: int) -> str:
    """Column name of a per-city outcome."""
    return f"{outcome}/{int(adcode)}"


def outcome_columns(spec: ExperimentSpec, adcodes: Sequence[int]) -> list[str]:
    """Every outcome column a run of ``spec`` produces, in order."""
    cols: list[str] = []
    for o in spec.outcomes:
        if o.scope in ("region", "both"):
            cols.append(o.name)
        if o.scope in ("city", "both"):
            cols += [city_column(o.name, a) for a in adcodes]
    return cols


def variable_trajectory(sim: Simulation, variable: str) -> tuple[np.ndarray | None, np.ndarray]:
    """Return a variable's trajectory by city and its regional aggregate.

    The variables are declared once in :data:`coopgov.dynamics.outcomes.OUTCOMES`.

    Returns
    -------
    city : ndarray, shape (S, T, N), or None for regional-only variables
    region : ndarray, shape (S, T)
        T = Y + 1 for states, Y for yearly flows (lever cost).
    """
    return outcome_trajectory(sim, variable)


def state_slice(sim: Simulation, t: int) -> Simulation:
    """The simulation cut to recorded state ``t`` (with the parameters in force then).

    The result has one simulated year whose two recorded states are both
    state ``t``; its statewise variables (:data:`STATEWISE`) at index 0 equal
    the full simulation's at index ``t``.
    """
    y = min(t, sim.n_years - 1)  # the year whose parameters hold at state t (as the engine)

    def cut(v: np.ndarray) -> np.ndarray:
        return v[:, y : y + 1] if v.ndim >= 2 and v.shape[1] > 1 else v

    return replace(
        sim,
        cooperation=sim.cooperation[:, [t, t]],
        params={k: cut(v) for k, v in sim.params.items()},
        intensity=sim.intensity[:, y : y + 1],
        fiscal_transfer=cut(sim.fiscal_transfer),
        compensation_incentive=cut(sim.compensation_incentive),
    )


def _state_index(o: OutcomeSpec, start_year: int, n_years: int) -> int | None:
    """Recorded state an outcome reads alone, or None when it needs the trajectory."""
    if o.reduce == "final":
        return n_years
    if o.reduce == "year":
        t = min(int(o.year) - start_year, n_years)  # type: ignore[arg-type]
        return t if t >= 0 else None
    return None


def _reduce_time(traj: np.ndarray, o: OutcomeSpec, start_year: int, n_years: int) -> np.ndarray:
    """Reduce axis 1 (time) of ``traj``.

    ``sum`` adds the Y yearly values (for a state-recorded flow, the value at
    the start of each year: the rate in force that year) [unit × yr].
    """
    if o.reduce == "final":
        return traj[:, -1]
    if o.reduce == "year":
        k = min(int(o.year) - start_year, traj.shape[1] - 1)  # type: ignore[arg-type]
        return traj[:, k]
    if o.reduce == "sum":
        return traj[:, :n_years].sum(axis=1)
    reducers: dict[str, Callable[..., np.ndarray]] = {"mean": np.mean, "max": np.max, "min": np.min}
    return reducers[o.reduce](traj, axis=1)


def reduce_outcomes(sim: Simulation, spec: ExperimentSpec) -> dict[str, np.ndarray]:
    """Every outcome column of ``spec`` for the S runs of ``sim``.

    Returns
    -------
    dict of str to ndarray, shape (S,)
        Keys in the order of :func:`outcome_columns`.
    """
    out: dict[str, np.ndarray] = {}
    adcodes = sim.city.adcode
    cache: dict[str, tuple[np.ndarray | None, np.ndarray]] = {}
    state_cache: dict[tuple[str, int], tuple[np.ndarray | None, np.ndarray]] = {}
    for o in spec.outcomes:
        t = _state_index(o, sim.start_year, sim.n_years)
        if t is not None and o.variable in STATEWISE and o.variable != "cooperation":
            key = (o.variable, t)
            if key not in state_cache:
                c, r = variable_trajectory(state_slice(sim, t), o.variable)
                state_cache[key] = (None if c is None else c[:, 0], r[:, 0])
            city_t, region_t = state_cache[key]
            if o.scope in ("region", "both"):
                out[o.name] = np.asarray(region_t, float)
            if o.scope in ("city", "both"):
                for k, a in enumerate(adcodes):
                    out[city_column(o.name, a)] = np.ascontiguousarray(
                        city_t[:, k],  # type: ignore[index]
                        dtype=float,
                    )
            continue
        if o.variable not in cache:
            cache[o.variable] = variable_trajectory(sim, o.variable)
        city, region = cache[o.variable]
        if o.scope in ("region", "both"):
            out[o.name] = np.asarray(_reduce_time(region, o, sim.start_year, sim.n_years), float)
        if o.scope in ("city", "both"):
            per_city = _reduce_time(city, o, sim.start_year, sim.n_years)  # type: ignore[arg-type]
            for k, a in enumerate(adcodes):
                out[city_column(o.name, a)] = np.ascontiguousarray(per_city[:, k], dtype=float)
    return out
