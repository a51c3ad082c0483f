from __future__ import annotations

import json

from typer.testing import CliRunner

from coopgov.cli.main import app

runner = CliRunner()

SPEC = """
[experiment]
name = "cli"
years = 4
chunk_size = 10

[sampler]
method = "lhs"
n = 8

[uncertainties.lateral_thrust]
[uncertainties.gdp_loss]

[policies]
baseline = true
single_levers = ["enforcement", "laws"]

[[outcomes]]
name = "final_cooperation"
scope = "both"
"""


def test_run_analyze_and_specs(tmp_path):
    spec = tmp_path / "cli.toml"
    spec.write_text(SPEC)
    out = tmp_path / "out"
    r = runner.invoke(
        app, ["experiment", "run", str(spec), "--out", str(out), "--processes", "0", "--json"]
    )
    assert r.exit_code == 0, r.output
    payload = json.loads(r.output)
    assert payload["n_runs"] == 24 and payload["complete"] and payload["n_chunks"] == 3
    r = runner.invoke(app, ["experiment", "analyze", str(out), "--json"])
    assert r.exit_code == 0, r.output
    s = json.loads(r.output)
    assert s["lever_ranking"]["top_lever"] in ("enforcement", "laws")
    assert (out / "analysis" / "report.html").is_file()
    r = runner.invoke(app, ["experiment", "analyze", str(out)])
    assert r.exit_code == 0 and "lever ranking" in r.output
    r = runner.invoke(app, ["experiment", "specs", "--json"])
    assert r.exit_code == 0
    assert "lever-ranking" in {row["name"] for row in json.loads(r.output)}


def test_bad_spec_exits_2_naming_file_and_field(tmp_path):
    spec = tmp_path / "bad.toml"
    spec.write_text(SPEC.replace("[uncertainties.gdp_loss]", "[uncertainties.gdp_los]"))
    r = runner.invoke(app, ["experiment", "run", str(spec), "--json"])
    assert r.exit_code == 2
    err = json.loads(r.output)
    assert err["file"] == str(spec) and err["field"] == "uncertainties.gdp_los"
    r = runner.invoke(
        app,
        [
            "experiment",
            "run",
            str(spec),
            "--workers",
            "2",
            "--scheduler",
            "tcp://127.0.0.1:1",
            "--json",
        ],
    )
    assert r.exit_code == 2
    r = runner.invoke(app, ["experiment", "analyze", str(tmp_path), "--json"])
    assert r.exit_code == 2 and "manifest" in json.loads(r.output)["error"]
