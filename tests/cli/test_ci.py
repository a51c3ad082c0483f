"""``.ci/run``'s pytest plugin: skip count, and failure on a service-backed skip under CI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

TESTS = """
import pytest

def test_ok():
    pass

@pytest.mark.postgres
def test_needs_postgres():
    pytest.skip("COOPGOV_TEST_PG_DSN not set")

def test_plain_skip():
    pytest.skip("not here")
"""


def _pytest(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess:
    (tmp_path / "test_x.py").write_text(TESTS, encoding="utf-8")
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\nmarkers =\n    postgres: needs it\n", encoding="utf-8"
    )
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["PYTHONPATH"] = str(ROOT / ".ci")
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "pytest_services",
            "-p",
            "no:cacheprovider",
            str(tmp_path),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_service_skip_fails_under_ci(tmp_path):
    res = _pytest(tmp_path, "true")
    assert res.returncode == 1, res.stdout
    assert "skipped: 2 test(s), of which 1 need a service" in res.stdout
    assert "test_needs_postgres" in res.stdout


def test_service_skip_is_counted_but_allowed_outside_ci(tmp_path):
    res = _pytest(tmp_path, None)
    assert res.returncode == 0, res.stdout
    assert "skipped: 2 test(s), of which 1 need a service" in res.stdout


def test_ci_script_uses_a_run_folder_and_stops_the_server():
    run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    pg = (ROOT / ".ci" / "services" / "postgres.sh").read_text(encoding="utf-8")
    assert "trap _coopgov_ci_cleanup EXIT" in run and "pg_ctl" in run and " stop" in run
    assert "mktemp -d" in run and "mktemp -d" in pg
    assert "/var/tmp/coopgov-pg}" not in pg  # no fixed, shared default folder
    assert "-p pytest_services" in run and '-m "slow or not slow"' in run
    subprocess.run(["bash", "-n", str(ROOT / ".ci" / "run")], check=True)
