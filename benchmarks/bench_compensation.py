"""Benchmark of the compensation functions the dynamics call inside their loop.

Run: ``python benchmarks/bench_compensation.py [--json] [--quick]``.

Each figure is printed next to its target and a baseline: the same
arithmetic written as a plain Python loop (what a first implementation
would do).  Targets are our own budget (assumption): one call for a whole
batch of scenarios should cost a small fraction of a simulation step.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable

import numpy as np

from coopgov.compensation import (
    PriceTiers,
    bet_index,
    bet_transfer,
    example_path,
    fiscal_transfers,
    per_tonne_assessment,
    per_tonne_payment,
    xinan_assessment,
)


def best_of(fn: Callable[[], object], repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def bench_bet(n: int) -> dict:
    rng = np.random.default_rng(0)
    c = rng.uniform(0.0, 3.0, size=(n, 4))
    c0 = np.array([2.0, 0.1, 1.0, 0.03])
    w = np.full(4, 0.25)

    def vectorised() -> None:
        bet_transfer(bet_index(c, c0, w, 0.85), 1e8, 1e8)

    rows, wl, c0l = c.tolist(), w.tolist(), c0.tolist()

    def naive() -> None:
        out = []
        for row in rows:
            p = 0.85 * sum(wi * ci / c0i for wi, ci, c0i in zip(wl, row, c0l, strict=True))
            out.append(1e8 if p <= 1.0 else -1e8)

    return {
        "name": f"bet index + transfer, {n:,} scenario-years",
        "seconds": best_of(vectorised),
        "baseline_seconds": best_of(naive, 2),
        "target_seconds": 0.1,
    }


def bench_per_tonne(n: int) -> dict:
    rng = np.random.default_rng(1)
    c = rng.uniform(0.0, 3.0, size=n)
    q = rng.uniform(1.0, 100.0, size=n)
    tiers = PriceTiers([100_000.0, 150_000.0, 250_000.0], [0.5, 1.0])

    def vectorised() -> None:
        per_tonne_payment(c, 1.0, q, 2_592_000.0, tiers)

    cl, ql = c.tolist(), q.tolist()

    def naive() -> None:
        out = []
        for ci, qi in zip(cl, ql, strict=True):
            excess = max(ci - 1.0, 0.0)
            r = excess / 1.0
            price = 100_000.0 if r <= 0.5 else 150_000.0 if r <= 1.0 else 250_000.0
            out.append(excess * qi * 2_592_000.0 * 1e-6 * price)

    return {
        "name": f"per-tonne payment (3 tiers), {n:,} records",
        "seconds": best_of(vectorised),
        "baseline_seconds": best_of(naive, 2),
        "target_seconds": 0.2,
    }


def bench_fiscal(scenarios: int, cities: int = 41) -> dict:
    rng = np.random.default_rng(2)
    fc = rng.uniform(2_000.0, 40_000.0, size=(scenarios, cities))
    pop = rng.uniform(1e6, 2e7, size=(scenarios, cities))
    fund = rng.uniform(1e8, 1e10, size=scenarios)

    def vectorised() -> None:
        fiscal_transfers(fc, pop, fund)

    fcl, popl, fundl = fc.tolist(), pop.tolist(), fund.tolist()

    def naive() -> None:
        for f, p, fu in zip(fcl, popl, fundl, strict=True):
            mean = sum(a * b for a, b in zip(f, p, strict=True)) / sum(p)
            need = [max(mean - a, 0.0) * b for a, b in zip(f, p, strict=True)]
            total = sum(need)
            amount = min(fu, total)
            [amount * g / total if total > 0 else 0.0 for g in need]

    return {
        "name": f"fiscal transfers, {scenarios:,} scenarios x {cities} cities",
        "seconds": best_of(vectorised),
        "baseline_seconds": best_of(naive, 2),
        "target_seconds": 0.05,
    }


def bench_tables() -> list[dict]:
    xinan = example_path("xinan")
    taihu = example_path("per-tonne")
    return [
        {
            "name": "xinan_assessment, bundled example (1,152 samples, round 1)",
            "seconds": best_of(lambda: xinan_assessment(xinan, "xinan-round1"), 3),
            "baseline_seconds": None,
            "target_seconds": 0.5,
        },
        {
            "name": "per_tonne_assessment, bundled example (96 records)",
            "seconds": best_of(lambda: per_tonne_assessment(taihu, "jiangsu-taihu-2021"), 3),
            "baseline_seconds": None,
            "target_seconds": 0.5,
        },
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--quick", action="store_true", help="smaller sizes")
    args = parser.parse_args()
    n = 100_000 if args.quick else 1_000_000
    results = [bench_bet(n), bench_per_tonne(n), bench_fiscal(n // 100), *bench_tables()]
    for r in results:
        r["meets_target"] = r["seconds"] <= r["target_seconds"]
        base = r["baseline_seconds"]
        r["speedup_vs_baseline"] = None if base is None else base / r["seconds"]
    if args.json:
        print(json.dumps(results, indent=2))
        return
    for r in results:
        base = r["baseline_seconds"]
        base_txt = (
            ""
            if base is None
            else (
                f"   baseline (pure-Python loop) {base * 1e3:9.1f} ms, "
                f"x{r['speedup_vs_baseline']:.0f} faster"
            )
        )
        status = "OK " if r["meets_target"] else "MISS"
        print(
            f"[{status}] {r['name']}: {r['seconds'] * 1e3:8.2f} ms "
            f"(target <= {r['target_seconds'] * 1e3:.0f} ms){base_txt}"
        )


if __name__ == "__main__":
    main()
