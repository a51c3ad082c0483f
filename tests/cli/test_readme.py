"""Every ``coopgov`` command line of the README runs as written (issue point 6).

The command lines are taken from the README's fenced ``bash`` blocks, wherever
they are (other sections may add or change some): each segment of a line that
starts with ``coopgov`` is run, in the order of the README, in a scratch
folder holding a copy of ``examples/``.  Lines that take long (simulation
runs, experiments, the demo data year) run in the slow test only; servers
(``serve``, ``dashboard``) are checked with ``--help``, as they run until
stopped.
"""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
HEAVY = {"run", "demo-data", "experiment", "calibrate"}
SERVERS = {"serve", "dashboard"}


def readme_commands(text: str) -> list[list[str]]:
    """The ``coopgov`` command lines of the fenced bash blocks of ``text``, in order."""
    out = []
    for block in re.findall(r"^```(?:bash|sh|console|shell)\s*\n(.*?)^```", text, re.M | re.S):
        for line in block.splitlines():
            for segment in re.split(r"&&|;|\|\|", line):
                words = shlex.split(segment, comments=True)
                if words and words[0] == "coopgov":
                    out.append(words[1:])
    return out


def _prepare(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COOPGOV_STORE", raising=False)


def _run_all(commands: list[list[str]], coopgov) -> None:  # noqa: ANN001
    for args in commands:
        if args and args[0] in SERVERS:
            args = [args[0], "--help"]
        res = coopgov(*args)
        assert res.code == 0, f"coopgov {shlex.join(args)}\n{res.err}{res.out[-2000:]}"


def test_readme_has_command_lines():
    commands = readme_commands(README.read_text(encoding="utf-8"))
    assert len(commands) >= 10
    subcommands = {c[0] for c in commands if c}
    assert {"run", "aqi", "allocate", "compensate", "games", "region"} <= subcommands


def test_extraction_reads_chains_and_comments():
    text = "x\n```bash\npip install -e . && coopgov run --out r   # note\ncoopgov aqi so2=1\n```\n"
    assert readme_commands(text) == [["run", "--out", "r"], ["aqi", "so2=1"]]


def test_readme_quick_commands_run_as_written(tmp_path, monkeypatch, coopgov):
    _prepare(tmp_path, monkeypatch)
    commands = readme_commands(README.read_text(encoding="utf-8"))
    quick = [c for c in commands if c and c[0] not in HEAVY]
    assert quick
    _run_all(quick, coopgov)


@pytest.mark.slow
def test_readme_all_commands_run_as_written(tmp_path, monkeypatch, coopgov):
    _prepare(tmp_path, monkeypatch)
    _run_all(readme_commands(README.read_text(encoding="utf-8")), coopgov)
