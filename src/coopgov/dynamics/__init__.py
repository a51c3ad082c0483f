"""Cooperation dynamics: replicator ODE, agent-based model, two-region game.

Modules
-------
engine
    :func:`simulate`: the mean-field model of a region for a batch of
    scenarios (:class:`Simulation` holds the trajectories and the outcomes).
replicator
    The batched replicator integrator, its vector field, Jacobian and
    fixed points.
abm, abm_network
    The agent-based form (imitation and logit response with noise), on
    cities' synthetic subdivisions or on any agent network.
two_region, supervision
    Small analytic games: upstream/downstream, and local governments under
    central supervision.

The names below are imported on first use, so ``import coopgov.dynamics``
compiles nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from coopgov._lazy import lazy_exports

if TYPE_CHECKING:
    from coopgov.dynamics.abm import ABMConfig as ABMConfig
    from coopgov.dynamics.abm import ABMResult as ABMResult
    from coopgov.dynamics.abm import CityAgents as CityAgents
    from coopgov.dynamics.abm import city_agents as city_agents
    from coopgov.dynamics.abm import run_abm as run_abm
    from coopgov.dynamics.abm_network import NetworkABMConfig as NetworkABMConfig
    from coopgov.dynamics.abm_network import run_network_abm as run_network_abm
    from coopgov.dynamics.engine import Simulation as Simulation
    from coopgov.dynamics.engine import simulate as simulate
    from coopgov.dynamics.networks import AgentNetwork as AgentNetwork
    from coopgov.dynamics.networks import city_agent_network as city_agent_network
    from coopgov.dynamics.networks import watts_strogatz as watts_strogatz
    from coopgov.dynamics.replicator import FixedPoint as FixedPoint
    from coopgov.dynamics.replicator import fixed_points as fixed_points
    from coopgov.dynamics.replicator import integrate_affine as integrate_affine
    from coopgov.dynamics.replicator import logistic_closed_form as logistic_closed_form
    from coopgov.dynamics.replicator import vector_field as vector_field
    from coopgov.dynamics.supervision import CentralGovernment as CentralGovernment
    from coopgov.dynamics.supervision import SupervisedGame as SupervisedGame
    from coopgov.dynamics.supervision import SupervisionParameters as SupervisionParameters
    from coopgov.dynamics.two_region import TwoRegionGame as TwoRegionGame
    from coopgov.dynamics.two_region import basin_share as basin_share
    from coopgov.dynamics.two_region import integrate_game as integrate_game

_EXPORTS = {
    "Simulation": "coopgov.dynamics.engine",
    "simulate": "coopgov.dynamics.engine",
    "FixedPoint": "coopgov.dynamics.replicator",
    "fixed_points": "coopgov.dynamics.replicator",
    "integrate_affine": "coopgov.dynamics.replicator",
    "logistic_closed_form": "coopgov.dynamics.replicator",
    "vector_field": "coopgov.dynamics.replicator",
    "ABMConfig": "coopgov.dynamics.abm",
    "ABMResult": "coopgov.dynamics.abm",
    "CityAgents": "coopgov.dynamics.abm",
    "city_agents": "coopgov.dynamics.abm",
    "run_abm": "coopgov.dynamics.abm",
    "NetworkABMConfig": "coopgov.dynamics.abm_network",
    "run_network_abm": "coopgov.dynamics.abm_network",
    "AgentNetwork": "coopgov.dynamics.networks",
    "city_agent_network": "coopgov.dynamics.networks",
    "watts_strogatz": "coopgov.dynamics.networks",
    "TwoRegionGame": "coopgov.dynamics.two_region",
    "basin_share": "coopgov.dynamics.two_region",
    "integrate_game": "coopgov.dynamics.two_region",
    "CentralGovernment": "coopgov.dynamics.supervision",
    "SupervisedGame": "coopgov.dynamics.supervision",
    "SupervisionParameters": "coopgov.dynamics.supervision",
}

__all__ = [
    "ABMConfig",
    "ABMResult",
    "AgentNetwork",
    "CentralGovernment",
    "CityAgents",
    "FixedPoint",
    "NetworkABMConfig",
    "Simulation",
    "SupervisedGame",
    "SupervisionParameters",
    "TwoRegionGame",
    "basin_share",
    "city_agent_network",
    "city_agents",
    "fixed_points",
    "integrate_affine",
    "integrate_game",
    "logistic_closed_form",
    "run_abm",
    "run_network_abm",
    "simulate",
    "vector_field",
    "watts_strogatz",
]

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
