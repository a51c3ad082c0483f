"""``demo-data`` shows progress; outputs are ignored by git (issue point 8)."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pandas as pd
from cli_helpers import strict_json
from rich.console import Console

ROOT = Path(__file__).resolve().parents[2]


def test_demo_data_shows_progress_per_city(tmp_path, coopgov, monkeypatch):
    import coopgov.cli.platform as cli_platform
    import coopgov.platform.demo as demo

    def frames(region, config):  # two small cities instead of a year of 41
        for adcode in (310100, 320100):
            yield (
                adcode,
                pd.DataFrame(
                    {
                        "station_id": [f"{adcode}-A01"],
                        "time": ["2025-01-01T08:00:00+08:00"],
                        "pollutant": ["PM2.5"],
                        "value": ["40"],
                        "unit": ["ug/m3"],
                    }
                ),
            )

    monkeypatch.setattr(demo, "demo_frames", frames)
    screen = io.StringIO()
    monkeypatch.setattr(
        cli_platform, "err_console", Console(file=screen, force_terminal=True, width=100)
    )
    res = coopgov("demo-data", "--store", tmp_path / "d.duckdb", "--csv-dir", tmp_path / "csv")
    assert res.code == 0, res.err
    assert "cities" in screen.getvalue() and "demo data" in screen.getvalue()
    assert sorted(p.name for p in (tmp_path / "csv").iterdir()) == [
        ".coopgov-output.json",
        "310100.csv",
        "320100.csv",
    ]
    res = coopgov("demo-data", "--store", tmp_path / "e.duckdb", "--json")
    assert strict_json(res.out)["rows"] == 2


def test_outputs_are_ignored_by_git(tmp_path):
    for path in (
        "results/lever-ranking/manifest.json",
        "coopgov-platform.duckdb.lock",
        "demo.duckdb.lock",
        "coopgov-report/report.html",
    ):
        res = subprocess.run(["git", "check-ignore", "-q", "--no-index", path], cwd=ROOT)
        assert res.returncode == 0, path
