import json

from typer.testing import CliRunner

from coopgov.cli.main import app


def test_calibrate_json_and_out(tmp_path):
    out = tmp_path / "cal"
    r = CliRunner().invoke(
        app,
        [
            "calibrate",
            "--until",
            "2018",
            "--particles",
            "60",
            "--generations",
            "2",
            "--json",
            "--out",
            str(out),
        ],
    )
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    assert set(d) >= {"posterior", "predictive", "observed"}
    assert set(d["predictive"]) == {str(y) for y in range(2005, 2031)}
    assert set(d["predictive"]["2020"]) == {"pm25", "cooperation"}
    assert d["observed"]["pm25_annual_mean"]["2020"]["value"] == 35
    assert (out / "posterior.parquet").exists() and (out / "report.html").exists()
    assert "plotly" in (out / "report.html").read_text()[:200000].lower()


def test_calibrate_end_year_before_observations_fails_with_located_error():
    # the history starts in 2005; an end year of 2014 with --until 2013 still has 2013
    r = CliRunner().invoke(
        app,
        [
            "calibrate",
            "--until",
            "2013",
            "--end-year",
            "2014",
            "--particles",
            "20",
            "--generations",
            "1",
            "--json",
        ],
    )
    assert r.exit_code == 0, r.output
    assert set(json.loads(r.output)["fitted_to"]) == {"2013"}
    r = CliRunner().invoke(app, ["calibrate", "--until", "2012", "--json"])
    assert r.exit_code == 2
