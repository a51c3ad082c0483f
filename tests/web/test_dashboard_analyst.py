"""Saved work, labels, bands, experiments, offline docs and the report (no browser)."""

from __future__ import annotations

import re

import numpy as np
import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from coopgov.model.forces import FAMILIES, FORCE_TERMS
from coopgov.model.levers import LEVER_NAMES
from coopgov.model.parameters import PARAMETER_INFO
from coopgov.region import load_region
from coopgov.report.labels import (
    FAMILY_LABELS,
    FORCE_TERM_LABELS,
    PARAMETER_LABELS_ZH,
    category_colours,
    city_labels,
    force_term_colours,
)
from coopgov.scenarios import load_scenario
from coopgov.web.payloads import scenario_from_toml, scenario_toml

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def client(dashboard_app):
    return TestClient(dashboard_app)


def test_the_41_city_labels_are_unique_in_both_languages():
    cities = load_region("yrd").cities
    for lang in ("en", "zh"):
        labels = city_labels(cities, lang)
        assert len(labels) == 41 and len(set(labels.values())) == 41
    en = city_labels(cities, "en")
    # GB/T 2260 codes: Suzhou 320500 Jiangsu / 341300 Anhui; Taizhou 321200 / 331000 Zhejiang
    assert (en[320500], en[341300]) == ("Suzhou (Jiangsu)", "Suzhou (Anhui)")
    assert (en[321200], en[331000]) == ("Taizhou (Jiangsu)", "Taizhou (Zhejiang)")
    assert en[310100] == "Shanghai"  # a unique name keeps no suffix
    zh = city_labels(cities, "zh")
    assert (zh[320500], zh[341300], zh[321200], zh[331000]) == ("苏州", "宿州", "泰州", "台州")


def test_every_force_term_family_and_parameter_has_both_labels():
    for term in FORCE_TERMS:
        en, zh = FORCE_TERM_LABELS[term.name]
        assert "_" not in en and CJK.search(zh), term.name
    assert set(FAMILIES) <= set(FAMILY_LABELS)
    assert set(PARAMETER_INFO) <= set(PARAMETER_LABELS_ZH)


def test_force_colours_stay_within_their_family_hue():
    colours = force_term_colours()
    assert set(colours) == {t.name for t in FORCE_TERMS}
    by_family: dict[str, set[str]] = {}
    for t in FORCE_TERMS:
        by_family.setdefault(t.family, set()).add(colours[t.name])
    # no colour is shared across families; within a family each term differs
    families = list(by_family.values())
    for i, a in enumerate(families):
        for b in families[i + 1 :]:
            assert not a & b
    for t_family, members in by_family.items():
        n = sum(1 for t in FORCE_TERMS if t.family == t_family)
        assert len(members) == n


@given(st.integers(min_value=1, max_value=48))
def test_category_styles_are_distinct_up_to_48_series(n):
    styles = category_colours(n)
    assert len(set(styles)) == n
    assert category_colours(49)[48] == category_colours(49)[0]


def test_meta_carries_labels_limits_and_unique_city_labels(client):
    meta = client.get("/dashboard/api/meta").json()
    assert meta["limits"] == {"start_year": [1900, 2200], "years": [1, 500]}
    assert len({c["label_en"] for c in meta["cities"]}) == 41
    assert set(meta["labels"]["force_terms"]) == {t.name for t in FORCE_TERMS}
    assert all(s["title_zh"] for s in meta["scenarios"])
    assert all(p["title_zh"] for kind in meta["compensation_presets"].values() for p in kind)


@settings(max_examples=15, deadline=None)
@given(
    levers=st.dictionaries(st.sampled_from(LEVER_NAMES), st.floats(0, 1), max_size=4),
    start=st.integers(1990, 2100),
    years=st.integers(1, 60),
    schedule=st.booleans(),
)
def test_exported_toml_is_read_back_by_coopgov_run(
    tmp_path_factory, levers, start, years, schedule
):
    body = {
        "name": "x",
        "title": '我的情景 "quoted"',
        "start_year": start,
        "years": years,
        "levers": {
            k: ({str(start): v, str(start + 1): 1 - v} if schedule else v)
            for k, v in levers.items()
        },
        "parameters": {"central_penalty": 2.5},
    }
    text = scenario_toml(body)
    path = tmp_path_factory.mktemp("toml") / "x.toml"
    path.write_text(text, encoding="utf-8")
    sc = load_scenario(path)
    assert (sc.start_year, sc.years, sc.title) == (start, years, body["title"])
    assert sc.parameters == {"central_penalty": 2.5}
    again = scenario_from_toml(text)
    for name, setting in body["levers"].items():
        got = again["levers"][name]
        assert got == setting


def test_bad_toml_is_located(client):
    r = client.post("/dashboard/api/scenario/parse", json={"toml": "years = [", "file": "a.toml"})
    assert r.status_code == 422 and r.json()["file"] == "a.toml"
    r = client.post(
        "/dashboard/api/scenario/parse", json={"toml": "name = 'x'\nyears = 0\n", "file": "b.toml"}
    )
    assert r.status_code == 422 and r.json()["field"] == "years" and r.json()["value"] == 0


def test_bands_are_ordered_quantiles_of_the_replications(client):
    r = client.post("/dashboard/api/bands?replications=8", json={"years": 6}).json()
    assert r["kind"] == "abm_replications" and r["replications"] == 8
    v = np.array(r["values"])
    assert v.shape == (5, 7)
    assert np.all(np.diff(v, axis=0) >= -1e-12) and np.all((v >= 0) & (v <= 1))
    assert client.post("/dashboard/api/bands?replications=1", json={}).status_code == 422


def test_errors_never_show_a_server_path(client):
    r = client.post("/dashboard/api/compensation/xinan", json={"year": 2030}).json()
    assert "/" not in r["file"] and r["field"] == "year"


def test_a_day_without_monitoring_data_names_the_range_with_data(client):
    r = client.get("/dashboard/api/monitoring?date=2024-06-01").json()
    assert r["no_data"] is True and r["data_range"] == ["2025-01-01", "2025-01-01"]


def test_experiments_payload(client):
    listing = client.get("/dashboard/api/experiments").json()["experiments"]
    assert [e["name"] for e in listing] == ["tiny"]
    ex = client.get("/dashboard/api/experiments/tiny").json()
    pr = ex["prim"]
    assert len(pr["boxes"]) == len(pr["coverage"]) == len(pr["density"])
    assert pr["boxes"][0] == []  # the first box is the whole space
    for k, box in enumerate(pr["boxes"]):
        assert len(box) == pr["n_restricted"][k]
        for b in box:
            lo, hi = pr["ranges"][b["factor"]]
            assert lo <= b["low"] <= b["high"] <= hi
    assert {r["lever"] for r in ex["lever_ranking"]} == {"joint_mechanism", "fiscal_balance"}
    assert {r["factor"] for r in ex["sobol"]} == {"public_opinion", "central_penalty", "gdp_loss"}
    for bad in ("..", "nope", "tiny%2F..%2F.."):
        assert client.get(f"/dashboard/api/experiments/{bad}").status_code in (404, 422)


def test_api_docs_are_served_from_the_package(client):
    page = client.get("/docs")
    assert page.status_code == 200
    refs = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert refs and all(u.startswith("/docs/static/") for u in refs), refs
    for u in refs:
        assert client.get(u).status_code == 200
    assert client.get("/redoc").status_code == 404


def test_report_in_chinese_is_readable_and_responsive(tmp_path):
    from coopgov.report import write_run_report
    from coopgov.scenarios import load_builtin
    from coopgov.scenarios.run import run_scenarios

    results = run_scenarios(
        [load_builtin(n) for n in ("baseline", "package", "laws")], years=3, replications=2, seed=3
    )
    region = load_region("yrd")
    for lang in ("en", "zh"):
        html = write_run_report(
            results, tmp_path / f"{lang}.html", region=region, lang=lang
        ).read_text(encoding="utf-8")
        assert "name='viewport'" in html
        assert '"showSendToCloud": false' in html
        # force traces carry readable names, never identifiers
        names = set(re.findall(r'"name":"([^"]*)"', html.replace('": "', '":"')))
        assert not {t.name for t in FORCE_TERMS if "_" in t.name} & names
    assert "<html lang='zh-CN'>" in html and "概要" in html and "力的分解" in html
    assert "Summary" not in html and "Cooperation over time" not in html
    with pytest.raises(ValueError, match="lang"):
        write_run_report(results, tmp_path / "x.html", region=region, lang="fr")


def test_coopgov_run_writes_a_chinese_report(tmp_path):
    from typer.testing import CliRunner

    from coopgov.cli.main import app

    out = tmp_path / "rep"
    res = CliRunner().invoke(
        app,
        [
            "run",
            "--builtin",
            "baseline",
            "--years",
            "2",
            "--replications",
            "0",
            "--lang",
            "zh",
            "--out",
            str(out),
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<html lang='zh-CN'>" in html and "基准情景" in html
    bad = CliRunner().invoke(
        app,
        ["run", "--builtin", "baseline", "--lang", "fr", "--out", str(tmp_path / "x"), "--json"],
    )
    assert bad.exit_code != 0 and "--lang" in bad.output and not (tmp_path / "x").exists()
