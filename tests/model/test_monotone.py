"""The deterrence and monitoring mechanisms push the right way everywhere in the box.

Issue of record: raising law completeness, detection, the central penalty or
reward, or the laws / enforcement / unified-monitoring levers must never
lower any city's cooperation.  The mean-field system is cooperative (every
off-diagonal slope of the vector field is >= 0, since each city's Δ rises
with the others' cooperation and the lateral flow rises with the
neighbours' success) and these changes raise Δ for every city at every
state; by the comparison theorem for cooperative systems (Smith 1995,
Monotone Dynamical Systems, ch. 3) trajectories are then ordered, and the
integrator's steps (logistic map increasing in x and z, linear step
increasing in its inflow) preserve the order.  Tested over the whole
declared parameter box.
"""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from coopgov.dynamics.engine import simulate
from coopgov.model import city_data
from coopgov.model.levers import LEVER_NAMES
from coopgov.model.parameters import PARAMETER_INFO
from coopgov.region import load_region

CITY = city_data(load_region("yrd"))
RAISED_PARAMETERS = [
    "law_completeness",
    "detection",
    "central_penalty",
    "central_reward",
    "monitoring_unification",
]
RAISED_LEVERS = ["laws", "enforcement", "unified_monitoring"]
YEARS = 8


@st.composite
def parameter_box(draw):
    """A parameter set drawn anywhere in the declared bounds."""
    return {
        name: draw(st.floats(info.bounds[0], info.bounds[1], allow_nan=False))
        for name, info in PARAMETER_INFO.items()
    }


@given(params=parameter_box(), which=st.sampled_from(RAISED_PARAMETERS), step=st.floats(0.01, 1.0))
@settings(max_examples=30, deadline=None)
def test_raising_deterrence_parameters_never_lowers_cooperation(params, which, step):
    lo, hi = PARAMETER_INFO[which].bounds
    raised = dict(params, **{which: min(hi, params[which] + step * (hi - lo))})
    sim = simulate(CITY, {k: np.array([params[k], raised[k]]) for k in PARAMETER_INFO}, years=YEARS)
    worst = float((sim.cooperation[0] - sim.cooperation[1]).max())
    assert worst <= 1e-12, (which, worst)


@given(params=parameter_box(), which=st.sampled_from(RAISED_LEVERS), level=st.floats(0.05, 1.0))
@settings(max_examples=30, deadline=None)
def test_deterrence_levers_never_lower_cooperation(params, which, level):
    intensity = np.zeros((2, YEARS, len(LEVER_NAMES)))
    intensity[1, :, LEVER_NAMES.index(which)] = level
    sim = simulate(CITY, {k: np.full(2, params[k]) for k in PARAMETER_INFO}, intensity, years=YEARS)
    worst = float((sim.cooperation[0] - sim.cooperation[1]).max())
    assert worst <= 1e-12, (which, worst)
