"""AQI per HJ 633-2012 and HJ 633-2026.

Expected numbers are hand-computed from HJ 633-2012 Table 1 (and the 2026
changes) as reproduced in the project's docs/standards.md (Tables A1-A3); the
arithmetic is in the comments.
An exact oracle (decimal rounding + rational arithmetic) checks the float
kernel on random inputs.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coopgov.errors import InputError
from coopgov.standards.aqi import (
    BREAKPOINTS,
    CATEGORIES,
    DEFAULT_STANDARD,
    EDITIONS,
    HJ633_2012,
    REPORT_INDICATORS,
    AQIEdition,
    aqi_category,
    aqi_edition,
    aqi_report,
    iaqi,
    round_concentration,
)

# pollutant, averaging, column name
COLUMNS = [
    ("so2", "24h", "so2_24h"),
    ("so2", "1h", "so2_1h"),
    ("no2", "24h", "no2_24h"),
    ("no2", "1h", "no2_1h"),
    ("pm10", "24h", "pm10_24h"),
    ("co", "24h", "co_24h"),
    ("co", "1h", "co_1h"),
    ("o3_1h", None, "o3_1h"),
    ("o3_8h", None, "o3_8h"),
    ("pm2_5", "24h", "pm2_5_24h"),
]


def exact_iaqi(standard: str, pollutant: str, column: str, text: str) -> float:
    """Independent oracle: decimal GB/T 8170 rounding, rational interpolation."""
    col = BREAKPOINTS[standard][column]
    x = Decimal(text)
    if standard == "2026":
        x = x.quantize(Decimal("0.1") if pollutant == "co" else Decimal("1"), ROUND_HALF_EVEN)
    bp = [Decimal(str(b)) for b in col.concentration]
    if x > bp[-1]:
        return 500.0 if col.above_top is None else col.above_top
    k = next(i for i in range(1, len(bp)) if bp[i] >= x)
    v = Fraction(col.iaqi[k - 1]) + Fraction(col.iaqi[k] - col.iaqi[k - 1]) * (
        Fraction(x) - Fraction(bp[k - 1])
    ) / (Fraction(bp[k]) - Fraction(bp[k - 1]))
    return float(math.ceil(v))


# ---------------------------------------------------------------- tables


def test_tables_match_standards_md():
    # docs/standards.md Table A1: HJ 633-2012 Table 1 and the 2026 changes
    t12, t26 = BREAKPOINTS["2012"], BREAKPOINTS["2026"]
    assert t12["so2_24h"].concentration == (0, 50, 150, 475, 800, 1600, 2100, 2620)
    assert t12["pm10_24h"].concentration[2] == 150 and t26["pm10_24h"].concentration[2] == 120
    assert t12["pm2_5_24h"].concentration[2] == 75 and t26["pm2_5_24h"].concentration[2] == 60
    for name in t12:
        a, b = t12[name].concentration, t26[name].concentration
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        assert diff == ([2] if name in ("pm10_24h", "pm2_5_24h") else [])
        assert all(np.diff(a) > 0)


# ------------------------------------------------------- breakpoint corners


@pytest.mark.parametrize("standard", ["2012", "2026"])
@pytest.mark.parametrize(("pollutant", "averaging", "column"), COLUMNS)
def test_every_breakpoint_gives_its_level(standard, pollutant, averaging, column):
    col = BREAKPOINTS[standard][column]
    got = iaqi(pollutant, list(col.concentration), standard=standard, averaging=averaging)
    np.testing.assert_array_equal(got, col.iaqi)


@pytest.mark.parametrize(("pollutant", "averaging", "column"), COLUMNS)
def test_just_above_each_breakpoint_2012(pollutant, averaging, column):
    # 2012 does not round concentrations: BP + 0.01 lies in the next segment
    # and ceil lifts the IAQI to level + 1 (the slope is below 100/unit).
    col = BREAKPOINTS["2012"][column]
    c = np.asarray(col.concentration[:-1]) + 0.01
    got = iaqi(pollutant, c, standard="2012", averaging=averaging)
    np.testing.assert_array_equal(got, np.asarray(col.iaqi[:-1]) + 1)


@pytest.mark.parametrize(("pollutant", "averaging", "column"), COLUMNS)
def test_just_above_each_breakpoint_2026(pollutant, averaging, column):
    # 2026 rounds first: BP + 0.4 (CO: + 0.04) rounds back to BP; BP + 1 (CO
    # + 0.1) is the first value above, checked against the exact oracle.
    col = BREAKPOINTS["2026"][column]
    step = 0.1 if pollutant == "co" else 1.0
    bp = np.asarray(col.concentration[:-1], dtype=float)
    np.testing.assert_array_equal(
        iaqi(pollutant, bp + 0.4 * step, averaging=averaging), col.iaqi[:-1]
    )
    above = iaqi(pollutant, bp + step, averaging=averaging)
    assert np.all(above > np.asarray(col.iaqi[:-1]))
    expected = [exact_iaqi("2026", pollutant, column, f"{b + step:.1f}") for b in bp]
    np.testing.assert_array_equal(above, expected)


# ------------------------------------------------------ hand-computed values


@pytest.mark.parametrize(
    ("pollutant", "averaging", "c", "standard", "expected"),
    [
        # PM2.5 2012: 50 + (100-50)/(75-35) * (50-35) = 68.75 -> 69
        ("pm2_5", "24h", 50.0, "2012", 69),
        # PM2.5 2026: 50 + (100-50)/(60-35) * (50-35) = 80 exactly -> 80
        ("pm2_5", "24h", 50.0, "2026", 80),
        # PM2.5 2026: 100 + 50/(115-60) * (75-60) = 113.64 -> 114
        ("pm2_5", "24h", 75.0, "2026", 114),
        # PM10 2012: 100 + 50/100 * (200-150) = 125
        ("pm10", "24h", 200.0, "2012", 125),
        # PM10 2026: 100 + 50/130 * (200-120) = 130.77 -> 131
        ("pm10", "24h", 200.0, "2026", 131),
        # SO2 24 h: 150 + 50/325 * (600-475) = 169.23 -> 170
        ("so2", "24h", 600.0, "2012", 170),
        # NO2 1 h: 100 + 50/500 * (300-200) = 110
        ("no2", "1h", 300.0, "2026", 110),
        # CO 24 h 2012 (no rounding): 50 + 50/2 * (3.01-2) = 75.25 -> 76
        ("co", "24h", 3.01, "2012", 76),
        # CO 24 h 2026: 3.01 -> 3.0; 50 + 25 * 1.0 = 75
        ("co", "24h", 3.01, "2026", 75),
        # O3 1 h: 200 + 100/400 * (500-400) = 225
        ("o3_1h", None, 500.0, "2026", 225),
        # O3 8 h: 150 + 50/50 * (240-215) = 175
        ("o3_8h", None, 240.0, "2012", 175),
        # ceil: PM10 2012 51 -> 50 + 0.5 = 50.5 -> 51
        ("pm10", "24h", 51.0, "2012", 51),
        # ceil: PM2.5 2012 35.1 -> 50 + 1.25 * 0.1 = 50.125 -> 51
        ("pm2_5", "24h", 35.1, "2012", 51),
        # GB/T 8170 2026: 35.1 -> 35 -> 50
        ("pm2_5", "24h", 35.1, "2026", 50),
        # GB/T 8170: 35.5 -> 36 (5 after odd 5 goes up); 50 + 2 * 1 = 52
        ("pm2_5", "24h", 35.5, "2026", 52),
        # GB/T 8170: 36.5 -> 36 (5 after even 6 is dropped); 52
        ("pm2_5", "24h", 36.5, "2026", 52),
        # GB/T 8170: 36.51 -> 37 (5 followed by non-zero goes up); 50 + 2 * 2 = 54
        ("pm2_5", "24h", 36.51, "2026", 54),
        # CO 2026: 2.25 -> 2.2 (even); 50 + 25 * 0.2 = 55
        ("co", "24h", 2.25, "2026", 55),
        # CO 2026: 2.35 -> 2.4 (odd 3 goes up); 50 + 25 * 0.4 = 60
        ("co", "24h", 2.35, "2026", 60),
        # PM hourly value indexed on the 24 h column: 2026 100 -> 100 + 50/55*40 = 136.4 -> 137
        ("pm2_5", "1h", 100.0, "2026", 137),
    ],
)
def test_hand_computed(pollutant, averaging, c, standard, expected):
    assert float(iaqi(pollutant, c, standard=standard, averaging=averaging)) == expected


def test_ceil_is_not_fooled_by_round_off():
    # 50 / 35 * 35 == 50.000000000000007 in binary; IAQI must stay 50
    assert float(iaqi("pm2_5", 35.0, standard="2012")) == 50
    # CO 2.4 - 2 = 0.3999999999999999; 50 + 25 * 0.4 = 60 exactly
    assert float(iaqi("co", 2.4, standard="2012")) == 60


def test_round_concentration_gbt8170_examples():
    # GB/T 8170-2008 3.3 examples: 10.5002 -> 11; 1.050 -> 1.0 (0.1); 0.35 -> 0.4 (0.1)
    assert float(round_concentration("pm2_5", 10.5002)) == 11
    assert float(round_concentration("co", 1.050)) == 1.0
    assert float(round_concentration("co", 0.35)) == 0.4
    np.testing.assert_array_equal(
        round_concentration("no2", [0.5, 1.5, 2.5, 2.4999, np.nan]), [0, 2, 2, 2, np.nan]
    )


# ----------------------------------------------------------- special rules


def test_so2_1h_above_800():
    c = [800.0, 800.4, 801.0, 5000.0]
    # 2012: not computed from the 1 h column (800.4 is not rounded under 2012)
    np.testing.assert_array_equal(
        iaqi("so2", c, standard="2012", averaging="1h"), [200, np.nan, np.nan, np.nan]
    )
    # 2026: 800.4 rounds to 800 -> 200; above 800 -> 200
    np.testing.assert_array_equal(iaqi("so2", c, averaging="1h"), [200, 200, 200, 200])


def test_o3_8h_above_800():
    c = [800.0, 801.0, 2000.0]
    np.testing.assert_array_equal(iaqi("o3_8h", c, standard="2012"), [300, np.nan, np.nan])
    np.testing.assert_array_equal(iaqi("o3_8h", c), [300, 300, 300])


def test_beyond_table():
    # PM2.5 above 500: capped at 500 by default, NaN on request
    assert float(iaqi("pm2_5", 650.0)) == 500
    assert math.isnan(float(iaqi("pm2_5", 650.0, beyond_table="nan")))
    assert float(iaqi("pm2_5", np.inf)) == 500
    # the special rules are not affected
    assert float(iaqi("so2", 900, averaging="1h", beyond_table="nan")) == 200


def test_nan_and_shape():
    c = np.array([[10.0, np.nan], [np.nan, 80.0]])
    out = iaqi("pm10", c, standard="2012")
    assert out.shape == (2, 2)
    # 10 -> 50/50 * 10 = 10; 80 -> 50 + 50/100 * 30 = 65
    np.testing.assert_array_equal(out, [[10, np.nan], [np.nan, 65]])
    assert iaqi("pm10", 10.0).shape == ()


def test_bad_input():
    with pytest.raises(InputError) as e:
        iaqi("pm2_5", [1.0, -0.5])
    assert e.value.field == "pm2_5" and e.value.value == -0.5
    with pytest.raises(InputError, match="unknown pollutant"):
        iaqi("pm25", 1.0)
    with pytest.raises(InputError):
        iaqi("so2", 1.0, averaging="8h")
    with pytest.raises(InputError):
        iaqi("o3_8h", 1.0, averaging="1h")
    with pytest.raises(InputError) as e:
        iaqi("so2", 1.0, standard="2013")
    assert e.value.field == "standard" and e.value.value == "2013"
    assert all(k in str(e.value) for k in EDITIONS)  # names the known editions
    with pytest.raises(InputError):
        iaqi("so2", "abc")


# ------------------------------------------------------------------ reports


def test_daily_report_2012_hand_computed():
    conc = {
        "so2": 60.0,  # 50 + 50/100 * 10 = 55
        "no2": 50.0,  # 50 + 50/40 * 10 = 62.5 -> 63
        "co": 1.2,  # 50/2 * 1.2 = 30
        "o3_1h": 180.0,  # 50 + 50/40 * 20 = 75
        "o3_8h": 120.0,  # 50 + 50/60 * 20 = 66.7 -> 67
        "pm10": 160.0,  # 100 + 50/100 * 10 = 105
        "pm2_5": 80.0,  # 100 + 50/40 * 5 = 106.25 -> 107
    }
    r = aqi_report(conc, standard="2012")
    assert {k: float(v) for k, v in r.iaqi.items()} == {
        "so2": 55,
        "no2": 63,
        "co": 30,
        "o3_1h": 75,
        "o3_8h": 67,
        "pm10": 105,
        "pm2_5": 107,
    }
    assert float(r.aqi) == 107 and int(r.category) == 3
    assert r.primary_pollutants() == ["pm2_5"]
    assert r.non_attainment_pollutants() == ["pm10", "pm2_5"]
    assert r.missing_pollutants() == []


def test_daily_report_2026_hand_computed():
    conc = {"so2": 60.0, "no2": 50.0, "co": 1.2, "o3_8h": 120.0, "pm10": 160.0, "pm2_5": 80.0}
    r = aqi_report(conc)
    # pm10: 100 + 50/130 * 40 = 115.4 -> 116; pm2_5: 100 + 50/55 * 20 = 118.2 -> 119
    assert float(r.iaqi["pm10"]) == 116 and float(r.iaqi["pm2_5"]) == 119
    assert float(r.aqi) == 119
    assert r.primary_pollutants() == ["pm2_5"]


def test_2026_daily_rejects_o3_1h():
    with pytest.raises(InputError) as e:
        aqi_report({"o3_1h": 100.0})
    assert e.value.field == "o3_1h"
    with pytest.raises(InputError):
        aqi_report({"pm25": 100.0})


def test_primary_pollutant_ties_and_threshold():
    # 2026 breakpoints: PM10 120 -> 100, PM2.5 60 -> 100: both primary
    full = {"so2": 5.0, "no2": 5.0, "co": 0.2, "o3_8h": 50.0}
    r = aqi_report({**full, "pm10": 120.0, "pm2_5": 60.0})
    assert float(r.aqi) == 100
    assert r.primary_pollutants() == ["pm10", "pm2_5"]
    assert r.non_attainment_pollutants() == []  # IAQI 100 is not > 100
    # AQI <= 50: no primary pollutant (PM2.5 35 -> 50)
    r = aqi_report({**full, "pm10": 50.0, "pm2_5": 35.0})
    assert float(r.aqi) == 50 and r.primary_pollutants() == []


def test_missing_rule_2026():
    # only PM2.5 given: 80 -> 119 > 100 -> published
    r = aqi_report({"pm2_5": [80.0, 50.0]})
    # 50 -> 80 <= 100 with pollutants missing -> NA, IAQIs still given
    np.testing.assert_array_equal(r.aqi, [119, np.nan])
    np.testing.assert_array_equal(r.iaqi["pm2_5"], [119, 80])
    np.testing.assert_array_equal(r.category, [3, 0])
    assert r.primary_pollutants(1) == []
    assert r.missing_pollutants(0) == ["so2", "no2", "co", "o3_8h", "pm10"]


def test_missing_rule_2012_and_options():
    r = aqi_report({"pm2_5": 50.0}, standard="2012")
    assert float(r.aqi) == 69  # max of the available IAQIs (our reading of 2012)
    r = aqi_report({"pm2_5": 80.0}, missing_policy="require_all")
    assert math.isnan(float(r.aqi))
    r = aqi_report({"pm2_5": 50.0}, missing_policy="max_available")
    assert float(r.aqi) == 80
    r = aqi_report({})
    assert math.isnan(float(r.aqi))


def test_nan_counts_as_missing():
    full = {"so2": 5.0, "no2": 5.0, "co": 0.2, "o3_8h": 50.0, "pm10": 30.0}
    r = aqi_report({**full, "pm2_5": [40.0, np.nan]})
    # 40 -> 50 + 2 * 5 = 60 -> published (nothing missing); NaN -> AQI 30 <= 100 -> NA
    np.testing.assert_array_equal(r.aqi, [60, np.nan])


def test_hourly_report_2026():
    conc = {"so2": 900.0, "no2": 10.0, "co": 1.0, "o3_1h": 100.0, "pm10": 10.0, "pm2_5": 100.0}
    r = aqi_report(conc, period="hour")
    # SO2 1 h > 800 -> 200; PM2.5 1 h on the 24 h column -> 137
    assert float(r.iaqi["so2"]) == 200 and float(r.iaqi["pm2_5"]) == 137
    assert float(r.aqi) == 200 and int(r.category) == 4
    assert r.primary_pollutants() == ["so2"]


def test_hourly_report_2012_so2_fallback():
    base = {"no2": 10.0, "co": 1.0, "o3_1h": 100.0, "pm10": 10.0, "pm2_5": 10.0}
    # SO2 1 h 900 > 800: reported by the 24 h IAQI; 200 -> 100 + 50/325 * 50 = 107.7 -> 108
    r = aqi_report({**base, "so2": 900.0, "so2_24h": 200.0}, period="hour", standard="2012")
    assert float(r.iaqi["so2"]) == 108 and float(r.aqi) == 108
    # without the 24 h value SO2 is NA
    r = aqi_report({**base, "so2": 900.0}, period="hour", standard="2012")
    assert math.isnan(float(r.iaqi["so2"])) and "so2" in r.missing_pollutants()
    # below 800 the 1 h column is used: 300 -> 50 + 50/350 * 150 = 71.4 -> 72
    r = aqi_report({**base, "so2": 300.0, "so2_24h": 200.0}, period="hour", standard="2012")
    assert float(r.iaqi["so2"]) == 72


def test_2012_o3_8h_above_800_reported_by_1h():
    conc = {"so2": 5, "no2": 5, "co": 0.2, "pm10": 10, "pm2_5": 10, "o3_8h": 850, "o3_1h": 900}
    r = aqi_report(conc, standard="2012")
    # o3_1h 900: 300 + 100/200 * 100 = 350
    assert math.isnan(float(r.iaqi["o3_8h"])) and float(r.aqi) == 350
    assert r.primary_pollutants() == ["o3_1h"] and r.missing_pollutants() == []
    # 2026: O3 8 h 850 -> 300
    conc.pop("o3_1h")
    assert float(aqi_report(conc).aqi) == 300


def test_report_broadcasts():
    r = aqi_report({"pm2_5": np.full((3, 4), 80.0), "pm10": 10.0}, standard="2012")
    assert r.aqi.shape == (3, 4) and r.iaqi["pm10"].shape == (3, 4)


def test_report_indicator_sets():
    assert REPORT_INDICATORS[("2026", "day")] == ("so2", "no2", "co", "o3_8h", "pm10", "pm2_5")
    assert "o3_1h" in REPORT_INDICATORS[("2012", "day")]


# ---------------------------------------------------------------- categories


def test_categories_and_colours():
    # HJ 633-2012 Table 2 and Appendix A
    assert [c.colour for c in CATEGORIES] == [
        (0, 228, 0),
        (255, 255, 0),
        (255, 126, 0),
        (255, 0, 0),
        (153, 0, 76),
        (126, 0, 35),
    ]
    names_zh = ["优", "良", "轻度污染", "中度污染", "重度污染", "严重污染"]
    assert [c.name_zh for c in CATEGORIES] == names_zh
    assert CATEGORIES[2].colour_hex == "#ff7e00"
    aqi = [0, 50, 51, 100, 101, 150, 151, 200, 201, 300, 301, 500, np.nan]
    np.testing.assert_array_equal(aqi_category(aqi), [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 0])
    assert aqi_category(75).shape == ()


# ---------------------------------------------------------------- invariants

_TOPS = {c: BREAKPOINTS["2012"][c].concentration[-1] for _, _, c in COLUMNS}


@settings(max_examples=200, deadline=None)
@given(
    col=st.sampled_from(COLUMNS),
    standard=st.sampled_from(["2012", "2026"]),
    milli=st.lists(st.integers(0, 4_000_000), min_size=1, max_size=50),
)
def test_kernel_matches_exact_oracle(col, standard, milli):
    pollutant, averaging, column = col
    texts = [f"{m / 1000:.3f}" if pollutant != "co" else f"{m / 20000:.5f}" for m in milli]
    got = iaqi(pollutant, [float(t) for t in texts], standard=standard, averaging=averaging)
    expected = [exact_iaqi(standard, pollutant, column, t) for t in texts]
    np.testing.assert_array_equal(got, expected)


@settings(max_examples=200, deadline=None)
@given(
    col=st.sampled_from(COLUMNS),
    standard=st.sampled_from(["2012", "2026"]),
    c=st.lists(st.floats(0, 5000, allow_nan=False), min_size=2, max_size=60),
)
def test_iaqi_monotone_and_bounded(col, standard, c):
    pollutant, averaging, column = col
    x = np.sort(np.asarray(c))
    out = iaqi(pollutant, x, standard=standard, averaging=averaging)
    finite = out[~np.isnan(out)]
    assert np.all((finite >= 0) & (finite <= 500))
    assert np.all(np.diff(finite) >= 0)
    assert np.all(finite == np.round(finite))
    # NaN only from the 2012 special rules above 800
    if standard == "2026" or column not in ("so2_1h", "o3_8h"):
        assert not np.isnan(out).any()
    else:
        assert np.all(x[np.isnan(out)] > 800)


@settings(max_examples=100, deadline=None)
@given(
    st.fixed_dictionaries(
        {
            "so2": st.floats(0, 3000),
            "no2": st.floats(0, 1000),
            "co": st.floats(0, 70),
            "o3_8h": st.floats(0, 1000),
            "pm10": st.floats(0, 700),
            "pm2_5": st.floats(0, 600),
        }
    )
)
def test_aqi_is_max_iaqi(conc):
    r = aqi_report(conc)
    assert float(r.aqi) == max(float(v) for v in r.iaqi.values())
    if float(r.aqi) > 50:
        assert r.primary_pollutants()
        for name in r.primary_pollutants():
            assert float(r.iaqi[name]) == float(r.aqi)


# ------------------------------------------------------------ the registry


def test_editions_registry():
    # one record per edition, keyed by its year; the default is the edition in force
    assert DEFAULT_STANDARD in EDITIONS
    assert aqi_edition(DEFAULT_STANDARD).code == "HJ 633-2026"
    assert aqi_edition(DEFAULT_STANDARD).in_force == "2026-03-01"
    for key, ed in EDITIONS.items():
        assert ed.key == key and ed.code.endswith(key) and ed.code in ed.citation
        assert BREAKPOINTS[key] is ed.breakpoints
        for period, names in ed.report_indicators.items():
            assert REPORT_INDICATORS[(key, period)] == names
    # rounding and the missing-value policy are read from the record, not from the key
    assert [EDITIONS[k].rounds_concentrations for k in ("2012", "2026")] == [False, True]
    assert EDITIONS["2026"].missing_policy == "over_100_only"


def test_a_bad_edition_record_is_refused():
    bad = dict(HJ633_2012.breakpoints)
    bad["pm10_24h"] = BREAKPOINTS["2012"]["pm2_5_24h"]  # misnamed column
    with pytest.raises(ValueError, match="pm10_24h"):
        AQIEdition(**{**HJ633_2012.__dict__, "breakpoints": bad})
    with pytest.raises(ValueError, match="missing policy"):
        AQIEdition(**{**HJ633_2012.__dict__, "missing_policy": "guess"})


def test_rounding_follows_the_record_of_the_edition(monkeypatch):
    # a hypothetical edition equal to 2012 but rounding as 2026 does: 35.4 -> 35 -> IAQI 50
    import coopgov.standards.aqi as aqi_module

    rounding_2012 = AQIEdition(**{**HJ633_2012.__dict__, "rounds_concentrations": True})
    monkeypatch.setattr(aqi_module, "EDITIONS", {**EDITIONS, "2012": rounding_2012})
    assert float(iaqi("pm2_5", 35.4, standard="2012")) == 50
    monkeypatch.undo()
    # 2012 itself does not round: 50 + 50/40 * 0.4 = 50.5 -> 51
    assert float(iaqi("pm2_5", 35.4, standard="2012")) == 51
