"""The dashboard's JSON API against the library it wraps (no browser)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from web_helpers import JX, SH, SZ

from coopgov.model.levers import LEVER_NAMES, LEVERS
from coopgov.services.games import river_parents
from coopgov.web import create_dashboard_app, mount_dashboard


@pytest.fixture(scope="module")
def client(dashboard_app):
    return TestClient(dashboard_app)


@pytest.fixture(scope="module")
def bare_client():
    """The dashboard without the platform (no monitoring store)."""
    return TestClient(create_dashboard_app(platform=False))


def test_page_and_assets_are_served_locally(client):
    page = client.get("/dashboard/")
    assert page.status_code == 200
    assert "default-src 'self'" in page.headers["content-security-policy"]
    html = page.text
    assert "http://" not in html and "https://" not in html  # no CDN reference
    for path in (
        "static/app.js",
        "static/map.js",
        "static/i18n.js",
        "static/style.css",
        "vendor/plotly.min.js",
        "api/geo/cities.geojson",
        "api/geo/provinces.geojson",
    ):
        r = client.get("/dashboard/" + path)
        assert r.status_code == 200, path
    assert client.get("/dashboard/api/geo/rivers.geojson").status_code == 404
    assert client.get("/", follow_redirects=False).headers["location"] == "/dashboard/"


def test_city_boundaries_cover_the_41_cities(client):
    meta = client.get("/dashboard/api/meta").json()
    geo = client.get("/dashboard/api/geo/cities.geojson").json()
    # 41 prefecture-level cities of Shanghai, Jiangsu, Zhejiang and Anhui (GB/T 2260)
    assert len(meta["cities"]) == 41
    assert {int(f["properties"]["adcode"]) for f in geo["features"]} == {
        c["adcode"] for c in meta["cities"]
    }
    assert [lv["name"] for lv in meta["levers"]] == list(LEVER_NAMES)
    assert meta["platform"] is True
    # HJ 633-2012 categories and colours: 0-50 green (0,228,0) ...
    cats = meta["aqi_categories"]
    assert cats[0]["colour"].lower() == "#00e400" and cats[2]["colour"].lower() == "#ff7e00"


def test_simulation_matches_the_engine(client):
    from coopgov.dynamics.engine import simulate
    from coopgov.model import city_data
    from coopgov.region import load_region
    from coopgov.scenarios import scenario_from_dict

    body = {
        "start_year": 2026,
        "years": 12,
        "levers": {"joint_mechanism": 0.5, "laws": {"2030": 1.0}},
    }
    got = client.post("/dashboard/api/simulate", json=body).json()
    sc = scenario_from_dict({"name": "x", **body})
    sim = simulate(
        city_data(load_region("yrd")),
        [sc.model_parameters],
        sc.intensity()[None],
        years=12,
        start_year=2026,
    )
    assert got["years"] == list(range(2026, 2039))
    np.testing.assert_allclose(
        got["regional"]["cooperation_rate"], sim.cooperation_rate[0], atol=1e-5
    )
    np.testing.assert_allclose(got["cooperation"], sim.cooperation[0], atol=1e-4)
    # lever cost by hand: 0.5 x 5e8 (joint mechanism) from 2026, + 1e8 (laws) from 2030
    cost = got["regional"]["lever_cost"]
    assert cost[0] == 0.5 * LEVERS["joint_mechanism"].yearly_cost == 2.5e8
    assert cost[4] == 2.5e8 + LEVERS["laws"].yearly_cost == 3.5e8


def test_bad_scenario_is_a_located_422(client):
    r = client.post("/dashboard/api/simulate", json={"levers": {"joint_mechanism": 1.5}})
    assert r.status_code == 422
    assert r.json()["field"] == "levers" and "outside [0, 1]" in r.json()["error"]


def test_force_terms_add_up_to_the_payoff_difference(client):
    body = {"years": 10, "levers": {"fiscal_balance": 1.0}}
    data = client.post(f"/dashboard/api/forces?adcode={SZ}", json=body).json()
    total = np.sum([t["values"] for t in data["terms"]], axis=0)
    np.testing.assert_allclose(total, data["total"], atol=1e-4)
    assert {t["family"] for t in data["terms"]} == {
        "attraction",
        "pressure",
        "thrust",
        "resistance",
    }
    assert client.post("/dashboard/api/forces?adcode=999999", json=body).status_code == 422


def test_river_allocations_share_the_whole_cost(client):
    lrs = client.get("/dashboard/api/allocation?method=lrs").json()
    total = sum(lrs["costs"])
    for method in ("ues", "des"):
        r = client.get(f"/dashboard/api/allocation?method={method}").json()
        # Ni & Wang (2007): UES and DES are efficient, they share exactly the total cost
        assert math.isclose(sum(r["values"]), total, rel_tol=1e-9)
    # LRS (Ni & Wang 2007, sect. 4): each region pays its own segment
    assert lrs["values"] == lrs["costs"]


def test_river_parents_follow_the_main_outflow():
    from coopgov.region import load_region

    region = load_region("yrd")
    parent = river_parents(region)
    codes = [int(a) for a in region.adcodes]
    # From the bundled rivers.csv: Anqing drains to Chizhou (Yangtze main stem, share 1);
    # Huai'an splits 0.7 to Yangzhou, 0.3 to Yancheng: the main branch is kept.
    assert codes[parent[codes.index(340800)]] == 341700
    assert codes[parent[codes.index(320800)]] == 321000
    assert parent[codes.index(SH)] == -1  # Shanghai is the mouth of the Yangtze tree


def test_emission_game_allocations(client):
    gain = client.get("/dashboard/api/allocation?method=gain").json()
    shap = client.get("/dashboard/api/allocation?method=shapley&permutations=500").json()
    ct = client.get("/dashboard/api/allocation?method=chander_tulkens").json()
    # Shapley value is efficient: it shares the whole gain of cooperation (exact per order)
    assert math.isclose(sum(shap["values"]), gain["total_gain"], rel_tol=1e-6)
    # Chander-Tulkens side payments sum to zero (Chander & Tulkens 1997); rounding to yuan
    assert abs(sum(ct["values"])) <= 41
    assert len(shap["std_error"]) == 41
    assert client.get("/dashboard/api/allocation?method=median").status_code == 422


def test_compensation_calculators_match_the_library(client):
    from coopgov.compensation import example_path, xinan_assessment

    got = client.post("/dashboard/api/compensation/xinan", json={"preset": "xinan-round1"}).json()
    ref = xinan_assessment(example_path("xinan"), "xinan-round1")
    assert [r["P"] for r in got["index"]] == pytest.approx(ref.index["P"].tolist())
    # Round 1 (2012-2014): 100 million yuan changes hands each year (Xin'an pilot agreement)
    assert {abs(r["transfer"]) for r in got["index"]} == {1.0e8}
    pt = client.post("/dashboard/api/compensation/per-tonne", json={}).json()
    assert pt["total_amount"] == pytest.approx(sum(r["amount"] for r in pt["totals"]))
    bad = client.post(
        "/dashboard/api/compensation/xinan", json={"preset": "xinan-round1", "csv": "a,b\n1,2\n"}
    )
    assert bad.status_code == 422 and bad.json()["file"] == "uploaded CSV"


def test_monitoring_reads_the_platform_store(client, bare_client):
    data = client.get("/dashboard/api/monitoring").json()
    assert data["available"] and data["date"] == "2025-01-01"
    by_code = {c["adcode"]: c for c in data["cities"]}
    # HJ 633-2026 by hand: PM2.5 80 -> (150-100)/(115-60)*(80-60)+100 = 118.2 -> 119 (ceil);
    # PM10 100 -> (100-50)/(120-50)*(100-50)+50 = 85.7 -> 86; AQI 119, lightly polluted (3)
    assert by_code[SH]["aqi"] == 119 and by_code[SH]["category"] == 3
    # PM2.5 30 -> 30/35*50 = 42.9 -> 43; PM10 100 -> 86 is the maximum: good (2)
    assert by_code[SZ]["aqi"] == 86 and by_code[SZ]["category"] == 2
    # PM2.5 300 -> (400-300)/(350-250)*(300-250)+300 = 350: severely polluted (6)
    assert by_code[JX]["aqi"] == 350 and by_code[JX]["category"] == 6
    assert by_code[320100]["aqi"] is None and by_code[320100]["category"] == 0
    assert bare_client.get("/dashboard/api/monitoring").json()["available"] is False
    assert client.get("/dashboard/api/monitoring?date=yesterday").status_code == 422


def test_mount_dashboard_under_another_prefix():
    from fastapi import FastAPI

    app = mount_dashboard(FastAPI(), prefix="/ui/")
    c = TestClient(app)
    assert c.get("/ui/").status_code == 200
    assert c.get("/ui/api/meta").json()["platform"] is False


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(levels=st.lists(st.floats(0, 1), min_size=len(LEVER_NAMES), max_size=len(LEVER_NAMES)))
def test_trajectories_stay_in_range(client, levels):
    body = {"years": 8, "levers": dict(zip(LEVER_NAMES, levels, strict=True))}
    got = client.post("/dashboard/api/simulate", json=body).json()
    coop = np.array(got["cooperation"])
    assert coop.shape == (9, 41)
    assert np.all((coop >= 0) & (coop <= 1))
    # the yearly cost is the intensity-weighted sum of the full-intensity costs
    expected = sum(v * LEVERS[n].yearly_cost for n, v in zip(LEVER_NAMES, levels, strict=True))
    assert got["regional"]["lever_cost"][0] == pytest.approx(expected, abs=1.0)


def test_cli_serves_only_loopback():
    from typer.testing import CliRunner

    from coopgov.cli.main import app

    result = CliRunner().invoke(app, ["dashboard", "--host", "0.0.0.0"])
    assert result.exit_code == 2
    assert "loopback" in result.output


def test_posterior_bands_come_from_the_shipped_posterior():
    from coopgov.web.payloads import bands_payload

    body = {"years": 4, "start_from": "history", "levers": {"laws": 1.0}}
    post = bands_payload(body, kind="posterior", draws=8)
    assert post["kind"] == "posterior_draws" and post["replications"] == 8
    lo, hi = post["values"][0], post["values"][-1]
    assert all(a <= b for a, b in zip(lo, hi, strict=True))
    assert post["years"][0] == 2026  # a continuation of the history starts from today
