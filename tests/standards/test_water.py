"""GB 3838-2002 classes; limits from GB 3838-2002 Table 1 (docs/standards.md, Table W1)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coopgov.errors import InputError
from coopgov.standards.water import (
    INDICATORS,
    LIMITS,
    class_label,
    indicator_class,
    section_class,
)


@pytest.mark.parametrize("water", ["river", "lake"])
@pytest.mark.parametrize("indicator", [i for i in INDICATORS if i != "do"])
def test_upper_limits_corners(water, indicator):
    limits = LIMITS[water][indicator]
    # equal to a limit: in that class, unless an equal better class exists (COD, BOD5 I = II)
    at = indicator_class(indicator, list(limits), water=water)
    expected_at = [limits.index(v) + 1 for v in limits]
    np.testing.assert_array_equal(at, expected_at)
    # just above a limit: the next class; above V: inferior V (6)
    above = indicator_class(indicator, np.asarray(limits) + 1e-6, water=water)
    expected_above = [next((k + 1 for k, v in enumerate(limits) if v > x), 6) for x in limits]
    np.testing.assert_array_equal(above, expected_above)
    assert expected_above[-1] == 6


@pytest.mark.parametrize(
    ("value", "expected"),
    # DO >= 7.5 I, >= 6 II, >= 5 III, >= 3 IV, >= 2 V, < 2 inferior V
    [(9.0, 1), (7.5, 1), (7.49, 2), (6.0, 2), (5.0, 3), (4.99, 4), (3.0, 4), (2.0, 5), (1.99, 6)],
)
def test_dissolved_oxygen_is_a_minimum(value, expected):
    assert int(indicator_class("do", value)) == expected


def test_lake_vs_river_tp():
    # TP 0.05: river (0.02, 0.1] -> II; lake (0.025, 0.05] -> III
    assert int(indicator_class("tp", 0.05, water="river")) == 2
    assert int(indicator_class("tp", 0.05, water="lake")) == 3
    assert int(indicator_class("tp", 0.05, water="reservoir")) == 3


def test_cod_equal_class_limits():
    # COD 15 is class I (I and II share 15); 15.5 -> III (<= 20)
    np.testing.assert_array_equal(indicator_class("cod", [15, 15.5, 40, 40.5]), [1, 3, 5, 6])


def test_section_worst_class_and_labels():
    # DO 6.5 -> II, NH3-N 0.6 -> III, TP 0.05 (river) -> II: section III
    r = section_class({"do": 6.5, "nh3_n": 0.6, "tp": 0.05})
    assert (r.cls, r.label, r.label_zh) == (3, "III", "Ⅲ类")
    assert r.by_indicator == {"do": 2, "nh3_n": 3, "tp": 2}
    assert r.limiting == ("nh3_n",)
    # NH3-N 2.5 > 2.0 -> inferior V
    r = section_class({"do": 8.0, "nh3_n": 2.5}, water="lake")
    assert (r.cls, r.label, r.label_zh) == (6, "inferior V", "劣Ⅴ类")


def test_tn_rivers_only_on_request():
    # TN 3 mg/L is worse than V, but not assessed for rivers by default
    r = section_class({"do": 8.0, "tn": 3.0}, water="river")
    assert r.label == "I" and r.by_indicator["tn"] == 0
    assert section_class({"do": 8.0, "tn": 3.0}, water="river", assess_tn_for_rivers=True).cls == 6
    assert section_class({"do": 8.0, "tn": 3.0}, water="lake").cls == 6


def test_arrays_and_missing():
    r = section_class({"do": [8.0, np.nan], "codmn": [5.0, np.nan]})
    np.testing.assert_array_equal(r.cls, [3, 0])
    assert list(r.label) == ["III", None]
    assert section_class({}).label is None
    assert class_label(6, language="zh") == "劣Ⅴ类"


@pytest.mark.parametrize(
    ("ph", "expected"),
    # GB 3838-2002 Table 1 item 2: 6-9 in every class, limits included; outside: inferior V
    [(6.0, 1), (7.2, 1), (9.0, 1), (5.99, 6), (9.01, 6), (0.0, 6), (14.0, 6)],
)
def test_ph_range_of_every_class(ph, expected):
    assert int(indicator_class("ph", ph)) == expected


def test_ph_decides_only_outside_its_range():
    # DO 6.5 -> II, NH3-N 0.6 -> III: section III with pH 7 as without pH
    base = {"do": 6.5, "nh3_n": 0.6}
    r = section_class({**base, "ph": 7.0})
    assert (r.label, r.by_indicator["ph"], r.limiting) == ("III", 1, ("nh3_n",))
    # pH 5.5 (acid) or 9.5 (alkaline): worse than class V, pH the limiting indicator
    for ph in (5.5, 9.5):
        r = section_class({**base, "ph": ph})
        assert (r.cls, r.label, r.limiting) == (6, "inferior V", ("ph",))
    r = section_class({"ph": [7.0, 10.0, np.nan], "do": [8.0, 8.0, np.nan]})
    np.testing.assert_array_equal(r.cls, [1, 6, 0])


def test_bad_input():
    with pytest.raises(InputError) as e:
        section_class({"temperature": 7.0})
    assert e.value.field == "temperature"
    with pytest.raises(InputError) as e:
        indicator_class("ph", [7.0, 15.0])
    assert (e.value.field, e.value.value) == ("ph", 15.0)
    with pytest.raises(InputError):
        indicator_class("ph", -0.1)
    with pytest.raises(InputError):
        indicator_class("do", -1.0)
    with pytest.raises(InputError):
        indicator_class("do", 1.0, water="sea")


@settings(max_examples=100, deadline=None)
@given(
    indicator=st.sampled_from(INDICATORS),
    water=st.sampled_from(["river", "lake"]),
    values=st.lists(st.floats(0, 50, allow_nan=False), min_size=2, max_size=40),
)
def test_class_monotone(indicator, water, values):
    x = np.sort(values)
    cls = indicator_class(indicator, x, water=water)
    assert np.all((cls >= 1) & (cls <= 6))
    step = np.diff(cls.astype(int))
    # more pollutant -> same or worse class; more oxygen -> same or better class
    assert np.all(step <= 0) if indicator == "do" else np.all(step >= 0)


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.sampled_from(INDICATORS), st.floats(0, 50, allow_nan=False), min_size=1))
def test_section_is_worst(values):
    r = section_class(values, water="lake")
    assert r.cls == max(r.by_indicator.values())


@settings(max_examples=100, deadline=None)
@given(
    ph=st.floats(0, 14, allow_nan=False),
    values=st.dictionaries(st.sampled_from(INDICATORS), st.floats(0, 50), min_size=1),
)
def test_ph_outside_range_is_always_inferior_v(ph, values):
    with_ph = section_class({**values, "ph": ph}, water="lake")
    without = section_class(values, water="lake")
    if 6.0 <= ph <= 9.0:
        assert with_ph.cls == max(int(without.cls), 1)
    else:
        assert with_ph.cls == 6
