"""``coopgov run``: JSON shape, outputs, and atomic writing."""

import json

import pandas as pd
from typer.testing import CliRunner

from coopgov.cli.main import app

runner = CliRunner()


def test_run_json_and_outputs(tmp_path):
    out = tmp_path / "rep"
    res = runner.invoke(
        app,
        [
            "run",
            "--builtin",
            "baseline",
            "--builtin",
            "package",
            "--years",
            "4",
            "--replications",
            "2",
            "--seed",
            "7",
            "--out",
            str(out),
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    payload = json.loads(res.output)
    names = [s["name"] for s in payload["scenarios"]]
    assert names == ["baseline", "package"]
    for s in payload["scenarios"]:
        assert {
            "cooperation_rate",
            "abm_cooperation_rate",
            "initial_cooperation_rate",
            "start_year",
            "end_year",
            "pm25_change",
            "cost",
            "rest_points",
        } <= set(s)
        assert 0 <= s["cooperation_rate"] <= 1
        # judged from today: both continue the history from its end state in 2026
        assert s["start_year"] == 2026 and s["end_year"] == 2030
        assert s["initial_cooperation_rate"] > 0.5
    base, package = payload["scenarios"]
    assert base["initial_cooperation_rate"] == package["initial_cooperation_rate"]
    assert package["cost"] > base["cost"] > 0  # current policy has its institutions' costs
    assert package["cooperation_rate"] > base["cooperation_rate"]
    html = (out / "report.html").read_text(encoding="utf-8")
    # self-contained: plotly.js inlined, no external script, style or image
    assert "<script type='text/javascript'>" in html
    import re

    markup = re.sub(r"<script[^>]*>.*?</script>", "", html, flags=re.S)
    assert not re.search(r"""(src|href)\s*=\s*["']https?://""", markup)
    assert "<script src" not in html
    regional = pd.read_parquet(out / "regional.parquet")
    assert set(regional["scenario"]) == {"baseline", "package"}
    assert len(regional) == 2 * 5
    forces = pd.read_parquet(out / "forces.parquet")
    assert {"term", "family", "value_c0"} <= set(forces.columns)


def test_same_seed_same_numbers(tmp_path):
    args = ["run", "--builtin", "laws", "--years", "3", "--replications", "2", "--json"]
    a = runner.invoke(app, args + ["--out", str(tmp_path / "a")])
    b = runner.invoke(app, args + ["--out", str(tmp_path / "b")])
    assert json.loads(a.output)["scenarios"] == json.loads(b.output)["scenarios"]


def test_bad_scenario_file_is_reported(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\n[levers]\nlaws = 2\n', encoding="utf-8")
    res = runner.invoke(
        app, ["run", "--scenario", str(bad), "--json", "--out", str(tmp_path / "o")]
    )
    assert res.exit_code == 2
    err = json.loads(res.output)
    assert err["file"] == str(bad) and err["field"].startswith("levers")
    assert not (tmp_path / "o").exists()


def test_interrupted_run_leaves_previous_report_untouched(tmp_path, monkeypatch):
    from coopgov.io import OUTPUT_MANIFEST

    out = tmp_path / "rep"
    out.mkdir()
    (out / "report.html").write_text("previous", encoding="utf-8")
    (out / OUTPUT_MANIFEST).write_text("{}", encoding="utf-8")  # a report coopgov wrote

    import coopgov.report

    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(coopgov.report, "write_run_report", boom)
    # click turns the interrupt into an abort (exit code 1)
    res = runner.invoke(
        app,
        ["run", "--builtin", "baseline", "--years", "2", "--replications", "0", "--out", str(out)],
    )
    assert res.exit_code != 0
    assert (out / "report.html").read_text(encoding="utf-8") == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rep"]
