"""The cooperation-dynamics model: parameters, city data, force terms, levers.

The payoff difference of city *i* between cooperating and defecting,
``Δ_i = U_i(C) − U_i(D)``, is a sum of named force terms
(:mod:`coopgov.model.forces`), each standing for one part of the study's
dynamic system (attraction, pressure, thrust, resistance).  Every term is
expressed in units of the city's *reference yearly abatement cost*
``c0_i`` (yuan/yr), so Δ is dimensionless: Δ = 1 means cooperating is worth
one year of the city's abatement cost more than defecting.
"""

from coopgov.model.cities import CityData, city_data
from coopgov.model.forces import FORCE_TERMS, ForceTerm
from coopgov.model.levers import LEVERS, Lever, apply_levers
from coopgov.model.parameters import PARAMETER_INFO, ModelParameters

__all__ = [
    "CityData",
    "city_data",
    "FORCE_TERMS",
    "ForceTerm",
    "LEVERS",
    "Lever",
    "apply_levers",
    "PARAMETER_INFO",
    "ModelParameters",
]
