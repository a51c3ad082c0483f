"""The benchmarks' alternatives to the integrator solve the engine's equation."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from coopgov.dynamics.engine import simulate
from coopgov.model import ModelParameters, city_data
from coopgov.model.levers import LEVER_NAMES
from coopgov.region import load_region

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import integrator_alternatives as ia  # noqa: E402


@pytest.fixture(scope="module")
def case():
    city = city_data(load_region("yrd"))
    intensity = np.full((2, 6, len(LEVER_NAMES)), 0.5)
    intensity[1, 3:] = 1.0  # levers change mid-horizon: coefficients change by year
    sim = simulate(
        city, [ModelParameters(), ModelParameters({"lateral_thrust": 2.0})], intensity, years=6
    )
    ode = ia.batch_ode(sim)
    return sim, ode, ia.reference(ode)


def test_rk4_converges_at_fourth_order_to_the_reference(case):
    _, ode, ref = case
    e1 = ia.max_error(ia.rk4_numpy(ode, 24), ref)
    e2 = ia.max_error(ia.rk4_numpy(ode, 48), ref)
    # halving the step divides a fourth-order error by about 2^4 (kinks of Δ⁺ aside)
    assert 8.0 < e1 / e2 < 32.0
    assert e2 < 1e-6
    # at monthly steps the explicit scheme is unstable for strong lateral thrust (κ = 2)
    monthly = ia.rk4_numpy(ode, 12)
    assert ia.max_error(monthly[0], ref[0]) < 1e-4
    assert not ia.max_error(monthly[1], ref[1]) < 1e-2


def test_the_engine_converges_to_the_same_reference(case):
    sim, ode, ref = case
    finer = simulate(
        sim.city,
        [ModelParameters(), ModelParameters({"lateral_thrust": 2.0})],
        sim.intensity,
        years=6,
        steps_per_year=96,
    )
    coarse = ia.max_error(sim.cooperation, ref)
    fine = ia.max_error(finer.cooperation, ref)
    assert fine < coarse / 4  # the engine's scheme approaches the reference: same equation


JAX_CHECK = """
import sys
import numpy as np
sys.path.insert(0, {bench!r})
import integrator_alternatives as ia
from coopgov.dynamics.engine import simulate
from coopgov.model import ModelParameters, city_data
from coopgov.model.levers import LEVER_NAMES
from coopgov.region import load_region
city = city_data(load_region("yrd"))
sim = simulate(city, [ModelParameters()], np.full((1, 4, len(LEVER_NAMES)), 0.5), years=4)
ode = ia.batch_ode(sim)
print(float(np.max(np.abs(ia.rk4_jax(ode, 12)() - ia.rk4_numpy(ode, 12)))))
"""


def test_jax_equals_numpy():
    # in a child process: JAX starts threads, and the process pools of the other tests fork
    import importlib.util
    import os
    import subprocess

    if importlib.util.find_spec("jax") is None:
        pytest.skip("jax not installed")
    bench = str(Path(__file__).resolve().parents[2] / "benchmarks")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            [str(Path(__file__).resolve().parents[2] / "src"), os.environ.get("PYTHONPATH", "")]
        ),
    }
    out = subprocess.run(
        [sys.executable, "-c", JAX_CHECK.format(bench=bench)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    assert float(out.stdout.strip().splitlines()[-1]) < 1e-13
