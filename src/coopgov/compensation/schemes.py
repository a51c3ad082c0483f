"""Compensation from measurement tables: who pays whom how much.

:func:`xinan_compensation` applies a two-way bet (Xin'an type) to the
samples of its border section; :func:`per_tonne_compensation` applies a
per-tonne scheme (Jiangsu type) to period records of sections.  Both return
a payments table with the columns ``payer``, ``payee``, ``amount`` (yuan)
and context; the ``*_assessment`` functions return the intermediate tables
too.  The arithmetic is the array functions of :mod:`.bet` and
:mod:`.per_tonne`, so a simulation and this table-level code can never
disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from coopgov.compensation.bet import banded_transfer, bet_index, bet_transfer
from coopgov.compensation.config import (
    BetScheme,
    PerTonneScheme,
    SectionInfo,
    load_preset,
    load_scheme,
)
from coopgov.compensation.measurements import parse_contributions, read_measurements
from coopgov.compensation.per_tonne import (
    PriceTiers,
    exceedance_multiple,
    excess_load,
    per_tonne_payment,
    split_by_contribution,
)
from coopgov.errors import InputError

__all__ = [
    "PAYMENT_COLUMNS",
    "XinanResult",
    "PerTonneResult",
    "xinan_assessment",
    "xinan_compensation",
    "per_tonne_assessment",
    "per_tonne_compensation",
    "table_records",
]

#: Columns every payments table starts with.
PAYMENT_COLUMNS = ["payer", "payee", "amount"]

SECONDS_PER_DAY = 86_400


@dataclass(frozen=True)
class XinanResult:
    """Outcome of a bet assessment.

    Attributes
    ----------
    scheme : BetScheme
        The scheme applied.
    payments : pandas.DataFrame
        ``payer, payee, amount`` [yuan], ``kind`` ("bet" or "central"),
        ``round``, ``year``, ``P``, ``section``.  No row for a zero amount.
    index : pandas.DataFrame
        Per year: ``year, P, k0, transfer`` (signed yuan, positive =
        downstream pays upstream), ``direction``.
    factors : pandas.DataFrame
        Per year and factor: ``annual_mean`` and ``baseline`` [mg/L],
        ``weight``, ``ratio`` (C/C0), ``term`` (k0 k_i C/C0), ``n_samples``.
    ignored_factors : list of str
        Factors in the table that the scheme does not assess.
    """

    scheme: BetScheme
    payments: pd.DataFrame
    index: pd.DataFrame
    factors: pd.DataFrame
    ignored_factors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PerTonneResult:
    """Outcome of a per-tonne assessment.

    Attributes
    ----------
    scheme : PerTonneScheme
        The scheme applied.
    payments : pandas.DataFrame
        ``payer, payee, amount`` [yuan] and ``section``, one row per
        (section, payer, payee) with a positive amount.
    records : pandas.DataFrame
        Per input row: ``row, section, date, factor, concentration, target``
        [mg/L], ``seconds``, ``exceedance_multiple``, ``tier`` (1-based, 0 if
        the target is met), ``unit_price`` [yuan/t], ``excess_load_t`` [t],
        ``payment`` [yuan], ``payee``.
    totals : pandas.DataFrame
        ``payer, payee, amount`` summed over sections.
    ignored_factors : list of str
        Factors in the table that the scheme does not price.
    """

    scheme: PerTonneScheme
    payments: pd.DataFrame
    records: pd.DataFrame
    totals: pd.DataFrame
    ignored_factors: list[str] = field(default_factory=list)


def _scheme_of(scheme: Any, expected: type) -> Any:
    if isinstance(scheme, Path) or (isinstance(scheme, str) and scheme.endswith(".toml")):
        scheme = load_scheme(scheme)
    elif isinstance(scheme, str):
        scheme = load_preset(scheme)
    if not isinstance(scheme, expected):
        kind = "bet" if expected is BetScheme else "per_tonne"
        raise InputError(
            f"this computation needs a scheme with scheme = {kind!r}",
            field="scheme",
            value=getattr(scheme, "name", repr(scheme)),
        )
    return scheme


def xinan_assessment(
    measurements: str | Path | pd.DataFrame,
    scheme: BetScheme | str | Path,
    year: int | None = None,
) -> XinanResult:
    """Assess a Xin'an-type water-quality bet on a table of section samples.

    Parameters
    ----------
    measurements : str, Path or pandas.DataFrame
        Samples at the border section (columns ``section, date, factor,
        value[, unit]``; see :mod:`coopgov.compensation.measurements`), in
        mg/L.  Baseline-year rows give C_i0 when the scheme has no explicit
        baseline.
    scheme : BetScheme, str or Path
        Scheme, a preset name such as ``"xinan-round1"``, or a TOML file.
    year : int, optional
        Assessment year; default every year of the round present in the table.

    Returns
    -------
    XinanResult
        Payments, the index per year and the factor terms.

    Raises
    ------
    coopgov.errors.InputError
        An unknown section; a year outside the round; no baseline for an
        assessed factor; no samples of an assessed factor in a year; any
        bad row (see :func:`~coopgov.compensation.measurements.read_measurements`).

    Notes
    -----
    C_i is the arithmetic mean of the year's samples (twice a month at the
    Jiekou section, ``docs/compensation.md``), C_i0 the mean of the baseline
    years' samples, and P = k0 Σ k_i C_i / C_i0 (:func:`~.bet.bet_index`);
    P <= threshold: downstream pays upstream (:func:`~.bet.bet_transfer`).

    Examples
    --------
    Round 1 on the bundled synthetic Jiekou samples: P <= 1 in 2012 and 2014
    (Zhejiang pays Anhui 100 million yuan), P > 1 in 2013 (Anhui pays).

    >>> from coopgov.compensation import example_path
    >>> r = xinan_assessment(example_path("xinan"), "xinan-round1")
    >>> [(int(y), round(float(p), 3)) for y, p in zip(r.index["year"], r.index["P"])]
    [(2012, 0.81), (2013, 1.048), (2014, 0.764)]
    >>> bet = r.payments[r.payments["kind"] == "bet"]
    >>> [(a, b, int(x)) for a, b, x in zip(bet["payer"], bet["payee"], bet["year"])]
    [('Zhejiang', 'Anhui', 2012), ('Anhui', 'Zhejiang', 2013), ('Zhejiang', 'Anhui', 2014)]
    """
    sch: BetScheme = _scheme_of(scheme, BetScheme)
    table = read_measurements(measurements, kind="xinan")
    file = table.attrs.get("file")
    _check_sections(table, sch, file)
    years = _assessment_years(table, sch, year, file)
    assessed = sorted(
        {f for w in [sch.weights, *sch.weights_by_year.values()] for f, v in w.items() if v > 0}
    )
    ignored = sorted(set(table["factor"]) - set(assessed))
    baseline = _baseline(table, sch, assessed, file)
    conc, weights, count_of = _annual_means(table, sch, years, assessed, file)
    c0 = np.array([baseline[f] for f in assessed])
    k0 = np.array([sch.k0_for(y) for y in years])
    p = bet_index(conc, c0, weights, k0)
    transfer = _bet_transfers(sch, p)
    return XinanResult(
        sch,
        _bet_payments(sch, years, p, transfer),
        _bet_index_table(years, p, k0, transfer),
        _bet_factor_table(years, assessed, conc, c0, weights, k0, count_of),
        ignored,
    )


def _check_sections(table: pd.DataFrame, sch: BetScheme, file: str | None) -> None:
    """Refuse a sample taken at a section the scheme does not assess (first such row)."""
    unknown = ~table["section"].map(sch.matches_section).to_numpy(dtype=bool)
    if unknown.any():
        i = int(np.argmax(unknown))
        raise InputError(
            f"unknown section: scheme {sch.name!r} assesses {sch.section!r}",
            file=file,
            row=int(table["row"].iat[i]),
            field="section",
            value=table["section"].iat[i],
        )


def _assessment_years(
    table: pd.DataFrame, sch: BetScheme, year: int | None, file: str | None
) -> list[int]:
    """The year asked for (inside the round), else every year of the round in the table."""
    first, last = sch.years
    if year is not None:
        if not first <= year <= last:
            raise InputError(
                f"outside the years of {sch.name!r} ({first}-{last})",
                file=file,
                field="year",
                value=year,
            )
        return [int(year)]
    present = sorted(int(y) for y in table["year"].unique())
    years = [y for y in present if first <= y <= last]
    if not years:
        raise InputError(
            f"no samples in the years of {sch.name!r} ({first}-{last})",
            file=file,
            field="date",
            value=f"{present[0]}-{present[-1]}",
        )
    return years


def _annual_means(
    table: pd.DataFrame, sch: BetScheme, years: list[int], assessed: list[str], file: str | None
) -> tuple[np.ndarray, np.ndarray, dict[tuple[int, str], int]]:
    """Annual mean C_i [mg/L] and weight k_i by (year, factor), and the sample counts.

    A factor weighted in a year must have samples in that year.
    """
    means = table[table["year"].isin(years)].groupby(["year", "factor"])["value_mg_l"]
    mean_of = means.mean().to_dict()
    count_of = means.size().to_dict()
    conc = np.zeros((len(years), len(assessed)))
    weights = np.zeros((len(years), len(assessed)))
    for a, y in enumerate(years):
        w_year = sch.weights_for(y)
        for b, f in enumerate(assessed):
            weights[a, b] = w_year.get(f, 0.0)
            if weights[a, b] <= 0:
                continue
            if (y, f) not in mean_of:
                raise InputError(
                    f"no samples of {f} at {sch.section} in {y}",
                    file=file,
                    field="factor",
                    value=f,
                )
            conc[a, b] = mean_of[(y, f)]
    return conc, weights, count_of


def _bet_transfers(sch: BetScheme, p: np.ndarray) -> np.ndarray:
    """Signed transfer per year [yuan] (+: downstream pays): banded, or the two-way bet."""
    if sch.bands:
        edges = [float(b.p_max) for b in sch.bands[:-1] if b.p_max is not None]
        return banded_transfer(p, edges, [b.transfer for b in sch.bands])
    return bet_transfer(p, sch.downstream_pays, sch.upstream_pays, sch.threshold)


def _bet_payments(
    sch: BetScheme, years: list[int], p: np.ndarray, transfer: np.ndarray
) -> pd.DataFrame:
    """Payments table: the bet's transfer each year (if any) and the central funds."""
    pay_rows: list[dict[str, Any]] = []
    for a, y in enumerate(years):
        t = float(transfer[a])
        if t > 0:
            payer, payee = sch.downstream, sch.upstream
        else:
            payer, payee = sch.upstream, sch.downstream
        if t != 0:
            pay_rows.append(_payment(payer, payee, abs(t), "bet", sch, y, float(p[a])))
        central = sch.central_for(y)
        if central:
            pay_rows.append(
                _payment(
                    sch.central_government,
                    sch.upstream,
                    float(central),
                    "central",
                    sch,
                    y,
                    float(p[a]),
                )
            )
    return pd.DataFrame(
        pay_rows, columns=[*PAYMENT_COLUMNS, "kind", "round", "year", "P", "section"]
    )


def _bet_index_table(
    years: list[int], p: np.ndarray, k0: np.ndarray, transfer: np.ndarray
) -> pd.DataFrame:
    """Per year: P, k0, the signed transfer and its direction in words."""
    return pd.DataFrame(
        {
            "year": years,
            "P": p,
            "k0": k0,
            "transfer": transfer,
            "direction": [
                "downstream pays upstream"
                if t > 0
                else "upstream pays downstream"
                if t < 0
                else "no transfer"
                for t in transfer
            ],
        }
    )


def _bet_factor_table(
    years: list[int],
    assessed: list[str],
    conc: np.ndarray,
    c0: np.ndarray,
    weights: np.ndarray,
    k0: np.ndarray,
    count_of: dict[tuple[int, str], int],
) -> pd.DataFrame:
    """Per year and factor: annual mean, baseline, weight, C/C0, its term of P, samples."""
    factor_rows = []
    for a, y in enumerate(years):
        for b, f in enumerate(assessed):
            weighted = weights[a, b] > 0
            ratio = conc[a, b] / c0[b] if weighted else np.nan
            factor_rows.append(
                {
                    "year": y,
                    "factor": f,
                    "annual_mean": conc[a, b] if weighted else np.nan,
                    "baseline": c0[b],
                    "weight": weights[a, b],
                    "ratio": ratio,
                    "term": k0[a] * weights[a, b] * ratio if weighted else 0.0,
                    "n_samples": int(count_of.get((y, f), 0)),
                }
            )
    return pd.DataFrame(factor_rows)


def _payment(
    payer: str, payee: str, amount: float, kind: str, sch: BetScheme, year: int, p: float
) -> dict[str, Any]:
    return {
        "payer": payer,
        "payee": payee,
        "amount": amount,
        "kind": kind,
        "round": sch.round,
        "year": year,
        "P": p,
        "section": sch.section,
    }


def _baseline(
    table: pd.DataFrame, sch: BetScheme, assessed: list[str], file: str | None
) -> dict[str, float]:
    out: dict[str, float] = {}
    for f in assessed:
        if f in sch.baseline:
            out[f] = float(sch.baseline[f])
            continue
        if sch.baseline_years is None:
            raise InputError(
                f"missing baseline for {f}: the scheme gives neither baseline.{f} "
                "nor baseline_years",
                file=file,
                field="baseline",
                value=f,
            )
        lo, hi = sch.baseline_years
        sel = table[(table["factor"] == f) & table["year"].between(lo, hi)]
        if sel.empty:
            raise InputError(
                f"missing baseline for {f}: no samples in {lo}-{hi} and no baseline.{f} "
                "in the scheme",
                file=file,
                field="baseline",
                value=f,
            )
        mean = float(sel["value_mg_l"].mean())
        if mean <= 0:
            raise InputError(
                f"baseline of {f} ({lo}-{hi} mean) must be > 0",
                file=file,
                row=int(sel["row"].iat[0]),
                field="baseline",
                value=mean,
            )
        out[f] = mean
    return out


def xinan_compensation(
    measurements: str | Path | pd.DataFrame,
    scheme: BetScheme | str | Path,
    year: int | None = None,
) -> pd.DataFrame:
    """Payments of a Xin'an-type bet: ``payer, payee, amount`` (yuan), round, year, P.

    See :func:`xinan_assessment` for parameters and errors; this returns its
    ``payments`` table.

    Examples
    --------
    >>> from coopgov.compensation import example_path
    >>> pay = xinan_compensation(example_path("xinan"), "xinan-round1", year=2012)
    >>> list(pay.columns[:3])
    ['payer', 'payee', 'amount']
    """
    return xinan_assessment(measurements, scheme, year).payments


def per_tonne_assessment(
    measurements: str | Path | pd.DataFrame,
    scheme: PerTonneScheme | str | Path,
) -> PerTonneResult:
    """Assess per-tonne compensation for exceedance at sections.

    Parameters
    ----------
    measurements : str, Path or pandas.DataFrame
        One row per section, factor and accounting period (columns
        ``section, date, factor, value, flow_m3s[, unit, period_days,
        target, downstream, contributions]``).
    scheme : PerTonneScheme, str or Path
        Scheme, a preset name such as ``"jiangsu-taihu"``, or a TOML file.

    Returns
    -------
    PerTonneResult
        Payments, per-row records and totals.

    Raises
    ------
    coopgov.errors.InputError
        A section with no contributions in the table or the scheme (unknown
        section); the same section, factor and period twice; any bad row.

    Notes
    -----
    Per row: payment = max(C - target, 0) x Q x t x 1e-6 x price (yuan), with
    t the row's ``period_days`` x 86,400 s or the seconds of its calendar
    month (:func:`~.per_tonne.per_tonne_payment`).  Each row's payment is
    rounded to the fen and split among the upstream jurisdictions by
    contribution (:func:`~.per_tonne.split_by_contribution`).

    Examples
    --------
    The Taihu preset on the bundled synthetic section records:

    >>> from coopgov.compensation import example_path
    >>> r = per_tonne_assessment(example_path("per-tonne"), "jiangsu-taihu")
    >>> len(r.records), sorted(set(r.totals["payee"]))
    (72, ['City C'])
    >>> bool(abs(r.totals["amount"].sum() - r.records["payment"].sum()) < 0.05)  # split, not lost
    True
    """
    sch: PerTonneScheme = _scheme_of(scheme, PerTonneScheme)
    table = read_measurements(measurements, kind="per_tonne")
    file = table.attrs.get("file")
    ignored = sorted(set(table["factor"]) - set(sch.factors))
    table = _priced_rows(table, sch, file)
    seconds = _period_seconds(table, file)
    targets, payees, shares = _row_rules(table, sch, file)
    conc = table["value_mg_l"].to_numpy(dtype=np.float64)
    flow = table["flow_m3s"].to_numpy(dtype=np.float64)
    multiple = exceedance_multiple(conc, targets)
    payment, unit_price, tier = _price_rows(table, sch, conc, targets, flow, seconds, multiple)
    records = pd.DataFrame(
        {
            "row": table["row"],
            "section": table["section"],
            "date": table["date"],
            "factor": table["factor"],
            "concentration": conc,
            "target": targets,
            "seconds": seconds,
            "exceedance_multiple": multiple,
            "tier": tier,
            "unit_price": unit_price,
            "excess_load_t": excess_load(conc, targets, flow, seconds),
            "payment": payment,
            "payee": payees,
        }
    )
    payments, totals = _split_payments(table, payment, shares, payees)
    return PerTonneResult(sch, payments, records, totals, ignored)


def _priced_rows(table: pd.DataFrame, sch: PerTonneScheme, file: str | None) -> pd.DataFrame:
    """The rows of a factor the scheme prices (there must be some)."""
    table = table[table["factor"].isin(list(sch.factors))].reset_index(drop=True)
    if table.empty:
        raise InputError(
            f"no rows of a factor the scheme prices ({', '.join(sch.factors)})",
            file=file,
            field="factor",
        )
    return table


def _period_seconds(table: pd.DataFrame, file: str | None) -> np.ndarray:
    """Length of each row's accounting period [s]: explicit days, else its calendar month.

    The same section, factor and period twice is refused (first repeated row).
    """
    month_days = table["date"].dt.days_in_month.to_numpy(dtype=np.float64)
    days = np.where(np.isnan(table["period_days"]), month_days, table["period_days"])
    period_key = np.where(
        np.isnan(table["period_days"]),
        table["date"].dt.strftime("%Y-%m"),
        table["date"].dt.strftime("%Y-%m-%d"),
    )
    key = pd.DataFrame({"s": table["section"], "f": table["factor"], "p": period_key})
    dup = key.duplicated().to_numpy()
    if dup.any():
        i = int(np.argmax(dup))
        raise InputError(
            f"section {table['section'].iat[i]!r}, factor {table['factor'].iat[i]} and period "
            f"{period_key[i]} appear twice",
            file=file,
            row=int(table["row"].iat[i]),
            field="date",
            value=str(table["date"].iat[i].date()),
        )
    return days * SECONDS_PER_DAY


def _row_rules(
    table: pd.DataFrame, sch: PerTonneScheme, file: str | None
) -> tuple[np.ndarray, list[str], list[dict[str, float]]]:
    """Target [mg/L], payee and contribution shares of each row.

    Each comes from the row itself, else the scheme's ``[sections.NAME]``,
    else the scheme's default (target of the factor, default payee); a
    section with contributions in neither is unknown.
    """
    targets = np.empty(len(table))
    payees: list[str] = []
    shares: list[dict[str, float]] = []
    for i, r in enumerate(table.itertuples(index=False)):
        info = sch.sections.get(r.section)
        if not np.isnan(r.target):
            targets[i] = r.target
        elif info is not None and r.factor in info.targets:
            targets[i] = info.targets[r.factor]
        else:
            targets[i] = sch.factors[r.factor].target
        shares.append(_row_contributions(r, info, sch, file))
        payees.append(
            r.downstream
            or (info.downstream if info and info.downstream else None)
            or sch.default_payee
        )
    return targets, payees, shares


def _row_contributions(
    r: Any, info: SectionInfo | None, sch: PerTonneScheme, file: str | None
) -> dict[str, float]:
    """Contribution shares of the upstream jurisdictions for one row (row, else scheme)."""
    if r.contributions:
        contrib = parse_contributions(r.contributions, file=file, row=int(r.row))
    elif info is not None and info.contributions:
        contrib = dict(info.contributions)
    else:
        raise InputError(
            "unknown section: no 'contributions' in the table and no "
            f"[sections.{r.section}] in scheme {sch.name!r}",
            file=file,
            row=int(r.row),
            field="section",
            value=r.section,
        )
    if not contrib or sum(contrib.values()) <= 0:
        raise InputError(
            "contribution shares sum to zero",
            file=file,
            row=int(r.row),
            field="contributions",
            value=r.contributions,
        )
    return contrib


def _price_rows(
    table: pd.DataFrame,
    sch: PerTonneScheme,
    conc: np.ndarray,
    targets: np.ndarray,
    flow: np.ndarray,
    seconds: np.ndarray,
    multiple: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Payment [yuan, to the fen], unit price [yuan/t] and 1-based tier of each row."""
    payment = np.zeros(len(table))
    unit_price = np.zeros(len(table))
    tier = np.zeros(len(table), dtype=np.int64)
    factor_col = table["factor"].to_numpy(dtype=object)
    for f, rule in sch.factors.items():
        sel = factor_col == f
        if not sel.any():
            continue
        prices, bounds = rule.price_arrays()
        tiers = PriceTiers(prices, bounds, mode=sch.tier_mode)
        payment[sel] = per_tonne_payment(conc[sel], targets[sel], flow[sel], seconds[sel], tiers)
        unit_price[sel] = tiers.unit_price(multiple[sel])
        tier[sel] = np.where(multiple[sel] > 0, tiers.tier_of(multiple[sel]) + 1, 0)
    return np.round(payment, 2), unit_price, tier


def _split_payments(
    table: pd.DataFrame,
    payment: np.ndarray,
    shares: list[dict[str, float]],
    payees: list[str],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each row's payment split by contribution, summed per (section, payer, payee) and overall."""
    owed: dict[tuple[str, str, str], float] = {}
    for i in (int(j) for j in np.flatnonzero(payment > 0)):
        names = list(shares[i])
        parts = split_by_contribution(payment[i], [shares[i][n] for n in names], decimals=2)
        for name, part in zip(names, parts, strict=True):
            k = (str(table["section"].iat[i]), name, payees[i])
            owed[k] = owed.get(k, 0.0) + float(part)
    pay_rows = [
        {"payer": payer, "payee": payee, "amount": round(amount, 2), "section": section}
        for (section, payer, payee), amount in sorted(owed.items())
        if amount > 0
    ]
    payments = pd.DataFrame(pay_rows, columns=[*PAYMENT_COLUMNS, "section"])
    totals = (
        payments.groupby(["payer", "payee"], as_index=False)["amount"].sum()
        if not payments.empty
        else pd.DataFrame(columns=PAYMENT_COLUMNS)
    )
    if not totals.empty:
        totals["amount"] = totals["amount"].round(2)
    return payments, totals


def per_tonne_compensation(
    measurements: str | Path | pd.DataFrame,
    scheme: PerTonneScheme | str | Path,
) -> pd.DataFrame:
    """Payments of a per-tonne scheme: ``payer, payee, amount`` (yuan), section.

    See :func:`per_tonne_assessment` for parameters and errors.

    Examples
    --------
    >>> from coopgov.compensation import example_path
    >>> pay = per_tonne_compensation(example_path("per-tonne"), "jiangsu-taihu")
    >>> list(pay.columns)
    ['payer', 'payee', 'amount', 'section']
    """
    return per_tonne_assessment(measurements, scheme).payments


def table_records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of a result table as plain dicts (JSON-ready: NaN -> None, NumPy -> Python)."""
    out: list[dict[str, Any]] = []
    for rec in table.to_dict(orient="records"):
        clean: dict[str, Any] = {}
        for k, v in rec.items():
            if isinstance(v, np.generic):
                v = v.item()
            if isinstance(v, float) and not np.isfinite(v):
                v = None
            clean[str(k)] = v
        out.append(clean)
    return out
