"""Countermeasures of the study as levers.

A lever has an intensity in [0, 1].  Its mapping moves named parameters
linearly from their current value (intensity 0) to a target (intensity 1),
or, for a budget lever, scales an amount.  Its yearly fiscal cost is the
intensity times the cost at full intensity.

All targets and costs are **assumptions** (coopgov 2026) unless a source is
named: the study proposes the countermeasures (section 5) without
quantifying them.  Override them by building your own :class:`Lever`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from coopgov.errors import InputError
from coopgov.model.parameters import JOINT_MECHANISM_PARTS, PARAMETER_INFO

__all__ = [
    "Lever",
    "LEVERS",
    "LEVER_NAMES",
    "COUNTERMEASURES",
    "apply_levers",
    "lever_costs",
]


@dataclass(frozen=True)
class Lever:
    """A countermeasure with a documented mapping onto model parameters.

    Attributes
    ----------
    name : str
        Identifier used in scenario files.
    label_en, label_zh : str
        Display names.
    study : str
        Section of the study that proposes it.
    targets : mapping of str to float
        Parameter values at full intensity (linear interpolation from the
        scenario's own value at intensity 0).
    scales : mapping of str to float
        Parameters set to ``intensity × amount`` (budget levers) [their unit].
    yearly_cost : float
        Fiscal cost at full intensity for the whole region [yuan/yr].
    cost_source : str
        Provenance of the cost figure.
    countermeasure : bool
        True for the study's countermeasures (section 5), which get a
        built-in scenario each and are ranked; False for historical
        institutions that only the history uses (the 2013 Action Plan).
    """

    name: str
    label_en: str
    label_zh: str
    study: str
    targets: Mapping[str, float] = field(default_factory=dict)
    scales: Mapping[str, float] = field(default_factory=dict)
    yearly_cost: float = 0.0
    cost_source: str = "assumption (coopgov 2026)"
    countermeasure: bool = True


_COST = "assumption (coopgov 2026): order-of-magnitude programme cost for 41 cities"

LEVERS: dict[str, Lever] = {
    lv.name: lv
    for lv in (
        Lever(
            "development_concept",
            "Change of development concept",
            "转变发展理念",
            "5.1",
            targets={"development_concept": 1.0},
            yearly_cost=2.0e8,
            cost_source=_COST,
        ),
        Lever(
            "assessment_weights",
            "Green performance assessment",
            "绿色政绩考核",
            "5.1",
            targets={"env_weight": 0.5, "gdp_weight": 0.3},
            yearly_cost=1.0e8,
            cost_source=_COST,
        ),
        Lever(
            "laws",
            "Laws for joint governance",
            "完善法律法规",
            "5.2.1",
            targets={"law_completeness": 1.0},
            yearly_cost=1.0e8,
            cost_source=_COST,
        ),
        Lever(
            "joint_mechanism",
            "Joint prevention and control mechanism",
            "联防联控机制",
            "5.2.2",
            targets={part: 0.6 for part in JOINT_MECHANISM_PARTS},
            yearly_cost=5.0e8,
            cost_source=_COST,
        ),
        Lever(
            "enforcement",
            "Linked enforcement and accountability",
            "联动执法与问责",
            "5.2.3",
            targets={"detection": 0.8},
            yearly_cost=8.0e8,
            cost_source=_COST,
        ),
        Lever(
            "fiscal_balance",
            "Fiscal transfers to weak governments",
            "向弱势政府的财政转移",
            "5.3",
            scales={"fiscal_fund": 5.0e9},
            yearly_cost=5.0e9,
            cost_source="the fund itself (5 billion yuan/yr at full intensity: assumption, "
            "of the order of the Xin'an pilot's 0.5 billion/yr scaled to 41 cities)",
        ),
        Lever(
            "information_sharing",
            "Environmental information sharing",
            "环境信息共享",
            "5.3.2",
            targets={"information_sharing": 1.0, "disclosure": 0.8},
            yearly_cost=3.0e8,
            cost_source=_COST,
        ),
        Lever(
            "unified_monitoring",
            "Unified monitoring standards",
            "统一监测标准",
            "5.4.1",
            targets={"monitoring_unification": 1.0},
            yearly_cost=6.0e8,
            cost_source=_COST,
        ),
        Lever(
            "technology",
            "Pollution-control technology",
            "污染治理技术",
            "5.4.2",
            targets={"technology_cost": 0.7},
            yearly_cost=2.0e9,
            cost_source=_COST,
        ),
        Lever(
            "eco_compensation",
            "Ecological compensation (two-way bet)",
            "生态补偿（对赌）",
            "5.3",
            targets={"compensation_coverage": 1.0},
            yearly_cost=1.0e8,
            cost_source="assumption (coopgov 2026): administration of the scheme; the payments "
            "themselves are transfers between cities, reported separately",
        ),
        Lever(
            "central_campaign",
            "Central air-pollution campaign (2013 Action Plan)",
            "大气污染防治行动计划（2013）",
            "3.3",
            targets={"central_penalty": 4.0, "detection": 0.5},
            yearly_cost=0.0,
            countermeasure=False,
            cost_source="paid by the central government, not a regional fiscal cost; targets are "
            "assumptions (coopgov 2026) for the Action Plan's target-responsibility "
            "assessment of provincial governments (State Council, September 2013)",
        ),
    )
}

LEVER_NAMES: tuple[str, ...] = tuple(LEVERS)

#: The study's countermeasures: one built-in scenario each, ranked in reports.
COUNTERMEASURES: tuple[str, ...] = tuple(n for n, lv in LEVERS.items() if lv.countermeasure)


def apply_levers(
    params: Mapping[str, np.ndarray],
    intensity: np.ndarray,
    levers: Sequence[str] = LEVER_NAMES,
) -> dict[str, np.ndarray]:
    """Parameters by scenario, year and city under lever intensities.

    Parameters
    ----------
    params : mapping of str to ndarray
        Each parameter of shape ``(S,)`` (scenario axis).
    intensity : ndarray, shape (S, Y, L) or (S, Y, L, N)
        Intensity of each lever in ``levers`` per scenario and year (and per
        city, for levers in force in part of the region), in [0, 1].
    levers : sequence of str
        Lever names along the third axis of ``intensity``.

    Returns
    -------
    dict of str to ndarray
        Each parameter of shape ``(S, Y, N)`` or ``(S, Y, 1)`` if a lever
        acts on it (per city or region-wide), else ``(S, 1, 1)``; the shapes
        broadcast against ``(S, Y, N)``.

    Notes
    -----
    Two levers acting on the same parameter are applied in order, each
    interpolating from the value the previous one left.  A lever never moves
    a parameter away from its target: where a scenario's value is already
    beyond the target (e.g. an uncertain ``jm_consultation`` above the joint
    mechanism's 0.6), the lever leaves it unchanged.

    Examples
    --------
    The law lever at full intensity completes the law (``law_completeness``
    from its default 0.3 to 1):

    >>> import numpy as np
    >>> from coopgov.model.parameters import PARAMETER_INFO, ModelParameters
    >>> base = {k: np.array([v]) for k, v in ModelParameters().items()}
    >>> out = apply_levers(base, np.ones((1, 1, 1)), ["laws"])  # 1 scenario, 1 year
    >>> float(base["law_completeness"][0]), float(out["law_completeness"].ravel()[0])
    (0.3, 1.0)
    """
    intensity = np.asarray(intensity, dtype=float)
    if intensity.ndim not in (3, 4) or intensity.shape[2] != len(levers):
        raise InputError(
            f"intensity must have shape (S, Y, {len(levers)}[, N])",
            field="intensity",
            value=intensity.shape,
        )
    if np.any((intensity < 0) | (intensity > 1)) or not np.all(np.isfinite(intensity)):
        raise InputError("lever intensities must lie in [0, 1]", field="intensity")
    out = {k: np.asarray(v, float).reshape(-1, 1, 1) for k, v in params.items()}
    for k, name in enumerate(levers):
        lever = LEVERS[name]
        level = intensity[:, :, k]
        if not level.any():
            continue
        if level.ndim == 2:
            level = level[:, :, None]
        for pname, target in lever.targets.items():
            # a countermeasure only ever improves its parameter: it moves it towards the
            # target from the side of the default, and leaves it where it is if the
            # scenario's value is already past the target
            gap = target - out[pname]
            if target >= PARAMETER_INFO[pname].default:
                gap = np.maximum(gap, 0.0)
            else:
                gap = np.minimum(gap, 0.0)
            out[pname] = out[pname] + level * gap
        for pname, amount in lever.scales.items():
            out[pname] = out[pname] + level * amount
    return out


def lever_costs(
    intensity: np.ndarray, levers: Sequence[str] = LEVER_NAMES, weights: np.ndarray | None = None
) -> np.ndarray:
    """Yearly fiscal cost of the levers [yuan/yr], shape ``intensity.shape[:2]``.

    A lever in force in part of the region (intensity of shape (S, Y, L, N))
    costs its full-intensity cost times the city-weighted mean intensity
    (``weights`` over the cities, summing to 1; equal weights by default).
    """
    costs = np.array([LEVERS[name].yearly_cost for name in levers])
    intensity = np.asarray(intensity, float)
    if intensity.ndim == 4:
        n = intensity.shape[-1]
        w = np.full(n, 1.0 / n) if weights is None else np.asarray(weights, float)
        intensity = intensity @ w
    return intensity @ costs
