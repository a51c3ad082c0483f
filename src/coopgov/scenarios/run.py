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

With a posterior (:func:`coopgov.calibration.load_posterior`), every
scenario is run once per posterior draw: the base (``history``) for each
draw, then each continuation from that draw's end state, all draws of all
scenarios of one horizon in one batched :func:`simulate` call (S = draws ×
scenarios).  Each draw's lever intensities are scaled by its
``lever_efficacy`` (:func:`coopgov.calibration.problem.scaled_intensity`);
lever costs stay those of the nominal intensities.  Every summary figure
then carries its posterior median and 90 % band, and the countermeasures
are ranked by the probability that each is the most effective per yuan
(:func:`countermeasure_ranking`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from coopgov.dynamics.abm import ABMConfig, city_agents, run_abm
from coopgov.dynamics.engine import Simulation, simulate
from coopgov.dynamics.outcomes import OUTCOMES, REGIONAL_SERIES, regional_series
from coopgov.dynamics.replicator import DEFAULT_METHOD, fixed_points, integrate_affine
from coopgov.model.cities import CityData, city_data
from coopgov.model.forces import FORCE_TERMS, affine_coefficients
from coopgov.model.levers import COUNTERMEASURES, LEVER_NAMES, LEVERS, lever_costs
from coopgov.model.parameters import PARAMETER_INFO, ModelParameters, joint_maturity
from coopgov.region import load_region
from coopgov.scenarios.spec import Scenario, load_builtin

__all__ = [
    "ScenarioResult",
    "RunResults",
    "run_scenarios",
    "scenario_inputs",
    "countermeasure_ranking",
    "DEFAULT_DRAWS",
    "BAND_QUANTILES",
]

# Posterior draws of a default ``coopgov run``: chosen so that the default
# command stays within a few seconds of the point run (see the README's run
# section for the measured wall times); ``--draws`` raises it.
DEFAULT_DRAWS = 40
# The 90 % band and the median of every figure.
BAND_QUANTILES = (0.05, 0.5, 0.95)
# Most scenario-draw pairs integrated in one ``simulate`` call (memory: the
# per-city lever intensities take S x Y x L x N x 8 bytes).
MAX_BATCH = 4096
# Summary figures that get a band, in the order they are reported.
BANDED_FIGURES = (
    "initial_cooperation_rate",
    "cooperation_rate",
    "pm25_change",
    "pm25_ugm3",
    "cost",
    "abatement_cost",
    "gdp_effect",
    "transfers",
    "fiscal_transfers",
    "compensation_payments",
)


@dataclass(frozen=True)
class ScenarioResult:
    """One scenario's simulation (a view into a batch) and its ABM replications.

    In a posterior run ``draws`` holds the batch indices of the scenario's
    posterior draws (draw ``d`` of every scenario is the same parameter
    set), ``index`` the median draw's (the draw whose end cooperation rate
    is nearest the median: rest points, maps and the force chart use it),
    ``nominal_cost`` the yearly lever cost at the nominal intensities and
    ``abm_draws`` the draw each ABM replication ran on.
    """

    scenario: Scenario
    simulation: Simulation
    index: int
    abm_cooperation_rate: np.ndarray | None = None  # (R, Y + 1)
    rest_points: list[dict[str, Any]] = field(default_factory=list)
    basin: int | None = None
    explanation: str = ""
    explanation_detail: dict[str, Any] = field(default_factory=dict)
    draws: np.ndarray | None = None  # (D,) batch indices, posterior runs only
    nominal_cost: np.ndarray | None = None  # (Y,) [yuan/yr], posterior runs only
    abm_draws: np.ndarray | None = None  # (R,) draw of each ABM replication

    @property
    def years(self) -> np.ndarray:
        """Calendar years of the recorded states."""
        return self.simulation.years

    @property
    def n_draws(self) -> int:
        """Posterior draws (0: a point run)."""
        return 0 if self.draws is None else int(self.draws.size)

    def draw_figures(self) -> dict[str, np.ndarray]:
        """End-of-horizon figures per posterior draw, each shape (D,) (D = 1 for a point run).

        Keys: :data:`BANDED_FIGURES` (``cost`` at the nominal lever
        intensities; ``pm25_ugm3`` the regional mean PM2.5 of the
        calibration's observation model in a median meteorological year).
        """
        cached = self.__dict__.get("_draw_figures")
        if cached is not None:
            return cached
        idx = np.array([self.index]) if self.draws is None else self.draws
        sim = self.simulation
        end = _take(sim, idx, last_year_only=True)
        fiscal = end.fiscal_transfer_states[:, -1].sum(-1)
        paid = end.compensation_paid[:, -1].sum(-1)
        cost = (
            float(sim.lever_cost[self.index, -1])
            if self.nominal_cost is None
            else float(self.nominal_cost[-1])
        )
        figures = {
            "initial_cooperation_rate": sim.cooperation_rate[idx, 0],
            "cooperation_rate": end.cooperation_rate[:, -1],
            "pm25_change": end.pm25_change[:, -1],
            "pm25_ugm3": pm25_concentration(end)[:, -1],
            "cost": np.full(idx.size, cost),
            "abatement_cost": end.abatement_cost[:, -1].sum(-1),
            "gdp_effect": end.gdp_effect[:, -1].sum(-1),
            "transfers": fiscal + paid,
            "fiscal_transfers": fiscal,
            "compensation_payments": paid,
        }
        object.__setattr__(self, "_draw_figures", figures)
        return figures

    def summary(self) -> dict[str, float | str | int]:
        """End-of-horizon figures.

        A point run gives one value per figure.  A posterior run gives the
        posterior median under the same key and the 5, 50 and 95 %
        quantiles over the draws under ``KEY_q05``, ``KEY_q50`` and
        ``KEY_q95`` (the 90 % band), for every key of
        :data:`BANDED_FIGURES` and ``abm_cooperation_rate`` (quantiles over
        the replications, each on its own draw); ``draws`` says how many
        draws, ``median_draw`` which one the rest points come from.
        """
        if self.draws is not None:
            return self._banded_summary()
        sim, k = self.simulation, self.index
        transfers = sim.fiscal_transfer_states[k, -1].sum() + sim.compensation_paid[k, -1].sum()
        out: dict[str, Any] = {
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
            "pm25_ugm3": float(self.draw_figures()["pm25_ugm3"][0]),
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

    def _banded_summary(self) -> dict[str, Any]:
        sim = self.simulation
        out: dict[str, Any] = {
            "name": self.scenario.name,
            "title": self.scenario.title or self.scenario.name,
            "start_year": int(sim.years[0]),
            "end_year": int(sim.years[-1]),
        }
        figures = self.draw_figures()
        bands: dict[str, float] = {}
        for key in BANDED_FIGURES:
            q = np.quantile(figures[key], BAND_QUANTILES)
            out[key] = float(q[1])
            bands.update(
                {f"{key}_q05": float(q[0]), f"{key}_q50": float(q[1]), f"{key}_q95": float(q[2])}
            )
        if self.abm_cooperation_rate is not None:
            end = self.abm_cooperation_rate[:, -1]
            q = np.quantile(end, BAND_QUANTILES)
            out["abm_cooperation_rate"] = float(q[1])
            out["abm_cooperation_sd"] = float(end.std(ddof=1)) if end.size > 1 else 0.0
            bands.update(
                {
                    "abm_cooperation_rate_q05": float(q[0]),
                    "abm_cooperation_rate_q50": float(q[1]),
                    "abm_cooperation_rate_q95": float(q[2]),
                }
            )
        out.update(bands)
        out["draws"] = self.n_draws
        out["median_draw"] = int(np.flatnonzero(self.draws == self.index)[0])
        if self.rest_points:
            out["rest_points"] = self.rest_points
            out["bistable"] = sum(p["stable"] for p in self.rest_points) > 1
            out["basin"] = self.basin
        if self.scenario.start_from:
            out["start_from"] = self.scenario.start_from
        if self.explanation:
            out["explanation"] = self.explanation
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
    draws: int = 0  # posterior draws (0: a point run at the parameters' values)
    posterior_source: str | None = None  # the posterior file, when draws > 0
    posterior_draws: pd.DataFrame | None = None  # the D parameter sets drawn
    posterior_summary: pd.DataFrame | None = None  # :func:`posterior_summary` of the file

    def summary(self) -> list[dict[str, float | str | int]]:
        """One row per scenario (see :meth:`ScenarioResult.summary`)."""
        return [r.summary() for r in self.results]

    def ranking(self) -> list[dict[str, Any]]:
        """:func:`countermeasure_ranking` of these results (cached)."""
        cached = self.__dict__.get("_ranking")
        if cached is None:
            cached = countermeasure_ranking(self.results)
            self.__dict__["_ranking"] = cached
        return cached

    def uncertainty(self) -> dict[str, Any]:
        """How the figures were made: the posterior, the draws and the quantiles."""
        if not self.draws:
            return {
                "posterior": None,
                "draws": 0,
                "note": "point run at the parameters' values (no band)",
            }
        return {
            "posterior": self.posterior_source,
            "draws": self.draws,
            "seed": self.seed,
            "quantiles": list(BAND_QUANTILES),
            "note": "each figure KEY is the posterior median over the draws; KEY_q05 and "
            "KEY_q95 bound its 90 % band",
        }

    def tables(self) -> dict[str, pd.DataFrame]:
        """Tidy tables: ``cooperation``, ``regional``, ``forces``, ``abm``, ``summary``.

        A posterior run reports per-draw medians under the same columns,
        adds ``COLUMN_q05`` / ``COLUMN_q95`` bands to ``regional`` and
        ``cooperation_q05`` / ``cooperation_q95`` to ``cooperation``, a
        ``draw`` column to ``abm``, and the tables ``ranking`` and
        ``posterior_draws`` (the parameter sets run).
        """
        cached = self.__dict__.get("_tables")
        if cached is None:
            cached = self._banded_tables() if self.draws else self._point_tables()
            self.__dict__["_tables"] = cached
        return cached

    def _point_tables(self) -> dict[str, pd.DataFrame]:
        city = self.city
        coop, regional, forces, abm = [], [], [], []
        for r in self.results:
            sim, k, name = r.simulation, r.index, r.scenario.name
            years = sim.years
            t_n, n = len(years), city.n
            coop.append(
                pd.DataFrame(
                    {
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
                    }
                )
            )
            series = regional_series(sim, k)
            regional.append(
                pd.DataFrame(
                    {
                        "scenario": name,
                        "year": years,
                        **{
                            OUTCOMES[o].column: series[OUTCOMES[o].regional]
                            for o in REGIONAL_SERIES
                        },
                        "pm25_ugm3": pm25_concentration(_take(sim, np.array([k])))[0],
                    }
                )
            )
            dec = sim.decomposition(slice(k, k + 1))
            for term in FORCE_TERMS:
                forces.append(
                    pd.DataFrame(
                        {
                            "scenario": name,
                            "year": np.repeat(years, n),
                            "adcode": np.tile(city.adcode, t_n),
                            "term": term.name,
                            "family": term.family,
                            "value_c0": np.asarray(dec[term.name][0]).ravel(),
                        }
                    )
                )
            if r.abm_cooperation_rate is not None:
                reps = r.abm_cooperation_rate
                abm.append(
                    pd.DataFrame(
                        {
                            "scenario": name,
                            "replication": np.repeat(np.arange(reps.shape[0]), t_n),
                            "year": np.tile(years, reps.shape[0]),
                            "cooperation_rate": reps.ravel(),
                        }
                    )
                )
        out = {
            "cooperation": pd.concat(coop, ignore_index=True),
            "regional": pd.concat(regional, ignore_index=True),
            "forces": pd.concat(forces, ignore_index=True),
            "summary": pd.DataFrame([_flat(row) for row in self.summary()]),
        }
        if abm:
            out["abm"] = pd.concat(abm, ignore_index=True)
        ranking = self.ranking()
        if ranking:
            out["ranking"] = pd.DataFrame(ranking)
        return out

    def _banded_tables(self) -> dict[str, pd.DataFrame]:
        city = self.city
        qs = BAND_QUANTILES
        coop, regional, forces, abm = [], [], [], []
        for r in self.results:
            assert r.draws is not None and r.nominal_cost is not None
            sub = _take(r.simulation, r.draws)
            name, years = r.scenario.name, sub.years
            t_n, n = len(years), city.n
            x = np.quantile(sub.cooperation, qs, axis=0)  # (3, Y + 1, N)
            coop.append(
                pd.DataFrame(
                    {
                        "scenario": name,
                        "year": np.repeat(years, n),
                        "adcode": np.tile(city.adcode, t_n),
                        "name_en": np.tile(city.name, t_n),
                        "cooperation": x[1].ravel(),
                        "cooperation_q05": x[0].ravel(),
                        "cooperation_q95": x[2].ravel(),
                        "relative_pm25": np.median(sub.relative_pm25, axis=0).ravel(),
                        "abatement_cost_yuan": np.median(sub.abatement_cost, axis=0).ravel(),
                        "fiscal_transfer_yuan": np.median(
                            sub.fiscal_transfer_states, axis=0
                        ).ravel(),
                        "compensation_paid_yuan": np.median(sub.compensation_paid, axis=0).ravel(),
                        "compensation_received_yuan": np.median(
                            sub.compensation_received, axis=0
                        ).ravel(),
                    }
                )
            )
            cost = np.append(r.nominal_cost, r.nominal_cost[-1])
            frame = pd.DataFrame({"scenario": name, "year": years})
            banded = [
                (OUTCOMES[o].column, OUTCOMES[o].region(sub))
                for o in REGIONAL_SERIES
                if o != "lever_cost"  # at the nominal intensities, no band
            ]
            for col, values in [*banded, ("pm25_ugm3", pm25_concentration(sub))]:
                q = np.quantile(values, qs, axis=0)
                frame[col], frame[f"{col}_q05"], frame[f"{col}_q95"] = q[1], q[0], q[2]
            frame["lever_cost_yuan"] = cost
            regional.append(frame)
            dec = sub.decomposition()
            for term in FORCE_TERMS:
                forces.append(
                    pd.DataFrame(
                        {
                            "scenario": name,
                            "year": np.repeat(years, n),
                            "adcode": np.tile(city.adcode, t_n),
                            "term": term.name,
                            "family": term.family,
                            "value_c0": np.median(
                                np.broadcast_to(dec[term.name], sub.cooperation.shape), axis=0
                            ).ravel(),
                        }
                    )
                )
            if r.abm_cooperation_rate is not None:
                reps = r.abm_cooperation_rate
                abm.append(
                    pd.DataFrame(
                        {
                            "scenario": name,
                            "replication": np.repeat(np.arange(reps.shape[0]), t_n),
                            "draw": np.repeat(np.asarray(r.abm_draws), t_n),
                            "year": np.tile(years, reps.shape[0]),
                            "cooperation_rate": reps.ravel(),
                        }
                    )
                )
        out = {
            "cooperation": pd.concat(coop, ignore_index=True),
            "regional": pd.concat(regional, ignore_index=True),
            "forces": pd.concat(forces, ignore_index=True),
            "summary": pd.DataFrame(self.summary()),
        }
        if abm:
            out["abm"] = pd.concat(abm, ignore_index=True)
        ranking = self.ranking()
        if ranking:
            out["ranking"] = pd.DataFrame(ranking)
        if self.posterior_draws is not None:
            out["posterior_draws"] = self.posterior_draws.rename_axis("draw").reset_index()
        return out


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    """A summary row for a table: nested values (rest points, explanation terms) as JSON."""
    import json

    return {k: (json.dumps(v) if isinstance(v, list | dict | tuple) else v) for k, v in row.items()}


def run_scenarios(
    scenarios: Sequence[Scenario],
    *,
    years: int | None = None,
    replications: int = 10,
    seed: int = 20081201,
    agents_per_city: int = 20,
    abm_config: ABMConfig | None = None,
    progress: Callable[[int], None] | None = None,
    steps_per_year: int | None = None,
    method: str = DEFAULT_METHOD,
    tolerance: float | None = None,
    posterior: pd.DataFrame | None = None,
    draws: int = DEFAULT_DRAWS,
    posterior_source: str | None = None,
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
    steps_per_year : int, optional
        Integration steps per year of the mean-field engine (default: the
        method's, :func:`coopgov.dynamics.replicator.default_steps_per_year`).
    method : {"riccati", "rk4", "exponential"}
        Mean-field integrator (:func:`coopgov.dynamics.engine.simulate`).
    tolerance : float, optional
        ``riccati`` only: error tolerance [1] (default 1e-4; see
        :func:`coopgov.dynamics.engine.simulate`).
    posterior : DataFrame, optional
        Posterior draws (:func:`coopgov.calibration.load_posterior`): run
        every scenario over ``draws`` parameter sets resampled from it by
        weight (seeded by ``seed``); see the module description.  Values:
        the defaults, then the base scenario's overrides, then the draw,
        then the scenario's own ``[parameters]`` (a value a scenario file
        sets explicitly wins over the posterior).  None: one point run.
    draws : int
        Parameter sets drawn from ``posterior`` (ignored without it).
    posterior_source : str, optional
        Where the posterior came from (reported with the results).

    Examples
    --------
    Current policy and the package of all countermeasures, five years on from
    the end of the history, without agent-based replications:

    >>> from coopgov.scenarios import load_builtin
    >>> res = run_scenarios([load_builtin("baseline"), load_builtin("package")],
    ...                     years=5, replications=0)
    >>> [(r["name"], r["end_year"]) for r in res.summary()]
    [('baseline', 2031), ('package', 2031)]
    >>> base, package = (r["cooperation_rate"] for r in res.summary())
    >>> round(package, 1), bool(package > base)
    (1.0, True)
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
    if posterior is not None:
        return _run_posterior(
            scenarios,
            city,
            region_name,
            posterior,
            draws=draws,
            seed=seed,
            seeds=seeds,
            replications=replications,
            agents=agents,
            abm_config=abm_config or ABMConfig(),
            progress=progress,
            steps_per_year=steps_per_year,
            source=posterior_source,
            method=method,
            tolerance=tolerance,
        )
    bases = _continuations(scenarios, city, steps_per_year, method, tolerance)

    groups: dict[tuple[int, int], list[int]] = {}
    for i, s in enumerate(scenarios):
        groups.setdefault((s.start_year, s.years), []).append(i)
    results: list[ScenarioResult | None] = [None] * len(scenarios)
    for (start, horizon), members in groups.items():
        batch = [scenarios[i] for i in members]
        inits, inten, pars = [], [], []
        for s in batch:
            base = bases.get(_base_key(s)) if s.start_from else None
            inten.append(
                s.intensity(LEVER_NAMES, city=city, inherited=None if base is None else base[1])
            )
            inits.append(
                np.full(city.n, s.model_parameters["initial_cooperation"])
                if base is None
                else base[0]
            )
            pars.append(s.model_parameters if base is None else base[2])
        sim = simulate(
            city,
            pars,
            np.stack(inten),
            years=horizon,
            start_year=start,
            initial=np.stack(inits),
            steps_per_year=steps_per_year,
            method=method,
            tolerance=tolerance,
        )
        for k, i in enumerate(members):
            abm_rate = None
            if replications > 0:
                abm = run_abm(
                    agents,
                    sim,
                    k,
                    replications=replications,
                    seed=int(seeds[i].generate_state(1)[0]),
                    config=abm_config or ABMConfig(),
                )
                abm_rate = abm.cooperation_rate
            points, basin = _rest_points(sim, k)
            results[i] = ScenarioResult(scenarios[i], sim, k, abm_rate, points, basin)
            if progress is not None:
                progress(1)
    done = [r for r in results if r is not None]
    _explain(done)
    return RunResults(done, seed, replications, city, region_name)


def scenario_inputs(
    scenario: Scenario,
    city: CityData,
    *,
    steps_per_year: int | None = None,
    method: str = DEFAULT_METHOD,
    tolerance: float | None = None,
) -> tuple[Any, np.ndarray, np.ndarray]:
    """Parameters, per-city lever intensities (Y, L, N) and initial state of one scenario.

    A scenario that ``start_from`` a built-in one gets that scenario's end
    state and last-year institutions (its base is simulated here, with the
    same parameters); any other starts from ``initial_cooperation`` with its
    own levers only.  :func:`run_scenarios` does the same for a batch.
    """
    if not scenario.start_from:
        return (
            scenario.model_parameters,
            scenario.intensity(LEVER_NAMES, city=city),
            np.full(city.n, scenario.model_parameters["initial_cooperation"]),
        )
    end, inherited, params = _continuations([scenario], city, steps_per_year, method, tolerance)[
        _base_key(scenario)
    ]
    return params, scenario.intensity(LEVER_NAMES, city=city, inherited=inherited), end


def _run_posterior(
    scenarios: Sequence[Scenario],
    city: CityData,
    region_name: str,
    posterior: pd.DataFrame,
    *,
    draws: int,
    seed: int,
    seeds: Sequence[np.random.SeedSequence],
    replications: int,
    agents: Any,
    abm_config: ABMConfig,
    progress: Callable[[int], None] | None,
    steps_per_year: int | None,
    source: str | None,
    method: str = DEFAULT_METHOD,
    tolerance: float | None = None,
) -> RunResults:
    """:func:`run_scenarios` over posterior draws (module description)."""
    from coopgov.calibration.posterior import posterior_summary, resample_posterior
    from coopgov.calibration.problem import scaled_intensity
    from coopgov.errors import InputError

    if draws < 1:
        raise InputError("must be >= 1", field="draws", value=draws)
    # the draws get their own stream, apart from the ABM's
    draw_seed = int(np.random.SeedSequence([seed, 1]).generate_state(1)[0])
    sample = resample_posterior(posterior, draws, seed=draw_seed)
    d_n, n = draws, city.n

    def stack(*layers: dict[str, float]) -> dict[str, np.ndarray]:
        # defaults <- base overrides <- posterior draw <- the scenario's own overrides
        fixed = ModelParameters(layers[0]) if layers else ModelParameters()
        out = {k: np.full(d_n, float(fixed[k])) for k in PARAMETER_INFO}
        for c in sample.columns:
            out[c] = sample[c].to_numpy(float).copy()
        for layer in layers[1:]:
            checked = ModelParameters(layer)
            for k in layer:
                out[k] = np.full(d_n, float(checked[k]))
        return out

    # the base run of each draw (the history), one batched call per distinct base
    bases: dict[Any, tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]] = {}
    for s in scenarios:
        if not s.start_from or _base_key(s) in bases:
            continue
        base = load_builtin(s.start_from)
        if base.start_from:
            raise ValueError(
                f"scenario {base.name!r} itself starts from {base.start_from!r}; "
                "continuations of continuations are not supported"
            )
        params = stack(dict(base.parameters), dict(s.parameters))
        nominal = base.intensity(LEVER_NAMES, city=city)
        sim = simulate(
            city,
            params,
            scaled_intensity(nominal[None], params["lever_efficacy"]),
            years=base.years,
            start_year=base.start_year,
            steps_per_year=steps_per_year,
            method=method,
            tolerance=tolerance,
        )
        bases[_base_key(s)] = (sim.cooperation[:, -1], nominal[-1], params)

    groups: dict[tuple[int, int], list[int]] = {}
    for i, s in enumerate(scenarios):
        groups.setdefault((s.start_year, s.years), []).append(i)
    per_call = max(1, MAX_BATCH // d_n)
    results: list[ScenarioResult | None] = [None] * len(scenarios)
    for (start, horizon), members in groups.items():
        for lo in range(0, len(members), per_call):
            chunk = members[lo : lo + per_call]
            inten = np.empty((len(chunk) * d_n, horizon, len(LEVER_NAMES), n))
            inits = np.empty((len(chunk) * d_n, n))
            pars: list[dict[str, np.ndarray]] = []
            costs = []
            for j, i in enumerate(chunk):
                s = scenarios[i]
                start_state = bases.get(_base_key(s)) if s.start_from else None
                nominal = s.intensity(
                    LEVER_NAMES,
                    city=city,
                    inherited=None if start_state is None else start_state[1],
                )
                params = stack({}, dict(s.parameters)) if start_state is None else start_state[2]
                rows = slice(j * d_n, (j + 1) * d_n)
                inten[rows] = scaled_intensity(nominal[None], params["lever_efficacy"])
                inits[rows] = (
                    params["initial_cooperation"][:, None]
                    if start_state is None
                    else start_state[0]
                )
                pars.append(params)
                costs.append(lever_costs(nominal[None], LEVER_NAMES)[0])
            stacked = {k: np.concatenate([p[k] for p in pars]) for k in PARAMETER_INFO}
            sim = simulate(
                city,
                stacked,
                inten,
                years=horizon,
                start_year=start,
                initial=inits,
                steps_per_year=steps_per_year,
                method=method,
                tolerance=tolerance,
            )
            del inten
            for j, i in enumerate(chunk):
                idx = np.arange(j * d_n, (j + 1) * d_n)
                end = sim.cooperation_rate[idx, -1]
                k = int(idx[np.argmin(np.abs(end - np.median(end)))])
                abm_rate = abm_draws = None
                if replications > 0:
                    # replication r runs on draw r (mod D): the band mixes the posterior
                    # and the agents' randomness
                    abm_draws = np.arange(replications) % d_n
                    children = seeds[i].spawn(replications)
                    abm_rate = np.concatenate(
                        [
                            run_abm(
                                agents,
                                sim,
                                int(idx[d]),
                                replications=1,
                                seed=int(child.generate_state(1)[0]),
                                config=abm_config,
                            ).cooperation_rate
                            for d, child in zip(abm_draws, children, strict=True)
                        ]
                    )
                points, basin = _rest_points(sim, k)
                results[i] = ScenarioResult(
                    scenarios[i],
                    sim,
                    k,
                    abm_rate,
                    points,
                    basin,
                    draws=idx,
                    nominal_cost=costs[j],
                    abm_draws=abm_draws,
                )
                if progress is not None:
                    progress(1)
    done = [r for r in results if r is not None]
    _explain(done)
    return RunResults(
        done,
        seed,
        replications,
        city,
        region_name,
        draws=d_n,
        posterior_source=source,
        posterior_draws=sample,
        posterior_summary=posterior_summary(posterior),
    )


def _take(sim: Simulation, idx: np.ndarray, *, last_year_only: bool = False) -> Simulation:
    """Scenarios ``idx`` of a batch as a Simulation (all years, or the last year only).

    The last-year view holds the states at the start and the end of the
    last simulated year under that year's parameters, so end-of-horizon
    figures cost one year, not the horizon.
    """
    idx = np.asarray(idx)

    def rows(v: np.ndarray) -> np.ndarray:
        return v if v.shape[0] == 1 else v[idx]

    params = {k: rows(v) for k, v in sim.params.items()}
    coop, inten = sim.cooperation[idx], sim.intensity[idx]
    transfer, incentive = sim.fiscal_transfer[idx], sim.compensation_incentive[idx]
    start = sim.start_year
    if last_year_only:
        params = {k: v[:, -1:] for k, v in params.items()}
        coop, inten = coop[:, -2:], inten[:, -1:]
        transfer, incentive = transfer[:, -1:], incentive[:, -1:]
        start = sim.start_year + sim.n_years - 1
    return dataclasses.replace(
        sim,
        start_year=start,
        cooperation=coop,
        params=params,
        intensity=inten,
        fiscal_transfer=transfer,
        compensation_incentive=incentive,
    )


def pm25_concentration(sim: Simulation) -> np.ndarray:
    """Regional mean PM2.5 at every recorded state [ug/m3], shape (S, Y + 1).

    The calibration's observation model
    (:func:`coopgov.calibration.baseline.regional_pm25`: the emission
    baseline outside cooperation, the share of anthropogenic PM2.5 that
    cooperation removes, a median meteorological year) applied to the
    population-weighted cooperation of each recorded state, with each
    scenario's observation parameters (``pm25_no_cooperation_2013``,
    ``pm25_background``, the emission trends, ``attributable_share``).
    """
    from coopgov.calibration.baseline import regional_pm25

    w = sim.city.population / sim.city.population.sum()
    names = (
        "pm25_no_cooperation_2013",
        "pm25_background",
        "emission_trend_2013_2017",
        "emission_trend_after_2017",
        "attributable_share",
        "met_noise_sd",
    )
    s_n = sim.n_scenarios
    params = {
        k: np.broadcast_to(sim.params[k], (s_n,) + sim.params[k].shape[1:]).reshape(s_n, -1)[:, -1]
        for k in names
    }
    return regional_pm25(sim.years, sim.cooperation @ w, params)


def countermeasure_ranking(results: Sequence[ScenarioResult]) -> list[dict[str, Any]]:
    r"""Chance that each countermeasure is the most effective per yuan, and its rank interval.

    For posterior draw d, countermeasure c's effectiveness per yuan is the
    end-of-horizon cooperation it gains against current policy (the
    ``baseline`` scenario, same draw) per 10^8 yuan/yr it costs beyond
    current policy:

    .. math:: e_{cd} = rac{x_{cd} - x_{bd}}{\max(K_c - K_b, 1\,	ext{yuan})/10^8}

    with x the regional cooperation rate and K the yearly lever cost at the
    nominal intensities (an assumption of :mod:`coopgov.model.levers`).
    ``probability_best`` is the share of draws in which c has the largest
    e (the draws are equally weighted resamples of the posterior, so the
    shares sum to 1); its rank (1 = best) over the draws gives the 5-95 %
    rank interval.

    Parameters
    ----------
    results : sequence of ScenarioResult
        Must hold ``baseline`` and single-countermeasure scenarios (named
        after their lever) on the same draws and horizon; others are ignored.

    Returns
    -------
    list of dict
        One per countermeasure, most probable first: ``countermeasure``,
        ``label_en``, ``label_zh``, ``probability_best``, ``rank_q05``,
        ``rank_q50``, ``rank_q95``, ``cooperation_gain`` (median) with
        ``_q05``/``_q95``, ``extra_cost`` [yuan/yr], ``gain_per_1e8_yuan``
        (median) with ``_q05``/``_q95`` [1 per 10^8 yuan/yr], ``draws``.
        Empty when there is no baseline or no countermeasure.
    """
    by_name = {r.scenario.name: r for r in results}
    base = by_name.get("baseline")
    if base is None:
        return []
    same = [
        by_name[c]
        for c in COUNTERMEASURES
        if c in by_name
        and by_name[c].scenario.start_year == base.scenario.start_year
        and by_name[c].scenario.years == base.scenario.years
        and by_name[c].n_draws == base.n_draws
    ]
    if not same:
        return []
    b = base.draw_figures()
    gains = np.stack([r.draw_figures()["cooperation_rate"] - b["cooperation_rate"] for r in same])
    extra = np.array([r.draw_figures()["cost"][0] - b["cost"][0] for r in same])
    per_yuan = gains / (np.maximum(extra, 1.0) / 1e8)[:, None]  # (C, D)
    d_n = per_yuan.shape[1]
    # rank 1 = most effective; ties keep the countermeasures' order (stable sort)
    order = np.argsort(-per_yuan, axis=0, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(1, len(same) + 1)[:, None].repeat(d_n, 1), axis=0)
    best = np.bincount(order[0], minlength=len(same)) / d_n
    rows: list[dict[str, Any]] = []
    for c, r in enumerate(same):
        lever = LEVERS[r.scenario.name]
        rq = np.quantile(ranks[c], BAND_QUANTILES, method="inverted_cdf")
        gq = np.quantile(gains[c], BAND_QUANTILES)
        eq = np.quantile(per_yuan[c], BAND_QUANTILES)
        rows.append(
            {
                "countermeasure": r.scenario.name,
                "label_en": lever.label_en,
                "label_zh": lever.label_zh,
                "probability_best": float(best[c]),
                "rank_q05": int(rq[0]),
                "rank_q50": int(rq[1]),
                "rank_q95": int(rq[2]),
                "cooperation_gain": float(gq[1]),
                "cooperation_gain_q05": float(gq[0]),
                "cooperation_gain_q95": float(gq[2]),
                "extra_cost": float(extra[c]),
                "gain_per_1e8_yuan": float(eq[1]),
                "gain_per_1e8_yuan_q05": float(eq[0]),
                "gain_per_1e8_yuan_q95": float(eq[2]),
                "draws": int(d_n),
            }
        )
    rows.sort(
        key=lambda row: (-row["probability_best"], row["rank_q50"], -row["gain_per_1e8_yuan"])
    )
    return rows


def _continuations(
    scenarios: Sequence[Scenario],
    city: CityData,
    steps_per_year: int | None = None,
    method: str = DEFAULT_METHOD,
    tolerance: float | None = None,
) -> dict[tuple[str, tuple[tuple[str, float], ...]], tuple[np.ndarray, np.ndarray, Any]]:
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
            raise ValueError(
                f"scenario {base.name!r} itself starts from {base.start_from!r}; "
                "continuations of continuations are not supported"
            )
        params = base.model_parameters.replace(**s.parameters)
        inten = base.intensity(LEVER_NAMES, city=city)
        sim = simulate(
            city,
            [params],
            inten[None],
            years=base.years,
            start_year=base.start_year,
            steps_per_year=steps_per_year,
            method=method,
            tolerance=tolerance,
        )
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
    lateral = float(p["lateral_thrust"][0])
    end = sim.cooperation[k, -1]
    points = fixed_points(
        coef,
        float(p["adjustment_rate"][0]),
        decay,
        float(p["noise"][0]),
        city.exposure_shares,
        city.neighbour_weights,
        starts=8,
        extra_starts=[end],
        lateral=lateral,
        water_exposure_shares=city.water_exposure_shares,
    )
    horizon = 200
    future = integrate_affine(
        end[None],
        np.broadcast_to(coef[:, None, None], (5, 1, horizon, city.n)),
        np.full((1, horizon), p["adjustment_rate"][0]),
        np.broadcast_to(decay, (1, horizon, city.n)),
        np.full((1, horizon), p["noise"][0]),
        city.exposure_shares,
        city.neighbour_weights,
        lateral=np.full((1, horizon), lateral),
        water_exposure_shares=city.water_exposure_shares,
    )[0, -1]
    table = [
        {
            "cooperation_rate": fp.cooperation_rate,
            "stable": fp.stable,
            "max_eigenvalue": float(fp.eigenvalues.real.max()),
        }
        for fp in points
    ]
    stable = [i for i, fp in enumerate(points) if fp.stable]
    basin = min(stable, key=lambda i: float(np.abs(points[i].x - future).max())) if stable else None
    return table, basin


def _explain(results: list[ScenarioResult]) -> None:
    """Say in words why each countermeasure moves cooperation against its baseline.

    The force whose city-mean value at the end of the horizon changes most
    (payoff terms and the lateral imitation) is named, with its change.
    In a posterior run the changes are paired by draw and their medians
    over the draws are named.
    """
    base = next((r for r in results if r.scenario.name == "baseline"), None)
    if base is None:
        return
    posterior = base.draws is not None

    def end_terms(r: ScenarioResult) -> tuple[dict[str, np.ndarray], np.ndarray]:
        # city-mean force terms and cooperation rate at the end, per draw (D,)
        idx = r.draws if r.draws is not None else np.array([r.index])
        view = _take(r.simulation, idx, last_year_only=True)
        dec = view.decomposition()
        shape = view.cooperation.shape
        terms = {t: np.broadcast_to(v, shape)[:, -1].mean(-1) for t, v in dec.items()}
        return terms, view.cooperation_rate[:, -1]

    b_terms, b_rates = end_terms(base)
    b_rate = float(np.median(b_rates))
    for r in results:
        if (
            r is base
            or r.scenario.start_from != base.scenario.start_from
            or r.scenario.start_year != base.scenario.start_year
            or r.scenario.years != base.scenario.years
            or not r.scenario.levers
            or r.n_draws != base.n_draws
        ):
            continue
        terms, rates = end_terms(r)
        change = {t: float(np.median(terms[t] - b_terms[t])) for t in terms}
        ranked = sorted(change.items(), key=lambda kv: -abs(kv[1]))
        rate = float(np.median(rates))
        gain = float(np.median(rates - b_rates))
        direction = "raises" if gain > 5e-4 else ("lowers" if gain < -5e-4 else "leaves")
        levers = ", ".join(LEVERS[n].label_en for n in r.scenario.levers if n in LEVERS)
        top = [(t, round(v, 4)) for t, v in ranked[:2] if abs(v) > 1e-3]
        words = [f"{t.replace('_', ' ')} {v:+.2f}" for t, v in top]
        over = f", medians over {r.n_draws} posterior draws" if posterior else ""
        object.__setattr__(
            r,
            "explanation",
            (
                f"{levers}: {direction} end cooperation to {rate:.3f} (current policy "
                f"{b_rate:.3f}{over}); largest force changes (city mean, c0): "
                + ("; ".join(words) if words else "none")
                + "."
            ),
        )
        object.__setattr__(
            r,
            "explanation_detail",
            {
                "levers": list(r.scenario.levers),
                "explanation_terms": top,
                "explanation_direction": direction,
                "explanation_baseline": b_rate,
            },
        )
