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
from functools import lru_cache
from typing import Any

import numpy as np

from coopgov.errors import InputError
from coopgov.model.parameters import JOINT_MECHANISM_PARTS, PARAMETER_INFO

__all__ = [
    "Lever",
    "LEVERS",
    "LEVER_NAMES",
    "COUNTERMEASURES",
    "apply_levers",
    "apply_levers_table",
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
    intensity = _checked_intensity(intensity, levers)
    table, out = _scenario_columns(params)
    return _move(out, table, intensity, levers)


def apply_levers_table(
    table: np.ndarray, intensity: np.ndarray, levers: Sequence[str] = LEVER_NAMES
) -> dict[str, np.ndarray]:
    """:func:`apply_levers` on a parameter table of shape (P, S).

    Row k of ``table`` is the k-th parameter of
    :data:`~coopgov.model.parameters.PARAMETER_INFO` (as
    :func:`~coopgov.model.parameters.parameter_table` builds it); the result
    is that of :func:`apply_levers` on the same values, without building one
    array per parameter first.
    """
    intensity = _checked_intensity(intensity, levers)
    table = np.asarray(table, dtype=float)
    if table.ndim != 2 or table.shape[0] != len(PARAMETER_INFO):
        raise InputError(
            f"parameter table must have shape ({len(PARAMETER_INFO)}, S)",
            field="table",
            value=table.shape,
        )
    table = table.reshape(table.shape + (1, 1))
    return _move(dict(zip(PARAMETER_INFO, table, strict=True)), table, intensity, levers)


def _checked_intensity(intensity: Any, levers: Sequence[str]) -> np.ndarray:
    intensity = np.asarray(intensity, dtype=float)
    if intensity.ndim not in (3, 4) or intensity.shape[2] != len(levers):
        raise InputError(
            f"intensity must have shape (S, Y, {len(levers)}[, N])",
            field="intensity",
            value=intensity.shape,
        )
    # NaN fails both comparisons, so a NaN or an infinite intensity is refused too
    if intensity.size and not (intensity.min() >= 0.0 and intensity.max() <= 1.0):
        raise InputError("lever intensities must lie in [0, 1]", field="intensity")
    return intensity


def _move(
    out: dict[str, np.ndarray],
    table: np.ndarray | None,
    intensity: np.ndarray,
    levers: Sequence[str],
) -> dict[str, np.ndarray]:
    """Move the parameters ``out`` (views of rows of ``table`` when given) by the levers."""
    if intensity.size:
        active = np.asarray(intensity.any(axis=(0, 1) if intensity.ndim == 3 else (0, 1, 3)))
    else:
        active = np.zeros(len(levers), dtype=bool)
    if not active.any():
        return out
    # levels by lever first: (L, S, Y, 1) or (L, S, Y, N)
    by_lever = (
        intensity.transpose(2, 0, 1) if intensity.ndim == 3 else intensity.transpose(2, 0, 1, 3)
    )
    row = {name: k for k, name in enumerate(out)} if table is not None else {}
    for r, (cols, names, targets, low, high, s_cols, s_names, amounts) in enumerate(
        _lever_rounds(_declarations(levers, active))
    ):
        # one round moves distinct parameters together; a parameter's later levers act in
        # later rounds, in lever order
        if names:
            level = by_lever[cols]
            if intensity.ndim == 3:
                level = level[..., None]
            if r == 0 and table is not None:  # nothing moved yet: rows of the table
                value = table[[row[name] for name in names]]
            elif len(names) == 1:
                value = out[names[0]][None]
            else:
                value = np.stack(np.broadcast_arrays(*(out[name] for name in names)))
            gap = np.minimum(np.maximum(targets - value, low), high)
            out.update(zip(names, value + level * gap, strict=True))
        for k, name, amount in zip(s_cols, s_names, amounts, strict=True):
            level = by_lever[k] if intensity.ndim == 4 else by_lever[k][..., None]
            out[name] = out[name] + level * amount
    return out


def _scenario_columns(
    params: Mapping[str, np.ndarray],
) -> tuple[np.ndarray | None, dict[str, np.ndarray]]:
    """Each parameter as shape (S, 1, 1), views of one table (P, S, 1, 1) if all have length S."""
    try:
        table = np.array(list(params.values()), dtype=float)
    except ValueError:
        table = None
    if table is None or table.ndim != 2:
        return None, {k: np.asarray(v, float).reshape(-1, 1, 1) for k, v in params.items()}
    table = table.reshape(table.shape + (1, 1))
    return table, dict(zip(params, table, strict=True))


#: A lever's column and what it declares:
#: (column, ((parameter, target), ...), ((parameter, amount), ...)).
_Declaration = tuple[int, tuple[tuple[str, float], ...], tuple[tuple[str, float], ...]]


def _declarations(levers: Sequence[str], active: np.ndarray) -> tuple[_Declaration, ...]:
    """What the active levers declare, read afresh from :data:`LEVERS` on every call."""
    out = []
    for k in np.flatnonzero(active).tolist():
        lever = LEVERS[levers[k]]
        out.append((int(k), tuple(lever.targets.items()), tuple(lever.scales.items())))
    return tuple(out)


@lru_cache(maxsize=64)
def _lever_rounds(declarations: tuple[_Declaration, ...]) -> tuple[tuple[Any, ...], ...]:
    """The lever moves of :func:`apply_levers` grouped into rounds of distinct parameters.

    Keyed on the levers' declarations (never on parameter values).  Each
    parameter's moves are in lever order (targets before scales, as a lever
    declares them); round r holds the r-th move of every parameter.  A round
    is (lever columns, names, targets, lower and upper bounds of the move,
    shaped (K, 1, 1, 1)) for the moves towards a target — a countermeasure
    only ever improves its parameter: it moves it towards the target from the
    side of the default and leaves it where it is if the value is already
    past the target — then (columns, names, amounts) for the budget scales.
    """
    moves: dict[str, list[tuple[int, float, float]]] = {}
    for k, targets, scales in declarations:
        for pname, target in targets:
            moves.setdefault(pname, []).append((k, float(target), np.nan))
        for pname, amount in scales:
            moves.setdefault(pname, []).append((k, np.nan, float(amount)))
    rounds = []
    for r in range(max((len(v) for v in moves.values()), default=0)):
        at = {p: v[r] for p, v in moves.items() if len(v) > r}
        names = tuple(p for p, m in at.items() if np.isnan(m[2]))
        shape = (len(names), 1, 1, 1)
        goal = np.array([at[p][1] for p in names]).reshape(shape)
        up = np.array([at[p][1] >= PARAMETER_INFO[p].default for p in names]).reshape(shape)
        s_names = tuple(p for p in at if p not in names)
        rounds.append(
            (
                np.array([at[p][0] for p in names], dtype=np.intp),
                names,
                goal,
                np.where(up, 0.0, -np.inf),
                np.where(up, np.inf, 0.0),
                tuple(at[p][0] for p in s_names),
                s_names,
                tuple(at[p][2] for p in s_names),
            )
        )
        for a in rounds[-1]:
            if isinstance(a, np.ndarray):
                a.setflags(write=False)  # shared by every call with these declarations
    return tuple(rounds)


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
