"""Benchmarks of the core engine (issue: coopgov core), on one core.

Run:  python benchmarks/bench_core.py [--json] [--quick]

1. one 41-city, 30-year, monthly-step mean-field run (target <= 2 ms), beside
   SciPy's solve_ivp (RK45) on the same ODE;
2. 10,000 scenarios in one batch (target <= 5 s), beside a loop of single runs;
3. the agent-based model with 10^5 agents in the 41 cities, at the model's
   rates (target >= 10^7 agent-updates/s, an update = one agent for one of
   the 48 steps a year), beside vectorised NumPy of the same rule and the
   measured floor (``bench_abm.py`` has the full comparison, Mesa included).
"""

from __future__ import annotations

import os

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
from scipy.integrate import solve_ivp  # noqa: E402

from coopgov.dynamics.abm import ABMConfig, city_agents  # noqa: E402
from coopgov.dynamics.engine import simulate  # noqa: E402
from coopgov.dynamics.replicator import vector_field  # noqa: E402
from coopgov.model import ModelParameters, city_data  # noqa: E402
from coopgov.model.forces import affine_coefficients  # noqa: E402
from coopgov.model.levers import LEVER_NAMES  # noqa: E402
from coopgov.model.parameters import PARAMETER_INFO, joint_maturity  # noqa: E402
from coopgov.region import load_region  # noqa: E402


def _timeit(fn, repeat: int) -> float:
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def bench_single(city, repeat: int) -> dict:
    params = [ModelParameters()]
    intensity = np.full((1, 30, len(LEVER_NAMES)), 0.5)
    t = _timeit(lambda: simulate(city, params, intensity, years=30), repeat)
    # baseline: the same ODE (frozen year-0 coefficients) with SciPy RK45
    sim = simulate(city, params, intensity, years=30)
    ctx = sim.scenario_context(0)
    coef = np.broadcast_to(affine_coefficients(ctx), (5, 30, city.n))[:, 0]
    p = {k: np.broadcast_to(v, (30, city.n))[0] for k, v in ctx.params.items()}
    args = (
        coef,
        float(p["adjustment_rate"][0]),
        p["agreement_decay"] * (1 - joint_maturity(p)),
        float(p["noise"][0]),
        city.exposure_shares,
        city.neighbour_weights,
        float(p["lateral_thrust"][0]),
        city.water_exposure_shares,
    )

    def rhs(_t, x):
        return vector_field(x, *args)

    months = np.arange(0, 30 + 1 / 12, 1 / 12)
    t_ivp = _timeit(
        lambda: solve_ivp(rhs, (0, 30), np.full(city.n, 0.1), t_eval=months), max(3, repeat // 20)
    )
    return {
        "name": "single run 41 cities x 30 y x 12 steps",
        "seconds": t,
        "target_s": 0.002,
        "ok": t <= 0.002,
        "baseline": "scipy solve_ivp RK45, same ODE",
        "baseline_s": t_ivp,
    }


def bench_batch(city, n: int, method: str = "rk4") -> dict:
    """``n`` scenarios drawn over the whole declared parameter box, in one batch."""
    rng = np.random.default_rng(0)
    params = {}
    for name, info in PARAMETER_INFO.items():
        lo, hi = info.bounds
        params[name] = rng.uniform(lo, hi, n) if name != "initial_cooperation" else np.full(n, 0.1)
    intensity = rng.random((n, 30, len(LEVER_NAMES)))
    for warm in (1, 64):  # compile both integration paths before timing
        simulate(
            city,
            {k: v[:warm] for k, v in params.items()},
            intensity[:warm],
            years=30,
            method=method,
        )
    t = time.perf_counter()
    simulate(city, params, intensity, years=30, method=method)
    t_batch = time.perf_counter() - t
    k = 50
    single = [{p: float(v[i]) for p, v in params.items()} for i in range(k)]
    t = time.perf_counter()
    for i in range(k):
        simulate(city, [single[i]], intensity[i : i + 1], years=30, method=method)
    t_loop = (time.perf_counter() - t) / k * n
    return {
        "name": f"{n:,} scenarios in one batch ({method})",
        "seconds": t_batch,
        "target_s": 5.0 * n / 10_000,
        "ok": t_batch <= 5.0 * n / 10_000,
        "baseline": f"loop of single runs (extrapolated from {k})",
        "baseline_s": t_loop,
    }


def bench_abm(city, m: int, years: int) -> dict:
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
    return {
        "name": f"agent-based, {agents.n_agents:,} agents, model rates",
        "updates_per_s": rate,
        "target_updates_per_s": 1e7,
        "ok": rate >= 1e7,
        "baseline": "vectorised NumPy, same rule",
        "baseline_updates_per_s": updates / t_np.cpu_s,
        "floor_updates_per_s": floor,
        "distance_to_floor": floor / rate,
        "load": [t.load_before, t_floor.load_after],
        "timing": "per CPU-second of the thread, median of 5; see bench_abm.py",
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    args = ap.parse_args()
    city = city_data(load_region("yrd"))
    rows = [
        bench_single(city, 50 if args.quick else 300),
        bench_batch(city, 1_000 if args.quick else 10_000),
        bench_batch(city, 1_000 if args.quick else 10_000, method="exponential"),
        bench_abm(city, 10_000 if args.quick else 100_000, 2 if args.quick else 10),
    ]
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    for r in rows:
        if "seconds" in r:
            print(
                f"{r['name']:<48} {r['seconds'] * 1e3:10.2f} ms  (target <= "
                f"{r['target_s'] * 1e3:.0f} ms: {'OK' if r['ok'] else 'MISSED'})   "
                f"{r['baseline']}: {r['baseline_s'] * 1e3:.1f} ms"
            )
        else:
            print(
                f"{r['name']:<48} {r['updates_per_s']:10.3g} /s  (target >= 1e7: "
                f"{'OK' if r['ok'] else 'MISSED'})   {r['baseline']}: "
                f"{r['baseline_updates_per_s']:.3g} /s   floor {r['floor_updates_per_s']:.3g} /s "
                f"(distance {r['distance_to_floor']:.2f}x; load {r['load']})"
            )


if __name__ == "__main__":
    main()
