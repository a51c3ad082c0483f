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

import numba
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
    intensity, top = _checked_intensity(intensity, levers)
    table, out = _scenario_columns(params)
    return _move(out, table, intensity, levers, top)


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
    intensity, top = _checked_intensity(intensity, levers)
    table = np.asarray(table, dtype=float)
    if table.ndim != 2 or table.shape[0] != len(PARAMETER_INFO):
        raise InputError(
            f"parameter table must have shape ({len(PARAMETER_INFO)}, S)",
            field="table",
            value=table.shape,
        )
    out = dict(zip(PARAMETER_INFO, table.reshape(table.shape + (1, 1)), strict=True))
    return _move(out, table, intensity, levers, top)


def _checked_intensity(intensity: Any, levers: Sequence[str]) -> tuple[np.ndarray, list[float]]:
    """The intensities as a float array and each lever's largest intensity (none if empty)."""
    intensity = np.asarray(intensity, dtype=float)
    if intensity.ndim not in (3, 4) or intensity.shape[2] != len(levers):
        raise InputError(
            f"intensity must have shape (S, Y, {len(levers)}[, N])",
            field="intensity",
            value=intensity.shape,
        )
    if not intensity.size:
        return intensity, []
    top = intensity.max(axis=(0, 1) if intensity.ndim == 3 else (0, 1, 3)).tolist()
    # NaN fails the comparison (the minimum propagates it), so a NaN or an infinite
    # intensity is refused too
    if not (intensity.min() >= 0.0 and max(top) <= 1.0):
        raise InputError("lever intensities must lie in [0, 1]", field="intensity")
    return intensity, top


def _move(
    out: dict[str, np.ndarray],
    table: np.ndarray | None,
    intensity: np.ndarray,
    levers: Sequence[str],
    top: list[float],
) -> dict[str, np.ndarray]:
    """Move the parameters ``out`` by the active levers (largest intensity ``top`` > 0).

    ``table`` (P, S), in the order of :data:`PARAMETER_INFO`, holds the
    values of ``out`` when given; the moved parameters are replaced by
    arrays of shape (S, Y, 1), or (S, Y, N) for intensities by city.
    """
    columns = tuple(k for k, level in enumerate(top) if level > 0.0)
    if not columns:
        return out
    names, rows, moves = _lever_plan(levers, columns)
    if table is not None:
        base = table[rows]
    else:
        base = np.array(np.broadcast_arrays(*(np.reshape(out[name], -1) for name in names)))
    level = intensity if intensity.ndim == 4 else intensity[..., None]
    out.update(zip(names, _compiled_move()(base, level, *moves), strict=True))
    return out


def _scenario_columns(
    params: Mapping[str, np.ndarray],
) -> tuple[np.ndarray | None, dict[str, np.ndarray]]:
    """Each parameter as shape (S, 1, 1): views of one table (P, S) if it can be one.

    The table is built only when ``params`` holds the parameters of
    :data:`PARAMETER_INFO` in their order, all of length S.
    """
    if tuple(params) == _PARAMETER_NAMES:
        try:
            table = np.array(list(params.values()), dtype=float)
        except ValueError:  # of different lengths
            table = None
        if table is not None and table.ndim == 2:
            return table, dict(zip(params, table.reshape(table.shape + (1, 1)), strict=True))
    return None, {k: np.asarray(v, float).reshape(-1, 1, 1) for k, v in params.items()}


_PARAMETER_NAMES = tuple(PARAMETER_INFO)
_ROW = {name: k for k, name in enumerate(PARAMETER_INFO)}

#: Lever plans by (lever names, active columns), with what each lever declared when the
#: plan was made: a plan is used only while LEVERS still holds those very levers with
#: those very targets and scales (declarations are read afresh; plans never depend on
#: parameter values).
_PLANS: dict[tuple[Any, ...], tuple[tuple[Any, ...], tuple[Any, ...]]] = {}

_MOVE_TOWARDS_ABOVE, _MOVE_TOWARDS_BELOW, _MOVE_SCALE = 0, 1, 2


def _lever_plan(levers: Sequence[str], columns: tuple[int, ...]) -> tuple[Any, ...]:
    """The moves of the active levers ``columns``, in lever order.

    Returns the moved parameters' names (in order of their first move),
    their rows in :data:`PARAMETER_INFO` and the moves as four read-only
    arrays: the moved parameter (index into the names), the lever column,
    the target or amount, and the kind (towards a target above the
    parameter's default, towards one below it, or a budget scale).  A
    lever's targets come before its scales, as it declares them.
    """
    key = (tuple(levers), columns)
    hit = _PLANS.get(key)
    if hit is not None:
        declared, plan = hit
        for k, lever, targets, scales in declared:
            now = LEVERS.get(key[0][k])
            if now is not lever or now.targets != targets or now.scales != scales:
                break
        else:
            return plan
    declared_now = []
    moves: list[tuple[str, int, float, int]] = []
    for k in columns:
        if key[0][k] not in LEVERS:
            raise InputError(
                f"unknown lever; known: {', '.join(LEVERS)}", field="levers", value=key[0][k]
            )
        lever = LEVERS[key[0][k]]
        declared_now.append((k, lever, dict(lever.targets), dict(lever.scales)))
        for field_, pairs in (("targets", lever.targets), ("scales", lever.scales)):
            for pname, value in pairs.items():
                if pname not in PARAMETER_INFO:
                    raise InputError(
                        f"lever {lever.name!r} moves an unknown parameter",
                        field=field_,
                        value=pname,
                    )
                if field_ == "scales":
                    kind = _MOVE_SCALE
                elif value >= PARAMETER_INFO[pname].default:
                    kind = _MOVE_TOWARDS_ABOVE
                else:
                    kind = _MOVE_TOWARDS_BELOW
                moves.append((pname, k, float(value), kind))
    names = tuple(dict.fromkeys(m[0] for m in moves))
    slot = {name: j for j, name in enumerate(names)}
    arrays = (
        np.array([_ROW[name] for name in names], dtype=np.intp),
        np.array([slot[m[0]] for m in moves], dtype=np.int64),
        np.array([m[1] for m in moves], dtype=np.int64),
        np.array([m[2] for m in moves], dtype=float),
        np.array([m[3] for m in moves], dtype=np.int64),
    )
    for a in arrays:
        a.setflags(write=False)  # shared by every call with these declarations
    plan = (names, arrays[0], arrays[1:])
    if len(_PLANS) >= 64:
        _PLANS.pop(next(iter(_PLANS)))
    _PLANS[key] = (tuple(declared_now), plan)
    return plan


def _lever_moves(base, level, slot, column, goal, kind):
    r"""Apply the moves of :func:`_lever_plan` at every scenario, year and city.

    ``base`` (K, S or 1) the moved parameters' values before any lever;
    ``level`` (S or 1, Y, L, C) the intensities ``λ`` (C = 1, or N for
    intensities by city).  Move j acts on parameter ``slot[j]`` with lever
    ``column[j]``, in order: towards the target ``g`` (module docstring)

    .. math:: v \leftarrow v + λ \max(g - v, 0) \quad	ext{or}\quad v + λ \min(g - v, 0)

    for a target above or below the parameter's default (a lever never moves
    a parameter away from its target), or a budget scale ``v ← v + λ g``.
    Returns the (K, S, Y, C) values after the moves.
    """
    k_n = base.shape[0]
    s_n = max(base.shape[1], level.shape[0])
    _, y_n, _, c_n = level.shape
    if base.shape[1] not in (1, s_n) or level.shape[0] not in (1, s_n):
        raise ValueError("parameters and intensities have different numbers of scenarios")
    out = np.empty((k_n, s_n, y_n, c_n))
    v = np.empty(k_n)  # the parameters at one scenario, year and city
    for s in range(s_n):
        s_b = s if base.shape[1] > 1 else 0
        s_l = s if level.shape[0] > 1 else 0
        for y in range(y_n):
            for c in range(c_n):
                for k in range(k_n):
                    v[k] = base[k, s_b]
                for j in range(slot.shape[0]):  # in order: a parameter's moves in lever order
                    lam = level[s_l, y, column[j], c]
                    value = v[slot[j]]
                    if kind[j] == _MOVE_SCALE:
                        v[slot[j]] = value + lam * goal[j]
                    elif kind[j] == _MOVE_TOWARDS_ABOVE:
                        v[slot[j]] = value + lam * max(goal[j] - value, 0.0)
                    else:
                        v[slot[j]] = value + lam * min(goal[j] - value, 0.0)
                for k in range(k_n):
                    out[k, s, y, c] = v[k]
    return out


_R_INT = numba.types.Array(numba.int64, 1, "A", readonly=True)
#: One compiled version for every layout and flag of the inputs.
_MOVE_SIGNATURE = numba.types.Array(numba.float64, 4, "C")(
    numba.types.Array(numba.float64, 2, "A", readonly=True),
    numba.types.Array(numba.float64, 4, "A", readonly=True),
    _R_INT,
    _R_INT,
    numba.types.Array(numba.float64, 1, "A", readonly=True),
    _R_INT,
)


@lru_cache(maxsize=1)
def _compiled_move() -> Any:
    """:func:`_lever_moves` compiled for :data:`_MOVE_SIGNATURE` on first use (disk-cached)."""
    return numba.njit(_MOVE_SIGNATURE, cache=True)(_lever_moves)


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
