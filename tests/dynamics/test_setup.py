"""The engine's set-up gives the trajectories of a set-up written from the definitions.

``simulate`` prepares the integrator's inputs in a few compiled passes
(:func:`coopgov.model.forces.affine_coefficients`, the lever moves, the bet
incentive).  The reference here builds the same inputs from the
definitions, one array operation at a time: the levers lever by lever (the
definition in :mod:`coopgov.model.levers`), the fiscal rule
(:func:`coopgov.compensation.fiscal.fiscal_transfers`), the two-way bet
(:func:`coopgov.dynamics.engine.compensation_incentive`, through
:func:`coopgov.compensation.bet.bet_transfer`), the coefficients by probing
the force terms themselves
(:func:`coopgov.model.forces.probed_affine_coefficients`) and the decay from
the joint maturity; then it calls the same integrator.  The trajectories
must agree to 1e-12 on every built-in scenario (levers by city) and on
random batches over the whole declared parameter box (levers region-wide and
by city, several chunks).
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coopgov.compensation.fiscal import fiscal_transfers
from coopgov.dynamics.engine import compensation_incentive, simulate
from coopgov.dynamics.replicator import integrate_affine
from coopgov.model import ModelParameters, city_data
from coopgov.model.forces import ForceContext, probed_affine_coefficients
from coopgov.model.levers import LEVER_NAMES
from coopgov.model.parameters import PARAMETER_INFO, joint_maturity, stack_parameters
from coopgov.region import load_region
from coopgov.scenarios import builtin_scenarios
from coopgov.scenarios.run import scenario_inputs
from coopgov.testing import strategies as cst
from coopgov.testing.reference import levers_one_at_a_time

CITY = city_data(load_region("yrd"))


def _reference(parameter_sets, intensity, years, initial=None, method="riccati"):
    """Trajectories from a set-up built term by term, shape (S, Y + 1, N)."""
    s_n, n = len(parameter_sets), CITY.n
    full = (s_n, years, n)
    p = {
        k: np.broadcast_to(v, (s_n, years, v.shape[-1]))
        for k, v in levers_one_at_a_time(stack_parameters(parameter_sets), intensity).items()
    }
    revenue_per_head = CITY.budget_revenue / CITY.population
    # a fund by city (the fiscal lever in part of the region): each city gets its share of
    # the fund in force where it is
    fund = np.broadcast_to(p["fiscal_fund"], full)
    every_fund = fiscal_transfers(revenue_per_head, CITY.population, fund)  # (S, Y, N, N)
    transfers = np.diagonal(every_fund, axis1=-2, axis2=-1)
    incentive = compensation_incentive(
        CITY,
        p["compensation_coverage"],
        p["water_abatement_rate"],
        p["compensation_target"],
        p["compensation_stake"],
    )
    ctx = ForceContext(CITY, p, fiscal_transfer=transfers, compensation_incentive=incentive)
    coef = np.ascontiguousarray(np.broadcast_to(probed_affine_coefficients(ctx), (5,) + full))
    decay = np.broadcast_to(p["agreement_decay"] * (1.0 - joint_maturity(p)), full)
    if initial is None:
        initial = np.broadcast_to(p["initial_cooperation"][:, 0], (s_n, n))
    return integrate_affine(
        np.array(initial, dtype=float),
        coef,
        p["adjustment_rate"][..., 0],
        decay,
        p["noise"][..., 0],
        CITY.exposure_shares,
        CITY.neighbour_weights,
        lateral=p["lateral_thrust"][..., 0],
        water_exposure_shares=CITY.water_exposure_shares,
        method=method,
    )


def _box(rng, s_n):
    """``s_n`` parameter sets drawn uniformly over the declared bounds."""
    return [
        ModelParameters({k: rng.uniform(*info.bounds) for k, info in PARAMETER_INFO.items()})
        for _ in range(s_n)
    ]


@pytest.mark.parametrize("scenario", builtin_scenarios(), ids=lambda s: s.name)
def test_every_builtin_scenario_equals_the_set_up_from_the_definitions(scenario):
    params, intensity, initial = scenario_inputs(scenario, CITY)
    sim = simulate(
        CITY,
        [params],
        intensity[None],
        years=scenario.years,
        start_year=scenario.start_year,
        initial=initial[None],
    )
    ref = _reference([params], intensity[None], scenario.years, initial[None])
    np.testing.assert_allclose(sim.cooperation, ref, rtol=0, atol=1e-12)


@pytest.mark.parametrize("per_city", [False, True])
@pytest.mark.parametrize("method", ["riccati", "exponential"])
def test_a_random_batch_in_chunks_equals_the_set_up_from_the_definitions(per_city, method):
    rng = np.random.default_rng(11 + per_city)
    s_n, years, l_n = 11, 6, len(LEVER_NAMES)
    sets = _box(rng, s_n)
    shape = (s_n, years, l_n, CITY.n) if per_city else (s_n, years, l_n)
    on = rng.random(l_n) < 0.7  # some levers off
    intensity = rng.random(shape) * on.reshape((1, 1, l_n) + (1,) * (len(shape) - 3))
    sim = simulate(CITY, sets, intensity, years=years, chunk_size=4, method=method)
    ref = _reference(sets, intensity, years, method=method)
    np.testing.assert_allclose(sim.cooperation, ref, rtol=0, atol=1e-12)
    # the chunks change the result by rounding only
    whole = simulate(CITY, sets, intensity, years=years, method=method)
    np.testing.assert_allclose(whole.cooperation, sim.cooperation, rtol=0, atol=1e-12)


@given(
    sets=st.lists(cst.parameter_sets(), min_size=1, max_size=3),
    level=st.floats(0.0, 1.0),
    seed=st.integers(0, 2**32 - 1),
)
@settings(max_examples=15, deadline=None)
def test_drawn_parameters_and_levers_equal_the_set_up_from_the_definitions(sets, level, seed):
    rng = np.random.default_rng(seed)
    years = 3
    intensity = level * (rng.random((len(sets), years, len(LEVER_NAMES))) < 0.5)
    params = [ModelParameters(p) for p in sets]
    sim = simulate(CITY, params, intensity, years=years)
    ref = _reference(params, intensity, years)
    np.testing.assert_allclose(sim.cooperation, ref, rtol=0, atol=1e-12)
    # what the simulation keeps for the outcomes is the reference's too
    p = levers_one_at_a_time(stack_parameters(params), intensity)
    for k in PARAMETER_INFO:
        a, b = np.broadcast_arrays(sim.params[k], p[k])
        np.testing.assert_array_equal(a, b, err_msg=k)
