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
    EARLIEST_TIME_UTC,
    GASES,
    REFERENCE_STATES,
    STATE_CHANGE_DATE_UTC,
    UNIT_SPELLINGS,
    WATER_INDICATORS,
    canonical_pollutant,
    plausible_max,
    standard_to_reference,
    unit_factor,
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
ACCEPTED_SCHEMA = pa.schema(
    [
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
    ]
)

_DICT = pa.dictionary(pa.int32(), pa.string())

_ZONE = r"(Z|z|[+-]\d\d(:?\d\d)?)$"
#: Numbers as Arrow's float parser reads them (decimal, exponent, nan, inf).
_NUMBER = r"^[+-]?((\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|(?i:nan|inf|infinity))$"


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
        One column per known column, missing optional columns as "": ``value``
        as strings, the others dictionary-encoded strings (a batch repeats its
        station ids, times, pollutants and units; each distinct string is then
        stored and checked once); and ``_line``, the line of the file on which
        each row stands (the header is line 1; blank lines count), by which
        rejected rows are named.
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
    table = _read_table(raw, names, file, malformed, threads=True)
    if any(m["row"] is None for m in malformed):  # record numbers are known read serially
        malformed.clear()
        table = _read_table(raw, names, file, malformed, threads=False)
    if len(set(names)) != len(names):
        raise InputError("duplicate column names in the CSV header", file=file, value=header)
    out = _normalise_columns(table, file)
    # Number rows as the file's lines (header = line 1; blank and continuation lines count).
    lines = _record_lines(raw)
    bad = {int(m["row"]) for m in malformed}
    data_records = (
        np.array([r for r in range(2, len(lines) + 1) if r not in bad], dtype=np.int64)
        if bad
        else np.arange(2, len(lines) + 1, dtype=np.int64)
    )
    if data_records.size == out.num_rows and len(lines) == out.num_rows + len(bad) + 1:
        line_of = lines[data_records - 1]
        for m in malformed:
            m["row"] = int(lines[int(m["row"]) - 1])
    else:  # pragma: no cover - defensive: fall back to record numbers (header = 1)
        line_of = (
            data_records[: out.num_rows]
            if data_records.size >= out.num_rows
            else np.arange(2, out.num_rows + 2, dtype=np.int64)
        )
    out = out.append_column("_line", pa.array(line_of, pa.int64()))
    return out.replace_schema_metadata({"malformed": json.dumps(malformed)}) if malformed else out


def _read_table(
    raw: bytes, names: list[str], file: str, malformed: list[dict[str, Any]], *, threads: bool
) -> pa.Table:
    def keep_malformed(row: Any) -> str:
        malformed.append(
            {
                "row": row.number,
                "field": None,
                "reason": f"malformed CSV row: {row.actual_columns} fields, "
                f"{row.expected_columns} expected",
                "record": {"text": row.text},
            }
        )
        return "skip"

    try:
        return pacsv.read_csv(
            io.BytesIO(raw),
            read_options=pacsv.ReadOptions(
                column_names=names, skip_rows=1, block_size=1 << 24, use_threads=threads
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() if c == "value" else _DICT for c in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
            parse_options=pacsv.ParseOptions(invalid_row_handler=keep_malformed),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise InputError(
            f"not a readable CSV table: {str(exc).splitlines()[0]}", file=file
        ) from None


def _record_lines(raw: bytes) -> np.ndarray:
    r"""Line (1-based) on which each CSV record starts, the header first.

    Records as the CSV reader counts them: empty lines are skipped, and a
    quoted value may run over several lines.  A line ends at ``\n``,
    ``\r\n`` or a bare ``\r``, as in Arrow's reader (RFC 4180 §2 uses CRLF;
    files saved on classic Mac OS use CR alone).
    """
    if b'"' not in raw:
        buf = np.frombuffer(raw, dtype=np.uint8)
        cr = buf == 13
        lf = buf == 10
        # a CR ends a line unless an LF follows it (then the LF ends the line)
        ends_line = lf.copy()
        ends_line[:-1] |= cr[:-1] & ~lf[1:]
        if buf.size:
            ends_line[-1] |= cr[-1]
        term = np.flatnonzero(ends_line)
        starts = np.concatenate(([0], term + 1))
        ends = np.concatenate((term, [buf.size]))
        length = ends - starts
        # a CRLF line's CR is part of its terminator, not of its content
        has_cr = (length > 0) & cr[np.maximum(ends - 1, 0)] if buf.size else length > 0
        return (np.flatnonzero((length - has_cr) > 0) + 1).astype(np.int64)
    import csv

    reader = csv.reader(io.StringIO(raw.decode("utf-8", errors="replace"), newline=""))
    out, previous = [], 0
    try:
        for rec in reader:
            if rec:
                out.append(previous + 1)
            previous = reader.line_num
    except csv.Error:  # pragma: no cover - the Arrow reader accepted it
        pass
    return np.asarray(out, dtype=np.int64)


def _normalise_columns(table: pa.Table, file: str) -> pa.Table:
    missing = [c for c in REQUIRED_COLUMNS if c not in table.column_names]
    if missing:
        raise InputError(
            f"required column(s) missing: {', '.join(missing)}", file=file, field=missing[0]
        )
    cols = {}
    for c in _ALL:
        if c in table.column_names:
            col = table.column(c)
            if not (pa.types.is_string(col.type) or col.type == _DICT):
                col = pc.cast(col, pa.string())
            cols[c] = col if col.null_count == 0 else pc.fill_null(col, "")
        else:  # absent optional column: every row "" (one dictionary entry)
            cols[c] = pa.DictionaryArray.from_arrays(
                pa.array(np.zeros(table.num_rows, dtype=np.int32)), pa.array([""])
            )
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
            cols[c].append(
                "" if v is None else (json.dumps(v) if isinstance(v, (dict, list)) else str(v))
            )
    if records:
        missing = [c for c in REQUIRED_COLUMNS if c not in seen]
        if missing:
            raise InputError(
                f"required field(s) missing: {', '.join(missing)}", file=file, field=missing[0]
            )
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


def _distinct(col: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, list[str]]:
    """Split a column into row codes and its distinct whitespace-trimmed strings.

    Each row's code indexes the list of distinct values; values that differ only by
    surrounding whitespace share a code, and a missing value reads as "".  The work on
    strings is done once per distinct value (a batch of hourly data repeats its station
    ids, times, pollutants and units many times), never once per row.
    """
    if isinstance(col, pa.ChunkedArray):
        if pa.types.is_dictionary(col.type):
            col = col.unify_dictionaries()
        col = col.combine_chunks() if col.num_chunks else pa.array([], col.type)
    if not pa.types.is_dictionary(col.type):
        if not pa.types.is_string(col.type):
            col = pc.cast(col, pa.string())
        col = pc.dictionary_encode(col)
    values = pc.utf8_trim_whitespace(pc.cast(col.dictionary, pa.string())).to_pylist()
    values = [v or "" for v in values] + [""]  # last: the code of missing values
    idx = col.indices.fill_null(len(values) - 1).to_numpy(zero_copy_only=False)
    merged, uniq = pd.factorize(np.asarray(values, dtype=object))
    return merged[idx], [str(u) for u in uniq]


def _parse_times(values: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ISO 8601 strings with offsets → µs since the epoch (UTC), a failure mask, a has-zone mask.

    Arrow's ISO 8601 parser reads them in one vectorised call; when it refuses a
    value, pandas' parser decides each value (NaT: invalid).
    """
    text = pa.array(values, pa.string())
    has_zone = np.asarray(
        pc.match_substring_regex(text, _ZONE).to_numpy(zero_copy_only=False), dtype=bool
    )
    probe = pc.if_else(pa.array(has_zone), text, "1970-01-01T00:00:00Z")
    try:
        us = pc.cast(pc.cast(probe, pa.timestamp("us", tz="UTC")), pa.int64()).to_numpy(
            zero_copy_only=False
        )
        bad = np.zeros(len(values), dtype=bool)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        series = pd.to_datetime(
            pd.Series(list(values), dtype=object), format="ISO8601", utc=True, errors="coerce"
        )
        bad = series.isna().to_numpy()
        us = (
            series.dt.tz_localize(None)
            .to_numpy(dtype="datetime64[us]", na_value=np.datetime64("NaT"))
            .view(np.int64)
        )
    us = np.where(bad, 0, us).astype(np.int64)
    return us, bad | ~has_zone, has_zone


def _parse_values(col: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Decimal strings → float64, NaN where not a number (one vectorised cast)."""
    if isinstance(col, pa.ChunkedArray):
        col = col.combine_chunks() if col.num_chunks else pa.array([], pa.string())
    if pa.types.is_dictionary(col.type):
        col = pc.cast(col, col.type.value_type)
    try:
        return np.asarray(pc.cast(col, pa.float64()).to_numpy(zero_copy_only=False), dtype=float)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    # Some value is not a number: keep the ones written as numbers (Arrow's grammar), NaN else.
    text = pc.utf8_trim_whitespace(col)
    number = pc.fill_null(pc.match_substring_regex(text, _NUMBER), False)
    try:
        return np.asarray(
            pc.cast(pc.if_else(number, text, "nan"), pa.float64()).to_numpy(zero_copy_only=False),
            dtype=float,
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # pragma: no cover - defensive
        return pd.to_numeric(pd.Series(text.to_pylist(), dtype=object), errors="coerce").to_numpy(
            dtype=float
        )


def _lookup_codes(
    values: Sequence[str], mapping: Mapping[str, Any], order: Sequence[Any]
) -> np.ndarray:
    """Index in ``order`` of ``mapping[value]`` for each distinct value (-1: unknown)."""
    pos = {v: i for i, v in enumerate(order)}
    return np.array([pos.get(mapping.get(v), -1) for v in values], dtype=np.int64)


# Integer codes used by the vectorised validation.
_POLLUTANTS = AIR_POLLUTANTS + WATER_INDICATORS
_UNITS = tuple(dict.fromkeys(UNIT_SPELLINGS.values()))
_STATES = ("", "reference", "standard", "actual", "none")
_S_EMPTY, _S_STANDARD = 0, 2
#: Factor converting unit j into pollutant i's canonical unit (NaN: not convertible; the
#: last row and column, read through index -1, stand for an unknown pollutant or unit).
_FACTOR = np.array(
    [
        [np.nan if (f := unit_factor(p, u)) is None else f for u in _UNITS] + [np.nan]
        for p in _POLLUTANTS
    ]
    + [[np.nan] * (len(_UNITS) + 1)]
)
_IS_AIR = np.array([p in AIR_POLLUTANTS for p in _POLLUTANTS] + [False])
_IS_GAS = np.array([p in GASES for p in _POLLUTANTS] + [False])
_IS_WATER = np.array([p in WATER_INDICATORS for p in _POLLUTANTS] + [False])
#: Reference states each kind of pollutant may be sent with ("" always allowed).
_STATE_OK = np.array(
    [
        [True, True, True, False, False]
        if p in GASES
        else [True, False, False, False, True]
        if p in WATER_INDICATORS
        else [True, False, False, True, False]
        for p in _POLLUTANTS
    ]
    + [[True] * 5]
)
_STATE_WHY = (
    "gases are reported at the reference or standard state",
    "water indicators have no reference state",
    "particulates are reported at actual conditions; no temperature/pressure to convert",
)
_CANON_STATE = pa.array(
    [
        "reference" if p in GASES else "none" if p in WATER_INDICATORS else "actual"
        for p in _POLLUTANTS
    ],
    pa.string(),
)
_CANON_UNIT = pa.array([CANONICAL_UNIT[p] for p in _POLLUTANTS], pa.string())
_CHANGE_US = int(STATE_CHANGE_DATE_UTC.astype("datetime64[us]").astype(np.int64))
_HOUR_US = 3_600_000_000
_EARLIEST_US = int(EARLIEST_TIME_UTC.astype(np.int64))
_EARLIEST_TEXT = str(EARLIEST_TIME_UTC.astype("datetime64[s]")) + "Z"


def validate_batch(
    raw: pa.Table,
    station_kinds: Mapping[str, str],
    *,
    default_source: str = "",
    now_utc: np.datetime64 | None = None,
    plausible: Mapping[str, float] | None = None,
) -> ValidatedBatch:
    """Check every row of a parsed batch and harmonise the accepted ones.

    Fully vectorised: string work is done once per distinct value of a column
    (:func:`_distinct`), every check is an array operation over the rows, and
    unit conversion is one lookup in a (pollutant, unit) factor table.

    Parameters
    ----------
    raw : pyarrow.Table
        Output of :func:`parse_csv` or :func:`parse_records` (string or
        dictionary-encoded string columns).
    station_kinds : mapping of str to str
        Known stations: station id → "air" or "water".
    default_source : str
        Source label of rows that name none.
    now_utc : datetime64, optional
        Current time, UTC (rows more than one hour ahead are rejected).
    plausible : mapping of str to float, optional
        Largest plausible harmonised value per indicator, canonical unit
        (default :func:`coopgov.platform.vocabulary.plausible_max`); a value
        above it is rejected with its reason.

    Returns
    -------
    ValidatedBatch
        Accepted rows (schema :data:`ACCEPTED_SCHEMA`) and rejected rows
        ``{"row", "field", "reason", "record"}``, in the order of the
        file; ``row`` is the line of a CSV file (header = line 1), or the
        record's position (from 1) in a JSON batch.

    Notes
    -----
    The first failing check names the row's field and reason, in this order:
    station, time (offset, syntax, future, before 1970, not on the hour),
    pollutant (unknown, kind of station), value (number, finite,
    non-negative), unit, reference state, value (above the plausible maximum);
    then a key (station, time, pollutant) sent again with a different
    harmonised value is rejected (an identical repeat collapses into the
    first).  Harmonised value = value · factor(pollutant, unit), and for gases
    at the standard state · 273/298.15 (GB 3095-2012, 2018 amendment; see
    :func:`coopgov.platform.vocabulary.harmonise_values`, which gives the same
    values one pollutant at a time).

    References
    ----------
    .. [1] HJ 633-2026, Technical regulation on ambient air quality index,
       Table 1 (canonical units).
    .. [2] GB 3095-2012 with its 2018 amendment (MEE announcement 2018 No. 29):
       gases at the reference state 298.15 K from 2018-09-01.
    """
    n = raw.num_rows
    # Row numbers: lines of a CSV file (header = line 1), else records from 1.
    line_of = (
        raw.column("_line").to_numpy()
        if "_line" in raw.column_names
        else np.arange(1, n + 1, dtype=np.int64)
    )
    code = np.zeros(n, dtype=np.int32)  # 0: accepted so far; else index into `reasons`
    reasons: list[tuple[str | None, str | None]] = [(None, None)]

    def reject(mask: np.ndarray, field_name: str, why: str) -> None:
        sel = mask & (code == 0)
        if sel.any():
            reasons.append((field_name, why))
            code[sel] = len(reasons) - 1

    st_code, st_values = _distinct(raw.column("station_id"))
    kind_of = {"air": 1, "water": 2}
    kind = np.array([kind_of.get(station_kinds.get(s, ""), 0) for s in st_values], dtype=np.int8)[
        st_code
    ]
    reject(kind == 0, "station_id", "unknown station")

    t_code, t_values = _distinct(raw.column("time"))
    t_us, t_bad, t_zone = _parse_times(t_values)
    times, bad_time = t_us[t_code], t_bad[t_code]
    reject(bad_time & ~t_zone[t_code], "time", "time must be ISO 8601 with a UTC offset")
    reject(bad_time, "time", "time is not a valid ISO 8601 date-time")
    now = np.datetime64("now", "us") if now_utc is None else now_utc.astype("datetime64[us]")
    reject(
        ~bad_time & (times > int(now.astype(np.int64)) + _HOUR_US), "time", "time is in the future"
    )
    reject(
        ~bad_time & (times < _EARLIEST_US),
        "time",
        f"time before {_EARLIEST_TEXT}, the earliest time the platform accepts",
    )
    # Hourly data are keyed on the canonical hour: a time off the hour would become a
    # separate key beside the hour's value, so it is refused (quarantined), not rounded.
    reject(
        ~bad_time & (times % _HOUR_US != 0),
        "time",
        "time is not on the hour (hourly values are labelled hh:00:00)",
    )

    p_code, p_values = _distinct(raw.column("pollutant"))
    pi = _lookup_codes(
        [canonical_pollutant(p) or "" for p in p_values], {p: p for p in _POLLUTANTS}, _POLLUTANTS
    )[p_code]
    reject(pi < 0, "pollutant", "unknown pollutant")
    reject(
        (pi >= 0) & (_IS_AIR[pi] != (kind == 1)) & (kind != 0),
        "pollutant",
        "pollutant does not belong to this kind of station",
    )

    value = _parse_values(raw.column("value"))
    reject(np.isnan(value), "value", "value is not a number")
    reject(~np.isfinite(value), "value", "value is not finite")
    reject(value < 0, "value", "value is negative")

    u_code, u_values = _distinct(raw.column("unit"))
    ui = _lookup_codes([v.lower() for v in u_values], UNIT_SPELLINGS, _UNITS)[u_code]
    s_code, s_values = _distinct(raw.column("reference_state"))
    si = _lookup_codes([v.lower() for v in s_values], REFERENCE_STATES, _STATES)[s_code]
    factor = _FACTOR[pi, ui]  # index -1 (unknown) reads the NaN row / column
    unit_bad = np.isnan(factor) & (code == 0)
    for k in np.unique(pi[unit_bad]):
        p = _POLLUTANTS[k]
        reject(unit_bad & (pi == k), "unit", f"unit not convertible to {CANONICAL_UNIT[p]} for {p}")
    reject(si < 0, "reference_state", "unknown reference state")
    state_bad = ~_STATE_OK[pi, np.maximum(si, 0)]
    reject(state_bad & _IS_GAS[pi], "reference_state", _STATE_WHY[0])
    reject(state_bad & _IS_WATER[pi], "reference_state", _STATE_WHY[1])
    reject(state_bad, "reference_state", _STATE_WHY[2])

    live = code == 0
    harmonised = np.where(live, value * factor, np.nan)
    standard = (
        live & _IS_GAS[pi] & ((si == _S_STANDARD) | ((si == _S_EMPTY) & (times < _CHANGE_US)))
    )
    if standard.any():
        for k in np.unique(pi[standard]):
            sel = standard & (pi == k)
            harmonised[sel] = standard_to_reference(harmonised[sel], _POLLUTANTS[k])

    bounds = plausible_max() if plausible is None else plausible
    limit = np.array([bounds.get(p, np.inf) for p in _POLLUTANTS] + [np.inf])[pi]
    above = live & (harmonised > limit)
    for k in np.unique(pi[above]):
        p = _POLLUTANTS[k]
        reject(
            above & (pi == k),
            "value",
            f"value above the plausible maximum {bounds[p]:g} {CANONICAL_UNIT[p]} for {p} "
            "(a configurable bound)",
        )

    # A key sent twice in one batch: keep the first, refuse later ones whose value differs
    # (an identical repeat is harmless and collapses into the first).
    ok = np.flatnonzero(code == 0)
    keep = code == 0
    if ok.size > 1:
        instants, t_key = pd.factorize(t_us)  # equal instants written differently
        key = (instants[t_code[ok]].astype(np.int64) * (len(st_values) + 1) + st_code[ok]) * (
            len(_POLLUTANTS) + 1
        ) + pi[ok]
        dup = pd.Series(key).duplicated().to_numpy()
        if dup.any():
            v = harmonised[ok]
            first_v = pd.Series(v).groupby(key, sort=False).transform("first").to_numpy()
            reasons.append(
                ("value", "same station, time and pollutant sent twice with different values")
            )
            code[ok[dup & (first_v != v)]] = len(reasons) - 1
            keep[ok[dup]] = False
    rows = np.flatnonzero(keep)

    def strings(codes: np.ndarray, values: Sequence[str]) -> pa.Array:
        return pa.array(values, pa.string()).take(pa.array(codes[rows]))

    src_code, src_values = _distinct(raw.column("source"))
    src_values = [s or default_source for s in src_values]
    p_keep = pa.array(pi[rows])
    accepted = pa.table(
        {
            "station_id": strings(st_code, st_values),
            "time": pa.array(times[rows], pa.int64()).cast(pa.timestamp("us", tz="UTC")),
            "pollutant": pa.array(_POLLUTANTS, pa.string()).take(p_keep),
            "value": pa.array(harmonised[rows], pa.float64()),
            "unit": _CANON_UNIT.take(p_keep),
            "reference_state": _CANON_STATE.take(p_keep),
            "value_as_sent": pa.array(value[rows], pa.float64()),
            "unit_as_sent": strings(u_code, u_values),
            "reference_state_as_sent": strings(s_code, s_values),
            "source": strings(src_code, src_values),
            "row_number": pa.array(line_of[rows], pa.int64()),
        },
        schema=ACCEPTED_SCHEMA,
    )
    bad_rows = np.flatnonzero(code != 0)
    records = raw.select(list(_ALL)).take(pa.array(bad_rows)).to_pylist() if bad_rows.size else []
    rejected = [
        {
            "row": int(line_of[i]),
            "field": reasons[code[i]][0],
            "reason": reasons[code[i]][1],
            "record": rec,
        }
        for i, rec in zip(bad_rows, records, strict=True)
    ]
    malformed = json.loads((raw.schema.metadata or {}).get(b"malformed", b"[]"))
    if malformed:  # in the order of the file
        rejected = sorted(malformed + rejected, key=lambda r: r["row"])
    return ValidatedBatch(accepted=accepted, rejected=rejected, n_rows=n + len(malformed))
