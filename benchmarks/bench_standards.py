"""Benchmark of coopgov.standards: IAQI throughput against its target.

Target (issue 4): IAQI of >= 1e7 concentration values per second on one core.
Baselines: a naive per-value pure-Python loop (bisect + math.ceil) on a small
sample, and a plain NumPy vectorisation (searchsorted + gathers).

Run: ``python benchmarks/bench_standards.py [--json] [--n 10000000]``.
"""

from __future__ import annotations

import argparse
import bisect
import json
import math
import time

import numpy as np

from coopgov.standards.aqi import BREAKPOINTS, aqi_report, iaqi

TARGET_VALUES_PER_S = 1e7


def best_time(fn, repeat: int = 3) -> float:
    best = math.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def naive_iaqi(values, bp, iq):
    """Per-value Python loop (2012 rule, no concentration rounding)."""
    out = []
    for c in values:
        if c != c:
            out.append(float("nan"))
            continue
        if c > bp[-1]:
            out.append(500.0)
            continue
        k = max(1, bisect.bisect_left(bp, c))
        v = iq[k - 1] + (iq[k] - iq[k - 1]) * (c - bp[k - 1]) / (bp[k] - bp[k - 1])
        out.append(float(math.ceil(v - 1e-9)))
    return out


def numpy_iaqi(c, bp, iq):
    """Plain NumPy vectorisation (2012 rule, no rounding)."""
    k = np.clip(np.searchsorted(bp, c, side="left"), 1, len(bp) - 1)
    lo, hi, ilo, ihi = bp[k - 1], bp[k], iq[k - 1], iq[k]
    v = np.ceil(ilo + (ihi - ilo) * (c - lo) / (hi - lo) - 1e-9)
    return np.where(c > bp[-1], 500.0, v)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true", help="print results as JSON")
    parser.add_argument("--n", type=int, default=10_000_000, help="values per IAQI run")
    args = parser.parse_args()

    rng = np.random.default_rng(20260301)
    c = rng.uniform(0.0, 600.0, args.n)
    col = BREAKPOINTS["2012"]["pm2_5_24h"]
    bp = np.asarray(col.concentration, dtype=float)
    iq = np.asarray(col.iaqi, dtype=float)

    iaqi("pm2_5", c[:10], standard="2012")  # compile / load the kernel
    iaqi("pm2_5", c[:10], standard="2026")
    t_2012 = best_time(lambda: iaqi("pm2_5", c, standard="2012"))
    t_2026 = best_time(lambda: iaqi("pm2_5", c, standard="2026"))
    t_numpy = best_time(lambda: numpy_iaqi(c, bp, iq), repeat=2)

    n_naive = 200_000
    sample = c[:n_naive].tolist()
    bp_l, iq_l = bp.tolist(), iq.tolist()
    t_naive = best_time(lambda: naive_iaqi(sample, bp_l, iq_l), repeat=2)
    # the three implementations agree on the sample
    assert np.array_equal(
        np.asarray(naive_iaqi(sample, bp_l, iq_l)), iaqi("pm2_5", c[:n_naive], standard="2012")
    )
    assert np.array_equal(
        numpy_iaqi(c[:n_naive], bp, iq), iaqi("pm2_5", c[:n_naive], standard="2012")
    )

    n_obs = 1_000_000
    conc = {
        "so2": rng.uniform(0, 100, n_obs),
        "no2": rng.uniform(0, 150, n_obs),
        "co": rng.uniform(0, 3, n_obs),
        "o3_8h": rng.uniform(0, 300, n_obs),
        "pm10": rng.uniform(0, 300, n_obs),
        "pm2_5": rng.uniform(0, 250, n_obs),
    }
    aqi_report({k: v[:10] for k, v in conc.items()})
    t_report = best_time(lambda: aqi_report(conc), repeat=2)

    results = {
        "iaqi_2012_values_per_s": args.n / t_2012,
        "iaqi_2026_values_per_s": args.n / t_2026,
        "numpy_baseline_values_per_s": args.n / t_numpy,
        "naive_python_values_per_s": n_naive / t_naive,
        "aqi_report_2026_day_observations_per_s": n_obs / t_report,
        "target_values_per_s": TARGET_VALUES_PER_S,
        "n_values": args.n,
    }
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"IAQI, PM2.5, {args.n:.0e} values, one core; target >= {TARGET_VALUES_PER_S:.0e} /s")
    naive_key = "naive_python_values_per_s"
    rows = [
        ("coopgov iaqi, HJ 633-2012", results["iaqi_2012_values_per_s"]),
        ("coopgov iaqi, HJ 633-2026 (with GB/T 8170 rounding)", results["iaqi_2026_values_per_s"]),
        ("baseline: plain NumPy searchsorted", results["numpy_baseline_values_per_s"]),
        (f"baseline: naive Python loop ({n_naive:.0e} values)", results[naive_key]),
    ]
    for name, rate in rows:
        verdict = "meets target" if rate >= TARGET_VALUES_PER_S else "below target"
        print(f"  {name:55s} {rate:12.3e} values/s  ({verdict})")
    speed = results["iaqi_2026_values_per_s"] / results["naive_python_values_per_s"]
    print(f"  speed-up of 2026 kernel over naive loop: {speed:.0f}x")
    print(
        f"aqi_report (2026 daily, 6 pollutants, {n_obs:.0e} observations): "
        f"{results['aqi_report_2026_day_observations_per_s']:.3e} observations/s (no target)"
    )


if __name__ == "__main__":
    main()
