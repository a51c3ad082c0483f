"""Daily and hourly air-quality indices from stored hourly values, vectorised.

The store keeps hourly concentrations; the published indices are derived:

* station daily indicators: 24 h means of SO2, NO2, CO, PM10, PM2.5 (valid
  with at least 20 hourly values, GB 3095-2012 Table 4), O3 daily maximum
  1 h value and daily maximum 8 h mean (HJ 663);
* city daily indicators: the arithmetic mean over the city's stations of
  each station's valid daily value (HJ 663-2013 section 4: a city's
  concentration is the mean of its assessment stations);
* the AQI of the daily and of the real-time (hourly) report from
  :func:`coopgov.standards.aqi.aqi_report`.

Time convention: a stored time labels the *end* of its hourly averaging
period (the Chinese monitoring convention, GB 3095-2012 section 3: 01:00 is
the mean of 00:00-01:00, and 00:00 belongs to the day before); days are
calendar days in China Standard Time (UTC+8, no daylight saving since 1991;
``utc_offset_hours`` makes it configurable).

References
----------
.. [1] GB 3095-2012, Ambient air quality standards, Table 4 (data validity).
.. [2] HJ 663-2013, Technical regulation for ambient air quality assessment
   (on trial), sections 4-5 (O3 8 h windows, city means).
.. [3] HJ 633-2026, Technical regulation on ambient air quality index.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import cast

import numpy as np
import pandas as pd

from coopgov.standards import validity
from coopgov.standards.aqi import (
    CATEGORIES,
    DEFAULT_STANDARD,
    Period,
    Standard,
    aqi_edition,
    aqi_report,
)

__all__ = [
    "UTC_OFFSET_HOURS",
    "DAILY_INDICATORS",
    "station_daily_indicators",
    "city_daily_indicators",
    "daily_aqi_table",
    "hourly_aqi_table",
]

#: China Standard Time offset from UTC, hours (no daylight saving since 1991).
UTC_OFFSET_HOURS = 8
#: Indicator names of the daily report (names of :mod:`coopgov.standards.aqi`).
DAILY_INDICATORS = ("so2", "no2", "co", "pm10", "pm2_5", "o3_1h", "o3_8h")
_MEAN_POLLUTANTS = {"SO2": "so2", "NO2": "no2", "CO": "co", "PM10": "pm10", "PM2.5": "pm2_5"}


def _day_cube(
    hourly: pd.DataFrame, pollutants: tuple[str, ...], utc_offset_hours: int
) -> tuple[pd.DataFrame, np.ndarray]:
    """Arrange hourly values as (station-day, hour-ending index, pollutant); NaN where missing."""
    t = pd.to_datetime(hourly["time"], utc=True).dt.tz_localize(None) + pd.Timedelta(
        hours=utc_offset_hours - 1
    )  # hour-ending labels: 01:00 is index 0 of its day
    day = t.dt.floor("D")
    hour = t.dt.hour.to_numpy()
    # (station, day) codes from one integer key: station code x days + day number.
    station_code, stations = pd.factorize(hourly["station_id"].to_numpy())
    day_number = (day - pd.Timestamp(0)).dt.days.to_numpy(dtype=np.int64)
    first_day = int(day_number.min()) if len(day_number) else 0
    span = int(day_number.max()) - first_day + 1 if len(day_number) else 1
    codes, _ = pd.factorize(station_code.astype(np.int64) * span + (day_number - first_day))
    first = np.empty(codes.max() + 1 if len(codes) else 0, dtype=np.int64)
    first[codes[::-1]] = np.arange(len(codes) - 1, -1, -1)  # first row of each code
    pol_index = {p: i for i, p in enumerate(pollutants)}
    pcode = hourly["pollutant"].map(pol_index).to_numpy()
    ok = ~pd.isna(pcode)
    cube = np.full((len(first), 24, len(pollutants)), np.nan)
    cube[codes[ok], hour[ok], pcode[ok].astype(int)] = hourly["value"].to_numpy(dtype=float)[ok]
    index = pd.DataFrame(
        {
            "station_id": np.asarray(stations, dtype=object)[station_code[first]],
            "day": day.to_numpy()[first],
        }
    )
    return index, cube


def local_day(times_utc: pd.Series, utc_offset_hours: int = UTC_OFFSET_HOURS) -> pd.Series:
    """Local calendar day of hour-ending time labels (00:00 belongs to the day before)."""
    t = pd.to_datetime(times_utc, utc=True).dt.tz_localize(None)
    return (t + pd.Timedelta(hours=utc_offset_hours - 1)).dt.floor("D")


def station_daily_indicators(
    hourly: pd.DataFrame, *, utc_offset_hours: int = UTC_OFFSET_HOURS
) -> pd.DataFrame:
    r"""Daily indicators of each station-day from hourly values.

    Parameters
    ----------
    hourly : DataFrame
        Columns ``station_id``, ``time`` (UTC, labelling the *end* of the
        hour, the Chinese convention), ``pollutant`` (canonical names: SO2,
        NO2, CO, O3, PM10, PM2.5), ``value`` [µg/m³, CO mg/m³]; one current
        value per key.
    utc_offset_hours : int
        Offset of the local day from UTC, h.

    Returns
    -------
    DataFrame
        ``station_id``, ``day`` and one column per :data:`DAILY_INDICATORS`
        [µg/m³, CO mg/m³]; NaN where the day is not valid.

    Notes
    -----
    Daily mean :math:`\bar c = \frac1n\sum_h c_h`, valid if n ≥ 20
    (:func:`coopgov.standards.validity.daily_mean`); O3 daily maximum 8 h
    mean over the windows ending 08:00-24:00
    (:func:`coopgov.standards.validity.o3_daily_max_8h`); O3 daily maximum
    1 h value (:func:`coopgov.standards.validity.daily_max_1h`).
    """
    pollutants = (*_MEAN_POLLUTANTS, "O3")
    index, cube = _day_cube(hourly, pollutants, utc_offset_hours)
    out = index.copy()
    for i, p in enumerate(_MEAN_POLLUTANTS):
        out[_MEAN_POLLUTANTS[p]] = validity.daily_mean(cube[:, :, i])
    o3 = cube[:, :, -1]
    out["o3_1h"] = validity.daily_max_1h(o3)
    out["o3_8h"] = validity.o3_daily_max_8h(o3)
    return out


def city_daily_indicators(
    station_daily: pd.DataFrame, station_city: Mapping[str, int]
) -> pd.DataFrame:
    r"""City daily indicators: mean over the city's stations of their valid daily values.

    Parameters
    ----------
    station_daily : DataFrame
        Output of :func:`station_daily_indicators`.
    station_city : mapping of str to int
        Station id → city adcode.

    Returns
    -------
    DataFrame
        ``adcode``, ``day`` and the :data:`DAILY_INDICATORS` columns.

    Notes
    -----
    :math:`C_{city} = \\frac1m\\sum_{s} C_s` over the m stations with a valid
    value that day (HJ 663-2013 §4).
    """
    frame = station_daily.assign(adcode=station_daily["station_id"].map(station_city))
    cols = [c for c in DAILY_INDICATORS if c in frame]
    return frame.groupby(["adcode", "day"], as_index=False)[cols].mean()


def _report_rows(frame: pd.DataFrame, key: str, period: str, standard: str) -> pd.DataFrame:
    # the edition's report decides the indicators (HJ 633-2012's daily report
    # also has the O3 1 h daily maximum)
    indicators = aqi_edition(standard).report_indicators[period]
    conc = {n: frame[n].to_numpy(dtype=float) for n in indicators if n in frame}
    report = aqi_report(conc, period=cast(Period, period), standard=cast(Standard, standard))
    primary = np.full(len(frame), "", dtype=object)
    for name, mask in report.primary.items():
        primary = np.where(mask, np.where(primary == "", name, primary + "," + name), primary)
    names = list(conc)
    values = np.column_stack([conc[n] for n in names]) if names else np.empty((len(frame), 0))
    iaqis = np.column_stack([report.iaqi[n] for n in names]) if names else values
    details = [
        json.dumps(
            {
                "concentrations": {
                    n: (None if np.isnan(v) else round(float(v), 3))
                    for n, v in zip(names, vrow, strict=True)
                },
                "iaqi": {
                    n: (None if np.isnan(v) else int(v)) for n, v in zip(names, irow, strict=True)
                },
            },
            separators=(",", ":"),
        )
        for vrow, irow in zip(values, iaqis, strict=True)
    ]
    return pd.DataFrame(
        {
            "key": frame[key].astype(str).to_numpy(),
            "aqi": report.aqi,
            "category": report.category.astype(int),
            "primary_pollutants": primary,
            "detail": details,
        }
    )


def daily_aqi_table(
    indicators: pd.DataFrame, *, key: str, standard: str = DEFAULT_STANDARD
) -> pd.DataFrame:
    """Daily AQI rows (key, day, aqi, category, primary_pollutants, detail JSON).

    Parameters
    ----------
    indicators : DataFrame
        Output of :func:`station_daily_indicators` or :func:`city_daily_indicators`.
    key : str
        Column naming the station or city (``station_id`` or ``adcode``).
    standard : str
        Edition of HJ 633, a key of :data:`coopgov.standards.aqi.EDITIONS`.
    """
    rows = _report_rows(indicators, key, "day", standard)
    rows.insert(1, "day", pd.to_datetime(indicators["day"]).dt.date.to_numpy())
    return rows


def hourly_aqi_table(hourly: pd.DataFrame, *, standard: str = DEFAULT_STANDARD) -> pd.DataFrame:
    """Real-time (hourly) AQI of one series of hourly values.

    Parameters
    ----------
    hourly : DataFrame
        ``time`` (UTC), ``pollutant`` (canonical), ``value`` [µg/m³, CO mg/m³];
        several stations may be given: their values are averaged per hour
        (city real-time value, HJ 663-2013 §4).
    standard : str
        Edition of HJ 633, a key of :data:`coopgov.standards.aqi.EDITIONS`.

    Returns
    -------
    DataFrame
        ``time``, ``aqi``, ``category``, ``primary_pollutants``, ``detail``.
    """
    names = {**_MEAN_POLLUTANTS, "O3": "o3_1h"}
    # groupby + unstack: the same hourly means as a pivot table, at a fraction of its
    # fixed cost (an hourly answer is a few hundred values).
    wide = (
        hourly.assign(indicator=hourly["pollutant"].map(names))
        .dropna(subset=["indicator"])
        .groupby(["time", "indicator"], sort=True)["value"]
        .mean()
        .unstack("indicator")
    )
    wide.columns.name = None
    wide = wide.reset_index().rename(columns={"time": "key"})
    rows = _report_rows(wide, "key", "hour", standard)
    rows = rows.rename(columns={"key": "time"})
    rows["time"] = wide["key"].to_numpy()
    return rows


def category_label(level: int) -> dict[str, object] | None:
    """Names and colour of an AQI category level (None for 0 = NA)."""
    if not level:
        return None
    c = CATEGORIES[level - 1]
    return {"level": c.level, "name_en": c.name_en, "name_zh": c.name_zh, "colour": c.colour_hex}
