"""Fixture of the command-line tests: run ``coopgov`` in-process."""

from __future__ import annotations

from dataclasses import dataclass

import pytest


@dataclass
class Ran:
    code: int
    out: str
    err: str


@pytest.fixture
def coopgov(capsys):
    """Run ``coopgov ARGS`` through the console-script entry point, in this process."""
    try:
        from coopgov.cli.entry import main
    except ImportError:  # an older tree without the entry module: plain click runner
        from typer.testing import CliRunner

        from coopgov.cli.main import app

        def main(argv: list[str]) -> int:
            res = CliRunner().invoke(app, argv)
            print(res.stdout, end="")
            print(res.stderr, end="", file=__import__("sys").stderr)
            return res.exit_code

    def run(*args: str) -> Ran:
        capsys.readouterr()
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Ran(code, captured.out, captured.err)

    return run
