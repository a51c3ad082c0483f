"""One reader for coopgov's CSV tables: declared columns, located errors, matrices aligned by key.

Region tables, game and transfer-matrix files and compensation measurements
are all read here (the fast bulk ingest of the monitoring platform keeps its
own reader).  The reader

* decodes the file as UTF-8, else GB18030, or the encoding the caller names
  (:func:`coopgov.io.read_text`);
* skips blank lines and ``#`` comment lines (anywhere in the file);
* takes the first remaining line as the header and checks that every row has
  as many fields as the header;
* checks declared columns (:class:`Column`: name, kind, unit, whether the
  column and its cells are required, bounds, aliases) and parses them;
* reads labelled matrices (:func:`read_matrix`) by their row and column
  labels, never by position: a matrix written in another order gives the
  same result, and labels that do not match are refused.

Row numbering
    Errors are :class:`coopgov.errors.InputError` naming the file, the row,
    the field and the value.  By default (``numbering="line"``) the row is
    the **line of the file** as an editor shows it: the first line is row 1
    and blank and comment lines count (a quoted field over several lines is
    named by its first line).  ``numbering="data"`` numbers the data rows
    from 1 with the header as row 0 (for callers that name records
    rather than lines; every reader of the package uses lines).

Imports nothing of coopgov beyond :mod:`coopgov.errors` and :mod:`coopgov.io`,
so that every layer may use it.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from coopgov.errors import InputError
from coopgov.io import read_text

__all__ = [
    "Column",
    "LabelledMatrix",
    "RawTable",
    "Table",
    "integer_key",
    "label_key",
    "parse_cell",
    "read_matrix",
    "read_rows",
    "read_table",
]

Kind = Literal["str", "int", "float"]
Numbering = Literal["line", "data"]


# ---------------------------------------------------------------------------
# column declarations
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    """A declared column of a table.

    Attributes
    ----------
    name : str
        Canonical name (the header may use an alias or, with
        ``case_insensitive``, another case).
    kind : {"str", "int", "float"}
        How a cell is parsed.  ``int`` accepts ``"310100"`` and
        ``"310100.0"``; ``float`` must be finite.
    unit : str
        Unit of the values (documentation and error messages), e.g.
        ``"mg/L"``, ``"t/yr"``, ``"-"``.
    required : bool
        The header must have the column.
    allow_empty : bool
        A cell may be empty (parsed as ``""`` for ``str``, ``NaN`` for
        numbers; an ``int`` column may not allow empty cells).
    lower, upper : float, optional
        Bounds of a number [``unit``].
    lower_open, upper_open : bool
        Whether a bound is excluded (``> lower`` instead of ``>= lower``).
    aliases : tuple of str
        Other header names meaning this column.
    """

    name: str
    kind: Kind = "float"
    unit: str = ""
    required: bool = True
    allow_empty: bool = False
    lower: float | None = None
    upper: float | None = None
    lower_open: bool = False
    upper_open: bool = False
    aliases: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in ("str", "int", "float"):
            raise ValueError(f"column {self.name!r}: unknown kind {self.kind!r}")
        if self.kind == "int" and self.allow_empty:
            raise ValueError(f"column {self.name!r}: an int column cannot allow empty cells")

    def bounds_text(self) -> str:
        """The bounds in words, e.g. ``"must lie in [0, 1]"`` (empty without bounds)."""
        unit = f" {self.unit}" if self.unit and self.unit != "-" else ""
        lo, hi = self.lower, self.upper
        if lo is not None and hi is not None:
            left, right = "(" if self.lower_open else "[", ")" if self.upper_open else "]"
            return f"must lie in {left}{lo:g}, {hi:g}{right}{unit}"
        if lo is not None:
            return f"must be {'>' if self.lower_open else '>='} {lo:g}{unit}"
        if hi is not None:
            return f"must be {'<' if self.upper_open else '<='} {hi:g}{unit}"
        return ""

    def within(self, value: float) -> bool:
        """Whether ``value`` satisfies the bounds."""
        lo, hi = self.lower, self.upper
        if lo is not None and (value <= lo if self.lower_open else value < lo):
            return False
        return not (hi is not None and (value >= hi if self.upper_open else value > hi))


def parse_cell(
    raw: str, column: Column, *, file: str | None = None, row: int | None = None
) -> str | int | float:
    """Parse one cell as ``column`` declares it.

    Parameters
    ----------
    raw : str
        The cell as read.
    column : Column
        Its declaration.
    file : str, optional
        File name, for the error.
    row : int, optional
        Row (see the module docstring), for the error.

    Returns
    -------
    str, int or float
        The value (``""`` or ``NaN`` for an allowed empty cell).

    Raises
    ------
    InputError
        Empty where not allowed, not a number, not an integer, not finite,
        out of bounds; naming file, row, field and value.
    """
    text = raw.strip()

    def bad(reason: str) -> InputError:
        return InputError(reason, file=file, row=row, field=column.name, value=raw)

    if not text:
        if column.allow_empty:
            return "" if column.kind == "str" else math.nan
        raise bad("missing value" if column.kind != "str" else "must not be empty")
    if column.kind == "str":
        return text
    if column.kind == "int":
        try:
            number: float = int(text)
        except ValueError:
            try:
                f = float(text)
            except ValueError:
                raise bad("not an integer") from None
            if not f.is_integer():
                raise bad("not an integer") from None
            number = int(f)
    else:
        try:
            number = float(text)
        except ValueError:
            raise bad("not a number") from None
        if not math.isfinite(number):
            raise bad("must be a finite number")
    if not column.within(number):
        raise bad(column.bounds_text())
    return number


# ---------------------------------------------------------------------------
# rows
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class RawTable:
    """A CSV file split into a header and rows of text cells.

    Attributes
    ----------
    file : str or None
        File name (for errors).
    header : tuple of str
        Column names as written (stripped).
    rows : tuple of tuple of str
        Data rows, cells stripped.
    header_row : int
        Row number of the header (its line, or 0 with ``numbering="data"``).
    row_numbers : ndarray of int, shape (R,)
        Row number of each data row (its first line, or 1..R).
    numbering : {"line", "data"}
        How rows are numbered (module docstring).
    """

    file: str | None
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    header_row: int
    row_numbers: NDArray[np.int64]
    numbering: Numbering = "line"

    def __len__(self) -> int:
        return len(self.rows)

    def column_text(self, index: int) -> list[str]:
        """The cells of the column at ``index``."""
        return [r[index] for r in self.rows]


def read_rows(
    path: str | Path | None = None,
    *,
    text: str | None = None,
    file: str | None = None,
    encoding: str | None = None,
    numbering: Numbering = "line",
) -> RawTable:
    """Read a CSV file into a header and text rows, with each row's number.

    Parameters
    ----------
    path : str or Path, optional
        The file (read with :func:`coopgov.io.read_text`).
    text : str, optional
        The content instead of a file (an upload); ``file`` names it.
    file : str, optional
        Name for errors (default: ``path``).
    encoding : str, optional
        ``None``/``"auto"``: UTF-8, else GB18030; or an encoding name.
    numbering : {"line", "data"}
        Row numbers in errors and in the result (module docstring).

    Returns
    -------
    RawTable
        Header and rows.

    Raises
    ------
    InputError
        Unreadable file or bytes, no header, a row with another number of
        fields than the header, a column named twice, a broken quote.
    """
    if text is None:
        if path is None:
            raise TypeError("read_rows needs a path or text")
        text = read_text(path, encoding=encoding)
    name = file if file is not None else (None if path is None else str(path))
    reader = csv.reader(text.splitlines(keepends=True), skipinitialspace=True)
    records: list[tuple[int, list[str]]] = []
    prev = 0
    try:
        for rec in reader:
            start, prev = prev + 1, reader.line_num
            if not rec or not any(c.strip() for c in rec):
                continue  # blank line
            if rec[0].lstrip().startswith("#"):
                continue  # comment line
            records.append((start, rec))
    except csv.Error as exc:
        row = reader.line_num if numbering == "line" else None
        raise InputError(f"not a readable CSV file ({exc})", file=name, row=row) from None
    if not records:
        raise InputError("empty file (no header)", file=name)
    header_line, head = records[0]
    header = tuple(h.strip() for h in head)
    header_row = header_line if numbering == "line" else 0
    seen: dict[str, int] = {}
    for k, h in enumerate(header):
        if h and h in seen:
            raise InputError("column given twice", file=name, row=header_row, field=h)
        seen[h] = k
    rows: list[tuple[str, ...]] = []
    numbers: list[int] = []
    for k, (line, rec) in enumerate(records[1:], start=1):
        number = line if numbering == "line" else k
        if len(rec) != len(header):
            raise InputError(
                f"row has {len(rec)} fields, the header has {len(header)}", file=name, row=number
            )
        rows.append(tuple(c.strip() for c in rec))
        numbers.append(number)
    return RawTable(
        file=name,
        header=header,
        rows=tuple(rows),
        header_row=header_row,
        row_numbers=np.asarray(numbers, dtype=np.int64),
        numbering=numbering,
    )


# ---------------------------------------------------------------------------
# declared tables
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Table:
    """A table read with declared columns.

    Attributes
    ----------
    raw : RawTable
        The rows as text (every column of the file, declared or not).
    columns : dict of str to int
        Canonical (declared) or written name → index in ``raw.header``.
    values : dict of str to list or ndarray
        Parsed declared columns present in the file: ``list[str]`` for
        ``str``, ``ndarray`` of int64 or float64 for numbers.
    specs : dict of str to Column
        The declarations, by canonical name.
    """

    raw: RawTable
    columns: dict[str, int]
    values: dict[str, Any]
    specs: dict[str, Column] = field(default_factory=dict)

    @property
    def file(self) -> str | None:
        """File name."""
        return self.raw.file

    @property
    def rows(self) -> NDArray[np.int64]:
        """Row number of each data row (module docstring)."""
        return self.raw.row_numbers

    def __len__(self) -> int:
        return len(self.raw)

    def __contains__(self, name: object) -> bool:
        return name in self.columns

    def __getitem__(self, name: str) -> Any:
        """Parsed values of a declared column, or the text of another one."""
        if name in self.values:
            return self.values[name]
        return self.text(name)

    def text(self, name: str) -> list[str]:
        """The cells of a column as written (stripped)."""
        return self.raw.column_text(self.columns[name])


def read_table(
    path: str | Path | None,
    columns: Sequence[Column],
    *,
    text: str | None = None,
    file: str | None = None,
    encoding: str | None = None,
    case_insensitive: bool = False,
    numbering: Numbering = "line",
    min_rows: int = 0,
) -> Table:
    r"""Read a CSV table and check its declared columns.

    Parameters
    ----------
    path : str or Path or None
        The file (``None`` with ``text``).
    columns : sequence of Column
        Declared columns.  Other columns of the file are kept as text.
    text, file, encoding, numbering
        As :func:`read_rows`.
    case_insensitive : bool
        Match header names to declared names and aliases regardless of case
        (the canonical names are then lower case).
    min_rows : int
        Fewest data rows accepted.

    Returns
    -------
    Table
        The rows and the parsed declared columns.

    Raises
    ------
    InputError
        Everything :func:`read_rows` raises; a required column missing (the
        header's row, the first missing name); two header names meaning the
        same column; too few rows; a cell that does not parse or lies out of
        bounds (:func:`parse_cell`).

    Examples
    --------
    >>> t = read_table(None, [Column("adcode", "int"), Column("pop", unit="persons", lower=0)],
    ...                text="# a comment\nadcode,pop\n310100,24.9\n")
    >>> t["adcode"].tolist(), t.rows.tolist()
    ([310100], [3])
    """
    raw = read_rows(path, text=text, file=file, encoding=encoding, numbering=numbering)
    norm: Callable[[str], str] = str.lower if case_insensitive else (lambda s: s)
    lookup: dict[str, str] = {}
    for col in columns:
        for name in (col.name, *col.aliases):
            lookup[norm(name)] = col.name
    index: dict[str, int] = {}
    for k, h in enumerate(raw.header):
        canon = lookup.get(norm(h), norm(h))
        if canon in index and h:
            raise InputError(
                "column given twice (under two names)", file=raw.file, row=raw.header_row, field=h
            )
        index[canon] = k
    missing = [c.name for c in columns if c.required and c.name not in index]
    if missing:
        required = ", ".join(c.name for c in columns if c.required)
        raise InputError(
            f"missing column (required: {required}; found: {', '.join(raw.header) or 'none'})",
            file=raw.file,
            row=raw.header_row,
            field=missing[0],
        )
    if len(raw) < min_rows:
        raise InputError(
            f"table has {len(raw)} data row(s), needs at least {min_rows}", file=raw.file
        )
    values: dict[str, Any] = {}
    for col in columns:
        if col.name not in index:
            continue
        cells = raw.column_text(index[col.name])
        parsed = [
            parse_cell(c, col, file=raw.file, row=int(r))
            for c, r in zip(cells, raw.row_numbers, strict=True)
        ]
        if col.kind == "str":
            values[col.name] = parsed
        elif col.kind == "int":
            values[col.name] = np.asarray(parsed, dtype=np.int64)
        else:
            values[col.name] = np.asarray(parsed, dtype=np.float64)
    return Table(raw=raw, columns=index, values=values, specs={c.name: c for c in columns})


# ---------------------------------------------------------------------------
# labelled matrices
# ---------------------------------------------------------------------------
def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def label_key(text: str) -> str:
    """A label as a key: stripped; an integer written as ``"310100.0"`` becomes ``"310100"``."""
    s = text.strip()
    if not s:
        raise ValueError("empty label")
    try:
        f = float(s)
    except ValueError:
        return s
    return str(int(f)) if math.isfinite(f) and f.is_integer() else s


def integer_key(text: str) -> int:
    """A label as an integer key (an adcode): ``"310100"`` or ``"310100.0"``."""
    s = text.strip()
    try:
        return int(s)
    except ValueError:
        f = float(s)  # ValueError when not a number
        if not f.is_integer():
            raise ValueError(f"not an integer: {text!r}") from None
        return int(f)


@dataclass(frozen=True)
class LabelledMatrix:
    """A matrix read by its labels.

    Attributes
    ----------
    values : ndarray, shape (R, C)
        Entries [the caller's unit], rows and columns in ``row_labels`` and
        ``col_labels`` order (the keys the caller gave, else the file's row
        order for both axes of a square matrix, else the file's order).
    row_labels, col_labels : tuple
        Keys of the rows and the columns.
    row_numbers : ndarray of int, shape (R,)
        Row number in the file of each returned row (module docstring).
    file : str or None
        File name.
    """

    values: NDArray[np.float64]
    row_labels: tuple[Hashable, ...]
    col_labels: tuple[Hashable, ...]
    row_numbers: NDArray[np.int64]
    file: str | None = None


def _keys(
    texts: Sequence[str],
    key: Callable[[str], Hashable],
    *,
    file: str | None,
    rows: Sequence[int],
    field_name: str | Sequence[str],
    what: str,
) -> list[Hashable]:
    out: list[Hashable] = []
    first: dict[Hashable, int] = {}
    for k, t in enumerate(texts):
        fname = field_name if isinstance(field_name, str) else field_name[k]
        try:
            kk = key(t)
        except (ValueError, TypeError):
            raise InputError(
                f"not a valid {what} label", file=file, row=rows[k], field=fname, value=t
            ) from None
        if kk in first:
            raise InputError(
                f"{what} label given twice (first as {what} {first[kk] + 1})",
                file=file,
                row=rows[k],
                field=fname,
                value=t,
            )
        first[kk] = k
        out.append(kk)
    return out


def _align(
    found: list[Hashable],
    wanted: Sequence[Hashable],
    *,
    file: str | None,
    rows: Sequence[int],
    field_name: str | Sequence[str],
    texts: Sequence[str],
    what: str,
) -> list[int]:
    """Position in ``found`` of each wanted key; refuse unknown and missing labels."""
    pos = {k: i for i, k in enumerate(found)}
    wanted_set = set(wanted)
    for i, k in enumerate(found):
        if k not in wanted_set:
            fname = field_name if isinstance(field_name, str) else field_name[i]
            raise InputError(
                f"unknown {what} label (not one of the {len(wanted)} expected)",
                file=file,
                row=rows[i],
                field=fname,
                value=texts[i],
            )
    missing = [k for k in wanted if k not in pos]
    if missing:
        raise InputError(
            f"no {what} for {len(missing)} expected label(s), e.g. {missing[0]!r}",
            file=file,
            field=what,
            value=str(missing[0]),
        )
    return [pos[k] for k in wanted]


def read_matrix(
    path: str | Path | None,
    *,
    text: str | None = None,
    file: str | None = None,
    encoding: str | None = None,
    numbering: Numbering = "line",
    row_keys: Sequence[Hashable] | None = None,
    col_keys: Sequence[Hashable] | None = None,
    key: Callable[[str], Hashable] = label_key,
    square: bool = False,
    unit: str = "",
    lower: float | None = None,
    upper: float | None = None,
    row_sum_max: float | None = None,
    atol: float = 1e-9,
) -> LabelledMatrix:
    r"""Read a matrix with a header of column labels and a first column of row labels.

    The layout::

        label,B,A,C        <- header: any name for the label column, then column labels
        A,0.1,0.5,0        <- row label, then one entry per column label
        C,...

    Rows and columns are matched **by label**, never by position.  With
    ``row_keys`` (and ``col_keys``, default ``row_keys``) the file must have
    exactly those labels, each once, in any order; the result is in the
    keys' order.  With ``square`` and no keys, the column labels must be the
    row labels (any order) and the columns are put in the rows' order.

    Parameters
    ----------
    path : str or Path or None
        The file (``None`` with ``text``).
    text, file, encoding, numbering
        As :func:`read_rows`.
    row_keys, col_keys : sequence, optional
        Expected labels (as ``key`` returns them), in the order wanted.
    key : callable
        Label text → key (:func:`label_key`, or :func:`integer_key` for
        adcodes); a ``ValueError`` means an invalid label.
    square : bool
        Rows and columns carry the same labels.
    unit : str
        Unit of the entries (messages).
    lower, upper : float, optional
        Bounds of every entry [``unit``].
    row_sum_max : float, optional
        Largest sum of a row's entries [``unit``] (e.g. 1 for the shares of
        a source in a transfer matrix), checked within ``atol``.
    atol : float
        Tolerance of the row-sum check [``unit``].

    Returns
    -------
    LabelledMatrix
        Entries and labels, aligned.

    Raises
    ------
    InputError
        Unreadable file; an invalid, repeated, unknown or missing label; row
        and column labels that differ; an empty, non-numeric, non-finite or
        out-of-bounds entry; a row summing to more than ``row_sum_max``.
        Each names file, row, field (the column label, the label column, or
        ``"row sum"``) and value.

    Examples
    --------
    >>> m = read_matrix(None, text="src,B,A\nA,0.1,0.5\nB,0.2,0.3\n", row_keys=["A", "B"])
    >>> m.values.tolist()
    [[0.5, 0.1], [0.3, 0.2]]
    """
    raw = read_rows(path, text=text, file=file, encoding=encoding, numbering=numbering)
    name = raw.file
    if len(raw.header) < 2 or _is_number(raw.header[0]):
        raise InputError(
            "a matrix needs a header row (a name for the label column, then one label per "
            "column) and a first column of row labels: it is aligned by label, never by "
            "position",
            file=name,
            row=raw.header_row,
            field=raw.header[0] if raw.header else None,
        )
    if not raw.rows:
        raise InputError("matrix has no data rows", file=name)
    label_field = raw.header[0] or "label"
    col_texts = list(raw.header[1:])
    col_found = _keys(
        col_texts,
        key,
        file=name,
        rows=[raw.header_row] * len(col_texts),
        field_name=[f"column {k + 2}" for k in range(len(col_texts))],
        what="column",
    )
    row_texts = raw.column_text(0)
    rows = [int(r) for r in raw.row_numbers]
    row_found = _keys(row_texts, key, file=name, rows=rows, field_name=label_field, what="row")
    if square and row_keys is None and col_keys is None:
        if set(row_found) != set(col_found):
            only_rows = [t for t, k in zip(row_texts, row_found, strict=True) if k not in col_found]
            if only_rows:
                i = row_texts.index(only_rows[0])
                raise InputError(
                    "row and column labels differ: this row label has no column",
                    file=name,
                    row=rows[i],
                    field=label_field,
                    value=only_rows[0],
                )
            only_cols = [t for t, k in zip(col_texts, col_found, strict=True) if k not in row_found]
            raise InputError(
                "row and column labels differ: this column label has no row",
                file=name,
                row=raw.header_row,
                field=f"column {col_texts.index(only_cols[0]) + 2}",
                value=only_cols[0],
            )
    if row_keys is not None:
        row_order = _align(
            row_found,
            row_keys,
            file=name,
            rows=rows,
            field_name=label_field,
            texts=row_texts,
            what="row",
        )
    else:
        row_order = list(range(len(row_found)))
    ckeys = col_keys if col_keys is not None else row_keys
    if ckeys is None and square:
        ckeys = [row_found[i] for i in row_order]
    if ckeys is not None:
        col_order = _align(
            col_found,
            ckeys,
            file=name,
            rows=[raw.header_row] * len(col_found),
            field_name=[f"column {k + 2}" for k in range(len(col_found))],
            texts=col_texts,
            what="column",
        )
    else:
        col_order = list(range(len(col_found)))
    entry = Column(
        name="entry", kind="float", unit=unit, lower=lower, upper=upper, allow_empty=False
    )
    values = np.empty((len(raw.rows), len(col_texts)))
    for i, rec in enumerate(raw.rows):
        for j, cell in enumerate(rec[1:]):
            try:
                values[i, j] = parse_cell(cell, entry, file=name, row=rows[i])
            except InputError as exc:
                raise InputError(
                    exc.reason, file=name, row=rows[i], field=col_texts[j], value=cell
                ) from None
        if row_sum_max is not None:
            s = float(values[i].sum())
            if s > row_sum_max + atol:
                raise InputError(
                    f"entries in the row sum to more than {row_sum_max:g}",
                    file=name,
                    row=rows[i],
                    field="row sum",
                    value=round(s, 9),
                )
    out = values[np.ix_(row_order, col_order)]
    return LabelledMatrix(
        values=out,
        row_labels=tuple(row_found[i] for i in row_order),
        col_labels=tuple(col_found[j] for j in col_order),
        row_numbers=np.asarray([rows[i] for i in row_order], dtype=np.int64),
        file=name,
    )
