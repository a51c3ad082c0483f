"""Xin'an-type water-quality bet: index, transfer, presets, table level."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from comp_helpers import BASELINE, jiekou_table, uniform
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from coopgov.compensation import (
    BetScheme,
    banded_transfer,
    bet_index,
    bet_transfer,
    load_preset,
    scheme_from_dict,
    xinan_assessment,
    xinan_compensation,
)
from coopgov.errors import InputError

# ---------------------------------------------------------------- array level


def test_bet_index_hand_example():
    # Ratios C/C0 = 1.8/2.0, 0.1/0.125, 1.2/1.0, 0.025/0.03125 = 0.9, 0.8, 1.2, 0.8.
    # Sum of 0.25 * ratio = 0.25 * 3.7 = 0.925; P = 0.85 * 0.925 = 0.78625.
    p = bet_index([1.8, 0.1, 1.2, 0.025], [2.0, 0.125, 1.0, 0.03125], [0.25] * 4, 0.85)
    assert p == pytest.approx(0.78625, rel=1e-12)


def test_bet_index_unequal_weights():
    # Weights 0.2, 0.2, 0.3, 0.3 on ratios 1.0, 0.5, 2.0, 1.0:
    # 0.2 + 0.1 + 0.6 + 0.3 = 1.2; k0 = 0.9 -> P = 1.08.
    p = bet_index([2.0, 0.0625, 2.0, 0.03125], list(BASELINE.values()), [0.2, 0.2, 0.3, 0.3], 0.9)
    assert p == pytest.approx(1.08, rel=1e-12)


def test_bet_index_batches_over_leading_axes():
    rng = np.random.default_rng(1)
    c = rng.uniform(0.1, 3.0, size=(5, 3, 4))
    c0 = np.array([2.0, 0.1, 1.0, 0.03])
    k0 = np.array([0.85, 0.89, 0.9])[None, :]
    p = bet_index(c, c0, 0.25, k0)
    assert p.shape == (5, 3)
    for i in range(5):
        for j in range(3):
            expected = k0[0, j] * sum(0.25 * c[i, j, f] / c0[f] for f in range(4))
            assert p[i, j] == pytest.approx(expected, rel=1e-12)


def test_bet_transfer_direction_and_boundary():
    # P <= 1: downstream pays upstream (+); P > 1: upstream pays downstream (-).
    out = bet_transfer([0.5, 1.0, np.nextafter(1.0, 2.0), 2.0], 1e8, 2e8)
    assert out.tolist() == [1e8, 1e8, -2e8, -2e8]
    assert np.isnan(bet_transfer(np.nan, 1e8, 1e8))


def test_banded_transfer_matches_bet_transfer_with_one_edge():
    p = np.array([0.2, 0.99, 1.0, 1.01, 3.0])
    assert np.array_equal(banded_transfer(p, [1.0], [1e8, -1e8]), bet_transfer(p, 1e8, 1e8))


def test_banded_transfer_graded_schedule():
    # P <= 0.95: 2e8; 0.95 < P <= 1: 1e8; P > 1: -2e8 (edges belong to the lower band).
    out = banded_transfer([0.95, 0.96, 1.0, 1.2], [0.95, 1.0], [2e8, 1e8, -2e8])
    assert out.tolist() == [2e8, 1e8, 1e8, -2e8]


def test_banded_transfer_rejects_unsorted_edges():
    with pytest.raises(InputError) as err:
        banded_transfer(1.0, [1.0, 0.9], [1, 2, 3])
    assert err.value.field == "p_edges" and err.value.value == 0.9


@given(
    hnp.arrays(np.float64, st.integers(1, 20), elements=st.floats(0, 5)),
    st.floats(0.5, 1.5),
)
def test_bet_index_monotone_in_each_concentration(c, k0):
    c = np.stack([c, c, c, c], axis=-1)
    worse = c.copy()
    worse[..., 2] += 0.5
    c0 = np.array(list(BASELINE.values()))
    assert np.all(bet_index(worse, c0, 0.25, k0) > bet_index(c, c0, 0.25, k0))


def test_bet_index_errors_name_field_and_value():
    with pytest.raises(InputError) as err:
        bet_index([1.0, -0.2], [1.0, 1.0], 0.5, 0.85)
    assert (err.value.field, err.value.value) == ("concentrations", -0.2)
    with pytest.raises(InputError) as err:
        bet_index([1.0, 0.2], [1.0, 0.0], 0.5, 0.85)
    assert (err.value.field, err.value.value) == ("baseline", 0.0)
    with pytest.raises(InputError) as err:
        bet_index([1.0, 0.2], [1.0, 1.0], 0.5, 0.0)
    assert err.value.field == "k0"


# ---------------------------------------------------------------- presets

ROUNDS = {
    # name: (k0, year, downstream_pays, upstream_pays, central to Anhui)
    "xinan-round1": (0.85, 2013, 1e8, 1e8, 3e8),
    "xinan-round2": (0.89, 2016, 2e8, 2e8, None),
    "xinan-round3": (0.90, 2019, 2e8, 2e8, 0.0),
}


@pytest.mark.parametrize("name", list(ROUNDS))
def test_preset_values(name):
    k0, _, down, up, central = ROUNDS[name]
    s = load_preset(name)
    assert isinstance(s, BetScheme)
    assert s.k0 == k0 and s.downstream_pays == down and s.upstream_pays == up
    assert s.central_to_upstream == central
    assert (s.upstream, s.downstream, s.section) == ("Anhui", "Zhejiang", "Jiekou")
    assert s.weights == uniform(0.25)
    # k0 and weights are not confirmed by a primary source: the preset says so.
    assert {"k0", "weights"} <= set(s.unconfirmed)
    assert s.sources


@pytest.mark.parametrize("name", list(ROUNDS))
def test_preset_boundary_p_exactly_one_downstream_pays(name):
    k0, year, down, _, _ = ROUNDS[name]
    # Every ratio C/C0 = 1/k0 (exact in binary with power-of-two baselines):
    # P = k0 * 4 * 0.25 / k0 = 1.0 exactly -> "met": Zhejiang pays Anhui.
    r = 1.0 / k0
    result = xinan_assessment(jiekou_table(year, uniform(r)), name)
    assert result.index["P"].iloc[0] == 1.0
    bet = result.payments[result.payments["kind"] == "bet"]
    assert bet[["payer", "payee", "amount"]].values.tolist() == [["Zhejiang", "Anhui", down]]


@pytest.mark.parametrize("name", list(ROUNDS))
def test_preset_just_above_one_upstream_pays(name):
    k0, year, _, up, _ = ROUNDS[name]
    r = np.nextafter(1.0 / k0, 2.0)  # one ulp worse than the boundary
    result = xinan_assessment(jiekou_table(year, uniform(r)), name)
    assert result.index["P"].iloc[0] > 1.0
    bet = result.payments[result.payments["kind"] == "bet"]
    assert bet[["payer", "payee", "amount"]].values.tolist() == [["Anhui", "Zhejiang", up]]


def test_round1_good_year_hand_example():
    # Ratios 0.9, 0.8, 1.2, 0.8 (see test_bet_index_hand_example): P = 0.78625 <= 1.
    # Round 1: Zhejiang pays Anhui 100 million; central government 300 million to Anhui.
    ratios = {"permanganate_index": 0.9, "nh3_n": 0.8, "tn": 1.2, "tp": 0.8}
    pay = xinan_compensation(jiekou_table(2012, ratios), "xinan-round1", year=2012)
    assert list(pay.columns[:3]) == ["payer", "payee", "amount"]
    assert pay["P"].iloc[0] == pytest.approx(0.78625, rel=1e-12)
    rows = pay[["payer", "payee", "amount", "kind"]].values.tolist()
    assert rows == [
        ["Zhejiang", "Anhui", 100_000_000.0, "bet"],
        ["central government", "Anhui", 300_000_000.0, "central"],
    ]
    assert set(pay["round"]) == {1}


def test_round2_bad_year_hand_example():
    # Ratios 1.2, 1.2, 1.1, 1.1: sum 0.25 * 4.6 = 1.15; P = 0.89 * 1.15 = 1.0235 > 1.
    # Round 2: Anhui pays Zhejiang 200 million; central funds unknown -> no row.
    ratios = {"permanganate_index": 1.2, "nh3_n": 1.2, "tn": 1.1, "tp": 1.1}
    pay = xinan_compensation(jiekou_table(2016, ratios), "xinan-round2")
    assert pay["P"].iloc[0] == pytest.approx(1.0235, rel=1e-12)
    assert pay[["payer", "payee", "amount"]].values.tolist() == [["Anhui", "Zhejiang", 2e8]]


def test_round3_good_year_no_central_funds():
    # Ratios 1.1 each: P = 0.9 * 1.1 = 0.99 <= 1 -> Zhejiang pays Anhui 200 million;
    # central funds withdrawn (0) -> no central row.
    pay = xinan_compensation(jiekou_table(2019, uniform(1.1)), "xinan-round3")
    assert pay["P"].iloc[0] == pytest.approx(0.99, rel=1e-12)
    assert pay[["payer", "payee", "amount"]].values.tolist() == [["Zhejiang", "Anhui", 2e8]]


def test_same_water_passes_round1_fails_round3():
    # Ratio 1.15: round 1 P = 0.85 * 1.15 = 0.9775 (met); round 3 P = 0.9 * 1.15 = 1.035.
    p1 = xinan_assessment(jiekou_table(2013, uniform(1.15)), "xinan-round1").index["P"].iloc[0]
    p3 = xinan_assessment(jiekou_table(2019, uniform(1.15)), "xinan-round3").index["P"].iloc[0]
    assert p1 == pytest.approx(0.9775) and p3 == pytest.approx(1.035)


def test_annual_mean_of_samples_and_baseline_years():
    # Two samples per factor in 2012 (1.0 and 3.0 -> mean 2.0) against a baseline of
    # samples 1.5 (2008) and 2.5 (2010) -> mean 2.0; only CODMn weighted (k=1):
    # P = 0.85 * 1 * 2.0 / 2.0 = 0.85.
    rows = [
        ("2008-03-01", 1.5),
        ("2010-03-01", 2.5),
        ("2011-05-01", 99.0),  # 2011 not baseline
        ("2012-03-01", 1.0),
        ("2012-09-01", 3.0),
    ]
    df = pd.DataFrame(
        [{"section": "Jiekou", "date": d, "factor": "CODMn", "value": v} for d, v in rows]
    )
    data = load_preset("xinan-round1").model_dump()
    data["weights"] = {"permanganate_index": 1.0}
    scheme = scheme_from_dict(data)
    result = xinan_assessment(df, scheme)
    assert result.index["P"].tolist() == [pytest.approx(0.85)]
    assert result.factors["n_samples"].tolist() == [2]


def test_explicit_baseline_and_year_specific_weights():
    data = load_preset("xinan-round2").model_dump()
    data["baseline"] = {"permanganate_index": 4.0, "nh3_n": 0.25, "tn": 2.0, "tp": 0.0625}
    data["weights_by_year"] = {
        2017: {"permanganate_index": 0.2, "nh3_n": 0.2, "tn": 0.3, "tp": 0.3}
    }
    data["central_by_year"] = {2017: 1e8}
    scheme = scheme_from_dict(data)
    # 2017 samples at C0 (power-of-two table) are half the explicit baseline: ratio 0.5.
    # P = 0.89 * 0.5 * (0.2 + 0.2 + 0.3 + 0.3) = 0.445.
    df = jiekou_table(2017, uniform(1.0))
    result = xinan_assessment(df, scheme)
    assert result.index["P"].iloc[0] == pytest.approx(0.445)
    central = result.payments[result.payments["kind"] == "central"]
    assert central["amount"].tolist() == [1e8]


def test_chinese_section_alias_and_factor_names():
    df = jiekou_table(2012, uniform(1.0))
    df["section"] = "街口"
    df["factor"] = df["factor"].map(
        {"permanganate_index": "高锰酸盐指数", "nh3_n": "氨氮", "tn": "总氮", "tp": "总磷"}
    )
    # Ratio 1 everywhere: P = 0.85.
    assert xinan_assessment(df, "xinan-round1").index["P"].iloc[0] == pytest.approx(0.85)


def test_graded_bands_from_config():
    data = load_preset("xinan-round3").model_dump()
    data["bands"] = [
        {"p_max": 0.95, "transfer": 2e8},
        {"p_max": 1.0, "transfer": 1e8},
        {"transfer": -2e8},
    ]
    scheme = scheme_from_dict(data)
    # Ratio 1.08: P = 0.9 * 1.08 = 0.972 -> middle band: Zhejiang pays 100 million.
    pay = xinan_compensation(jiekou_table(2019, uniform(1.08)), scheme)
    assert pay[["payer", "payee", "amount"]].values.tolist() == [["Zhejiang", "Anhui", 1e8]]


def test_scheme_from_toml_path(tmp_path):
    from importlib import resources

    text = resources.files("coopgov.compensation").joinpath("presets", "xinan-round1.toml")
    path = tmp_path / "round1.toml"
    path.write_text(text.read_text(encoding="utf-8").replace("k0 = 0.85", "k0 = 0.5"))
    # Ratio 1.9 everywhere: preset k0 0.85 -> P = 1.615 (upstream pays); edited k0 0.5
    # -> P = 0.95 (downstream pays).
    df = jiekou_table(2012, uniform(1.9))
    assert xinan_compensation(df, "xinan-round1")["payer"].iloc[0] == "Anhui"
    pay = xinan_compensation(df, path)
    assert pay["P"].iloc[0] == pytest.approx(0.95)
    assert pay["payer"].iloc[0] == "Zhejiang"
