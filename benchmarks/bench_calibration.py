"""Calibration throughput: batched ABC-SMC against pyabc driving the single-run path.

    PYTHONPATH=src python benchmarks/bench_calibration.py [--particles 200] [--generations 4]

Same problem for both (the history calibration, coopgov.calibration.problem,
fitted to observations up to 2018, same priors, same distance, same
population size and number of generations):

- coopgov: :func:`coopgov.calibration.abc.abc_smc`, every round of proposals
  in one batched ``simulate`` call;
- pyabc 0.13 (``pip install pyabc``): ``pyabc.ABCSMC`` with its single-core
  sampler, each particle one ``simulate`` call (the single-run path); the
  multicore sampler is not used so both sides use one process.

Prints simulations per second and wall time of each.
"""

from __future__ import annotations

import argparse
import tempfile
import time

import numpy as np

from coopgov.calibration.abc import abc_smc
from coopgov.calibration.problem import HistoryProblem


def run_coopgov(problem: HistoryProblem, particles: int, generations: int) -> tuple[int, float]:
    problem(np.atleast_2d((problem.lower + problem.upper) / 2), np.random.default_rng(0))  # JIT
    t = time.perf_counter()
    r = abc_smc(
        problem,
        problem.lower,
        problem.upper,
        names=problem.parameters,
        n_particles=particles,
        n_generations=generations,
        seed=1,
    )
    return r.n_simulations, time.perf_counter() - t


def run_pyabc(problem: HistoryProblem, particles: int, generations: int) -> tuple[int, float]:
    import logging

    import pyabc

    logging.getLogger("ABC").setLevel(logging.WARNING)
    rng = np.random.default_rng(2)
    names = problem.parameters

    def model(p):
        theta = np.array([[p[n] for n in names]])
        out = problem.simulate(theta, rng)
        return {"pm25": out["pm25"][0], "crossing": out["crossing"][0]}

    def distance(a, b):
        out = {"pm25": a["pm25"][None], "crossing": np.array([a["crossing"]])}
        return float(problem.distance(out)[0])

    prior = pyabc.Distribution(
        **{
            n: pyabc.RV("uniform", lo, hi - lo)
            for n, lo, hi in zip(names, problem.lower, problem.upper, strict=True)
        }
    )
    abc = pyabc.ABCSMC(
        model, prior, distance, population_size=particles, sampler=pyabc.sampler.SingleCoreSampler()
    )
    # pyabc compares against observed summary statistics; our distance holds the
    # observations itself, so any placeholder of the right shape is passed
    dummy = {"pm25": np.zeros(len(problem.years)), "crossing": 0.0}
    with tempfile.TemporaryDirectory() as d:
        abc.new(f"sqlite:///{d}/bench.db", dummy)
        t = time.perf_counter()
        hist = abc.run(max_nr_populations=generations)
        wall = time.perf_counter() - t
        n_sim = int(hist.total_nr_simulations)
    return n_sim, wall


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--particles", type=int, default=200)
    ap.add_argument("--generations", type=int, default=4)
    args = ap.parse_args()
    problem = HistoryProblem(until=2018)
    rows = [("coopgov batched ABC-SMC", *run_coopgov(problem, args.particles, args.generations))]
    try:
        rows.append(
            ("pyabc, single-run path", *run_pyabc(problem, args.particles, args.generations))
        )
    except ImportError:
        print("pyabc not installed: pip install pyabc")
    print(f"history calibration, {args.particles} particles, {args.generations} generations")
    for name, n, wall in rows:
        print(f"{name:28s} {n:8d} simulations {wall:8.1f} s {n / wall:9.0f} simulations/s")
    if len(rows) == 2:
        ratio = (rows[0][1] / rows[0][2]) / (rows[1][1] / rows[1][2])
        print(f"speed-up (simulations/s): {ratio:.0f}x")


if __name__ == "__main__":
    main()
