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


def print_json(payload: Any) -> None:
    """Print ``payload`` as JSON on stdout (NumPy scalars and arrays allowed)."""
    typer.echo(json.dumps(payload, default=_default, ensure_ascii=False, indent=2))


def fail(error: Exception, as_json: bool = False) -> None:
    """Report ``error`` (JSON on stdout when ``as_json``) and exit with status 2."""
    if as_json:
        payload = error.to_dict() if isinstance(error, InputError) else {"error": str(error)}
        print_json(payload)
    else:
        err_console.print(f"[bold red]error:[/] {error}")
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
