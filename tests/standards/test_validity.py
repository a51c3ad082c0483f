"""GB 3095-2012 Table 4 validity; HJ 663-2013 O3 daily max 8 h (unconfirmed rule)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from coopgov.errors import InputError
from coopgov.standards.validity import (
    annual_mean,
    daily_max_1h,
    daily_mean,
    day_matrix,
    hourly_valid,
    o3_8h_moving_average,
    o3_daily_max_8h,
)


def test_hourly_valid_45_minutes():
    np.testing.assert_array_equal(hourly_valid([44, 45, 60]), [False, True, True])


def test_daily_mean_needs_20_hours():
    h = np.arange(24.0)  # mean 11.5
    assert daily_mean(h) == 11.5
    h20 = h.copy()
    h20[:4] = np.nan  # 20 valid hours 4..23: mean 13.5
    assert daily_mean(h20) == 13.5
    h19 = h.copy()
    h19[:5] = np.nan
    assert np.isnan(daily_mean(h19))
    assert daily_mean(np.stack([h, h19])).shape == (2,)
    with pytest.raises(InputError):
        daily_mean(np.arange(23.0))


def test_daily_max_1h():
    h = np.arange(24.0)
    assert daily_max_1h(h) == 23
    h[:5] = np.nan
    assert np.isnan(daily_max_1h(h))


def test_o3_8h_moving_average_min_6():
    h = np.arange(24.0)
    ma = o3_8h_moving_average(h)
    # window ending at hour 7 covers 0..7: mean 3.5; at 5: hours 0..5 (6 values) mean 2.5
    assert ma[7] == 3.5 and ma[5] == 2.5 and np.isnan(ma[4])
    h[10:13] = np.nan  # window ending 15 covers 8..15 with 3 missing -> 5 values -> NaN
    ma = o3_8h_moving_average(h)
    assert np.isnan(ma[15])
    # ending 16 covers 9..16 minus 10, 11, 12 -> 9, 13, 14, 15, 16: 5 values -> NaN
    assert np.isnan(ma[16])
    # ending 17 covers 10..17 minus 10, 11, 12 -> 13..17 = 5 values -> NaN; ending 18: 6 values
    assert ma[18] == np.mean([13, 14, 15, 16, 17, 18])
    with_history = o3_8h_moving_average(np.arange(24.0), history=np.full(7, 0.0))
    assert with_history[0] == 0.0  # (7 * 0 + 0) / 8


def test_o3_daily_max_8h():
    h = np.arange(24.0)
    # windows ending 08:00..24:00 (indices 7..23); max is hours 16..23: mean 19.5
    assert o3_daily_max_8h(h) == 19.5
    # the night hours before 08:00 do not form windows of their own
    h2 = np.zeros(24)
    h2[0] = 800.0
    assert o3_daily_max_8h(h2) == 100.0  # only the window 0..7 contains it
    # hours 0..10 missing: the window ending at t holds t - 10 values, so only
    # the 8 windows ending 16..23 are valid (< 14)
    h3 = np.full(24, 100.0)
    h3[:11] = np.nan
    n_valid = np.sum(~np.isnan(o3_8h_moving_average(h3)[7:]))
    assert n_valid == 8
    assert np.isnan(o3_daily_max_8h(h3))  # max 100 <= 160: not kept
    h3[11:] = 200.0
    assert o3_daily_max_8h(h3) == 200.0  # fewer windows but exceeds 160: kept
    assert np.isnan(o3_daily_max_8h(h3, keep_if_exceeds=False))


def test_annual_mean_coverage():
    dates = np.arange(np.datetime64("2023-01-01"), np.datetime64("2024-01-01"))
    daily = np.ones(dates.size)
    assert annual_mean(daily, dates) == 1.0
    month = dates.astype("datetime64[M]").astype(int) % 12
    # keep exactly 27 days a month (25 in February): 11 * 27 + 25 = 322 < 324 -> invalid
    d = np.full(dates.size, np.nan)
    for m in range(12):
        idx = np.flatnonzero(month == m)[: 25 if m == 1 else 27]
        d[idx] = 2.0
    assert np.isnan(annual_mean(d, dates))
    # two more days in January -> 324 -> valid
    d[np.flatnonzero(month == 0)[27:29]] = 2.0
    assert annual_mean(d, dates) == 2.0
    # February with 24 days -> invalid even though the total is enough
    d2 = np.ones(dates.size)
    d2[np.flatnonzero(month == 1)[:4]] = np.nan
    assert np.isnan(annual_mean(d2, dates))
    # batch axis
    assert annual_mean(np.stack([daily, d2]), dates).shape == (2,)
    with pytest.raises(InputError):
        annual_mean(daily[:10], dates)


def test_day_matrix_hour_ending():
    idx = pd.date_range("2024-01-01 01:00", periods=48, freq="h")
    dates, v = day_matrix(pd.Series(np.arange(48.0), index=idx))
    assert list(dates.astype(str)) == ["2024-01-01", "2024-01-02"]
    # 2024-01-02 00:00 ends the last hour of 2024-01-01
    assert v[0, 23] == 23.0 and v[1, 0] == 24.0
    one = pd.Series([5.0], index=pd.DatetimeIndex(["2024-01-01 00:00"]))
    dates, v = day_matrix(one, label="start")
    assert v[0, 0] == 5.0 and np.isnan(v[0, 1:]).all()
    with pytest.raises(InputError):
        day_matrix(pd.Series([1.0, 2.0], index=pd.DatetimeIndex(["2024-01-01"] * 2)))
