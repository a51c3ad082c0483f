"""Analysis of finished experiments: sensitivity, lever rankings, scenario discovery.

* Sobol indices (first, total and second order with bootstrap confidence
  intervals) through SALib for regional outcomes; first and total order for
  every city at once with the same estimators, vectorised over cities
  (Saltelli et al. 2010, Table 2, estimators (b) and (f)).
* Morris elementary effects (μ*, σ) through SALib.
* Lever ranking: each single-lever policy's effect on an outcome against the
  baseline, scenario by scenario, its ranking and how stable the ranking is
  across the uncertainty sample (share of scenarios in which each lever
  ranks first, mean rank, Kendall's W concordance).
* Scenario discovery with PRIM (:mod:`coopgov.experiments.prim`) and
  feature scoring by extremely randomised trees (Geurts et al. 2006, via
  scikit-learn, as EMA Workbench does; when scikit-learn is missing, the
  absolute Spearman rank correlation).
* Per-city breakdown: each lever's effect in each city.

References
----------
.. [1] Saltelli, A., Annoni, P., Azzini, I., Campolongo, F., Ratto, M., &
   Tarantola, S. (2010). Variance based sensitivity analysis of model
   output. Computer Physics Communications, 181(2), 259-270.
.. [2] Morris, M. D. (1991). Technometrics, 33(2), 161-174; Campolongo, F.,
   Cariboni, J., & Saltelli, A. (2007). An effective screening design for
   sensitivity analysis of large models. Environmental Modelling &
   Software, 22(10), 1509-1518 (μ*).
.. [3] Kendall, M. G., & Babington Smith, B. (1939). The problem of m
   rankings. Annals of Mathematical Statistics, 10(3), 275-287.
.. [4] Geurts, P., Ernst, D., & Wehenkel, L. (2006). Extremely randomized
   trees. Machine Learning, 63(1), 3-42.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from coopgov.errors import InputError
from coopgov.experiments.outcomes import city_column
from coopgov.experiments.prim import PrimResult, box_stats, paste_box, prim, simplify_box
from coopgov.experiments.runner import load_manifest, load_results, load_spec_from_results
from coopgov.experiments.sampling import salib_problem, unit_design
from coopgov.experiments.spec import ExperimentSpec
from coopgov.io import atomic_write_text
from coopgov.model.levers import LEVERS

__all__ = [
    "Analysis",
    "sobol_indices",
    "sobol_first_total",
    "morris_indices",
    "lever_ranking",
    "kendall_w",
    "feature_scores",
    "outcome_by_policy",
    "analyze_experiment",
]


@dataclass
class Analysis:
    """Everything :func:`analyze_experiment` computed.

    Attributes
    ----------
    spec : ExperimentSpec
    manifest : dict
    outcome : str
        Main outcome.
    tables : dict of str to DataFrame
        ``sobol``, ``sobol_s2``, ``sobol_city``, ``morris``, ``lever_ranking``,
        ``lever_rank_shares``, ``city_effects``, ``feature_scores``,
        ``prim_trajectory``, ``prim_box`` (those that apply).
    summary : dict
        JSON-serialisable headline figures.
    prim : PrimResult or None
    sample : DataFrame
        A subsample of runs (factors, policy, main outcome) for plots.
    """

    spec: ExperimentSpec
    manifest: dict[str, Any]
    outcome: str
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)
    prim: PrimResult | None = None
    sample: pd.DataFrame | None = None


# --- Sobol -------------------------------------------------------------------


def _saltelli_blocks(y: np.ndarray, d: int, second_order: bool):
    """Split Saltelli-ordered outputs (n·step, ...) into A, AB (n, D, ...), B."""
    step = 2 * d + 2 if second_order else d + 2
    if y.shape[0] % step:
        raise InputError(
            f"{y.shape[0]} outputs do not fit the Saltelli layout of step {step}", field="Y"
        )
    blocks = y.reshape((y.shape[0] // step, step) + y.shape[1:])
    return blocks[:, 0], blocks[:, 1 : d + 1], blocks[:, -1]


def sobol_first_total(
    y: np.ndarray, d: int, *, second_order: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    r"""First- and total-order Sobol indices of many outputs at once.

    Parameters
    ----------
    y : ndarray, shape (n (2D + 2), M) or (n (D + 2), M)
        Outputs in SALib's Saltelli order, one column per output (e.g. per
        city) [any unit].
    d : int
        Number of factors D.
    second_order : bool
        Whether the design was drawn with second-order blocks.

    Returns
    -------
    s1, st : ndarray, shape (M, D)

    Notes
    -----
    After standardising each output (as SALib does), with
    :math:`V = \operatorname{Var}[f(A), f(B)]`:

    .. math::
        S_i = \frac{\frac1n\sum f(B)\,(f(A_B^i) - f(A))}{V},\qquad
        S_{Ti} = \frac{\frac1{2n}\sum (f(A) - f(A_B^i))^2}{V}

    (Saltelli et al. 2010, Table 2 (b); Jansen 1999 for the total effect.)
    """
    y = np.asarray(y, dtype=float)
    if y.ndim == 1:
        y = y[:, None]
    sd = y.std(axis=0)
    z = (y - y.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
    a, ab, b = _saltelli_blocks(z, d, second_order)
    var = np.concatenate([a, b]).var(axis=0)  # (M,)
    var = np.where(var > 0, var, np.nan)
    s1 = (b[:, None, :] * (ab - a[:, None, :])).mean(axis=0) / var  # (D, M)
    st = 0.5 * ((a[:, None, :] - ab) ** 2).mean(axis=0) / var
    return s1.T, st.T


def sobol_indices(
    spec: ExperimentSpec, y: np.ndarray, *, num_resamples: int = 100, seed: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sobol indices of one output with bootstrap confidence intervals (SALib).

    Parameters
    ----------
    spec : ExperimentSpec
        A spec with ``sampler.method = "sobol"``.
    y : ndarray, shape (n_scenarios,)
        The output of each scenario, in design order [any unit].
    num_resamples : int
        Bootstrap resamples for the 95 % confidence intervals.
    seed : int
        Seed of the bootstrap.

    Returns
    -------
    first_total : DataFrame
        Index factor; columns S1, S1_conf, ST, ST_conf.
    second : DataFrame
        Columns factor_i, factor_j, S2, S2_conf (empty without second order).
    """
    from SALib.analyze import sobol as sobol_analyze

    problem = salib_problem(spec)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sobol_analyze.analyze(
            problem,
            np.asarray(y, float),
            calc_second_order=spec.sampler.second_order,
            num_resamples=num_resamples,
            seed=seed,
        )
    names = problem["names"]
    first = pd.DataFrame(
        {"S1": res["S1"], "S1_conf": res["S1_conf"], "ST": res["ST"], "ST_conf": res["ST_conf"]},
        index=pd.Index(names, name="factor"),
    )
    rows = []
    if spec.sampler.second_order:
        for i in range(len(names)):
            for j in range(i + 1, len(names)):
                rows.append((names[i], names[j], res["S2"][i, j], res["S2_conf"][i, j]))
    return first, pd.DataFrame(rows, columns=["factor_i", "factor_j", "S2", "S2_conf"])


def morris_indices(spec: ExperimentSpec, y: np.ndarray, *, seed: int = 0) -> pd.DataFrame:
    """Morris elementary-effect statistics of one output (SALib), per unit range.

    Parameters
    ----------
    spec : ExperimentSpec
        A spec with ``sampler.method = "morris"``.
    y : ndarray, shape (n_scenarios,)
        Output per scenario in design order [any unit].
    seed : int
        Seed of the bootstrap.

    Returns
    -------
    DataFrame
        Index factor; columns mu, mu_star, sigma, mu_star_conf [output unit
        per factor range].
    """
    from SALib.analyze import morris as morris_analyze

    problem = salib_problem(spec)
    res = morris_analyze.analyze(
        problem, unit_design(spec), np.asarray(y, float), num_levels=spec.sampler.levels, seed=seed
    )
    return pd.DataFrame(
        {k: np.asarray(res[k], float) for k in ("mu", "mu_star", "sigma", "mu_star_conf")},
        index=pd.Index(problem["names"], name="factor"),
    )


# --- lever ranking -----------------------------------------------------------


def kendall_w(ranks: np.ndarray) -> float:
    r"""Kendall's coefficient of concordance W of m rankings of k items.

    Parameters
    ----------
    ranks : ndarray, shape (m, k)
        Each row a ranking 1..k (no ties).

    Notes
    -----
    .. math:: W = \frac{12 \sum_j (R_j - \bar R)^2}{m^2 (k^3 - k)},
              \quad R_j = \sum_i r_{ij}

    W = 1 when all m rankings agree, 0 when they cancel out (Kendall &
    Babington Smith 1939).
    """
    ranks = np.asarray(ranks, float)
    m, k = ranks.shape
    if k < 2 or m < 1:
        return float("nan")
    r = ranks.sum(axis=0)
    return float(12.0 * ((r - r.mean()) ** 2).sum() / (m**2 * (k**3 - k)))


def lever_ranking(
    by_policy: pd.DataFrame, *, baseline: str = "baseline", higher_is_better: bool = True
) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Rank single-lever policies by their effect against the baseline, scenario by scenario.

    Parameters
    ----------
    by_policy : DataFrame
        Index scenario, one column per policy (the outcome, e.g. final
        cooperation [1]); must hold ``baseline``.
    baseline : str
        Name of the baseline policy.
    higher_is_better : bool
        Rank 1 = largest effect (True) or smallest (False).

    Returns
    -------
    table : DataFrame
        Per lever: mean effect, sd, 5th/50th/95th percentiles, share of
        scenarios with a positive effect, share ranked first, mean rank;
        sorted by mean effect.
    rank_shares : DataFrame
        Lever × rank: share of scenarios in which the lever takes that rank.
    stability : dict
        ``kendall_w``; ``top_lever`` (by mean effect) and ``top_share`` (share
        of scenarios in which it ranks first); ``mean_spearman`` (mean rank
        correlation of each scenario's ranking with the overall one).
    """
    if baseline not in by_policy.columns:
        raise InputError("lever ranking needs a baseline policy", field="policies.baseline")
    levers = [c for c in by_policy.columns if c != baseline and c in LEVERS]
    if not levers:
        raise InputError(
            "lever ranking needs single-lever policies", field="policies.single_levers"
        )
    effect = by_policy[levers].to_numpy() - by_policy[[baseline]].to_numpy()  # (S, L)
    signed = effect if higher_is_better else -effect
    # rank 1 = best; ties broken by lever order (stable)
    order = np.argsort(-signed, axis=1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(1, len(levers) + 1)[None, :], axis=1)
    table = pd.DataFrame(
        {
            "lever": levers,
            "label": [LEVERS[lv].label_en for lv in levers],
            "mean_effect": effect.mean(axis=0),
            "sd_effect": effect.std(axis=0, ddof=1) if effect.shape[0] > 1 else 0.0,
            "p05": np.percentile(effect, 5, axis=0),
            "median": np.median(effect, axis=0),
            "p95": np.percentile(effect, 95, axis=0),
            "share_positive": (effect > 0).mean(axis=0),
            "share_first": (ranks == 1).mean(axis=0),
            "mean_rank": ranks.mean(axis=0),
            "yearly_cost": [LEVERS[lv].yearly_cost for lv in levers],
        }
    )
    table = table.sort_values(
        "mean_effect", ascending=not higher_is_better, kind="stable"
    ).reset_index(drop=True)
    table.insert(0, "rank", np.arange(1, len(levers) + 1))
    shares = pd.DataFrame(
        {r: (ranks == r).mean(axis=0) for r in range(1, len(levers) + 1)},
        index=pd.Index(levers, name="lever"),
    ).loc[table["lever"]]
    overall = table.set_index("lever")["rank"].loc[levers].to_numpy()
    if len(levers) > 1 and effect.shape[0] > 0:
        rho = np.array([stats.spearmanr(r, overall).statistic for r in ranks])
        mean_rho = float(np.nanmean(rho)) if np.isfinite(rho).any() else float("nan")
    else:
        mean_rho = 1.0
    top = str(table["lever"].iloc[0])
    stability = {
        "kendall_w": kendall_w(ranks),
        "top_lever": top,
        "top_share": float(table["share_first"].iloc[0]),
        "mean_spearman": mean_rho,
        "n_scenarios": int(effect.shape[0]),
    }
    return table, shares, stability


# --- feature scoring -----------------------------------------------------------


def feature_scores(
    x: np.ndarray, y: np.ndarray, names: list[str], *, seed: int = 0, max_rows: int = 20_000
) -> tuple[pd.Series, str]:
    """Score the importance of each factor for an outcome.

    Extremely randomised trees (scikit-learn ``ExtraTreesRegressor``, 100
    trees, ``max_features=0.6`` as EMA Workbench's default; impurity-based
    importances summing to 1).  Without scikit-learn: the absolute Spearman
    correlation, normalised to sum to 1.

    Parameters
    ----------
    x : ndarray, shape (n, D)
        Factor values [factor units].
    y : ndarray, shape (n,)
        Outcome [any unit].
    names : list of str
        Factor names (columns of x).
    seed : int
        Seed of the trees.
    max_rows : int
        Deterministic subsample above this size (speed).

    Returns
    -------
    scores : Series
        Index factor, sorted descending.
    method : str
    """
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    if x.shape[0] > max_rows:
        pick = np.random.default_rng(seed).choice(x.shape[0], max_rows, replace=False)
        x, y = x[pick], y[pick]
    try:
        from sklearn.ensemble import ExtraTreesRegressor

        model = ExtraTreesRegressor(
            n_estimators=100, max_features=0.6, random_state=seed, n_jobs=1, min_samples_leaf=2
        )
        model.fit(x, y)
        scores = model.feature_importances_
        method = "extra-trees (scikit-learn)"
    except ImportError:
        rho = np.array([abs(stats.spearmanr(x[:, j], y).statistic) for j in range(x.shape[1])])
        rho = np.nan_to_num(rho)
        scores = rho / rho.sum() if rho.sum() > 0 else rho
        method = "|Spearman rho| (scikit-learn not installed)"
    return pd.Series(scores, index=pd.Index(names, name="factor")).sort_values(
        ascending=False
    ), method


# --- orchestration -----------------------------------------------------------


def outcome_by_policy(
    out: str | Path, column: str, policies: list[str] | None = None, n_scenarios: int | None = None
) -> pd.DataFrame:
    """One outcome column as a table scenario × policy (mean over replications).

    Parameters
    ----------
    out : str or Path
        Results folder.
    column : str
        Outcome column.
    policies : list of str, optional
        Only these policies (in this order).
    n_scenarios : int, optional
        Checks that every scenario is present (a finished experiment).
    """
    df = load_results(out, columns=["policy", "scenario", column], policies=policies)
    table = df.pivot_table(index="scenario", columns="policy", values=column, aggfunc="mean")
    if n_scenarios is not None and table.shape[0] != n_scenarios:
        raise InputError(
            f"only {table.shape[0]} of {n_scenarios} scenarios finished: "
            "run the experiment to the end first",
            file=str(out),
        )
    if policies is not None:
        table = table[[p for p in policies if p in table.columns]]
    return table


def _city_effects(out: Path, manifest: dict, outcome: str, policies: list[str]) -> pd.DataFrame:
    """Mean effect of each single-lever policy on each city's outcome against the baseline."""
    levers = [p for p in policies if p in LEVERS]
    cols = [city_column(outcome, a) for a in manifest["adcodes"]]
    df = load_results(out, columns=["policy", "scenario", *cols], policies=["baseline", *levers])
    means = df.groupby("policy")[cols].mean()
    eff = means.loc[levers] - means.loc["baseline"]
    eff.columns = manifest["adcodes"]
    eff.index.name = "lever"
    return eff


def _finished(out: Path) -> tuple[dict[str, Any], ExperimentSpec]:
    """Manifest and spec of a results folder; refuses an unfinished experiment."""
    manifest = load_manifest(out)
    spec = load_spec_from_results(out)
    if not manifest.get("complete"):
        raise InputError("the experiment is not finished: run it again to resume", file=str(out))
    return manifest, spec


def _summary_head(spec: ExperimentSpec, manifest: dict[str, Any]) -> dict[str, Any]:
    """What the experiment was: name, sizes, policies, factors, main outcome, sampler."""
    return {
        "name": spec.experiment.name,
        "n_runs": manifest["n_runs"],
        "n_scenarios": manifest["n_scenarios"],
        "policies": manifest["policies"],
        "factors": spec.factor_names(),
        "main_outcome": spec.main_outcome,
        "sampler": spec.sampler.method,
    }


def _main_rows(an: Analysis, table: pd.DataFrame) -> pd.DataFrame:
    """Rows of an index table for the main outcome under the first policy."""
    policy = an.manifest["policies"][0]
    return table[(table["outcome"] == an.outcome) & (table["policy"] == policy)]


def _sobol_step(
    an: Analysis, out: Path, by_policy: dict[str, pd.DataFrame], num_resamples: int
) -> None:
    """Sobol indices of every regional outcome under every policy, and per city."""
    spec, manifest = an.spec, an.manifest
    rows, rows2 = [], []
    for o, table in by_policy.items():
        for p in table.columns:
            first, second = sobol_indices(
                spec, table[p].to_numpy(), num_resamples=num_resamples, seed=spec.sampler.seed
            )
            rows.append(first.reset_index().assign(outcome=o, policy=p))
            rows2.append(second.assign(outcome=o, policy=p))
    an.tables["sobol"] = pd.concat(rows, ignore_index=True)
    an.tables["sobol_s2"] = pd.concat(rows2, ignore_index=True)
    city_outcomes = [o.name for o in spec.outcomes if o.scope in ("city", "both")]
    if city_outcomes:
        an.tables["sobol_city"] = _sobol_city(out, spec, manifest, city_outcomes[0])
    main = _main_rows(an, an.tables["sobol"])
    an.summary["sobol"] = main.set_index("factor")[["S1", "S1_conf", "ST", "ST_conf"]].to_dict(
        orient="index"
    )


def _sobol_city(
    out: Path, spec: ExperimentSpec, manifest: dict[str, Any], outcome: str
) -> pd.DataFrame:
    """First and total Sobol indices of one city outcome in every city (first policy)."""
    adcodes = manifest["adcodes"]
    factor_names = spec.factor_names()
    cols = [city_column(outcome, a) for a in adcodes]
    df = load_results(
        out, columns=["policy", "scenario", *cols], policies=[manifest["policies"][0]]
    )
    y = df.groupby("scenario")[cols].mean().to_numpy()
    s1, st = sobol_first_total(y, len(factor_names), second_order=spec.sampler.second_order)
    table = pd.concat(
        [
            pd.DataFrame(s1, index=adcodes, columns=factor_names)
            .rename_axis("adcode")
            .reset_index()
            .melt("adcode", var_name="factor", value_name="S1"),
            pd.DataFrame(st, index=adcodes, columns=factor_names)
            .rename_axis("adcode")
            .reset_index()
            .melt("adcode", var_name="factor", value_name="ST")["ST"],
        ],
        axis=1,
    )
    table["outcome"] = outcome
    return table


def _morris_step(an: Analysis, by_policy: dict[str, pd.DataFrame]) -> None:
    """Morris elementary effects of every regional outcome under every policy."""
    spec = an.spec
    rows = []
    for o, table in by_policy.items():
        for p in table.columns:
            rows.append(
                morris_indices(spec, table[p].to_numpy(), seed=spec.sampler.seed)
                .reset_index()
                .assign(outcome=o, policy=p)
            )
    an.tables["morris"] = pd.concat(rows, ignore_index=True)
    main = _main_rows(an, an.tables["morris"])
    an.summary["morris"] = main.set_index("factor")[["mu_star", "sigma", "mu_star_conf"]].to_dict(
        orient="index"
    )


def _lever_step(
    an: Analysis, out: Path, by_policy: dict[str, pd.DataFrame], main_scope: str
) -> None:
    """Lever ranking of the main outcome, and each lever's effect per city."""
    table, shares, stability = lever_ranking(by_policy[an.outcome])
    an.tables["lever_ranking"] = table
    an.tables["lever_rank_shares"] = shares.reset_index()
    an.summary["lever_ranking"] = {"table": table.to_dict(orient="records"), **stability}
    if main_scope == "both":
        eff = _city_effects(out, an.manifest, an.outcome, an.manifest["policies"])
        an.tables["city_effects"] = eff
        an.summary["city_best_lever"] = {int(a): str(eff[a].idxmax()) for a in eff.columns}


def _feature_step(an: Analysis, out: Path, main_col: str) -> None:
    """Feature scores of the factors for the main outcome under each policy; a sample."""
    factor_names = an.spec.factor_names()
    policies = an.manifest["policies"]
    frames = []
    sample_rows = []
    method_name = ""
    for p in policies:
        df = load_results(
            out, columns=["policy", "scenario", *factor_names, main_col], policies=[p]
        )
        scores, method_name = feature_scores(
            df[factor_names].to_numpy(),
            df[main_col].to_numpy(),
            factor_names,
            seed=an.spec.sampler.seed,
        )
        frames.append(scores.rename(p))
        take = np.random.default_rng(0).permutation(len(df))[: max(1, 2000 // len(policies))]
        sample_rows.append(df.iloc[np.sort(take)])
    an.tables["feature_scores"] = pd.concat(frames, axis=1).rename_axis("factor").reset_index()
    an.summary["feature_scoring"] = method_name
    an.sample = pd.concat(sample_rows, ignore_index=True)


def _prim_step(an: Analysis, out: Path, main_col: str) -> None:
    """PRIM on the main outcome under the first policy, its simplified and pasted boxes.

    Cases of interest: the main outcome below (or above) the spec's
    threshold, by default its lower (upper) quartile.  Nothing is added when
    every case or none is of interest.
    """
    factor_names = an.spec.factor_names()
    prim_policy = an.manifest["policies"][0]
    df = load_results(out, columns=["policy", *factor_names, main_col], policies=[prim_policy])
    y = df[main_col].to_numpy()
    a = an.spec.analysis
    below = a.prim_direction == "below"
    threshold = (
        a.prim_threshold
        if a.prim_threshold is not None
        else float(np.quantile(y, 0.25 if below else 0.75))
    )
    interest = y < threshold if below else y > threshold
    if not 0 < interest.sum() < len(y):
        return
    xs = df[factor_names].to_numpy()
    res = prim(xs, interest, names=factor_names, alpha=a.prim_alpha, min_mass=a.prim_min_mass)
    an.prim = res
    an.tables["prim_trajectory"] = res.trajectory().rename_axis("step").reset_index()
    an.tables["prim_box"] = res.box()
    _prim_refined_boxes(an, xs, interest, res)
    chosen = res.chosen
    an.summary["prim"] = {
        "policy": prim_policy,
        "outcome": main_col,
        "cases_of_interest": f"{main_col} {'<' if below else '>'} {threshold:.4g}",
        "n_cases": int(interest.sum()),
        "chosen_step": chosen,
        "coverage": float(res.coverage[chosen]),
        "density": float(res.density[chosen]),
        "mass": float(res.mass[chosen]),
        "box": res.box().to_dict(orient="records"),
    }


def _prim_refined_boxes(
    an: Analysis, xs: np.ndarray, interest: np.ndarray, res: PrimResult
) -> None:
    """The chosen PRIM box simplified (needless limits dropped) and pasted back out."""
    factor_names = an.spec.factor_names()
    chosen = res.chosen
    lo_s, hi_s = simplify_box(xs, interest, res.lower[chosen], res.upper[chosen])
    lo_p, hi_p, pastes = paste_box(
        xs, interest, res.lower[chosen], res.upper[chosen], alpha=an.spec.analysis.prim_alpha
    )
    for key, lo_b, hi_b, extra in (
        ("simplified", lo_s, hi_s, {}),
        ("pasted", lo_p, hi_p, {"pastes": pastes}),
    ):
        cov_b, den_b, mass_b = box_stats(xs, interest, lo_b, hi_b)
        table = pd.DataFrame(
            [
                (n, lo_b[j], hi_b[j])
                for j, n in enumerate(factor_names)
                if lo_b[j] > res.lower[0, j] or hi_b[j] < res.upper[0, j]
            ],
            columns=["factor", "low", "high"],
        )
        an.tables[f"prim_box_{key}"] = table
        an.summary[f"prim_{key}"] = {
            "coverage": cov_b,
            "density": den_b,
            "mass": mass_b,
            **extra,
            "box": table.to_dict(orient="records"),
        }


def _write_analysis(an: Analysis, out: Path, report: bool) -> None:
    """Write ``analysis/``: one CSV per table, ``analysis.json`` and the HTML report."""
    folder = out / "analysis"
    for name, table in an.tables.items():
        atomic_write_text(folder / f"{name}.csv", table.to_csv(index=False))
    atomic_write_text(
        folder / "analysis.json", json.dumps(_finite(an.summary), indent=2, default=_json_default)
    )
    if report:
        from coopgov.experiments.report import report_html

        atomic_write_text(folder / "report.html", report_html(an))


def analyze_experiment(
    out: str | Path, *, write: bool = True, report: bool = True, num_resamples: int = 100
) -> Analysis:
    """Analyse a finished experiment and write tables, ``analysis.json`` and ``report.html``.

    The steps, each adding tables and summary entries to the
    :class:`Analysis`: outcome means by policy; Sobol indices (Sobol
    samplers) or Morris effects (Morris samplers); the lever ranking (when
    single-lever policies ran beside the baseline); feature scores and PRIM
    scenario discovery on the main outcome (when factors vary).

    Parameters
    ----------
    out : str or Path
        Results folder of :func:`coopgov.experiments.run_experiment`.
    write : bool
        Write ``analysis/`` (CSV tables and ``analysis.json``, atomically).
    report : bool
        Also write the self-contained HTML report ``analysis/report.html``.
    num_resamples : int
        Bootstrap resamples of the Sobol confidence intervals.

    Returns
    -------
    Analysis
    """
    out = Path(out)
    manifest, spec = _finished(out)
    outcome = spec.main_outcome
    policies = manifest["policies"]
    main_scope = next(o for o in spec.outcomes if o.name == outcome).scope
    main_col = outcome if main_scope != "city" else city_column(outcome, manifest["adcodes"][0])
    an = Analysis(spec=spec, manifest=manifest, outcome=outcome)
    an.summary = _summary_head(spec, manifest)
    regional = [o.name for o in spec.outcomes if o.scope in ("region", "both")]
    by_policy = {o: outcome_by_policy(out, o, policies, manifest["n_scenarios"]) for o in regional}
    an.summary["outcome_means"] = {
        o: {p: float(t[p].mean()) for p in t.columns} for o, t in by_policy.items()
    }
    has_factors = bool(spec.factor_names())
    if spec.sampler.method == "sobol" and has_factors:
        _sobol_step(an, out, by_policy, num_resamples)
    if spec.sampler.method == "morris" and has_factors:
        _morris_step(an, by_policy)
    if "baseline" in policies and any(p in LEVERS for p in policies) and main_scope != "city":
        _lever_step(an, out, by_policy, main_scope)
    if has_factors and main_scope != "city":
        _feature_step(an, out, main_col)
        _prim_step(an, out, main_col)
    if write:
        _write_analysis(an, out, report)
    return an


def _finite(obj: Any) -> Any:
    """Replace non-finite floats by None, recursively (JSON has no NaN)."""
    if isinstance(obj, dict):
        return {str(k): _finite(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_finite(v) for v in obj]
    if isinstance(obj, float | np.floating):
        return float(obj) if np.isfinite(obj) else None
    return obj


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.integer | np.bool_):
        return obj.item()
    if isinstance(obj, np.floating):
        v = float(obj)
        return v if np.isfinite(v) else None
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    raise TypeError(type(obj).__name__)
