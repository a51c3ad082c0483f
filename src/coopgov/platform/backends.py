"""Database connections for the store: embedded DuckDB and shared PostgreSQL.

The store speaks a small portable subset of SQL (``?`` placeholders, standard
types, ``INSERT ... SELECT``, ``ON CONFLICT DO NOTHING``).  This module hides
the three things that differ between the two engines: how a connection is
opened and shared, how a bulk table is handed to the engine (DuckDB scans an
Arrow table in place; PostgreSQL receives it through ``COPY``), and how
concurrent writers are serialised.

DuckDB lets a single *process* open a database file for writing.  Several
processes therefore take turns: a process holds an exclusive advisory lock
(``flock`` on ``<db>.lock``) for as long as it has the file open.  Inside a
process one connection is shared by every thread (each takes a cursor);
writes are serialised by a thread lock, reads run in parallel.  A process
keeps the file open while it is in use and for ``idle_release_s`` seconds
afterwards (a server keeps it a little while, a command-line writer gives it
back at once), so that other processes' writers wait at most that long after
the current user is done.  PostgreSQL serialises writers with a
transaction-scoped advisory lock instead.

An in-memory DuckDB database (``:memory:``) belongs to one process and has
no file: it takes no lock file and stays open until :meth:`Backend.close`
(closing it would lose its content).  Lock files of real databases lie beside
the database file (``<db>.lock``).
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from coopgov.errors import CoopgovError

__all__ = ["StoreBusy", "Backend", "DuckDBBackend", "PostgresBackend", "backend_for"]


class StoreBusy(CoopgovError):
    """Another process held the embedded store for longer than the lock timeout."""


class Backend:
    """Interface of a database backend (see the module docstring)."""

    name = "abstract"
    location = ""

    def read(self) -> contextlib.AbstractContextManager[Any]:  # pragma: no cover - interface
        """Yield a cursor for reading."""
        raise NotImplementedError

    def write(self) -> contextlib.AbstractContextManager[Any]:  # pragma: no cover - interface
        """Yield a cursor inside one transaction, committed on normal exit."""
        raise NotImplementedError

    def hold(self) -> contextlib.AbstractContextManager[Any]:
        """Keep the database open across several operations (no-op unless embedded)."""
        return contextlib.nullcontext()

    def register(self, cur: Any, name: str, table: pa.Table, ddl: str) -> None:
        """Make ``table`` readable as ``name`` inside the current transaction."""
        raise NotImplementedError

    def sql(self, query: str) -> str:
        """Translate the portable query (``?`` placeholders) to the engine's dialect."""
        return query

    def data_version(self) -> Any:
        """A cheap value that changes when any process commits (None: no such signal)."""
        return None

    def close(self) -> None:
        """Release every connection."""


class DuckDBBackend(Backend):
    """Embedded DuckDB file shared by the threads of a process and, in turn, by processes.

    Parameters
    ----------
    path : str or Path
        Database file (created if missing), or ``:memory:`` for a private
        in-memory database (``:memory:<name>``: one shared by name within
        the process).
    idle_release_s : float
        Seconds the file stays open after the last user, s (0: closed at once).
    lock_timeout_s : float
        Longest wait for another process to release the file, s.
    """

    name = "duckdb"
    _instances: dict[str, DuckDBBackend] = {}
    _instances_lock = threading.Lock()

    def __new__(cls, path: str | Path, idle_release_s: float = 0.0,
                lock_timeout_s: float = 60.0) -> DuckDBBackend:
        """Return the process's backend for ``path`` (created on first use)."""
        text = str(path)
        if text in ("", ":memory:"):  # a private database: a new one every time
            inst = super().__new__(cls)
            inst._init(":memory:", in_memory=True)
        else:
            # One object per file and process: DuckDB refuses a second database
            # instance on the same file within one process.
            in_memory = text.startswith(":memory:")
            key = text if in_memory else str(Path(path).resolve())
            with cls._instances_lock:
                inst = cls._instances.get(key)
                if inst is None:
                    inst = super().__new__(cls)
                    inst._init(key, in_memory=in_memory)
                    cls._instances[key] = inst
        inst.idle_release_s = max(float(idle_release_s), getattr(inst, "idle_release_s", 0.0))
        inst.lock_timeout_s = float(lock_timeout_s)
        return inst

    def _init(self, path: str, *, in_memory: bool = False) -> None:
        self.location = path
        self.in_memory = in_memory
        self._mutex = threading.Lock()
        self._write_lock = threading.Lock()
        self._con: Any = None
        self._lockfile: Any = None
        self._users = 0
        self._generation = 0
        self._pid = os.getpid()

    def _acquire(self) -> Any:
        import duckdb

        with self._mutex:
            if self._pid != os.getpid():  # forked child: the parent's handles are not ours
                self._init(self.location, in_memory=self.in_memory)
            if self._con is None and self.in_memory:
                self._con = duckdb.connect(self.location)
                self._con.execute("SET TimeZone = 'UTC'")
            elif self._con is None:
                Path(self.location).parent.mkdir(parents=True, exist_ok=True)
                fh = open(self.location + ".lock", "a+")  # noqa: SIM115 - held while open
                deadline = time.monotonic() + self.lock_timeout_s
                while True:
                    try:
                        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        break
                    except BlockingIOError:
                        if time.monotonic() > deadline:
                            fh.close()
                            raise StoreBusy(
                                f"{self.location} is held by another process "
                                f"for more than {self.lock_timeout_s} s"
                            ) from None
                        time.sleep(0.01)
                self._lockfile = fh
                try:
                    self._con = duckdb.connect(self.location)
                    self._con.execute("SET TimeZone = 'UTC'")
                except BaseException:
                    fh.close()
                    self._lockfile = None
                    raise
            self._users += 1
            self._generation += 1
            return self._con

    def _release(self) -> None:
        with self._mutex:
            self._users -= 1
            if self._users > 0 or self.in_memory:  # in memory: open until close()
                return
            if self.idle_release_s <= 0:
                self._close_locked()
                return
            gen = self._generation
            timer = threading.Timer(self.idle_release_s, self._close_if_idle, args=(gen,))
            timer.daemon = True
            timer.start()

    def _close_if_idle(self, generation: int) -> None:
        with self._mutex:
            if self._users == 0 and self._generation == generation:
                self._close_locked()

    def _close_locked(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None
        if self._lockfile is not None:
            self._lockfile.close()  # closing the descriptor drops the flock
            self._lockfile = None

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        """Keep the file open (and the other processes waiting) for a group of operations."""
        self._acquire()
        try:
            yield
        finally:
            self._release()

    @contextlib.contextmanager
    def read(self) -> Iterator[Any]:
        """Yield a cursor on the shared connection."""
        con = self._acquire()
        try:
            cur = con.cursor()
            try:
                yield cur
            finally:
                cur.close()
        finally:
            self._release()

    @contextlib.contextmanager
    def write(self) -> Iterator[Any]:
        """Yield a cursor inside a transaction; one writer per process at a time."""
        con = self._acquire()
        try:
            with self._write_lock:
                cur = con.cursor()
                try:
                    cur.execute("BEGIN TRANSACTION")
                    try:
                        yield cur
                    except BaseException:
                        cur.execute("ROLLBACK")
                        raise
                    cur.execute("COMMIT")
                finally:
                    cur.close()
        finally:
            self._release()

    def data_version(self) -> Any:
        """Size and modification time of the database file and its write-ahead log.

        A commit by any process appends to the log (or checkpoints it into the
        file), so the value changes with every write; two ``stat`` calls, a few µs.
        """
        if self.in_memory:
            return None
        out = []
        for path in (self.location, self.location + ".wal"):
            try:
                st = os.stat(path)
                out += [st.st_size, st.st_mtime_ns]
            except OSError:
                out += [-1, -1]
        return tuple(out)

    def register(self, cur: Any, name: str, table: pa.Table, ddl: str) -> None:
        """Let DuckDB scan the Arrow table in place (no copy, no row loop)."""
        cur.register(name, table)

    def close(self) -> None:
        """Close the file now if nobody uses it."""
        with self._mutex:
            if self._users == 0:
                self._close_locked()


class PostgresBackend(Backend):
    """PostgreSQL shared by several governments (psycopg 3), a small connection pool.

    Parameters
    ----------
    dsn : str
        ``postgresql://user:password@host:port/db``.
    pool_size : int
        Connections kept open for reuse.
    """

    name = "postgres"

    def __init__(self, dsn: str, pool_size: int = 8) -> None:
        self.location = dsn.split("@")[-1]
        self._dsn = dsn
        self._pool: list[Any] = []
        self._pool_size = pool_size
        self._mutex = threading.Lock()

    def _get(self) -> Any:
        import psycopg

        with self._mutex:
            while self._pool:
                con = self._pool.pop()
                if not con.closed:
                    return con
        con = psycopg.connect(self._dsn, autocommit=False)
        with con.cursor() as cur:
            cur.execute("SET TIME ZONE 'UTC'")
        con.commit()
        return con

    def _put(self, con: Any) -> None:
        with self._mutex:
            if len(self._pool) < self._pool_size and not con.closed:
                self._pool.append(con)
                return
        con.close()

    @contextlib.contextmanager
    def _transaction(self, lock: bool) -> Iterator[Any]:
        con = self._get()
        try:
            with con.cursor() as cur:
                if lock:
                    # One writer at a time across every process of the deployment:
                    # revision numbers are assigned from the latest stored one.
                    cur.execute("SELECT pg_advisory_xact_lock(7163420261)")
                yield cur
            con.commit()
        except BaseException:
            with contextlib.suppress(Exception):
                con.rollback()
            con.close()
            raise
        self._put(con)

    def read(self) -> contextlib.AbstractContextManager[Any]:
        """Yield a cursor in a read transaction."""
        return self._transaction(lock=False)

    def write(self) -> contextlib.AbstractContextManager[Any]:
        """Yield a cursor in a write transaction holding the writers' advisory lock."""
        return self._transaction(lock=True)

    def sql(self, query: str) -> str:
        """Use psycopg's ``%s`` placeholders."""
        return query.replace("?", "%s")

    def register(self, cur: Any, name: str, table: pa.Table, ddl: str) -> None:
        """Copy the Arrow table into a temporary table dropped at commit."""
        cur.execute(f"CREATE TEMP TABLE {name} ({ddl}) ON COMMIT DROP")
        if table.num_rows == 0:
            return
        import pyarrow.csv as pacsv

        buf = io.BytesIO()
        pacsv.write_csv(table, buf, pacsv.WriteOptions(include_header=False))
        cols = ", ".join(table.column_names)
        with cur.copy(f"COPY {name} ({cols}) FROM STDIN WITH (FORMAT csv)") as copy:
            copy.write(buf.getvalue())

    def close(self) -> None:
        """Close the pooled connections."""
        with self._mutex:
            for con in self._pool:
                con.close()
            self._pool.clear()


def backend_for(url: str | Path, *, idle_release_s: float = 0.0) -> Backend:
    """Open the backend named by ``url``.

    Parameters
    ----------
    url : str or Path
        ``postgresql://...`` (or ``postgres://``) for PostgreSQL; otherwise a
        DuckDB file path, optionally written ``duckdb:///path``.
    idle_release_s : float
        For DuckDB: seconds the file stays open after use, s.
    """
    text = str(url)
    if text.startswith(("postgresql://", "postgres://")):
        return PostgresBackend(text)
    if text.startswith("duckdb://"):
        text = text[len("duckdb://"):]
    return DuckDBBackend(text, idle_release_s=idle_release_s)
