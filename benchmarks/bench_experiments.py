"""Benchmarks of policy experiments at scale (see benchmarks/EXPERIMENTS.md).

    python benchmarks/bench_experiments.py            # full (about 10 minutes on 2 cores)
    python benchmarks/bench_experiments.py --quick    # smaller sizes (about 2 minutes)
    python benchmarks/bench_experiments.py --only abm,ema --json

Parts:
  abm     agent-updates per second, coopgov's ABM vs the same model in Mesa
          (benchmarks/mesa_model.py) at N = 1e3, 1e4, 1e5 agents, and an
          equivalence check of the cooperation statistics; target >= 100x.
  ema     the same sweep through EMA Workbench's MultiprocessingEvaluator (one
          Python call per run) vs coopgov's batched execution, 2 processes
          each; target >= 20x runs per second.
  scaling runs per second and peak memory from 1e2 to 1e6 agents and from 1e2
          to 1e5 runs (plot written to --plot).
  sobol   Sobol analysis of 16 parameters with N = 1024 (34,816 runs of the
          41-city model, second order, bootstrap CIs) on 2 processes;
          target <= 120 s.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import platform
import sys
import tempfile
import time
import tracemalloc
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np

warnings.filterwarnings("ignore", message="ipyparallel not installed")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from coopgov.dynamics.abm_network import NetworkABMConfig as ABMConfig  # noqa: E402
from coopgov.dynamics.abm_network import run_network_abm as run_abm  # noqa: E402
from coopgov.dynamics.networks import watts_strogatz  # noqa: E402
from coopgov.experiments import load_spec, run_experiment, spec_from_dict  # noqa: E402
from coopgov.experiments.analysis import analyze_experiment  # noqa: E402
from coopgov.experiments.ema import LEVER_FREE_PARAMETERS  # noqa: E402
from coopgov.experiments.runner import _city, _one_blas_thread  # noqa: E402
from coopgov.model.forces import ForceContext, affine_coefficients  # noqa: E402
from coopgov.model.parameters import PARAMETER_INFO  # noqa: E402

ROWS: list[dict] = []


def record(part, figure, value, unit, target=None, baseline=None, ratio=None, ok=None,
           note=""):
    row = {"part": part, "figure": figure, "value": value, "unit": unit, "target": target,
           "baseline": baseline, "ratio": ratio, "ok": ok, "note": note}
    ROWS.append(row)
    return row


def default_coefficients(years: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Force-field coefficients (5, Y, 41) of the YRD at default parameters (ABM form)."""
    city = _city("yrd")
    params = {k: np.full((1, 1, 1), v.default) for k, v in PARAMETER_INFO.items()}
    ctx = ForceContext(city=city, params=params)
    coef = np.broadcast_to(affine_coefficients(ctx), (5, 1, years, city.n))
    return np.ascontiguousarray(coef[:, 0]), city.exposure_shares, city.neighbour_weights


# --- abm ---------------------------------------------------------------------

def _mesa_config(cfg: ABMConfig) -> dict:
    """The same rule parameters for the Mesa model."""
    return {"imitation": cfg.imitation, "temperature": cfg.temperature,
            "revision": cfg.revision, "mutation": cfg.mutation,
            "steps_per_year": cfg.steps_per_year}


def bench_abm(quick: bool) -> None:
    import multiprocessing

    from mesa_model import CooperationModel

    # ``import mesa`` forces the "spawn" start method on the whole process
    # (mesa/batchrunner.py); give the platform default back to the later parts
    multiprocessing.set_start_method(None, force=True)

    sizes = [1_000, 10_000, 100_000]
    mesa_steps = {1_000: 12, 10_000: 3, 100_000: 1} if not quick else {1_000: 6, 10_000: 1,
                                                                         100_000: 1}
    rules = [("default rule (revision 0.1)", ABMConfig())]
    if not quick:
        rules.append(("every agent revises each step", replace(ABMConfig(), revision=1.0)))
    for label, cfg in rules:
        for m in sizes:
            net = watts_strogatz(m, k=4, p=0.1, seed=1, n_cities=41)
            years = max(1, math.ceil(3e6 / (m * cfg.steps_per_year))) if not quick else 1
            coef, p0, w = default_coefficients(years)
            run_abm(net, coef[:, :1], p0, w, replications=1, seed=0, config=cfg)  # compile
            t = time.perf_counter()
            with _one_blas_thread():
                run_abm(net, coef, p0, w, replications=1, seed=0, config=cfg)
            ours = m * years * cfg.steps_per_year / (time.perf_counter() - t)
            steps = mesa_steps[m]
            t = time.perf_counter()
            model = CooperationModel(net, coef, p0, w, seed=0, **_mesa_config(cfg))
            build = time.perf_counter() - t
            t = time.perf_counter()
            for _ in range(steps):
                model.step()
            theirs = m * steps / (time.perf_counter() - t)
            note = (f"{label}; Mesa: {steps} step(s) measured (+{build:.1f} s to build agents, "
                    "not counted)")
            if m == 100_000:
                note += "; its per-update rate extrapolated from those steps"
            record("abm", f"agent-updates/s, N = {m:,}", ours, "updates/s", ">= 100x Mesa",
                   theirs, ours / theirs, ours / theirs >= 100, note)

    cfg = ABMConfig()
    # equivalence: final cooperation after 1 year at N = 1,000, 100 replications each
    m, reps = 1_000, (100 if not quick else 8)
    net = watts_strogatz(m, k=4, p=0.1, seed=1, n_cities=41)
    coef, p0, w = default_coefficients(1)
    ours = run_abm(net, coef, p0, w, replications=reps, seed=1, initial=0.3,
                   config=cfg).cooperation_rate[:, -1]
    theirs = np.array([CooperationModel(net, coef, p0, w, initial=0.3, seed=50 + r,
                                        **_mesa_config(cfg))
                       .run_years(1)[-1].mean() for r in range(reps)])
    se = math.sqrt(ours.var(ddof=1) / reps + theirs.var(ddof=1) / reps)
    z = abs(ours.mean() - theirs.mean()) / se
    record("abm", "equivalence: |mean difference| / s.e.", z, "z", "< 3 (same statistics)",
           None, None, z < 3,
           f"final cooperation rate coopgov {ours.mean():.4f} ± {ours.std(ddof=1):.4f}, "
           f"Mesa {theirs.mean():.4f} ± {theirs.std(ddof=1):.4f} ({reps} replications)")


# --- ema ---------------------------------------------------------------------

def _sweep_spec(runs: int, chunk: int = 1024):
    return spec_from_dict({
        "experiment": {"name": "bench-sweep", "years": 30, "chunk_size": chunk},
        "sampler": {"method": "lhs", "n": runs, "seed": 1},
        "uncertainties": {p: {} for p in LEVER_FREE_PARAMETERS[:16]},
        "outcomes": [{"name": "final_cooperation"}, {"name": "pm25_change",
                                                     "variable": "pm25_change"}],
    })


def bench_ema(quick: bool, processes: int) -> None:
    from ema_workbench import MultiprocessingEvaluator, ema_logging

    from coopgov.experiments.ema import ema_model

    ema_logging.log_to_stderr(logging.ERROR)
    runs = 1_000 if quick else 20_000
    model = ema_model(uncertainties=list(LEVER_FREE_PARAMETERS[:16]), levers=[])
    # compile (or load from Numba's cache) both integration paths once before timing,
    # so that neither side pays for compilation in its worker processes
    from coopgov.experiments.ema import coopgov_model
    coopgov_model()
    with tempfile.TemporaryDirectory() as tmp:
        run_experiment(_sweep_spec(64, chunk=64), Path(tmp) / "warm", processes=0)
    t = time.perf_counter()
    with MultiprocessingEvaluator(model, n_processes=processes) as ev:
        ev.perform_experiments(scenarios=runs)
    theirs = runs / (time.perf_counter() - t)
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        run_experiment(_sweep_spec(runs), Path(tmp) / "r", processes=processes)
        ours = runs / (time.perf_counter() - t)
    record("ema", f"runs/s, {runs:,} runs of the 41-city model", ours, "runs/s",
           ">= 20x EMA Workbench", theirs, ours / theirs, ours / theirs >= 20,
           f"both on {processes} processes, pool start-up included; EMA: one Python call "
           "per run (MultiprocessingEvaluator)")


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
    cfg = ABMConfig()
    coef, p0, w = default_coefficients(1)
    agents = [100, 1_000, 10_000, 100_000, 1_000_000]
    curve_agents = []
    for m in agents:
        net = watts_strogatz(m, k=4, p=0.1, seed=1, n_cities=41)
        run_abm(net, coef, p0, w, replications=1, seed=0, config=cfg)  # compile / warm
        reps = max(1, 200_000 // m)
        def job(net=net, reps=reps):
            return run_abm(net, coef, p0, w, replications=reps, seed=0, config=cfg)

        with _one_blas_thread():
            t = time.perf_counter()
            job()
            dt = time.perf_counter() - t  # timed without tracemalloc's hooks
            peak = _measure(job)[1]
        rate = m * cfg.steps_per_year * reps / dt
        curve_agents.append({"agents": m, "updates_per_s": rate, "peak_mib": peak / 2**20})
        net_mib = (net.indptr.nbytes + net.indices.nbytes + net.agent_city.nbytes) / 2**20
        record("scaling", f"ABM, {m:,} agents", rate, "updates/s", "near-linear", None, None,
               None, f"peak traced memory of the run {peak / 2**20:.1f} MiB (+ network "
                     f"{net_mib:.1f} MiB built before)")
    runs_list = [100, 1_000, 10_000] + ([] if quick else [100_000])
    curve_runs = []
    for runs in runs_list:
        spec = _sweep_spec(runs)
        with tempfile.TemporaryDirectory() as tmp:
            dt, peak = _measure(lambda spec=spec, tmp=tmp: run_experiment(
                spec, Path(tmp) / "r", processes=0))
        curve_runs.append({"runs": runs, "runs_per_s": runs / dt, "peak_mib": peak / 2**20})
        record("scaling", f"experiment, {runs:,} runs (in-process)", runs / dt, "runs/s",
               "near-linear", None, None, None,
               f"peak traced memory {peak / 2**20:.1f} MiB (chunks of 1,024 streamed to disk)")
    if plot is not None:
        from plotly.subplots import make_subplots

        fig = make_subplots(rows=2, cols=2, subplot_titles=(
            "ABM: agent-updates per second", "ABM: peak memory [MiB]",
            "Experiment: runs per second", "Experiment: peak memory [MiB]"))
        xa = [c["agents"] for c in curve_agents]
        xr = [c["runs"] for c in curve_runs]
        fig.add_scatter(x=xa, y=[c["updates_per_s"] for c in curve_agents], row=1, col=1)
        fig.add_scatter(x=xa, y=[c["peak_mib"] for c in curve_agents], row=1, col=2)
        fig.add_scatter(x=xr, y=[c["runs_per_s"] for c in curve_runs], row=2, col=1)
        fig.add_scatter(x=xr, y=[c["peak_mib"] for c in curve_runs], row=2, col=2)
        fig.update_xaxes(type="log")
        fig.update_yaxes(type="log")
        fig.update_layout(showlegend=False, height=700,
                          title="coopgov experiments: cost against work")
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
    record("sobol", f"Sobol, 16 parameters, N = {spec.sampler.n} ({spec.n_runs:,} runs)", total,
           "s", "<= 120 s" if not quick else "(quick size)", None, None,
           total <= 120 if not quick else None,
           f"{processes} processes; run {t_run:.1f} s ({spec.n_runs / t_run:,.0f} runs/s), "
           f"analysis {total - t_run:.1f} s (S1, ST, S2 with 100 bootstrap resamples, "
           "per-city S1/ST, feature scores, PRIM)")


def main() -> None:
    ap = argparse.ArgumentParser(description="coopgov experiments benchmarks")
    ap.add_argument("--quick", action="store_true", help="smaller sizes")
    ap.add_argument("--only", default="abm,ema,scaling,sobol")
    ap.add_argument("--processes", type=int, default=2)
    ap.add_argument("--plot", type=Path, default=Path("bench_experiments_scaling.html"),
                    help="where to write the scaling plot (HTML, offline)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    parts = set(args.only.split(","))
    curves = None
    t0 = time.perf_counter()
    if "abm" in parts:
        bench_abm(args.quick)
    if "ema" in parts:
        bench_ema(args.quick, args.processes)
    if "scaling" in parts:
        curves = bench_scaling(args.quick, args.plot)
    if "sobol" in parts:
        bench_sobol(args.quick, args.processes)
    meta = {"python": platform.python_version(), "cpus": os.cpu_count(),
            "machine": platform.machine(), "quick": args.quick,
            "seconds": round(time.perf_counter() - t0, 1)}
    if args.json:
        print(json.dumps({"meta": meta, "rows": ROWS, "curves": curves}, indent=2,
                         default=float))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"coopgov experiments benchmarks ({meta['cpus']} CPUs, "
                        f"{'quick' if args.quick else 'full'}, {meta['seconds']} s)")
    for col in ("part", "figure", "coopgov", "target", "baseline", "ratio", "ok", "note"):
        table.add_column(col, overflow="fold")
    for r in ROWS:
        def fmt(v):
            return "" if v is None else (f"{v:,.3g}" if abs(v) < 100 else f"{v:,.0f}")
        table.add_row(r["part"], r["figure"], f"{fmt(r['value'])} {r['unit']}",
                      r["target"] or "", fmt(r["baseline"]),
                      "" if r["ratio"] is None else f"{r['ratio']:,.0f}x",
                      {True: "yes", False: "NO", None: ""}[r["ok"]], r["note"])
    Console(width=200).print(table)
    if curves is not None and args.plot:
        print(f"scaling plot: {args.plot}")


if __name__ == "__main__":
    main()
