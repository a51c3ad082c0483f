"""Benchmarks of the core engine (issue: coopgov core), on one core.

Run:  python benchmarks/bench_core.py [--json] [--quick] [--methods riccati,exponential,rk4]

1. one 41-city, 30-year mean-field run, all-in (parameters, levers,
   coefficients, integration) with the default integrator, levers at 0.5 and
   none; the set-up and the integrator timed apart; beside SciPy's LSODA at
   the loosest tolerance that reaches the engine's own error on the same run
   (equal accuracy);
2. 10,000 scenarios over the whole declared parameter box in one batch, per
   integrator named in ``--methods`` (rk4 takes minutes: up to 32 sub-steps
   in the stiff corners), with the largest error against LSODA at rtol 1e-10
   on the first 20 scenarios, beside a loop of single runs;
3. the agent-based model with 10^5 agents in the 41 cities, at the model's
   rates, beside vectorised NumPy of the same rule and the measured floor
   (``bench_abm.py`` has the full comparison, Mesa included).

Every time is the median CPU time of the measuring thread (``harness.timed``:
warm-up and timed calls see the same arrays; a kernel that gains a
specialisation in the timed region stops the benchmark).  The floors are the
arithmetic at this core's measured DGEMM rate: 2.09 MFLOP per run for one
first-order evaluation a month (``FLOP_PER_RUN``), and the scheme's own
arithmetic for the Riccati scheme (its attempted steps, counted, times
``FLOP_PER_ATTEMPT`` of ``bench_integrator_alternatives.py``).
"""

from __future__ import annotations

import os

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402
from unittest import mock  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

import integrator_alternatives as ia  # noqa: E402
from bench_integrator_alternatives import (  # noqa: E402
    FLOP_PER_RUN,
    own_flop,
    scenarios,
)
from harness import Row, dgemm_gflops, machine, print_rows, timed  # noqa: E402

from coopgov.dynamics import engine as engine_module  # noqa: E402
from coopgov.dynamics import replicator  # noqa: E402
from coopgov.dynamics.abm import ABMConfig, city_agents  # noqa: E402
from coopgov.dynamics.engine import simulate  # noqa: E402
from coopgov.model import ModelParameters, city_data, forces, levers  # noqa: E402  # noqa: E402
from coopgov.model.levers import LEVER_NAMES  # noqa: E402
from coopgov.region import load_region  # noqa: E402

_KERNELS = [
    replicator._integrate_ric,
    replicator._integrate_ric_small,
    replicator._integrate_exp,
    replicator._integrate_exp_small,
    replicator._integrate,
    replicator._integrate_small,
    # the set-up's compiled passes (one explicit signature each)
    forces._compiled_kernel(),
    levers._compiled_move(),
    engine_module._compiled_bet(),
]


def bench_single(city, repeat: int, gflops: float) -> list[Row]:
    """One run all-in, its set-up and its integration apart, beside LSODA at equal accuracy."""
    return [_single(city, level, repeat, gflops) for level in (0.5, 0.0)]


def _single(city, level: float, repeat: int, gflops: float) -> Row:
    params = [ModelParameters()]
    method = replicator.DEFAULT_METHOD
    intensity = np.full((1, 30, len(LEVER_NAMES)), level)

    def run():
        return simulate(city, params, intensity, years=30)

    t_all = timed(run, repeat, kernels=_KERNELS)
    # the integrator alone on the very arguments simulate passes it
    captured: dict = {}

    def capture(*a, **k):
        captured.update(a=a, k=k)
        return np.zeros((a[1].shape[1], a[1].shape[2] + 1, a[1].shape[3]))

    with mock.patch.object(engine_module, "integrate_affine", capture):
        t_setup = timed(run, repeat)
    t_int = timed(
        lambda: replicator.integrate_affine(*captured["a"], **captured["k"]),
        repeat,
        kernels=_KERNELS,
    )
    sim = run()
    ode = ia.batch_ode(sim)
    ref = ia.reference(ode)
    err = ia.max_error(sim.cooperation, ref)
    # SciPy LSODA at the loosest tolerance that reaches the engine's error on this run
    alt, alt_s = "SciPy LSODA: no rtol down to 1e-10 reaches the engine's error", None
    for rtol in (1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10):
        e = ia.max_error(ia.lsoda(ode, rtol), ref)
        if e <= max(err, 1e-12):
            t_ls = timed(lambda rtol=rtol: ia.lsoda(ode, rtol), max(3, repeat // 50))
            alt = f"SciPy LSODA at rtol {rtol:g} (error {e:.1e})"
            alt_s = t_ls.cpu_s
            break
    floor = FLOP_PER_RUN / (gflops * 1e9)
    own = own_flop(city, params, intensity, method)
    return Row(
        figure=f"one 41-city, 30-year run, all-in ({method}, levers "
        f"{'at 0.5' if level else 'none'})",
        value=t_all.cpu_s * 1e3,
        unit="ms",
        accuracy=f"largest error against LSODA rtol 1e-10 on this run: {err:.1e}",
        alternative=alt,
        alternative_value=None if alt_s is None else alt_s * 1e3,
        floor=floor * 1e3,
        floor_note=f"(2.09 MFLOP at DGEMM {gflops:.1f} GFLOP/s; the scheme's own "
        f"arithmetic {own / 1e6:.2f} MFLOP: {own / (gflops * 1e9) * 1e3:.3f} ms)",
        target="<= 0.3 ms",
        ok=t_all.cpu_s <= 3e-4,
        load=(t_all.load_before, t_all.load_after),
        note=f"set-up {t_setup.cpu_s * 1e3:.3f} ms, integrator {t_int.cpu_s * 1e3:.3f} ms",
    )


def bench_batch(city, n: int, method: str, gflops: float, check: int = 20) -> Row:
    """``n`` scenarios drawn over the whole declared parameter box, in one batch."""
    params, intensity = scenarios(n)

    def run():
        return simulate(city, params, intensity, years=30, method=method)

    t_batch = timed(run, 1 if method == "rk4" else 3, kernels=_KERNELS)
    sim = simulate(
        city,
        {k: v[:check] for k, v in params.items()},
        intensity[:check],
        years=30,
        method=method,
    )
    ref = ia.reference(ia.batch_ode(sim))
    err = ia.max_error(sim.cooperation, ref)
    k = 20
    single = [{p: float(v[i]) for p, v in params.items()} for i in range(k)]

    def loop():
        for i in range(k):
            simulate(city, [single[i]], intensity[i : i + 1], years=30, method=method)

    t_loop = timed(loop, 1)
    floor = n * FLOP_PER_RUN / (gflops * 1e9)
    return Row(
        figure=f"{n:,} scenarios over the whole parameter box, one batch ({method})",
        value=t_batch.cpu_s,
        unit="s",
        accuracy=f"largest error against LSODA rtol 1e-10 (first {check} scenarios): {err:.1e}",
        alternative=f"loop of single runs (extrapolated from {k})",
        alternative_value=t_loop.cpu_s / k * n,
        floor=floor,
        floor_note=f"(2.09 MFLOP a run at DGEMM {gflops:.1f} GFLOP/s; the scheme's own "
        f"arithmetic: {own_flop(city, params, intensity, method) / (gflops * 1e9):.2f} s)",
        target=f"<= {2 * floor:.2f} s (2x the floor)",
        ok=t_batch.cpu_s <= 2 * floor,
        load=(t_batch.load_before, t_batch.load_after),
        note=f"wall {t_batch.wall_s:.2f} s",
    )


def bench_abm(city, m: int, years: int) -> Row:
    """ABM updates/s at ``m`` agents beside vectorised NumPy and the floor (bench_abm.py).

    The warm-up and the timed calls pass the same arrays, and the timed region
    is checked for new kernel specialisations (``harness.timed``).
    """
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from abm_alternatives import _floor_kernel, abm_inputs, run_numpy
    from harness import timed

    from coopgov.dynamics import abm as abm_module
    from coopgov.dynamics.abm import run_abm_coef

    agents = city_agents(np.full(city.n, m // city.n))
    sim = simulate(city, [ModelParameters()], years=years)
    cfg = ABMConfig()
    inp = abm_inputs(sim)
    kwargs = inp.kwargs()
    t = timed(
        lambda: run_abm_coef(agents, replications=1, config=cfg, **kwargs),
        5,
        kernels=[abm_module._run],
    )
    updates = agents.n_agents * years * cfg.steps_per_year
    rate = updates / t.cpu_s
    _, probs = run_numpy(agents, inp, cfg.steps_per_year, 1, record_probabilities=True)
    t_np = timed(lambda: run_numpy(agents, inp, cfg.steps_per_year, 2), 2, warm=False)
    state = np.zeros(agents.n_agents, dtype=np.int8)
    rngs = iter([np.random.default_rng(s) for s in range(6)])
    t_floor = timed(
        lambda: _floor_kernel(state, agents.city_ptr, probs, next(rngs)), 5, kernels=[_floor_kernel]
    )
    floor = updates / t_floor.cpu_s
    return Row(
        figure=f"agent-based, {agents.n_agents:,} agents, model rates",
        value=rate,
        unit="updates/s",
        higher_is_better=True,
        accuracy="same chain as NumPy and Mesa (bench_abm.py)",
        alternative="vectorised NumPy, same rule",
        alternative_value=updates / t_np.cpu_s,
        floor=floor,
        floor_note="(a minimal Numba loop over the same events)",
        target=">= 2x-floor (floor / 2)",
        ok=rate >= floor / 2,
        load=(t.load_before, t_floor.load_after),
        note="per CPU-second of the thread, median of 5; see bench_abm.py",
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    ap.add_argument(
        "--methods",
        default="riccati,exponential",
        help="integrators of the batch row (rk4 takes minutes over the whole box)",
    )
    ap.add_argument("--only", default="single,batch,abm", help="parts to run")
    args = ap.parse_args()
    city = city_data(load_region("yrd"))
    gflops = dgemm_gflops(2000, 3)["cpu"]
    parts = args.only.split(",")
    rows: list[Row] = []
    if "single" in parts:
        rows += bench_single(city, 50 if args.quick else 300, gflops)
    if "batch" in parts:
        rows += [
            bench_batch(city, 1_000 if args.quick else 10_000, m, gflops)
            for m in args.methods.split(",")
        ]
    if "abm" in parts:
        rows.append(bench_abm(city, 10_000 if args.quick else 100_000, 2 if args.quick else 10))
    if args.json:
        print(
            json.dumps(
                {"meta": machine(), "rows": [r.to_dict() for r in rows]}, indent=2, default=float
            )
        )
        return
    print(f"machine: {machine()}")
    print_rows(rows, "Core engine (CPU time of one core)")


if __name__ == "__main__":
    main()
