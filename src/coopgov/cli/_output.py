"""Helpers shared by the command-line modules: JSON output and error exits."""

from __future__ import annotations

import ipaddress
import json
import math
from typing import Any

import numpy as np
import typer
from rich.console import Console

from coopgov.errors import InputError

console = Console()
err_console = Console(stderr=True)


def _default(obj: Any) -> Any:
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return None if not math.isfinite(float(obj)) else float(obj)
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.bool_):
        return bool(obj)
    if hasattr(obj, "isoformat"):
        return obj.isoformat()
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def strict(obj: Any) -> Any:
    """Return ``obj`` with every non-finite number replaced by ``None`` (JSON ``null``).

    NumPy scalars and arrays become Python numbers and lists; mappings,
    lists and tuples are walked.  The result serialises with
    ``json.dumps(..., allow_nan=False)``: strict JSON that every parser reads.
    """
    if isinstance(obj, dict):
        return {str(k) if not isinstance(k, (str, int, float, bool)) else k: strict(v)
                for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [strict(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return strict(obj.tolist())
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        x = float(obj)
        return x if math.isfinite(x) else None
    return obj


def dumps(payload: Any, indent: int | None = 2) -> str:
    """Serialise ``payload`` as strict JSON (no NaN or Infinity: they become null)."""
    return json.dumps(strict(payload), default=_default, ensure_ascii=False, indent=indent,
                      allow_nan=False)


def print_json(payload: Any) -> None:
    """Print ``payload`` as strict JSON on stdout (NumPy scalars and arrays allowed)."""
    typer.echo(dumps(payload))


def one_line(text: str) -> str:
    """Collapse ``text`` onto one line (messages quote user input, which may hold newlines)."""
    return " ".join(part.strip() for part in str(text).splitlines() if part.strip())


def fail(error: Exception, as_json: bool = False) -> None:
    """Report ``error`` (JSON on stdout when ``as_json``, else one line on stderr); exit 2."""
    if as_json:
        to_dict = getattr(error, "to_dict", None)
        payload = to_dict() if callable(to_dict) else {"error": one_line(str(error))}
        print_json(payload)
    else:
        typer.echo(f"error: {one_line(str(error))}", err=True)
    raise typer.Exit(code=2)


def require_loopback(host: str) -> None:
    """Exit with an error unless ``host`` is a loopback IP address (servers bind only there)."""
    try:
        if not ipaddress.ip_address(host).is_loopback:
            raise InputError("only loopback addresses are served; put a reverse proxy in "
                             "front for other interfaces", field="host", value=host)
    except ValueError as exc:
        fail(exc if isinstance(exc, InputError) else
             InputError("not an IP address", field="host", value=host))
