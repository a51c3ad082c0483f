"""One model, two engines: the ABM's mean converges to the mean-field solution.

The mean-field equation is the large-population limit of the ABM's update
rule at the same rates (derivation in :mod:`coopgov.dynamics.abm`).  On every
built-in scenario, with many agents per city, the ABM's regional cooperation
must follow the mean field within 0.02 at every year; both use the same time
step (48 steps a year) so that what is compared is the model, not two
discretisations.
"""

import numpy as np
import pytest

from coopgov.dynamics.abm import ABMConfig, city_agents, run_abm
from coopgov.scenarios import builtin_scenarios
from coopgov.scenarios.run import run_scenarios

STEPS = 48


def _gaps(scenarios, agents_per_city, years=None):
    res = run_scenarios(scenarios, replications=0, steps_per_year=STEPS, years=years)
    agents = city_agents(np.full(res.city.n, agents_per_city))
    out = {}
    for r in res.results:
        abm = run_abm(
            agents,
            r.simulation,
            r.index,
            replications=2,
            seed=11,
            config=ABMConfig(steps_per_year=STEPS),
        )
        mf = r.simulation.cooperation_rate[r.index]
        out[r.scenario.name] = float(np.abs(abm.cooperation_rate.mean(axis=0) - mf).max())
    return out


@pytest.mark.slow
def test_abm_follows_the_mean_field_on_every_builtin_scenario():
    gaps = _gaps(builtin_scenarios(), 3000)
    assert max(gaps.values()) <= 0.02, gaps


def test_abm_follows_the_mean_field_on_current_policy_and_the_counterfactual():
    # the fast version: two scenarios, ten years, fewer agents, a 0.03 band
    gaps = _gaps(
        [s for s in builtin_scenarios() if s.name in ("baseline", "counterfactual")], 1000, years=10
    )
    assert max(gaps.values()) <= 0.03, gaps
