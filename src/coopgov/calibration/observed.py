"""Observed series and events bundled with coopgov (``coopgov/data/observed``).

Every figure carries its year, unit, the number of cities it averages, a
status (``confirmed``: the figure is stated in the text read;
``secondary``: computed from a stated year-on-year change, the formula in
``derivation``, or quoted by a later text) and its source.  Years without
a published figure are absent: nothing is interpolated.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd

from coopgov.errors import InputError

__all__ = ["OBSERVED_COLUMNS", "STATUSES", "load_observed", "load_events", "pm25_series", "Event"]

OBSERVED_COLUMNS = (
    "year",
    "indicator",
    "value",
    "unit",
    "cities",
    "status",
    "derivation",
    "source_title",
    "source_publisher",
    "source_url",
)
STATUSES = ("confirmed", "secondary")
_EVENT_STATUSES = ("confirmed", "secondary", "open")


def _folder() -> Path:
    return Path(str(resources.files("coopgov") / "data" / "observed"))


def load_observed(path: str | Path | None = None) -> pd.DataFrame:
    """Read and check an observed-series CSV (default: all bundled air and water series).

    Raises
    ------
    InputError
        Naming the file, the 1-based data row, the field and the value of
        the first bad entry (missing column, year not an integer, value not
        a finite number, unknown status, duplicate year of an indicator).
    """
    files = [Path(path)] if path is not None else sorted(_folder().glob("*.csv"))
    frames = []
    for f in files:
        try:
            frame = pd.read_csv(f, dtype=str, keep_default_na=False)
        except FileNotFoundError:
            raise InputError("no such file", file=f) from None
        missing = [c for c in OBSERVED_COLUMNS if c not in frame.columns]
        if missing:
            raise InputError(f"missing column(s): {', '.join(missing)}", file=f, field=missing[0])
        for i, row in enumerate(frame.itertuples(index=False), start=1):
            try:
                year = int(row.year)
            except ValueError:
                raise InputError(
                    "year must be an integer", file=f, row=i, field="year", value=row.year
                ) from None
            if not 1900 <= year <= 2200:
                raise InputError(
                    "year outside 1900-2200", file=f, row=i, field="year", value=row.year
                )
            try:
                value = float(row.value)
            except ValueError:
                raise InputError(
                    "value must be a number (leave unpublished years out)",
                    file=f,
                    row=i,
                    field="value",
                    value=row.value,
                ) from None
            if value != value or value in (float("inf"), float("-inf")) or value < 0:
                raise InputError(
                    "value must be a finite number >= 0",
                    file=f,
                    row=i,
                    field="value",
                    value=row.value,
                )
            if row.status not in STATUSES:
                raise InputError(
                    f"status must be one of {', '.join(STATUSES)}",
                    file=f,
                    row=i,
                    field="status",
                    value=row.status,
                )
            if not row.source_title.strip():
                raise InputError(
                    "every figure needs a source",
                    file=f,
                    row=i,
                    field="source_title",
                    value=row.source_title,
                )
        frame = frame.assign(
            year=frame["year"].astype(int), value=frame["value"].astype(float), file=f.name
        )
        dup = frame.duplicated(["indicator", "year"])
        if dup.any():
            i = int(dup.to_numpy().nonzero()[0][0]) + 1
            raise InputError(
                "duplicate year for this indicator",
                file=f,
                row=i,
                field="year",
                value=int(frame["year"].iloc[i - 1]),
            )
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def pm25_series(until: int | None = None, observed: pd.DataFrame | None = None) -> pd.Series:
    """Observed YRD annual mean PM2.5 [ug/m3] by year, up to ``until`` (inclusive)."""
    frame = load_observed() if observed is None else observed
    s = frame[frame["indicator"] == "pm25_annual_mean"].set_index("year")["value"].sort_index()
    return s if until is None else s[s.index <= until]


@dataclass(frozen=True)
class Event:
    """A cooperation agreement, joint mechanism or national policy."""

    id: str
    date: str
    title: str
    members: tuple[str, ...]
    status: str
    note: str
    source: str
    url: str

    @property
    def year(self) -> int:
        """Calendar year of the event."""
        return int(self.date[:4])

    @property
    def month(self) -> int | None:
        """Month (1-12) when known."""
        return int(self.date[5:7]) if len(self.date) >= 7 else None


def load_events(path: str | Path | None = None) -> list[Event]:
    """Read the events TOML (default: the bundled ``events.toml``)."""
    f = Path(path) if path is not None else _folder() / "events.toml"
    try:
        data = tomllib.loads(f.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("no such file", file=f) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", file=f) from None
    out = []
    for i, e in enumerate(data.get("event", []), start=1):
        for key in ("id", "date", "title", "status", "source"):
            if not isinstance(e.get(key), str) or not e.get(key):
                raise InputError("missing or empty", file=f, row=i, field=key, value=e.get(key))
        date = e["date"]
        ok = len(date) in (4, 7, 10) and date[:4].isdigit()
        if ok and len(date) >= 7:
            ok = date[4] == "-" and date[5:7].isdigit() and 1 <= int(date[5:7]) <= 12
        if not ok:
            raise InputError(
                "date must be YYYY, YYYY-MM or YYYY-MM-DD", file=f, row=i, field="date", value=date
            )
        if e["status"] not in _EVENT_STATUSES:
            raise InputError(
                f"status must be one of {', '.join(_EVENT_STATUSES)}",
                file=f,
                row=i,
                field="status",
                value=e["status"],
            )
        out.append(
            Event(
                e["id"],
                date,
                e["title"],
                tuple(e.get("members", [])),
                e["status"],
                e.get("note", ""),
                e["source"],
                e.get("url", ""),
            )
        )
    return out
