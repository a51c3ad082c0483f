"""Tables of the monitoring store, in SQL that DuckDB and PostgreSQL both accept.

``measurements`` is append-only: its key is (station, time, pollutant,
revision) and a correction is a new revision.  PostgreSQL enforces the key
with a primary-key index.  The embedded DuckDB store declares no index on it:
DuckDB's ART index costs more than the insert itself (measured: a 500,000-row
batch takes 1.2 s with the index and 0.35 s without, and the file grows eight
times larger), and it is not used by the store's reads, which scan by
station and time range.  The key is kept unique by construction instead:
writers are serialised (one transaction at a time per store), and every
batch is inserted through an anti-join against the stored keys
(:mod:`coopgov.platform.store`: a new key gets revision 0, a changed one the
latest revision + 1, an unchanged one nothing).  ``daily_aqi`` is derived data,
recomputed for the station-days a batch touches.  ``audit`` records every
write with who, what, when and from which request.
"""

from __future__ import annotations

__all__ = ["SCHEMA_VERSION", "DDL", "MEASUREMENT_COLUMNS", "ddl_for"]

SCHEMA_VERSION = 1

MEASUREMENT_COLUMNS = (
    "station_id",
    "time",
    "pollutant",
    "revision",
    "value",
    "unit",
    "reference_state",
    "value_as_sent",
    "unit_as_sent",
    "reference_state_as_sent",
    "source",
    "batch_id",
    "recorded_at",
)

DDL = (
    """CREATE TABLE IF NOT EXISTS meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS stations (
        station_id TEXT PRIMARY KEY,
        adcode INTEGER NOT NULL,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        lon DOUBLE PRECISION,
        lat DOUBLE PRECISION,
        water_body TEXT,
        water_type TEXT,
        synthetic BOOLEAN NOT NULL,
        source TEXT NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS measurements (
        station_id TEXT NOT NULL,
        time TIMESTAMPTZ NOT NULL,
        pollutant TEXT NOT NULL,
        revision INTEGER NOT NULL,
        value DOUBLE PRECISION NOT NULL,
        unit TEXT NOT NULL,
        reference_state TEXT NOT NULL,
        value_as_sent DOUBLE PRECISION NOT NULL,
        unit_as_sent TEXT NOT NULL,
        reference_state_as_sent TEXT NOT NULL,
        source TEXT NOT NULL,
        batch_id TEXT NOT NULL,
        recorded_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (station_id, time, pollutant, revision))""",
    """CREATE TABLE IF NOT EXISTS batches (
        batch_id TEXT PRIMARY KEY,
        submitted_by TEXT NOT NULL,
        received_at TIMESTAMPTZ NOT NULL,
        format TEXT NOT NULL,
        n_rows INTEGER NOT NULL,
        n_inserted INTEGER NOT NULL,
        n_revised INTEGER NOT NULL,
        n_unchanged INTEGER NOT NULL,
        n_quarantined INTEGER NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS quarantine (
        batch_id TEXT NOT NULL,
        row_number INTEGER NOT NULL,
        field TEXT,
        reason TEXT NOT NULL,
        record TEXT NOT NULL,
        submitted_by TEXT NOT NULL,
        received_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (batch_id, row_number))""",
    """CREATE TABLE IF NOT EXISTS daily_aqi (
        scope TEXT NOT NULL,
        key TEXT NOT NULL,
        day DATE NOT NULL,
        aqi DOUBLE PRECISION,
        category INTEGER NOT NULL,
        primary_pollutants TEXT NOT NULL,
        detail TEXT NOT NULL,
        PRIMARY KEY (scope, key, day))""",
    """CREATE TABLE IF NOT EXISTS tokens (
        token_id TEXT PRIMARY KEY,
        token_hash TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL,
        adcode INTEGER,
        label TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        revoked_at TIMESTAMPTZ)""",
    "CREATE SEQUENCE IF NOT EXISTS audit_seq",
    """CREATE TABLE IF NOT EXISTS audit (
        event_id BIGINT PRIMARY KEY DEFAULT nextval('audit_seq'),
        occurred_at TIMESTAMPTZ NOT NULL,
        actor TEXT NOT NULL,
        role TEXT NOT NULL,
        adcode INTEGER,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        detail TEXT NOT NULL,
        request_id TEXT NOT NULL,
        client TEXT NOT NULL)""",
)


_MEASUREMENTS_KEY = ",\n        PRIMARY KEY (station_id, time, pollutant, revision))"


def ddl_for(backend: str) -> tuple[str, ...]:
    """Return the statements creating the store's tables on ``backend``.

    Parameters
    ----------
    backend : {'duckdb', 'postgres'}
        Engine name (:attr:`coopgov.platform.backends.Backend.name`).

    Returns
    -------
    tuple of str
        :data:`DDL`, without the primary-key index of ``measurements`` on
        DuckDB (see the module docstring).
    """
    if backend != "duckdb":
        return DDL
    return tuple(
        s.replace(_MEASUREMENTS_KEY, ")") if "TABLE IF NOT EXISTS measurements" in s else s
        for s in DDL
    )
