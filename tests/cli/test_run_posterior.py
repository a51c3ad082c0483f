"""``coopgov run`` over posterior draws: bands in the JSON, the default posterior, bad files."""

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from coopgov.cli.main import app
from coopgov.model.parameters import PARAMETER_INFO

runner = CliRunner()
SHORT = [
    "--builtin",
    "baseline",
    "--builtin",
    "laws",
    "--builtin",
    "eco_compensation",
    "--years",
    "2",
    "--replications",
    "0",
]


def _strict(text):
    def no_constant(name):
        raise AssertionError(f"not strict JSON: {name}")

    return json.loads(text, parse_constant=no_constant)


def test_default_run_uses_the_shipped_posterior(tmp_path):
    res = runner.invoke(
        app, ["run", *SHORT, "--draws", "6", "--out", str(tmp_path / "o"), "--json"]
    )
    assert res.exit_code == 0, res.output
    payload = _strict(res.output)
    assert payload["uncertainty"]["draws"] == 6
    assert payload["uncertainty"]["posterior"].endswith("history.parquet")
    for s in payload["scenarios"]:
        for key in ("cooperation_rate", "pm25_ugm3", "pm25_change", "cost", "transfers"):
            assert s[f"{key}_q05"] <= s[key] == s[f"{key}_q50"] <= s[f"{key}_q95"]
    ranking = payload["ranking"]
    assert {r["countermeasure"] for r in ranking} == {"laws", "eco_compensation"}
    assert sum(r["probability_best"] for r in ranking) == pytest.approx(1.0)
    fitted = {r["parameter"] for r in payload["calibrated"]}
    assert {"lever_efficacy", "attributable_share"} <= fitted
    out = tmp_path / "o"
    assert _strict((out / "summary.json").read_text(encoding="utf-8"))["ranking"] == ranking
    assert len(pd.read_parquet(out / "posterior_draws.parquet")) == 6
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "What is calibrated and what is assumed" in html
    assert "with probabilities" in html and "Results with 90 % bands" in html


def test_posterior_of_equal_draws_equals_the_point_run(tmp_path):
    f = tmp_path / "posterior.parquet"
    pd.DataFrame(
        {
            name: [PARAMETER_INFO[name].default] * 3
            for name in ("adjustment_rate", "lever_efficacy", "attributable_share")
        }
    ).to_parquet(f)
    post = runner.invoke(
        app,
        [
            "run",
            *SHORT,
            "--posterior",
            str(tmp_path),
            "--draws",
            "4",
            "--out",
            str(tmp_path / "a"),
            "--json",
        ],
    )
    point = runner.invoke(
        app, ["run", *SHORT, "--no-posterior", "--out", str(tmp_path / "b"), "--json"]
    )
    assert post.exit_code == 0 and point.exit_code == 0, post.output + point.output
    p, q = _strict(post.output), _strict(point.output)
    assert q["uncertainty"]["draws"] == 0 and "cooperation_rate_q05" not in q["scenarios"][0]
    for a, b in zip(p["scenarios"], q["scenarios"], strict=True):
        for key in (
            "cooperation_rate",
            "pm25_ugm3",
            "pm25_change",
            "cost",
            "abatement_cost",
            "transfers",
        ):
            assert a[f"{key}_q05"] == a[key] == a[f"{key}_q95"]
            assert a[key] == pytest.approx(b[key], rel=1e-9, abs=1e-12)


def _bad_files(tmp_path):
    text = tmp_path / "text.parquet"
    text.write_text("adjustment_rate,weight\n1,1\n", encoding="utf-8")
    nan = tmp_path / "nan.parquet"
    pd.DataFrame({"noise": [0.01, float("nan")], "weight": [1.0, 1.0]}).to_parquet(nan)
    word = tmp_path / "word.parquet"
    pd.DataFrame({"noise": ["0.01", "lots"]}).to_parquet(word)
    out = tmp_path / "outside.parquet"
    pd.DataFrame({"noise": [0.01, 0.02, 5.0]}).to_parquet(out)
    unknown = tmp_path / "unknown.parquet"
    pd.DataFrame({"wisdom": [1.0]}).to_parquet(unknown)
    empty = tmp_path / "empty.parquet"
    pd.DataFrame({"noise": pd.Series([], dtype=float)}).to_parquet(empty)
    return [  # file, row, field
        (tmp_path / "missing.parquet", None, None),
        (tmp_path / "no-posterior-here", None, None),
        (text, None, None),
        (nan, 2, "noise"),
        (word, 2, "noise"),
        (out, 3, "noise"),
        (unknown, None, "wisdom"),
        (empty, None, None),
    ]


def test_bad_posterior_files_exit_2_with_one_located_line(tmp_path):
    (tmp_path / "no-posterior-here").mkdir()
    for f, row, field in _bad_files(tmp_path):
        res = runner.invoke(
            app, ["run", *SHORT, "--posterior", str(f), "--out", str(tmp_path / "o")]
        )
        assert res.exit_code == 2, (f, res.output)
        lines = res.output.strip().splitlines()
        assert len(lines) == 1, res.output
        assert lines[0].startswith("error:") and f.name in lines[0]
        if row is not None:
            assert f"row {row}" in lines[0]
        if field is not None:
            assert repr(field) in lines[0]
        res = runner.invoke(
            app, ["run", *SHORT, "--posterior", str(f), "--out", str(tmp_path / "o"), "--json"]
        )
        assert res.exit_code == 2
        err = _strict(res.output)
        assert err["file"] == str(f / "posterior.parquet" if f.is_dir() else f)
        assert err["row"] == row and (field is None or err["field"] == field)
        assert not (tmp_path / "o").exists()


def test_posterior_and_no_posterior_exclude_each_other(tmp_path):
    res = runner.invoke(
        app,
        [
            "run",
            *SHORT,
            "--posterior",
            str(tmp_path),
            "--no-posterior",
            "--out",
            str(tmp_path / "o"),
            "--json",
        ],
    )
    assert res.exit_code == 2 and _strict(res.output)["field"] == "posterior"


def test_cli_default_draws_is_the_library_default():
    from coopgov.cli.run import DEFAULT_DRAWS as CLI_DEFAULT
    from coopgov.scenarios.run import DEFAULT_DRAWS

    assert CLI_DEFAULT == DEFAULT_DRAWS
