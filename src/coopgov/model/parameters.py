"""Model parameters: one declaration with units, defaults and provenance.

Each parameter is declared once in :data:`PARAMETER_INFO` with its unit, its
default, plausible bounds (used by experiments) and where the default comes
from.  The source study (cross-regional environmental governance in the YRD)
is qualitative: it names the forces but does not measure them, so most
behavioural defaults are **assumptions**, labelled as such, chosen so that
the baseline reproduces the study's description (weak, unstable cooperation
before the 2008 agreement; cooperation rising with the institutional
timeline) and meant to be varied in sensitivity analysis
(``coopgov experiment``).  Every value can be overridden in a scenario file
(``[parameters]`` table).

All behavioural terms are in units of the city's reference yearly abatement
cost ``c0_i`` (see :mod:`coopgov.model.forces`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np

from coopgov.errors import InputError

__all__ = [
    "ParameterInfo",
    "PARAMETER_INFO",
    "JOINT_MECHANISM_PARTS",
    "ModelParameters",
    "stack_parameters",
    "parameter_table",
    "joint_maturity",
    "monitoring_errors",
]


@dataclass(frozen=True)
class ParameterInfo:
    """Declaration of one model parameter.

    Attributes
    ----------
    name : str
        Identifier used in scenario files and experiment specs.
    default : float
        Default value.
    unit : str
        Unit ("1" for dimensionless; "c0" for multiples of the city's
        reference yearly abatement cost).
    bounds : tuple of float
        Plausible range for sensitivity analysis (inclusive).
    description : str
        What the parameter stands for, with the part of the study.
    source : str
        Provenance of the default; "assumption" where no measurement exists.
    """

    name: str
    default: float
    unit: str
    bounds: tuple[float, float]
    description: str
    source: str


_A = "assumption (coopgov 2026): the study is qualitative; varied in sensitivity analysis"

_INFO: list[ParameterInfo] = [
    # --- physical layer -------------------------------------------------
    ParameterInfo(
        "abatement_rate",
        0.20,
        "1",
        (0.05, 0.5),
        "Share of a city's air-pollutant emissions cut while it cooperates.",
        "State Council 2013, Air Pollution Prevention and Control Action Plan: YRD PM2.5 "
        "to fall by about 20 % from 2012 to 2017; used as the cut a cooperator delivers",
    ),
    ParameterInfo(
        "water_abatement_rate",
        0.20,
        "1",
        (0.05, 0.5),
        "Share of a city's water-pollutant loads (COD, NH3-N) cut while it cooperates.",
        "assumption (coopgov 2026), set equal to abatement_rate",
    ),
    ParameterInfo(
        "background_share",
        0.25,
        "1",
        (0.05, 0.5),
        "Share of PM2.5 at a receptor not explained by anthropogenic emissions (natural "
        "sources, secondary formation not attributed to a city); transport from outside "
        "the region is the region's per-city outside share, applied on top.",
        _A,
    ),
    ParameterInfo(
        "unit_abatement_cost",
        10_000.0,
        "yuan/t",
        (3_000.0, 30_000.0),
        "Average cost of abating one tonne of SO2, NOx or particulate matter.",
        "assumption (coopgov 2026); order of magnitude above the Environmental Protection "
        "Tax Law (2018) rates of 1.2-12 yuan per pollution equivalent (0.95 kg SO2/NOx), "
        "i.e. about 1,300-12,600 yuan/t",
    ),
    ParameterInfo(
        "damage_gdp_share",
        0.004,
        "1",
        (0.001, 0.02),
        "Yearly damage of PM2.5 pollution (at the no-cooperation level) as a share of GDP "
        "(health and productivity), as valued by local governments.",
        "assumption (coopgov 2026); local governments value only part of the welfare "
        "losses of several % of GDP estimated by World Bank & IHME (2016), "
        "The Cost of Air Pollution",
    ),
    # --- attraction -----------------------------------------------------
    ParameterInfo(
        "promotion_value",
        2.0,
        "c0",
        (0.0, 4.0),
        "Officials' career gain from full environmental performance when the assessment "
        "weighs only the environment (study 3.1, attraction: promotion).",
        _A,
    ),
    ParameterInfo(
        "env_weight",
        0.10,
        "1",
        (0.0, 1.0),
        "Weight of environmental performance in officials' assessment "
        "(study 4.1: GDP-based assessment).",
        _A,
    ),
    # The joint prevention and control mechanism (study 5.2.2) in its six parts; its
    # maturity m is their mean (equal weights: assumption), see ``joint_maturity``.
    ParameterInfo(
        "jm_consultation",
        0.10,
        "1",
        (0.0, 1.0),
        "Joint mechanism, regular consultation (joint meetings, binding agreements) (study 5.2.2).",
        _A,
    ),
    ParameterInfo(
        "jm_information_exchange",
        0.10,
        "1",
        (0.0, 1.0),
        "Joint mechanism, exchange of pollution-source and enforcement information between "
        "governments (study 5.2.2).",
        _A,
    ),
    ParameterInfo(
        "jm_early_warning",
        0.10,
        "1",
        (0.0, 1.0),
        "Joint mechanism, regional early warning of heavy pollution (study 5.2.2).",
        _A,
    ),
    ParameterInfo(
        "jm_emergency_linkage",
        0.10,
        "1",
        (0.0, 1.0),
        "Joint mechanism, linked emergency response to pollution episodes (study 5.2.2).",
        _A,
    ),
    ParameterInfo(
        "jm_dispute_coordination",
        0.10,
        "1",
        (0.0, 1.0),
        "Joint mechanism, coordination of transboundary pollution disputes (study 5.2.2).",
        _A,
    ),
    ParameterInfo(
        "jm_linked_enforcement",
        0.10,
        "1",
        (0.0, 1.0),
        "Joint mechanism, linked (cross-boundary) enforcement (study 5.2.2).",
        _A,
    ),
    # --- pressure -------------------------------------------------------
    ParameterInfo(
        "public_opinion",
        1.0,
        "c0",
        (0.0, 2.0),
        "Reputational cost of defecting at full disclosure, for a city of mean population "
        "(study 3.2, pressure: public opinion).",
        _A,
    ),
    ParameterInfo(
        "disclosure",
        0.20,
        "1",
        (0.0, 1.0),
        "Degree of environmental information disclosure to the public (study 4.3.2).",
        _A,
    ),
    ParameterInfo(
        "legitimacy",
        0.4,
        "c0",
        (0.0, 1.5),
        "Value of the service-oriented government norm at a fully changed development "
        "concept (study 3.2 legitimacy; 5.1 change of development concept).",
        _A,
    ),
    ParameterInfo(
        "development_concept",
        0.20,
        "1",
        (0.0, 1.0),
        "How far the development concept has changed from GDP-first to green development.",
        _A,
    ),
    ParameterInfo(
        "admin_saving",
        0.3,
        "c0",
        (0.0, 1.0),
        "Administrative (monitoring, enforcement) cost a member saves when all its "
        "neighbours cooperate (study 3.2, pressure: administrative cost).",
        _A,
    ),
    # --- thrust ---------------------------------------------------------
    ParameterInfo(
        "central_reward",
        0.2,
        "c0",
        (0.0, 1.0),
        "Central government's reward for a cooperating city (study 3.3, vertical thrust).",
        _A,
    ),
    ParameterInfo(
        "central_penalty",
        2.0,
        "c0",
        (0.0, 5.0),
        "Accountability penalty for a detected defector under complete law "
        "(study 3.3 vertical thrust; 4.2 incomplete law).",
        _A,
    ),
    ParameterInfo(
        "law_completeness",
        0.30,
        "1",
        (0.0, 1.0),
        "Completeness of the legal basis for joint governance: scales the penalty (study 4.2.1).",
        _A,
    ),
    ParameterInfo(
        "detection",
        0.20,
        "1",
        (0.0, 1.0),
        "Probability that a defecting city is detected and held accountable "
        "(study 4.2: weak enforcement).",
        _A,
    ),
    ParameterInfo(
        "lateral_thrust",
        0.5,
        "1/yr per c0",
        (0.0, 2.0),
        "Demonstration effect: rate at which a government imitates a neighbouring city's "
        "more successful strategy, per unit of payoff advantage (payoff-biased imitation; "
        "study 3.3, lateral thrust).",
        _A,
    ),
    ParameterInfo(
        "bottom_up",
        0.4,
        "c0",
        (0.0, 1.5),
        "Pressure of NGOs and enterprises on a defecting government at full civic activity "
        "(study 3.3, bottom-up thrust).",
        _A,
    ),
    ParameterInfo(
        "ngo_activity",
        0.30,
        "1",
        (0.0, 1.0),
        "Activity of environmental NGOs and public attention without government disclosure; "
        "disclosure raises the effective activity towards 1 (study 3.3, 4.3.2).",
        _A,
    ),
    # --- resistance -----------------------------------------------------
    ParameterInfo(
        "gdp_weight",
        0.60,
        "1",
        (0.0, 1.0),
        "Weight of GDP growth in officials' assessment (study 4.1.1).",
        _A,
    ),
    ParameterInfo(
        "gdp_loss",
        0.8,
        "c0",
        (0.0, 4.0),
        "GDP lost per unit of abatement cost in a city of mean secondary-industry share "
        "(study 4.1.1, local economic interest).",
        _A,
    ),
    ParameterInfo(
        "sucker_cost",
        0.4,
        "c0",
        (0.0, 2.0),
        "Loss of a cooperator whose neighbours defect when agreements have no teeth "
        "(study 4.2, institutional resistance).",
        _A,
    ),
    ParameterInfo(
        "fiscal_burden",
        0.3,
        "c0",
        (0.0, 2.0),
        "Extra weight of abatement cost on a government with half the mean fiscal capacity "
        "(study 4.3.1, fiscal imbalance without compensation).",
        _A,
    ),
    ParameterInfo(
        "information_cost",
        0.25,
        "c0",
        (0.0, 1.5),
        "Transaction cost of cooperating without shared information (study 4.3.2).",
        _A,
    ),
    ParameterInfo(
        "information_sharing",
        0.10,
        "1",
        (0.0, 1.0),
        "Degree of environmental information sharing among governments (study 4.3.2).",
        _A,
    ),
    ParameterInfo(
        "false_positive",
        0.15,
        "1",
        (0.0, 0.4),
        "Probability that monitoring judges a cooperating city a defector, with disunited "
        "monitoring standards (study 4.4.1).",
        _A,
    ),
    ParameterInfo(
        "false_negative",
        0.30,
        "1",
        (0.0, 0.5),
        "Probability that monitoring misses a defecting city, with disunited monitoring "
        "standards (study 4.4.1).",
        _A,
    ),
    ParameterInfo(
        "unified_error_share",
        0.30,
        "1",
        (0.0, 1.0),
        "Share of both monitoring error rates that remains under fully unified standards "
        "(study 4.4.1, 5.4.1).",
        _A,
    ),
    ParameterInfo(
        "monitoring_unification",
        0.0,
        "1",
        (0.0, 1.0),
        "Degree to which monitoring standards and methods are unified (study 4.4.1).",
        _A,
    ),
    ParameterInfo(
        "technology_cost",
        1.0,
        "c0",
        (0.5, 1.5),
        "Abatement-cost level relative to the reference technology (study 4.4.2).",
        "reference value 1 by definition of c0",
    ),
    # --- transfers ------------------------------------------------------
    ParameterInfo(
        "fiscal_fund",
        0.0,
        "yuan/yr",
        (0.0, 2.0e10),
        "Regional fund for governments below mean fiscal capacity, earmarked by need and paid "
        "to a government only while it cooperates (study 5.3, fiscal balance).",
        "policy lever; 0 in the baseline",
    ),
    ParameterInfo(
        "compensation_coverage",
        0.0,
        "1",
        (0.0, 1.0),
        "Share of transboundary river links under a two-way water-quality bet of the "
        "Xin'an type: the downstream city pays when the section meets its target, the "
        "upstream city pays when it does not (study 5.3, ecological compensation).",
        "policy lever; 0 in the baseline",
    ),
    ParameterInfo(
        "compensation_target",
        0.9,
        "1",
        (0.5, 1.0),
        "Water-quality target of the bet, as a share of the no-cooperation load crossing the "
        "section (P = load / (target x no-cooperation load) <= 1 is met).",
        "assumption (coopgov 2026); the Xin'an rounds set the index's stability "
        "coefficient k0 between 0.85 and 0.9 (round presets in coopgov.compensation)",
    ),
    ParameterInfo(
        "compensation_stake",
        1.0e8,
        "yuan/yr",
        (0.0, 5.0e8),
        "Amount each side of a river link's bet pays when it loses.",
        "Xin'an River pilot round 1 (2012-2014): 100 million yuan/yr each way "
        "(preset xinan-round1); applied per city link: assumption",
    ),
    ParameterInfo(
        "unit_water_abatement_cost",
        2_000.0,
        "yuan/t",
        (1_000.0, 14_000.0),
        "Average cost of abating one tonne of COD or NH3-N.",
        "assumption (coopgov 2026) within the Environmental Protection Tax Law (2018) range "
        "of 1.4-14 yuan per water pollution equivalent (1 kg COD), i.e. 1,400-14,000 yuan/t",
    ),
    ParameterInfo(
        "water_damage_gdp_share",
        0.002,
        "1",
        (0.0, 0.01),
        "Yearly damage of river pollution (at the no-cooperation load) as a share of GDP, as "
        "valued by local governments.",
        _A,
    ),
    # --- dynamics -------------------------------------------------------
    ParameterInfo(
        "adjustment_rate",
        1.0,
        "1/yr per c0",
        (0.2, 3.0),
        "Rate at which a government imitates a more successful strategy within its own "
        "city, per unit of payoff advantage (proportional imitation; gives the replicator "
        "term r x (1 - x) Delta).",
        _A,
    ),
    ParameterInfo(
        "agreement_decay",
        0.3,
        "1/yr",
        (0.0, 1.0),
        "Rate at which cooperation lapses under a fully immature joint mechanism "
        "(study 4.2.2: agreements without follow-up).",
        _A,
    ),
    ParameterInfo(
        "initial_cooperation",
        0.10,
        "1",
        (0.01, 0.5),
        "Cooperation propensity of every city at the start of a run.",
        _A,
    ),
    ParameterInfo(
        "noise",
        0.02,
        "1/yr",
        (0.0, 0.1),
        "Exploration: rate at which a government switches to the other strategy at random "
        "(keeps the dynamics off the absorbing boundaries).",
        _A,
    ),
    # --- observation model and baseline (coopgov.calibration) -------------
    # Used only by the calibration's observation model
    # (coopgov.calibration.baseline); the cooperation dynamics ignore them.
    ParameterInfo(
        "pm25_no_cooperation_2013",
        70.0,
        "ug/m3",
        (55.0, 90.0),
        "Regional (city-mean) annual PM2.5 in 2013 had no city cooperated at all: the level "
        "the emission baseline starts from.",
        "anchored on the observed 2013 YRD 25-city mean of 67 ug/m3 (2013 monitoring results); "
        "bounds an assumption (coopgov 2026)",
    ),
    ParameterInfo(
        "pm25_background",
        10.0,
        "ug/m3",
        (3.0, 20.0),
        "Regional-mean PM2.5 not caused by the region's anthropogenic emissions (natural "
        "sources, inflow from outside the region); constant over time.",
        _A,
    ),
    ParameterInfo(
        "emission_trend_2013_2017",
        0.10,
        "1/yr",
        (0.05, 0.22),
        "Exponential decline rate, 2013-2017, of the PM2.5-relevant anthropogenic emissions "
        "outside regional cooperation (national Action Plan, cleaner technology, structure).",
        "Zheng et al. 2018, Atmos. Chem. Phys. 18, 14095 (MEIC, China 2013-2017): primary "
        "PM2.5 -33 % (0.100/yr, default), NOx -21 % (0.059/yr), SO2 -59 % (0.223/yr); "
        "bounds span the three",
    ),
    ParameterInfo(
        "emission_trend_after_2017",
        0.05,
        "1/yr",
        (0.0, 0.15),
        "Exponential decline rate after 2017 of the same emissions outside cooperation "
        "(Three-Year Action Plan for Blue Skies 2018-2020 and after).",
        _A,
    ),
    ParameterInfo(
        "met_noise_sd",
        0.05,
        "1",
        (0.01, 0.15),
        "Standard deviation of the year-to-year meteorological anomaly of regional annual "
        "PM2.5, as a log-normal multiplicative factor, independent between years.",
        _A + "; year-on-year changes of the 41-city mean of -14.6 % (2020) and 0 % (2022) "
        "bracket it",
    ),
    ParameterInfo(
        "attributable_share",
        0.15,
        "1",
        (0.0, 0.5),
        "Share of the anthropogenic PM2.5 that full cooperation of every city removes beyond "
        "the baseline (the part of the decline cooperation can explain).",
        "assumption (coopgov 2026), anchored qualitatively on difference-in-differences "
        "studies of regional joint prevention and control: Lu & Zhou 2025, Resources and "
        "Environment in the Yangtze Basin 34(3) 652 (PSM-DID, 279 cities 2013-2020: "
        "significant PM2.5 reduction, smaller in the YRD than in BTH)",
    ),
    ParameterInfo(
        "lever_efficacy",
        1.0,
        "1",
        (0.25, 2.0),
        "Scale on the lever intensities of the history scenario (intensity x efficacy, "
        "clipped to [0, 1]): how strong the institutions actually were.",
        _A + "; the history scenario's intensities are themselves assumptions",
    ),
]

PARAMETER_INFO: dict[str, ParameterInfo] = {p.name: p for p in _INFO}
_NAMES = tuple(PARAMETER_INFO)

#: The parts of the joint prevention and control mechanism (study 5.2.2).
JOINT_MECHANISM_PARTS: tuple[str, ...] = (
    "jm_consultation",
    "jm_information_exchange",
    "jm_early_warning",
    "jm_emergency_linkage",
    "jm_dispute_coordination",
    "jm_linked_enforcement",
)


def joint_maturity(params: Mapping[str, Any]) -> Any:
    """Maturity m of the joint mechanism: the mean of its six parts [1].

    Equal weights are an assumption (coopgov 2026): the study lists the parts
    (section 5.2.2) without ranking them.  ``m`` is the share of partners'
    abatement that is conditional on one's own cooperation (reciprocity)
    and slows the lapse of agreements.
    """
    total = params[JOINT_MECHANISM_PARTS[0]]
    for name in JOINT_MECHANISM_PARTS[1:]:
        total = total + params[name]
    return total / len(JOINT_MECHANISM_PARTS)


def monitoring_errors(params: Mapping[str, Any]) -> tuple[Any, Any]:
    r"""False-positive and false-negative rates of monitoring [1].

    Disunited standards raise both (study 4.4.1); unification ``υ`` scales
    them down to the share ``k`` that remains under unified standards:

    .. math:: e_{fp} = fp \, (1 - (1 - k) υ), \quad e_{fn} = fn \, (1 - (1 - k) υ)
    """
    scale = 1.0 - (1.0 - params["unified_error_share"]) * params["monitoring_unification"]
    return params["false_positive"] * scale, params["false_negative"] * scale


class ModelParameters(Mapping[str, float]):
    """An immutable, validated set of model parameters.

    Behaves as a read-only mapping name → value.  Unknown names and values
    outside ``[0, ∞)`` raise :class:`~coopgov.errors.InputError`.

    Parameters
    ----------
    overrides : mapping, optional
        Values that replace the defaults of :data:`PARAMETER_INFO`.
    source : str, optional
        Where the overrides come from (a file name) for error messages.

    Examples
    --------
    >>> p = ModelParameters({"initial_cooperation": 0.3})
    >>> p["initial_cooperation"], p["adjustment_rate"]  # an override, a default
    (0.3, 1.0)
    >>> ModelParameters({"initial_cooperation": -1})
    Traceback (most recent call last):
    ...
    coopgov.errors.InputError: field 'initial_cooperation', value -1: must be a finite number >= 0
    """

    def __init__(self, overrides: Mapping[str, Any] | None = None, *, source: str | None = None):
        values = {name: info.default for name, info in PARAMETER_INFO.items()}
        for name, value in (overrides or {}).items():
            if name not in PARAMETER_INFO:
                raise InputError(
                    f"unknown parameter; known: {', '.join(sorted(PARAMETER_INFO))}",
                    file=source,
                    field=name,
                    value=value,
                )
            try:
                number = float(value)
            except (TypeError, ValueError):
                raise InputError("must be a number", file=source, field=name, value=value) from None
            if not np.isfinite(number) or number < 0:
                raise InputError(
                    "must be a finite number >= 0", file=source, field=name, value=value
                )
            values[name] = number
        self._values = values

    def __getitem__(self, key: str) -> float:
        return self._values[key]

    def __iter__(self):
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def replace(self, **changes: float) -> ModelParameters:
        """Return a copy with ``changes`` applied."""
        return ModelParameters({**self._values, **changes})

    def __repr__(self) -> str:
        changed = {k: v for k, v in self._values.items() if v != PARAMETER_INFO[k].default}
        return f"ModelParameters({changed})"


def parameter_table(parameter_sets: Sequence[Mapping[str, float]]) -> np.ndarray:
    """Parameter sets as one table, shape (P, S): row k is ``PARAMETER_INFO``'s k-th parameter."""
    names = _NAMES
    rows = [
        # a ModelParameters holds its values in PARAMETER_INFO's order
        p._values.values() if isinstance(p, ModelParameters) else [p[name] for name in names]
        for p in parameter_sets
    ]
    values = rows[0] if len(rows) == 1 else chain.from_iterable(rows)
    table = np.fromiter(values, dtype=float, count=len(names) * len(rows))
    table = table.reshape(len(rows), len(names)).T
    # one set: the transposed row is a contiguous column already
    return table if len(rows) == 1 else np.ascontiguousarray(table)


def stack_parameters(parameter_sets: Sequence[Mapping[str, float]]) -> dict[str, np.ndarray]:
    """Stack parameter sets along a leading scenario axis.

    Returns
    -------
    dict of str to ndarray
        Each parameter as a float array of shape ``(S,)`` (rows of one
        :func:`parameter_table`).
    """
    return dict(zip(PARAMETER_INFO, parameter_table(parameter_sets), strict=True))
