"""Execution: chunks of runs through the batched engine, on any executor, streamed to Parquet.

The runs of an experiment are numbered ``run = (policy · S + scenario) · R +
replication`` (S scenarios, R replications) and cut into contiguous chunks
of ``chunk_size`` runs.  Each chunk is one task: it builds the parameter
arrays and lever intensities of its runs, calls
:func:`coopgov.dynamics.engine.simulate` once (all runs of the chunk
batched along the scenario axis), reduces the runs to outcomes and returns
an Arrow table.  The driver writes every finished chunk to
``chunks/chunk-NNNNNN.parquet`` atomically as soon as it arrives and keeps
only a bounded number of chunks in flight, so results are never all held in
memory.  A chunk file that exists is complete; an interrupted experiment is
resumed by running it again into the same folder: finished chunks are
skipped.

Tasks go to any :class:`concurrent.futures.Executor`: a process pool by
default, the executor of a Dask ``distributed`` client when a scheduler
address or a local cluster is asked for, or an in-process serial executor.
Random streams (agent-based replications) are seeded per run from
:func:`coopgov.experiments.sampling.run_seed`, so results do not depend on
the executor or the chunking.
"""

from __future__ import annotations

import contextlib
import io
import json
import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from coopgov.errors import InputError
from coopgov.experiments.outcomes import outcome_columns, reduce_outcomes
from coopgov.experiments.sampling import design, factors, run_seed
from coopgov.experiments.spec import ExperimentSpec
from coopgov.io import atomic_write_bytes, atomic_write_text
from coopgov.model.levers import LEVER_NAMES
from coopgov.model.parameters import PARAMETER_INFO

__all__ = [
    "SerialExecutor",
    "ChunkTask",
    "RunSummary",
    "run_chunk",
    "run_experiment",
    "plan_chunks",
    "load_manifest",
    "load_spec_from_results",
    "load_results",
    "executor_for",
    "MANIFEST",
]

MANIFEST = "manifest.json"
#: Scenarios the engine integrates together inside a chunk.  Small batches keep
#: the integrator's working set in cache: measured here 0.62 ms/run at 128
#: against 0.95 ms/run at the engine's default 512 (results are identical).
ENGINE_BATCH = 128
FORMAT_VERSION = 1


class SerialExecutor(Executor):
    """Runs each task in the calling process when submitted (no parallelism)."""

    def submit(self, fn, /, *args, **kwargs):  # noqa: D102
        fut: Future = Future()
        try:
            fut.set_result(fn(*args, **kwargs))
        except Exception as exc:  # noqa: BLE001 - delivered through the future
            fut.set_exception(exc)
        return fut


@dataclass(frozen=True)
class ChunkTask:
    """One chunk of runs, self-contained (picklable) for a worker.

    Attributes
    ----------
    spec : ExperimentSpec
    index : int
        Chunk number.
    runs : ndarray of int64, shape (K,)
        Run ids.
    policy : ndarray of int64, shape (K,)
        Policy index of each run (into ``spec.policy_list()``).
    scenario : ndarray of int64, shape (K,)
    replication : ndarray of int64, shape (K,)
    values : ndarray, shape (K, D)
        Factor values of each run [factor units].
    """

    spec: ExperimentSpec
    index: int
    runs: np.ndarray
    policy: np.ndarray
    scenario: np.ndarray
    replication: np.ndarray
    values: np.ndarray


@dataclass
class RunSummary:
    """What :func:`run_experiment` did.

    Attributes
    ----------
    out : Path
    n_runs, n_chunks : int
    chunks_run, chunks_skipped : int
        Chunks computed now / found finished on disk.
    seconds : float
        Wall time [s].
    executor : str
    complete : bool
        All chunks are on disk.
    """

    out: Path
    n_runs: int
    n_chunks: int
    chunks_run: int
    chunks_skipped: int
    seconds: float
    executor: str
    complete: bool
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form."""
        return {
            "out": str(self.out),
            "n_runs": self.n_runs,
            "n_chunks": self.n_chunks,
            "chunks_run": self.chunks_run,
            "chunks_skipped": self.chunks_skipped,
            "seconds": round(self.seconds, 3),
            "executor": self.executor,
            "complete": self.complete,
            "runs_per_second": (
                round(self.n_runs / self.seconds, 1)
                if self.chunks_run == self.n_chunks and self.seconds > 0
                else None
            ),
            **self.extra,
        }


# --- worker side -------------------------------------------------------------


@lru_cache(maxsize=4)
def _city(region: str):
    from coopgov.model import city_data
    from coopgov.region import load_region

    return city_data(load_region(region))


def _inputs(task: ChunkTask) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Parameter arrays (K,) and lever intensities (K, Y, L) of the chunk's runs."""
    spec = task.spec
    k = task.runs.shape[0]
    y = spec.experiment.years
    params = {
        name: np.full(k, float(spec.parameters.get(name, info.default)))
        for name, info in PARAMETER_INFO.items()
    }
    intensity = np.zeros((k, y, len(LEVER_NAMES)))
    lever_index = {name: j for j, name in enumerate(LEVER_NAMES)}
    for j, f in enumerate(factors(spec)):
        if f.kind == "parameter":
            params[f.name] = task.values[:, j].astype(float)
        else:
            intensity[:, :, lever_index[f.name]] = task.values[:, j][:, None]
    for p, pol in enumerate(spec.policy_list()):
        rows = task.policy == p
        if not rows.any():
            continue
        first = 0 if pol.from_year is None else pol.from_year - spec.experiment.start_year
        for lever, level in pol.levers.items():
            intensity[rows, first:, lever_index[lever]] = level
    return params, intensity


def _agent_based(sim, task: ChunkTask) -> np.ndarray:
    """Replace the mean-field trajectories by seeded agent-based runs, (K, Y+1, N).

    The same model at the same rates (:func:`coopgov.dynamics.abm.run_abm`).
    """
    from coopgov.dynamics.abm import ABMConfig, city_agents, run_abm

    spec = task.spec
    ab = spec.agent_based
    agents = city_agents(np.full(sim.city.n, ab.agents_per_city))
    config = ABMConfig(steps_per_year=ab.steps_per_year)
    out = np.empty_like(sim.cooperation)
    for s in range(sim.n_scenarios):
        seed = int(run_seed(spec.sampler.seed, int(task.runs[s])).generate_state(1, np.uint64)[0])
        out[s] = run_abm(agents, sim, s, replications=1, seed=seed, config=config).city_cooperation[
            0
        ]
    return out


def _one_blas_thread():
    """Limit BLAS to one thread while a chunk runs.

    The engine's per-step products are small ((K, N) @ (N, 2N)); a
    multi-threaded BLAS spends more time synchronising than computing, and
    several workers each spawning BLAS threads oversubscribe the cores
    (measured here: 0.4 s instead of 4-8 s for 550 runs).  Parallelism comes
    from the executor instead.
    """
    controller = _blas_controller()
    if controller is None:  # pragma: no cover - optional (a scikit-learn dependency)
        return contextlib.nullcontext()
    return controller.limit(limits=1, user_api="blas")


@lru_cache(maxsize=1)
def _blas_controller():
    """The process's thread-pool controller, made once.

    Finding the loaded libraries scans every shared object of the process
    (measured 40 ms in a worker, more than a tenth of a 1,024-run chunk).
    """
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # pragma: no cover - optional (a scikit-learn dependency)
        return None
    return ThreadpoolController()


def run_chunk(task: ChunkTask) -> pa.Table:
    """Run one chunk and reduce it to outcomes (the worker's job).

    BLAS is limited to one thread meanwhile (see :func:`_one_blas_thread`).

    Returns
    -------
    pyarrow.Table
        Columns ``run``, ``policy``, ``scenario``, ``replication``, the
        factors, then the outcomes (:func:`outcome_columns`).
    """
    with _one_blas_thread():
        return _run_chunk(task)


def _run_chunk(task: ChunkTask) -> pa.Table:
    from coopgov.dynamics.engine import simulate

    spec = task.spec
    city = _city(spec.experiment.region)
    params, intensity = _inputs(task)
    sim = simulate(
        city,
        params,
        intensity,
        years=spec.experiment.years,
        start_year=spec.experiment.start_year,
        steps_per_year=spec.experiment.steps_per_year,
        chunk_size=ENGINE_BATCH,
        method=spec.experiment.integrator,
        tolerance=spec.experiment.tolerance,
    )
    if spec.experiment.engine == "agent_based":
        sim = replace(sim, cooperation=_agent_based(sim, task))
    outcomes = reduce_outcomes(sim, spec)
    names = spec.policy_names()
    cols: dict[str, Any] = {
        "run": pa.array(task.runs, pa.int64()),
        "policy": pa.array([names[p] for p in task.policy], pa.string()),
        "scenario": pa.array(task.scenario, pa.int64()),
        "replication": pa.array(task.replication, pa.int32()),
    }
    for j, f in enumerate(factors(spec)):
        cols[f.name] = pa.array(task.values[:, j], pa.float64())
    for name, values in outcomes.items():
        cols[name] = pa.array(values, pa.float64())
    return pa.table(cols)


# --- driver side -------------------------------------------------------------


def plan_chunks(
    spec: ExperimentSpec, chunk_size: int | None = None, scenario_values: np.ndarray | None = None
) -> Iterator[ChunkTask]:
    """Yield the chunk tasks of ``spec`` in order (lazily)."""
    size = chunk_size or spec.experiment.chunk_size
    values = design(spec).to_numpy() if scenario_values is None else scenario_values
    n_sc = spec.n_scenarios
    reps = spec.experiment.replications
    n_runs = spec.n_runs
    for index, lo in enumerate(range(0, n_runs, size)):
        runs = np.arange(lo, min(lo + size, n_runs), dtype=np.int64)
        policy, rem = np.divmod(runs, n_sc * reps)
        scenario, rep = np.divmod(rem, reps)
        yield ChunkTask(spec, index, runs, policy, scenario, rep, values[scenario])


def _chunk_path(out: Path, index: int) -> Path:
    return out / "chunks" / f"chunk-{index:06d}.parquet"


def _table_bytes(table: pa.Table) -> bytes:
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd")
    return buf.getvalue()


def load_manifest(out: str | Path) -> dict[str, Any]:
    """Read the manifest of a results folder."""
    path = Path(out) / MANIFEST
    if not path.is_file():
        raise InputError("not an experiment results folder (no manifest.json)", file=str(out))
    return json.loads(path.read_text())


def load_spec_from_results(out: str | Path) -> ExperimentSpec:
    """Read the spec a results folder was produced from."""
    return ExperimentSpec.model_validate_json((Path(out) / "spec.json").read_text())


def engine_revision(spec: ExperimentSpec) -> str:
    """The engine and revision of its numerics the spec's runs use, e.g. ``mean_field/riccati/2``.

    Stored in the manifest; a folder of another revision is not resumed.
    """
    from coopgov.dynamics import abm, replicator  # imported where runs are made (numba)

    ex = spec.experiment
    if ex.engine == "agent_based":
        return f"agent_based/{abm.REVISION}"
    return f"mean_field/{ex.integrator}/{replicator.REVISION[ex.integrator]}"


def _prepare(spec: ExperimentSpec, out: Path, chunk_size: int) -> tuple[dict[str, Any], bool]:
    """Create the results folder or check that it holds this experiment."""
    fingerprint = spec.fingerprint()
    if (out / MANIFEST).is_file():
        manifest = load_manifest(out)
        if manifest.get("fingerprint") != fingerprint:
            raise InputError(
                "the folder holds results of a different experiment; choose "
                "another --out or remove it",
                file=str(out),
                field="fingerprint",
                value=manifest.get("fingerprint", "")[:12],
            )
        if manifest.get("engine_revision") != engine_revision(spec):
            raise InputError(
                "the folder holds runs of another revision of the engine's numerics "
                f"({engine_revision(spec)} now), which would mix with new runs; choose "
                "another --out or remove it",
                file=str(out / MANIFEST),
                field="engine_revision",
                value=manifest.get("engine_revision"),
            )
        return manifest, True
    out.mkdir(parents=True, exist_ok=True)
    city = _city(spec.experiment.region)
    d = design(spec)
    manifest = {
        "format": FORMAT_VERSION,
        "name": spec.experiment.name,
        "fingerprint": fingerprint,
        "engine_revision": engine_revision(spec),
        "n_runs": spec.n_runs,
        "n_scenarios": spec.n_scenarios,
        "policies": spec.policy_names(),
        "replications": spec.experiment.replications,
        "factors": [
            {
                "name": f.name,
                "kind": f.kind,
                "low": f.low,
                "high": f.high,
                "unit": f.unit,
                "distribution": f.dist.distribution,
            }
            for f in factors(spec)
        ],
        "outcomes": outcome_columns(spec, city.adcode.tolist()),
        "adcodes": city.adcode.tolist(),
        "city_names": [str(x) for x in city.name],
        "chunk_size": chunk_size,
        "n_chunks": -(-spec.n_runs // chunk_size),
        "complete": False,
    }
    atomic_write_text(out / "spec.json", spec.model_dump_json(indent=2))
    atomic_write_bytes(
        out / "design.parquet",
        _table_bytes(pa.Table.from_pandas(d.reset_index(), preserve_index=False)),
    )
    atomic_write_text(out / MANIFEST, json.dumps(manifest, indent=2))
    return manifest, False


@contextlib.contextmanager
def executor_for(
    *, processes: int | None = None, workers: int | None = None, scheduler: str | None = None
) -> Iterator[tuple[Executor, str, int]]:
    """Open the executor asked for; yields ``(executor, description, slots)``.

    Parameters
    ----------
    processes : int, optional
        Size of the default process pool (default: the number of CPUs);
        ``0`` runs in-process.
    workers : int, optional
        Start a local Dask cluster of this many single-threaded worker
        processes (loopback only).
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://host:port``).
    """
    if scheduler is not None or workers is not None:
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover - dask is an optional extra
            raise InputError(
                "Dask execution needs the 'distributed' package "
                "(pip install 'coopgov[experiments]')"
            ) from exc
        cluster = None
        try:
            if scheduler is not None:
                client = Client(scheduler, timeout="20s")
                desc = f"dask scheduler {scheduler}"
            else:
                assert workers is not None  # no scheduler: a local cluster was asked for
                cluster = LocalCluster(
                    n_workers=int(workers),
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address=None,
                )
                client = Client(cluster)
                desc = f"dask local cluster ({workers} workers)"
        except OSError as exc:
            if cluster is not None:
                cluster.close()
            raise InputError(
                f"cannot reach the Dask scheduler: {exc}", field="scheduler", value=scheduler
            ) from None
        try:
            slots = max(1, sum(client.nthreads().values()))
            yield client.get_executor(pure=False), desc, slots
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
        return
    n = (os.cpu_count() or 1) if processes is None else processes
    if n == 0:
        yield SerialExecutor(), "in-process", 1
        return
    pool = ProcessPoolExecutor(max_workers=n, mp_context=_pool_context())
    try:
        yield pool, f"process pool ({n} processes)", n
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _slots(executor: Executor) -> int:
    """Tasks a given executor runs at once (process pool, Dask client executor, serial)."""
    if isinstance(executor, SerialExecutor):
        return 1
    client = getattr(executor, "_client", None)  # distributed's ClientExecutor
    if client is not None:
        with contextlib.suppress(Exception):
            return max(1, sum(client.nthreads().values()))
    return int(getattr(executor, "_max_workers", 0) or os.cpu_count() or 1)


def _pool_context():
    """Start method of the process pool: ``fork`` where the platform has it.

    Forked workers start with the caller's imports, region data and compiled
    kernels; spawned ones import and load everything again (about 2 s each
    here).  The start method is pinned because a library may change the
    global default behind the caller's back (``import mesa`` sets ``spawn``,
    which made a 20,000-run sweep 1.8 times slower).  Elsewhere (macOS,
    Windows) the platform's default is used.
    """
    if sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return None


def _check_execution(executor: Executor | None, workers: int | None, scheduler: str | None) -> None:
    """Refuse contradictory ways of choosing where the chunks run."""
    if executor is not None and (workers is not None or scheduler is not None):
        raise InputError("give either an executor or workers/scheduler", field="executor")
    if workers is not None and scheduler is not None:
        raise InputError("give either --workers or --scheduler, not both", field="workers")


def _progress_callback(progress: Any) -> Callable[[int], None] | None:
    """The caller's progress callback (``False``, an older spelling of none, gives None)."""
    if progress is None or progress is False:
        return None
    if not callable(progress):
        raise TypeError("progress must be a callable taking the number of runs just completed")
    return progress


def _execution(
    executor: Executor | None,
    *,
    processes: int | None,
    workers: int | None,
    scheduler: str | None,
    budget: int,
) -> contextlib.AbstractContextManager[tuple[Executor, str, int]]:
    """The executor the chunks go to: the caller's, or one opened by :func:`executor_for`.

    A run of a single chunk is computed in-process unless a pool size is given
    (starting a pool would cost more than the chunk).
    """
    if executor is not None:
        return contextlib.nullcontext((executor, "given executor", _slots(executor)))
    return executor_for(
        processes=processes if processes is not None else (0 if budget == 1 else None),
        workers=workers,
        scheduler=scheduler,
    )


def _write_chunk(out: Path, index: int, table: pa.Table) -> None:
    """Write one finished chunk atomically (a chunk file that exists is complete)."""
    atomic_write_bytes(_chunk_path(out, index), _table_bytes(table))


def _run_chunks(
    ex: Executor,
    slots: int,
    todo: Iterator[ChunkTask],
    budget: int,
    out: Path,
    report: Callable[[int], None] | None,
) -> int:
    """Submit ``budget`` chunks, at most ``2 * slots`` in flight; write each as it finishes.

    Returns the number of chunks written.  On any error or interruption the
    chunks that did finish are written before the error propagates (the
    experiment resumes from them); the others are cancelled.
    """
    window = 2 * slots
    pending: dict[Future, int] = {}
    submitted = ran = 0
    try:
        while submitted < budget or pending:
            while submitted < budget and len(pending) < window:
                task = next(todo)
                pending[ex.submit(run_chunk, task)] = task.index
                submitted += 1
            finished, _ = wait(list(pending), return_when=FIRST_COMPLETED)
            # write every good chunk first, then report a failed one
            for fut in sorted(finished, key=lambda f: f.exception() is not None):
                index = pending.pop(fut)
                table = fut.result()
                _write_chunk(out, index, table)
                ran += 1
                if report is not None:
                    report(table.num_rows)
    except BaseException:
        for fut, index in pending.items():
            if fut.done() and not fut.cancelled() and fut.exception() is None:
                _write_chunk(out, index, fut.result())
            else:
                fut.cancel()
        raise
    return ran


def _mark_complete(out: Path, manifest: dict[str, Any]) -> None:
    """Record in the manifest that every chunk is written (once)."""
    if not manifest.get("complete"):
        manifest["complete"] = True
        atomic_write_text(out / MANIFEST, json.dumps(manifest, indent=2))


def run_experiment(
    spec: ExperimentSpec,
    out: str | Path,
    *,
    executor: Executor | None = None,
    processes: int | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    chunk_size: int | None = None,
    max_chunks: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> RunSummary:
    """Run (or resume) an experiment into the folder ``out``.

    Parameters
    ----------
    spec : ExperimentSpec
        The experiment.
    out : str or Path
        Results folder: ``manifest.json``, ``spec.json``, ``design.parquet``
        and ``chunks/chunk-NNNNNN.parquet``.
    executor : concurrent.futures.Executor, optional
        Use this executor (the caller owns it); otherwise one is opened by
        :func:`executor_for` from ``processes``, ``workers``, ``scheduler``.
    processes : int, optional
        Size of the default process pool (default: CPUs; 0: in-process).
    workers : int, optional
        Run on a local Dask cluster of this many worker processes.
    scheduler : str, optional
        Run on the Dask cluster of this scheduler address.
    chunk_size : int, optional
        Runs per chunk (default the spec's); a resumed experiment keeps the
        chunking it started with.
    max_chunks : int, optional
        Compute at most this many chunks now and stop (an incremental run);
        the rest are computed when the experiment is run again.
    progress : callable, optional
        Called with the number of runs just completed, in the calling
        process, as each chunk is written (out of ``spec.n_runs``); when an
        experiment resumes, first once with the runs of the chunks already
        written.  The library draws nothing: the command line draws its bar
        from this callback, as :func:`coopgov.scenarios.run.run_scenarios`
        does.

    Returns
    -------
    RunSummary
    """
    t0 = time.perf_counter()
    out = Path(out)
    _check_execution(executor, workers, scheduler)
    report = _progress_callback(progress)
    manifest, resumed = _prepare(spec, out, chunk_size or spec.experiment.chunk_size)
    size = int(manifest["chunk_size"])
    n_chunks = int(manifest["n_chunks"])
    done = {i for i in range(n_chunks) if _chunk_path(out, i).is_file()}
    todo = (t for t in plan_chunks(spec, size) if t.index not in done)
    left = n_chunks - len(done)
    budget = left if max_chunks is None else min(max_chunks, left)
    runs_done = sum(min(size, spec.n_runs - i * size) for i in done)
    if report is not None and runs_done:
        report(runs_done)
    ran = 0
    desc = "none"
    if budget > 0:
        ctx = _execution(
            executor, processes=processes, workers=workers, scheduler=scheduler, budget=budget
        )
        with ctx as (ex, desc, slots):
            ran = _run_chunks(ex, slots, todo, budget, out, report)
    complete = len(done) + ran == n_chunks
    if complete:
        _mark_complete(out, manifest)
    return RunSummary(
        out=out,
        n_runs=spec.n_runs,
        n_chunks=n_chunks,
        chunks_run=ran,
        chunks_skipped=len(done),
        seconds=time.perf_counter() - t0,
        executor=desc,
        complete=complete,
        extra={"resumed": resumed},
    )


def load_results(
    out: str | Path, columns: list[str] | None = None, policies: list[str] | None = None
) -> pd.DataFrame:
    """Read the finished chunks of a results folder, sorted by run.

    Parameters
    ----------
    out : str or Path
        Results folder.
    columns : list of str, optional
        Only these columns (``run`` is always read); reading a few columns of
        a large experiment touches only those columns on disk.
    policies : list of str, optional
        Only runs under these policies.
    """
    import pyarrow.dataset as ds

    folder = Path(out) / "chunks"
    files = sorted(folder.glob("chunk-*.parquet"))
    if not files:
        raise InputError("no finished chunks: run the experiment first", file=str(out))
    dataset = ds.dataset([str(f) for f in files], format="parquet")
    cols = None if columns is None else list(dict.fromkeys(["run", *columns]))
    filt = None if policies is None else ds.field("policy").isin(policies)
    table = dataset.to_table(columns=cols, filter=filt)
    return table.to_pandas().sort_values("run", kind="stable").reset_index(drop=True)
