"""The shared monitoring store: stations, measurements with revisions, quarantine, audit.

Embedded by default in **DuckDB**, one file, no server.  DuckDB rather than
SQLite because the platform's work is columnar: batches arrive as tables (a
CSV of a year of hourly data) and are inserted from Arrow in one vectorised
``INSERT ... SELECT`` (hundreds of thousands of rows a second, where SQLite
inserts row by row), and the published indices are aggregations over
millions of hourly values.  DuckDB's transactions are atomic and durable
(write-ahead log): a writer killed mid-batch leaves none of that batch.
Its limit is one writing process at a time, handled by taking turns (see
:mod:`coopgov.platform.backends`).  When several governments share one
deployment the same code runs on **PostgreSQL** (``postgresql://`` URL).

Guarantees
----------
* Units and reference states are harmonised on the way in
  (:mod:`coopgov.platform.vocabulary`); the values as sent are kept.
* A correction is a new revision of (station, time, pollutant), never an
  overwrite; every revision stays readable.
* Re-sending a batch creates nothing: a row equal to the current revision is
  "unchanged", not a new revision.  A batch sent with an idempotency key is
  stored once: the same key with the same content returns the first report
  (``replayed``); the same key with other content is refused
  (:class:`IdempotencyConflict`), never silently dropped.  Without a key every
  batch is new, so a correction back to an earlier value (10 → 12 → 10) is a
  new revision.
* Who owns a station is read from the store inside the write transaction,
  never from a cache: a station moved or created by another process is seen
  by the next write of every process.
* A rejected row is kept in quarantine with its reason and returned.
* Every write is recorded in the audit log in the same transaction.
"""

from __future__ import annotations

import json
import os
import secrets
import threading
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from coopgov.errors import CoopgovError, InputError
from coopgov.platform import aggregates
from coopgov.platform.auth import Forbidden, Principal, hash_token, new_token
from coopgov.platform.backends import (
    Backend,
    DuckDBBackend,
    PostgresBackend,
    StoreBusy,
    StoreUnavailable,
    backend_for,
)
from coopgov.platform.ingest import (
    batch_digest,
    parse_csv,
    parse_records,
    validate_batch,
)
from coopgov.platform.schema import SCHEMA_VERSION, ddl_for
from coopgov.platform.vocabulary import AIR_POLLUTANTS
from coopgov.platform.vocabulary import plausible_max as _plausible_bounds
from coopgov.standards.aqi import DEFAULT_STANDARD, aqi_edition

__all__ = [
    "Store",
    "Station",
    "IngestReport",
    "AuditContext",
    "IdempotencyConflict",
    "EARLIEST_DAY",
    "LATEST_DAY",
    "check_day_range",
    "default_store_url",
    "open_store",
    "STATION_CACHE_S",
]

_STATION_KINDS = ("air", "water")

#: Longest age of the station list used by *reads* on PostgreSQL, s (writes always
#: read the store; the embedded store's list follows the file's state at once).
STATION_CACHE_S = 1.0

#: A station id that starts with six digits and a hyphen names its city (adcode).
_PREFIX = __import__("re").compile(r"^(\d{6})-")


class IdempotencyConflict(CoopgovError):
    """An idempotency key re-used for a batch of other content (HTTP 409)."""


class _StationsChanged(Exception):
    """The stations of a batch changed between validation and the write (retried)."""


@dataclass(eq=False)
class _Job:
    """A validated batch waiting for its group commit, and its outcome."""

    context: AuditContext
    batch_id: str
    digest: str
    fmt: str
    checked: Any
    seen: Mapping[str, Mapping[str, Any]]
    sent_ids: Sequence[str]
    refresh: bool
    done: bool = False
    replay: bool = False
    error: BaseException | None = None
    report: IngestReport | None = None
    cities: set[int] = field(default_factory=set)


def default_store_url() -> str:
    """Return the default store: ``$COOPGOV_STORE`` or ``./coopgov-platform.duckdb``."""
    return os.environ.get("COOPGOV_STORE", str(Path.cwd() / "coopgov-platform.duckdb"))


@dataclass(frozen=True)
class Station:
    """A monitoring station: an air-quality station or a water-quality section.

    Attributes
    ----------
    station_id : str
        Identifier, unique in the deployment (e.g. ``"320500-A01"``).
    adcode : int
        City (prefecture) that owns and writes the station.
    name : str
        Human-readable name.
    kind : {'air', 'water'}
        Air station or water-quality section.
    lon, lat : float
        WGS84 longitude and latitude, degrees.
    water_body : str
        River or lake of a water section ("" for air stations).
    water_type : {'', 'river', 'lake'}
        GB 3838-2002 assessment type of a water section.
    synthetic : bool
        True for stations invented for the demonstration data.
    source : str
        Where the station's description comes from.
    """

    station_id: str
    adcode: int
    name: str
    kind: str
    lon: float | None = None
    lat: float | None = None
    water_body: str = ""
    water_type: str = ""
    synthetic: bool = False
    source: str = ""

    def __post_init__(self) -> None:
        if not str(self.station_id).strip() or len(str(self.station_id)) > 64:
            raise InputError(
                "station_id must be 1-64 characters", field="station_id", value=self.station_id
            )
        if self.kind not in _STATION_KINDS:
            raise InputError("kind must be 'air' or 'water'", field="kind", value=self.kind)
        prefix = _PREFIX.match(str(self.station_id))
        if prefix and int(prefix.group(1)) != int(self.adcode):
            raise InputError(
                f"a station id starting with {prefix.group(1)}- belongs to city "
                f"{prefix.group(1)}, not {self.adcode}",
                field="station_id",
                value=self.station_id,
            )
        if self.kind == "water" and self.water_type not in ("river", "lake"):
            raise InputError(
                "a water section's water_type is 'river' or 'lake'",
                field="water_type",
                value=self.water_type,
            )
        for name, lo, hi in (("lon", -180, 180), ("lat", -90, 90)):
            v = getattr(self, name)
            if v is not None and not (np.isfinite(v) and lo <= v <= hi):
                raise InputError(f"{name} must lie in [{lo}, {hi}] degrees", field=name, value=v)


@dataclass
class IngestReport:
    """What happened to a batch.

    Attributes
    ----------
    batch_id : str
        Idempotency key of the batch.
    n_rows : int
        Rows received.
    n_inserted : int
        New (station, time, pollutant) keys stored (revision 0).
    n_revised : int
        Corrections stored as new revisions.
    n_unchanged : int
        Rows equal to the current revision (nothing stored).
    n_quarantined : int
        Rows rejected, kept in quarantine.
    replayed : bool
        The batch had been received before; nothing new was stored.
    rejected : list of dict
        The quarantined rows: row number, field, reason, record as sent.
    """

    batch_id: str
    n_rows: int
    n_inserted: int
    n_revised: int
    n_unchanged: int
    n_quarantined: int
    replayed: bool = False
    rejected: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return asdict(self)


@dataclass(frozen=True)
class AuditContext:
    """Who writes and from which request (recorded with every write)."""

    principal: Principal
    request_id: str = ""
    client: str = "library"
    client_request_id: str = ""  # the caller's own X-Request-ID, as sent (not trusted)


_SYSTEM = AuditContext(Principal(token_id="system", role="admin", adcode=None), "", "library")


def _now() -> datetime:
    return datetime.now(UTC)


class Store:
    """The monitoring store over a backend (embedded DuckDB or PostgreSQL).

    Parameters
    ----------
    url : str or Path
        DuckDB file path (``duckdb:///path`` also accepted) or
        ``postgresql://user:pw@host:port/db``.
    idle_release_s : float
        DuckDB: seconds the file stays open after use (a server keeps it a
        little so that requests do not reopen it), s.
    standard : str
        Edition of HJ 633 used for the published indices, a key of
        :data:`coopgov.standards.aqi.EDITIONS` (default ``DEFAULT_STANDARD``).
    plausible_max : dict of str to float, optional
        Largest plausible value per indicator in its canonical unit, replacing
        the defaults of :data:`coopgov.platform.vocabulary.PLAUSIBLE_MAX`.
    """

    def __init__(
        self,
        url: str | Path | None = None,
        *,
        idle_release_s: float = 0.0,
        standard: str = DEFAULT_STANDARD,
        plausible_max: dict[str, float] | None = None,
    ) -> None:
        self.url = str(url if url is not None else default_store_url())
        self.plausible = _plausible_bounds(plausible_max)
        self.backend: Backend = backend_for(self.url, idle_release_s=idle_release_s)
        self.standard = aqi_edition(standard).key
        self.generation = 0  # bumped by every write of this process (read caches key on it)
        self._shared_generation = 0  # writes that may change any city's published answers
        self._city_generation: dict[int, int] = {}  # measurement writes, per city
        self._foreign_epoch = 0  # embedded store: changes of the file by other processes
        self._known_data_version: Any = None
        self._station_cache: tuple[Any, float, dict[str, dict[str, Any]]] | None = None
        self._pending: list[_Job] = []  # batches waiting for the next group commit
        self._pending_lock = threading.Lock()
        self._group_lock = threading.Lock()
        self.init_schema()

    # ------------------------------------------------------------------ basics
    @property
    def kind(self) -> str:
        """``"duckdb"`` or ``"postgres"``."""
        return self.backend.name

    def _q(self, query: str) -> str:
        return self.backend.sql(query)

    def _rows(self, cur: Any, query: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        cur.execute(self._q(query), list(params))
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    def _frame(self, cur: Any, query: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        cur.execute(self._q(query), list(params))
        if isinstance(self.backend, DuckDBBackend):
            return cur.df()
        names = [d[0] for d in cur.description]
        return pd.DataFrame(cur.fetchall(), columns=names)

    def init_schema(self) -> None:
        """Create the tables if missing (idempotent).

        A read-only store whose tables exist is opened for reading (its writes
        answer :class:`~coopgov.platform.backends.StoreUnavailable`).
        """
        try:
            self._create_schema()
        except StoreUnavailable as exc:
            if exc.reason != "the store is read-only":
                raise
            with self.backend.read() as cur:  # raises if the tables are missing too
                cur.execute(self._q("SELECT value FROM meta WHERE key = ?"), ["schema_version"])
                if not cur.fetchall():
                    raise

    def _create_schema(self) -> None:
        with self.backend.write() as cur:
            for stmt in ddl_for(self.backend.name):
                cur.execute(stmt)
            # Added after schema version 1: the content digest of a keyed batch.
            cur.execute("ALTER TABLE batches ADD COLUMN IF NOT EXISTS content_digest TEXT")
            cur.execute(self._q("SELECT value FROM meta WHERE key = ?"), ["schema_version"])
            if not cur.fetchall():
                cur.execute(
                    self._q("INSERT INTO meta (key, value) VALUES (?, ?)"),
                    ["schema_version", str(SCHEMA_VERSION)],
                )

    def close(self) -> None:
        """Release the backend's connections."""
        self.backend.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _audit(
        self, cur: Any, ctx: AuditContext, action: str, target: str, detail: Mapping[str, Any]
    ) -> None:
        p = ctx.principal
        if ctx.client_request_id:
            detail = {**detail, "client_request_id": ctx.client_request_id}
        cur.execute(
            self._q(
                "INSERT INTO audit (occurred_at, actor, role, adcode, action, target, detail, "
                "request_id, client) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            ),
            [
                _now(),
                p.token_id,
                p.role,
                p.adcode,
                action,
                target,
                json.dumps(detail, default=str, ensure_ascii=False),
                ctx.request_id,
                ctx.client,
            ],
        )

    def _wrote(self, cities: Iterable[int] | None = None) -> None:
        """Note a write of this process (``cities``: the only cities whose data changed)."""
        self.generation += 1
        self._station_cache = None
        if cities is None:
            self._shared_generation += 1
        else:
            for c in cities:
                self._city_generation[c] = self._city_generation.get(c, 0) + 1
        self._known_data_version = self.backend.data_version()

    def published_version(self, adcode: int | None = None) -> tuple[Any, ...]:
        """A value that changes whenever the published answers of city ``adcode`` may change.

        Measurement writes of this process change only the cities they touch;
        station writes change every city; on the embedded store any change of
        the file not made by this process changes every city (PostgreSQL
        gives no such signal: answers cached from it are bounded by age).

        Parameters
        ----------
        adcode : int, optional
            City; None: answers that depend on every city.
        """
        dv = self.backend.data_version()
        if dv != self._known_data_version:  # written by another process (or checkpointed)
            self._foreign_epoch += 1
            self._known_data_version = dv
        own = self.generation if adcode is None else self._city_generation.get(int(adcode), 0)
        return (self._shared_generation, own, self._foreign_epoch)

    # ---------------------------------------------------------------- stations
    def upsert_stations(
        self, stations: Iterable[Station], *, context: AuditContext = _SYSTEM
    ) -> int:
        """Create or update stations; a city writer may touch only its own.

        Parameters
        ----------
        stations : iterable of Station
            Stations to write.
        context : AuditContext
            Writer (checked: a city token may write only its city's stations,
            including the city of an existing station it would re-assign).

        Returns
        -------
        int
            Number of stations written.
        """
        stations = list(stations)
        for s in stations:
            context.principal.require_city(s.adcode)
        if not stations:
            return 0
        now = _now()
        ids = [s.station_id for s in stations]
        with self.backend.write() as cur:
            # The current owners, read inside the writers' lock (never a cached list).
            existing = {r["station_id"]: r for r in self._station_rows(cur, ids)}
            for old in existing.values():
                context.principal.require_city(int(old["adcode"]))
            for s in stations:
                cur.execute(self._q("DELETE FROM stations WHERE station_id = ?"), [s.station_id])
                cur.execute(
                    self._q(
                        "INSERT INTO stations (station_id, adcode, name, kind, lon, lat, "
                        "water_body, water_type, synthetic, source, updated_at) "
                        "VALUES (?,?,?,?,?,?,?,?,?,?,?)"
                    ),
                    [
                        s.station_id,
                        int(s.adcode),
                        s.name,
                        s.kind,
                        s.lon,
                        s.lat,
                        s.water_body,
                        s.water_type,
                        bool(s.synthetic),
                        s.source,
                        now,
                    ],
                )
            self._audit(
                cur,
                context,
                "stations.upsert",
                ",".join(s.station_id for s in stations[:20])
                + ("..." if len(stations) > 20 else ""),
                {"n": len(stations), "previous": existing if len(stations) <= 20 else {}},
            )
        self._wrote()
        return len(stations)

    def _station_rows(self, cur: Any, ids: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """Stations as stored now (all, or those of ``ids``), without ``updated_at``."""
        cols = "station_id, adcode, name, kind, lon, lat, water_body, water_type, synthetic, source"
        if ids is None:
            return self._rows(cur, f"SELECT {cols} FROM stations ORDER BY station_id")
        ids = list(dict.fromkeys(ids))
        if not ids:
            return []
        return self._rows(
            cur,
            f"SELECT {cols} FROM stations WHERE station_id IN ({','.join('?' * len(ids))})",
            ids,
        )

    def record_refusal(self, context: AuditContext, action: str, target: str, reason: str) -> None:
        """Record a refused write in the audit log (its own transaction).

        Parameters
        ----------
        context : AuditContext
            Who tried (the public or an unknown token included).
        action : str
            What was tried, e.g. ``"POST /v1/measurements"``.
        target : str
            What it was aimed at (path), at most 200 characters kept.
        reason : str
            Why it was refused.
        """
        with self.backend.write() as cur:
            self._audit(
                cur,
                context,
                "refused",
                target[:200],
                {"attempted": action[:200], "reason": reason[:500]},
            )

    def station_index(self) -> dict[str, dict[str, Any]]:
        """All stations by id, for reads.

        Cached while the store is unchanged: the writes of this process and, on
        the embedded store, the file's state (a write by another process is seen
        at once); on PostgreSQL at most :data:`STATION_CACHE_S` seconds old.
        Writes never rely on it (ownership is read inside the write transaction).
        """
        version = (self.generation, self.backend.data_version())
        cache = self._station_cache
        now = time.monotonic()
        if (
            cache is not None
            and cache[0] == version
            and (not isinstance(self.backend, PostgresBackend) or now - cache[1] < STATION_CACHE_S)
        ):
            return cache[2]
        with self.backend.read() as cur:
            rows = self._station_rows(cur)
        index = {r["station_id"]: r for r in rows}
        self._station_cache = (version, now, index)
        return index

    def stations(
        self, *, adcode: int | None = None, kind: str | None = None
    ) -> list[dict[str, Any]]:
        """Stations, optionally of one city and one kind."""
        return [
            s
            for s in self.station_index().values()
            if (adcode is None or s["adcode"] == adcode) and (kind is None or s["kind"] == kind)
        ]

    # ------------------------------------------------------------------ ingest
    def ingest_csv(self, data: bytes | str, **kwargs: Any) -> IngestReport:
        """Ingest a CSV batch (see :func:`coopgov.platform.ingest.parse_csv`, :meth:`_ingest`)."""
        raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
        return self.ingest(parse_csv(raw, file=kwargs.pop("file", "<csv>")), fmt="csv", **kwargs)

    def ingest_records(self, records: Sequence[Mapping[str, Any]], **kwargs: Any) -> IngestReport:
        """Ingest JSON records (see :func:`coopgov.platform.ingest.parse_records`)."""
        return self.ingest(
            parse_records(records, file=kwargs.pop("file", "<json>")), fmt="json", **kwargs
        )

    def ingest(self, raw: pa.Table, **kwargs: Any) -> IngestReport:
        """Validate, harmonise and store a batch in one transaction.

        See :meth:`_ingest` for the parameters; the embedded file is held
        open for the whole operation.
        """
        with self.backend.hold():
            return self._ingest(raw, **kwargs)

    def _ingest(
        self,
        raw: pa.Table,
        *,
        fmt: str = "table",
        context: AuditContext = _SYSTEM,
        batch_key: str | None = None,
        default_source: str = "",
        refresh_indices: bool = True,
    ) -> IngestReport:
        """Validate, harmonise and store a batch in one transaction.

        Parameters
        ----------
        raw : pyarrow.Table
            Parsed batch (string columns, see :mod:`coopgov.platform.ingest`).
        fmt : str
            Format label recorded with the batch ("csv", "json", "table").
        context : AuditContext
            Writer; a city token may only send rows for its own stations
            (:class:`~coopgov.platform.auth.Forbidden` otherwise, nothing stored).
            The owners are read inside the write transaction.
        batch_key : str, optional
            Sender's idempotency key: the batch is stored once per (writer, key);
            the same key with other content raises :class:`IdempotencyConflict`.
            Without it every call is a new batch (rows equal to the current
            revision are counted unchanged, so a re-sent batch stores nothing).
        default_source : str
            Source of rows that name none (default: the writer's token id).
        refresh_indices : bool
            Recompute the daily AQI of the touched station-days and city-days
            in the same transaction.

        Returns
        -------
        IngestReport
        """
        principal = context.principal
        principal.require_writer()
        sent_ids = (
            sorted(
                {
                    str(x).strip()
                    for x in pc.unique(raw.column("station_id")).cast(pa.string()).to_pylist()
                }
            )
            if raw.num_rows
            else []
        )
        digest = batch_digest(raw)
        if batch_key is not None:
            batch_id = f"{principal.token_id}:key:{batch_key}"
            previous = self._batch_report(batch_id, digest)
            if previous is not None:
                return previous
        else:
            batch_id = f"{principal.token_id}:{uuid.uuid4().hex}"
        for attempt in range(5):
            # First from the read cache; the write transaction checks it against the store
            # and sends the batch back here (with the store's current list) if it changed.
            if attempt == 0:
                index = self.station_index()
                seen = {k: index[k] for k in sent_ids if k in index}
                if any(
                    principal.role == "city" and int(st["adcode"]) != principal.adcode
                    for st in seen.values()
                ):
                    continue  # never refuse on a cached owner: read the store first
            else:
                with self.backend.read() as cur:
                    seen = {r["station_id"]: r for r in self._station_rows(cur, sent_ids)}
            for st in seen.values():
                principal.require_city(int(st["adcode"]))
            checked = validate_batch(
                raw,
                {k: v["kind"] for k, v in seen.items()},
                default_source=default_source or principal.token_id,
                plausible=self.plausible,
            )
            job = _Job(context, batch_id, digest, fmt, checked, seen, sent_ids, refresh_indices)
            self._commit(job)
            if isinstance(job.error, _StationsChanged):
                continue  # a station was created, moved or changed meanwhile: judge again
            if job.error is not None:
                raise job.error
            replay = job.replay
            break
        else:  # pragma: no cover - stations changing under every attempt
            raise StoreBusy("the stations of this batch kept changing; send it again")
        if replay:
            return self._batch_report(batch_id, digest)  # type: ignore[return-value]
        assert job.report is not None
        return job.report

    def _commit(self, job: _Job) -> None:
        """Store a validated batch by group commit; ``job`` holds the outcome when it returns.

        Concurrent batches are written together: each thread queues its batch,
        and whoever takes the group lock writes every queued batch in one
        transaction (one daily-index refresh for all of them) while the others
        wait; a thread whose batch was written by another returns at once.
        Each batch is still judged alone (owners, idempotency key) and a
        refused batch writes nothing; a fault fails the whole group, and nothing
        of it is committed.
        """
        with self._pending_lock:
            self._pending.append(job)
        with self._group_lock:
            if job.done:
                return
            with self._pending_lock:
                jobs, self._pending = self._pending, []
            try:
                self._write_group(jobs)
            except Exception as exc:
                if len(jobs) > 1 and not isinstance(exc, StoreUnavailable):
                    for j in jobs:  # an unexpected failure: find its batch, spare the others
                        j.error = None
                        try:
                            self._write_group([j])
                        except Exception as one:
                            j.error = one
                else:
                    for j in jobs:
                        j.error = j.error or exc
            finally:
                for j in jobs:
                    j.done = True
            written = [j for j in jobs if j.error is None and not j.replay]
            if written:
                self._wrote(cities=set().union(*(j.cities for j in written)))

    def _write_group(self, jobs: list[_Job]) -> None:
        """Write queued batches in one transaction (see :meth:`_commit`)."""
        now = _now()
        refresh: list[pa.Table] = []
        with self.backend.write() as cur:
            stations = {r["station_id"]: r for r in self._station_rows(cur)}
            ready: list[_Job] = []
            in_group: dict[str, str] = {}
            for job in jobs:
                try:
                    self._check_job(cur, job, stations)
                    if not job.replay and job.batch_id in in_group:  # same key, same group
                        _check_digest(job.batch_id, in_group[job.batch_id], job.digest)
                        job.replay = True
                except (Forbidden, IdempotencyConflict, _StationsChanged) as exc:
                    job.error = exc
                    continue
                if not job.replay:
                    in_group[job.batch_id] = job.digest
                    job.cities = {int(stations[k]["adcode"]) for k in job.sent_ids if k in stations}
                    ready.append(job)
            counts = self._insert_group(cur, ready, now) if len(ready) > 1 else None
            for job in ready:
                principal = job.context.principal
                checked = job.checked
                acc = checked.accepted
                n_ins, n_rev = (
                    counts[job.batch_id]
                    if counts is not None
                    else self._insert_measurements(cur, acc, job.batch_id, now)
                )
                n_unch = acc.num_rows - n_ins - n_rev
                qrows = checked.rejected
                stored_q = (
                    self._insert_quarantine(cur, job.batch_id, qrows, principal.token_id, now)
                    if qrows
                    else []
                )
                job.report = IngestReport(
                    batch_id=job.batch_id,
                    n_rows=checked.n_rows,
                    n_inserted=n_ins,
                    n_revised=n_rev,
                    n_unchanged=n_unch + (checked.n_rows - acc.num_rows - len(qrows)),
                    n_quarantined=len(qrows),
                    replayed=False,
                    rejected=[
                        {"row": n, "field": f, "reason": r, "record": json.loads(rec)}
                        for n, f, r, rec in stored_q
                    ],
                )
                cur.execute(
                    self._q(
                        "INSERT INTO batches (batch_id, submitted_by, received_at, format, n_rows, "
                        "n_inserted, n_revised, n_unchanged, n_quarantined, content_digest) "
                        "VALUES (?,?,?,?,?,?,?,?,?,?)"
                    ),
                    [
                        job.batch_id,
                        principal.token_id,
                        now,
                        job.fmt,
                        checked.n_rows,
                        n_ins,
                        n_rev,
                        n_unch + (checked.n_rows - acc.num_rows - len(qrows)),
                        len(qrows),
                        job.digest,
                    ],
                )
                if job.refresh and (n_ins or n_rev):
                    refresh.append(acc)
                self._audit(
                    cur,
                    job.context,
                    "measurements.ingest",
                    job.batch_id,
                    {
                        "format": job.fmt,
                        "rows": checked.n_rows,
                        "inserted": n_ins,
                        "revised": n_rev,
                        "quarantined": len(qrows),
                        "stations": list(job.sent_ids)[:50],
                    },
                )
            if refresh:
                self._refresh_daily(cur, pa.concat_tables(refresh), stations)

    def _insert_group(
        self, cur: Any, jobs: list[_Job], now: datetime
    ) -> dict[str, tuple[int, int]] | None:
        """Insert the accepted rows of several batches by one statement.

        Same rule as :meth:`_insert_measurements` (revision 0 for a new key,
        latest + 1 for a changed one, nothing for an unchanged one), each row
        keeping its batch id.  Returns (inserted, revised) per batch id, or
        None when two batches of the group send the same key (their order
        matters: they are then inserted one after the other).
        """
        tables = [
            j.checked.accepted.select(list(_INCOMING_COLUMNS)).append_column(
                "batch_id", pa.array([j.batch_id] * j.checked.accepted.num_rows, pa.string())
            )
            for j in jobs
        ]
        combined = pa.concat_tables(tables)
        if combined.num_rows == 0:
            return {j.batch_id: (0, 0) for j in jobs}
        keys = pd.DataFrame(
            {
                c: combined.column(c).to_numpy(zero_copy_only=False)
                for c in ("station_id", "time", "pollutant")
            }
        )
        if keys.duplicated().any():
            return None
        self.backend.register(cur, "incoming", combined, _INCOMING_DDL + ", batch_id TEXT")
        try:
            cur.execute(self._q(_GROUP_CLASSIFY_SQL))
            found = {b: (int(n or 0), int(r or 0)) for b, n, r in cur.fetchall()}
            cur.execute(self._q(_GROUP_INSERT_SQL), [now])
        finally:
            if isinstance(self.backend, DuckDBBackend):
                cur.unregister("incoming")
        return {j.batch_id: found.get(j.batch_id, (0, 0)) for j in jobs}

    def _check_job(self, cur: Any, job: _Job, stations: Mapping[str, Mapping[str, Any]]) -> None:
        """Owners, kinds and idempotency key of a batch, as stored now (inside the lock)."""
        current = {k: stations[k] for k in job.sent_ids if k in stations}
        for st in current.values():
            job.context.principal.require_city(int(st["adcode"]))
        if {k: (v["adcode"], v["kind"]) for k, v in current.items()} != {
            k: (v["adcode"], v["kind"]) for k, v in job.seen.items()
        }:
            raise _StationsChanged
        # A concurrent sender of the same keyed batch may have won.
        cur.execute(
            self._q("SELECT content_digest FROM batches WHERE batch_id = ?"), [job.batch_id]
        )
        found = cur.fetchall()
        if found:
            _check_digest(job.batch_id, found[0][0], job.digest)
            job.replay = True

    def _batch_report(self, batch_id: str, digest: str | None = None) -> IngestReport | None:
        """The stored report of a batch (None: unknown); checks the content digest if given."""
        with self.backend.read() as cur:
            rows = self._rows(cur, "SELECT * FROM batches WHERE batch_id = ?", [batch_id])
            if not rows:
                return None
            if digest is not None:
                _check_digest(batch_id, rows[0].get("content_digest"), digest)
            q = self._rows(
                cur,
                "SELECT row_number, field, reason, record FROM quarantine "
                "WHERE batch_id = ? ORDER BY row_number",
                [batch_id],
            )
        b = rows[0]
        return IngestReport(
            batch_id=batch_id,
            n_rows=b["n_rows"],
            n_inserted=b["n_inserted"],
            n_revised=b["n_revised"],
            n_unchanged=b["n_unchanged"],
            n_quarantined=b["n_quarantined"],
            replayed=True,
            rejected=[
                {
                    "row": r["row_number"],
                    "field": r["field"],
                    "reason": r["reason"],
                    "record": json.loads(r["record"]),
                }
                for r in q
            ],
        )

    def _insert_measurements(
        self, cur: Any, acc: pa.Table, batch_id: str, now: datetime
    ) -> tuple[int, int]:
        """Insert accepted rows as revision 0 or latest+1; skip rows equal to the latest.

        The batch is staged (DuckDB scans the Arrow table in place; PostgreSQL
        receives it by ``COPY`` into a temporary table) and stored by one
        ``INSERT ... SELECT``.  That statement is the anti-join that keeps the
        key (station, time, pollutant, revision) unique without an index on
        DuckDB: it runs inside the writers' lock, numbers each changed key from
        the latest stored revision and skips unchanged keys.
        """
        if acc.num_rows == 0:
            return 0, 0
        self.backend.register(cur, "incoming", acc.select(list(_INCOMING_COLUMNS)), _INCOMING_DDL)
        try:
            # Bulk path: nothing stored yet for these stations over the batch's time span
            # (new data, the common case) -> every row is revision 0, no join needed.
            times = acc.column("time")
            ids = sorted(set(acc.column("station_id").to_pylist()))
            cur.execute(
                self._q(
                    f"SELECT count(*) FROM measurements WHERE station_id IN "
                    f"({','.join('?' * len(ids))}) AND time >= ? AND time <= ?"
                ),
                [*ids, pc.min(times).as_py(), pc.max(times).as_py()],
            )
            if int(cur.fetchall()[0][0]) == 0:
                cur.execute(self._q(_INSERT_NEW_SQL), [batch_id, now])
                return acc.num_rows, 0
            cur.execute(self._q(_CLASSIFY_SQL))
            n_new, n_rev = (int(x or 0) for x in cur.fetchall()[0])
            cur.execute(self._q(_INSERT_SQL), [batch_id, now])
        finally:
            if isinstance(self.backend, DuckDBBackend):
                cur.unregister("incoming")
        return n_new, n_rev

    def _insert_quarantine(
        self, cur: Any, batch_id: str, rows: list[dict[str, Any]], who: str, now: datetime
    ) -> list[tuple[int, Any, str, str]]:
        """Store rejected rows; return them as stored (row number, field, reason, JSON)."""
        # Malformed CSV lines may lack a line number: number them after the batch's rows.
        next_free = max([r["row"] or 0 for r in rows] + [0]) + 1
        table_rows = []
        for r in rows:
            num = r["row"]
            if num is None:
                num, next_free = next_free, next_free + 1
            table_rows.append(
                (
                    num,
                    r["field"],
                    r["reason"],
                    json.dumps(r["record"], ensure_ascii=False, default=str),
                )
            )
        table = pa.table(
            {
                "row_number": pa.array([t[0] for t in table_rows], pa.int64()),
                "field": pa.array([t[1] for t in table_rows], pa.string()),
                "reason": pa.array([t[2] for t in table_rows], pa.string()),
                "record": pa.array([t[3] for t in table_rows], pa.string()),
            }
        )
        self.backend.register(
            cur, "qrows", table, "row_number BIGINT, field TEXT, reason TEXT, record TEXT"
        )
        try:
            cur.execute(
                self._q(
                    "INSERT INTO quarantine (batch_id, row_number, field, reason, record, "
                    "submitted_by, received_at) SELECT ?, row_number, field, reason, record, ?, ? "
                    "FROM qrows ON CONFLICT DO NOTHING"
                ),
                [batch_id, who, now],
            )
        finally:
            if isinstance(self.backend, DuckDBBackend):
                cur.unregister("qrows")
        kept: dict[int, tuple[int, Any, str, str]] = {}
        for t in table_rows:  # ON CONFLICT DO NOTHING keeps the first of a row number
            kept.setdefault(t[0], t)
        return [kept[k] for k in sorted(kept)]

    # ----------------------------------------------------------- daily indices
    def _current_hourly(
        self,
        cur: Any,
        station_ids: Sequence[str],
        start: datetime,
        end: datetime,
        pollutants: Sequence[str] = AIR_POLLUTANTS,
    ) -> pd.DataFrame:
        if not station_ids:
            return pd.DataFrame(columns=["station_id", "time", "pollutant", "value"])
        sp = ",".join("?" * len(station_ids))
        pp = ",".join("?" * len(pollutants))
        where = f"station_id IN ({sp}) AND pollutant IN ({pp}) AND time >= ? AND time < ?"
        params = [*station_ids, *pollutants, start, end]
        latest = f"""
            SELECT station_id, time, pollutant, value FROM (
              SELECT station_id, time, pollutant, value, revision,
                     max(revision) OVER (PARTITION BY station_id, time, pollutant) AS latest
              FROM measurements WHERE {where}
            ) AS m WHERE revision = latest"""
        if not isinstance(self.backend, DuckDBBackend):
            return self._frame(cur, latest, params)
        # Embedded: without corrections in the range every row is current (no window
        # needed), and the rows come back through Arrow (no per-value Python objects).
        cur.execute(f"SELECT count(*) FROM measurements WHERE {where} AND revision > 0", params)
        if int(cur.fetchall()[0][0]) == 0:
            latest = f"SELECT station_id, time, pollutant, value FROM measurements WHERE {where}"
        return cur.sql(latest, params=params).to_arrow_table().to_pandas()

    def _refresh_daily(
        self, cur: Any, acc: pa.Table, stations: Mapping[str, Mapping[str, Any]]
    ) -> None:
        """Recompute daily AQI of the city-days (and their stations) a batch touched."""
        frame = pd.DataFrame(
            {
                "station_id": acc.column("station_id").to_numpy(zero_copy_only=False),
                "time": acc.column("time").to_pandas(),
                "pollutant": acc.column("pollutant").to_numpy(zero_copy_only=False),
            }
        )
        frame = frame[frame["pollutant"].isin(AIR_POLLUTANTS)]
        if frame.empty:
            return
        days = aggregates.local_day(frame["time"])
        adcodes = sorted({int(stations[s]["adcode"]) for s in frame["station_id"].unique()})
        city_stations = [
            k for k, v in stations.items() if v["kind"] == "air" and int(v["adcode"]) in adcodes
        ]
        # Hour-ending labels of local day D run from D 01:00 to D+1 00:00 inclusive.
        shift = timedelta(hours=1 - aggregates.UTC_OFFSET_HOURS)
        start = (days.min() + shift).to_pydatetime().replace(tzinfo=UTC)
        end = (days.max() + timedelta(days=1) + shift).to_pydatetime().replace(tzinfo=UTC)
        hourly = self._current_hourly(cur, city_stations, start, end)
        touched_days = set(pd.DatetimeIndex(days).unique())
        st = aggregates.station_daily_indicators(hourly)
        st = st[st["day"].isin(touched_days)]
        city = aggregates.city_daily_indicators(
            st, {k: int(v["adcode"]) for k, v in stations.items()}
        )
        rows = pd.concat(
            [
                aggregates.daily_aqi_table(st, key="station_id", standard=self.standard).assign(
                    scope="station"
                ),
                aggregates.daily_aqi_table(city, key="adcode", standard=self.standard).assign(
                    scope="city"
                ),
            ],
            ignore_index=True,
        )
        table = pa.table(
            {
                "scope": pa.array(rows["scope"].to_numpy(), pa.string()),
                "key": pa.array(rows["key"].to_numpy(), pa.string()),
                "day": pa.array(rows["day"].to_list(), pa.date32()),
                "aqi": pa.array(rows["aqi"].to_numpy(dtype=float), pa.float64(), from_pandas=True),
                "category": pa.array(rows["category"].to_numpy(dtype=np.int64), pa.int64()),
                "primary_pollutants": pa.array(rows["primary_pollutants"].to_numpy(), pa.string()),
                "detail": pa.array(rows["detail"].to_numpy(), pa.string()),
            }
        )
        self.backend.register(
            cur,
            "fresh_daily",
            table,
            "scope TEXT, key TEXT, day DATE, aqi DOUBLE PRECISION, "
            "category BIGINT, primary_pollutants TEXT, detail TEXT",
        )
        try:
            cur.execute("""DELETE FROM daily_aqi WHERE EXISTS (SELECT 1 FROM fresh_daily f
                WHERE f.scope = daily_aqi.scope AND f.key = daily_aqi.key
                AND f.day = daily_aqi.day)""")
            cur.execute("""INSERT INTO daily_aqi (scope, key, day, aqi, category,
                primary_pollutants, detail) SELECT scope, key, day, aqi, category,
                primary_pollutants, detail FROM fresh_daily""")
        finally:
            if isinstance(self.backend, DuckDBBackend):
                cur.unregister("fresh_daily")

    def refresh_indices(self, *, context: AuditContext = _SYSTEM) -> int:
        """Recompute every daily index from the stored hourly values.

        Used after a change of standard edition; returns the rows written.
        """
        context.principal.require_admin()
        with self.backend.read() as cur:
            keys = pa.Table.from_pandas(
                self._frame(cur, "SELECT DISTINCT station_id, time, pollutant FROM measurements"),
                preserve_index=False,
            )
        if keys.num_rows == 0:
            return 0
        keys = keys.set_column(
            keys.column_names.index("time"),
            "time",
            keys.column("time").cast(pa.timestamp("us", tz="UTC")),
        )
        with self.backend.write() as cur:
            self._refresh_daily(cur, keys, self.station_index())
            self._audit(cur, context, "indices.refresh", "daily_aqi", {})
            cur.execute("SELECT count(*) FROM daily_aqi")
            n = int(cur.fetchall()[0][0])
        self._wrote()
        return n

    # ------------------------------------------------------------------- reads
    def measurements(
        self,
        station_id: str,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        pollutant: str | None = None,
        history: bool = False,
        limit: int = 10_000,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        """Measurements of a station, current revision only unless ``history``.

        Parameters
        ----------
        station_id : str
            Station.
        start, end : datetime, optional
            Half-open time range [start, end), timezone-aware.
        pollutant : str, optional
            Canonical pollutant name.
        history : bool
            Return every revision (oldest first within a key).
        limit, offset : int
            Paging.
        """
        where = ["station_id = ?"]
        params: list[Any] = [station_id]
        if start is not None:
            where.append("time >= ?")
            params.append(start)
        if end is not None:
            where.append("time < ?")
            params.append(end)
        if pollutant is not None:
            where.append("pollutant = ?")
            params.append(pollutant)
        cols = (
            "station_id, time, pollutant, revision, value, unit, reference_state, "
            "value_as_sent, unit_as_sent, reference_state_as_sent, source, batch_id, "
            "recorded_at"
        )
        inner = f"SELECT {cols} FROM measurements WHERE {' AND '.join(where)}"
        if not history:
            inner = (
                f"SELECT {cols} FROM (SELECT {cols}, max(revision) OVER (PARTITION BY "
                f"station_id, time, pollutant) AS latest FROM measurements WHERE "
                f"{' AND '.join(where)}) AS m WHERE revision = latest"
            )
        query = f"{inner} ORDER BY time, pollutant, revision LIMIT ? OFFSET ?"
        with self.backend.read() as cur:
            return self._rows(cur, query, [*params, int(limit), int(offset)])

    def hourly_frame(
        self,
        station_ids: Sequence[str],
        start: datetime,
        end: datetime,
        pollutants: Sequence[str] = AIR_POLLUTANTS,
    ) -> pd.DataFrame:
        """Return the current hourly values of stations in [start, end) as a DataFrame."""
        with self.backend.read() as cur:
            return self._current_hourly(cur, list(station_ids), start, end, pollutants)

    def daily_aqi(
        self,
        scope: str,
        key: str | int,
        start: date | None = None,
        end: date | None = None,
        *,
        detail_json: bool = False,
    ) -> list[dict[str, Any]]:
        """Return the stored daily AQI rows of a station (``scope="station"``) or city (``"city"``).

        Parameters
        ----------
        scope : {'station', 'city'}
            What ``key`` names.
        key : str or int
            Station id or city adcode.
        start, end : date, optional
            Inclusive day range (China Standard Time days).
        detail_json : bool
            Leave ``detail`` as the stored JSON text (for answers written as JSON).
        """
        check_day_range(start, end)
        where = ["scope = ?", "key = ?"]
        params: list[Any] = [scope, str(key)]
        if start is not None:
            where.append("day >= ?")
            params.append(start)
        if end is not None:
            where.append("day <= ?")
            params.append(end)
        with self.backend.read() as cur:
            rows = self._rows(
                cur,
                "SELECT day, aqi, category, primary_pollutants, detail "
                f"FROM daily_aqi WHERE {' AND '.join(where)} ORDER BY day",
                params,
            )
        for r in rows:
            a = r["aqi"]
            r["aqi"] = None if a is None or (isinstance(a, float) and np.isnan(a)) else int(a)
            r["primary_pollutants"] = [p for p in r["primary_pollutants"].split(",") if p]
            if not detail_json:
                r["detail"] = json.loads(r["detail"])
        return rows

    def city_daily_aqi_matrix(
        self, adcodes: Sequence[int], start: date, end: date
    ) -> tuple[list[date], np.ndarray]:
        """Daily AQI of many cities as a (day, city) array (NaN where missing)."""
        check_day_range(start, end)
        with self.backend.read() as cur:
            frame = self._frame(
                cur,
                "SELECT key, day, aqi FROM daily_aqi WHERE scope = 'city' "
                "AND day >= ? AND day <= ?",
                [start, end],
            )
        days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
        out = np.full((len(days), len(adcodes)), np.nan)
        if frame.empty:
            return days, out
        col = {str(a): j for j, a in enumerate(adcodes)}
        frame["j"] = frame["key"].map(col)
        frame = frame.dropna(subset=["j"])
        i = (pd.to_datetime(frame["day"]) - pd.Timestamp(start)).dt.days.to_numpy()
        out[i, frame["j"].to_numpy(dtype=int)] = frame["aqi"].to_numpy(dtype=float)
        return days, out

    def revisions(self, station_id: str, time: datetime, pollutant: str) -> list[dict[str, Any]]:
        """Every revision of one (station, time, pollutant), oldest first."""
        with self.backend.read() as cur:
            return self._rows(
                cur,
                "SELECT * FROM measurements WHERE station_id = ? AND "
                "time = ? AND pollutant = ? ORDER BY revision",
                [station_id, time, pollutant],
            )

    def quarantine(
        self, *, submitted_by: str | None = None, limit: int = 1000, offset: int = 0
    ) -> list[dict[str, Any]]:
        """Quarantined rows, newest batches first."""
        where, params = ("WHERE submitted_by = ?", [submitted_by]) if submitted_by else ("", [])
        with self.backend.read() as cur:
            rows = self._rows(
                cur,
                f"SELECT * FROM quarantine {where} ORDER BY received_at DESC, "
                "batch_id, row_number LIMIT ? OFFSET ?",
                [*params, limit, offset],
            )
        for r in rows:
            r["record"] = json.loads(r["record"])
        return rows

    def audit_log(
        self, *, limit: int = 100, offset: int = 0, action: str | None = None
    ) -> list[dict[str, Any]]:
        """Audit events, newest first."""
        where, params = ("WHERE action = ?", [action]) if action else ("", [])
        with self.backend.read() as cur:
            rows = self._rows(
                cur,
                f"SELECT * FROM audit {where} ORDER BY event_id DESC LIMIT ? OFFSET ?",
                [*params, limit, offset],
            )
        for r in rows:
            r["detail"] = json.loads(r["detail"])
        return rows

    def count(self, table: str) -> int:
        """Count the rows of a store table (for checks and reports)."""
        if table not in {
            "measurements",
            "quarantine",
            "batches",
            "audit",
            "daily_aqi",
            "stations",
            "tokens",
        }:
            raise InputError("unknown table", field="table", value=table)
        with self.backend.read() as cur:
            cur.execute(f"SELECT count(*) FROM {table}")
            return int(cur.fetchall()[0][0])

    # ------------------------------------------------------------------ tokens
    def issue_token(
        self,
        *,
        role: str,
        adcode: int | None = None,
        label: str = "",
        context: AuditContext = _SYSTEM,
    ) -> tuple[str, str]:
        """Issue an API token; only its hash is stored.

        Parameters
        ----------
        role : {'city', 'admin', 'reader'}
            ``city``: writes its own city's stations; ``admin``: administers;
            ``reader``: reads the shared data, writes nothing.
        adcode : int, optional
            City of a ``city`` token (required for it).
        label : str
            Free text (who holds it).
        context : AuditContext
            The administrator issuing it.

        Returns
        -------
        (token_id, token) : tuple of str
            The token is shown once and cannot be recovered.
        """
        context.principal.require_admin()
        if role not in ("city", "admin", "reader"):
            raise InputError("role must be 'city', 'admin' or 'reader'", field="role", value=role)
        if role == "city" and adcode is None:
            raise InputError("a city token needs the city's adcode", field="adcode")
        token_id = (
            f"{role}-{adcode}-{secrets.token_hex(3)}"
            if role == "city"
            else f"{role}-{secrets.token_hex(4)}"
        )
        token = new_token(token_id)
        with self.backend.write() as cur:
            cur.execute(
                self._q(
                    "INSERT INTO tokens (token_id, token_hash, role, adcode, label, "
                    "created_at) VALUES (?,?,?,?,?,?)"
                ),
                [token_id, hash_token(token), role, adcode, label, _now()],
            )
            self._audit(
                cur,
                context,
                "tokens.issue",
                token_id,
                {"role": role, "adcode": adcode, "label": label},
            )
        self._wrote(cities=())  # no published answer changes
        return token_id, token

    def revoke_token(self, token_id: str, *, context: AuditContext = _SYSTEM) -> bool:
        """Revoke a token; returns whether it existed and was active."""
        context.principal.require_admin()
        with self.backend.write() as cur:
            cur.execute(
                self._q(
                    "UPDATE tokens SET revoked_at = ? WHERE token_id = ? AND revoked_at IS NULL"
                ),
                [_now(), token_id],
            )
            cur.execute(
                self._q(
                    "SELECT count(*) FROM tokens WHERE token_id = ? AND revoked_at IS NOT NULL"
                ),
                [token_id],
            )
            ok = int(cur.fetchall()[0][0]) > 0
            self._audit(cur, context, "tokens.revoke", token_id, {"revoked": ok})
        self._wrote(cities=())
        return ok

    def rotate_token(self, token_id: str, *, context: AuditContext = _SYSTEM) -> str | None:
        """Give an active token a new secret (same id and rights); the old one stops working.

        Returns
        -------
        str or None
            The new token (shown once), or None when no active token has this id.
        """
        context.principal.require_admin()
        token = new_token(token_id)
        with self.backend.write() as cur:
            cur.execute(
                self._q("SELECT count(*) FROM tokens WHERE token_id = ? AND revoked_at IS NULL"),
                [token_id],
            )
            if int(cur.fetchall()[0][0]) == 0:
                return None
            cur.execute(
                self._q("UPDATE tokens SET token_hash = ? WHERE token_id = ?"),
                [hash_token(token), token_id],
            )
            self._audit(cur, context, "tokens.rotate", token_id, {})
        self._wrote(cities=())
        return token

    def token(self, token_id: str) -> dict[str, Any] | None:
        """One issued token's id, role, city, label and dates (None: unknown)."""
        with self.backend.read() as cur:
            rows = self._rows(
                cur,
                "SELECT token_id, role, adcode, label, created_at, "
                "revoked_at FROM tokens WHERE token_id = ?",
                [token_id],
            )
        return rows[0] if rows else None

    def principal_for(self, token: str | None) -> Principal | None:
        """Return the principal holding ``token`` (None: unknown or revoked)."""
        if not token:
            return None
        with self.backend.read() as cur:
            rows = self._rows(
                cur,
                "SELECT token_id, role, adcode FROM tokens WHERE "
                "token_hash = ? AND revoked_at IS NULL",
                [hash_token(token)],
            )
        if not rows:
            return None
        r = rows[0]
        return Principal(
            token_id=r["token_id"],
            role=r["role"],
            adcode=None if r["adcode"] is None else int(r["adcode"]),
        )

    def tokens(self) -> list[dict[str, Any]]:
        """Issued tokens (ids and roles; never the tokens themselves)."""
        with self.backend.read() as cur:
            return self._rows(
                cur,
                "SELECT token_id, role, adcode, label, created_at, revoked_at "
                "FROM tokens ORDER BY created_at",
            )


_INCOMING_COLUMNS = (
    "station_id",
    "time",
    "pollutant",
    "value",
    "unit",
    "reference_state",
    "value_as_sent",
    "unit_as_sent",
    "reference_state_as_sent",
    "source",
)
_INCOMING_DDL = (
    "station_id TEXT, time TIMESTAMPTZ, pollutant TEXT, value DOUBLE PRECISION, "
    "unit TEXT, reference_state TEXT, value_as_sent DOUBLE PRECISION, "
    "unit_as_sent TEXT, reference_state_as_sent TEXT, source TEXT"
)

# Latest stored revision of each incoming key (only keys present in the batch are read).
_LATEST = """
    SELECT m.station_id, m.time, m.pollutant, m.revision, m.value, m.unit, m.reference_state
    FROM measurements m JOIN (
        SELECT m2.station_id, m2.time, m2.pollutant, max(m2.revision) AS revision
        FROM measurements m2 JOIN incoming i2
          ON m2.station_id = i2.station_id AND m2.time = i2.time AND m2.pollutant = i2.pollutant
        GROUP BY m2.station_id, m2.time, m2.pollutant) x
      ON m.station_id = x.station_id AND m.time = x.time AND m.pollutant = x.pollutant
     AND m.revision = x.revision"""

_CHANGED = """
    FROM incoming i LEFT JOIN latest l
      ON l.station_id = i.station_id AND l.time = i.time AND l.pollutant = i.pollutant
    WHERE l.revision IS NULL OR l.value <> i.value OR l.unit <> i.unit
       OR l.reference_state <> i.reference_state"""

_CLASSIFY_SQL = f"""
    WITH latest AS ({_LATEST})
    SELECT sum(CASE WHEN l.revision IS NULL THEN 1 ELSE 0 END),
           sum(CASE WHEN l.revision IS NULL THEN 0 ELSE 1 END) {_CHANGED}"""

_INSERT_SQL = f"""
    INSERT INTO measurements (station_id, time, pollutant, revision, value, unit,
        reference_state, value_as_sent, unit_as_sent, reference_state_as_sent, source,
        batch_id, recorded_at)
    WITH latest AS ({_LATEST})
    SELECT i.station_id, i.time, i.pollutant, COALESCE(l.revision + 1, 0), i.value, i.unit,
           i.reference_state, i.value_as_sent, i.unit_as_sent, i.reference_state_as_sent,
           i.source, ?, ? {_CHANGED}"""


_GROUP_CLASSIFY_SQL = f"""
    WITH latest AS ({_LATEST})
    SELECT i.batch_id, sum(CASE WHEN l.revision IS NULL THEN 1 ELSE 0 END),
           sum(CASE WHEN l.revision IS NULL THEN 0 ELSE 1 END) {_CHANGED}
    GROUP BY i.batch_id"""

_GROUP_INSERT_SQL = f"""
    INSERT INTO measurements (station_id, time, pollutant, revision, value, unit,
        reference_state, value_as_sent, unit_as_sent, reference_state_as_sent, source,
        batch_id, recorded_at)
    WITH latest AS ({_LATEST})
    SELECT i.station_id, i.time, i.pollutant, COALESCE(l.revision + 1, 0), i.value, i.unit,
           i.reference_state, i.value_as_sent, i.unit_as_sent, i.reference_state_as_sent,
           i.source, i.batch_id, ? {_CHANGED}"""


_INSERT_NEW_SQL = """
    INSERT INTO measurements (station_id, time, pollutant, revision, value, unit,
        reference_state, value_as_sent, unit_as_sent, reference_state_as_sent, source,
        batch_id, recorded_at)
    SELECT station_id, time, pollutant, 0, value, unit, reference_state, value_as_sent,
           unit_as_sent, reference_state_as_sent, source, ?, ? FROM incoming"""


#: Days the platform answers for (inclusive; China Standard Time days): the earliest
#: accepted measurement time (:data:`coopgov.platform.vocabulary.EARLIEST_TIME_UTC`)
#: to the end of 2100 (assumption: far enough ahead for any forecast or scenario).
EARLIEST_DAY = date(1970, 1, 1)
LATEST_DAY = date(2100, 12, 31)


def check_day_range(start: date | None, end: date | None) -> None:
    """Raise :class:`InputError` for a day outside [:data:`EARLIEST_DAY`, :data:`LATEST_DAY`]."""
    for name, d in (("date_from", start), ("date_to", end)):
        if d is not None and not (
            EARLIEST_DAY <= (d.date() if isinstance(d, datetime) else d) <= LATEST_DAY
        ):
            raise InputError(
                f"days from {EARLIEST_DAY} to {LATEST_DAY} only", field=name, value=d.isoformat()
            )


def _check_digest(batch_id: str, stored: str | None, digest: str) -> None:
    """Raise :class:`IdempotencyConflict` when a key's stored batch has other content."""
    if stored != digest:
        key = batch_id.split(":key:", 1)[-1]
        raise IdempotencyConflict(
            f"Idempotency-Key {key!r} was already used for a batch with other content; "
            "nothing of this batch was stored (send new data under a new key)"
        )


def open_store(url: str | Path | None = None, **kwargs: Any) -> Store:
    """Open (and create if needed) the store at ``url`` (default :func:`default_store_url`)."""
    return Store(url, **kwargs)


def new_request_id() -> str:
    """Return a fresh request identifier for the audit log."""
    return uuid.uuid4().hex
