"""Geodesy, the air kernel and validation, the water network."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from coopgov.errors import InputError
from coopgov.region import (
    air_transfer_matrix,
    gcj02_to_wgs84,
    haversine_km,
    outside_share,
    validate_transfer_matrix,
    water_transfer_matrix,
    wgs84_to_gcj02,
)


@given(st.floats(114.0, 123.0), st.floats(27.0, 35.5))
@settings(max_examples=50, deadline=None)
def test_gcj_roundtrip(lon, lat):
    g = wgs84_to_gcj02(lon, lat)
    w = gcj02_to_wgs84(*g)
    assert abs(w[0] - lon) < 1e-9 and abs(w[1] - lat) < 1e-9


def test_gcj_offset_size_in_shanghai():
    # the GCJ-02 shift is a few hundred metres in eastern China (order of 500 m)
    g = wgs84_to_gcj02(121.47, 31.23)
    d = haversine_km(121.47, 31.23, g[0], g[1]) * 1000
    assert 300 < d < 700


def _build_geometry_module():
    """The build script's geometry module (needs the ``geo`` extra)."""
    import importlib.util
    import sys
    from pathlib import Path

    pytest.importorskip("pyproj")
    pytest.importorskip("shapely")
    path = Path(__file__).parents[2] / "scripts" / "region" / "geometry.py"
    spec = importlib.util.spec_from_file_location("_build_geometry", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _authalic_q(lat_deg: float) -> float:
    """Snyder (1987) eq. 3-12 on the WGS84 ellipsoid (NIMA TR8350.2)."""
    f = 1 / 298.257223563
    e2 = f * (2 - f)
    e, s = np.sqrt(e2), np.sin(np.deg2rad(lat_deg))
    return (1 - e2) * (s / (1 - e2 * s**2) - np.log((1 - e * s) / (1 + e * s)) / (2 * e))


def test_albers_of_the_build_script_roundtrip_and_area():
    geometry = _build_geometry_module()
    lon, lat = np.array([116.0, 118.5, 121.9]), np.array([28.0, 31.0, 34.9])
    x, y = geometry.albers_forward(lon, lat)
    lo, la = geometry.albers_inverse(x, y)
    np.testing.assert_allclose(lo, lon, atol=1e-9)
    np.testing.assert_allclose(la, lat, atol=1e-9)
    # origin 118.5 E, 30 N maps to (0, 0)
    np.testing.assert_allclose(geometry.albers_forward(118.5, 30.0), (0.0, 0.0), atol=1e-6)
    # equal-area check: a 0.1 deg x 0.1 deg cell at 31 N has ellipsoidal area
    # 0.5 a^2 dlam (q2 - q1) (Snyder 1987, eq. 3-12 integrated); by hand: meridian arc
    # 0.1 deg ~ 11.09 km times parallel arc 0.1 deg at 31.05 N ~ 9.55 km = 105.8 km2
    exact = 0.5 * 6378137.0**2 * np.deg2rad(0.1) * (_authalic_q(31.1) - _authalic_q(31.0))
    # polygon area in the plane with densified parallels
    t = np.linspace(0, 1, 200)
    ring_lon = np.concatenate(
        [118 + 0.1 * t, np.full(200, 118.1), 118.1 - 0.1 * t, np.full(200, 118.0)]
    )
    ring_lat = np.concatenate(
        [np.full(200, 31.0), 31.0 + 0.1 * t, np.full(200, 31.1), 31.1 - 0.1 * t]
    )
    px, py = geometry.albers_forward(ring_lon, ring_lat)
    area = 0.5 * abs(np.dot(px, np.roll(py, -1)) - np.dot(py, np.roll(px, -1)))
    assert area == pytest.approx(exact, rel=1e-6)
    assert exact / 1e6 == pytest.approx(105.8, rel=0.005)


def test_haversine_known_distance():
    # Shanghai (121.47, 31.23) to Nanjing (118.80, 32.06): about 267 km great circle
    assert haversine_km(121.47, 31.23, 118.80, 32.06) == pytest.approx(267, rel=0.02)


# ------------------------------------------------------------------ air

LON = np.array([118.0, 119.0, 120.0, 118.5])
LAT = np.array([31.0, 31.5, 30.5, 32.5])
AREA = np.array([5000.0, 8000.0, 3000.0, 12000.0])


def test_kernel_rows_and_self_share():
    t = air_transfer_matrix(LON, LAT, AREA, length_km=60.0)
    assert (t >= 0).all() and (t.sum(1) <= 1 + 1e-12).all()
    # self-retention: 1 - (1 + r/L) exp(-r/L) with r = sqrt(A/pi)
    r = np.sqrt(AREA / np.pi)
    np.testing.assert_allclose(np.diag(t), 1 - (1 + r / 60) * np.exp(-r / 60))


def test_kernel_isotropic_symmetry():
    # no wind and equal areas: T is symmetric (distance only)
    t = air_transfer_matrix(
        LON, LAT, np.full(4, 4000.0), length_km=80.0, winter_strength=0.0, summer_strength=0.0
    )
    np.testing.assert_allclose(t, t.T)


def test_kernel_winter_wind_carries_south_east():
    # two equal cities, b south-east of a; a winter-only north-westerly regime
    lon, lat, area = np.array([118.0, 118.5]), np.array([32.0, 31.5]), np.full(2, 4000.0)
    t = air_transfer_matrix(lon, lat, area, length_km=80.0, winter_weight=1.0, winter_strength=0.8)
    assert t[0, 1] > 1.5 * t[1, 0]
    t = air_transfer_matrix(lon, lat, area, length_km=80.0, winter_weight=0.0, summer_strength=0.8)
    assert t[1, 0] > 1.5 * t[0, 1]


def test_outside_share_grows_with_length():
    shares = [
        outside_share(air_transfer_matrix(LON, LAT, AREA, length_km=L)).mean()
        for L in (10, 30, 100, 300)
    ]
    assert np.all(np.diff(shares) > 0)


def test_kernel_rejects_bad_parameters():
    with pytest.raises(InputError, match="length_km"):
        air_transfer_matrix(LON, LAT, AREA, length_km=0)
    with pytest.raises(InputError, match="winter_weight"):
        air_transfer_matrix(LON, LAT, AREA, winter_weight=1.5)


@st.composite
def valid_matrices(draw):
    n = draw(st.integers(1, 8))
    raw = draw(arrays(np.float64, (n, n), elements=st.just(0.0) | st.floats(1e-3, 1)))
    scale = draw(arrays(np.float64, (n,), elements=st.floats(0, 1)))
    sums = raw.sum(1)
    rows = np.where(sums > 0, scale / np.where(sums > 0, sums, 1), 0)
    return np.minimum(raw * rows[:, None], 1.0)


@given(valid_matrices())
@settings(max_examples=80, deadline=None)
def test_any_valid_matrix_passes(t):
    out = validate_transfer_matrix(t)
    np.testing.assert_array_equal(out, t)
    assert not out.flags.writeable


@given(valid_matrices(), st.data())
@settings(max_examples=80, deadline=None)
def test_negative_entry_names_row(t, data):
    n = t.shape[0]
    i = data.draw(st.integers(0, n - 1))
    j = data.draw(st.integers(0, n - 1))
    bad = t.copy()
    bad[i, j] = -data.draw(st.floats(1e-6, 1.0))
    with pytest.raises(InputError) as exc:
        validate_transfer_matrix(bad, file="T.csv")
    assert exc.value.row == i + 1 and exc.value.file == "T.csv"
    assert f"row {i + 1}" in str(exc.value)


@given(valid_matrices(), st.data())
@settings(max_examples=80, deadline=None)
def test_overfull_row_names_row(t, data):
    n = t.shape[0]
    i = data.draw(st.integers(0, n - 1))
    bad = t.copy()
    bad[i, 0] += 1.0 + data.draw(st.floats(1e-6, 2.0))
    with pytest.raises(InputError) as exc:
        validate_transfer_matrix(bad)
    assert exc.value.row == i + 1
    assert exc.value.value == pytest.approx(bad[i].sum())


def test_validate_shape_and_nan():
    with pytest.raises(InputError, match="square"):
        validate_transfer_matrix(np.zeros((2, 3)))
    with pytest.raises(InputError, match="3 cities"):
        validate_transfer_matrix(np.zeros((2, 2)), n=3)
    m = np.zeros((2, 2))
    m[1, 0] = np.nan
    with pytest.raises(InputError) as exc:
        validate_transfer_matrix(m)
    assert exc.value.row == 2


# ------------------------------------------------------------------ water


def test_water_chain_hand_derived():
    # 0 -> 1 -> 2, decays 0.1 and 0.2: W[0,1] = 0.9, W[1,2] = 0.8, W[0,2] = 0.72
    w = water_transfer_matrix(4, [0, 1], [1, 2], [0.1, 0.2])
    assert w[0, 1] == pytest.approx(0.9)
    assert w[1, 2] == pytest.approx(0.8)
    assert w[0, 2] == pytest.approx(0.72)
    assert w[2, 0] == 0 and w[1, 0] == 0
    np.testing.assert_array_equal(np.diag(w), [1, 1, 1, 0])  # city 3 is off the network
    assert not w[3].any() and not w[:, 3].any()


def test_water_split_and_confluence():
    # 0 splits 0.5 / 0.5 to 1 and 2 (no decay); both join at 3 with decay 0.5:
    # W[0,3] = 0.5*0.5 + 0.5*0.5 = 0.5
    w = water_transfer_matrix(4, [0, 0, 1, 2], [1, 2, 3, 3], [0, 0, 0.5, 0.5])
    assert w[0, 1] == pytest.approx(0.5) and w[0, 3] == pytest.approx(0.5)


def test_water_errors():
    with pytest.raises(InputError, match="cycle") as exc:
        water_transfer_matrix(3, [0, 1, 2], [1, 2, 0], [0.1, 0.1, 0.1])
    assert exc.value.value in ("0 -> 1 -> 2 -> 0", "1 -> 2 -> 0 -> 1", "2 -> 0 -> 1 -> 2")
    # a cycle away from the first city, among acyclic branches, is found too
    with pytest.raises(InputError, match="cycle") as exc:
        water_transfer_matrix(6, [0, 1, 2, 3, 4], [1, 2, 3, 4, 2], [0.1] * 5)
    assert set(exc.value.value.split(" -> ")) == {"2", "3", "4"}
    with pytest.raises(InputError) as exc:
        water_transfer_matrix(3, [0, 1], [1, 2], [0.1, 1.5])
    assert exc.value.row == 2 and exc.value.field == "decay"
    with pytest.raises(InputError, match="more than 1"):
        water_transfer_matrix(3, [0, 0], [1, 2], [0.1, 0.1], [0.7, 0.7])
    with pytest.raises(InputError, match="out of range"):
        water_transfer_matrix(2, [0], [5], [0.1])
