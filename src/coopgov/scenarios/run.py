"""Run scenarios on their region and collect tidy results.

This is what ``coopgov run`` calls: scenarios sharing a region and horizon
are simulated in one batch by the mean-field engine; each scenario is also
replicated with the agent-based model (the same update rule, agents within
cities), seeded from one :class:`numpy.random.SeedSequence`.  A scenario
that ``start_from`` another continues it: the base is simulated first and
its end state and institutions are the continuation's start.  For every
scenario the rest points of the mean-field dynamics under the last year's
parameters are found, with their stability and the one the run is heading
for (its basin).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from coopgov.dynamics.abm import ABMConfig, city_agents, run_abm
from coopgov.dynamics.engine import Simulation, simulate
from coopgov.dynamics.replicator import fixed_points, integrate_affine
from coopgov.model.cities import CityData, city_data
from coopgov.model.forces import FORCE_TERMS, affine_coefficients
from coopgov.model.levers import LEVER_NAMES, LEVERS
from coopgov.model.parameters import joint_maturity
from coopgov.region import load_region
from coopgov.scenarios.spec import Scenario, load_builtin

__all__ = ["ScenarioResult", "RunResults", "run_scenarios", "scenario_inputs"]


@dataclass(frozen=True)
class ScenarioResult:
    """One scenario's simulation (a view into a batch) and its ABM replications."""

    scenario: Scenario
    simulation: Simulation
    index: int
    abm_cooperation_rate: np.ndarray | None = None  # (R, Y + 1)
    rest_points: list[dict[str, Any]] = field(default_factory=list)
    basin: int | None = None
    explanation: str = ""
    explanation_detail: dict[str, Any] = field(default_factory=dict)

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
            "initial_cooperation_rate": float(sim.cooperation_rate[k, 0]),
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
        if self.rest_points:
            out["rest_points"] = self.rest_points
            out["bistable"] = sum(p["stable"] for p in self.rest_points) > 1
            out["basin"] = self.basin
        if self.scenario.start_from:
            out["start_from"] = self.scenario.start_from
        if self.explanation:
            out["explanation"] = self.explanation
            out.update(self.explanation_detail)
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
            "summary": pd.DataFrame([_flat(row) for row in self.summary()]),
        }
        if abm:
            out["abm"] = pd.concat(abm, ignore_index=True)
        return out


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    """A summary row for a table: nested values (rest points, explanation terms) as JSON."""
    import json

    return {k: (json.dumps(v) if isinstance(v, list | dict | tuple) else v)
            for k, v in row.items()}


def run_scenarios(
    scenarios: Sequence[Scenario],
    *,
    years: int | None = None,
    replications: int = 10,
    seed: int = 20081201,
    agents_per_city: int = 20,
    abm_config: ABMConfig | None = None,
    progress: Callable[[int], None] | None = None,
    steps_per_year: int = 12,
    method: str = "rk4",
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
    steps_per_year : int
        Integration steps per year of the mean-field engine (12: monthly).
    method : {"rk4", "exponential"}
        Mean-field integrator (:func:`coopgov.dynamics.engine.simulate`).
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
    agents = city_agents(np.full(city.n, agents_per_city))
    seeds = np.random.SeedSequence(seed).spawn(len(scenarios))
    bases = _continuations(scenarios, city, steps_per_year, method)

    groups: dict[tuple[int, int], list[int]] = {}
    for i, s in enumerate(scenarios):
        groups.setdefault((s.start_year, s.years), []).append(i)
    results: list[ScenarioResult | None] = [None] * len(scenarios)
    for (start, horizon), members in groups.items():
        batch = [scenarios[i] for i in members]
        inits, inten, pars = [], [], []
        for s in batch:
            base = bases.get(_base_key(s)) if s.start_from else None
            inten.append(s.intensity(LEVER_NAMES, city=city,
                                     inherited=None if base is None else base[1]))
            inits.append(np.full(city.n, s.model_parameters["initial_cooperation"])
                         if base is None else base[0])
            pars.append(s.model_parameters if base is None else base[2])
        sim = simulate(city, pars, np.stack(inten), years=horizon, start_year=start,
                       initial=np.stack(inits), steps_per_year=steps_per_year,
                       method=method)
        for k, i in enumerate(members):
            abm_rate = None
            if replications > 0:
                abm = run_abm(agents, sim, k, replications=replications,
                              seed=int(seeds[i].generate_state(1)[0]),
                              config=abm_config or ABMConfig())
                abm_rate = abm.cooperation_rate
            points, basin = _rest_points(sim, k)
            results[i] = ScenarioResult(scenarios[i], sim, k, abm_rate, points, basin)
            if progress is not None:
                progress(1)
    done = [r for r in results if r is not None]
    _explain(done)
    return RunResults(done, seed, replications, city, region_name)


def scenario_inputs(scenario: Scenario, city: CityData, *, steps_per_year: int = 12,
                    method: str = "rk4") -> tuple[Any, np.ndarray, np.ndarray]:
    """Parameters, per-city lever intensities (Y, L, N) and initial state of one scenario.

    A scenario that ``start_from`` a built-in one gets that scenario's end
    state and last-year institutions (its base is simulated here, with the
    same parameters); any other starts from ``initial_cooperation`` with its
    own levers only.  :func:`run_scenarios` does the same for a batch.
    """
    if not scenario.start_from:
        return (scenario.model_parameters, scenario.intensity(LEVER_NAMES, city=city),
                np.full(city.n, scenario.model_parameters["initial_cooperation"]))
    end, inherited, params = _continuations([scenario], city, steps_per_year,
                                            method)[_base_key(scenario)]
    return params, scenario.intensity(LEVER_NAMES, city=city, inherited=inherited), end


def _continuations(scenarios: Sequence[Scenario], city: CityData, steps_per_year: int = 12,
                   method: str = "rk4") -> dict[tuple[str, tuple[tuple[str, float], ...]],
                             tuple[np.ndarray, np.ndarray, Any]]:
    """End state, last-year lever intensities and parameters of every base run.

    A base is run with its own parameter overrides and then the
    continuation's, so that the history and its continuation describe the
    same world; one run per distinct set.
    """
    out: dict[tuple[str, tuple[tuple[str, float], ...]], tuple[np.ndarray, np.ndarray, Any]] = {}
    for s in scenarios:
        if not s.start_from:
            continue
        key = _base_key(s)
        if key in out:
            continue
        base = load_builtin(s.start_from)
        if base.start_from:
            raise ValueError(f"scenario {base.name!r} itself starts from {base.start_from!r}; "
                             "continuations of continuations are not supported")
        params = base.model_parameters.replace(**s.parameters)
        inten = base.intensity(LEVER_NAMES, city=city)
        sim = simulate(city, [params], inten[None], years=base.years,
                       start_year=base.start_year, steps_per_year=steps_per_year,
                       method=method)
        out[key] = (sim.cooperation[0, -1], inten[-1], params)
    return out


def _base_key(s: Scenario) -> tuple[str, tuple[tuple[str, float], ...]]:
    return (str(s.start_from), tuple(sorted((k, float(v)) for k, v in s.parameters.items())))


def _rest_points(sim: Simulation, k: int) -> tuple[list[dict[str, Any]], int | None]:
    """Rest points under scenario k's last-year parameters, and the one its run approaches.

    The basin is found by integrating on from the run's end state under the
    same parameters for 200 years and taking the nearest stable rest point.
    """
    city = sim.city
    ctx = sim.scenario_context(k)
    y = sim.n_years - 1
    coef = np.broadcast_to(affine_coefficients(ctx), (5, sim.n_years, city.n))[:, y]
    p = {name: np.broadcast_to(v, (sim.n_years, city.n))[y] for name, v in ctx.params.items()}
    decay = p["agreement_decay"] * (1.0 - joint_maturity(p))
    args = dict(lateral=float(p["lateral_thrust"][0]),
                water_exposure_shares=city.water_exposure_shares)
    end = sim.cooperation[k, -1]
    points = fixed_points(coef, float(p["adjustment_rate"][0]), decay, float(p["noise"][0]),
                          city.exposure_shares, city.neighbour_weights, starts=8,
                          extra_starts=[end], **args)
    horizon = 200
    future = integrate_affine(end[None], np.broadcast_to(coef[:, None, None], (5, 1, horizon,
                                                                               city.n)),
                              np.full((1, horizon), p["adjustment_rate"][0]),
                              np.broadcast_to(decay, (1, horizon, city.n)),
                              np.full((1, horizon), p["noise"][0]), city.exposure_shares,
                              city.neighbour_weights,
                              lateral=np.full((1, horizon), args["lateral"]),
                              water_exposure_shares=city.water_exposure_shares)[0, -1]
    table = [{"cooperation_rate": fp.cooperation_rate, "stable": fp.stable,
              "max_eigenvalue": float(fp.eigenvalues.real.max())} for fp in points]
    stable = [i for i, fp in enumerate(points) if fp.stable]
    basin = (min(stable, key=lambda i: float(np.abs(points[i].x - future).max()))
             if stable else None)
    return table, basin


def _explain(results: list[ScenarioResult]) -> None:
    """Say in words why each countermeasure moves cooperation against its baseline.

    The force whose city-mean value at the end of the horizon changes most
    (payoff terms and the lateral imitation) is named, with its change.
    """
    base = next((r for r in results if r.scenario.name == "baseline"), None)
    if base is None:
        return
    b_dec = base.simulation.decomposition(slice(base.index, base.index + 1))
    b_rate = float(base.simulation.cooperation_rate[base.index, -1])
    for r in results:
        if r is base or r.scenario.start_from != base.scenario.start_from \
                or r.scenario.start_year != base.scenario.start_year \
                or r.scenario.years != base.scenario.years or not r.scenario.levers:
            continue
        dec = r.simulation.decomposition(slice(r.index, r.index + 1))
        change = {t: float(np.mean(dec[t][0, -1]) - np.mean(b_dec[t][0, -1])) for t in dec}
        ranked = sorted(change.items(), key=lambda kv: -abs(kv[1]))
        rate = float(r.simulation.cooperation_rate[r.index, -1])
        direction = "raises" if rate > b_rate + 5e-4 else (
            "lowers" if rate < b_rate - 5e-4 else "leaves")
        levers = ", ".join(LEVERS[n].label_en for n in r.scenario.levers if n in LEVERS)
        top = [(t, round(v, 4)) for t, v in ranked[:2] if abs(v) > 1e-3]
        words = [f"{t.replace('_', ' ')} {v:+.2f}" for t, v in top]
        object.__setattr__(r, "explanation", (
            f"{levers}: {direction} end cooperation to {rate:.3f} (current policy "
            f"{b_rate:.3f}); largest force changes (city mean, c0): "
            + ("; ".join(words) if words else "none") + "."))
        object.__setattr__(r, "explanation_detail", {
            "levers": list(r.scenario.levers), "explanation_terms": top,
            "explanation_direction": direction, "explanation_baseline": b_rate})
