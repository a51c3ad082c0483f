"""The outcomes of a simulation, declared once: name, unit, how cities add up to the region.

Every part that reports what a run produced reads the names from here: the
experiments (``[[outcomes]] variable = ...``), the tidy tables of
``coopgov run`` (``regional.parquet``) and the dashboard's regional series.

A :class:`~coopgov.dynamics.engine.Simulation` holds states of shape
(S, Y + 1, N) (at the start of each year and at the end) and yearly flows of
shape (S, Y) (lever cost).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from coopgov.dynamics.engine import Simulation

__all__ = [
    "OUTCOMES",
    "REGIONAL_SERIES",
    "Outcome",
    "outcome_trajectory",
    "regional_series",
]


@dataclass(frozen=True)
class Outcome:
    """One variable a simulation produces.

    Attributes
    ----------
    name : str
        Variable name (``[[outcomes]] variable`` of an experiment).
    unit : str
        Unit of a city's value (``"1"`` for a share or rate).
    aggregate : str
        How the cities add up to the region, in words (with the unit).
    regional : str
        Name of the regional series (``cooperation`` → ``cooperation_rate``).
    column : str
        Column of the regional series in the tidy tables (``_yuan`` when in yuan).
    city : callable or None
        Simulation → (S, T, N) trajectory by city; None for regional-only
        variables.
    region : callable
        Simulation → (S, T) regional trajectory.
    """

    name: str
    unit: str
    aggregate: str
    regional: str
    column: str
    city: Callable[[Simulation], np.ndarray] | None
    region: Callable[[Simulation], np.ndarray]


def _summed(name: str, get: Callable[[Simulation], np.ndarray]) -> Outcome:
    return Outcome(
        name=name,
        unit="yuan/yr",
        aggregate="sum over cities [yuan/yr]",
        regional=name,
        column=f"{name}_yuan",
        city=get,
        region=lambda sim: get(sim).sum(axis=-1),
    )


#: Every outcome of a simulation, by name (the engine's properties they read).
OUTCOMES: Mapping[str, Outcome] = MappingProxyType(
    {
        "cooperation": Outcome(
            "cooperation",
            "1",
            "mean over cities [1]",
            "cooperation_rate",
            "cooperation_rate",
            lambda sim: sim.cooperation,
            lambda sim: sim.cooperation_rate,
        ),
        "pm25_change": Outcome(
            "pm25_change",
            "1",
            "population-weighted mean [1] (negative = cleaner)",
            "pm25_change",
            "pm25_change",
            lambda sim: sim.relative_pm25 - 1.0,
            lambda sim: sim.pm25_change,
        ),
        "abatement_cost": _summed("abatement_cost", lambda sim: sim.abatement_cost),
        "gdp_effect": _summed("gdp_effect", lambda sim: sim.gdp_effect),
        "damage": _summed("damage", lambda sim: sim.damage),
        "compensation_paid": _summed("compensation_paid", lambda sim: sim.compensation_paid),
        "compensation_received": _summed(
            "compensation_received", lambda sim: sim.compensation_received
        ),
        "fiscal_transfer": _summed("fiscal_transfer", lambda sim: sim.fiscal_transfer_states),
        "lever_cost": Outcome(
            "lever_cost",
            "yuan/yr",
            "regional only [yuan/yr]",
            "lever_cost",
            "lever_cost_yuan",
            None,
            lambda sim: sim.lever_cost,
        ),
    }
)

#: The regional series a run reports year by year (tables and dashboard), in order.
REGIONAL_SERIES: tuple[str, ...] = (
    "cooperation",
    "pm25_change",
    "abatement_cost",
    "gdp_effect",
    "damage",
    "lever_cost",
)


def outcome_trajectory(sim: Simulation, name: str) -> tuple[np.ndarray | None, np.ndarray]:
    """Return an outcome's trajectory by city and its regional aggregate.

    Parameters
    ----------
    sim : Simulation
        A batch of runs.
    name : str
        A key of :data:`OUTCOMES`.

    Returns
    -------
    city : ndarray, shape (S, T, N), or None for regional-only outcomes
    region : ndarray, shape (S, T)
        T = Y + 1 for states, Y for yearly flows (lever cost).
    """
    o = OUTCOMES[name]
    return (None if o.city is None else o.city(sim)), o.region(sim)


def regional_series(sim: Simulation, k: int) -> dict[str, np.ndarray]:
    """The :data:`REGIONAL_SERIES` of run ``k``, each of shape (Y + 1,), by regional name.

    A yearly flow (lever cost, Y values) gets its last year repeated for the
    end state, so that every series has one value per recorded state.
    """
    out: dict[str, np.ndarray] = {}
    for name in REGIONAL_SERIES:
        o = OUTCOMES[name]
        v = np.asarray(o.region(sim)[k])
        if v.shape[0] == sim.years.shape[0] - 1:
            v = np.append(v, v[-1])
        out[o.regional] = v
    return out
