r"""Synthetic demonstration data: a year of hourly monitoring for a region's cities.

Everything here is **synthetic** (source field ``"synthetic-demo"``): one air
station per city at the city's centroid, water sections on the rivers that
cross a provincial border, and concentrations from a simple generator, so
that a newcomer sees the platform working at once.  None of it is a
measurement.

Generator (all constants are assumptions chosen to give plausible YRD
levels, and are keyword arguments):

* local source strength of city i, s_i(t) = e_i · seasonal(t) · diurnal(t) ·
  stagnation(t) · noise_i(t), with e_i the city's primary-PM emission share
  (region ``emission("pm")``), a winter-high cosine seasonal cycle, a
  morning/evening diurnal cycle, multiplicative AR(1) log-normal noise, and
  several winter *stagnation episodes* of 3-6 days that multiply emissions
  region-wide;
* transport through the region's air transfer matrix T: PM2.5 at j is
  :math:`c_j(t) = b + k \\left(T_{jj} s_j(t) + \\sum_{i \\ne j} T_{ij} s_i(t - 6h)\\right)`
  (six hours' travel between cities, assumption);
* the other pollutants follow from PM2.5 and their own cycles (PM10 ≈ 1.6 ×
  PM2.5; O3 high on summer afternoons; NO2 with rush hours; SO2 scaled by
  the city's SO2 emissions; CO in mg/m³).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from coopgov.platform.store import Station, Store

__all__ = ["DEMO_SOURCE", "DemoConfig", "demo_stations", "demo_frames", "load_demo"]

DEMO_SOURCE = "synthetic-demo"


@dataclass(frozen=True)
class DemoConfig:
    """Settings of the demonstration generator (all assumptions, see module docstring).

    Attributes
    ----------
    year : int
        Calendar year generated (hour-ending labels from Jan 1 01:00 to Jan 1 00:00
        of the next year, China Standard Time).
    seed : int
        Random seed.
    background_pm25 : float
        Regional background PM2.5, µg/m³.
    pm25_scale : float
        Scale k of the transported source term, µg/m³ per unit source.
    n_winter_episodes : int
        Stagnation episodes between mid-November and February.
    episode_factor : tuple of float
        Range of the emission multiplier during an episode.
    transport_lag_h : int
        Travel time between cities, h.
    water_every_h : int
        Sampling interval of the automatic water stations, h.
    """

    year: int = 2025
    seed: int = 2025
    background_pm25: float = 12.0
    pm25_scale: float = 38.0
    n_winter_episodes: int = 6
    episode_factor: tuple[float, float] = (2.8, 4.2)
    transport_lag_h: int = 6
    water_every_h: int = 4


def demo_stations(region: Any) -> list[Station]:
    """One air station per city (at its centroid) and sections on transboundary rivers.

    Parameters
    ----------
    region : coopgov.region.Region
        Cities and river edges.

    Returns
    -------
    list of Station
        All labelled synthetic.  A water section lies midway between the
        centroids of the upstream and downstream cities of a river link that
        crosses a provincial border; it belongs to the downstream city
        (assumption: the receiving city monitors its inflow).
    """
    cities = region.cities
    out = [
        Station(
            station_id=f"{int(c.adcode)}-A01",
            adcode=int(c.adcode),
            name=f"{c.name_en} centroid (synthetic)",
            kind="air",
            lon=round(float(c.lon), 5),
            lat=round(float(c.lat), 5),
            synthetic=True,
            source=f"{DEMO_SOURCE}: city centroid",
        )
        for c in cities.itertuples()
    ]
    info = cities.set_index("adcode")
    edges = getattr(region, "river_edges", None)
    if edges is None:
        return out
    for e in edges.itertuples():
        up, down = int(e.upstream), int(e.downstream)
        if up not in info.index or down not in info.index:
            continue
        if info.loc[up, "province"] == info.loc[down, "province"]:
            continue
        river = str(e.river)
        out.append(
            Station(
                station_id=f"{down}-W{up}",
                adcode=down,
                name=f"{river}: {info.loc[up, 'name_en']} -> {info.loc[down, 'name_en']} "
                "boundary (synthetic)",
                kind="water",
                lon=round(float((info.loc[up, "lon"] + info.loc[down, "lon"]) / 2), 5),
                lat=round(float((info.loc[up, "lat"] + info.loc[down, "lat"]) / 2), 5),
                water_body=river,
                water_type="lake" if "Taihu" in river and "inflow" not in river else "river",
                synthetic=True,
                source=f"{DEMO_SOURCE}: river link midpoint",
            )
        )
    return out


def _hours(year: int) -> pd.DatetimeIndex:
    start = pd.Timestamp(f"{year}-01-01T01:00", tz="Asia/Shanghai")
    end = pd.Timestamp(f"{year + 1}-01-01T00:00", tz="Asia/Shanghai")
    return pd.date_range(start, end, freq="h")


def _ar1(rng: np.random.Generator, shape: tuple[int, int], rho: float, sigma: float) -> np.ndarray:
    """AR(1) series along axis 0 with stationary standard deviation ``sigma``."""
    eps = rng.normal(0.0, sigma * np.sqrt(1 - rho**2), size=shape)
    out = np.empty(shape)
    out[0] = rng.normal(0.0, sigma, size=shape[1])
    for t in range(1, shape[0]):
        out[t] = rho * out[t - 1] + eps[t]
    return out


def air_fields(
    region: Any, config: DemoConfig = DemoConfig()
) -> tuple[pd.DatetimeIndex, dict[str, np.ndarray]]:
    """Hourly concentrations of the six AQI pollutants for every city.

    Returns
    -------
    times : DatetimeIndex
        Hour-ending labels (China Standard Time).
    fields : dict of str to ndarray, shape (n_hours, N)
        SO2, NO2, O3, PM10, PM2.5 [µg/m³], CO [mg/m³].
    """
    rng = np.random.default_rng(config.seed)
    times = _hours(config.year)
    n_t, n = len(times), len(region.adcodes)
    doy = times.dayofyear.to_numpy()
    hour = times.hour.to_numpy()
    seasonal = 1.0 + 0.45 * np.cos(2 * np.pi * (doy - 15) / 365.0)  # peak mid-January
    diurnal = 1.0 + 0.18 * np.cos(2 * np.pi * (hour - 21) / 24.0)
    stagnation = np.ones(n_t)
    for _ in range(config.n_winter_episodes):
        centre = int(rng.choice(np.r_[np.arange(0, 60), np.arange(320, 360)])) * 24
        length = int(rng.integers(3, 7)) * 24
        factor = rng.uniform(*config.episode_factor)
        ramp = np.clip(np.arange(n_t) - centre, 0, None)
        window = (ramp > 0) & (ramp < length)
        stagnation[window] *= 1 + (factor - 1) * np.sin(np.pi * ramp[window] / length)
    try:
        e = np.asarray(region.emission("pm"), dtype=float)
    except (AttributeError, KeyError, TypeError, ValueError):
        e = np.ones(n)
    e = e / e.mean()
    noise = np.exp(_ar1(rng, (n_t, n), rho=0.95, sigma=0.25))
    source = e[None, :] * (seasonal * diurnal * stagnation)[:, None] * noise
    t = np.asarray(region.air_transfer, dtype=float)
    local = source * np.diag(t)[None, :]
    off = t - np.diag(np.diag(t))
    lagged = np.roll(source, config.transport_lag_h, axis=0)
    lagged[: config.transport_lag_h] = source[: config.transport_lag_h]
    pm25 = config.background_pm25 + config.pm25_scale * (local + lagged @ off) / 1.6
    try:
        so2e = np.asarray(region.emission("so2"), dtype=float)
        so2e = so2e / so2e.mean()
    except (AttributeError, KeyError, TypeError, ValueError):
        so2e = np.ones(n)
    rush = 1 + 0.25 * (np.exp(-((hour - 8) ** 2) / 4) + np.exp(-((hour - 19) ** 2) / 6))
    summer = 1.0 - 0.45 * np.cos(2 * np.pi * (doy - 15) / 365.0)  # peak mid-July
    afternoon = np.clip(np.sin(np.pi * (hour - 7) / 13.0), 0.05, None)
    fields = {
        "PM2.5": pm25,
        "PM10": pm25 * 1.6 * np.exp(_ar1(rng, (n_t, n), 0.9, 0.1)),
        "SO2": (4.0 + 6.0 * so2e[None, :] * (0.6 + 0.4 * pm25 / pm25.mean())),
        "NO2": (18.0 + 0.25 * pm25) * rush[:, None] * np.exp(_ar1(rng, (n_t, n), 0.9, 0.15)),
        "CO": 0.45 + 0.006 * pm25,
        "O3": (
            25.0 + 120.0 * (summer * afternoon)[:, None] * np.exp(_ar1(rng, (n_t, n), 0.95, 0.2))
        ),
    }
    return times, {k: np.round(v, 1 if k != "CO" else 2) for k, v in fields.items()}


def water_fields(
    stations: list[Station], config: DemoConfig = DemoConfig()
) -> tuple[pd.DatetimeIndex, dict[str, np.ndarray]]:
    """Automatic water-station values every ``water_every_h`` hours, mg/L.

    Levels put the sections mostly in classes II-IV of GB 3838-2002 with a
    summer worsening of nutrients and a summer low of dissolved oxygen
    (assumptions).
    """
    rng = np.random.default_rng(config.seed + 1)
    times = _hours(config.year)[config.water_every_h - 1 :: config.water_every_h]
    n = len(stations)
    doy = times.dayofyear.to_numpy()[:, None]
    summer = 0.5 - 0.5 * np.cos(2 * np.pi * (doy - 15) / 365.0)
    level = rng.uniform(0.7, 1.4, size=n)[None, :]
    noise = lambda s: np.exp(_ar1(rng, (len(times), n), 0.97, s))  # noqa: E731
    fields = {
        "DO": np.round(9.0 - 3.0 * summer * level * noise(0.05), 2),
        "CODMn": np.round(3.2 * level * (1 + 0.3 * summer) * noise(0.12), 2),
        "NH3-N": np.round(0.35 * level * (1 + 0.5 * summer) * noise(0.2), 3),
        "TP": np.round(0.09 * level * (1 + 0.6 * summer) * noise(0.2), 3),
        "TN": np.round(1.2 * level * (1 + 0.3 * summer) * noise(0.15), 2),
    }
    return times, fields


def _frame(
    station_ids: list[str],
    times: pd.DatetimeIndex,
    fields: dict[str, np.ndarray],
    units: dict[str, str],
) -> pd.DataFrame:
    n_t, n = len(times), len(station_ids)
    labels = np.asarray(times.strftime("%Y-%m-%dT%H:%M:%S+08:00"), dtype=object)
    parts = []
    for p, arr in fields.items():
        parts.append(
            pd.DataFrame(
                {
                    "station_id": np.tile(np.asarray(station_ids, dtype=object), n_t),
                    "time": np.repeat(labels, n),
                    "pollutant": p,
                    "value": arr.reshape(-1),
                    "unit": units[p],
                    "reference_state": "",
                    "source": DEMO_SOURCE,
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def demo_frames(
    region: Any, config: DemoConfig = DemoConfig()
) -> Iterator[tuple[int, pd.DataFrame]]:
    """Yield (adcode, measurements of that city's stations) for every city.

    Columns are those of a CSV batch (``station_id, time, pollutant, value,
    unit, reference_state, source``).
    """
    stations = demo_stations(region)
    air = [s for s in stations if s.kind == "air"]
    water = [s for s in stations if s.kind == "water"]
    times, fields = air_fields(region, config)
    index = {int(a): i for i, a in enumerate(region.adcodes)}
    air_units = {p: ("mg/m3" if p == "CO" else "ug/m3") for p in fields}
    wtimes, wfields = water_fields(water, config)
    for adcode in region.adcodes:
        adcode = int(adcode)
        mine = [s for s in air if s.adcode == adcode]
        cols = [index[adcode]] * len(mine)
        frame = _frame(
            [s.station_id for s in mine],
            times,
            {p: v[:, cols] for p, v in fields.items()},
            air_units,
        )
        wsel = [i for i, s in enumerate(water) if s.adcode == adcode]
        if wsel:
            wf = {p: v[:, wsel] for p, v in wfields.items()}
            frame = pd.concat(
                [
                    frame,
                    _frame(
                        [water[i].station_id for i in wsel], wtimes, wf, dict.fromkeys(wf, "mg/L")
                    ),
                ],
                ignore_index=True,
            )
        yield adcode, frame


def load_demo(
    store: Store,
    region: Any,
    config: DemoConfig = DemoConfig(),
    *,
    csv_dir: str | Path | None = None,
) -> dict[str, int]:
    """Write the demonstration stations and year of data into ``store``.

    Parameters
    ----------
    store : Store
        Target store (the system administrator writes).
    region : coopgov.region.Region
        Region of the data.
    config : DemoConfig
        Generator settings.
    csv_dir : str or Path, optional
        Also keep each city's batch as ``<adcode>.csv`` there (atomically written).

    Returns
    -------
    dict
        Counts: stations, rows, inserted, quarantined.
    """
    from coopgov.io import atomic_write_text

    stations = demo_stations(region)
    store.upsert_stations(stations)
    totals = {"stations": len(stations), "rows": 0, "inserted": 0, "quarantined": 0}
    for adcode, frame in demo_frames(region, config):
        text = frame.to_csv(index=False)
        if csv_dir is not None:
            atomic_write_text(Path(csv_dir) / f"{adcode}.csv", text)
        report = store.ingest_csv(text, default_source=DEMO_SOURCE)
        totals["rows"] += report.n_rows
        totals["inserted"] += report.n_inserted
        totals["quarantined"] += report.n_quarantined
    return totals
