"""Published daily AQI per HJ 633 edition: the edition's report decides the indicators."""

from __future__ import annotations

import pandas as pd
import pytest

from coopgov.errors import InputError
from coopgov.platform.aggregates import daily_aqi_table
from coopgov.platform.store import Store


def _day(o3_1h: float) -> pd.DataFrame:
    # all indicators given: SO2 10 -> 10; NO2 10 -> 12.5 -> 13; CO 0.5 -> 12.5 -> 13;
    # PM10 20 -> 20; PM2.5 30 -> 50/35 * 30 = 42.9 -> 43; O3 8 h 90 -> 45
    values = {"so2": 10.0, "no2": 10.0, "co": 0.5, "pm10": 20.0, "pm2_5": 30.0, "o3_8h": 90.0}
    frame = pd.DataFrame({"adcode": [310100], "day": [pd.Timestamp("2025-01-01")]})
    return frame.assign(**values, o3_1h=o3_1h)


def test_2012_daily_report_counts_the_o3_1h_maximum():
    # HJ 633-2012 section 5: the daily report has the O3 1 h daily maximum.
    # O3 1 h 250 in (200, 300]: 100 + 50/100 * 50 = 125 > the others (<= 45).
    rows = daily_aqi_table(_day(250.0), key="adcode", standard="2012")
    assert rows["aqi"].tolist() == [125] and rows["primary_pollutants"].tolist() == ["o3_1h"]
    # HJ 633-2026: O3 in the daily report by its 8 h maximum only:
    # AQI max(10, 13, 13, 20, 43, 45) = 45.
    rows = daily_aqi_table(_day(250.0), key="adcode", standard="2026")
    assert rows["aqi"].tolist() == [45]


def test_store_refuses_an_unknown_edition(tmp_path):
    with pytest.raises(InputError) as e:
        Store(tmp_path / "s.duckdb", standard="2013")
    assert e.value.field == "standard"
