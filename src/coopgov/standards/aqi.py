"""Ambient air quality index (AQI) per HJ 633-2012 and HJ 633-2026.

Individual air quality indices (IAQI) are piecewise-linear functions of a
pollutant concentration between the breakpoints of HJ 633 Table 1; the AQI is
the largest IAQI.  Both editions of the standard are implemented; each is one
:class:`AQIEdition` record of the registry :data:`EDITIONS` (tables, report
indicators, extra inputs, rounding, missing-value policy, citation), chosen by
its key with ``standard=`` (default :data:`DEFAULT_STANDARD`, HJ 633-2026, in
force since 2026-03-01).  The tables are reproduced, with their sources, in
``docs/standards.md`` of the project.

Pollutant names
---------------
``so2``, ``no2``, ``co``
    Sulphur dioxide, nitrogen dioxide [µg/m³]; carbon monoxide [mg/m³].
    Each has a 24-hour column (daily report) and a 1-hour column (hourly,
    "real-time" report), selected with ``averaging="24h"`` (default) or
    ``averaging="1h"``.
``o3_1h``, ``o3_8h``
    Ozone 1-hour mean and 8-hour mean [µg/m³]; the averaging period is part
    of the name (``averaging`` must be omitted or agree with it).
``pm10``, ``pm2_5``
    Particulate matter [µg/m³].  Table 1 has 24-hour columns only.
    ``averaging="1h"`` is accepted and indexes the value against the 24-hour
    column: HJ 633-2026 prescribes this for the real-time report; for
    HJ 633-2012 it is the national real-time practice (assumption: the 2012
    text lists 1-hour values and 24-hour moving averages of PM in the
    real-time report but has no 1-hour PM column).

Decisions where the standards are silent
----------------------------------------
* Above the last breakpoint of a column (e.g. PM2.5 > 500 µg/m³) the IAQI is
  capped at 500 (``beyond_table="cap"``, default; the table ends at 500 and
  Chinese platforms report such values as 500) or made NaN
  (``beyond_table="nan"``).  The two special rules below override this.
* Negative or ``-inf`` concentrations are invalid input
  (:class:`coopgov.errors.InputError`); NaN means "not measured" and gives
  NaN.
* ``ceil`` is applied with a tolerance of 1e-9 IAQI units so that binary
  round-off (``50 / 35 * 35 == 50.000000000000007``) cannot raise an exact
  integer IAQI by one.

References
----------
.. [1] HJ 633-2012, Technical Regulation on Ambient Air Quality Index (on
   trial), Ministry of Environmental Protection, 2012: Table 1 (breakpoints),
   section 4.2 (IAQI formula, rounding up), notes to Table 1 (SO2 1 h above
   800 µg/m³, O3 8 h above 800 µg/m³), section 5 (daily and real-time
   reports, primary and non-attainment pollutants), Table 2 (categories),
   Appendix A (colours).
.. [2] HJ 633-2026, Technical Regulation on Ambient Air Quality Index,
   Ministry of Ecology and Environment, published 2026-02-14, in force
   2026-03-01: revised PM10/PM2.5 IAQI-100 breakpoints, special values for
   SO2 1 h and O3 8 h above 800 µg/m³, rounding of concentrations, reports
   with missing pollutants.
.. [3] GB/T 8170-2008, Rules of rounding off for numerical values and
   expression and judgement of limiting values, section 3.3 (round half to
   even: "四舍六入五成双").
.. [4] GB 3095-2012, Ambient air quality standards, with its 2018 amendment
   (reference state for gases).
.. [5] coopgov ``docs/standards.md``, Tables A1-A4 (breakpoints of both
   editions, report rules, categories, with their sources).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal, cast

import numpy as np
from numpy.typing import ArrayLike

from coopgov.errors import InputError

__all__ = [
    "AQICategory",
    "AQIEdition",
    "AQIReport",
    "BREAKPOINTS",
    "BreakpointColumn",
    "CATEGORIES",
    "DEFAULT_STANDARD",
    "EDITIONS",
    "HJ633_2012",
    "HJ633_2026",
    "IAQI_LEVELS",
    "PERIODS",
    "POLLUTANTS",
    "REPORT_INDICATORS",
    "STANDARDS",
    "aqi_category",
    "aqi_edition",
    "aqi_report",
    "iaqi",
    "round_concentration",
]

#: Key of an HJ 633 edition in :data:`EDITIONS` (its year of publication).
Standard = str
Period = Literal["day", "hour"]
MissingPolicy = Literal["per_standard", "max_available", "over_100_only", "require_all"]
#: Periods of the two reports of HJ 633 section 5: daily and real-time (hourly).
PERIODS: tuple[str, ...] = ("day", "hour")

#: Pollutant names accepted by :func:`iaqi`.
POLLUTANTS: tuple[str, ...] = ("so2", "no2", "co", "o3_1h", "o3_8h", "pm10", "pm2_5")
#: IAQI values at the breakpoints, HJ 633-2012 Table 1 (unchanged in 2026).
IAQI_LEVELS: tuple[int, ...] = (0, 50, 100, 150, 200, 300, 400, 500)

_UNITS = {"co": "mg/m3"}
_CEIL_TOLERANCE = 1e-9  # IAQI units; guards ceil against binary round-off
_TIE_TOLERANCE = 1e-9  # in units of the rounding interval; decimal ties after scaling


@dataclass(frozen=True)
class BreakpointColumn:
    """One concentration column of HJ 633 Table 1.

    Attributes
    ----------
    name : str
        Column name, ``<pollutant>_<averaging>`` (``"pm2_5_24h"``).
    unit : str
        Concentration unit, ``"ug/m3"`` (µg/m³) or ``"mg/m3"`` (CO).
    concentration : tuple of float
        Breakpoints BP_0 < BP_1 < ... [unit].
    iaqi : tuple of int
        IAQI at each breakpoint (0, 50, 100, ...).
    above_top : float or None
        IAQI assigned above the last breakpoint by a special rule of the
        standard (NaN = "not computed from this column"); ``None`` means no
        special rule (see ``beyond_table`` of :func:`iaqi`).
    """

    name: str
    unit: str
    concentration: tuple[float, ...]
    iaqi: tuple[int, ...]
    above_top: float | None = None


def _column(
    name: str, values: tuple[float, ...], above_top: float | None = None
) -> BreakpointColumn:
    unit = _UNITS.get(name.split("_")[0], "ug/m3")
    return BreakpointColumn(name, unit, values, IAQI_LEVELS[: len(values)], above_top)


# HJ 633-2012 Table 1 (2012), concentrations in µg/m³, CO in mg/m³.
_TABLE_2012 = {
    "so2_24h": _column("so2_24h", (0, 50, 150, 475, 800, 1600, 2100, 2620)),
    # 2012 note (3): SO2 1 h above 800 is not indexed from the 1 h column.
    "so2_1h": _column("so2_1h", (0, 150, 500, 650, 800), above_top=math.nan),
    "no2_24h": _column("no2_24h", (0, 40, 80, 180, 280, 565, 750, 940)),
    "no2_1h": _column("no2_1h", (0, 100, 200, 700, 1200, 2340, 3090, 3840)),
    "pm10_24h": _column("pm10_24h", (0, 50, 150, 250, 350, 420, 500, 600)),
    "co_24h": _column("co_24h", (0, 2, 4, 14, 24, 36, 48, 60)),
    "co_1h": _column("co_1h", (0, 5, 10, 35, 60, 90, 120, 150)),
    "o3_1h": _column("o3_1h", (0, 160, 200, 300, 400, 800, 1000, 1200)),
    # 2012 note (5): O3 8 h above 800 is not indexed; O3 is reported by its 1 h IAQI.
    "o3_8h": _column("o3_8h", (0, 100, 160, 215, 265, 800), above_top=math.nan),
    "pm2_5_24h": _column("pm2_5_24h", (0, 35, 75, 115, 150, 250, 350, 500)),
}

# HJ 633-2026 (2026): PM10 and PM2.5 IAQI-100 breakpoints lowered to 120 and
# 60 µg/m³; SO2 1 h above 800 -> IAQI 200; O3 8 h above 800 -> IAQI 300.
_TABLE_2026 = dict(_TABLE_2012)
_TABLE_2026.update(
    {
        "so2_1h": _column("so2_1h", (0, 150, 500, 650, 800), above_top=200.0),
        "pm10_24h": _column("pm10_24h", (0, 50, 120, 250, 350, 420, 500, 600)),
        "o3_8h": _column("o3_8h", (0, 100, 160, 215, 265, 800), above_top=300.0),
        "pm2_5_24h": _column("pm2_5_24h", (0, 35, 60, 115, 150, 250, 350, 500)),
    }
)

# Indicators of each report, by period.  HJ 633-2012 section 5: the daily
# report has the 24 h means of SO2, NO2, CO, PM10, PM2.5 and the daily maxima of
# O3 1 h and 8 h; the real-time report the 1 h values and the O3 8 h moving
# average.  HJ 633-2026: the daily report has 6 indicators (O3: daily maximum
# 8 h only); the real-time report the 1 h values of 6 pollutants.
_ALL_SEVEN = ("so2", "no2", "co", "o3_1h", "o3_8h", "pm10", "pm2_5")


@dataclass(frozen=True)
class AQIEdition:
    """One edition of HJ 633: everything in which the editions differ.

    The functions of this module look an edition up in :data:`EDITIONS` and
    read its fields; none of them compares edition names.  A future edition
    is one more record.

    Attributes
    ----------
    key : str
        Key in :data:`EDITIONS`, the year of publication (``"2026"``).
    code : str
        Standard number, ``"HJ 633-2026"``.
    title : str
        Title of the standard (English).
    in_force : str
        Date from which it applies (ISO 8601).
    citation : str
        Full citation with the clauses implemented here (see also
        ``docs/standards.md`` of the project).
    breakpoints : Mapping[str, BreakpointColumn]
        Table 1 by column name (``"pm2_5_24h"``).
    report_indicators : Mapping[str, tuple of str]
        Indicators of the daily (``"day"``) and real-time (``"hour"``) report.
    extra_inputs : Mapping[str, tuple of str]
        Further inputs a report accepts that are not indicators (HJ 633-2012
        real-time report: ``so2_24h``, reported when SO2 1 h > 800 µg/m³).
    rounds_concentrations : bool
        Concentrations are rounded per GB/T 8170-2008 before indexing (to
        1 µg/m³, CO to 0.1 mg/m³).
    missing_policy : {'max_available', 'over_100_only', 'require_all'}
        The AQI when indicators are missing (see :func:`aqi_report`).
    """

    key: str
    code: str
    title: str
    in_force: str
    citation: str
    breakpoints: Mapping[str, BreakpointColumn]
    report_indicators: Mapping[str, tuple[str, ...]]
    extra_inputs: Mapping[str, tuple[str, ...]]
    rounds_concentrations: bool
    missing_policy: str

    def __post_init__(self) -> None:
        # A record checks itself: columns named as keyed and increasing, both
        # reports declared over known pollutants, a known missing-value policy.
        problems = [
            f"column {name}: not increasing or misnamed"
            for name, col in self.breakpoints.items()
            if name != col.name or any(b <= a for a, b in itertools.pairwise(col.concentration))
        ]
        for table in (self.report_indicators, self.extra_inputs):
            if set(table) != set(PERIODS):
                problems.append(f"periods {sorted(table)} != {list(PERIODS)}")
        for period, names in self.report_indicators.items():
            problems += [f"{period} report: unknown {n}" for n in names if n not in POLLUTANTS]
        if self.missing_policy not in ("max_available", "over_100_only", "require_all"):
            problems.append(f"unknown missing policy {self.missing_policy!r}")
        if problems:
            raise ValueError(f"AQI edition {self.key}: " + "; ".join(problems))


HJ633_2012 = AQIEdition(
    key="2012",
    code="HJ 633-2012",
    title="Technical Regulation on Ambient Air Quality Index (on trial)",
    # nationwide from 2016-01-01, with GB 3095-2012; key regions from 2012
    in_force="2016-01-01",
    citation=(
        "HJ 633-2012, Technical Regulation on Ambient Air Quality Index (on trial), "
        "Ministry of Environmental Protection, 2012: Table 1 and its notes, section 4.2, "
        "section 5, Table 2, Appendix A"
    ),
    breakpoints=MappingProxyType(_TABLE_2012),
    report_indicators=MappingProxyType({"day": _ALL_SEVEN, "hour": _ALL_SEVEN}),
    extra_inputs=MappingProxyType({"day": (), "hour": ("so2_24h",)}),
    rounds_concentrations=False,
    # our reading: 2012 marks missing indicators "NA" and does not withhold the
    # AQI (assumption, see aqi_report)
    missing_policy="max_available",
)

HJ633_2026 = AQIEdition(
    key="2026",
    code="HJ 633-2026",
    title="Technical Regulation on Ambient Air Quality Index",
    in_force="2026-03-01",
    citation=(
        "HJ 633-2026, Technical Regulation on Ambient Air Quality Index, Ministry of "
        "Ecology and Environment, published 2026-02-14, in force 2026-03-01: revised "
        "Table 1, special values above 800 ug/m3, rounding per GB/T 8170-2008, reports "
        "with missing pollutants"
    ),
    breakpoints=MappingProxyType(_TABLE_2026),
    report_indicators=MappingProxyType(
        {
            "day": ("so2", "no2", "co", "o3_8h", "pm10", "pm2_5"),
            "hour": ("so2", "no2", "co", "o3_1h", "pm10", "pm2_5"),
        }
    ),
    extra_inputs=MappingProxyType({"day": (), "hour": ()}),
    rounds_concentrations=True,
    missing_policy="over_100_only",
)

#: The editions of HJ 633 implemented here, by key (read-only registry).
EDITIONS: Mapping[str, AQIEdition] = MappingProxyType({e.key: e for e in (HJ633_2012, HJ633_2026)})
#: Keys of :data:`EDITIONS`, oldest first.
STANDARDS: tuple[str, ...] = tuple(EDITIONS)
#: Default edition: HJ 633-2026, in force since 2026-03-01.
DEFAULT_STANDARD: Standard = HJ633_2026.key

#: Breakpoint tables by edition and column name (read-only view of :data:`EDITIONS`).
BREAKPOINTS: Mapping[str, Mapping[str, BreakpointColumn]] = MappingProxyType(
    {k: e.breakpoints for k, e in EDITIONS.items()}
)
#: Indicators of each report by (edition, period) (read-only view of :data:`EDITIONS`).
REPORT_INDICATORS: Mapping[tuple[str, str], tuple[str, ...]] = MappingProxyType(
    {(k, p): names for k, e in EDITIONS.items() for p, names in e.report_indicators.items()}
)


def aqi_edition(standard: str) -> AQIEdition:
    """The :class:`AQIEdition` of an edition key.

    Parameters
    ----------
    standard : str
        Key of :data:`EDITIONS` (the year of the edition).

    Raises
    ------
    coopgov.errors.InputError
        Unknown edition (the message lists the known ones).
    """
    edition = EDITIONS.get(str(standard))
    if edition is None:
        raise InputError(
            f"unknown HJ 633 edition; expected one of {', '.join(STANDARDS)}",
            field="standard",
            value=standard,
        )
    return edition


# Column arrays prepared once for the kernel: (bp, iaqi) float64.
_ARRAYS = {
    (std, name): (
        np.asarray(col.concentration, dtype=np.float64),
        np.asarray(col.iaqi, dtype=np.float64),
    )
    for std, table in BREAKPOINTS.items()
    for name, col in table.items()
}


# --------------------------------------------------------------------------
# Air quality categories, HJ 633-2012 Table 2 and Appendix A (same in 2026).
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class AQICategory:
    """An air-quality category of HJ 633 Table 2 with its Appendix A colour.

    Attributes
    ----------
    level : int
        Level 1..6 (一级..六级).
    aqi_min, aqi_max : int
        AQI range, inclusive (``aqi_max`` 500 for level 6: the table's end).
    name_zh, name_en : str
        Category name in Chinese and English.
    level_zh : str
        Level name in Chinese.
    colour : tuple of int
        RGB colour (0-255), HJ 633-2012 Appendix A.
    """

    level: int
    aqi_min: int
    aqi_max: int
    name_zh: str
    name_en: str
    level_zh: str
    colour: tuple[int, int, int]

    @property
    def colour_hex(self) -> str:
        """Colour as ``#rrggbb``."""
        return "#{:02x}{:02x}{:02x}".format(*self.colour)


#: The six categories, index ``level - 1`` (HJ 633-2012 Table 2, Appendix A).
CATEGORIES: tuple[AQICategory, ...] = (
    AQICategory(1, 0, 50, "优", "excellent", "一级", (0, 228, 0)),
    AQICategory(2, 51, 100, "良", "good", "二级", (255, 255, 0)),
    AQICategory(3, 101, 150, "轻度污染", "lightly polluted", "三级", (255, 126, 0)),
    AQICategory(4, 151, 200, "中度污染", "moderately polluted", "四级", (255, 0, 0)),
    AQICategory(5, 201, 300, "重度污染", "heavily polluted", "五级", (153, 0, 76)),
    AQICategory(6, 301, 500, "严重污染", "severely polluted", "六级", (126, 0, 35)),
)
_CATEGORY_UPPER = np.array([50.0, 100.0, 150.0, 200.0, 300.0])


def aqi_category(aqi: ArrayLike) -> np.ndarray:
    """Category level (1..6) of AQI values; 0 where the AQI is NaN (NA).

    Parameters
    ----------
    aqi : array_like
        AQI values [dimensionless], any shape.

    Returns
    -------
    numpy.ndarray of int8
        Level 1 (excellent) .. 6 (severely polluted), ``CATEGORIES[level - 1]``
        describes it; 0 for NaN.

    Notes
    -----
    Level k holds AQI in (upper_{k-1}, upper_k] with upper = 50, 100, 150,
    200, 300; above 300 is level 6.  AQI values are integers (rounded up), so
    this equals the inclusive integer ranges 0-50, 51-100, ... of Table 2.

    References
    ----------
    .. [1] HJ 633-2012, Table 2; HJ 633-2026 (unchanged); ``docs/standards.md``,
       Table A4.

    Examples
    --------
    >>> aqi_category([45, 120, 320]).tolist()  # excellent, lightly, severely polluted
    [1, 3, 6]
    """
    a = np.asarray(aqi, dtype=np.float64)
    level = np.searchsorted(_CATEGORY_UPPER, a, side="left") + 1
    return np.where(np.isnan(a), 0, level).astype(np.int8)


# --------------------------------------------------------------------------
# IAQI kernel
# --------------------------------------------------------------------------


def _iaqi_loop(c, bp, iq, scale, above_top, out):
    """Fill ``out`` with IAQI of ``c``; return the first invalid index or -1."""
    n = bp.shape[0]
    top = bp[n - 1]
    bad = -1
    for i in range(c.shape[0]):
        x = c[i]
        if x != x:  # NaN: not measured
            out[i] = np.nan
            continue
        if x < 0.0:  # negative or -inf: invalid
            if bad < 0:
                bad = i
            out[i] = np.nan
            continue
        if scale > 0.0 and x < np.inf:
            # GB/T 8170-2008 3.3: round half to even on the decimal value;
            # a tie is recognised within _TIE_TOLERANCE after scaling.
            y = x * scale
            f = np.floor(y)
            d = y - f
            if d > 0.5 + 1e-9:
                f += 1.0
            elif d >= 0.5 - 1e-9 and f % 2.0 == 1.0:
                f += 1.0
            x = f / scale
        if x > top:
            out[i] = above_top
            continue
        k = 1
        while x > bp[k]:
            k += 1
        v = iq[k - 1] + (iq[k] - iq[k - 1]) * (x - bp[k - 1]) / (bp[k] - bp[k - 1])
        out[i] = np.ceil(v - 1e-9) + 0.0  # + 0.0 turns -0.0 into 0.0
    return bad


#: Below this many values the loop runs as plain Python: importing and loading
#: the compiled kernel (numba) costs more than it saves for a handful of values.
_COMPILE_FROM = 256
_compiled_loop = None


def _iaqi_kernel(c, bp, iq, scale, above_top, out):
    """Run :func:`_iaqi_loop`, compiled with numba (on first use) for large inputs."""
    global _compiled_loop
    if c.shape[0] < _COMPILE_FROM:
        return _iaqi_loop(c, bp, iq, scale, above_top, out)
    if _compiled_loop is None:
        import numba

        _compiled_loop = numba.njit(cache=True, nogil=True)(_iaqi_loop)
    return _compiled_loop(c, bp, iq, scale, above_top, out)


def _column_name(pollutant: str, averaging: str | None) -> str:
    if pollutant not in POLLUTANTS:
        raise InputError(
            f"unknown pollutant; expected one of {', '.join(POLLUTANTS)}",
            field="pollutant",
            value=pollutant,
        )
    if pollutant in ("o3_1h", "o3_8h"):
        if averaging is not None and averaging != pollutant[3:]:
            raise InputError(
                f"averaging of {pollutant} is fixed by its name ({pollutant[3:]})",
                field="averaging",
                value=averaging,
            )
        return pollutant
    averaging = "24h" if averaging is None else averaging
    if averaging not in ("24h", "1h"):
        raise InputError("averaging must be '24h' or '1h'", field="averaging", value=averaging)
    if pollutant in ("pm10", "pm2_5"):
        return f"{pollutant}_24h"  # only 24 h columns exist (see module notes)
    return f"{pollutant}_{averaging}"


def _rounding_scale(pollutant: str, edition: AQIEdition, rounding: bool | None) -> float:
    if rounding is None:
        rounding = edition.rounds_concentrations
    if not rounding:
        return 0.0
    return 10.0 if pollutant == "co" else 1.0


def round_concentration(pollutant: str, concentration: ArrayLike) -> np.ndarray:
    """Round concentrations as HJ 633-2026 requires before indexing.

    Parameters
    ----------
    pollutant : str
        One of :data:`POLLUTANTS`.
    concentration : array_like
        Concentration [µg/m³; CO mg/m³].

    Returns
    -------
    numpy.ndarray
        Rounded to 1 µg/m³ (CO: 0.1 mg/m³), NaN kept.

    Notes
    -----
    GB/T 8170-2008 3.3 ("四舍六入五成双"): a dropped part below one half of
    the rounding interval is dropped, above one half rounds up, exactly one
    half rounds to the even neighbour (35.5 -> 36, 36.5 -> 36; CO 2.25 ->
    2.2, 2.35 -> 2.4).  Inputs are read as the decimal numbers they print as:
    after scaling, a value within 1e-9 of a half is a tie.

    References
    ----------
    .. [1] GB/T 8170-2008, section 3.3.
    .. [2] HJ 633-2026 (rounding of concentrations before indexing).
    """
    _column_name(pollutant, None)
    scale = 10.0 if pollutant == "co" else 1.0
    c = np.asarray(concentration, dtype=np.float64)
    y = c * scale
    f = np.floor(y)
    d = y - f
    up = (d > 0.5 + _TIE_TOLERANCE) | ((d >= 0.5 - _TIE_TOLERANCE) & (np.mod(f, 2.0) == 1.0))
    return np.where(np.isfinite(y), (f + up) / scale, c)


def iaqi(
    pollutant: str,
    concentration: ArrayLike,
    *,
    standard: Standard = DEFAULT_STANDARD,
    averaging: Literal["24h", "1h"] | None = None,
    beyond_table: Literal["cap", "nan"] = "cap",
    rounding: bool | None = None,
) -> np.ndarray:
    r"""Individual air quality index (IAQI) of one pollutant.

    Parameters
    ----------
    pollutant : {'so2', 'no2', 'co', 'o3_1h', 'o3_8h', 'pm10', 'pm2_5'}
        Pollutant (see the module notes).
    concentration : array_like
        Concentration, any shape [µg/m³; CO in mg/m³].  Gases at the
        reference state of GB 3095-2012 as amended in 2018 (see
        :func:`coopgov.standards.reference_state.harmonise_gas`).  NaN = not
        measured.
    standard : str
        Edition of HJ 633: a key of :data:`EDITIONS` (default
        :data:`DEFAULT_STANDARD`).
    averaging : {'24h', '1h'}, optional
        Averaging period of ``so2``, ``no2``, ``co`` (default ``'24h'``);
        ``pm10``/``pm2_5`` accept ``'1h'`` and use the 24 h column; not used
        for ozone (the period is in the name).
    beyond_table : {'cap', 'nan'}
        IAQI above the last breakpoint of a column: 500 (default) or NaN.
        Does not affect the special rules for SO2 1 h and O3 8 h.
    rounding : bool, optional
        Round concentrations per GB/T 8170-2008 before indexing (to 1 µg/m³,
        CO to 0.1 mg/m³).  Default: the edition's ``rounds_concentrations``
        (HJ 633-2026 rounds, HJ 633-2012 does not).

    Returns
    -------
    numpy.ndarray of float64
        IAQI [dimensionless], integer valued, same shape as
        ``concentration``; NaN where the input is NaN or the standard does
        not compute an IAQI (2012: SO2 1 h > 800 µg/m³, O3 8 h > 800 µg/m³).

    Raises
    ------
    coopgov.errors.InputError
        Unknown pollutant, averaging or standard; negative concentration.

    Notes
    -----
    For BP_lo <= C <= BP_hi (the first segment whose upper breakpoint is
    >= C):

    .. math::

        IAQI_P = \left\lceil \frac{IAQI_{hi} - IAQI_{lo}}{BP_{hi} - BP_{lo}}
                 (C_P - BP_{lo}) + IAQI_{lo} \right\rceil

    Special rules above 800 µg/m³: SO2 1 h — 2012: not computed (NaN; the
    24 h IAQI is reported instead, see :func:`aqi_report`), 2026: IAQI 200;
    O3 8 h — 2012: not computed (NaN; O3 is reported by its 1 h IAQI), 2026:
    IAQI 300.

    References
    ----------
    .. [1] HJ 633-2012, section 4.2 and Table 1 with its notes
       (``docs/standards.md``, Table A1).
    .. [2] HJ 633-2026, revised Table 1 and rules (``docs/standards.md``,
       Table A2).
    .. [3] GB/T 8170-2008, section 3.3 (rounding under 2026).

    Examples
    --------
    >>> float(iaqi("pm2_5", 75.0, standard="2012"))
    100.0
    >>> float(iaqi("pm2_5", 75.0))  # 2026: 100 + 50 * (75 - 60) / (115 - 60) = 113.6
    114.0
    """
    edition = aqi_edition(standard)
    column = _column_name(pollutant, averaging)
    if beyond_table not in ("cap", "nan"):
        raise InputError("must be 'cap' or 'nan'", field="beyond_table", value=beyond_table)
    col = edition.breakpoints[column]
    bp, iq = _ARRAYS[(edition.key, column)]
    if col.above_top is not None:
        above_top = col.above_top
    else:
        above_top = 500.0 if beyond_table == "cap" else math.nan
    try:
        c = np.asarray(concentration, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(
            "concentration must be numeric", field=pollutant, value=concentration
        ) from exc
    flat = np.ascontiguousarray(c).reshape(-1)
    out = np.empty_like(flat)
    scale = _rounding_scale(pollutant, edition, rounding)
    bad = _iaqi_kernel(flat, bp, iq, scale, above_top, out)
    if bad >= 0:
        where = "" if c.ndim == 0 else f" (flat index {bad})"
        raise InputError(
            f"concentration must be >= 0{where}", field=pollutant, value=float(flat[bad])
        )
    return out.reshape(c.shape)


# --------------------------------------------------------------------------
# Reports
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class AQIReport:
    """AQI report of HJ 633 for arrays of observations (all of one shape).

    Attributes
    ----------
    standard : str
        Edition: a key of :data:`EDITIONS`.
    period : str
        ``"day"`` (daily report) or ``"hour"`` (real-time report).
    aqi : numpy.ndarray of float64
        AQI [dimensionless], integer valued; NaN = NA (not published).
    iaqi : Mapping[str, numpy.ndarray]
        IAQI of each indicator of the report (NaN = NA).
    category : numpy.ndarray of int8
        Category level 1..6 of ``aqi`` (``CATEGORIES[level - 1]``), 0 for NA.
    primary : Mapping[str, numpy.ndarray]
        Boolean masks: indicator is a primary pollutant (AQI > 50 and its
        IAQI equals the AQI; ties give several).
    non_attainment : Mapping[str, numpy.ndarray]
        Boolean masks: IAQI > 100.
    missing : Mapping[str, numpy.ndarray]
        Boolean masks: indicator missing (NA).
    """

    standard: str
    period: str
    aqi: np.ndarray
    iaqi: Mapping[str, np.ndarray]
    category: np.ndarray
    primary: Mapping[str, np.ndarray] = field(repr=False)
    non_attainment: Mapping[str, np.ndarray] = field(repr=False)
    missing: Mapping[str, np.ndarray] = field(repr=False)

    @property
    def shape(self) -> tuple[int, ...]:
        """Shape of the observation arrays."""
        return self.aqi.shape

    def _names_at(self, masks: Mapping[str, np.ndarray], index: tuple[int, ...]) -> list[str]:
        return [name for name, mask in masks.items() if bool(mask[index])]

    def primary_pollutants(self, index: int | tuple[int, ...] = ()) -> list[str]:
        """Names of the primary pollutants at one observation ``index``."""
        return self._names_at(self.primary, _as_index(index))

    def non_attainment_pollutants(self, index: int | tuple[int, ...] = ()) -> list[str]:
        """Names of the non-attainment pollutants (IAQI > 100) at ``index``."""
        return self._names_at(self.non_attainment, _as_index(index))

    def missing_pollutants(self, index: int | tuple[int, ...] = ()) -> list[str]:
        """Names of the indicators missing at ``index``."""
        return self._names_at(self.missing, _as_index(index))


def _as_index(index: int | tuple[int, ...]) -> tuple[int, ...]:
    return (index,) if isinstance(index, int | np.integer) else tuple(index)


def aqi_report(
    concentrations: Mapping[str, ArrayLike],
    *,
    period: Period = "day",
    standard: Standard = DEFAULT_STANDARD,
    missing_policy: MissingPolicy = "per_standard",
    beyond_table: Literal["cap", "nan"] = "cap",
) -> AQIReport:
    r"""Daily or real-time AQI report of HJ 633 from concentrations.

    Parameters
    ----------
    concentrations : Mapping[str, array_like]
        Indicator name -> concentration [µg/m³; CO mg/m³], arrays that
        broadcast together.  Names: those of :data:`REPORT_INDICATORS` for
        ``(standard, period)``.  ``period="day"``: ``so2``, ``no2``, ``co``,
        ``pm10``, ``pm2_5`` are 24 h means, ``o3_8h`` (and, 2012 only,
        ``o3_1h``) the daily maxima.  ``period="hour"``: ``so2``, ``no2``,
        ``co``, ``o3_1h``, ``pm10``, ``pm2_5`` are 1 h means (PM indexed
        against the 24 h columns; 2012 callers may pass the 24 h moving
        averages instead), 2012 also ``o3_8h`` (8 h moving average) and
        ``so2_24h`` (used when SO2 1 h > 800 µg/m³).  Absent names and NaN
        are missing indicators.
    period : {'day', 'hour'}
        Daily report or real-time (hourly) report.
    standard : str
        Edition of HJ 633: a key of :data:`EDITIONS` (default
        :data:`DEFAULT_STANDARD`).
    missing_policy : {'per_standard', 'max_available', 'over_100_only', 'require_all'}
        AQI when indicators are missing.  ``'over_100_only'``: AQI of the
        remaining indicators, published only if > 100, else NA (HJ 633-2026).
        ``'max_available'``: AQI of the remaining indicators (our reading of
        HJ 633-2012, which marks missing indicators "NA" and does not withhold
        the AQI; assumption).  ``'require_all'``: NA if any is missing.
        ``'per_standard'`` (default): the edition's rule
        (:attr:`AQIEdition.missing_policy`).
    beyond_table : {'cap', 'nan'}
        See :func:`iaqi`.

    Returns
    -------
    AQIReport

    Raises
    ------
    coopgov.errors.InputError
        Unknown or inapplicable indicator name, negative value, bad option.

    Notes
    -----
    .. math:: AQI = \max_P IAQI_P

    Primary pollutants: when AQI > 50, every P with IAQI_P = AQI.
    Non-attainment pollutants: IAQI_P > 100.  HJ 633-2012 SO2 1 h above
    800 µg/m³ is reported with the 24 h IAQI (``so2_24h``; NA when not
    given); O3 8 h above 800 µg/m³ has no 8 h IAQI, O3 is reported by its 1 h
    IAQI (already an indicator of the 2012 reports) and the 8 h indicator is
    not counted as missing.

    References
    ----------
    .. [1] HJ 633-2012, sections 4-5 and Table 1 notes.
    .. [2] HJ 633-2026 (report contents, missing pollutants).
    .. [3] ``docs/standards.md``, Table A3 (the rules of both editions).

    Examples
    --------
    A day with PM2.5 80, PM10 120 (24 h means) and O3 150 (daily max 8 h),
    ug/m3, under HJ 633-2026: PM2.5 sets the AQI and the day is lightly polluted.

    >>> r = aqi_report({"pm2_5": 80, "pm10": 120, "o3_8h": 150})
    >>> int(r.aqi), int(r.category), {k: int(r.iaqi[k]) for k in ("pm2_5", "pm10", "o3_8h")}
    (119, 3, {'pm2_5': 119, 'pm10': 100, 'o3_8h': 92})
    >>> r2012 = aqi_report({"pm2_5": 80, "pm10": 120, "o3_8h": 150}, standard="2012")
    >>> int(r2012.aqi)  # 100 + 50 * (80 - 75) / (115 - 75) = 106.25, rounded up
    107
    """
    edition = aqi_edition(standard)
    standard = edition.key
    if period not in PERIODS:
        raise InputError("period must be 'day' or 'hour'", field="period", value=period)
    if missing_policy == "per_standard":
        missing_policy = cast(MissingPolicy, edition.missing_policy)
    if missing_policy not in ("max_available", "over_100_only", "require_all"):
        raise InputError("unknown missing policy", field="missing_policy", value=missing_policy)
    indicators = edition.report_indicators[period]
    extras = edition.extra_inputs[period]
    for name in concentrations:
        if name not in indicators and name not in extras:
            if name in POLLUTANTS or name == "so2_24h":
                reason = (
                    f"not an indicator of the {edition.code} "
                    f"{'daily' if period == 'day' else 'real-time'} report "
                    f"(indicators: {', '.join(indicators + extras)})"
                )
            else:
                reason = f"unknown indicator; expected one of {', '.join(indicators + extras)}"
            raise InputError(reason, field=name, value=name)

    given = {}
    for name, value in concentrations.items():
        try:
            given[name] = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise InputError("concentration must be numeric", field=name, value=value) from exc
    shape = np.broadcast_shapes(*(v.shape for v in given.values())) if given else ()
    nan = np.full(shape, np.nan)
    conc = {n: np.broadcast_to(given.get(n, nan), shape) for n in indicators + extras}

    averaging: Literal["24h", "1h"] = "24h" if period == "day" else "1h"
    sub: dict[str, np.ndarray] = {}
    missing: dict[str, np.ndarray] = {}
    for name in indicators:
        has_averaging = name in ("so2", "no2", "co", "pm10", "pm2_5")
        avg: Literal["24h", "1h"] | None = averaging if has_averaging else None
        value = iaqi(name, conc[name], standard=standard, averaging=avg, beyond_table=beyond_table)
        if name == "so2" and "so2_24h" in extras:
            # HJ 633-2012 note 3: SO2 1 h > 800 -> report the 24 h IAQI.
            over = conc["so2"] > 800.0
            if np.any(over):
                fallback = iaqi(
                    "so2", conc["so2_24h"], standard=standard, beyond_table=beyond_table
                )
                value = np.where(over, fallback, value)
        if name == "o3_8h":
            missing[name] = np.isnan(conc[name])
        else:
            missing[name] = np.isnan(value)
        sub[name] = value

    stacked = np.stack([sub[n] for n in indicators])
    aqi = np.fmax.reduce(stacked, axis=0) if len(indicators) else nan
    any_missing = np.logical_or.reduce(np.stack([missing[n] for n in indicators]), axis=0)
    if missing_policy == "over_100_only":
        aqi = np.where(any_missing & ~(aqi > 100.0), np.nan, aqi)
    elif missing_policy == "require_all":
        aqi = np.where(any_missing, np.nan, aqi)
    aqi = np.asarray(aqi, dtype=np.float64)

    over_50 = aqi > 50.0
    primary = {n: over_50 & (sub[n] == aqi) for n in indicators}
    non_attainment = {n: sub[n] > 100.0 for n in indicators}
    return AQIReport(
        standard=standard,
        period=period,
        aqi=aqi,
        iaqi=MappingProxyType(sub),
        category=aqi_category(aqi),
        primary=MappingProxyType(primary),
        non_attainment=MappingProxyType(non_attainment),
        missing=MappingProxyType(missing),
    )
