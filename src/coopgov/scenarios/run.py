"""Run scenarios on their region and collect tidy results.

This is what ``coopgov run`` calls: scenarios sharing a region and horizon
are simulated in one batch by the mean-field engine; each scenario is also
replicated with the agent-based model on a finer synthetic network (agents
within cities), seeded from one :class:`numpy.random.SeedSequence`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from coopgov.dynamics.abm import ABMConfig, run_abm
from coopgov.dynamics.engine import Simulation, simulate
from coopgov.dynamics.networks import city_agent_network
from coopgov.model.cities import CityData, city_data
from coopgov.model.forces import FORCE_TERMS, affine_coefficients
from coopgov.model.levers import LEVER_NAMES
from coopgov.region import load_region
from coopgov.scenarios.spec import Scenario

__all__ = ["ScenarioResult", "RunResults", "run_scenarios"]


@dataclass(frozen=True)
class ScenarioResult:
    """One scenario's simulation (a view into a batch) and its ABM replications."""

    scenario: Scenario
    simulation: Simulation
    index: int
    abm_cooperation_rate: np.ndarray | None = None  # (R, Y + 1)

    @property
    def years(self) -> np.ndarray:
        """Calendar years of the recorded states."""
        return self.simulation.years

    def summary(self) -> dict[str, float | str | int]:
        """End-of-horizon figures."""
        sim, k = self.simulation, self.index
        transfers = (sim.fiscal_transfer_states[k, -1].sum()
                     + sim.compensation_paid[k, -1].sum())
        out: dict[str, float | str | int] = {
            "name": self.scenario.name,
            "title": self.scenario.title or self.scenario.name,
            "start_year": int(sim.years[0]),
            "end_year": int(sim.years[-1]),
            "cooperation_rate": float(sim.cooperation_rate[k, -1]),
            "pm25_change": float(sim.pm25_change[k, -1]),
            "cost": float(sim.lever_cost[k, -1]),
            "abatement_cost": float(sim.abatement_cost[k, -1].sum()),
            "gdp_effect": float(sim.gdp_effect[k, -1].sum()),
            "transfers": float(transfers),
            "fiscal_transfers": float(sim.fiscal_transfer_states[k, -1].sum()),
            "compensation_payments": float(sim.compensation_paid[k, -1].sum()),
        }
        if self.abm_cooperation_rate is not None:
            end = self.abm_cooperation_rate[:, -1]
            out["abm_cooperation_rate"] = float(end.mean())
            out["abm_cooperation_sd"] = float(end.std(ddof=1)) if end.size > 1 else 0.0
        return out


@dataclass
class RunResults:
    """Results of :func:`run_scenarios`, in scenario order."""

    results: list[ScenarioResult]
    seed: int
    replications: int
    city: CityData
    region_name: str
    notes: list[str] = field(default_factory=list)

    def summary(self) -> list[dict[str, float | str | int]]:
        """One row per scenario (see :meth:`ScenarioResult.summary`)."""
        return [r.summary() for r in self.results]

    def tables(self) -> dict[str, pd.DataFrame]:
        """Tidy tables: ``cooperation``, ``regional``, ``forces``, ``abm``, ``summary``."""
        city = self.city
        coop, regional, forces, abm = [], [], [], []
        for r in self.results:
            sim, k, name = r.simulation, r.index, r.scenario.name
            years = sim.years
            t_n, n = len(years), city.n
            coop.append(pd.DataFrame({
                "scenario": name,
                "year": np.repeat(years, n),
                "adcode": np.tile(city.adcode, t_n),
                "name_en": np.tile(city.name, t_n),
                "cooperation": sim.cooperation[k].ravel(),
                "relative_pm25": sim.relative_pm25[k].ravel(),
                "abatement_cost_yuan": sim.abatement_cost[k].ravel(),
                "fiscal_transfer_yuan": sim.fiscal_transfer_states[k].ravel(),
                "compensation_paid_yuan": sim.compensation_paid[k].ravel(),
                "compensation_received_yuan": sim.compensation_received[k].ravel(),
            }))
            lever_cost = np.append(sim.lever_cost[k], sim.lever_cost[k, -1])
            regional.append(pd.DataFrame({
                "scenario": name,
                "year": years,
                "cooperation_rate": sim.cooperation_rate[k],
                "pm25_change": sim.pm25_change[k],
                "abatement_cost_yuan": sim.abatement_cost[k].sum(-1),
                "gdp_effect_yuan": sim.gdp_effect[k].sum(-1),
                "damage_yuan": sim.damage[k].sum(-1),
                "lever_cost_yuan": lever_cost,
            }))
            dec = sim.decomposition(slice(k, k + 1))
            for term in FORCE_TERMS:
                forces.append(pd.DataFrame({
                    "scenario": name,
                    "year": np.repeat(years, n),
                    "adcode": np.tile(city.adcode, t_n),
                    "term": term.name,
                    "family": term.family,
                    "value_c0": np.asarray(dec[term.name][0]).ravel(),
                }))
            if r.abm_cooperation_rate is not None:
                reps = r.abm_cooperation_rate
                abm.append(pd.DataFrame({
                    "scenario": name,
                    "replication": np.repeat(np.arange(reps.shape[0]), t_n),
                    "year": np.tile(years, reps.shape[0]),
                    "cooperation_rate": reps.ravel(),
                }))
        out = {
            "cooperation": pd.concat(coop, ignore_index=True),
            "regional": pd.concat(regional, ignore_index=True),
            "forces": pd.concat(forces, ignore_index=True),
            "summary": pd.DataFrame(self.summary()),
        }
        if abm:
            out["abm"] = pd.concat(abm, ignore_index=True)
        return out


def run_scenarios(
    scenarios: Sequence[Scenario],
    *,
    years: int | None = None,
    replications: int = 10,
    seed: int = 20081201,
    agents_per_city: int = 20,
    abm_config: ABMConfig | None = None,
    progress: Callable[[int], None] | None = None,
) -> RunResults:
    """Simulate scenarios (mean field, batched) and replicate each with the ABM.

    Parameters
    ----------
    scenarios : sequence of Scenario
        All on the same region.
    years : int, optional
        Override every scenario's horizon [yr].
    replications : int
        Agent-based replications per scenario (0: none).
    seed : int
        Root of the :class:`~numpy.random.SeedSequence` (default: the date
        of the 2008 YRD environmental cooperation agreement).
    agents_per_city : int
        Agents per city in the ABM (a synthetic subdivision of each city).
    abm_config : ABMConfig, optional
        Behavioural rule of the ABM (default :class:`ABMConfig`).
    progress : callable, optional
        Called with the number of scenarios just completed.
    """
    if not scenarios:
        raise ValueError("no scenario to run")
    regions = {s.region for s in scenarios}
    if len(regions) > 1:
        raise ValueError(f"scenarios use several regions: {sorted(regions)}; run them apart")
    region_name = regions.pop()
    region = load_region(region_name)
    city = city_data(region)
    if years is not None:
        scenarios = [s.with_horizon(years) for s in scenarios]
    network = city_agent_network(region.adjacency, agents_per_city, seed=seed)
    seeds = np.random.SeedSequence(seed).spawn(len(scenarios))

    groups: dict[tuple[int, int], list[int]] = {}
    for i, s in enumerate(scenarios):
        groups.setdefault((s.start_year, s.years), []).append(i)
    results: list[ScenarioResult | None] = [None] * len(scenarios)
    for (start, horizon), members in groups.items():
        batch = [scenarios[i] for i in members]
        intensity = np.stack([s.intensity(LEVER_NAMES) for s in batch])
        sim = simulate(city, [s.model_parameters for s in batch], intensity,
                       years=horizon, start_year=start)
        decay = sim.params["agreement_decay"] * (1.0 - sim.params["reciprocity"])
        for k, i in enumerate(members):
            abm_rate = None
            if replications > 0:
                coef = np.broadcast_to(affine_coefficients(sim.scenario_context(k),
                                                           mean_field=False),
                                       (5, horizon, city.n))
                abm = run_abm(network, coef, city.exposure_shares, city.neighbour_weights,
                              replications=replications,
                              seed=int(seeds[i].generate_state(1)[0]),
                              initial=sim.cooperation[k, 0], config=abm_config or ABMConfig(),
                              decay=np.broadcast_to(decay[k], (horizon,)))
                abm_rate = abm.cooperation_rate
            results[i] = ScenarioResult(scenarios[i], sim, k, abm_rate)
            if progress is not None:
                progress(1)
    return RunResults([r for r in results if r is not None], seed, replications, city,
                      region_name)
