"""The agent-based model against what a scientist would write instead, and against its floor.

    python benchmarks/bench_abm.py             # 10^3, 10^4, 10^5 agents (about 2 minutes)
    python benchmarks/bench_abm.py --quick     # fewer repeats and steps
    python benchmarks/bench_abm.py --json

For 10^3, 10^4 and 10^5 agents in the 41 YRD cities, at the default
parameters (``ABMConfig()``: 48 steps a year, 10 years), agent-updates per
second (an update = one agent for one step) of

* coopgov: :func:`coopgov.dynamics.abm.run_abm_coef` (compiled kernel,
  events found by geometric skipping);
* NumPy: the same rule, vectorised the way a scientist writes it
  (``abm_alternatives.run_numpy``: one uniform per agent per step);
* Mesa as written: the same rule as Mesa agents (``mesa_city_model``),
  every agent's ``step`` called each step;
* Mesa with event skipping: only the agents with an event are visited;
* the floor: a minimal Numba loop with the same generator (PCG64) that
  visits the same events (the per-step event probabilities of a NumPy run)
  and only flips them (``abm_alternatives.run_floor``).

Target: the default rule within 2x of its floor.  Mesa is timed over a few
steps (building the agents is not counted) and its rate extrapolated.  All
rates are per second of the measuring thread's CPU time (the machine is
shared: see ``benchmarks/harness.py``); the wall-time rates are printed
beside.  Accuracy at equal settings: the regional cooperation rate after
two years at 10^3 agents, replicated, for coopgov, NumPy and Mesa (all three
sample the same chain, so they must agree within sampling error), and its
distance to the mean-field solution.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import multiprocessing  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

from abm_alternatives import (  # noqa: E402
    _floor_kernel,
    abm_inputs,
    delta_loop,
    run_floor,
    run_numpy,
)
from harness import Row, machine, print_rows, timed, timed_interleaved  # noqa: E402

from coopgov.dynamics import abm as abm_module  # noqa: E402
from coopgov.dynamics.abm import ABMConfig, city_agents, run_abm_coef  # noqa: E402
from coopgov.dynamics.engine import simulate  # noqa: E402
from coopgov.model import ModelParameters, city_data  # noqa: E402
from coopgov.region import load_region  # noqa: E402

SIZES = (1_000, 10_000, 100_000)
YEARS = 10
#: Mesa steps timed per size: as written, with event skipping.
MESA_STEPS = {1_000: (24, 240), 10_000: (4, 48), 100_000: (1, 12)}


def _setup(years: int = YEARS):
    city = city_data(load_region("yrd"))
    sim = simulate(city, [ModelParameters()], years=years)
    return city, sim, abm_inputs(sim)


def coopgov_and_floor(agents, inp, cfg: ABMConfig, probs, repeat: int) -> dict:
    """CPU and wall times of ``run_abm_coef`` and of the floor, timed in alternation.

    The same argument objects are passed to the warm-up and the timed calls,
    and neither kernel may compile a specialisation while timed.
    """
    kwargs = inp.kwargs()
    reps = max(1, 1_000_000 // (agents.n_agents * YEARS * cfg.steps_per_year))
    state = np.zeros(agents.n_agents, dtype=np.int8)
    ptr = agents.city_ptr
    rngs = iter([np.random.default_rng(s) for s in range(reps * (repeat + 1))])

    def ours():
        return run_abm_coef(agents, replications=reps, seed=0, config=cfg, **kwargs)

    def floor():
        # the same events as ``reps`` replications (a fresh generator each, like them)
        return [_floor_kernel(state, ptr, probs, next(rngs)) for _ in range(reps)]

    t = timed_interleaved(
        {"coopgov": ours, "floor": floor}, repeat, kernels=[abm_module._run, _floor_kernel]
    )
    updates = agents.n_agents * YEARS * cfg.steps_per_year * reps
    ratios = [c / f for c, f in zip(t["coopgov"].cpu, t["floor"].cpu, strict=True)]
    return {
        "updates": updates,
        "coopgov": t["coopgov"],
        "floor": t["floor"],
        "distance": statistics.median(ratios),
    }


def delta_cost(inp, years: int, steps_per_year: int) -> float:
    """CPU seconds of Δ in full at every one of ``years × steps_per_year`` steps.

    The kernel's own routines; an upper bound of its Δ work, since within a
    year the kernel updates Δ only for the cities whose share changed.
    """
    n = inp.p0.shape[0]
    x = np.full(n, 0.3)
    d = np.empty(n)
    wt = np.ascontiguousarray(inp.w.T)
    coef = np.ascontiguousarray(inp.coef)

    return timed(
        lambda: delta_loop(years, steps_per_year, d, x, coef, inp.p0, wt, inp.pw),
        3,
        kernels=[delta_loop],
    ).cpu_s


def mesa_rates(counts, inp, cfg: ABMConfig, m: int, quick: bool) -> dict:
    """Updates per CPU second of the Mesa model, as written and with event skipping."""
    from mesa_city_model import CityRuleModel

    # ``import mesa`` switches the process to "spawn" (mesa/batchrunner.py); undo it
    multiprocessing.set_start_method(None, force=True)
    plain, skipping = MESA_STEPS[m]
    if quick:
        plain, skipping = max(1, plain // 4), max(1, skipping // 4)
    out = {}
    for label, steps, step_name in (
        ("as written", plain, "step"),
        ("event skipping", skipping, "step_skipping"),
    ):
        t0 = time.perf_counter()
        model = CityRuleModel(counts, inp, steps_per_year=cfg.steps_per_year, seed=0)
        build = time.perf_counter() - t0
        step = getattr(model, step_name)
        c0 = time.thread_time()
        w0 = time.perf_counter()
        for _ in range(steps):
            step()
        cpu = time.thread_time() - c0
        wall = time.perf_counter() - w0
        out[label] = {
            "cpu": m * steps / cpu,
            "wall": m * steps / wall,
            "steps": steps,
            "build_s": build,
        }
    return out


def accuracy(quick: bool, cfg: ABMConfig) -> dict:
    """Regional cooperation after 2 years at 10^3 agents: coopgov, NumPy, Mesa, mean field."""
    from mesa_city_model import CityRuleModel

    multiprocessing.set_start_method(None, force=True)
    city, sim, inp = _setup(2)
    agents = city_agents(np.full(city.n, 1_000 // city.n))
    reps = 16 if quick else 60
    ours = run_abm_coef(
        agents, replications=reps, seed=3, config=cfg, **inp.kwargs()
    ).cooperation_rate[:, -1]
    numpy_ = np.array(
        [run_numpy(agents, inp, cfg.steps_per_year, 100 + r)[0][-1].mean() for r in range(reps)]
    )
    mesa_ = np.array(
        [
            CityRuleModel(agents.counts, inp, steps_per_year=cfg.steps_per_year, seed=200 + r)
            .run_years(2)[-1]
            .mean()
            for r in range(reps)
        ]
    )
    mean_field = float(sim.cooperation_rate[0, -1])

    def z(a, b):
        return abs(a.mean() - b.mean()) / math.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)

    return {
        "replications": reps,
        "coopgov": (ours.mean(), ours.std(ddof=1)),
        "numpy": (numpy_.mean(), numpy_.std(ddof=1)),
        "mesa": (mesa_.mean(), mesa_.std(ddof=1)),
        "mean_field": mean_field,
        "z_numpy": z(ours, numpy_),
        "z_mesa": z(ours, mesa_),
    }


def bench(quick: bool = False, repeat: int = 7) -> list[Row]:
    """Measure every size; one :class:`Row` per size (and the accuracy row)."""
    cfg = ABMConfig()
    city, sim, inp = _setup()
    acc = accuracy(quick, cfg)
    acc_text = (
        f"cooperation after 2 y, 10^3 agents, {acc['replications']} replications: "
        f"coopgov {acc['coopgov'][0]:.4f} ± {acc['coopgov'][1]:.4f}, NumPy "
        f"{acc['numpy'][0]:.4f} (|z| {acc['z_numpy']:.1f}), Mesa {acc['mesa'][0]:.4f} "
        f"(|z| {acc['z_mesa']:.1f}); mean field {acc['mean_field']:.4f}"
    )
    rows = []
    for m in SIZES:
        agents = city_agents(np.full(city.n, m // city.n))
        # NumPy: the same rule vectorised; its recorded event probabilities feed the floor
        shares, probs = run_numpy(agents, inp, cfg.steps_per_year, 1, record_probabilities=True)
        pair = coopgov_and_floor(agents, inp, cfg, probs, repeat)
        t_ours, t_floor = pair["coopgov"], pair["floor"]
        ours_cpu = pair["updates"] / t_ours.cpu_s
        ours_wall = pair["updates"] / t_ours.wall_s
        numpy_reps = 1 if m >= 10_000 or quick else 3
        t_np = timed(
            lambda agents=agents, k=numpy_reps: [
                run_numpy(agents, inp, cfg.steps_per_year, 1 + r) for r in range(k)
            ],
            max(2, repeat // 3),
            warm=False,
        )
        updates = agents.n_agents * YEARS * cfg.steps_per_year
        np_cpu = updates * numpy_reps / t_np.cpu_s
        floor_cpu = pair["updates"] / t_floor.cpu_s
        events = run_floor(agents, probs, 0)
        reps = pair["updates"] / updates  # replications per timed call
        # the model's own per-step work, which the floor leaves out: Δ over 41 cities
        delta_s = delta_cost(inp, YEARS, cfg.steps_per_year) * pair["updates"] / updates
        mesa = mesa_rates(agents.counts, inp, cfg, m, quick)
        best_name, best = "NumPy (vectorised)", np_cpu
        for label, v in mesa.items():
            if v["cpu"] > best:
                best_name, best = f"Mesa ({label})", v["cpu"]
        alt = (
            f"NumPy {np_cpu:.3g}; Mesa as written {mesa['as written']['cpu']:.3g} "
            f"({mesa['as written']['steps']} steps); Mesa with event skipping "
            f"{mesa['event skipping']['cpu']:.3g} ({mesa['event skipping']['steps']} steps)"
        )
        row = Row(
            figure=f"ABM updates/s, {agents.n_agents:,} agents, default rule",
            value=ours_cpu,
            unit="updates/s",
            higher_is_better=True,
            accuracy=acc_text
            if m == SIZES[0]
            else (
                f"final cooperation {float(shares[-1].mean()):.4f} (NumPy run) vs mean field "
                f"{float(sim.cooperation_rate[0, -1]):.4f}"
            ),
            alternative=alt,
            alternative_value=best,
            floor=floor_cpu,
            floor_note=(
                f"(Numba loop, PCG64, {events / updates:.3f} events per update, no Δ work)"
            ),
            target="within 2x of the floor",
            ok=floor_cpu / ours_cpu <= 2.0,
            load=(t_ours.load_before, t_floor.load_after),
            note=(
                f"best alternative: {best_name}; wall-time rates: coopgov {ours_wall:.3g}, "
                f"floor {updates / t_floor.wall_s:.3g}, "
                f"NumPy {updates * numpy_reps / t_np.wall_s:.3g}; distance = median of the "
                f"{len(t_ours.cpu)} alternating coopgov/floor time ratios "
                f"({pair['distance']:.2f}); CPU per event: coopgov "
                f"{t_ours.cpu_s / (events * reps) * 1e9:.1f} ns, floor "
                f"{t_floor.cpu_s / (events * reps) * 1e9:.1f} ns; Δ in full at every step "
                f"would cost {delta_s / t_ours.cpu_s:.0%} of coopgov's time (floor + that Δ: "
                f"{pair['updates'] / (t_floor.cpu_s + delta_s):.3g}/s, distance "
                f"{t_ours.cpu_s / (t_floor.cpu_s + delta_s):.2f}x); coopgov "
                f"timings {t_ours.spread()}; no recompilation in the timed region "
                "(signatures counted)"
            ),
            extra={
                "agents": agents.n_agents,
                "numpy": np_cpu,
                "mesa": mesa,
                "distance_median_ratio": pair["distance"],
                "delta_share": delta_s / t_ours.cpu_s,
                "floor_wall": updates / t_floor.wall_s,
                "coopgov_wall": ours_wall,
                "events_per_update": events / updates,
            },
        )
        rows.append(row)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats and Mesa steps")
    ap.add_argument("--repeat", type=int, default=7, help="timed repeats (median reported)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    rows = bench(args.quick, 3 if args.quick else args.repeat)
    meta = machine()
    if args.json:
        print(
            json.dumps({"meta": meta, "rows": [r.to_dict() for r in rows]}, indent=2, default=float)
        )
        return
    print(f"machine: {meta}")
    print_rows(
        rows,
        "Agent-based model: coopgov, NumPy, Mesa and the floor "
        "(rates per CPU-second of the measuring thread)",
    )


if __name__ == "__main__":
    main()
