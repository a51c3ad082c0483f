"""Helpers of the command-line tests."""

from __future__ import annotations

import json
from typing import Any


def _no_constants(name: str) -> Any:
    raise ValueError(f"not strict JSON: {name}")


def strict_json(text: str) -> Any:
    """Parse JSON refusing NaN, Infinity and -Infinity (as strict parsers do)."""
    return json.loads(text, parse_constant=_no_constants)
