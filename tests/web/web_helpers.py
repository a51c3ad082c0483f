"""Helpers shared by the dashboard tests (imported by name; not fixtures)."""

from __future__ import annotations

from pathlib import Path

from coopgov.platform.store import Station, Store

SH, SZ, JX = 310100, 320500, 330400  # Shanghai, Suzhou, Jiaxing (GB/T 2260 adcodes)
DEMO_DAY = "2025-01-01"

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def hourly_csv(station: str, day: str = DEMO_DAY, values: dict[str, float] | None = None) -> str:
    """CSV of 24 constant hourly values of one day (hour-ending labels, +08:00)."""
    import pandas as pd

    values = values or {
        "PM2.5": 80.0,
        "PM10": 100.0,
        "SO2": 10.0,
        "NO2": 40.0,
        "CO": 1.0,
        "O3": 50.0,
    }
    times = pd.date_range(f"{day}T01:00", periods=24, freq="h", tz="Asia/Shanghai")
    lines = ["station_id,time,pollutant,value,unit"]
    for t in times:
        for p, v in values.items():
            lines.append(f"{station},{t.isoformat()},{p},{v},{'mg/m3' if p == 'CO' else 'ug/m3'}")
    return "\n".join(lines) + "\n"


def fill_store(url: str) -> Store:
    """A store with one day of data at three stations (PM2.5 80, 30 and 300 µg/m³)."""
    store = Store(url, idle_release_s=2.0)
    store.upsert_stations(
        [
            Station(f"{SH}-A01", SH, "Shanghai A", "air", 121.47, 31.23),
            Station(f"{SZ}-A01", SZ, "Suzhou A", "air", 120.62, 31.30),
            Station(f"{JX}-A01", JX, "Jiaxing A", "air", 120.76, 30.75),
        ]
    )
    base = {"PM10": 100.0, "SO2": 10.0, "NO2": 40.0, "CO": 1.0, "O3": 50.0}
    for code, pm25 in ((SH, 80.0), (SZ, 30.0), (JX, 300.0)):
        values = base | {"PM2.5": pm25}
        if code == JX:
            values["PM10"] = 300.0
        store.ingest_csv(hourly_csv(f"{code}-A01", values=values))
    return store
