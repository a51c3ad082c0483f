"""Parsing and validation of measurement batches (CSV and JSON), vectorised.

A batch is parsed into columns, every row is checked, and the batch is split
into *accepted* rows (harmonised to canonical units and reference states) and
*rejected* rows, each with the field at fault and the reason.  Nothing is
dropped: the store keeps the rejected rows in quarantine and returns them to
the sender.

Columns of a batch: ``station_id``, ``time`` (ISO 8601 with a UTC offset,
e.g. ``2025-01-01T08:00:00+08:00``), ``pollutant``, ``value``, ``unit``, and
optionally ``reference_state`` (empty: inferred from the time for gases, see
:func:`coopgov.platform.vocabulary.harmonise_values`) and ``source``.

A missing required column rejects the whole batch with
:class:`~coopgov.errors.InputError`; everything else is judged row by row.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from coopgov.errors import InputError
from coopgov.platform.vocabulary import (
    AIR_POLLUTANTS,
    CANONICAL_UNIT,
    canonical_pollutant,
    harmonise_values,
)

__all__ = [
    "REQUIRED_COLUMNS",
    "OPTIONAL_COLUMNS",
    "ACCEPTED_SCHEMA",
    "ValidatedBatch",
    "parse_csv",
    "parse_records",
    "validate_batch",
    "batch_digest",
]

REQUIRED_COLUMNS = ("station_id", "time", "pollutant", "value", "unit")
OPTIONAL_COLUMNS = ("reference_state", "source")
_ALL = REQUIRED_COLUMNS + OPTIONAL_COLUMNS

#: Columns of the accepted rows handed to the store.
ACCEPTED_SCHEMA = pa.schema([
    ("station_id", pa.string()),
    ("time", pa.timestamp("us", tz="UTC")),
    ("pollutant", pa.string()),
    ("value", pa.float64()),
    ("unit", pa.string()),
    ("reference_state", pa.string()),
    ("value_as_sent", pa.float64()),
    ("unit_as_sent", pa.string()),
    ("reference_state_as_sent", pa.string()),
    ("source", pa.string()),
    ("row_number", pa.int64()),
])

_ZONE = r"(Z|z|[+-]\d\d(:?\d\d)?)$"


@dataclass
class ValidatedBatch:
    """A batch split into accepted (harmonised) rows and rejected rows with reasons."""

    accepted: pa.Table
    rejected: list[dict[str, Any]] = field(default_factory=list)
    n_rows: int = 0


def _empty_raw() -> pa.Table:
    return pa.table({c: pa.array([], pa.string()) for c in _ALL})


def parse_csv(data: bytes | str, *, file: str = "<csv>") -> pa.Table:
    """Parse a CSV batch into string columns (no row is lost to a parse error).

    Parameters
    ----------
    data : bytes or str
        UTF-8 CSV text with a header row naming at least :data:`REQUIRED_COLUMNS`.
    file : str
        Name used in error messages.

    Returns
    -------
    pyarrow.Table
        One string column per known column, missing optional columns as "".
    """
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    if raw.startswith(b"\xef\xbb\xbf"):  # byte-order mark written by spreadsheet programs
        raw = raw[3:]
    if not raw.strip():
        raise InputError("empty CSV body: a header row is required", file=file)
    try:
        header = raw.split(b"\n", 1)[0].decode("utf-8").rstrip("\r")
    except UnicodeDecodeError:
        raise InputError("CSV header is not UTF-8 text", file=file) from None
    names = [h.strip().strip('"').strip().lower() for h in header.split(",")]
    malformed: list[dict[str, Any]] = []

    def keep_malformed(row: Any) -> str:
        malformed.append({"row": row.number, "field": None,
                          "reason": f"malformed CSV row: {row.actual_columns} fields, "
                                    f"{row.expected_columns} expected",
                          "record": {"text": row.text}})
        return "skip"

    try:
        table = pacsv.read_csv(
            io.BytesIO(raw),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1,
                                           block_size=1 << 24),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in names}, strings_can_be_null=False,
                quoted_strings_can_be_null=False),
            parse_options=pacsv.ParseOptions(invalid_row_handler=keep_malformed),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise InputError(f"not a readable CSV table: {str(exc).splitlines()[0]}",
                         file=file) from None
    if len(set(names)) != len(names):
        raise InputError("duplicate column names in the CSV header", file=file, value=header)
    out = _normalise_columns(table, file)
    return out.replace_schema_metadata({"malformed": json.dumps(malformed)}) if malformed \
        else out


def _normalise_columns(table: pa.Table, file: str) -> pa.Table:
    missing = [c for c in REQUIRED_COLUMNS if c not in table.column_names]
    if missing:
        raise InputError(f"required column(s) missing: {', '.join(missing)}", file=file,
                         field=missing[0])
    cols = {}
    for c in _ALL:
        if c in table.column_names:
            col = table.column(c)
            if not pa.types.is_string(col.type):
                col = pc.cast(col, pa.string())
            cols[c] = pc.fill_null(col, "")
        else:
            cols[c] = pa.array([""] * table.num_rows, pa.string())
    return pa.table(cols)


def parse_records(records: Sequence[Mapping[str, Any]], *, file: str = "<json>") -> pa.Table:
    """Turn JSON records into the string columns of :func:`parse_csv`.

    Parameters
    ----------
    records : sequence of mapping
        One mapping per measurement with the keys of :data:`REQUIRED_COLUMNS`.
    file : str
        Name used in error messages.
    """
    if not isinstance(records, Sequence) or isinstance(records, (str, bytes)):
        raise InputError("expected a list of measurement objects", file=file)
    cols: dict[str, list[str]] = {c: [] for c in _ALL}
    seen: set[str] = set()
    for i, rec in enumerate(records):
        if not isinstance(rec, Mapping):
            raise InputError("each measurement must be an object", file=file, row=i + 1)
        seen.update(rec.keys())
        for c in _ALL:
            v = rec.get(c)
            cols[c].append("" if v is None else (json.dumps(v) if isinstance(v, (dict, list))
                                                 else str(v)))
    if records:
        missing = [c for c in REQUIRED_COLUMNS if c not in seen]
        if missing:
            raise InputError(f"required field(s) missing: {', '.join(missing)}", file=file,
                             field=missing[0])
    return pa.table({c: pa.array(v, pa.string()) for c, v in cols.items()})


def batch_digest(raw: pa.Table) -> str:
    """SHA-256 of a parsed batch's content: the same rows give the same digest.

    Used as the idempotency key of a batch when the sender gives none.
    """
    h = hashlib.sha256()
    for c in _ALL:
        h.update(c.encode() + b"\x1e")
        h.update("\x1f".join(raw.column(c).to_pylist()).encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def _map_strings(arr: pa.Array | pa.ChunkedArray, func: Any) -> np.ndarray:
    """Apply ``func`` to each distinct string once and spread the results (object array)."""
    enc = pc.dictionary_encode(arr)
    if isinstance(enc, pa.ChunkedArray):
        enc = enc.combine_chunks()
    lookup = np.array([func(v) for v in enc.dictionary.to_pylist()] + [func("")], dtype=object)
    idx = enc.indices.fill_null(len(lookup) - 1).to_numpy(zero_copy_only=False)
    return lookup[idx]


def _parse_times(text: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ISO 8601 strings with offsets → datetime64[us] UTC, a failure mask, a has-zone mask."""
    has_zone = np.asarray(pc.match_substring_regex(text, _ZONE).to_numpy(zero_copy_only=False),
                          dtype=bool)
    try:  # fast path: Arrow's ISO 8601 parser (offsets included)
        parsed = pc.cast(text, pa.timestamp("us", tz="UTC"))
        values = parsed.to_numpy(zero_copy_only=False).astype("datetime64[us]")
        bad = np.zeros(len(values), dtype=bool)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        series = pd.to_datetime(pd.Series(text.to_pylist(), dtype=object), format="ISO8601",
                                utc=True, errors="coerce")
        bad = series.isna().to_numpy()
        values = series.dt.tz_localize(None).to_numpy(dtype="datetime64[us]",
                                                      na_value=np.datetime64("NaT"))
    return values, bad | ~has_zone, has_zone


def _parse_values(text: pa.Array) -> np.ndarray:
    """Decimal strings → float64, NaN where not a number."""
    try:
        return pc.cast(text, pa.float64()).to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return pd.to_numeric(pd.Series(text.to_pylist(), dtype=object),
                             errors="coerce").to_numpy(dtype=float)


def validate_batch(
    raw: pa.Table,
    station_kinds: Mapping[str, str],
    *,
    default_source: str = "",
    now_utc: np.datetime64 | None = None,
) -> ValidatedBatch:
    """Check every row of a parsed batch and harmonise the accepted ones.

    Parameters
    ----------
    raw : pyarrow.Table
        Output of :func:`parse_csv` or :func:`parse_records`.
    station_kinds : mapping of str to str
        Known stations: station id → "air" or "water".
    default_source : str
        Source label of rows that name none.
    now_utc : datetime64, optional
        Current time, UTC (rows more than one hour ahead are rejected).

    Returns
    -------
    ValidatedBatch
        Accepted rows (schema :data:`ACCEPTED_SCHEMA`) and rejected rows
        ``{"row", "field", "reason", "record"}`` (rows numbered from 1).
    """
    n = raw.num_rows
    trimmed = {c: pc.utf8_trim_whitespace(raw.column(c).combine_chunks()) for c in _ALL}
    col = {c: np.asarray(trimmed[c].to_numpy(zero_copy_only=False), dtype=object)
           for c in ("station_id", "unit", "reference_state", "source")}
    reason = np.full(n, None, dtype=object)
    fld = np.full(n, None, dtype=object)

    def reject(mask: np.ndarray, field_name: str, why: str) -> None:
        sel = mask & (reason == None)  # noqa: E711 - elementwise
        reason[sel] = why
        fld[sel] = field_name

    station = col["station_id"]
    kinds = _map_strings(trimmed["station_id"], lambda s: station_kinds.get(s, ""))
    reject(kinds == "", "station_id", "unknown station")

    times, bad_time, has_zone = _parse_times(trimmed["time"])
    reject(bad_time & ~has_zone, "time", "time must be ISO 8601 with a UTC offset")
    reject(bad_time, "time", "time is not a valid ISO 8601 date-time")
    now = np.datetime64("now", "us") if now_utc is None else now_utc
    reject(~bad_time & (times > now + np.timedelta64(1, "h")), "time", "time is in the future")

    pollutant = _map_strings(trimmed["pollutant"], lambda p: canonical_pollutant(p) or "")
    reject(pollutant == "", "pollutant", "unknown pollutant")
    is_air = pd.Series(pollutant).isin(AIR_POLLUTANTS).to_numpy()
    reject((pollutant != "") & (is_air != (kinds == "air")) & (kinds != ""), "pollutant",
           "pollutant does not belong to this kind of station")

    value = _parse_values(trimmed["value"])
    reject(np.isnan(value), "value", "value is not a number")
    reject(~np.isfinite(value), "value", "value is not finite")
    reject(value < 0, "value", "value is negative")

    harmonised = np.full(n, np.nan)
    state_out = np.full(n, "", dtype=object)
    for p in pd.unique(pollutant[pollutant != ""]):
        sel = (pollutant == p) & (reason == None)  # noqa: E711
        if not sel.any():
            continue
        v, s, why = harmonise_values(p, value[sel], col["unit"][sel], col["reference_state"][sel],
                                     times[sel])
        harmonised[sel] = v
        state_out[sel] = s
        idx = np.flatnonzero(sel)
        bad = why != None  # noqa: E711
        unit_bad = np.array([w is not None and w.startswith("unit") for w in why], dtype=bool)
        for mask, name in ((unit_bad, "unit"), (bad & ~unit_bad, "reference_state")):
            if mask.any():
                reason[idx[mask]] = why[mask]
                fld[idx[mask]] = name

    # A key sent twice in one batch: keep the first, refuse later ones whose value differs
    # (an identical repeat is harmless and collapses into the first).
    ok = reason == None  # noqa: E711
    keep = ok.copy()
    if ok.any():
        frame = pd.DataFrame({"s": station[ok], "t": times[ok], "p": pollutant[ok],
                              "v": harmonised[ok]})
        first_v = frame.groupby(["s", "t", "p"], sort=False)["v"].transform("first").to_numpy()
        dup = frame.duplicated(["s", "t", "p"]).to_numpy()
        idx = np.flatnonzero(ok)
        conflict = dup & (first_v != frame["v"].to_numpy())
        reason[idx[conflict]] = "same station, time and pollutant sent twice with different values"
        fld[idx[conflict]] = "value"
        keep[idx[dup]] = False
    source = np.where(col["source"] == "", default_source, col["source"])
    canon_unit = pd.Series(pollutant[keep], dtype=object).map(CANONICAL_UNIT).to_numpy()
    accepted = pa.table({
        "station_id": pa.array(station[keep], pa.string()),
        "time": pa.array(times[keep], pa.timestamp("us", tz="UTC")),
        "pollutant": pa.array(pollutant[keep], pa.string()),
        "value": pa.array(harmonised[keep], pa.float64()),
        "unit": pa.array(canon_unit, pa.string()),
        "reference_state": pa.array(state_out[keep], pa.string()),
        "value_as_sent": pa.array(value[keep], pa.float64()),
        "unit_as_sent": pa.array(col["unit"][keep], pa.string()),
        "reference_state_as_sent": pa.array(col["reference_state"][keep], pa.string()),
        "source": pa.array(source[keep], pa.string()),
        "row_number": pa.array(np.flatnonzero(keep) + 1, pa.int64()),
    }, schema=ACCEPTED_SCHEMA)
    bad_rows = np.flatnonzero(reason != None)  # noqa: E711
    rejected = [
        {"row": int(i) + 1, "field": fld[i], "reason": reason[i],
         "record": {c: raw.column(c)[int(i)].as_py() for c in _ALL}}
        for i in bad_rows
    ]
    malformed = json.loads((raw.schema.metadata or {}).get(b"malformed", b"[]"))
    return ValidatedBatch(accepted=accepted, rejected=malformed + rejected,
                          n_rows=n + len(malformed))
