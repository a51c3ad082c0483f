"""Helpers shared by the platform tests (imported by name; not fixtures)."""

from __future__ import annotations

import pandas as pd

from coopgov.platform.store import Station

SH, SZ, JX = 310100, 320500, 330400  # Shanghai, Suzhou, Jiaxing (GB/T 2260 adcodes)

STATIONS = [
    Station("310100-A01", SH, "Shanghai A", "air", 121.47, 31.23),
    Station("320500-A01", SZ, "Suzhou A", "air", 120.62, 31.30),
    Station("330400-A01", JX, "Jiaxing A", "air", 120.76, 30.75),
    Station("310100-W01", SH, "Taipu section", "water", 121.0, 31.0, "Taipu River", "river"),
]


def hourly_csv(
    station: str,
    start: str = "2025-01-01T01:00",
    hours: int = 24,
    values: dict[str, float] | None = None,
    source: str = "",
) -> str:
    """CSV of constant hourly values (hour-ending labels, +08:00)."""
    values = values or {
        "PM2.5": 80.0,
        "PM10": 100.0,
        "SO2": 10.0,
        "NO2": 40.0,
        "CO": 1.0,
        "O3": 50.0,
    }
    units = {"CO": "mg/m3"}
    times = pd.date_range(start, periods=hours, freq="h", tz="Asia/Shanghai")
    lines = ["station_id,time,pollutant,value,unit,reference_state,source"]
    for t in times:
        for p, v in values.items():
            lines.append(f"{station},{t.isoformat()},{p},{v},{units.get(p, 'ug/m3')},,{source}")
    return "\n".join(lines) + "\n"


def pg_dsn_or_skip() -> str:
    """The test PostgreSQL DSN; skip without one (fail under CI=true)."""
    import os

    import pytest

    dsn = os.environ.get("COOPGOV_TEST_PG_DSN")
    if not dsn:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(
                "CI=true but COOPGOV_TEST_PG_DSN is not set: source "
                ".ci/services/postgres.sh before the tests"
            )
        pytest.skip("COOPGOV_TEST_PG_DSN not set (source .ci/services/postgres.sh)")
    return dsn
