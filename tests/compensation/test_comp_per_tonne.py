"""Per-tonne compensation: unit conversion, tiers, contribution split, table level."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from coopgov.compensation import (
    PerTonneScheme,
    PriceTiers,
    excess_load,
    load_preset,
    per_tonne_assessment,
    per_tonne_compensation,
    per_tonne_payment,
    scheme_from_dict,
    split_by_contribution,
)
from coopgov.errors import InputError

JAN = 31 * 86_400  # 2,678,400 s
DAYS30 = 30 * 86_400  # 2,592,000 s

# ---------------------------------------------------------------- array level


def test_excess_load_unit_conversion():
    # 1 mg/L = 1 g/m3; 1 mg/L over target x 10 m3/s x 2,592,000 s = 25,920,000 g = 25.92 t.
    assert excess_load(5.0, 4.0, 10.0, DAYS30) == pytest.approx(25.92, rel=1e-12)
    assert excess_load(3.0, 4.0, 10.0, DAYS30) == 0.0  # target met: nothing


def test_zhenjiang_single_price_hand_example():
    # Zhenjiang Taihu scheme prices: CODMn 15,000 yuan/t, NH3-N 100,000 yuan/t.
    # CODMn 7.5 vs 6: 1.5 x 20 x 2,678,400 x 1e-6 = 80.352 t x 15,000 = 1,205,280 yuan.
    # NH3-N 1.3 vs 1.0: 0.3 x 20 x 2,678,400 x 1e-6 = 16.0704 t x 100,000 = 1,607,040 yuan.
    pay = per_tonne_payment([7.5, 1.3], [6.0, 1.0], 20.0, JAN, [15_000.0, 100_000.0])
    assert pay == pytest.approx([1_205_280.0, 1_607_040.0], rel=1e-12)


TIERS = PriceTiers([100_000.0, 150_000.0, 250_000.0], [0.5, 1.0])


def test_step_tiers_hand_example():
    # Target 1.0 mg/L, 10 m3/s, 30 days (2,592,000 s): 1 mg/L excess = 25.92 t.
    # C = 1.5: multiple 0.5 (edge belongs to tier 1) -> 12.96 t x 100,000 = 1,296,000.
    # C = 1.8: multiple 0.8 -> tier 2: 20.736 t x 150,000 = 3,110,400.
    # C = 2.5: multiple 1.5 -> tier 3: 38.88 t x 250,000 = 9,720,000.
    pay = per_tonne_payment([0.9, 1.5, 1.8, 2.5], 1.0, 10.0, DAYS30, TIERS)
    assert pay == pytest.approx([0.0, 1_296_000.0, 3_110_400.0, 9_720_000.0], rel=1e-12)
    assert TIERS.tier_of([0.0, 0.5, 0.8, 1.5]).tolist() == [0, 0, 1, 2]


def test_marginal_tiers_hand_example():
    # C = 2.5 over target 1.0: bands of 0.5 mg/L each (12.96 t) at 100k, 150k, 250k:
    # 12.96 x (100,000 + 150,000 + 250,000) = 6,480,000 yuan.
    # C = 1.8: 12.96 t x 100,000 + 7.776 t x 150,000 = 1,296,000 + 1,166,400 = 2,462,400.
    marginal = PriceTiers(TIERS.prices, TIERS.bounds, mode="marginal")
    pay = per_tonne_payment([2.5, 1.8], 1.0, 10.0, DAYS30, marginal)
    assert pay == pytest.approx([6_480_000.0, 2_462_400.0], rel=1e-12)


def test_tiers_per_factor_broadcast():
    # One tier schedule per factor (rows), concentrations (periods, factors).
    tiers = PriceTiers([[1.0, 2.0], [10.0, 30.0]], [[1.0], [0.5]])
    c = np.array([[3.0, 1.2], [1.5, 2.0]])  # targets 1.0 for both factors
    pay = per_tonne_payment(c, 1.0, 1.0, 1e6, tiers)  # 1 mg/L excess = 1 t
    # [2 t at tier 2 of factor 0 = 2 x 2; 0.2 t at tier 1 of factor 1 = 0.2 x 10]
    # [0.5 t at tier 1 of factor 0 = 0.5 x 1; 1.0 t at tier 2 of factor 1 = 1 x 30]
    assert pay == pytest.approx(np.array([[4.0, 2.0], [0.5, 30.0]]))


@pytest.mark.parametrize(
    ("prices", "bounds", "field", "value"),
    [
        ([1.0, 2.0, 3.0], [1.0, 0.5], "bounds", 0.5),  # edges not increasing
        ([1.0, 3.0, 2.0], [0.5, 1.0], "prices", 2.0),  # price falls
        ([1.0, 2.0], [-0.5], "bounds", -0.5),
        ([-1.0], None, "prices", -1.0),
    ],
)
def test_price_tiers_reject_non_monotone(prices, bounds, field, value):
    with pytest.raises(InputError) as err:
        PriceTiers(prices, bounds)
    assert (err.value.field, err.value.value) == (field, value)


def test_split_hand_example_zhenjiang_shares():
    # Zhenjiang scheme, Jiuli section, CODMn shares Danyang 85.78 %, Dantu 14.22 %.
    # 1,205,280 x 0.8578 = 1,033,889.184 -> 1,033,889.18; 1,205,280 x 0.1422 = 171,390.816
    # -> largest remainder gives the spare fen to Dantu: 171,390.82; sum 1,205,280.00.
    parts = split_by_contribution(1_205_280.0, [85.78, 14.22], decimals=2)
    assert parts.tolist() == [1_033_889.18, 171_390.82]


amounts = st.floats(-1e9, 1e9, allow_nan=False)
shares = hnp.arrays(np.float64, st.integers(1, 8), elements=st.floats(0, 1e6))


@given(amounts, shares)
def test_split_sums_to_total(total, contrib):
    assume(contrib.sum() > 0)
    parts = split_by_contribution(total, contrib)
    assert parts.sum() == pytest.approx(total, rel=1e-9, abs=1e-6)
    # Nobody with a zero contribution pays (unless it is the largest, which it is not).
    assert np.all(parts[contrib == 0] == 0) or contrib.max() == 0


@given(st.floats(0, 1e9, allow_nan=False), shares)
def test_split_in_fen_is_exact_and_nonnegative(total, contrib):
    assume(contrib.sum() > 0)
    parts = split_by_contribution(total, contrib, decimals=2)
    fen = np.round(parts * 100).astype(np.int64)
    assert fen.sum() == int(np.round(total * 100))
    assert np.all(parts >= 0)
    # Each part is within one fen of its exact proportional share.
    exact = np.round(total * 100) * contrib / contrib.sum()
    assert np.all(np.abs(fen - exact) < 1.0 + 1e-6)


@given(hnp.arrays(np.float64, (3, 4), elements=st.floats(0.01, 100)), st.floats(0, 1e7))
def test_split_batches_over_scenarios(contrib, total):
    totals = np.array([total, 2 * total, 0.0])
    parts = split_by_contribution(totals, contrib)
    assert parts.shape == (3, 4)
    assert parts.sum(axis=-1) == pytest.approx(totals, rel=1e-9, abs=1e-6)


def test_split_zero_contributions_is_an_error():
    with pytest.raises(InputError) as err:
        split_by_contribution(100.0, [0.0, 0.0])
    assert err.value.field == "contributions"


# ---------------------------------------------------------------- table level


def _row(section="S1", date="2022-01-31", factor="CODMn", value=7.5, flow=20.0, **extra):
    return {
        "section": section,
        "date": date,
        "factor": factor,
        "value": value,
        "unit": "mg/L",
        "flow_m3s": flow,
        "downstream": "Changzhou",
        "contributions": "Danyang:85.78;Dantu:14.22",
        **extra,
    }


def test_table_hand_example_jiangsu_taihu():
    # January 2022 (31 days): CODMn 1,205,280 yuan and NH3-N 1,607,040 yuan (see above);
    # TP 0.15 < 0.2: nothing.  Split per row in fen (see test_split_hand_example):
    # Danyang 1,033,889.18 + 1,378,518.91 = 2,412,408.09
    # Dantu     171,390.82 +   228,521.09 =   399,911.91   (sum 2,812,320.00)
    df = pd.DataFrame(
        [
            _row(factor="CODMn", value=7.5),
            _row(factor="NH3-N", value=1.3),
            _row(factor="TP", value=0.15),
        ]
    )
    result = per_tonne_assessment(df, "jiangsu-taihu")
    pay = result.payments
    assert list(pay.columns[:3]) == ["payer", "payee", "amount"]
    got = {(r.payer, r.payee): r.amount for r in pay.itertuples()}
    assert got == {("Danyang", "Changzhou"): 2_412_408.09, ("Dantu", "Changzhou"): 399_911.91}
    assert result.records["payment"].tolist() == [1_205_280.0, 1_607_040.0, 0.0]
    assert result.records["excess_load_t"].tolist() == pytest.approx([80.352, 16.0704, 0.0])


def test_table_tiers_2021_preset_and_period_days():
    # 2021 preset (tier edges at multiples 0.5 and 1; prices x1, x1.5, x2.5; assumption):
    # NH3-N 1.8 vs 1.0 over 30 days at 10 m3/s: 20.736 t x 150,000 = 3,110,400 yuan.
    df = pd.DataFrame(
        [_row(factor="nh3_n", value=1.8, flow=10.0, period_days=30, contributions="A:1")]
    )
    result = per_tonne_assessment(df, "jiangsu-taihu-2021")
    assert result.records["tier"].tolist() == [2]
    assert result.records["unit_price"].tolist() == [150_000.0]
    assert result.payments[["payer", "amount"]].values.tolist() == [["A", 3_110_400.0]]


def test_section_targets_and_contributions_from_config():
    data = load_preset("jiangsu-taihu").model_dump()
    data["sections"] = {
        "Jiuli": {
            "downstream": "Changzhou",
            "contributions": {"Danyang": 3, "Dantu": 1},
            "targets": {"CODMn": 5.0},
        },
    }
    scheme = scheme_from_dict(data)
    assert isinstance(scheme, PerTonneScheme)
    # CODMn 6.0 vs section target 5.0 for 31 days at 10 m3/s: 26.784 t x 15,000 = 401,760;
    # split 3:1 -> 301,320 and 100,440.
    df = pd.DataFrame(
        [
            {
                "section": "Jiuli",
                "date": "2022-01-10",
                "factor": "CODMn",
                "value": 6.0,
                "flow_m3s": 10.0,
            }
        ]
    )
    pay = per_tonne_compensation(df, scheme)
    got = {(r.payer, r.payee): r.amount for r in pay.itertuples()}
    assert got == {("Danyang", "Changzhou"): 301_320.0, ("Dantu", "Changzhou"): 100_440.0}


def test_default_payee_and_ignored_factors():
    df = pd.DataFrame(
        [
            {**_row(value=7.0), "downstream": ""},
            _row(factor="TN", value=3.0),
        ]
    )
    result = per_tonne_assessment(df, "jiangsu-taihu")
    assert set(result.payments["payee"]) == {"Jiangsu provincial treasury"}
    assert result.ignored_factors == ["tn"]


def test_totals_sum_payments_over_sections():
    df = pd.DataFrame([_row(section="S1"), _row(section="S2", contributions="Danyang:1")])
    result = per_tonne_assessment(df, "jiangsu-taihu")
    totals = {r.payer: r.amount for r in result.totals.itertuples()}
    # S1: 1,205,280 split as above; S2: all 1,205,280 to Danyang.
    assert totals == {"Danyang": 1_033_889.18 + 1_205_280.0, "Dantu": 171_390.82}
    assert result.payments["amount"].sum() == pytest.approx(2 * 1_205_280.0)
