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

__all__ = [
    "StoreBusy",
    "StoreUnavailable",
    "ServerAlreadyRunning",
    "Backend",
    "DuckDBBackend",
    "PostgresBackend",
    "backend_for",
]


class StoreUnavailable(CoopgovError):
    """The store cannot serve the operation now (disk full, read-only, server down).

    ``reason`` is a short phrase safe to show to an HTTP caller: it never holds
    a filesystem path or a connection string (the full message does, for the
    operator's command line and log).
    """

    def __init__(self, message: str, reason: str = "the store is unavailable") -> None:
        super().__init__(message)
        self.reason = reason


class StoreBusy(StoreUnavailable):
    """Another process held the embedded store for longer than the lock timeout."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "the store is held by another process; retry later")


class ServerAlreadyRunning(CoopgovError):
    """A second server was started on an embedded (single-process) store."""


def _fault_reason(exc: BaseException) -> str:
    """A caller-safe phrase for a storage fault (no path, no connection string)."""
    text = str(exc).lower()
    if (
        "no space" in text
        or "disk full" in text
        or "file too large" in text
        or "could not extend" in text
    ):
        return "the store's disk is full"
    if "read-only" in text or "read only" in text or "permission denied" in text:
        return "the store is read-only"
    if "connection" in text or "server closed" in text or "timeout" in text:
        return "the database server is unreachable"
    return "the store failed to complete the operation"


def storage_fault(exc: BaseException) -> StoreUnavailable:
    """Wrap an engine or operating-system error of the store as :class:`StoreUnavailable`."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return StoreUnavailable(f"{type(exc).__name__}: {first}", _fault_reason(exc))


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

    def claim_server(self) -> None:
        """Refuse a second server process where the engine takes only one (no-op here)."""

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
    idle_release_s: float
    lock_timeout_s: float
    _instances: dict[str, DuckDBBackend] = {}
    _instances_lock = threading.Lock()

    def __new__(
        cls, path: str | Path, idle_release_s: float = 0.0, lock_timeout_s: float = 60.0
    ) -> DuckDBBackend:
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
                found = cls._instances.get(key)
                if found is None:
                    inst = super().__new__(cls)
                    inst._init(key, in_memory=in_memory)
                    cls._instances[key] = inst
                else:
                    inst = found
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
        self._broken = False
        self._server_lock: Any = None

    def _acquire(self) -> Any:
        try:
            return self._acquire_unchecked()
        except (StoreUnavailable, CoopgovError):
            raise
        except Exception as exc:  # cannot create, open or lock the file
            if _is_storage_fault(exc):
                raise storage_fault(exc) from exc
            raise

    def _acquire_unchecked(self) -> Any:
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
            if self._users == 0 and self._broken and not self.in_memory:
                self._broken = False  # an invalidated database: reopen at the next use
                self._close_locked()
                return
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
        except Exception as exc:
            raise self._translate(exc) from exc
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
        except Exception as exc:
            raise self._translate(exc) from exc
        finally:
            self._release()

    def _translate(self, exc: Exception) -> Exception:
        """Storage faults become :class:`StoreUnavailable`; anything else is returned as is."""
        import duckdb

        if isinstance(exc, duckdb.FatalException):
            self._broken = True  # DuckDB invalidated the database: reopen it next time
        if _is_storage_fault(exc):
            return storage_fault(exc)
        return exc

    def claim_server(self) -> None:
        """Mark this process as the one server of the file (refuse a second one).

        An embedded store is single-process: a second server on the same file
        would take turns with the first for every request (a read can wait
        for the lock timeout).  The claim is an exclusive ``flock`` on
        ``<db>.server`` held for the life of the process.

        Raises
        ------
        ServerAlreadyRunning
            Another process serves this file.
        """
        if self.in_memory or self._server_lock is not None:
            return
        Path(self.location).parent.mkdir(parents=True, exist_ok=True)
        fh = open(self.location + ".server", "a+")  # noqa: SIM115 - held for the process's life
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            pid = fh.read().strip() or "?"
            fh.close()
            raise ServerAlreadyRunning(
                f"another coopgov server (pid {pid}) already serves {self.location}; an "
                "embedded DuckDB store takes one server process: stop it, or use PostgreSQL "
                "for several servers"
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        self._server_lock = fh

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
    """PostgreSQL shared by several governments (psycopg 3), a connection pool.

    Connections come from a :class:`psycopg_pool.ConnectionPool`: at most
    ``pool_size`` are open, a request waits for a free one (up to
    ``pool_timeout_s``) rather than opening its own, and an idle pool keeps
    ``min_size`` open.

    Parameters
    ----------
    dsn : str
        ``postgresql://user:password@host:port/db``.
    pool_size : int
        Largest number of open connections (``$COOPGOV_PG_POOL_SIZE``; default 16).
    pool_timeout_s : float
        Longest wait for a free connection, s.
    """

    name = "postgres"

    def __init__(
        self, dsn: str, pool_size: int | None = None, pool_timeout_s: float = 30.0
    ) -> None:
        self.location = dsn.split("@")[-1].split("?")[0]
        self._dsn = dsn
        self._pool_size = int(pool_size or os.environ.get("COOPGOV_PG_POOL_SIZE") or 16)
        self._pool_timeout_s = float(pool_timeout_s)
        self._pool: Any = None
        self._mutex = threading.Lock()
        self._pid = os.getpid()

    @staticmethod
    def _configure(con: Any) -> None:
        con.execute("SET TIME ZONE 'UTC'")
        con.commit()

    def _get_pool(self) -> Any:
        with self._mutex:
            if self._pool is None or self._pid != os.getpid():
                from psycopg_pool import ConnectionPool

                self._pid = os.getpid()
                self._pool = ConnectionPool(
                    self._dsn,
                    min_size=min(2, self._pool_size),
                    max_size=self._pool_size,
                    kwargs={"autocommit": False},
                    configure=self._configure,
                    timeout=self._pool_timeout_s,
                    open=False,
                    name="coopgov-store",
                )
                try:
                    self._pool.open(wait=True, timeout=self._pool_timeout_s)
                except Exception as exc:
                    self._pool.close()
                    self._pool = None
                    raise storage_fault(exc) from exc
            return self._pool

    @property
    def connections_opened(self) -> int:
        """Connections opened by the pool since it started (for the load benchmark)."""
        pool = self._pool
        return 0 if pool is None else int(pool.get_stats().get("connections_num", 0))

    @contextlib.contextmanager
    def _transaction(self, lock: bool) -> Iterator[Any]:
        pool = self._get_pool()
        try:
            with pool.connection() as con, con.cursor() as cur:
                # The pool commits on normal exit and rolls back on an exception.
                if lock:
                    # One writer at a time across every process of the deployment:
                    # revision numbers are assigned from the latest stored one.
                    cur.execute("SELECT pg_advisory_xact_lock(7163420261)")
                yield cur
        except Exception as exc:
            if _is_storage_fault(exc):
                raise storage_fault(exc) from exc
            raise

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
        """Close the pool and its connections."""
        with self._mutex:
            if self._pool is not None:
                self._pool.close()
                self._pool = None


def _is_storage_fault(exc: BaseException) -> bool:
    """Whether ``exc`` is a fault of the storage (disk, file system, server), not of the query."""
    if isinstance(exc, StoreUnavailable):
        return False
    if isinstance(exc, OSError):
        return True
    module = type(exc).__module__
    name = type(exc).__name__
    if module.startswith(("duckdb", "_duckdb")):
        text = str(exc).lower()
        return name in (
            "IOException",
            "FatalException",
            "PermissionException",
            "OutOfMemoryException",
        ) or any(
            k in text
            for k in (
                "could not write file",
                "could not read file",
                "no space",
                "file too large",
                "read-only",
                "permission denied",
                "cannot open file",
                "could not truncate",
                "could not fsync",
            )
        )
    if module.startswith(("psycopg", "psycopg_pool")):
        import psycopg

        return isinstance(exc, psycopg.OperationalError) or name in ("PoolTimeout", "PoolClosed")
    return False


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
        text = text[len("duckdb://") :]
    return DuckDBBackend(text, idle_release_s=idle_release_s)
