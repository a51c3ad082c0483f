"""Air transfer against source-apportionment studies: outside term, shares, checks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from coopgov.errors import InputError
from coopgov.region import air_transfer_matrix, load_region
from coopgov.region import apportionment as ap
from coopgov.region.air import kernel_footprint

DATA = load_region("yrd").root


@pytest.fixture(scope="module")
def yrd():
    return load_region("yrd")


@pytest.fixture(scope="module")
def studies():
    return ap.read_air_studies(DATA / "air_studies.csv")


@pytest.fixture(scope="module")
def comparison(yrd, studies):
    out = pd.read_csv(DATA / "air_outside.csv", comment="#")
    b = {
        "winter": out["outside_winter"].to_numpy(),
        "summer": out["outside_summer"].to_numpy(),
        "annual": out["outside_share"].to_numpy(),
    }
    em = yrd.emissions
    e = (em["so2"] + em["nox"] + em["pm"]).to_numpy(float)
    c = yrd.cities
    shares = ap.model_shares(c["lon"], c["lat"], c["area_km2"], e, dict(yrd.air_kernel), b)
    return ap.compare_with_studies(shares, yrd.adcodes, studies)


# ------------------------------------------------------------------ two scales, footprint


def test_two_scale_kernel_is_the_mixture():
    lon, lat = np.array([118.0, 119.0, 120.0]), np.array([31.0, 31.5, 30.5])
    area = np.array([5000.0, 8000.0, 3000.0])
    one = air_transfer_matrix(lon, lat, area, length_km=20.0)
    assert np.array_equal(
        air_transfer_matrix(
            lon, lat, area, length_km=20.0, primary_share=1.0, secondary_length_ratio=5.0
        ),
        one,
    )
    long = air_transfer_matrix(lon, lat, area, length_km=100.0)
    mix = air_transfer_matrix(
        lon, lat, area, length_km=20.0, primary_share=0.365, secondary_length_ratio=5.0
    )
    np.testing.assert_allclose(mix, 0.365 * one + 0.635 * long)
    with pytest.raises(InputError, match="secondary_length_ratio"):
        air_transfer_matrix(lon, lat, area, secondary_length_ratio=0.5, primary_share=0.5)
    with pytest.raises(InputError, match="primary_share"):
        air_transfer_matrix(lon, lat, area, primary_share=1.5)


def test_footprint_of_the_whole_plane_is_one():
    # the kernel integrates to one over the plane (the wind terms integrate to zero), so
    # cells covering +-12 lengths around the receptor give ~1; a half-plane upwind of a
    # north-westerly regime gives more than a half
    step = 0.05
    g = np.arange(-3.0, 3.0 + 1e-9, step)
    lon, lat = np.meshgrid(120.0 + g, 31.0 + g)
    lon, lat = lon.ravel(), lat.ravel()
    area = (step * 111.32) ** 2 * np.cos(np.deg2rad(lat))
    f = kernel_footprint(
        [120.0], [31.0], lon, lat, area, length_km=20.0, winter_weight=1.0, winter_strength=0.6
    )
    assert f[0] == pytest.approx(1.0, abs=0.02)
    nw = (lon < 120.0) & (lat > 31.0)
    se = (lon > 120.0) & (lat < 31.0)
    f_nw = kernel_footprint(
        [120.0],
        [31.0],
        lon[nw],
        lat[nw],
        area[nw],
        length_km=20.0,
        winter_weight=1.0,
        winter_strength=0.6,
    )
    f_se = kernel_footprint(
        [120.0],
        [31.0],
        lon[se],
        lat[se],
        area[se],
        length_km=20.0,
        winter_weight=1.0,
        winter_strength=0.6,
    )
    assert f_nw[0] > 2 * f_se[0]


# ------------------------------------------------------------------ outside term


def test_outside_shares_hand_example():
    # footprints 0, 0.5, 1 -> winter 0.385, 0.4555, 0.526 (published winter range);
    # summer = 0.248 * winter / mean(winter); annual = the mean of the two
    b = ap.outside_yrd_shares([0.0, 0.5, 1.0])
    np.testing.assert_allclose(b["winter"], [0.385, 0.4555, 0.526])
    np.testing.assert_allclose(b["summer"], 0.248 * b["winter"] / 0.4555)
    np.testing.assert_allclose(b["annual"], (b["winter"] + b["summer"]) / 2)


@given(arrays(np.float64, st.integers(1, 30), elements=st.floats(0, 1)))
@settings(max_examples=60, deadline=None)
def test_outside_shares_invariants(f):
    b = ap.outside_yrd_shares(f)
    lo, hi = ap.OUTSIDE_WINTER_RANGE
    assert np.all(b["winter"] >= lo - 1e-12) and np.all(b["winter"] <= hi + 1e-12)
    assert b["summer"].mean() == pytest.approx(ap.OUTSIDE_WARM_MEAN)
    # a city with a larger footprint never gets a smaller share
    order = np.argsort(f, kind="stable")
    assert np.all(np.diff(b["annual"][order]) >= -1e-12)


def test_outside_shares_reject_bad_input():
    with pytest.raises(InputError, match="footprint"):
        ap.outside_yrd_shares([0.1, np.nan])
    with pytest.raises(InputError, match="winter_range"):
        ap.outside_yrd_shares([0.1, 0.2], winter_range=(0.6, 0.4))


@given(
    st.integers(1, 8).flatmap(
        lambda n: st.tuples(
            arrays(np.float64, (n, n), elements=st.floats(0, 0.2)),
            arrays(np.float64, (n,), elements=st.floats(0.1, 10)),
            arrays(np.float64, (n,), elements=st.floats(0, 0.9)),
        )
    )
)
@settings(max_examples=60, deadline=None)
def test_apportion_sums_to_one(args):
    t, e, b = args
    t = t + np.eye(len(e)) * 0.1  # every city keeps some of its own emissions
    s = ap.apportion(t, e, b)
    np.testing.assert_allclose(s["local"] + s["other_yrd"] + s["outside_yrd"], 1.0)
    assert np.all(s["local"] >= 0) and np.all(s["other_yrd"] >= 0)


def test_apportion_hand_example():
    # two cities, T = [[0.6, 0.2], [0.1, 0.5]], E = (1, 2), b = (0.3, 0.4):
    # city 0 receives 0.6 (own) + 0.2 (from 1) = 0.8 -> s0 = 0.25; local = 0.7 * 0.75
    s = ap.apportion([[0.6, 0.1], [0.2, 0.5]], [1.0, 2.0], [0.3, 0.4])
    assert s["yrd_nonlocal"][0] == pytest.approx(0.4 / 1.0)
    s = ap.apportion([[0.6, 0.2], [0.1, 0.5]], [1.0, 2.0], [0.3, 0.4])
    assert s["yrd_nonlocal"][0] == pytest.approx(0.2 / 0.8)
    assert s["local"][0] == pytest.approx(0.7 * 0.75)
    assert s["other_yrd"][1] == pytest.approx(0.6 * 0.2 / 1.2)


# ------------------------------------------------------------------ the studies table


def test_studies_table_is_sourced(studies):
    assert len(studies) >= 20
    assert studies["source"].str.len().gt(10).all()
    assert set(studies["study"]) >= {"gong2021", "bnu2021", "zhang2017", "wang2017"}
    # several seasons and cities, not one month of one study
    assert set(studies["season"]) >= {"winter", "spring", "summer", "autumn", "annual"}
    assert len(set(studies.loc[studies["scope"] == "city", "adcode"])) >= 5
    # published figures reproduced (abstracts): Gong et al. 2021 local 25.3 %, other YRD
    # 49.9 %, outside 24.8 %; CMAQ-ISAM 2018 winter outside 38.5-52.6 %
    g = studies[studies["study"] == "gong2021"].set_index("quantity")["value"]
    assert (g["local"], g["other_yrd"], g["outside_yrd"]) == (0.253, 0.499, 0.248)
    w = studies[(studies["study"] == "bnu2021") & (studies["season"] == "winter")]
    assert set(zip(w["low"], w["high"], strict=True)) == {(0.385, 0.526)}


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (lambda t: t.replace('CMAQ-ISAM,"Sourcing', 'CMAQ-ISAM,"""Sourcing', 1), None),
        (
            lambda t: t.replace(",spring,local,,0.371,0.533,", ",spring,local,,0.533,0.371,", 1),
            "low",
        ),
        (lambda t: t.replace(",summer,local,0.253,", ",summer,local,1.253,", 1), "value"),
        (lambda t: t.replace(",winter,outside_yrd,,", ",monsoon,outside_yrd,,", 1), "season"),
        (lambda t: t.replace("gong2021,mean,0,", "gong2021,mean,310100,", 1), "adcode"),
    ],
)
def test_studies_table_bad_rows(tmp_path, edit, field):
    text = (DATA / "air_studies.csv").read_text(encoding="utf-8")
    bad = tmp_path / "air_studies.csv"
    bad.write_text(edit(text), encoding="utf-8")
    if field is None:
        return  # a quoting change that stays valid CSV
    with pytest.raises(InputError) as err:
        ap.read_air_studies(bad)
    # the row is the edited line of the file (comment lines count)
    old, new = text.splitlines(), edit(text).splitlines()
    line = next(k for k, (x, y) in enumerate(zip(old, new, strict=True), start=1) if x != y)
    assert err.value.field == field and err.value.row == line
    assert "air_studies.csv" in str(err.value) and f"row {line}" in str(err.value)


def test_study_rows_keep_their_lines(yrd, studies):
    text = (DATA / "air_studies.csv").read_text(encoding="utf-8").splitlines()
    lines = studies.attrs["lines"]
    assert len(lines) == len(studies)
    for k in (0, len(studies) // 2, len(studies) - 1):
        assert text[lines[k] - 1].startswith(studies["study"].iloc[k] + ",")
    # an unknown city in a study is named by its line in the file
    bad = studies.copy()
    bad.attrs = dict(studies.attrs)
    k = int(np.flatnonzero(bad["scope"].to_numpy() == "city")[0])
    bad.loc[bad.index[k], "adcode"] = 999999
    shares = {s: dict.fromkeys(ap.QUANTITIES, np.zeros(41)) for s in ap.SEASON_WINTER_WEIGHT}
    with pytest.raises(InputError) as err:
        ap.compare_with_studies(shares, yrd.adcodes, bad)
    assert err.value.row == lines[k] and err.value.file.endswith("air_studies.csv")


# ------------------------------------------------------------------ the bundled region

#: Study rows the bundled kernel misses, with the distance to the range it is allowed
#: (see the region README, air: a distance-decay kernel spreads the cities more than
#: the studies do: Nanjing keeps too much of its own PM2.5, the small clean cities of
#: southern Anhui and Lishui too little; the reason for each row, and why no cited
#: parameter value removes it, is in the README's table "Why the 12 stay outside",
#: reproduced by scripts/region/air_misfit_sensitivity.py).  The test fails if another
#: row falls outside, or one of these moves further away.
KNOWN_MISFITS: dict[tuple[str, int, str, str], float] = {
    ("gong2021", 0, "summer", "local"): 0.017,  # model 0.365, range 0.153-0.353
    ("gong2021", 0, "summer", "other_yrd"): 0.017,  # model 0.387, range 0.399-0.599
    ("bnu2021", 310100, "autumn", "local"): 0.021,  # model 0.525, range 0.43-0.509
    ("bnu2021", 330100, "autumn", "local"): 0.019,  # model 0.416, range 0.43-0.509
    ("bnu2021", 320100, "spring", "other_yrd"): 0.046,  # model 0.244, range 0.285-0.485
    ("bnu2021", 320100, "summer", "other_yrd"): 0.067,  # model 0.301, range 0.363-0.563
    ("wang2017", 331100, "annual", "local"): 0.026,  # Lishui 0.194, range 0.215-0.687
    ("wang2017", 340500, "annual", "local"): 0.008,  # Ma'anshan 0.212
    ("wang2017", 341000, "annual", "local"): 0.078,  # Huangshan 0.142
    ("wang2017", 341700, "annual", "local"): 0.033,  # Chizhou 0.186
    ("wang2017", 341800, "annual", "local"): 0.086,  # Xuancheng 0.134
    ("wang2017", 341800, "annual", "other_yrd"): 0.009,  # Xuancheng 0.550, range 0.133-0.546
}


def _distance(r) -> float:
    return max(r.low - r.model, r.model - r.high, 0.0)


def test_outside_share_field(yrd):
    b = yrd.outside_share
    assert b.shape == (41,) and not b.flags.writeable
    out = pd.read_csv(DATA / "air_outside.csv", comment="#")
    np.testing.assert_allclose(b, out["outside_share"])
    # between the warm-season level and the winter range (15-50 % in the studies)
    assert b.min() >= 0.15 and b.max() <= 0.50
    np.testing.assert_allclose(
        out["outside_share"], (out["outside_winter"] + out["outside_summer"]) / 2, atol=1e-4
    )
    # the north-west edge (Xuzhou, Huaibei) receives more than the coast (Zhoushan, Ningbo)
    i = yrd.index_of
    assert min(b[i(320300)], b[i(340600)]) > max(b[i(330900)], b[i(330200)])


def test_calibration_rows_inside(comparison):
    cal = comparison[comparison["role"] == "calibration"]
    assert len(cal) >= 5 and cal["inside"].all()


def test_city_shares_within_cited_ranges(comparison):
    out = comparison[~comparison["inside"]]
    found = {
        (r.study, int(r.model_adcode), r.season, r.quantity): _distance(r) for r in out.itertuples()
    }
    unexpected = sorted(set(found) - set(KNOWN_MISFITS))
    assert not unexpected, f"outside their cited range: {unexpected}"
    for key, dist in found.items():
        assert dist <= KNOWN_MISFITS[key] + 1e-3, (key, dist)
    # most rows inside
    assert comparison["inside"].mean() >= 0.85


def test_bundled_check_file_matches(comparison):
    saved = pd.read_csv(DATA / "air_check.csv", comment="#")
    np.testing.assert_allclose(saved["model"], comparison["model"], atol=1e-4)
    assert list(saved["inside"]) == list(comparison["inside"])
