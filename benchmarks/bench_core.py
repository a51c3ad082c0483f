"""Benchmarks of the core engine (issue: coopgov core), on one core.

Run:  python benchmarks/bench_core.py [--json] [--quick]

1. one 41-city, 30-year, monthly-step mean-field run (target <= 2 ms), beside
   SciPy's solve_ivp (RK45) on the same ODE;
2. 10,000 scenarios in one batch (target <= 5 s), beside a loop of single runs;
3. the agent-based model on a sparse network of 10^5 agents
   (target >= 10^7 agent-updates/s), beside a plain-Python loop.
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

from coopgov.dynamics.abm import ABMConfig, run_abm  # noqa: E402
from coopgov.dynamics.engine import simulate  # noqa: E402
from coopgov.dynamics.networks import watts_strogatz  # noqa: E402
from coopgov.model import ModelParameters, city_data  # noqa: E402
from coopgov.model.forces import affine_coefficients  # noqa: E402
from coopgov.model.levers import LEVER_NAMES  # noqa: E402
from coopgov.model.parameters import PARAMETER_INFO  # noqa: E402
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
    coef = affine_coefficients(sim.scenario_context(0))[:, 0]
    p0, w = city.exposure_shares, city.neighbour_weights
    decay = 0.3 * (1 - sim.params["reciprocity"][0, 0])

    def rhs(_t, x):
        delta = (coef[0] + coef[1] * x + coef[2] * (x @ p0) + coef[3] * (w @ x)
                 + coef[4] * x.mean())
        return x * (1 - x) * delta - decay * x + 0.02 * (1 - 2 * x)

    months = np.arange(0, 30 + 1 / 12, 1 / 12)
    t_ivp = _timeit(lambda: solve_ivp(rhs, (0, 30), np.full(city.n, 0.1), t_eval=months),
                    max(3, repeat // 20))
    return {"name": "single run 41 cities x 30 y x 12 steps", "seconds": t, "target_s": 0.002,
            "ok": t <= 0.002, "baseline": "scipy solve_ivp RK45, same ODE", "baseline_s": t_ivp}


def bench_batch(city, n: int) -> dict:
    rng = np.random.default_rng(0)
    params = {}
    for name, info in PARAMETER_INFO.items():
        lo, hi = info.bounds
        params[name] = rng.uniform(lo, hi, n) if name != "initial_cooperation" else np.full(n, 0.1)
    intensity = rng.random((n, 30, len(LEVER_NAMES)))
    for warm in (1, 64):  # compile both integration paths before timing
        simulate(city, {k: v[:warm] for k, v in params.items()}, intensity[:warm], years=30)
    t = time.perf_counter()
    simulate(city, params, intensity, years=30)
    t_batch = time.perf_counter() - t
    k = 50
    single = [{p: float(v[i]) for p, v in params.items()} for i in range(k)]
    t = time.perf_counter()
    for i in range(k):
        simulate(city, [single[i]], intensity[i:i + 1], years=30)
    t_loop = (time.perf_counter() - t) / k * n
    return {"name": f"{n:,} scenarios in one batch", "seconds": t_batch,
            "target_s": 5.0 * n / 10_000, "ok": t_batch <= 5.0 * n / 10_000,
            "baseline": f"loop of single runs (extrapolated from {k})", "baseline_s": t_loop}


def bench_abm(city, m: int, years: int) -> dict:
    net = watts_strogatz(m, 4, 0.1, seed=0, n_cities=city.n)
    sim = simulate(city, [ModelParameters()], years=years)
    coef = np.broadcast_to(affine_coefficients(sim.scenario_context(0), mean_field=False),
                           (5, years, city.n))
    cfg = ABMConfig(revision=1.0)  # every agent revises every step: updates = agents x steps
    run_abm(net, coef[:, :1], city.exposure_shares, city.neighbour_weights, replications=1,
            config=cfg)
    t = time.perf_counter()
    run_abm(net, coef, city.exposure_shares, city.neighbour_weights, replications=1, config=cfg)
    dt = time.perf_counter() - t
    rate = m * years * cfg.steps_per_year / dt

    # baseline: the same rule, one agent at a time in plain Python, on 2,000 agents
    rng = np.random.default_rng(1)
    small = watts_strogatz(2000, 4, 0.1, seed=0, n_cities=city.n)
    state = (rng.random(small.n_agents) < 0.1).astype(int).tolist()
    delta = coef[0, 0].tolist()
    ind, ptr, cty = small.indices.tolist(), small.indptr.tolist(), small.agent_city.tolist()
    t = time.perf_counter()
    steps = 5
    for _ in range(steps):
        new = state[:]
        for a in range(small.n_agents):
            d_a = delta[cty[a]]
            if rng.random() < cfg.imitation:
                b = ind[ptr[a] + int(rng.integers(0, ptr[a + 1] - ptr[a]))]
                diff = state[b] * delta[cty[b]] - state[a] * d_a
                if rng.random() * (1 + np.exp(-diff / cfg.temperature)) < 1:
                    new[a] = state[b]
            else:
                new[a] = int(rng.random() * (1 + np.exp(-d_a / cfg.temperature)) < 1)
        state = new
    py_rate = small.n_agents * steps / (time.perf_counter() - t)
    return {"name": f"agent-based, {m:,} agents, sparse small-world", "updates_per_s": rate,
            "target_updates_per_s": 1e7, "ok": rate >= 1e7,
            "baseline": "plain-Python loop (2,000 agents)", "baseline_updates_per_s": py_rate}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    args = ap.parse_args()
    city = city_data(load_region("yrd"))
    rows = [
        bench_single(city, 50 if args.quick else 300),
        bench_batch(city, 1_000 if args.quick else 10_000),
        bench_abm(city, 10_000 if args.quick else 100_000, 2 if args.quick else 10),
    ]
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    for r in rows:
        if "seconds" in r:
            print(f"{r['name']:<48} {r['seconds'] * 1e3:10.2f} ms  (target <= "
                  f"{r['target_s'] * 1e3:.0f} ms: {'OK' if r['ok'] else 'MISSED'})   "
                  f"{r['baseline']}: {r['baseline_s'] * 1e3:.1f} ms")
        else:
            print(f"{r['name']:<48} {r['updates_per_s']:10.3g} /s  (target >= 1e7: "
                  f"{'OK' if r['ok'] else 'MISSED'})   {r['baseline']}: "
                  f"{r['baseline_updates_per_s']:.3g} /s")


if __name__ == "__main__":
    main()
