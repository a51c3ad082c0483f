"""Reading games and transfer matrices from files.

Game file formats
-----------------
JSON::

    {
      "players": ["A", "B", "C"],
      "kind": "profit",                # or "cost" (optional, default "profit")
      "values": {"A": 0, "B": 0, "A,B": 1, "A,B,C": 2, ...}
    }

Keys of ``values`` are comma-separated player names (or 1-based player
numbers); the empty coalition is 0 and may be omitted.  Every other
coalition must be given unless ``"missing": "zero"`` is set.

CSV: a header ``coalition,value`` (optionally ``kind`` as a third column on
the first data row) and one row per coalition, members joined by ``+``
(``A+B``) or by spaces.  Player order is the order of first appearance, or a
``#players: A,B,C`` comment line first.

Transfer matrix CSV: a header row (a name for the label column, then one
receptor label per column: adcodes or names) and one row per source (its
label, then its shares).  Rows and columns are matched by label, never by
position.  The shares of a source sum to at most 1 (the rest leaves the
region), as the region loader requires.

Files are read as UTF-8, else GB18030 (``encoding`` overrides; see
:func:`coopgov.io.read_text`).  Rows in error messages are the lines of the
file as an editor shows them: the first line (header or comment) is row 1,
and blank and comment lines count.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from coopgov.errors import InputError
from coopgov.games.cooperative import MAX_EXACT_PLAYERS
from coopgov.io import read_text
from coopgov.tabular import Column, label_key, read_matrix, read_table

__all__ = ["GameFile", "parse_game", "read_game", "read_transfer_matrix"]


@dataclass(frozen=True)
class GameFile:
    """A TU game read from a file.

    Attributes
    ----------
    players : tuple of str
        Player names, in bitmask order (player i is bit i).
    values : ndarray, shape (2**n,)
        Worth or cost of each coalition by bitmask [currency].
    kind : str
        ``"profit"`` or ``"cost"``.
    """

    players: tuple[str, ...]
    values: NDArray[np.float64]
    kind: str


def _coalition_mask(
    key: str, index: dict[str, int], file: str | None, row: int | None, sep: str
) -> int:
    mask = 0
    key = key.strip()
    if key in ("", "{}", "()"):
        return 0
    for raw in key.replace(sep, ",").split(","):
        name = raw.strip()
        if not name:
            continue
        if name in index:
            i = index[name]
        elif name.isdigit() and 1 <= int(name) <= len(index):
            i = int(name) - 1
        else:
            raise InputError("unknown player", file=file, row=row, field="coalition", value=name)
        mask |= 1 << i
    return mask


def parse_game(
    players: list[str],
    values: dict[str, float],
    *,
    kind: str = "profit",
    missing: str = "error",
    file: str | None = None,
    rows: list[int] | None = None,
) -> GameFile:
    """Build a :class:`GameFile` from player names and coalition values.

    Parameters
    ----------
    players : list of str
        Player names.
    values : dict of str to float
        Coalition (comma-separated names or 1-based numbers) to worth/cost
        [currency].
    kind : {"profit", "cost"}
        Game kind.
    missing : {"error", "zero"}
        What to do with coalitions not listed.
    file : str, optional
        Source file, for error messages.
    rows : list of int, optional
        Row (line of the file) of each entry of ``values``, for error
        messages; default the entries' positions from 1.

    Returns
    -------
    GameFile
        The game.
    """
    if not isinstance(players, list) or not all(
        isinstance(p, (str, int)) and not isinstance(p, bool) for p in players
    ):
        raise InputError("players must be a list of names", file=file, field="players")
    names = [str(p).strip() for p in players]
    n = len(names)
    if n < 1 or n > MAX_EXACT_PLAYERS:
        raise InputError(
            f"need 1..{MAX_EXACT_PLAYERS} players", file=file, field="players", value=n
        )
    if len(set(names)) != n:
        raise InputError("player names must be unique", file=file, field="players")
    if kind not in ("profit", "cost"):
        raise InputError("kind must be 'profit' or 'cost'", file=file, field="kind", value=kind)
    index = {name: i for i, name in enumerate(names)}
    table = np.full(1 << n, np.nan)
    table[0] = 0.0
    for k, (key, val) in enumerate(values.items()):
        row = rows[k] if rows is not None else k + 1
        mask = _coalition_mask(str(key), index, file, row, "+")
        if isinstance(val, bool) or (isinstance(val, str) and not val.strip()):
            raise InputError(
                "value is missing or not a number", file=file, row=row, field=str(key), value=val
            )
        try:
            number = float(val)
        except (TypeError, ValueError, OverflowError):
            raise InputError(
                "value is not a number", file=file, row=row, field=str(key), value=val
            ) from None
        if not np.isfinite(number):
            raise InputError("value must be finite", file=file, row=row, field=str(key), value=val)
        table[mask] = number
    holes = np.flatnonzero(np.isnan(table))
    if holes.size:
        if missing == "zero":
            table[holes] = 0.0
        else:
            first = int(holes[0])
            members = ",".join(names[i] for i in range(n) if first >> i & 1)
            raise InputError(
                f'{holes.size} coalition(s) have no value (set "missing": "zero" to default them)',
                file=file,
                field="values",
                value=members,
            )
    return GameFile(players=tuple(names), values=table, kind=kind)


def read_game(path: str | Path, *, encoding: str | None = None) -> GameFile:
    """Read a TU game from a JSON or CSV file (formats in the module docstring).

    Parameters
    ----------
    path : str or Path
        ``.json`` or ``.csv`` file.
    encoding : str, optional
        Text encoding (default: UTF-8, else GB18030).

    Returns
    -------
    GameFile
        The game.
    """
    p = Path(path)
    file = str(p)
    text = read_text(p, encoding=encoding)
    if p.suffix.lower() == ".json":
        try:
            doc = json.loads(text)
        except (json.JSONDecodeError, RecursionError) as exc:
            if isinstance(exc, RecursionError):
                raise InputError("invalid JSON: nested too deeply", file=file) from None
            raise InputError(f"invalid JSON: {exc.msg}", file=file, row=exc.lineno) from None
        if not isinstance(doc, dict) or "players" not in doc or "values" not in doc:
            raise InputError("JSON game needs 'players' and 'values'", file=file)
        if not isinstance(doc["values"], dict) or not isinstance(doc["players"], list):
            raise InputError("'players' must be a list and 'values' an object", file=file)
        return parse_game(
            doc["players"],
            doc["values"],
            kind=str(doc.get("kind", "profit")),
            missing=str(doc.get("missing", "error")),
            file=file,
        )
    players: list[str] = []
    first_line = text.split("\n", 1)[0]
    if first_line.startswith("#players:"):
        players = [s.strip() for s in first_line.split(":", 1)[1].split(",") if s.strip()]
    table = read_table(
        None,
        [
            Column("coalition", "str", allow_empty=True),
            Column("value", "str", allow_empty=True),
            Column("kind", "str", required=False, allow_empty=True),
        ],
        text=text,
        file=file,
    )
    values: dict[str, float] = {}
    value_rows: list[int] = []
    kind = "profit"
    kinds = table.values.get("kind")
    for k, (key, value) in enumerate(zip(table["coalition"], table["value"], strict=True)):
        row = int(table.rows[k])
        members = [s for s in key.replace("+", " ").split() if s]
        for name in members:
            if name not in players:
                players.append(name)
        joined = ",".join(members)
        if joined in values:
            raise InputError(
                "coalition given twice", file=file, row=row, field="coalition", value=key
            )
        values[joined] = value  # type: ignore[assignment]  # parse_game checks the number
        value_rows.append(row)
        if k == 0 and kinds and kinds[0]:
            kind = kinds[0]
    if not values:
        raise InputError("CSV game has no coalition rows", file=file)
    return parse_game(players, values, kind=kind, file=file, rows=value_rows)


def read_transfer_matrix(
    path: str | Path,
    *,
    labels: Sequence[str] | None = None,
    encoding: str | None = None,
    atol: float = 1e-9,
) -> tuple[NDArray[np.float64], list[str]]:
    """Read a source-receptor transfer matrix from CSV, aligned by its labels.

    The file has a header row (a name for the label column, then one
    receptor label per column) and one row per source (its label, then its
    shares).  Rows and columns are matched **by label**, never by position
    (:func:`coopgov.tabular.read_matrix`): a matrix written in another city
    order gives the same result, and labels that differ between rows and
    columns, repeat, or (with ``labels``) are not the expected ones are
    refused.  The checks are those of the region loader: shares finite and
    >= 0, each source's shares summing to at most 1 (the rest leaves the
    region).  An integer label written as ``310100.0`` means ``310100``.

    Parameters
    ----------
    path : str or Path
        CSV file: shares [-], row = source, column = receptor.
    labels : sequence of str, optional
        The expected labels (e.g. the region's adcodes or player names) in
        the order wanted; the file must have exactly these, in any order.
        Default: the file's row order.
    encoding : str, optional
        Text encoding (default: UTF-8, else GB18030).
    atol : float
        Tolerance on row sums above one [-].

    Returns
    -------
    matrix : ndarray, shape (n, n)
        Transfer shares [-], ``matrix[i, j]`` from source ``labels[i]`` to
        receptor ``labels[j]``.
    labels : list of str
        Row (= column) labels in the matrix's order.

    Raises
    ------
    InputError
        Naming the file, the row (line of the file), the field and the value.
    """
    keys = None if labels is None else [label_key(str(x)) for x in labels]
    m = read_matrix(
        path,
        encoding=encoding,
        row_keys=keys,
        key=label_key,
        square=True,
        unit="-",
        lower=0.0,
        row_sum_max=1.0,
        atol=atol,
    )
    return m.values, [str(x) for x in m.row_labels]
