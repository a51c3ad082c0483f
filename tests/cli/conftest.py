"""Helpers of the command-line tests: run ``coopgov`` in-process, parse strict JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest


@dataclass
class Ran:
    code: int
    out: str
    err: str


def _no_constants(name: str) -> Any:
    raise ValueError(f"not strict JSON: {name}")


def strict_json(text: str) -> Any:
    """Parse JSON refusing NaN, Infinity and -Infinity (as strict parsers do)."""
    return json.loads(text, parse_constant=_no_constants)


@pytest.fixture
def coopgov(capsys):
    """Run ``coopgov ARGS`` through the console-script entry point, in this process."""
    from coopgov.cli.entry import main

    def run(*args: str) -> Ran:
        capsys.readouterr()
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Ran(code, captured.out, captured.err)

    return run
