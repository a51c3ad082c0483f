"""``coopgov compensate``: JSON shapes and error exits."""

from __future__ import annotations

import json

import pytest
from comp_helpers import jiekou_table, uniform
from typer.testing import CliRunner

from coopgov.cli.main import app
from coopgov.compensation import example_path

runner = CliRunner()


def _json(args: list[str], code: int = 0) -> object:
    result = runner.invoke(app, args)
    assert result.exit_code == code, result.output
    return json.loads(result.stdout)


def test_xinan_json_shape_from_example():
    out = _json(
        [
            "compensate",
            "xinan",
            "--measurements",
            str(example_path("xinan")),
            "--round",
            "1",
            "--json",
        ]
    )
    assert set(out) >= {"scheme", "payments", "index", "details"}
    assert out["scheme"]["name"] == "xinan-round1"
    for pay in out["payments"]:
        assert {"payer", "payee", "amount"} <= set(pay)
        assert isinstance(pay["amount"], float) and pay["amount"] > 0
    assert [row["year"] for row in out["index"]] == [2012, 2013, 2014]
    assert all(isinstance(row["P"], float) for row in out["index"])
    details = out["details"]
    assert details["amount_unit"] == "yuan"
    assert "k0" in details["unconfirmed"] and details["sources"]
    assert {"annual_mean", "baseline", "weight", "term"} <= set(details["factors"][0])


def test_xinan_hand_example_via_csv(tmp_path):
    # Ratio 1/0.85 everywhere in 2013: P = 1.0 exactly -> Zhejiang pays Anhui 100 million;
    # central 300 million to Anhui (round 1).
    path = tmp_path / "m.csv"
    jiekou_table(2013, uniform(1.0 / 0.85)).to_csv(path, index=False)
    out = _json(
        ["compensate", "xinan", "-m", str(path), "--round", "1", "--year", "2013", "--json"]
    )
    assert out["index"][0]["P"] == 1.0
    assert [(p["payer"], p["payee"], p["amount"]) for p in out["payments"]] == [
        ("Zhejiang", "Anhui", 1e8),
        ("central government", "Anhui", 3e8),
    ]


def test_xinan_round_inferred_from_year():
    out = _json(
        ["compensate", "xinan", "-m", str(example_path("xinan")), "--year", "2016", "--json"]
    )
    assert out["scheme"]["name"] == "xinan-round2"
    assert out["details"]["central_funds_unknown_years"] == [2016]


def test_xinan_with_config_file(tmp_path):
    cfg = tmp_path / "round.toml"
    cfg.write_text(
        'scheme = "bet"\nname = "my-round"\nyears = [2012, 2014]\nsection = "Jiekou"\n'
        'upstream = "Anhui"\ndownstream = "Zhejiang"\nk0 = 1.0\nbaseline_years = [2008, 2010]\n'
        "downstream_pays = 5\nupstream_pays = 7\n[weights]\ntp = 1.0\n",
        encoding="utf-8",
    )
    out = _json(
        [
            "compensate",
            "xinan",
            "-m",
            str(example_path("xinan")),
            "--config",
            str(cfg),
            "--year",
            "2013",
            "--json",
        ]
    )
    assert out["scheme"]["name"] == "my-round"
    assert len(out["payments"]) == 1 and out["payments"][0]["amount"] in (5.0, 7.0)


def test_per_tonne_json_shape_from_example():
    out = _json(
        [
            "compensate",
            "per-tonne",
            "-m",
            str(example_path("per-tonne")),
            "--preset",
            "jiangsu-taihu",
            "--json",
        ]
    )
    assert set(out) >= {"scheme", "payments", "totals", "index", "details"}
    assert out["payments"] and all(
        {"payer", "payee", "amount", "section"} <= set(p) for p in out["payments"]
    )
    assert out["details"]["ignored_factors"] == ["tn"]
    rec = out["details"]["records"][0]
    assert {"row", "concentration", "target", "excess_load_t", "payment", "tier"} <= set(rec)
    total = sum(p["amount"] for p in out["payments"])
    assert total == pytest.approx(sum(r["payment"] for r in out["details"]["records"]), abs=0.05)


def test_human_output_runs():
    result = runner.invoke(
        app,
        [
            "compensate",
            "per-tonne",
            "-m",
            str(example_path("per-tonne")),
            "--preset",
            "jiangsu-taihu-2021",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Payments" in result.output
    result = runner.invoke(
        app, ["compensate", "xinan", "-m", str(example_path("xinan")), "--round", "3"]
    )
    assert result.exit_code == 0 and "Zhejiang" in result.output


def test_error_json_names_row_field_value(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("section,date,factor,value\nJiekou,2012-01-01,TP,-3\n", encoding="utf-8")
    out = _json(["compensate", "xinan", "-m", str(path), "--round", "1", "--json"], code=2)
    assert out == {
        "error": "negative concentration",
        "file": str(path),
        "row": 2,
        "field": "value",
        "value": "-3",
    }


def test_error_exit_for_bad_round_and_conflicting_options(tmp_path):
    out = _json(
        ["compensate", "xinan", "-m", str(example_path("xinan")), "--round", "7", "--json"], code=2
    )
    assert (out["field"], out["value"]) == ("round", 7)
    out = _json(
        [
            "compensate",
            "per-tonne",
            "-m",
            str(example_path("per-tonne")),
            "--preset",
            "xinan-round1",
            "--json",
        ],
        code=2,
    )
    assert out["field"] == "scheme"


def test_presets_and_examples_commands():
    names = [p["name"] for p in _json(["compensate", "presets", "--json"])]
    assert "jiangsu-taihu" in names and "xinan-round3" in names
    paths = _json(["compensate", "examples", "--json"])
    assert set(paths) == {"xinan", "per-tonne"}
