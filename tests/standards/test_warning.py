"""Heavy-pollution warning levels, national rules of 2017-2018 (docs/standards.md, Table L1)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coopgov.errors import InputError
from coopgov.standards.warning import (
    LEVEL_NAMES,
    WarningConfig,
    WarningRule,
    rolling_daily_aqi,
    warning_level,
)


@pytest.mark.parametrize(
    ("forecast", "expected"),
    [
        ([150, 200, 180], 0),  # 200 is not > 200
        ([150, 201, 180], 1),  # one day > 200: blue
        ([210, 250, 180], 2),  # two consecutive days: yellow
        ([210, 150, 250], 1),  # not consecutive: blue only
        ([210, 250, 280], 2),  # three days but none > 300: yellow
        ([210, 250, 320], 3),  # three days, one > 300: orange
        ([210, 310, 320, 220], 4),  # four days, two > 300: red
        ([210, 310, 250, 220], 3),  # four days, one > 300: orange
        ([100, 500, 100], 4),  # AQI reaching 500: red
        ([301, 200, 301, 301], 2),  # runs of 1 and 2 days: yellow
    ],
)
def test_national_levels(forecast, expected):
    assert int(warning_level(forecast)) == expected


def test_batch_and_names():
    f = np.array([[210, 250, 320], [100, 100, 100]])
    np.testing.assert_array_equal(warning_level(f), [3, 0])
    assert LEVEL_NAMES[3] == "orange"


def test_configurable_rules():
    # a plan without a blue level
    cfg = WarningConfig(rules=WarningConfig().rules[1:])
    assert int(warning_level([201, 150], cfg)) == 0
    # counting non-consecutive days
    cfg = WarningConfig(consecutive=False)
    assert int(warning_level([210, 150, 250], cfg)) == 2
    # no extreme rule
    cfg = WarningConfig(extreme_threshold=None)
    # one day > 200 (and > 300) only: blue
    assert int(warning_level([100, 500, 100], cfg)) == 1
    with pytest.raises(ValueError):
        WarningRule(level=5, min_days_heavy=1)


def test_rolling_daily_aqi():
    # day 0 all 100; day 1: 12 h of 100 then 12 h of 300; day 2: 12 h of 300 then 100
    h = np.r_[np.full(36, 100.0), np.full(24, 300.0), np.full(12, 100.0)]
    # day 1: windows ending there reach at most (12 * 100 + 12 * 300) / 24 = 200
    # day 2: the window ending at hour 59 is all 300
    np.testing.assert_array_equal(rolling_daily_aqi(h), [100, 200, 300])
    h[5] = np.nan  # invalidates all windows of day 0 and windows of day 1 containing hour 5
    out = rolling_daily_aqi(h)
    assert np.isnan(out[0]) and out[1] == 200
    with pytest.raises(InputError):
        rolling_daily_aqi(np.ones(25))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(0, 600, allow_nan=False), min_size=1, max_size=10), st.floats(0, 100))
def test_level_monotone_in_aqi(forecast, bump):
    a = np.asarray(forecast)
    assert 0 <= int(warning_level(a)) <= 4
    assert int(warning_level(a + bump)) >= int(warning_level(a))
