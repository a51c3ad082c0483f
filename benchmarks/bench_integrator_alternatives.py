"""The mean-field engine beside the integrators a scientist would use instead, at stated accuracy.

    python benchmarks/bench_integrator_alternatives.py            # 2,000 scenarios
    python benchmarks/bench_integrator_alternatives.py --scenarios 10000 --json

For a batch of random scenarios of the 41-city, 30-year model (parameters
uniform within their declared bounds, lever intensities uniform in [0, 1]):
seconds per run and the largest error in cooperation against the reference
(LSODA at rtol 1e-10, on the first ``--check`` scenarios) of

* coopgov's engine (``simulate``, all-in: parameters, coefficients, integration),
  with each integrator named in ``--methods`` (default: the Riccati scheme, then
  the first-order exponential one);
* classical RK4 vectorised with NumPy, at the fewest steps a year (12, 24, 48,
  ...) that reach ``--accuracy`` on the checked scenarios (explicit RK4 is
  unstable at monthly steps for strong lateral thrust; see
  ``integrator_alternatives``): the comparison at a stated accuracy;
* the same RK4 compiled with JAX on the CPU (float64, one thread), where JAX is
  installed;
* SciPy's LSODA per scenario at rtol 1e-6 (timed on ``--check`` scenarios).

The floor is the arithmetic of one run at the core's measured DGEMM rate
(``FLOP_PER_RUN`` of ``bench_experiments.py``).  All on one core, CPU time
of the measuring thread (see ``harness.py``).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[_var] = "1"
# JAX (XLA) on one thread too, so that every program gets one core
os.environ.setdefault(
    "XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
)

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

import integrator_alternatives as ia  # noqa: E402
from harness import Row, dgemm_gflops, machine, print_rows, timed  # noqa: E402

from coopgov.dynamics.engine import simulate  # noqa: E402
from coopgov.model import city_data  # noqa: E402
from coopgov.model.levers import LEVER_NAMES  # noqa: E402
from coopgov.model.parameters import PARAMETER_INFO  # noqa: E402
from coopgov.region import load_region  # noqa: E402

FLOP_PER_RUN = 2.09e6  # see bench_experiments.FLOP_PER_RUN (an estimate)


def scenarios(n: int, years: int = 30, seed: int = 0):
    """Random parameters within their bounds and random lever intensities."""
    rng = np.random.default_rng(seed)
    params = {}
    for name, info in PARAMETER_INFO.items():
        lo, hi = info.bounds
        params[name] = rng.uniform(lo, hi, n) if name != "initial_cooperation" else np.full(n, 0.1)
    return params, rng.random((n, years, len(LEVER_NAMES)))


#: Arithmetic of one attempted step of the Riccati scheme (an estimate): five
#: evaluations of the rates (the dense 41x41 exposure product, 3,362 flop; W twice
#: and PW^T sparse, about 600; the element-wise rates, about 820) and six exact
#: flows (square root, exponential, two divisions: about 60 flop a city).  A run
#: attempts at least one step a year (30 for 30 years: 1.16 MFLOP, less than one
#: first-order evaluation a month); its controller attempts more through fast
#: transients (counted by ``integrate_affine(..., attempts=)``).
FLOP_PER_ATTEMPT = 5 * (3362 + 600 + 820) + 6 * 60 * 41


def own_flop(city, params, intensity, method: str, years: int = 30) -> float:
    """The scheme's own arithmetic for these runs [flop]: attempts counted for Riccati."""
    if method != "riccati":
        n = len(next(iter(params.values()))) if isinstance(params, dict) else len(params)
        return n * FLOP_PER_RUN
    return riccati_attempts(city, params, intensity, years) * FLOP_PER_ATTEMPT


def riccati_attempts(city, params, intensity, years: int = 30) -> int:
    """Steps the Riccati scheme attempts in ``simulate`` on these runs (all chunks)."""
    from unittest import mock

    from coopgov.dynamics import engine as engine_module
    from coopgov.dynamics import replicator

    total = 0

    def counting(*a, **k):
        nonlocal total
        tries = np.zeros(a[1].shape[1], dtype=np.int64)
        out = replicator.integrate_affine(*a, **k, attempts=tries)
        total += int(tries.sum())
        return out

    with mock.patch.object(engine_module, "integrate_affine", counting):
        simulate(city, params, intensity, years=years, method="riccati")
    return total


def bench(
    n: int, check: int, repeat: int, accuracy: float = 1e-4, methods: tuple[str, ...] = ()
) -> list[Row]:
    city = city_data(load_region("yrd"))
    params, intensity = scenarios(n)
    methods = methods or ("riccati",)
    runs = {}
    for method in methods:

        def engine(method=method):
            return simulate(city, params, intensity, years=30, method=method)

        runs[method] = (timed(engine, repeat), engine().cooperation[:check])
    # the ODE of every scenario (its coefficients do not depend on the integrator)
    ode = ia.batch_ode(simulate(city, params, intensity, years=30, method="exponential"))
    ref = ia.reference(ode, range(check))
    t_engine = runs[methods[0]][0]
    err_engine = ia.max_error(runs[methods[0]][1], ref)

    # the fewest RK4 steps a year that reach the accuracy asked for on the checked runs
    sub = ia.BatchODE(
        *(
            getattr(ode, f)[:check]
            if f not in ("coef", "p0", "w", "pw")
            else (ode.coef[:, :check] if f == "coef" else getattr(ode, f))
            for f in ("x0", "coef", "rate", "kappa", "noise", "decay", "p0", "w", "pw")
        )
    )
    spy, err_np = None, float("nan")
    with np.errstate(all="ignore"):
        for cand in (12, 24, 48, 96, 192, 384, 768):
            err_np = ia.max_error(ia.rk4_numpy(sub, cand), ref)
            if np.isfinite(err_np) and err_np <= accuracy:
                spy = cand
                break
    alts = []
    best = None
    if spy is None:
        alts.append(f"NumPy RK4: no step count up to 768 a year reaches {accuracy:g}")
    else:
        t_np = timed(lambda: ia.rk4_numpy(ode, spy), max(1, repeat // 2), warm=False)
        alts.append(
            f"NumPy RK4 ({spy} steps/yr): {t_np.cpu_s / n * 1e3:.3f} ms/run, error {err_np:.1e}"
        )
        best = t_np.cpu_s / n
        try:
            run_jax = ia.rk4_jax(ode, spy)
            xj = run_jax()
            t_jax = timed(run_jax, repeat, clock="process")
            err_jax = ia.max_error(xj[:check], ref)
            alts.append(
                f"JAX RK4 on one CPU thread ({spy} steps/yr): "
                f"{t_jax.cpu_s / n * 1e3:.3f} ms/run, error {err_jax:.1e}"
            )
            best = min(best, t_jax.cpu_s / n)
        except ImportError:
            alts.append("JAX: not installed")
    t_ls = timed(lambda: ia.lsoda(ode, 1e-6, scenarios=range(check)), 1, warm=False)
    err_ls = ia.max_error(ia.lsoda(ode, 1e-6, scenarios=range(check)), ref)
    alts.append(f"SciPy LSODA rtol 1e-6: {t_ls.cpu_s / check * 1e3:.2f} ms/run, error {err_ls:.1e}")
    g = dgemm_gflops(2000, 3)
    floor = FLOP_PER_RUN / (g["cpu"] * 1e9)
    per_run = t_engine.cpu_s / n
    own = {m: own_flop(city, params, intensity, m) / n for m in methods}
    others = [
        Row(
            figure=f"mean-field engine, method {m!r}, {n:,} scenarios (all-in), per run",
            higher_is_better=False,
            value=t.cpu_s / n * 1e3,
            unit="ms",
            accuracy=f"largest error against LSODA rtol 1e-10 (first {check} scenarios): "
            f"{ia.max_error(x, ref):.1e}",
            alternative=f"the engine's {methods[0]!r} method",
            alternative_value=per_run * 1e3,
            floor=own[m] / (g["cpu"] * 1e9) * 1e3,
            floor_note="(the scheme's own arithmetic at DGEMM rate)",
            load=(t.load_before, t.load_after),
            note=f"whole batch {t.cpu_s:.2f} s CPU ({t.wall_s:.2f} s wall)",
        )
        for m, (t, x) in runs.items()
        if m != methods[0]
    ]
    return [
        Row(
            figure=f"mean-field engine, {n:,} scenarios of 30 years (all-in), per run",
            higher_is_better=False,
            value=per_run * 1e3,
            unit="ms",
            accuracy=f"largest error against LSODA rtol 1e-10 (first {check} scenarios): "
            f"{err_engine:.1e}",
            alternative="; ".join(alts),
            alternative_value=None if best is None else best * 1e3,
            floor=floor * 1e3,
            floor_note=f"({FLOP_PER_RUN / 1e6:.2f} MFLOP, one first-order step a month, at DGEMM "
            f"{g['cpu']:.1f} GFLOP/s; the {methods[0]!r} scheme's own arithmetic, "
            f"{own[methods[0]] / 1e6:.2f} MFLOP a run: "
            f"{own[methods[0]] / (g['cpu'] * 1e9) * 1e3:.3f} ms)",
            load=(t_engine.load_before, t_engine.load_after),
            note=f"whole batch {t_engine.cpu_s:.2f} s CPU ({t_engine.wall_s:.2f} s wall); the "
            "alternatives' accuracy differs from the engine's: compare at equal error",
        )
    ] + others


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenarios", type=int, default=2_000)
    ap.add_argument("--check", type=int, default=20, help="scenarios checked against LSODA")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument(
        "--accuracy",
        type=float,
        default=1e-4,
        help="largest error in cooperation the alternatives must reach",
    )
    ap.add_argument(
        "--methods",
        default="riccati,exponential",
        help="engine integrators to time, comma-separated, the first as the headline "
        "(rk4 is slow over the whole box: up to 32 sub-steps in its stiff corners)",
    )
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    rows = bench(
        args.scenarios,
        min(args.check, args.scenarios),
        args.repeat,
        args.accuracy,
        tuple(args.methods.split(",")),
    )
    if args.json:
        print(
            json.dumps(
                {"meta": machine(), "rows": [r.to_dict() for r in rows]}, indent=2, default=float
            )
        )
        return
    print(f"machine: {machine()}")
    print_rows(rows, "Mean-field engine and the alternatives (CPU time of one core)")


if __name__ == "__main__":
    main()
