"""Running a calibration, its summaries, and reading posteriors back.

:func:`calibrate` runs ABC-SMC (:mod:`coopgov.calibration.abc`) on the
history problem (:mod:`coopgov.calibration.problem`) and returns a
:class:`Calibration` with the weighted posterior, the posterior predictive
bands by year, the milestone check and the identifiability diagnostics.
:func:`load_posterior` and :func:`posterior_parameter_sets` turn a saved
posterior into parameter sets for other runs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from coopgov.calibration.abc import (
    ABCSMCResult,
    Generation,
    abc_smc,
    weighted_quantile,
)
from coopgov.calibration.problem import DEFAULT_PARAMETERS, HistoryProblem, MilestoneWindow
from coopgov.errors import InputError

__all__ = [
    "Calibration",
    "calibrate",
    "load_posterior",
    "posterior_parameter_sets",
    "resample_posterior",
    "posterior_summary",
    "bundled_posterior_path",
    "IDENTIFIED_RATIO",
    "POSTERIOR_FILE",
]

QUANTILES = (0.05, 0.5, 0.95)
# A parameter whose 90 % posterior interval keeps more than this share of its
# 90 % prior interval is flagged as not identified by the data (assumption).
IDENTIFIED_RATIO = 0.8
POSTERIOR_FILE = "posterior.parquet"


@dataclass
class Calibration:
    """Result of :func:`calibrate`."""

    problem: HistoryProblem
    result: ABCSMCResult
    predictive: dict[str, np.ndarray]  # cooperation, pm25 (n, Y); crossing (n,)
    seed: int

    # --- tables -------------------------------------------------------------

    def posterior_table(self) -> pd.DataFrame:
        """Particles (one column per parameter), ``weight`` and ``distance``."""
        frame = pd.DataFrame(self.result.particles, columns=list(self.result.names))
        frame["weight"] = self.result.weights
        frame["distance"] = self.result.distances
        return frame

    def generations_table(self) -> pd.DataFrame:
        """One row per SMC generation (tolerance, simulations, acceptance, ESS, wall time)."""
        return pd.DataFrame([g.__dict__ for g in self.result.generations])

    def predictive_table(self) -> pd.DataFrame:
        """Posterior predictive quantiles by year (``year``, ``quantity``, ``q05/q50/q95``)."""
        rows = []
        for quantity in ("pm25", "cooperation"):
            q = np.quantile(self.predictive[quantity], QUANTILES, axis=0)
            for k, year in enumerate(self.problem.years):
                rows.append(
                    {
                        "year": int(year),
                        "quantity": quantity,
                        "q05": q[0, k],
                        "q50": q[1, k],
                        "q95": q[2, k],
                    }
                )
        return pd.DataFrame(rows)

    def identifiability(self) -> pd.DataFrame:
        """Posterior 90 % width over prior 90 % width per parameter, and the flag."""
        rows = []
        lo_hi = zip(self.problem.lower, self.problem.upper, strict=True)
        for k, (name, (lo, hi)) in enumerate(zip(self.result.names, lo_hi, strict=True)):
            q = weighted_quantile(self.result.particles[:, k], self.result.weights, QUANTILES)
            ratio = float((q[2] - q[0]) / (0.9 * (hi - lo)))
            rows.append(
                {
                    "parameter": name,
                    "prior_low": lo,
                    "prior_high": hi,
                    "q05": q[0],
                    "q50": q[1],
                    "q95": q[2],
                    "width_ratio": ratio,
                    "identified": ratio <= IDENTIFIED_RATIO,
                }
            )
        return pd.DataFrame(rows)

    def milestone_check(self) -> dict[str, float]:
        """Posterior predictive check of the milestone timing."""
        c = self.predictive["crossing"]
        m = self.problem.milestone
        inside = (c >= m.first) & (c <= m.last)
        q = np.quantile(c, QUANTILES)
        return {
            "threshold": m.threshold,
            "window_first": m.first,
            "window_last": m.last,
            "probability_in_window": float(inside.mean()),
            "q05": float(q[0]),
            "q50": float(q[1]),
            "q95": float(q[2]),
        }

    def holdout(self) -> pd.DataFrame:
        """Observed PM2.5 after ``until`` against the 90 % predictive interval."""
        from coopgov.calibration.observed import pm25_series

        obs = pm25_series()
        obs = obs[(obs.index > self.problem.until) & (obs.index <= self.problem.end_year)]
        pred = self.predictive_table()
        pred = pred[pred["quantity"] == "pm25"].set_index("year")
        rows = [
            {
                "year": int(y),
                "observed": float(v),
                "q05": pred.at[y, "q05"],
                "q50": pred.at[y, "q50"],
                "q95": pred.at[y, "q95"],
                "inside": bool(pred.at[y, "q05"] <= v <= pred.at[y, "q95"]),
            }
            for y, v in obs.items()
        ]
        return pd.DataFrame(rows, columns=["year", "observed", "q05", "q50", "q95", "inside"])

    def to_json(self) -> dict:
        """The ``coopgov calibrate --json`` payload."""
        from coopgov.calibration.observed import load_observed

        post = {
            r.parameter: {
                "q05": r.q05,
                "q50": r.q50,
                "q95": r.q95,
                "width_ratio": r.width_ratio,
                "identified": bool(r.identified),
            }
            for r in self.identifiability().itertuples()
        }
        pred: dict[str, dict] = {}
        for r in self.predictive_table().itertuples():
            pred.setdefault(str(r.year), {})[r.quantity] = {
                "q05": r.q05,
                "q50": r.q50,
                "q95": r.q95,
            }
        obs = load_observed()
        observed: dict[str, dict] = {}
        for r in obs.itertuples():
            observed.setdefault(r.indicator, {})[str(r.year)] = {
                "value": r.value,
                "unit": r.unit,
                "cities": r.cities,
                "status": r.status,
            }
        return {
            "until": self.problem.until,
            "fitted_to": {str(int(y)): float(v) for y, v in self.problem.observed.items()},
            "posterior": post,
            "predictive": pred,
            "observed": observed,
            "milestone": self.milestone_check(),
            "holdout": self.holdout().to_dict(orient="records"),
            "generations": self.generations_table().to_dict(orient="records"),
            "simulations": self.result.n_simulations,
            "wall_s": self.result.wall_s,
            "seed": self.seed,
        }


def calibrate(
    *,
    until: int = 2022,
    end_year: int = 2030,
    parameters: Sequence[str] = DEFAULT_PARAMETERS,
    n_particles: int = 1000,
    n_generations: int = 10,
    seed: int = 20140107,
    milestone: MilestoneWindow | None = None,
    n_predictive: int | None = None,
    progress: Callable[[Generation], None] | None = None,
) -> Calibration:
    """Calibrate the model on the history (ABC-SMC) and draw the posterior predictive.

    Parameters
    ----------
    until : int
        Last year of observations used [yr].
    end_year : int
        Last year predicted [yr].
    parameters : sequence of str
        Fitted parameters (priors: their declared bounds).
    n_particles, n_generations : int
        ABC-SMC population size and generations.
    seed : int
        Root seed (default: the date of the 2014 YRD air cooperation group).
    milestone : MilestoneWindow, optional
        Milestone window (default :class:`MilestoneWindow`).
    n_predictive : int, optional
        Posterior predictive draws (default: ``n_particles``).
    progress : callable, optional
        Called after each generation.
    """
    problem = HistoryProblem(
        until=until,
        end_year=end_year,
        parameters=parameters,
        milestone=milestone or MilestoneWindow(),
    )
    ss = np.random.SeedSequence(seed)
    s_abc, s_pred = ss.spawn(2)
    result = abc_smc(
        problem,
        problem.lower,
        problem.upper,
        names=problem.parameters,
        n_particles=n_particles,
        n_generations=n_generations,
        seed=s_abc,
        progress=progress,
    )
    rng = np.random.default_rng(s_pred)
    draws = result.resample(n_predictive or n_particles, rng)
    out = problem.simulate(draws, rng)
    return Calibration(problem, result, out, seed)


def bundled_posterior_path() -> Path:
    """The posterior shipped with coopgov (``coopgov/data/posterior/history.parquet``).

    Calibrated on every bundled observation with the ``coopgov calibrate``
    defaults; regenerated by ``scripts/build_posterior.py``, which also
    writes ``history.json`` beside it (how it was made).
    """
    from importlib import resources

    return Path(str(resources.files("coopgov") / "data" / "posterior" / "history.parquet"))


def load_posterior(path: str | Path) -> pd.DataFrame:
    """Posterior draws saved by ``coopgov calibrate --out DIR`` (a folder or the Parquet file).

    Returns a DataFrame with one column per parameter and a ``weight``
    column (normalised to sum 1).

    Raises
    ------
    InputError
        When the file is missing, has no parameter column, names an
        undeclared parameter, or has a negative, non-finite or all-zero weight.
    """
    from coopgov.model.parameters import PARAMETER_INFO

    path = Path(path)
    f = path / POSTERIOR_FILE if path.is_dir() else path
    if not f.exists():
        raise InputError("no such posterior file", file=f)
    try:
        frame = pd.read_parquet(f)
    except Exception as exc:  # noqa: BLE001 - report any unreadable file the same way
        raise InputError(f"not a readable Parquet file: {exc}", file=f) from None
    if "weight" not in frame.columns:
        frame["weight"] = 1.0
    params = [c for c in frame.columns if c not in ("weight", "distance")]
    if not params:
        raise InputError("no parameter column", file=f)
    if frame.empty:
        raise InputError("no posterior draw (the file has no rows)", file=f)
    for c in [*params, "weight"]:
        if c != "weight" and c not in PARAMETER_INFO:
            raise InputError("not a declared parameter", file=f, field=c)
        values = pd.to_numeric(frame[c], errors="coerce").to_numpy(float)
        bad = ~np.isfinite(values)
        if bad.any():
            i = int(bad.nonzero()[0][0])
            raise InputError(
                "not a finite number", file=f, row=i + 1, field=c, value=frame[c].iloc[i]
            )
        if c == "weight":
            continue
        lo, hi = PARAMETER_INFO[c].bounds
        bad = (values < lo) | (values > hi)
        if bad.any():
            # the declared bounds are the calibration's priors: a posterior draw cannot leave them
            i = int(bad.nonzero()[0][0])
            raise InputError(
                f"outside the declared bounds [{lo:g}, {hi:g}]",
                file=f,
                row=i + 1,
                field=c,
                value=frame[c].iloc[i],
            )
        frame[c] = values
    w = pd.to_numeric(frame["weight"], errors="coerce").to_numpy(float)
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        i = int(bad.nonzero()[0][0])
        raise InputError(
            "weight must be a finite number >= 0", file=f, row=i + 1, field="weight", value=w[i]
        )
    if w.sum() <= 0:
        raise InputError("all weights are zero", file=f, field="weight")
    out = frame[params].copy()
    out["weight"] = w / w.sum()
    return out.reset_index(drop=True)


def posterior_parameter_sets(draws: pd.DataFrame, n: int, *, seed: int = 0, base=None) -> list:
    """``n`` :class:`~coopgov.model.parameters.ModelParameters` drawn from a posterior by weight.

    Parameters
    ----------
    draws : DataFrame
        From :func:`load_posterior`.
    n : int
        Number of parameter sets.
    seed : int
        Seed of the systematic resampling.
    base : mapping, optional
        Values of the parameters the posterior does not hold (default: the
        declared defaults), e.g. a scenario's ``model_parameters``.

    Notes
    -----
    ``lever_efficacy`` is carried in the sets; a run that uses it must
    scale its lever intensities (:func:`coopgov.calibration.problem.scaled_intensity`).
    """
    from coopgov.model.parameters import ModelParameters

    sample = resample_posterior(draws, n, seed=seed)
    cols = list(sample.columns)
    values = sample.to_numpy(float)
    start = dict(base) if base is not None else {}
    return [ModelParameters({**start, **dict(zip(cols, row, strict=True))}) for row in values]


def resample_posterior(draws: pd.DataFrame, n: int, *, seed: int = 0) -> pd.DataFrame:
    """``n`` equally weighted draws from a weighted posterior (systematic resampling).

    Parameters
    ----------
    draws : DataFrame
        From :func:`load_posterior`: one column per parameter and ``weight``.
    n : int
        Number of draws.
    seed : int
        Seed of the resampling offset and of the shuffle of the result.

    Returns
    -------
    DataFrame
        ``n`` rows, the parameter columns only (no ``weight``, no
        ``distance``), in random order, index ``0..n-1``;
        ``attrs["particle"]`` lists the row of ``draws`` each came from.

    Notes
    -----
    Systematic resampling (Kitagawa 1996, *J. Comput. Graph. Stat.* 5(1), 1-25):
    one uniform offset ``u``, draws at the weighted CDF's ``(u + k) / n``.
    """
    if n < 1:
        raise InputError("must be >= 1", field="n", value=n)
    cols = [c for c in draws.columns if c not in ("weight", "distance")]
    w = draws["weight"].to_numpy(float) if "weight" in draws else np.ones(len(draws))
    cdf = np.cumsum(w / w.sum())
    cdf[-1] = 1.0
    rng = np.random.default_rng(seed)
    idx = rng.permutation(np.searchsorted(cdf, (rng.random() + np.arange(n)) / n))
    out = draws[cols].iloc[idx].reset_index(drop=True).astype(float)
    out.attrs["particle"] = idx.tolist()
    return out


def posterior_summary(draws: pd.DataFrame) -> pd.DataFrame:
    """Weighted 5/50/95 % quantiles of each posterior parameter against its prior.

    Parameters
    ----------
    draws : DataFrame
        From :func:`load_posterior`.

    Returns
    -------
    DataFrame
        One row per parameter: ``parameter``, ``unit``, ``prior_low``,
        ``prior_high`` (the declared bounds, the calibration's uniform
        prior), ``q05``, ``q50``, ``q95``, ``width_ratio`` (90 % posterior
        width over 90 % prior width) and ``identified`` (``width_ratio <=``
        :data:`IDENTIFIED_RATIO`), as in :meth:`Calibration.identifiability`.
    """
    from coopgov.model.parameters import PARAMETER_INFO

    w = draws["weight"].to_numpy(float) if "weight" in draws else np.ones(len(draws))
    rows = []
    for name in [c for c in draws.columns if c not in ("weight", "distance")]:
        info = PARAMETER_INFO[name]
        lo, hi = info.bounds
        q = weighted_quantile(draws[name].to_numpy(float), w, QUANTILES)
        ratio = float((q[2] - q[0]) / (0.9 * (hi - lo))) if hi > lo else 0.0
        rows.append(
            {
                "parameter": name,
                "unit": info.unit,
                "prior_low": lo,
                "prior_high": hi,
                "q05": float(q[0]),
                "q50": float(q[1]),
                "q95": float(q[2]),
                "width_ratio": ratio,
                "identified": ratio <= IDENTIFIED_RATIO,
            }
        )
    return pd.DataFrame(rows)
