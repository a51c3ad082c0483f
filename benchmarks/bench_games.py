"""Benchmarks of coopgov.games against the targets of the games issue.

Run: ``python benchmarks/bench_games.py [--json] [--quick]``.

Each line prints the measured figure, its target and a naive baseline (pure
Python or plain SciPy) run beside it.  Timings are the best of a few repeats
(wall clock); baselines that would take long are run on a smaller problem and
extrapolated linearly in the work done, which is stated.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy.optimize import linprog, minimize, minimize_scalar

from coopgov.games.coalitions import coalition_payoffs_linear_quadratic, coalition_stability
from coopgov.games.cooperative import (
    coalition_members,
    coalition_sizes,
    nucleolus,
    shapley_value,
    shapley_value_sampled,
)
from coopgov.games.emission import (
    EmissionCoalitionGame,
    calibrate_emission_game,
    chander_tulkens_transfers,
    solve_emission_game,
)
from coopgov.games.river import river_cost_game


def best_of(fn: Callable[[], Any], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def region_game():
    try:
        from coopgov.region import load_region

        reg = load_region("yrd")
        return calibrate_emission_game(
            reg.emissions["so2"].to_numpy(float),
            np.asarray(reg.air_transfer, dtype=float),
            reg.cities["population"].to_numpy(float),
            reg.cities["gdp"].to_numpy(float),
        ), "yrd (41 cities, SO2)"
    except Exception:  # region part not available: a random 41-city matrix
        rng = np.random.default_rng(0)
        n = 41
        t = rng.random((n, n)) * 0.02
        np.fill_diagonal(t, 0.3)
        e = 1e4 + 5e4 * rng.random(n)
        pop = 1e6 + 2e7 * rng.random(n)
        return calibrate_emission_game(e, t, pop, pop * 1e5), "random 41-city matrix"


# ---------------------------------------------------------------------------
# naive baselines
# ---------------------------------------------------------------------------
def naive_sampled_shapley(value_of_set: Callable[[frozenset[int]], float], n: int, m: int):
    rng = np.random.default_rng(0)
    phi = [0.0] * n
    for _ in range(m):
        order = rng.permutation(n).tolist()
        members: set[int] = set()
        prev = value_of_set(frozenset())
        for i in order:
            members.add(i)
            cur = value_of_set(frozenset(members))
            phi[i] += cur - prev
            prev = cur
    return [p / m for p in phi]


def naive_exact_shapley(v: np.ndarray, n: int) -> list[float]:
    fact = [math.factorial(k) for k in range(n + 1)]
    phi = [0.0] * n
    vals = v.tolist()
    for i in range(n):
        bit = 1 << i
        for mask in range(1 << n):
            if mask & bit:
                continue
            s = bin(mask).count("1")
            phi[i] += fact[s] * fact[n - s - 1] / fact[n] * (vals[mask | bit] - vals[mask])
    return phi


def naive_nucleolus(v: np.ndarray, n: int) -> np.ndarray:
    """Kopelowitz-style sequence: after each LP, test every tight coalition by its own LP."""
    coalitions = [s for s in range(1, (1 << n) - 1)]
    rows = {s: np.array([(s >> i) & 1 for i in range(n)], dtype=float) for s in coalitions}
    fixed: dict[int, float] = {}
    free = list(coalitions)
    x = np.zeros(n)
    bounds = [(float(v[1 << i]), None) for i in range(n)] + [(None, None)]
    while free:
        a_ub = np.array([np.r_[-rows[s], -1.0] for s in free])
        b_ub = np.array([-v[s] for s in free])
        a_eq = np.array([np.r_[np.ones(n), 0.0]] + [np.r_[rows[s], 0.0] for s in fixed])
        b_eq = np.array([v[-1]] + [v[s] - e for s, e in fixed.items()])
        res = linprog(np.r_[np.zeros(n), 1.0], a_ub, b_ub, a_eq, b_eq, bounds, method="highs")
        x, eps = res.x[:n], res.x[n]
        newly = []
        for k, s in enumerate(free):
            if abs(a_ub[k] @ res.x - b_ub[k]) > 1e-9:
                continue
            # can this constraint be made slack while keeping eps optimal?
            obj = np.r_[rows[s], 0.0]
            extra_ub = np.vstack([a_ub, np.r_[np.zeros(n), 1.0]])
            extra_b = np.r_[b_ub, eps]
            r2 = linprog(-obj, extra_ub, extra_b, a_eq, b_eq, bounds, method="highs")
            if -r2.fun - v[s] + eps <= 1e-9:
                newly.append(s)
        for s in newly:
            fixed[s] = eps
        free = [s for s in free if s not in fixed]
        mat = np.array([np.ones(n)] + [rows[s] for s in fixed])
        if np.linalg.matrix_rank(mat) >= n:
            break
        free = [
            s
            for s in free
            if np.linalg.matrix_rank(np.vstack([mat, rows[s]])) > np.linalg.matrix_rank(mat)
        ]
    return x


def naive_emission_game(game):
    """Nash by iterated best response with scalar optimisation; cooperation by SLSQP."""
    n = game.n_players
    t, a, b, g = game.transfer, game.intercept, game.slope, game.damage
    e = a / b / 2
    for _ in range(3):
        for i in range(n):

            def neg(x, i=i):
                e2 = e.copy()
                e2[i] = x
                return -(a[i] * x - b[i] * x * x / 2 - g[i] * (e2 @ t)[i])

            e[i] = minimize_scalar(neg, bounds=(0, a[i] / b[i]), method="bounded").x

    def neg_total(x):
        return -np.sum(a * x - b * x * x / 2 - g * (x @ t))

    coop = minimize(neg_total, e, bounds=[(0, a[i] / b[i]) for i in range(n)], method="L-BFGS-B")
    return e, coop.x


def naive_stability(table: np.ndarray, n: int) -> list[int]:
    stable = []
    for mask in range(1 << n):
        ok = True
        for i in range(n):
            bit = 1 << i
            if mask & bit:
                if table[mask, i] < table[mask ^ bit, i] - 1e-12:
                    ok = False
                    break
            elif table[mask, i] < table[mask | bit, i] - 1e-12:
                ok = False
                break
        if ok:
            stable.append(mask)
    return stable


# ---------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    args = parser.parse_args()
    rep = 1 if args.quick else 3
    results: list[dict[str, Any]] = []

    def record(name, seconds, target, baseline=None, note=""):
        results.append(
            {
                "benchmark": name,
                "seconds": seconds,
                "target_s": target,
                "meets_target": None if target is None else seconds <= target,
                "baseline_seconds": baseline,
                "note": note,
            }
        )

    # 1. sampled Shapley, 41 players, 1e5 permutations
    n, m = 41, 100_000
    costs = np.random.default_rng(0).random(n) * 10
    river = river_cost_game(costs, None, "des")
    shapley_value_sampled(river, n, n_permutations=1000)
    t_fast = best_of(lambda: shapley_value_sampled(river, n, n_permutations=m), rep)

    def generic(members):
        return river(members)

    t_generic = best_of(lambda: shapley_value_sampled(generic, n, n_permutations=m), 1)
    cum = np.cumsum(costs)
    m_naive = 2000
    t0 = time.perf_counter()
    naive_sampled_shapley(lambda s: float(cum[max(s)]) if s else 0.0, n, m_naive)
    t_naive = (time.perf_counter() - t0) * m / m_naive
    record(
        "shapley sampled, river DES game, 41 players, 1e5 orders (prefix path)",
        t_fast,
        1.0,
        t_naive,
        f"baseline: pure-Python loop, {m_naive} orders extrapolated; "
        f"generic membership-matrix path {t_generic:.2f} s",
    )
    game, label = region_game()
    emis = EmissionCoalitionGame(game)
    shapley_value_sampled(emis, n, n_permutations=100)  # compile
    t_emis = best_of(lambda: shapley_value_sampled(emis, n, n_permutations=m), rep)
    t0 = time.perf_counter()
    shapley_value_sampled(lambda mm: emis(mm), n, n_permutations=2000)
    t_emis_generic = (time.perf_counter() - t0) * m / 2000
    record(
        f"shapley sampled, emission gamma-game, {label}, 1e5 orders",
        t_emis,
        None,
        t_emis_generic,
        "baseline: NumPy membership matrices, 2000 orders extrapolated",
    )

    # 2. exact Shapley, 20 players
    rng = np.random.default_rng(1)
    v20 = rng.random(1 << 20) * coalition_sizes(20)
    v20[0] = 0
    t_exact = best_of(lambda: shapley_value(v20), rep)
    v12 = v20[: 1 << 12].copy()
    t0 = time.perf_counter()
    naive_exact_shapley(v12, 12)
    t_naive = (time.perf_counter() - t0) * (20 * 2**19) / (12 * 2**11)
    record(
        "shapley exact, 20 players (table)",
        t_exact,
        5.0,
        t_naive,
        "baseline: pure-Python subset loop, 12 players extrapolated by n 2^(n-1)",
    )

    # 3. nucleolus, 10 players
    v10 = (1 + 0.3 * rng.random(1 << 10)) * coalition_sizes(10) ** 2.0
    v10[0] = 0
    t_nuc = best_of(lambda: nucleolus(v10), rep)
    t0 = time.perf_counter()
    x_naive = naive_nucleolus(v10, 10)
    t_naive = time.perf_counter() - t0
    agree = float(np.max(np.abs(x_naive - nucleolus(v10))))
    record(
        "nucleolus, 10 players",
        t_nuc,
        2.0,
        t_naive,
        f"baseline: one LP per tight coalition (Kopelowitz); max difference {agree:.1e}",
    )

    # 4. the 41-city emission game
    def solve():
        res = solve_emission_game(game)
        chander_tulkens_transfers(res)

    t_em = best_of(solve, max(rep, 5))
    t0 = time.perf_counter()
    naive_emission_game(game)
    t_naive = time.perf_counter() - t0
    record(
        f"emission game Nash + cooperation + CT transfers, {label}",
        t_em,
        0.1,
        t_naive,
        "baseline: best-response iteration (minimize_scalar) + L-BFGS-B",
    )

    # 5. coalition enumeration
    for k in (12, 15):
        b = 0.5 + rng.random(k)
        c = 0.5 + rng.random(k)
        t_enum = best_of(
            lambda k=k, b=b, c=c: coalition_stability(
                lambda mm: coalition_payoffs_linear_quadratic(mm, b, c), k, transfers=True
            ),
            rep,
        )
        baseline = None
        if k == 12:
            table = coalition_payoffs_linear_quadratic(coalition_members(k), b, c)
            t0 = time.perf_counter()
            naive_stability(table, k)
            baseline = time.perf_counter() - t0
        record(
            f"coalition stability by enumeration, {k} asymmetric players",
            t_enum,
            1.0 if k == 12 else None,
            baseline,
            "baseline: pure-Python loops over the table",
        )

    if args.json:
        print(json.dumps(results, indent=2))
        return
    for r in results:
        target = "-" if r["target_s"] is None else f"<= {r['target_s']:g} s"
        ok = "" if r["meets_target"] is None else ("OK" if r["meets_target"] else "MISSED")
        base = "-" if r["baseline_seconds"] is None else f"{r['baseline_seconds']:.3f} s"
        print(
            f"{r['benchmark']}\n    {r['seconds']:.4f} s  target {target} {ok}  "
            f"baseline {base}  ({r['note']})"
        )


if __name__ == "__main__":
    main()
