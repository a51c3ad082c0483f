"""Benchmark of the mean-field engine's set-up (everything ``simulate`` does before integrating).

Run:  python benchmarks/bench_setup.py [--json] [--quick]

1. one 41-city, 30-year run (``simulate(city, [ModelParameters()], intensity,
   years=30)``), levers none and at 0.5: the set-up alone (the integrator
   replaced by a stub that returns an empty trajectory) beside the
   integrator alone on the very arguments ``simulate`` hands it;
2. its parts, each beside what it replaces where that still exists: the
   coefficients in closed form (one compiled pass,
   :func:`coopgov.model.forces.affine_coefficients`) beside the same
   coefficients probed from the force terms (NumPy,
   :func:`~coopgov.model.forces.probed_affine_coefficients`); the parameter
   table, the levers and the bet incentive;
3. the set-up of 10,000 scenarios over the whole declared parameter box with
   every lever at a random intensity (chunks of 512), beside the integrator.

Times are medians of the measuring thread's CPU time (``harness``); the
short calls are timed in blocks of ``inner`` calls and reported per call.
Pairs are timed in alternation so that both see the same load.  No floor is
derived: the set-up is a fixed number of calls on small arrays, so the
integrator beside it is the yardstick.
"""

from __future__ import annotations

import os

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
from dataclasses import asdict  # noqa: E402
from pathlib import Path  # noqa: E402
from unittest import mock  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_integrator_alternatives import scenarios  # noqa: E402
from harness import Row, machine, print_rows, timed_interleaved  # noqa: E402

from coopgov.dynamics import engine, replicator  # noqa: E402
from coopgov.model import ModelParameters, city_data  # noqa: E402
from coopgov.model.forces import (  # noqa: E402
    ForceContext,
    affine_coefficients,
    probed_affine_coefficients,
)
from coopgov.model.levers import LEVER_NAMES, apply_levers_table  # noqa: E402
from coopgov.model.parameters import joint_maturity, parameter_table  # noqa: E402
from coopgov.region import load_region  # noqa: E402


def _stub(x0, coef, *args, **kwargs):
    """The integrator's stand-in: an empty trajectory of the right shape."""
    return np.empty((coef.shape[1], coef.shape[2] + 1, coef.shape[3]))


def _captured(run):
    """The arguments ``simulate`` hands the integrator in ``run()``."""
    got: dict = {}

    def capture(*a, **k):
        got.update(a=a, k=k)
        return _stub(*a, **k)

    with mock.patch.object(engine, "integrate_affine", capture):
        run()
    return got["a"], got["k"]


def _per_call(fn, inner):
    def block():
        for _ in range(inner):
            fn()

    return block


def bench_single(city, level: float, repeat: int, inner: int) -> list[Row]:
    """One run's set-up beside its integration, and the set-up's parts."""
    params = [ModelParameters()]
    intensity = np.full((1, 30, len(LEVER_NAMES)), level)

    def run():
        return engine.simulate(city, params, intensity, years=30)

    a, k = _captured(run)

    def setup_only():
        with mock.patch.object(engine, "integrate_affine", _stub):
            for _ in range(inner):
                run()

    times = timed_interleaved(
        {
            "setup": setup_only,
            "integrator": _per_call(lambda: replicator.integrate_affine(*a, **k), inner),
        },
        repeat,
    )
    setup, integ = (times[n].cpu_s / inner * 1e6 for n in ("setup", "integrator"))
    label = "at 0.5" if level else "none"
    rows = [
        Row(
            figure=f"set-up of one 41-city, 30-year run (levers {label})",
            value=setup,
            unit="us",
            accuracy="trajectories equal to a set-up built from the definitions to 1e-12 "
            "(tests/dynamics/test_setup.py)",
            alternative="the integrator on the same run",
            alternative_value=integ,
            target="<= 100 us" if not level else "",
            ok=setup <= 100.0 if not level else None,
            load=(times["setup"].load_before, times["setup"].load_after),
            note=f"all-in {setup + integ:.0f} us",
        )
    ]
    # the parts, on the arrays simulate builds
    table = parameter_table(params)
    p = apply_levers_table(table, intensity, LEVER_NAMES)
    ctx = ForceContext(
        city,
        p,
        fiscal_transfer=np.zeros((1, 30, city.n)),
        compensation_incentive=np.zeros((1, 30, city.n)),
    )
    m = joint_maturity(p)
    parts = timed_interleaved(
        {
            "closed": _per_call(lambda: affine_coefficients(ctx, maturity=m), inner),
            "probed": _per_call(lambda: probed_affine_coefficients(ctx), inner),
            "table": _per_call(lambda: parameter_table(params), inner),
            "levers": _per_call(lambda: apply_levers_table(table, intensity, LEVER_NAMES), inner),
            "bet": _per_call(
                lambda: engine._bet_incentive(
                    city,
                    p["compensation_coverage"],
                    p["water_abatement_rate"],
                    p["compensation_target"],
                    p["compensation_stake"],
                    years=30,
                ),
                inner,
            ),
        },
        repeat,
    )
    us = {n: t.cpu_s / inner * 1e6 for n, t in parts.items()}
    rows.append(
        Row(
            figure=f"coefficients (5, 1, 30, 41) in closed form (levers {label})",
            value=us["closed"],
            unit="us",
            accuracy="equal to the probed terms to 1e-12 (tests/model/test_forces.py)",
            alternative="the same coefficients probed from the force terms (NumPy)",
            alternative_value=us["probed"],
            load=(parts["closed"].load_before, parts["closed"].load_after),
            note=f"parameter table {us['table']:.1f} us, levers {us['levers']:.1f} us, "
            f"bet incentive {us['bet']:.1f} us",
        )
    )
    return rows


def bench_batch(city, n: int) -> Row:
    """The set-up of ``n`` scenarios over the parameter box, beside the integrator."""
    params, intensity = scenarios(n)

    def run():
        return engine.simulate(city, params, intensity, years=30)

    def setup_only():
        with mock.patch.object(engine, "integrate_affine", _stub):
            run()

    t_setup = timed_interleaved({"setup": setup_only}, 3)["setup"]
    t_all = timed_interleaved({"all": run}, 1)["all"]
    return Row(
        figure=f"set-up of {n:,} scenarios over the parameter box (levers random)",
        value=t_setup.cpu_s,
        unit="s",
        accuracy="as the single run",
        alternative="the whole run (set-up and integration)",
        alternative_value=t_all.cpu_s,
        load=(t_setup.load_before, t_setup.load_after),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    parser.add_argument("--quick", action="store_true", help="fewer repeats, 1,000 scenarios")
    args = parser.parse_args()
    city = city_data(load_region("yrd"))
    repeat, inner, n = (5, 200, 1_000) if args.quick else (9, 1_000, 10_000)
    rows = bench_single(city, 0.0, repeat, inner) + bench_single(city, 0.5, repeat, inner)
    rows.append(bench_batch(city, n))
    if args.json:
        print(json.dumps({"machine": machine(), "rows": [asdict(r) for r in rows]}, indent=1))
    else:
        print_rows(rows, "Set-up of the mean-field engine")


if __name__ == "__main__":
    main()
