"""The published indices read from the store: water classes, warnings, regional episodes.

These are what the public sees.  Warning levels are computed from the stored
daily city AQI taken as the forecast of the days ahead (a *hindcast*: the
platform stores observations; a forecast feed would replace the observed
values one-for-one).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import numpy as np

from coopgov.platform.episodes import MIN_CONTRIBUTOR_SHARE, find_episodes
from coopgov.platform.store import Store
from coopgov.platform.vocabulary import WATER_INDICATORS
from coopgov.standards.warning import LEVEL_NAMES as _STANDARD_LEVEL_NAMES
from coopgov.standards.warning import WarningConfig, warning_level
from coopgov.standards.water import section_class

__all__ = [
    "WARNING_HORIZON_DAYS",
    "LEVEL_NAMES",
    "water_sections",
    "city_warnings",
    "warning_matrix",
    "regional_episodes",
]

#: Days of (forecast) daily AQI judged for a warning issued on a day: red needs 4
#: days above 200 (national rules 2017-2018), so 4 (assumption: no longer outlook).
WARNING_HORIZON_DAYS = 4
#: Level names as the API writes them: those of the standard, "none" for 0.
LEVEL_NAMES = {k: name or "none" for k, name in enumerate(_STANDARD_LEVEL_NAMES)}
_WATER_NAMES = {
    "DO": "do",
    "CODMn": "codmn",
    "COD": "cod",
    "BOD5": "bod5",
    "NH3-N": "nh3_n",
    "TP": "tp",
    "TN": "tn",
}


def _day_start_utc(d: date) -> datetime:
    return datetime.combine(d, time(0), tzinfo=UTC) - timedelta(hours=8)


def water_sections(
    store: Store, start: date, end: date, *, adcode: int | None = None
) -> list[dict[str, Any]]:
    """Class (GB 3838-2002, single factor) of each water section over [start, end].

    Parameters
    ----------
    store : Store
        The monitoring store.
    start, end : date
        Inclusive day range (China Standard Time); the class is judged on the
        mean of each indicator over the range [mg/L].
    adcode : int, optional
        Only the sections of this city.
    """
    sections = store.stations(kind="water", adcode=adcode)
    if not sections:
        return []
    frame = store.hourly_frame(
        [s["station_id"] for s in sections],
        _day_start_utc(start),
        _day_start_utc(end + timedelta(days=1)),
        pollutants=WATER_INDICATORS,
    )
    means = frame.groupby(["station_id", "pollutant"])["value"].agg(["mean", "count"])
    out = []
    for s in sections:
        sid = s["station_id"]
        values = {}
        counts = {}
        if sid in means.index.get_level_values(0):
            for p, row in means.loc[sid].iterrows():
                values[p] = float(row["mean"])
                counts[p] = int(row["count"])
        assessed = {_WATER_NAMES[p]: v for p, v in values.items() if p in _WATER_NAMES}
        cls = section_class(assessed, s["water_type"] or "river") if assessed else None
        out.append(
            {
                "station_id": sid,
                "name": s["name"],
                "adcode": s["adcode"],
                "water_body": s["water_body"],
                "water_type": s["water_type"],
                "lon": s["lon"],
                "lat": s["lat"],
                "synthetic": s["synthetic"],
                "period": {"from": start.isoformat(), "to": end.isoformat()},
                "class": None if cls is None or not cls.cls else int(cls.cls),
                "label": None if cls is None else cls.label,
                "label_zh": None if cls is None else cls.label_zh,
                "by_indicator": {}
                if cls is None
                else {k: int(v) for k, v in cls.by_indicator.items()},
                "mean_mg_per_l": values,
                "n_values": counts,
            }
        )
    return out


def warning_matrix(
    daily_aqi: np.ndarray,
    *,
    horizon: int = WARNING_HORIZON_DAYS,
    config: WarningConfig | None = None,
) -> np.ndarray:
    """Warning level of each day from the daily AQI of that day and the next ones.

    Parameters
    ----------
    daily_aqi : ndarray, shape (n_days + horizon - 1, N)
        Daily AQI [dimensionless] per day and city, NaN where missing.
    horizon : int
        Days of outlook judged for a warning, d.
    config : WarningConfig, optional
        Thresholds (national defaults).

    Returns
    -------
    ndarray of int8, shape (n_days, N)
        Level 0 (none) .. 4 (red), see
        :func:`coopgov.standards.warning.warning_level`.
    """
    a = np.asarray(daily_aqi, dtype=float)
    n_days = a.shape[0] - horizon + 1
    if n_days <= 0:
        return np.zeros((0, a.shape[1]), dtype=np.int8)
    windows = np.lib.stride_tricks.sliding_window_view(a, horizon, axis=0)  # (n_days, N, h)
    return warning_level(windows, config=config)


def _levels(
    store: Store, adcodes: Sequence[int], start: date, end: date, horizon: int
) -> tuple[list[date], np.ndarray, np.ndarray]:
    days, aqi = store.city_daily_aqi_matrix(adcodes, start, end + timedelta(days=horizon - 1))
    return days[: (end - start).days + 1], warning_matrix(aqi, horizon=horizon), aqi


def city_warnings(
    store: Store, adcode: int, start: date, end: date, *, horizon: int = WARNING_HORIZON_DAYS
) -> list[dict[str, Any]]:
    """Warning level of a city for each day of [start, end] (hindcast from daily AQI)."""
    days, levels, aqi = _levels(store, [adcode], start, end, horizon)
    return [
        {
            "date": d.isoformat(),
            "level": int(levels[i, 0]),
            "level_name": LEVEL_NAMES[int(levels[i, 0])],
            "daily_aqi": None if np.isnan(aqi[i, 0]) else int(aqi[i, 0]),
            "basis": "observed daily AQI as forecast (hindcast)",
        }
        for i, d in enumerate(days)
    ]


def regional_episodes(
    store: Store,
    region: Any,
    start: date,
    end: date,
    *,
    min_level: int = 1,
    min_share: float = MIN_CONTRIBUTOR_SHARE,
    horizon: int = WARNING_HORIZON_DAYS,
) -> list[dict[str, Any]]:
    """Episodes of neighbouring cities in warning and the upwind cities asked to act.

    Parameters
    ----------
    store : Store
        The monitoring store.
    region : coopgov.region.Region
        Cities (``adcodes``, ``cities``), ``adjacency`` and ``air_transfer``.
    start, end : date
        Inclusive day range.
    min_level : int
        Lowest warning level in an episode (1 blue).
    min_share : float
        Smallest share of the imported pollution for a contributor [0-1].
    horizon : int
        Outlook days for the warning levels.
    """
    adcodes = [int(a) for a in region.adcodes]
    days, levels, _ = _levels(store, adcodes, start, end, horizon)
    names = dict(zip(region.cities["adcode"].astype(int), region.cities["name_en"], strict=True))
    episodes = find_episodes(
        levels,
        np.asarray(region.adjacency, bool),
        np.asarray(region.air_transfer, float),
        min_level=min_level,
        min_share=min_share,
    )
    out = []
    for ep in episodes:
        out.append(
            {
                "date": days[ep.day_index].isoformat(),
                "max_level": ep.max_level,
                "max_level_name": LEVEL_NAMES[ep.max_level],
                "cities": [
                    {
                        "adcode": adcodes[i],
                        "name_en": names.get(adcodes[i]),
                        "level": int(levels[ep.day_index, i]),
                    }
                    for i in ep.members
                ],
                "linked_action": [
                    {
                        "adcode": adcodes[i],
                        "name_en": names.get(adcodes[i]),
                        "share_of_imported": round(s, 4),
                        "recommended_level": ep.max_level,
                        "recommended_level_name": LEVEL_NAMES[ep.max_level],
                    }
                    for i, s in ep.contributors
                ],
            }
        )
    return out
