"""Benchmarks of policy experiments at scale (see benchmarks/EXPERIMENTS.md).

    python benchmarks/bench_experiments.py            # full (about 10 minutes on 2 cores)
    python benchmarks/bench_experiments.py --quick    # smaller sizes
    python benchmarks/bench_experiments.py --only runner,pool,dask --json

Parts (every figure printed with its accuracy, the best alternative, the floor
and the distance to the floor, see benchmarks/harness.py):
  abm         coopgov's ABM against vectorised NumPy, Mesa (as written and with
              event skipping) and the measured floor (benchmarks/bench_abm.py);
              target: within 2x of the floor.
  abm-network the earlier agent rule (network, Fermi/logit) against the same model
              in Mesa (benchmarks/mesa_model.py) and an equivalence check; no target.
  runner      run_experiment's cost per run against the integrator's own cost
              (in-process); target <= 1.3x.
  pool        runs/s of a 20,000-run sweep on 2 processes against the two-core
              floor (measured DGEMM rate / FLOPs per run); target within 2x.
  dask        runs/s on a local Dask cluster of 1, 2 and 4 workers; target:
              linear in workers up to the cores.
  ema         interoperability: EMA Workbench's sampler and perform_experiments
              driving coopgov's batched engine (BatchedEvaluator), against
              run_experiment on the same processes; EMA's per-run evaluator beside.
  dgemm       the core's matrix-product rate: large DGEMM and the engine's small
              (128 x 41) @ (41 x 41) products.
  scaling     runs per second and peak memory from 1e2 to 1e6 agents and from 1e2
              to 1e5 runs (plot written to --plot).
  sobol       Sobol analysis of 16 parameters with N = 1024 (34,816 runs of the
              41-city model, second order, bootstrap CIs) on 2 processes;
              target <= 120 s.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import contextlib  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import math  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

warnings.filterwarnings("ignore", message="ipyparallel not installed")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Row, dgemm_gflops, load, machine, print_rows  # noqa: E402

from coopgov.dynamics.abm_network import NetworkABMConfig as ABMConfig  # noqa: E402
from coopgov.dynamics.abm_network import run_network_abm as run_abm  # noqa: E402
from coopgov.dynamics.networks import watts_strogatz  # noqa: E402
from coopgov.experiments import load_spec, run_experiment, spec_from_dict  # noqa: E402
from coopgov.experiments.analysis import analyze_experiment  # noqa: E402
from coopgov.experiments.ema import LEVER_FREE_PARAMETERS  # noqa: E402
from coopgov.experiments.runner import _city, _one_blas_thread  # noqa: E402
from coopgov.model.forces import ForceContext, affine_coefficients  # noqa: E402
from coopgov.model.parameters import PARAMETER_INFO  # noqa: E402

ROWS: list[Row] = []

#: Floating-point operations of one 30-year, monthly-step run of the 41-city
#: mean-field model (an estimate, coopgov 2026): 360 steps x (2 x 41^2 = 3,362
#: for the dense exposure product x P0, which no scheme avoids, plus about
#: 2,440 for the sparse neighbour sum, the affine force field, the rates and
#: the logistic step over 41 cities) = 2.09 MFLOP, of which 1.21 MFLOP is the
#: dense product.  A lower-bound count: a higher-order scheme does more.
FLOP_PER_RUN = 2.09e6


def record(
    part, figure, value, unit, target=None, baseline=None, ratio=None, ok=None, note="", **kw
) -> Row:
    """Append a row (older parts: a baseline that costs more, so ratio = baseline cost)."""
    row = Row(
        figure=f"[{part}] {figure}",
        value=value,
        unit=unit,
        target=target or "",
        ok=ok,
        note=note,
        load=load(),
        **kw,
    )
    if baseline is not None and "alternative_value" not in kw:
        row.alternative_value = baseline
    ROWS.append(row)
    return row


def default_coefficients(years: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Force-field coefficients (5, Y, 41) of the YRD at default parameters (ABM form)."""
    city = _city("yrd")
    params = {k: np.full((1, 1, 1), v.default) for k, v in PARAMETER_INFO.items()}
    ctx = ForceContext(city=city, params=params)
    coef = np.broadcast_to(affine_coefficients(ctx), (5, 1, years, city.n))
    return np.ascontiguousarray(coef[:, 0]), city.exposure_shares, city.neighbour_weights


# --- abm (the model's rule) -----------------------------------------------------


def bench_abm(quick: bool) -> None:
    import bench_abm as b

    for row in b.bench(quick, 3 if quick else 7):
        row.figure = f"[abm] {row.figure}"
        ROWS.append(row)


# --- abm-network (the earlier rule, kept for the Mesa comparison) ----------------


def _mesa_config(cfg: ABMConfig) -> dict:
    """The same rule parameters for the Mesa model."""
    return {
        "imitation": cfg.imitation,
        "temperature": cfg.temperature,
        "revision": cfg.revision,
        "mutation": cfg.mutation,
        "steps_per_year": cfg.steps_per_year,
    }


def bench_abm_network(quick: bool) -> None:
    import multiprocessing

    from mesa_model import CooperationModel

    # ``import mesa`` forces the "spawn" start method on the whole process
    # (mesa/batchrunner.py); give the platform default back to the later parts
    multiprocessing.set_start_method(None, force=True)
    cfg = ABMConfig()
    m, reps = 1_000, (100 if not quick else 8)
    net = watts_strogatz(m, k=4, p=0.1, seed=1, n_cities=41)
    coef, p0, w = default_coefficients(1)
    ours = run_abm(
        net, coef, p0, w, replications=reps, seed=1, initial=0.3, config=cfg
    ).cooperation_rate[:, -1]
    theirs = np.array(
        [
            CooperationModel(net, coef, p0, w, initial=0.3, seed=50 + r, **_mesa_config(cfg))
            .run_years(1)[-1]
            .mean()
            for r in range(reps)
        ]
    )
    se = math.sqrt(ours.var(ddof=1) / reps + theirs.var(ddof=1) / reps)
    z = abs(ours.mean() - theirs.mean()) / se
    accuracy = (
        f"final cooperation after 1 y, 10^3 agents, {reps} replications: coopgov "
        f"{ours.mean():.4f} ± {ours.std(ddof=1):.4f}, Mesa {theirs.mean():.4f} ± "
        f"{theirs.std(ddof=1):.4f} (|z| {z:.1f})"
    )
    for m in [1_000, 10_000] if quick else [1_000, 10_000, 100_000]:
        net = watts_strogatz(m, k=4, p=0.1, seed=1, n_cities=41)
        years = max(1, math.ceil(1e6 / (m * cfg.steps_per_year)))
        coef, p0, w = default_coefficients(years)
        run_abm(net, coef, p0, w, replications=1, seed=0, config=cfg)  # compile, same layout
        c0 = time.thread_time()
        with _one_blas_thread():
            run_abm(net, coef, p0, w, replications=1, seed=0, config=cfg)
        ours_rate = m * years * cfg.steps_per_year / (time.thread_time() - c0)
        steps = {1_000: 12, 10_000: 3, 100_000: 1}[m]
        model = CooperationModel(net, coef, p0, w, seed=0, **_mesa_config(cfg))
        c0 = time.thread_time()
        for _ in range(steps):
            model.step()
        theirs_rate = m * steps / (time.thread_time() - c0)
        record(
            "abm-network",
            f"updates/s, earlier network rule, {m:,} agents",
            ours_rate,
            "updates/s",
            higher_is_better=True,
            accuracy=accuracy if m == 1_000 else "-",
            alternative=f"Mesa as written (benchmarks/mesa_model.py, {steps} steps) "
            f"{theirs_rate:.3g}",
            alternative_value=theirs_rate,
            note="no target: the model's rule is benchmarked in [abm]; per CPU-second",
        )


# --- runner: run_experiment against the integrator -------------------------------


def _sweep_spec(runs: int, chunk: int = 1024):
    return spec_from_dict(
        {
            "experiment": {"name": "bench-sweep", "years": 30, "chunk_size": chunk},
            "sampler": {"method": "lhs", "n": runs, "seed": 1},
            "uncertainties": {p: {} for p in LEVER_FREE_PARAMETERS[:16]},
            "outcomes": [
                {"name": "final_cooperation"},
                {"name": "pm25_change", "variable": "pm25_change"},
            ],
        }
    )


@contextlib.contextmanager
def _integrator_clock():
    """Accumulate the CPU time spent in the engine's integrator while inside."""
    from coopgov.dynamics import engine

    if not hasattr(engine, "integrate_affine"):
        raise RuntimeError(
            "coopgov.dynamics.engine.integrate_affine not found: update "
            "_integrator_clock to the engine's integrator"
        )
    original = engine.integrate_affine
    spent = [0.0, 0.0]

    def clocked(*args, **kwargs):
        c0, w0 = time.thread_time(), time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent[0] += time.thread_time() - c0
            spent[1] += time.perf_counter() - w0

    engine.integrate_affine = clocked
    try:
        yield spent
    finally:
        engine.integrate_affine = original


def integrator_cost(runs: int, repeat: int) -> dict:
    """Per run: run_experiment in-process, and the integrator within it [s of CPU]."""
    with tempfile.TemporaryDirectory() as tmp:
        run_experiment(_sweep_spec(256, chunk=128), Path(tmp) / "warm", processes=0)
    totals, integ, walls = [], [], []
    lb = load()
    for r in range(repeat):
        with tempfile.TemporaryDirectory() as tmp, _integrator_clock() as spent:
            c0, w0 = time.thread_time(), time.perf_counter()
            run_experiment(_sweep_spec(runs), Path(tmp) / f"r{r}", processes=0)
            totals.append((time.thread_time() - c0) / runs)
            walls.append((time.perf_counter() - w0) / runs)
            integ.append(spent[0] / runs)
    ratios = [t / i for t, i in zip(totals, integ, strict=True)]
    return {
        "total": statistics.median(totals),
        "integrator": statistics.median(integ),
        "ratio": statistics.median(ratios),
        "wall": statistics.median(walls),
        "load": (lb, load()),
    }


def bench_runner(quick: bool) -> dict:
    runs = 2_048 if quick else 8_192
    c = integrator_cost(runs, 3 if quick else 5)
    record(
        "runner",
        f"run_experiment, cost per run ({runs:,} runs in-process)",
        c["total"] * 1e3,
        "ms",
        target="<= 1.3x the integrator's",
        ok=c["ratio"] <= 1.3,
        accuracy="same results as one engine call (tests/experiments/test_runner.py)",
        alternative="EMA Workbench driving the same engine ([ema]); per-run evaluation "
        "is the slower alternative",
        floor=c["integrator"] * 1e3,
        floor_note="(the integrator's own cost in the same runs, integrate_affine)",
        note=f"ratio {c['ratio']:.2f}x (median of per-repeat ratios); CPU time of the "
        f"thread; wall {c['wall'] * 1e3:.3f} ms/run; load {c['load']}",
    )
    return c


# --- pool: 2 processes against the two-core floor --------------------------------


def _two_core_floor(processes: int) -> tuple[float, dict]:
    g = dgemm_gflops(2000, 3)
    return processes * g["cpu"] * 1e9 / FLOP_PER_RUN, g


def bench_pool(quick: bool, processes: int, integ: dict | None) -> None:
    runs = 4_096 if quick else 20_000
    with tempfile.TemporaryDirectory() as tmp:
        run_experiment(_sweep_spec(2 * 1024), Path(tmp) / "warm", processes=processes)
    import resource

    rates, cores = [], []
    lb = load()
    for r in range(1 if quick else 3):
        with tempfile.TemporaryDirectory() as tmp:
            # the pool's workers are waited for when run_experiment returns, so their
            # CPU time is in RUSAGE_CHILDREN: the share of the cores the pool obtained
            u0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            t = time.perf_counter()
            run_experiment(_sweep_spec(runs), Path(tmp) / f"r{r}", processes=processes)
            wall = time.perf_counter() - t
            u1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            rates.append(runs / wall)
            cores.append((u1.ru_utime + u1.ru_stime - u0.ru_utime - u0.ru_stime) / wall)
    la = load()
    rate = statistics.median(rates)
    got = statistics.median(cores)
    floor, g = _two_core_floor(processes)
    integ_rate = processes / integ["integrator"] if integ else None
    record(
        "pool",
        f"runs/s, {runs:,}-run sweep on {processes} processes",
        rate,
        "runs/s",
        higher_is_better=True,
        target=f"within 2x of the {processes}-core floor",
        ok=floor / rate <= 2.0,
        accuracy="same results as in-process (tests/experiments/test_runner.py)",
        alternative=(
            f"the integrator alone on {processes} cores: {integ_rate:,.0f} runs/s"
            if integ_rate
            else "-"
        ),
        alternative_value=integ_rate,
        floor=floor,
        floor_note=(
            f"({processes} x DGEMM {g['cpu']:.1f} GFLOP/s per core / "
            f"{FLOP_PER_RUN / 1e6:.2f} MFLOP per run)"
        ),
        note=f"wall time, pool start-up included; median of {len(rates)}; the workers "
        f"obtained {got:.2f} of {processes} cores (their CPU time / wall time): "
        f"{rate / max(got, 1e-9):,.0f} runs per worker-CPU-second; "
        f"load {lb} -> {la}",
        extra={"cores_obtained": got, "runs_per_cpu_s": rate / max(got, 1e-9)},
    )


# --- dask: scaling with workers ----------------------------------------------------


def _cpu_seconds() -> float:
    """CPU time of the calling process [s] (run on each Dask worker)."""
    import resource

    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


def bench_dask(quick: bool, integ: dict | None) -> None:
    from coopgov.experiments.runner import executor_for

    runs = 4_096 if quick else 16_384
    base = None
    for workers in (1, 2, 4):
        with executor_for(workers=workers) as (ex, desc, slots):
            with tempfile.TemporaryDirectory() as tmp:  # warm every worker (Numba cache)
                run_experiment(_sweep_spec(workers * 512, chunk=512), Path(tmp) / "w", executor=ex)
            client = ex._client
            lb = load()
            c0 = sum(client.run(_cpu_seconds).values())
            with tempfile.TemporaryDirectory() as tmp:
                t = time.perf_counter()
                run_experiment(_sweep_spec(runs), Path(tmp) / "r", executor=ex)
                wall = time.perf_counter() - t
            got = (sum(client.run(_cpu_seconds).values()) - c0) / wall
            rate = runs / wall
            la = load()
        base = base or rate
        usable = min(workers, os.cpu_count() or 1)
        floor = usable / integ["integrator"] if integ else None
        record(
            "dask",
            f"runs/s, local Dask cluster, {workers} worker(s)",
            rate,
            "runs/s",
            higher_is_better=True,
            target="linear in workers up to the cores",
            ok=(rate / base >= 0.75 * usable) if workers > 1 else None,
            accuracy="same results as any executor (tests/experiments/test_dask.py)",
            alternative=f"1 worker: {base:,.0f} runs/s -> speed-up {rate / base:.2f} "
            f"(linear: {workers}; this machine has {os.cpu_count()} cores)",
            floor=floor,
            floor_note=(f"(the integrator alone on {usable} core(s))" if floor else ""),
            note=f"{desc}; {runs:,} runs in chunks of 1,024; the workers obtained "
            f"{got:.2f} cores (their CPU time / wall time): {rate / max(got, 1e-9):,.0f} "
            f"runs per worker-CPU-second; load {lb} -> {la}",
            extra={
                "workers": workers,
                "cores_obtained": got,
                "runs_per_cpu_s": rate / max(got, 1e-9),
            },
        )


# --- ema: interoperability --------------------------------------------------------


def bench_ema(quick: bool, processes: int) -> None:
    from ema_workbench import MultiprocessingEvaluator, ema_logging

    from coopgov.experiments.ema import BatchedEvaluator, coopgov_model, ema_model

    ema_logging.log_to_stderr(logging.ERROR)
    runs = 2_048 if quick else 20_000
    per_run = 500 if quick else 2_000
    model = ema_model(uncertainties=list(LEVER_FREE_PARAMETERS[:16]), levers=[])
    coopgov_model()
    with tempfile.TemporaryDirectory() as tmp:
        run_experiment(_sweep_spec(256, chunk=128), Path(tmp) / "warm", processes=0)
    lb = load()
    t = time.perf_counter()
    with BatchedEvaluator(model, batch_size=1024, processes=processes) as ev:
        ev.perform_experiments(scenarios=runs, log_progress=True)
    batched = runs / (time.perf_counter() - t)
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        run_experiment(_sweep_spec(runs), Path(tmp) / "r", processes=processes)
        ours = runs / (time.perf_counter() - t)
    t = time.perf_counter()
    with MultiprocessingEvaluator(model, n_processes=processes) as ev:
        ev.perform_experiments(scenarios=per_run, log_progress=True)
    per_run_rate = per_run / (time.perf_counter() - t)
    record(
        "ema",
        f"runs/s, EMA's LHS sampler driving the batched engine, {runs:,} runs",
        batched,
        "runs/s",
        higher_is_better=True,
        target="interoperability (no speed target)",
        accuracy="same outcomes as EMA's per-run evaluator (tests/experiments/test_ema.py)",
        alternative=f"run_experiment, same sweep and processes: {ours:,.0f} runs/s; EMA's "
        f"MultiprocessingEvaluator, one model call per run: "
        f"{per_run_rate:,.0f} runs/s ({per_run:,} runs)",
        alternative_value=ours,
        note=f"{processes} processes each; pool start-up included; load {lb} -> {load()}",
    )


# --- dgemm: what one core gives ----------------------------------------------------


def bench_dgemm() -> None:
    big = dgemm_gflops(2000, 5)
    small = dgemm_gflops(41, 5, batch=128)
    square = dgemm_gflops(41, 5, batch=41)
    record(
        "dgemm",
        "DGEMM 2000 x 2000, one core",
        big["cpu"],
        "GFLOP/s",
        higher_is_better=True,
        accuracy="-",
        alternative=f"the engine's small products on one core: (128 x 41) @ (41 x 41) "
        f"{small['cpu']:.1f}, (41 x 41) @ (41 x 41) {square['cpu']:.1f} GFLOP/s",
        alternative_value=small["cpu"],
        note=f"NumPy's BLAS on one thread; per CPU-second (wall: {big['wall']:.1f}, "
        f"{small['wall']:.1f}, {square['wall']:.1f}); the core's AVX2 FMA peak is "
        "16 FLOP per cycle",
    )


# --- scaling -----------------------------------------------------------------


def _measure(fn):
    tracemalloc.start()
    t = time.perf_counter()
    fn()
    dt = time.perf_counter() - t
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return dt, peak


def bench_scaling(quick: bool, plot: Path | None) -> dict:
    from abm_alternatives import abm_inputs

    from coopgov.dynamics.abm import ABMConfig as CityABMConfig
    from coopgov.dynamics.abm import city_agents, run_abm_coef
    from coopgov.dynamics.engine import simulate
    from coopgov.model import ModelParameters

    cfg = CityABMConfig()
    city = _city("yrd")
    kwargs = abm_inputs(simulate(city, [ModelParameters()], years=1)).kwargs()
    agents_list = [100, 1_000, 10_000, 100_000, 1_000_000]
    curve_agents = []
    for m in agents_list:
        agents = city_agents(np.full(city.n, max(1, m // city.n)))
        reps = max(1, 2_000_000 // agents.n_agents)

        def job(agents=agents, reps=reps):
            return run_abm_coef(agents, replications=reps, seed=0, config=cfg, **kwargs)

        job()  # compile / warm, same arrays as timed
        t = time.perf_counter()
        job()
        dt = time.perf_counter() - t  # timed without tracemalloc's hooks
        peak = _measure(job)[1]
        rate = agents.n_agents * cfg.steps_per_year * reps / dt
        curve_agents.append({"agents": m, "updates_per_s": rate, "peak_mib": peak / 2**20})
        record(
            "scaling",
            f"ABM, {agents.n_agents:,} agents",
            rate,
            "updates/s",
            "near-linear",
            None,
            None,
            None,
            f"peak traced memory {peak / 2**20:.1f} MiB ({reps} replications of 1 year); wall time",
        )
    runs_list = [100, 1_000, 10_000] + ([] if quick else [100_000])
    curve_runs = []
    for runs in runs_list:
        spec = _sweep_spec(runs)
        with tempfile.TemporaryDirectory() as tmp:
            dt, peak = _measure(
                lambda spec=spec, tmp=tmp: run_experiment(spec, Path(tmp) / "r", processes=0)
            )
        curve_runs.append({"runs": runs, "runs_per_s": runs / dt, "peak_mib": peak / 2**20})
        record(
            "scaling",
            f"experiment, {runs:,} runs (in-process)",
            runs / dt,
            "runs/s",
            "near-linear",
            None,
            None,
            None,
            f"peak traced memory {peak / 2**20:.1f} MiB (chunks of 1,024 streamed to disk)",
        )
    if plot is not None:
        from plotly.subplots import make_subplots

        fig = make_subplots(
            rows=2,
            cols=2,
            subplot_titles=(
                "ABM: agent-updates per second",
                "ABM: peak memory [MiB]",
                "Experiment: runs per second",
                "Experiment: peak memory [MiB]",
            ),
        )
        xa = [c["agents"] for c in curve_agents]
        xr = [c["runs"] for c in curve_runs]
        fig.add_scatter(x=xa, y=[c["updates_per_s"] for c in curve_agents], row=1, col=1)
        fig.add_scatter(x=xa, y=[c["peak_mib"] for c in curve_agents], row=1, col=2)
        fig.add_scatter(x=xr, y=[c["runs_per_s"] for c in curve_runs], row=2, col=1)
        fig.add_scatter(x=xr, y=[c["peak_mib"] for c in curve_runs], row=2, col=2)
        fig.update_xaxes(type="log")
        fig.update_yaxes(type="log")
        fig.update_layout(
            showlegend=False, height=700, title="coopgov experiments: cost against work"
        )
        plot.parent.mkdir(parents=True, exist_ok=True)
        fig.write_html(plot, include_plotlyjs=True)
    return {"agents": curve_agents, "runs": curve_runs}


# --- sobol -------------------------------------------------------------------


def bench_sobol(quick: bool, processes: int) -> None:
    spec = load_spec("sobol-parameters")
    if quick:
        data = spec.model_dump(mode="json")
        data["sampler"]["n"] = 128
        spec = spec_from_dict(data)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "sobol"
        t = time.perf_counter()
        run_experiment(spec, out, processes=processes)
        t_run = time.perf_counter() - t
        analyze_experiment(out, report=False)
        total = time.perf_counter() - t
    record(
        "sobol",
        f"Sobol, 16 parameters, N = {spec.sampler.n} ({spec.n_runs:,} runs)",
        total,
        "s",
        "<= 120 s" if not quick else "(quick size)",
        None,
        None,
        total <= 120 if not quick else None,
        f"{processes} processes; run {t_run:.1f} s ({spec.n_runs / t_run:,.0f} runs/s), "
        f"analysis {total - t_run:.1f} s (S1, ST, S2 with 100 bootstrap resamples, "
        "per-city S1/ST, feature scores, PRIM)",
    )


def main() -> None:
    ap = argparse.ArgumentParser(description="coopgov experiments benchmarks")
    ap.add_argument("--quick", action="store_true", help="smaller sizes")
    ap.add_argument(
        "--only",
        default="abm,runner,pool,dask,ema,dgemm,scaling,sobol",
        help="comma-separated parts (also: abm-network)",
    )
    ap.add_argument("--processes", type=int, default=2)
    ap.add_argument(
        "--plot",
        type=Path,
        default=Path("bench_experiments_scaling.html"),
        help="where to write the scaling plot (HTML, offline)",
    )
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    parts = set(args.only.split(","))
    curves = None
    t0 = time.perf_counter()
    integ = None
    if "abm" in parts:
        bench_abm(args.quick)
    if "abm-network" in parts:
        bench_abm_network(args.quick)
    if "runner" in parts or "pool" in parts or "dask" in parts:
        integ = bench_runner(args.quick)
    if "pool" in parts:
        bench_pool(args.quick, args.processes, integ)
    if "dask" in parts:
        bench_dask(args.quick, integ)
    if "ema" in parts:
        bench_ema(args.quick, args.processes)
    if "dgemm" in parts:
        bench_dgemm()
    if "scaling" in parts:
        curves = bench_scaling(args.quick, args.plot)
    if "sobol" in parts:
        bench_sobol(args.quick, args.processes)
    meta = {**machine(), "quick": args.quick, "seconds": round(time.perf_counter() - t0, 1)}
    if args.json:
        print(
            json.dumps(
                {"meta": meta, "rows": [r.to_dict() for r in ROWS], "curves": curves},
                indent=2,
                default=float,
            )
        )
        return
    print(f"machine: {meta}")
    print_rows(ROWS, f"coopgov experiments benchmarks ({'quick' if args.quick else 'full'})")
    if curves is not None and args.plot:
        print(f"\nscaling plot: {args.plot}")


if __name__ == "__main__":
    main()
