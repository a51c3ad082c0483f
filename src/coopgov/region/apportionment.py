"""Air transfer against PM2.5 source-apportionment studies: shares, outside term, checks.

A city's PM2.5 comes from three places: its own emissions (*local*), the other
cities of the region (*other_yrd*) and sources outside the region
(*outside_yrd*: the rest of China, long-range transport).  The transfer matrix
``T`` covers the first two; the third is a per-city share ``b_j``
(``Region.outside_share``).  With ``s_j`` the share of j's region-sourced PM2.5
that comes from other cities (:func:`coopgov.region.air.outside_share`)::

    local_j       = (1 - b_j) (1 - s_j)
    other_yrd_j   = (1 - b_j) s_j
    outside_yrd_j = b_j
    yrd_nonlocal_j = s_j

Studies report these per city and season; the bundled table
``air_studies.csv`` holds them with their ranges and sources, and
:func:`compare_with_studies` tells whether the model's shares fall inside.

Seasons map to the kernel's wind regimes (:data:`SEASON_WINTER_WEIGHT`):
winter = the north-westerly winter monsoon alone, summer = the south-easterly
summer monsoon alone, spring, autumn and the annual mean = half of each
(assumption).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import minimize_scalar

from coopgov.errors import InputError
from coopgov.region.air import air_transfer_matrix, outside_share
from coopgov.tabular import read_rows

__all__ = [
    "OUTSIDE_WARM_MEAN",
    "OUTSIDE_WINTER_RANGE",
    "PRIMARY_SHARE",
    "QUANTITIES",
    "SEASON_WINTER_WEIGHT",
    "SECONDARY_LENGTH_RATIO",
    "STUDY_COLUMNS",
    "apportion",
    "calibrate_to_studies",
    "compare_with_studies",
    "model_shares",
    "outside_yrd_shares",
    "read_air_studies",
]

#: Share of PM2.5 mass that is primary [-]: 1 - 0.635, the secondary share of
#: PM2.5 in the cities of southern China (which include the YRD) over
#: 2014-2018, Zhang H. et al. (2022), Atmos. Chem. Phys. 22, 5495-5514,
#: doi:10.5194/acp-22-5495-2022 (abstract: "SPM accounted for 63.5 % of the
#: PM2.5 in cities in southern China").  Consistent with Shanghai,
#: Nov-Dec 2018: secondary sources 62.5 % of PM2.5 (Li R. et al. 2020, Atmos.
#: Chem. Phys. 20, 12047, doi:10.5194/acp-20-12047-2020).
PRIMARY_SHARE: float = 1.0 - 0.635

#: Secondary-to-primary transport length ratio [-]: Gong et al. (2021), Sci.
#: Total Environ. 779, 146619: the cities within 92 km contribute 60 % of the
#: primary PM2.5, within 515 km 60 % of the secondary PM2.5.  For the
#: exponential kernel the radius holding a given fraction scales with the
#: length, so the lengths stand in the same ratio.
SECONDARY_LENGTH_RATIO: float = 515.0 / 92.0

#: Range of the winter share of PM2.5 transported from outside the YRD [-]:
#: "long-distance transfer from outside of the YRD region in winter
#: (38.5 %-52.6 %)", Shanghai, Hangzhou, Nanjing and Hefei, CMAQ-ISAM, 2018
#: (Sourcing PM2.5 in cities in the Yangtze River Delta by CMAQ-ISAM,
#: J. Beijing Normal Univ. (Nat. Sci.), doi:10.12202/j.0476-0301.2021019).
OUTSIDE_WINTER_RANGE: tuple[float, float] = (0.385, 0.526)

#: Mean share of PM2.5 from outside the YRD over the 41 cities in the warm
#: season [-]: 24.8 %, Gong et al. (2021), 17 May-17 June 2018.
OUTSIDE_WARM_MEAN: float = 0.248

#: Weight of the winter wind regime per season (assumption: spring, autumn and
#: the annual mean take half of each regime).
SEASON_WINTER_WEIGHT: dict[str, float] = {
    "winter": 1.0,
    "summer": 0.0,
    "spring": 0.5,
    "autumn": 0.5,
    "annual": 0.5,
}

#: The shares a study can report (fractions of the receptor's PM2.5, except
#: ``yrd_nonlocal``: fraction of its region-sourced PM2.5).
QUANTITIES: tuple[str, ...] = ("local", "other_yrd", "outside_yrd", "yrd_nonlocal")

#: Columns of ``air_studies.csv``.  ``scope``: ``city`` (the row's adcode),
#: ``mean`` (mean over the region's cities, adcode 0) or ``each`` (every city,
#: adcode 0).  ``role``: ``calibration`` (fitted) or ``check``.
STUDY_COLUMNS: tuple[str, ...] = (
    "study",
    "scope",
    "adcode",
    "city",
    "season",
    "quantity",
    "value",
    "low",
    "high",
    "role",
    "period",
    "method",
    "source",
    "note",
)


def read_air_studies(path: str | Path) -> pd.DataFrame:
    """Read and check a table of source-apportionment results.

    Parameters
    ----------
    path : str or Path
        CSV file with :data:`STUDY_COLUMNS` (``#`` lines are comments).

    Returns
    -------
    pandas.DataFrame
        One row per reported share; ``value``, ``low``, ``high`` as floats
        (``value`` NaN when the study gives only a range).  ``attrs["file"]``
        and ``attrs["lines"]`` keep the file and each row's line in it.

    Raises
    ------
    InputError
        Missing column, unknown scope, season, quantity or role, a share
        outside [0, 1], ``low > high``, a value outside its range, or an
        empty source; naming file, row (the line of the file: header or
        comment is line 1, comment and blank lines count), field and value.
    """
    path = Path(path)
    raw = read_rows(path)  # rows numbered as lines of the file (coopgov.tabular)
    df = pd.DataFrame(list(raw.rows), columns=list(raw.header), dtype=str)
    lines = [int(x) for x in raw.row_numbers]
    missing = [c for c in STUDY_COLUMNS if c not in df.columns]
    if missing:
        raise InputError(
            f"missing column(s) {', '.join(missing)}",
            file=path,
            row=raw.header_row,
            field=missing[0],
        )
    allowed = {
        "scope": ("city", "mean", "each"),
        "season": tuple(SEASON_WINTER_WEIGHT),
        "quantity": QUANTITIES,
        "role": ("calibration", "check"),
    }
    out = df.copy()
    for k, r in zip(lines, df.itertuples(index=False), strict=True):
        for col, ok in allowed.items():
            v = getattr(r, col).strip()
            if v not in ok:
                raise InputError(
                    f"must be one of {', '.join(ok)}", file=path, row=k, field=col, value=v
                )
        if not r.source.strip():
            raise InputError(
                "every row needs a source", file=path, row=k, field="source", value=r.source
            )
        nums: dict[str, float] = {}
        for col in ("value", "low", "high"):
            raw = getattr(r, col).strip()
            if col == "value" and raw == "":
                nums[col] = math.nan
                continue
            try:
                v = float(raw)
            except ValueError:
                raise InputError("not a number", file=path, row=k, field=col, value=raw) from None
            if not 0.0 <= v <= 1.0:
                raise InputError("share must lie in [0, 1]", file=path, row=k, field=col, value=raw)
            nums[col] = v
        if nums["low"] > nums["high"]:
            raise InputError("low exceeds high", file=path, row=k, field="low", value=r.low)
        if not math.isnan(nums["value"]) and not nums["low"] <= nums["value"] <= nums["high"]:
            raise InputError(
                "value outside [low, high]", file=path, row=k, field="value", value=r.value
            )
        try:
            code = int(r.adcode)
        except ValueError:
            raise InputError(
                "not an integer", file=path, row=k, field="adcode", value=r.adcode
            ) from None
        if (r.scope == "city") != (code != 0):
            raise InputError(
                "scope city needs an adcode; mean and each need adcode 0",
                file=path,
                row=k,
                field="adcode",
                value=r.adcode,
            )
    for col in ("value", "low", "high"):
        out[col] = pd.to_numeric(out[col].replace("", np.nan))
    out["adcode"] = out["adcode"].astype(np.int64)
    out.attrs["file"] = str(path)
    out.attrs["lines"] = lines
    return out


def outside_yrd_shares(
    footprint_winter: ArrayLike,
    *,
    winter_range: tuple[float, float] = OUTSIDE_WINTER_RANGE,
    warm_mean: float = OUTSIDE_WARM_MEAN,
    annual_winter_weight: float = SEASON_WINTER_WEIGHT["annual"],
) -> dict[str, NDArray[np.float64]]:
    r"""Share of each city's PM2.5 transported from outside the region.

    Parameters
    ----------
    footprint_winter : array_like, shape (N,)
        Share of each city's winter-regime kernel footprint on land outside
        the region [-] (:func:`coopgov.region.air.kernel_footprint`).
    winter_range : tuple of float
        Published range of the winter outside share [-]
        (:data:`OUTSIDE_WINTER_RANGE`).
    warm_mean : float
        Published mean outside share of the cities in the warm season [-]
        (:data:`OUTSIDE_WARM_MEAN`).
    annual_winter_weight : float
        Weight of winter in the annual mean [-].

    Returns
    -------
    dict
        ``winter``, ``summer`` (warm season) and ``annual`` arrays, shape (N,) [-].

    Notes
    -----
    The studies give the level (a range in winter, a regional mean in the
    warm season); the footprint gives the pattern (cities on the north-west
    edge, upwind in winter, receive more).  Rule (assumption), with
    :math:`f` the footprint:

    .. math::

        b^w_j = b^w_{lo} + (b^w_{hi} - b^w_{lo})
                \frac{f_j - \min f}{\max f - \min f},\qquad
        b^s_j = \bar b^s\,\frac{b^w_j}{\overline{b^w}},\qquad
        b_j = w\,b^w_j + (1 - w)\,b^s_j .

    So every winter share lies in the published winter range, the warm
    shares average the published warm mean, and the warm season keeps the
    winter pattern (a simplification: the summer monsoon comes from the sea).
    """
    f = np.asarray(footprint_winter, dtype=float)
    if f.ndim != 1 or f.size == 0 or not np.all(np.isfinite(f)) or np.any(f < 0):
        raise InputError(
            "footprints must be a non-empty 1-D array of finite values >= 0",
            field="footprint_winter",
        )
    lo, hi = winter_range
    if not 0.0 <= lo <= hi < 1.0:
        raise InputError("need 0 <= low <= high < 1", field="winter_range", value=winter_range)
    if not 0.0 <= warm_mean < 1.0:
        raise InputError("must lie in [0, 1)", field="warm_mean", value=warm_mean)
    if not 0.0 <= annual_winter_weight <= 1.0:
        raise InputError(
            "must lie in [0, 1]", field="annual_winter_weight", value=annual_winter_weight
        )
    span = f.max() - f.min()
    x = (f - f.min()) / span if span > 0 else np.full(f.size, 0.5)
    winter = lo + (hi - lo) * x
    summer = warm_mean * winter / winter.mean()
    if np.any(summer >= 1.0):
        raise InputError(
            "warm-season shares reach 1: warm_mean too high for the pattern",
            field="warm_mean",
            value=warm_mean,
        )
    annual = annual_winter_weight * winter + (1.0 - annual_winter_weight) * summer
    return {"winter": winter, "summer": summer, "annual": annual}


def apportion(
    transfer: ArrayLike, emissions: ArrayLike, outside: ArrayLike
) -> dict[str, NDArray[np.float64]]:
    """Local, other-region, outside-region and region-only non-local shares per city.

    Parameters
    ----------
    transfer : array_like, shape (N, N)
        ``T[i, j]`` [-].
    emissions : array_like, shape (N,)
        Source emissions [t/yr].
    outside : array_like, shape (N,)
        Share of each city's PM2.5 from outside the region, ``b_j`` [-].

    Returns
    -------
    dict
        Arrays ``local``, ``other_yrd``, ``outside_yrd``, ``yrd_nonlocal``
        (see the module docstring) [-]; the first three sum to one.
    """
    b = np.asarray(outside, dtype=float)
    s = outside_share(transfer, emissions)
    return {
        "local": (1.0 - b) * (1.0 - s),
        "other_yrd": (1.0 - b) * s,
        "outside_yrd": b.copy(),
        "yrd_nonlocal": s,
    }


def model_shares(
    lon: ArrayLike,
    lat: ArrayLike,
    area_km2: ArrayLike,
    emissions: ArrayLike,
    kernel: Mapping[str, float],
    outside: Mapping[str, ArrayLike],
) -> dict[str, dict[str, NDArray[np.float64]]]:
    """The model's shares per season (see :func:`apportion`).

    Parameters
    ----------
    lon, lat, area_km2 : array_like, shape (N,)
        Centroids [degrees] and areas [km^2].
    emissions : array_like, shape (N,)
        Air emissions weighting the sources [t/yr].
    kernel : mapping
        :func:`coopgov.region.air.air_transfer_matrix` parameters (its
        ``winter_weight`` is replaced per season).
    outside : mapping
        ``winter``, ``summer`` and ``annual`` outside shares [-]
        (:func:`outside_yrd_shares`); spring and autumn take ``annual``.

    Returns
    -------
    dict
        season → quantity → array (N,) [-].
    """
    params = {k: v for k, v in kernel.items() if k != "winter_weight"}
    out: dict[str, dict[str, NDArray[np.float64]]] = {}
    for season, w in SEASON_WINTER_WEIGHT.items():
        t = air_transfer_matrix(lon, lat, area_km2, winter_weight=w, **params)
        b = (
            outside["winter"]
            if season == "winter"
            else (outside["summer"] if season == "summer" else outside["annual"])
        )
        out[season] = apportion(t, emissions, b)
    return out


def compare_with_studies(
    shares: Mapping[str, Mapping[str, ArrayLike]], adcodes: ArrayLike, studies: pd.DataFrame
) -> pd.DataFrame:
    """Model value beside each study row, and whether it lies in the row's range.

    Parameters
    ----------
    shares : mapping
        season → quantity → array (N,) [-] (:func:`model_shares`).
    adcodes : array_like of int, shape (N,)
        City adcodes in row order.
    studies : pandas.DataFrame
        :func:`read_air_studies` output.

    Returns
    -------
    pandas.DataFrame
        One row per (study row, city): the study columns, ``model_adcode``,
        ``model`` [-] and ``inside`` (bool).  A ``mean`` row compares the
        mean over the cities; an ``each`` row yields one line per city.

    Raises
    ------
    InputError
        A ``city`` row whose adcode is not a city of the region, naming the
        file and the row's line in it for a table from :func:`read_air_studies`
        (else the 1-based record).
    """
    codes = [int(a) for a in np.asarray(adcodes)]
    index = {a: k for k, a in enumerate(codes)}
    rows: list[dict[str, Any]] = []
    lines = studies.attrs.get("lines")
    file = studies.attrs.get("file")
    if lines is None or len(lines) != len(studies):  # not as read: name the record (1-based)
        lines, file = list(range(1, len(studies) + 1)), None
    for k, r in zip(lines, studies.itertuples(index=False), strict=True):
        vals = np.asarray(shares[r.season][r.quantity], dtype=float)
        if r.scope == "city":
            if int(r.adcode) not in index:
                raise InputError(
                    "adcode is not a city of the region",
                    file=file,
                    row=k,
                    field="adcode",
                    value=int(r.adcode),
                )
            pairs = [(int(r.adcode), float(vals[index[int(r.adcode)]]))]
        elif r.scope == "mean":
            pairs = [(0, float(vals.mean()))]
        else:
            pairs = [(a, float(vals[i])) for a, i in index.items()]
        for code, v in pairs:
            rec = r._asdict()
            rec.update(model_adcode=code, model=v, inside=bool(r.low - 1e-9 <= v <= r.high + 1e-9))
            rows.append(rec)
    return pd.DataFrame(rows)


def calibrate_to_studies(
    lon: ArrayLike,
    lat: ArrayLike,
    area_km2: ArrayLike,
    emissions: ArrayLike,
    adcodes: ArrayLike,
    studies: pd.DataFrame,
    kernel: Mapping[str, float],
    outside_of_length: Any,
    *,
    bounds_km: tuple[float, float] = (2.0, 400.0),
) -> tuple[float, pd.DataFrame]:
    r"""Primary transport length that best fits the studies' shares.

    Parameters
    ----------
    lon, lat, area_km2, emissions, adcodes : array_like, shape (N,)
        As in :func:`model_shares` and :func:`compare_with_studies`.
    studies : pandas.DataFrame
        :func:`read_air_studies` output; rows of both roles enter the fit.
    kernel : mapping
        Other kernel parameters (``length_km`` is fitted).
    outside_of_length : callable
        ``length_km -> {"winter", "summer", "annual"}`` outside shares (the
        footprint depends on the length).
    bounds_km : tuple of float
        Search interval of the primary length [km].

    Returns
    -------
    tuple
        The length [km] and :func:`compare_with_studies` at that length.

    Notes
    -----
    Minimises :math:`\sum_r ((m_r - c_r) / h_r)^2` over the study rows, with
    :math:`c_r` the row's reported value (the range midpoint when only a
    range is reported), :math:`h_r` its half-width (at least 0.01) and
    :math:`m_r` the model (for ``each`` rows, the mean of the per-city
    terms), a bounded scalar search on :math:`\log L`.
    """
    params = {k: v for k, v in kernel.items() if k != "length_km"}
    centre = studies["value"].fillna((studies["low"] + studies["high"]) / 2).to_numpy()
    half = np.maximum((studies["high"] - studies["low"]).to_numpy() / 2, 0.01)

    def table(length: float) -> pd.DataFrame:
        shares = model_shares(
            lon,
            lat,
            area_km2,
            emissions,
            {**params, "length_km": length},
            outside_of_length(length),
        )
        return compare_with_studies(shares, adcodes, studies)

    def cost(log_length: float) -> float:
        cmp = table(math.exp(log_length))
        key = (
            cmp[["study", "scope", "adcode", "season", "quantity"]]
            .astype(str)
            .agg("|".join, axis=1)
        )
        cmp = cmp.assign(key=key)
        z = 0.0
        for _, grp in cmp.groupby("key", sort=False):
            r = grp.iloc[0]
            j = int(
                np.flatnonzero(
                    (studies["study"] == r["study"]).to_numpy()
                    & (studies["scope"] == r["scope"]).to_numpy()
                    & (studies["adcode"] == r["adcode"]).to_numpy()
                    & (studies["season"] == r["season"]).to_numpy()
                    & (studies["quantity"] == r["quantity"]).to_numpy()
                )[0]
            )
            z += float((((grp["model"] - centre[j]) / half[j]) ** 2).mean())
        return z

    res = minimize_scalar(
        cost,
        bounds=(math.log(bounds_km[0]), math.log(bounds_km[1])),
        method="bounded",
        options={"xatol": 1e-5},
    )
    length = float(math.exp(res.x))
    return length, table(length)
