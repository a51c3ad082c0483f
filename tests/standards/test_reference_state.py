"""Reference-state conversion, GB 3095-2012 and its 2018 amendment."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from coopgov.errors import InputError
from coopgov.standards.reference_state import (
    convert_gas_state,
    harmonise_gas,
    reporting_state,
)

FACTOR = 273.0 / 298.15  # 0.915646...


def test_switch_date():
    got = harmonise_gas([100.0, 100.0], "so2", ["2018-08-31T23:00", "2018-09-01T00:00"])
    np.testing.assert_allclose(got, [100 * FACTOR, 100.0])
    assert list(reporting_state(["2018-08-31", "2018-09-01"])) == ["standard", "reference"]


def test_hand_value():
    # 150 µg/m³ NO2 at 273 K -> 150 * 273 / 298.15 = 137.347 at 298.15 K
    assert float(harmonise_gas(150.0, "no2", state="standard")) == pytest.approx(137.3470, abs=1e-4)
    assert float(harmonise_gas(150.0, "no2", state="reference")) == 150.0


def test_particulates_unchanged():
    assert float(harmonise_gas(80.0, "pm2_5", "2015-01-01")) == 80.0


def test_timezone_aware_index():
    # 2018-08-31T17:00Z is 2018-09-01T01:00 in China -> already reference state
    idx = pd.DatetimeIndex(["2018-08-31T15:00Z", "2018-08-31T17:00Z"])
    np.testing.assert_allclose(harmonise_gas([100.0, 100.0], "co", idx), [100 * FACTOR, 100])


def test_general_conversion_round_trip():
    c = convert_gas_state(100.0, from_temperature_k=273.0, to_temperature_k=298.15)
    back = convert_gas_state(c, from_temperature_k=298.15, to_temperature_k=273.0)
    assert float(c) == pytest.approx(100 * FACTOR) and float(back) == pytest.approx(100.0)


def test_bad_input():
    with pytest.raises(InputError):
        harmonise_gas(1.0, "so2")
    with pytest.raises(InputError):
        harmonise_gas(1.0, "so2", "2018-01-01", state="standard")
    with pytest.raises(InputError):
        harmonise_gas(1.0, "h2s", state="standard")
    with pytest.raises(InputError):
        harmonise_gas(1.0, "so2", state="normal")
