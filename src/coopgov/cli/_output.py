"""Helpers shared by the command-line modules: JSON output and error exits."""

from __future__ import annotations

import contextlib
import ipaddress
import json
import math
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, NoReturn

import numpy as np
import typer
from rich.console import Console

from coopgov.errors import InputError
from coopgov.io import AUTO_ENCODING, check_encoding, read_text

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
        return {
            str(k) if not isinstance(k, (str, int, float, bool)) else k: strict(v)
            for k, v in obj.items()
        }
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
    return json.dumps(
        strict(payload), default=_default, ensure_ascii=False, indent=indent, allow_nan=False
    )


def print_json(payload: Any) -> None:
    """Print ``payload`` as strict JSON on stdout (NumPy scalars and arrays allowed)."""
    typer.echo(dumps(payload))


def one_line(text: str) -> str:
    """Collapse ``text`` onto one line (messages quote user input, which may hold newlines)."""
    return " ".join(part.strip() for part in str(text).splitlines() if part.strip())


def fail(error: Exception, as_json: bool = False) -> NoReturn:
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
            raise InputError(
                "only loopback addresses are served; put a reverse proxy in "
                "front for other interfaces",
                field="host",
                value=host,
            )
    except ValueError as exc:
        fail(
            exc
            if isinstance(exc, InputError)
            else InputError("not an IP address", field="host", value=host)
        )


EncodingOpt = Annotated[
    str,
    typer.Option(
        "--encoding",
        help="Encoding of the input files: auto (UTF-8, else GB18030/GBK) or a "
        "name such as gbk, big5, latin-1.",
    ),
]


@contextlib.contextmanager
def utf8_copy(path: Path | None, encoding: str) -> Iterator[Path | None]:
    """Yield a path the library readers can read, honouring ``--encoding``.

    With ``auto`` the readers detect UTF-8 or GB18030 themselves and ``path``
    is yielded as it is.  With a named encoding the file is decoded (an
    :class:`InputError` names it if it cannot be) and a UTF-8 copy with the
    same name is yielded; errors that name the copy are re-raised naming
    ``path``.
    """
    if path is None or check_encoding(encoding) == AUTO_ENCODING:
        yield path
        return
    text = read_text(path, encoding=encoding)
    with tempfile.TemporaryDirectory(prefix="coopgov-") as folder:
        copy = Path(folder) / Path(path).name
        copy.write_text(text, encoding="utf-8")
        try:
            yield copy
        except InputError as exc:
            if exc.file != str(copy):
                raise
            raise InputError(
                exc.reason, file=str(path), row=exc.row, field=exc.field, value=exc.value
            ) from None
