"""CLI commands ``coopgov aqi`` and ``coopgov water-class``."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from coopgov.cli.main import app

runner = CliRunner()


def test_aqi_json_shape():
    r = runner.invoke(
        app, ["aqi", "so2=60", "no2=50", "co=1.2", "o3_8h=120", "pm10=160", "pm2_5=80", "--json"]
    )
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    # hand-computed in test_aqi.test_daily_report_2026_hand_computed
    assert out["aqi"] == 119 and isinstance(out["aqi"], int)
    assert out["iaqi"] == {"so2": 55, "no2": 63, "co": 30, "o3_8h": 67, "pm10": 116, "pm2_5": 119}
    assert out["category"] == "lightly polluted" and out["category_zh"] == "轻度污染"
    assert out["primary_pollutants"] == ["pm2_5"]
    assert out["non_attainment"] == ["pm10", "pm2_5"]


def test_aqi_2012_hour_and_na():
    r = runner.invoke(app, ["aqi", "--standard", "2012", "--period", "hour", "pm2_5=50", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["aqi"] == 69
    # 2026, a pollutant missing and AQI <= 100: NA
    r = runner.invoke(app, ["aqi", "pm2_5=50", "--json"])
    out = json.loads(r.output)
    assert out["aqi"] is None and out["category"] is None and out["iaqi"] == {"pm2_5": 80}


def test_aqi_human_output():
    r = runner.invoke(app, ["aqi", "pm2_5=80"])
    assert r.exit_code == 0 and "119" in r.output


def test_aqi_bad_name_and_value():
    r = runner.invoke(app, ["aqi", "pm25=3", "--json"])
    assert r.exit_code == 2
    err = json.loads(r.output)
    assert err["field"] == "pm25"
    r = runner.invoke(app, ["aqi", "pm2_5=abc", "--json"])
    assert r.exit_code == 2
    err = json.loads(r.output)
    assert err["field"] == "pm2_5" and err["value"] == "abc"
    r = runner.invoke(app, ["aqi", "pm2_5=-1"])
    assert r.exit_code == 2 and "pm2_5" in r.output
    r = runner.invoke(app, ["aqi", "o3_1h=100", "--json"])  # not in the 2026 daily report
    assert r.exit_code == 2 and json.loads(r.output)["field"] == "o3_1h"
    r = runner.invoke(app, ["aqi", "--standard", "2013", "pm2_5=1"])
    assert r.exit_code == 2


def test_water_class_ph():
    # GB 3838-2002 Table 1 item 2: pH 6-9 in every class
    r = runner.invoke(app, ["water-class", "ph=7.5", "do=6.5", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["class"] == "II" and out["by_indicator"] == {"ph": "I", "do": "II"}
    r = runner.invoke(app, ["water-class", "ph=9.6", "do=8", "--json"])
    out = json.loads(r.output)
    assert out["class"] == "inferior V" and out["limiting"] == ["ph"]
    r = runner.invoke(app, ["water-class", "ph=15", "--json"])
    assert r.exit_code == 2 and json.loads(r.output)["field"] == "ph"
    r = runner.invoke(app, ["water-class", "ph=5.5"])
    assert r.exit_code == 0 and "inferior V" in r.output


def test_water_class_json():
    r = runner.invoke(app, ["water-class", "do=6.5", "nh3_n=0.6", "tp=0.05", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["class"] == "III"
    assert out["by_indicator"] == {"do": "II", "nh3_n": "III", "tp": "II"}
    r = runner.invoke(app, ["water-class", "--water", "lake", "tp=0.3", "--json"])
    out = json.loads(r.output)
    assert out["class"] == "inferior V" and out["class_zh"] == "劣Ⅴ类"


def test_water_class_errors():
    r = runner.invoke(app, ["water-class", "temperature=7", "--json"])
    assert r.exit_code == 2 and json.loads(r.output)["field"] == "temperature"
    r = runner.invoke(app, ["water-class", "do=x", "--json"])
    assert r.exit_code == 2 and json.loads(r.output)["value"] == "x"
    r = runner.invoke(app, ["water-class", "--water", "sea", "do=7"])
    assert r.exit_code == 2
    r = runner.invoke(app, ["water-class", "do"])
    assert r.exit_code == 2
