r"""The history calibration problem: ``history`` as forcing, observed PM2.5, milestones.

A particle θ sets some model parameters (the cooperation dynamics) and
the observation-model parameters (:mod:`coopgov.calibration.baseline`).
For a batch of particles the ``history`` built-in scenario (loaded through
:mod:`coopgov.scenarios`, its horizon extended to ``end_year``) is run in
one :func:`coopgov.dynamics.engine.simulate` call, with each particle's
lever intensities scaled by its ``lever_efficacy``; the cooperation path
then gives the regional PM2.5 with a fresh meteorological draw.

Distance to the observations (an assumption, documented in
``docs/calibration.md``):

.. math::

    d = \sqrt{\tfrac{1}{n}\sum_{t \le T} (\log C_{sim}(t) - \log C_{obs}(t))^2}
        + w_m \cdot \text{miss}(t_{1/2})

where t½ is the first year the regional cooperation rate reaches one
half, and miss() the number of years it falls outside the milestone
window (cooperation becomes the majority behaviour once a joint mechanism
covers the whole region: from the 2014-01 air cooperation group to the
2018-11 national strategy).  Only observations and milestone bounds up to
``until`` enter the distance.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from coopgov.calibration.baseline import annual_cooperation, regional_pm25
from coopgov.calibration.observed import pm25_series
from coopgov.errors import InputError

__all__ = [
    "DEFAULT_PARAMETERS",
    "OBSERVATION_PARAMETERS",
    "MilestoneWindow",
    "HistoryProblem",
    "scaled_intensity",
]

# Parameters of the cooperation dynamics fitted by default (those declared in
# PARAMETER_INFO at run time are used; the list: adjustment rate,
# agreement decay, cost ratio, damage share, noise).
DEFAULT_MODEL_PARAMETERS = (
    "adjustment_rate",
    "agreement_decay",
    "technology_cost",
    "damage_gdp_share",
    "noise",
)
OBSERVATION_PARAMETERS = (
    "pm25_no_cooperation_2013",
    "pm25_background",
    "emission_trend_2013_2017",
    "emission_trend_after_2017",
    "met_noise_sd",
    "attributable_share",
    "lever_efficacy",
)
DEFAULT_PARAMETERS = DEFAULT_MODEL_PARAMETERS + OBSERVATION_PARAMETERS


@dataclass(frozen=True)
class MilestoneWindow:
    """Years within which the regional cooperation rate first reaches ``threshold``.

    Defaults: the YRD air pollution cooperation mechanism (2014-01-07, all
    four provinces and eight ministries) and the national strategy
    (2018-11); see ``coopgov/data/observed/events.toml``.  An assumption
    about what the institutions mean for the model's cooperation state.
    """

    first: int = 2014
    last: int = 2018
    threshold: float = 0.5
    weight: float = 0.02  # distance per year outside the window (≈ 2 % PM2.5 error)

    def miss(self, crossing: np.ndarray, until: int) -> np.ndarray:
        """Years outside the window, counting only what is knowable by ``until``."""
        last = min(self.last, until)
        early = np.maximum(self.first - crossing, 0.0)
        late = (
            np.maximum(np.minimum(crossing, until + 1) - last, 0.0)
            if until >= self.first
            else np.zeros_like(crossing)
        )
        return early + np.where(crossing > last, late, 0.0)


def scaled_intensity(intensity: np.ndarray, efficacy: np.ndarray) -> np.ndarray:
    """Lever intensities scaled per scenario and clipped to [0, 1].

    Parameters
    ----------
    intensity : ndarray, shape (Y, L), or (S, Y, L) or (S, Y, L, N) with a scenario axis
        Lever intensities [1] (per city for levers scoped to provinces or cities).
    efficacy : ndarray, shape (S,)
        ``lever_efficacy`` [1].
    """
    base = np.asarray(intensity, float)
    if base.ndim == 2:
        base = base[None]
    eff = np.asarray(efficacy, float).reshape((-1,) + (1,) * (base.ndim - 1))
    return np.clip(base * eff, 0.0, 1.0)


@dataclass
class HistoryProblem:
    """The calibration problem on the ``history`` scenario (module description).

    Parameters
    ----------
    until : int
        Last year of observations used [yr].
    end_year : int
        Last year simulated (predictions run to it) [yr].
    parameters : sequence of str
        Names of the fitted parameters; priors are their declared bounds.
    milestone : MilestoneWindow
    scenario_name : str
        Built-in scenario used as forcing.
    """

    until: int = 2022
    end_year: int = 2030
    parameters: Sequence[str] = DEFAULT_PARAMETERS
    milestone: MilestoneWindow = field(default_factory=MilestoneWindow)
    scenario_name: str = "history"

    def __post_init__(self) -> None:
        from coopgov.model.cities import city_data
        from coopgov.model.levers import LEVER_NAMES
        from coopgov.model.parameters import PARAMETER_INFO
        from coopgov.region import load_region
        from coopgov.scenarios.spec import load_builtin

        unknown = [p for p in self.parameters if p not in PARAMETER_INFO]
        if unknown:
            raise InputError("not a declared parameter", field="parameters", value=unknown[0])
        self.parameters = tuple(self.parameters)
        scenario = load_builtin(self.scenario_name)
        if self.end_year < scenario.start_year:
            raise InputError(
                "end year before the scenario's start", field="end_year", value=self.end_year
            )
        self.scenario = scenario.with_horizon(self.end_year - scenario.start_year + 1)
        self.start_year = self.scenario.start_year
        self.years = self.scenario.calendar  # simulated calendar years (Y,)
        self.levers = tuple(LEVER_NAMES)
        self.city = city_data(load_region(self.scenario.region))
        # per city: the history's levers are scoped (the 2008 agreement had three members)
        self.intensity = self.scenario.intensity(self.levers, city=self.city)[None]
        base = dict(self.scenario.model_parameters)
        self.base_parameters = {k: float(base[k]) for k in PARAMETER_INFO}
        info = [PARAMETER_INFO[p] for p in self.parameters]
        self.lower = np.array([i.bounds[0] for i in info])
        self.upper = np.array([i.bounds[1] for i in info])
        obs = pm25_series(self.until)
        obs = obs[(obs.index >= self.start_year) & (obs.index <= self.end_year)]
        if obs.empty:
            raise InputError("no observation up to this year", field="until", value=self.until)
        self.observed = obs
        self._obs_idx = np.searchsorted(self.years, obs.index.to_numpy())
        self._log_obs = np.log(obs.to_numpy())

    # --- simulation ---------------------------------------------------------

    def parameter_arrays(self, theta: np.ndarray) -> dict[str, np.ndarray]:
        """Full parameter arrays (S,) for ``simulate``: defaults with θ's columns."""
        theta = np.atleast_2d(np.asarray(theta, float))
        s = theta.shape[0]
        out = {k: np.full(s, v) for k, v in self.base_parameters.items()}
        for k, name in enumerate(self.parameters):
            out[name] = theta[:, k].copy()
        return out

    def simulate(
        self, theta: np.ndarray, rng: np.random.Generator | None = None, *, chunk: int = 4096
    ) -> dict[str, np.ndarray]:
        """Cooperation rate and PM2.5 for each particle, each shape (S, Y).

        Returns ``cooperation`` (regional rate over each year), ``pm25``
        (with meteorology when ``rng`` is given, median year otherwise) and
        ``crossing`` (first year the rate reaches the milestone threshold;
        ``end_year + 1`` when never), shape (S,).
        """
        from coopgov.dynamics.engine import simulate

        params = self.parameter_arrays(theta)
        s = next(iter(params.values())).shape[0]
        coop = np.empty((s, len(self.years)))
        rate_state = np.empty((s, len(self.years) + 1))
        for lo in range(0, s, chunk):
            sl = slice(lo, min(lo + chunk, s))
            sub = {k: v[sl] for k, v in params.items()}
            eff = sub.get("lever_efficacy", np.ones(sl.stop - sl.start))
            sim = simulate(
                self.city,
                sub,
                scaled_intensity(self.intensity, eff),
                years=len(self.years),
                start_year=self.start_year,
                levers=self.levers,
            )
            coop[sl] = annual_cooperation(sim.cooperation, self.city.population)
            rate_state[sl] = sim.cooperation.mean(axis=-1)
        shocks = None if rng is None else rng.standard_normal(coop.shape)
        pm = regional_pm25(self.years, coop, params, shocks)
        rate = 0.5 * (rate_state[:, :-1] + rate_state[:, 1:])
        reached = rate >= self.milestone.threshold
        crossing = np.where(
            reached.any(axis=1), self.years[np.argmax(reached, axis=1)], self.years[-1] + 1
        ).astype(float)
        return {"cooperation": rate, "pm25": pm, "crossing": crossing}

    def distance(self, out: dict[str, np.ndarray]) -> np.ndarray:
        """Distance of each simulated particle to the observations (module formula)."""
        err = np.log(out["pm25"][:, self._obs_idx]) - self._log_obs
        rms = np.sqrt(np.mean(err * err, axis=1))
        return rms + self.milestone.weight * self.milestone.miss(out["crossing"], self.until)

    def __call__(self, theta: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """``simulate_distance`` for :func:`coopgov.calibration.abc.abc_smc`."""
        return self.distance(self.simulate(theta, rng))

    def observed_table(self) -> pd.DataFrame:
        """Observed PM2.5 used (``year``, ``pm25``)."""
        return pd.DataFrame({"year": self.observed.index, "pm25": self.observed.to_numpy()})
