"""Reading and checking tables of section measurements (CSV or DataFrame).

One row per sample (Xin'an bet) or per accounting period (per-tonne).  Every
problem is reported as :class:`coopgov.errors.InputError` with the file, the
row as the file's line number (as an editor shows it: ``#`` comment and
blank lines, and the header itself, count; :mod:`coopgov.tabular`), the
column and the value.  A table given as a DataFrame numbers its data rows from 1.

Columns
-------
Both kinds (names are case-insensitive):

``section``
    Monitoring section name, e.g. ``Jiekou``.
``date``
    Sampling date (ISO ``YYYY-MM-DD``); for the per-tonne kind any date in
    the accounting period.
``factor``
    Assessed factor: ``permanganate_index`` (``CODMn``), ``nh3_n``
    (``NH3-N``), ``tn``, ``tp``; also ``cod``, ``bod5``, ``do`` (read but not
    priced by the bundled schemes).  Chinese names (高锰酸盐指数, 氨氮, 总氮,
    总磷) are accepted.  Alias column names: ``pollutant``, ``indicator``.
``value``
    Concentration, >= 0.  Alias: ``concentration``.
``unit`` (optional)
    ``mg/L`` (default when absent or empty) or ``ug/L`` / ``µg/L``
    (converted to mg/L).

Per-tonne kind, in addition:

``flow_m3s``
    Mean section flow over the period [m^3/s], >= 0.
``period_days`` (optional)
    Length of the period [days]; default: the calendar month of ``date``.
``target`` (optional)
    Target concentration [mg/L] of this section and factor, > 0.
``downstream`` (optional)
    Who receives the payment.
``contributions`` (optional)
    Upstream jurisdictions and their contribution shares, e.g.
    ``Danyang:85.78;Dantu:14.22`` (only proportions matter).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from coopgov.compensation.config import canonical_factor
from coopgov.errors import InputError
from coopgov.tabular import read_rows

__all__ = ["read_measurements", "parse_contributions", "UNIT_TO_MG_L"]

#: Accepted concentration units and their factor to mg/L.
UNIT_TO_MG_L: dict[str, float] = {
    "mg/l": 1.0,
    "mg l-1": 1.0,
    "mg·l-1": 1.0,
    "mg/l as n": 1.0,
    "mg/l as p": 1.0,
    "ug/l": 1e-3,
    "µg/l": 1e-3,
    "μg/l": 1e-3,
}

_COLUMN_ALIASES = {
    "pollutant": "factor",
    "indicator": "factor",
    "concentration": "value",
    "flow": "flow_m3s",
    "flow_m3_s": "flow_m3s",
}

_REQUIRED = {
    "xinan": ["section", "date", "factor", "value"],
    "per_tonne": ["section", "date", "factor", "value", "flow_m3s"],
}

Kind = Literal["xinan", "per_tonne"]


def _read_csv(path: Path) -> tuple[pd.DataFrame, int, np.ndarray]:
    """The table, the header's line number and each data row's line number (1-based).

    Read with :func:`coopgov.tabular.read_rows` (UTF-8, else GB18030; ``#``
    comment and blank lines skipped but counted; every row as wide as the
    header).
    """
    raw = read_rows(path)
    table = pd.DataFrame(list(raw.rows), columns=list(raw.header), dtype=object)
    return table, raw.header_row, raw.row_numbers


def _cells_as_text(series: pd.Series) -> pd.Series:
    """Cells as stripped strings; missing cells (None, NaN) as ""."""
    return series.map(
        lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v).strip()
    )


def _first_bad(
    mask: np.ndarray, rows: np.ndarray, raw: pd.Series, file: str | None, field: str, reason: str
) -> None:
    if mask.any():
        i = int(np.argmax(mask))
        value = raw.iloc[i]
        raise InputError(reason, file=file, row=int(rows[i]), field=field, value=value)


def parse_contributions(
    text: str, *, file: str | None = None, row: int | None = None
) -> dict[str, float]:
    """Parse ``"A:60;B:40"`` into ``{"A": 60.0, "B": 40.0}`` (separators ``;`` or ``|``).

    Raises
    ------
    coopgov.errors.InputError
        A part without ``name:share``, a non-numeric or negative share, a
        repeated name, or shares summing to zero.
    """
    out: dict[str, float] = {}
    parts = [p for p in text.replace("|", ";").split(";") if p.strip()]
    for part in parts:
        sep = ":" if ":" in part else "=" if "=" in part else None
        if sep is None:
            raise InputError(
                "expected 'jurisdiction:share' parts separated by ';'",
                file=file,
                row=row,
                field="contributions",
                value=text,
            )
        name, _, share_text = part.rpartition(sep)
        name = name.strip()
        try:
            share = float(share_text)
        except ValueError:
            share = float("nan")
        if not name or not np.isfinite(share) or share < 0:
            raise InputError(
                f"share of {name or '?'!r} must be a number >= 0",
                file=file,
                row=row,
                field="contributions",
                value=text,
            )
        if name in out:
            raise InputError(
                f"jurisdiction {name!r} named twice",
                file=file,
                row=row,
                field="contributions",
                value=text,
            )
        out[name] = share
    if parts and sum(out.values()) <= 0:
        raise InputError(
            "contribution shares sum to zero", file=file, row=row, field="contributions", value=text
        )
    return out


def read_measurements(source: str | Path | pd.DataFrame, kind: Kind = "xinan") -> pd.DataFrame:
    """Read and check a measurement table.

    Parameters
    ----------
    source : str, Path or pandas.DataFrame
        CSV file, or a table with the columns listed in the module docstring.
    kind : {"xinan", "per_tonne"}
        Which columns are required.

    Returns
    -------
    pandas.DataFrame
        Columns ``row`` (the file's line number; the data row for a
        DataFrame), ``section``, ``date``
        (Timestamp), ``year``, ``factor`` (canonical), ``value_mg_l``; for
        the per-tonne kind also ``flow_m3s``, ``period_days`` (NaN if not
        given), ``target`` (NaN if not given), ``downstream`` ("" if not
        given) and ``contributions`` (raw text, "" if not given).  The file
        name is in ``attrs["file"]`` (None for a DataFrame).

    Raises
    ------
    coopgov.errors.InputError
        Missing column; empty section; bad date; unknown factor; missing,
        non-numeric, non-finite or negative value; unknown unit; bad flow,
        period or target.  Each names file, row, field and value.
    """
    if isinstance(source, pd.DataFrame):
        file = None
        raw = source.reset_index(drop=True).copy()
        raw.columns = [str(c) for c in raw.columns]
        header_line, rows = 0, np.arange(1, len(raw) + 1)
    else:
        file = str(source)
        raw, header_line, rows = _read_csv(Path(source))
    raw.columns = [_COLUMN_ALIASES.get(c.strip().lower(), c.strip().lower()) for c in raw.columns]
    dupes = raw.columns[raw.columns.duplicated()].tolist()
    if dupes:
        raise InputError("column given twice", file=file, row=header_line, field=str(dupes[0]))
    for col in _REQUIRED[kind]:
        if col not in raw.columns:
            raise InputError(
                f"missing column (required: {', '.join(_REQUIRED[kind])})",
                file=file,
                row=header_line,
                field=col,
            )
    if raw.empty:
        raise InputError("table has no data rows", file=file)

    def text(col: str) -> pd.Series:
        if col not in raw.columns:
            return pd.Series([""] * len(raw), dtype=object)
        return _cells_as_text(raw[col])

    section = text("section")
    _first_bad(
        (section == "").to_numpy(), rows, raw["section"], file, "section", "missing section name"
    )

    dates = pd.to_datetime(text("date"), errors="coerce", format="mixed")
    _first_bad(
        dates.isna().to_numpy(), rows, raw["date"], file, "date", "not a date (expected YYYY-MM-DD)"
    )

    factors = text("factor").map(canonical_factor)
    _first_bad(
        factors.isna().to_numpy(),
        rows,
        raw["factor"],
        file,
        "factor",
        "unknown factor (use permanganate_index, nh3_n, tn, tp, cod, bod5 or do)",
    )

    value_text = text("value")
    _first_bad((value_text == "").to_numpy(), rows, raw["value"], file, "value", "missing value")
    values = pd.to_numeric(value_text, errors="coerce").to_numpy(dtype=np.float64)
    _first_bad(~np.isfinite(values), rows, raw["value"], file, "value", "not a finite number")
    _first_bad(values < 0, rows, raw["value"], file, "value", "negative concentration")

    units = text("unit").str.lower().replace("", "mg/l")
    scale = units.map(UNIT_TO_MG_L)
    _first_bad(
        scale.isna().to_numpy(), rows, text("unit"), file, "unit", "unknown unit (use mg/L or ug/L)"
    )

    out = pd.DataFrame(
        {
            "row": rows,
            "section": section.to_numpy(dtype=object),
            "date": dates.to_numpy(),
            "year": dates.dt.year.to_numpy(dtype=np.int64),
            "factor": factors.to_numpy(dtype=object),
            "value_mg_l": values * scale.to_numpy(dtype=np.float64),
        }
    )
    if kind == "per_tonne":
        out["flow_m3s"] = _number_column(raw, "flow_m3s", rows, file, required=True, positive=False)
        out["period_days"] = _number_column(
            raw, "period_days", rows, file, required=False, positive=True
        )
        out["target"] = _number_column(raw, "target", rows, file, required=False, positive=True)
        out["downstream"] = text("downstream").to_numpy(dtype=object)
        out["contributions"] = text("contributions").to_numpy(dtype=object)
    out.attrs["file"] = file
    return out


def _number_column(
    raw: pd.DataFrame,
    col: str,
    rows: np.ndarray,
    file: str | None,
    *,
    required: bool,
    positive: bool,
) -> np.ndarray:
    if col not in raw.columns:
        return np.full(len(raw), np.nan)
    series = _cells_as_text(raw[col])
    empty = (series == "").to_numpy()
    if required:
        _first_bad(empty, rows, raw[col], file, col, "missing value")
    nums = pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64)
    bad = ~empty & ~np.isfinite(nums)
    _first_bad(bad, rows, raw[col], file, col, "not a finite number")
    if positive:
        _first_bad(~empty & (nums <= 0), rows, raw[col], file, col, "must be > 0")
    else:
        _first_bad(~empty & (nums < 0), rows, raw[col], file, col, "must be >= 0")
    return np.where(empty, np.nan, nums)
