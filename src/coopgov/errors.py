"""Errors shared by every part of coopgov.

Bad input must say *where* it is bad: the file, the row, the field and the
value.  :class:`InputError` carries those four facts as attributes so that a
command line, an HTTP API and a test can all report them the same way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["CoopgovError", "InputError"]


class CoopgovError(Exception):
    """Base class of every error coopgov raises on purpose."""


class InputError(CoopgovError, ValueError):
    """Invalid user input, located as precisely as the input allows.

    Parameters
    ----------
    reason : str
        What is wrong, in words a user understands ("must be >= 0").
    file : str or Path, optional
        File the input came from.
    row : int, optional
        Line of the file (1-based; the header of a CSV file is line 1), or the
        1-based index of a record where the input is not a file.
    field : str, optional
        Column, key or parameter name.
    value : object, optional
        The offending value, as read.
    """

    def __init__(
        self,
        reason: str,
        *,
        file: str | Path | None = None,
        row: int | None = None,
        field: str | None = None,
        value: Any = None,
    ) -> None:
        self.reason = reason
        self.file = None if file is None else str(file)
        self.row = row
        self.field = field
        self.value = value
        super().__init__(self._message())

    def _message(self) -> str:
        where = []
        if self.file is not None:
            where.append(self.file)
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.field is not None:
            where.append(f"field {self.field!r}")
        if self.value is not None:
            where.append(f"value {self.value!r}")
        prefix = ", ".join(where)
        return f"{prefix}: {self.reason}" if prefix else self.reason

    def to_dict(self) -> dict[str, Any]:
        """Return the located error as a JSON-serialisable mapping."""
        value = self.value
        if value is not None and not isinstance(value, (int, float, str, bool)):
            value = repr(value)
        return {
            "error": self.reason,
            "file": self.file,
            "row": self.row,
            "field": self.field,
            "value": value,
        }
