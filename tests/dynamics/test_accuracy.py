"""The engine is accurate to the ODE: within 1e-4 of LSODA at rtol 1e-10 on the built-ins.

The reference integrates the same vector field
(:func:`coopgov.dynamics.replicator.vector_field`) year by year with SciPy's
LSODA at ``rtol = 1e-10, atol = 1e-12``; the engine's default Riccati scheme
(four steps a year, split where its error estimate asks) and the RK4 scheme
must stay within 1e-4 of it at every recorded year, on every built-in
scenario (measured: Riccati 1.5e-5, RK4 1.7e-7), and the Riccati scheme also
over random scenarios of the whole declared parameter box (measured 5e-5
over 40).  The first-order exponential scheme is measured beside them (errors
of order 1e-2), so the test also shows what the default buys.
"""

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from coopgov.dynamics.engine import simulate
from coopgov.dynamics.replicator import DEFAULT_METHOD, vector_field
from coopgov.model import city_data
from coopgov.model.forces import affine_coefficients
from coopgov.model.levers import LEVER_NAMES
from coopgov.model.parameters import PARAMETER_INFO, joint_maturity
from coopgov.region import load_region
from coopgov.scenarios import builtin_scenarios
from coopgov.scenarios.run import run_scenarios


def _errors(names, method="riccati"):
    scen = [s for s in builtin_scenarios() if names is None or s.name in names]
    res = run_scenarios(scen, replications=0, method=method)
    city = res.city
    out = {}
    for r in res.results:
        sim, k = r.simulation, r.index
        ref = _reference(sim, k, city)
        out[r.scenario.name] = float(np.abs(sim.cooperation[k] - ref).max())
    return out


@pytest.mark.slow
@pytest.mark.parametrize("method", ["riccati", "rk4"])
def test_every_builtin_scenario_is_within_1e4_of_lsoda(method):
    errors = _errors(None, method)
    assert max(errors.values()) <= 1e-4, errors


def test_history_and_current_policy_within_1e4_of_lsoda_and_better_than_first_order():
    errors = _errors(("history", "baseline"))
    assert max(errors.values()) <= 1e-4, errors
    first_order = _errors(("history",), method="exponential")
    assert first_order["history"] > 10 * errors["history"]
    # the default is the Riccati scheme at its default steps
    assert errors == _errors(("history", "baseline"), method=DEFAULT_METHOD)


def _reference(sim, k, city):
    """LSODA at rtol 1e-10 on scenario ``k`` of ``sim``, year by year."""
    ctx = sim.scenario_context(k)
    y_n, n = sim.n_years, city.n
    coef = np.broadcast_to(affine_coefficients(ctx), (5, y_n, n))
    p = {a: np.broadcast_to(v, (y_n, n)) for a, v in ctx.params.items()}
    decay = p["agreement_decay"] * (1 - joint_maturity(p))
    x = sim.cooperation[k, 0]
    ref = [x]
    for y in range(y_n):
        args = (
            coef[:, y],
            p["adjustment_rate"][y, 0],
            decay[y],
            p["noise"][y, 0],
            city.exposure_shares,
            city.neighbour_weights,
            p["lateral_thrust"][y, 0],
            city.water_exposure_shares,
        )
        x = solve_ivp(
            lambda _t, z, a=args: vector_field(z, *a),
            (0, 1),
            x,
            method="LSODA",
            rtol=1e-10,
            atol=1e-12,
        ).y[:, -1]
        ref.append(x)
    return np.array(ref)


def _box_errors(n_scenarios):
    # random scenarios over the whole declared parameter box, random lever intensities
    # (the sweep benchmarks' draw): the stiff corners are where a scheme splits its steps
    city = city_data(load_region("yrd"))
    rng = np.random.default_rng(0)
    params = {
        name: rng.uniform(*info.bounds, n_scenarios)
        if name != "initial_cooperation"
        else np.full(n_scenarios, 0.1)
        for name, info in PARAMETER_INFO.items()
    }
    intensity = rng.random((n_scenarios, 30, len(LEVER_NAMES)))
    sim = simulate(city, params, intensity, years=30)
    return [
        float(np.abs(sim.cooperation[k] - _reference(sim, k, city)).max())
        for k in range(n_scenarios)
    ]


def test_riccati_within_1e4_over_random_scenarios_of_the_parameter_box():
    errors = _box_errors(8)
    assert max(errors) <= 1e-4, errors


@pytest.mark.slow
def test_riccati_within_1e4_over_40_random_scenarios_of_the_parameter_box():
    errors = _box_errors(40)
    assert max(errors) <= 1e-4, errors
