"""Fiscal transfers toward governments with weak fiscal capacity.

The source study names fiscal imbalance as a resistance to cooperation and
proposes transfers that favour weak governments (``docs/model.md``,
"resistance: fiscal imbalance").  This module gives the analyst's standard
gap-filling rule: a government whose budget revenue per head is below a
threshold share of the regional mean receives money in proportion to the
yuan it lacks to reach the threshold, within a fund.  The fund is either
new money (central government) or budget-neutral, levied from governments
above the threshold in proportion to their surplus.

The rule is the proportional gap-filling form of fiscal-capacity
equalisation grants ([1]_, ch. 1; China's 均衡性转移支付 follows the same
logic of standard revenue vs standard expenditure, [2]_).  Every function
takes arrays with the cities on the last axis and any leading (scenario)
axes.

References
----------
.. [1] Boadway, R. and Shah, A. (eds.) (2007), *Intergovernmental Fiscal
   Transfers: Principles and Practice*, World Bank.
.. [2] Ministry of Finance, 《中央对地方均衡性转移支付办法》 (central-to-local
   equalisation transfer measures; revised editions over the years).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from coopgov.compensation._validate import (
    as_float_array,
    require_nonnegative,
    require_positive,
)
from coopgov.errors import InputError

__all__ = [
    "regional_mean_capacity",
    "relative_fiscal_capacity",
    "fiscal_need",
    "fiscal_surplus",
    "fiscal_transfers",
    "fiscal_levies",
    "net_fiscal_transfers",
]

MeanKind = Literal["population", "simple"]


def _inputs(
    fiscal_capacity: ArrayLike, population: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    fc = require_nonnegative(as_float_array(fiscal_capacity, "fiscal_capacity"), "fiscal_capacity")
    pop = require_positive(as_float_array(population, "population"), "population")
    if fc.ndim == 0:
        raise InputError("needs a city axis (the last axis)", field="fiscal_capacity")
    fc, pop = np.broadcast_arrays(fc, pop)
    return fc, pop


def regional_mean_capacity(
    fiscal_capacity: ArrayLike, population: ArrayLike, mean: MeanKind = "population"
) -> NDArray[np.float64]:
    r"""Regional mean budget revenue per head [yuan/person].

    Parameters
    ----------
    fiscal_capacity : array_like, shape (..., N)
        General budget revenue per head of each city [yuan/person], >= 0.
    population : array_like, broadcastable to (..., N)
        Resident population [persons], > 0.
    mean : {"population", "simple"}, default "population"
        "population": total revenue / total population (the region's revenue
        per head); "simple": unweighted mean over cities.

    Returns
    -------
    numpy.ndarray, shape (...)
        The regional mean [yuan/person].

    Notes
    -----
    .. math::

        \bar f = \frac{\sum_i f_i n_i}{\sum_i n_i}
        \quad\text{or}\quad \bar f = \frac{1}{N}\sum_i f_i
    """
    fc, pop = _inputs(fiscal_capacity, population)
    if mean == "population":
        return np.sum(fc * pop, axis=-1) / np.sum(pop, axis=-1)
    if mean == "simple":
        return np.mean(fc, axis=-1)
    raise InputError("must be 'population' or 'simple'", field="mean", value=mean)


def relative_fiscal_capacity(
    fiscal_capacity: ArrayLike, population: ArrayLike, mean: MeanKind = "population"
) -> NDArray[np.float64]:
    """Budget revenue per head relative to the regional mean [dimensionless].

    Parameters
    ----------
    fiscal_capacity : array_like, shape (..., N)
        Budget revenue per head [yuan/person], >= 0.
    population : array_like, broadcastable to (..., N)
        Population [persons], > 0.
    mean : {"population", "simple"}, default "population"
        See :func:`regional_mean_capacity`.

    Returns
    -------
    numpy.ndarray, shape (..., N)
        f_i / f̄; 1 is the regional mean (``docs/model.md`` defines fiscal
        capacity this way).

    Examples
    --------
    >>> relative_fiscal_capacity([1000.0, 3000.0], [100.0, 100.0]).tolist()
    [0.5, 1.5]
    """
    fc, _ = _inputs(fiscal_capacity, population)
    m = regional_mean_capacity(fiscal_capacity, population, mean)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(m[..., None] > 0, fc / np.where(m > 0, m, 1.0)[..., None], 1.0)


def fiscal_need(
    fiscal_capacity: ArrayLike,
    population: ArrayLike,
    threshold: ArrayLike = 1.0,
    mean: MeanKind = "population",
) -> NDArray[np.float64]:
    r"""Yuan each city lacks to reach ``threshold`` x the regional mean revenue per head.

    Parameters
    ----------
    fiscal_capacity : array_like, shape (..., N)
        Budget revenue per head [yuan/person], >= 0.
    population : array_like, broadcastable to (..., N)
        Population [persons], > 0.
    threshold : array_like, broadcastable to (...), default 1.0
        Qualifying level as a share of the regional mean [dimensionless],
        >= 0.
    mean : {"population", "simple"}, default "population"
        See :func:`regional_mean_capacity`.

    Returns
    -------
    numpy.ndarray, shape (..., N)
        Need [yuan], >= 0; positive exactly for cities with
        f_i < threshold x f̄.

    Notes
    -----
    .. math::

        g_i = \max(\theta \bar f - f_i, 0) \, n_i
    """
    fc, pop = _inputs(fiscal_capacity, population)
    thr = require_nonnegative(as_float_array(threshold, "threshold"), "threshold")
    level = thr * regional_mean_capacity(fc, pop, mean)
    return np.maximum(level[..., None] - fc, 0.0) * pop


def fiscal_surplus(
    fiscal_capacity: ArrayLike,
    population: ArrayLike,
    threshold: ArrayLike = 1.0,
    mean: MeanKind = "population",
) -> NDArray[np.float64]:
    """Yuan each city holds above ``threshold`` x the regional mean revenue per head.

    Parameters are those of :func:`fiscal_need`.

    Returns
    -------
    numpy.ndarray, shape (..., N)
        Surplus [yuan], >= 0: max(f_i - θ f̄, 0) n_i.
    """
    fc, pop = _inputs(fiscal_capacity, population)
    thr = require_nonnegative(as_float_array(threshold, "threshold"), "threshold")
    level = thr * regional_mean_capacity(fc, pop, mean)
    return np.maximum(fc - level[..., None], 0.0) * pop


def _proportional(weights: NDArray[np.float64], amount: NDArray[np.float64]) -> NDArray[np.float64]:
    total = weights.sum(axis=-1)
    safe = np.where(total > 0, total, 1.0)
    return np.where(total[..., None] > 0, weights * (amount / safe)[..., None], 0.0)


def fiscal_transfers(
    fiscal_capacity: ArrayLike,
    population: ArrayLike,
    fund: ArrayLike,
    threshold: ArrayLike = 1.0,
    *,
    cap_at_need: bool = True,
    mean: MeanKind = "population",
) -> NDArray[np.float64]:
    r"""Transfers received by weak governments out of a fund [yuan].

    Parameters
    ----------
    fiscal_capacity : array_like, shape (..., N)
        General budget revenue per head of each city [yuan/person], >= 0.
    population : array_like, broadcastable to (..., N)
        Resident population [persons], > 0.
    fund : array_like, broadcastable to (...)
        Money available for the period [yuan], >= 0.
    threshold : array_like, broadcastable to (...), default 1.0
        Cities whose revenue per head is below ``threshold`` x the regional
        mean qualify [dimensionless] (assumption: 1.0, the mean itself).
    cap_at_need : bool, default True
        Never lift a city above the threshold: when the fund exceeds the
        total need, pay each its need and leave the rest unspent.
    mean : {"population", "simple"}, default "population"
        See :func:`regional_mean_capacity`.

    Returns
    -------
    numpy.ndarray, shape (..., N)
        Transfer received by each city [yuan], >= 0, zero for cities at or
        above the threshold.  Sums to ``fund`` (to min(fund, total need) when
        capped; to 0 when nobody qualifies).

    Notes
    -----
    With need g_i from :func:`fiscal_need`,

    .. math::

        t_i = \min\Big(F, \sum_j g_j\Big) \, \frac{g_i}{\sum_j g_j}

    (without the cap, F replaces the minimum).  Proportional to need, so when
    the fund is short every weak city closes the same fraction of its gap.
    The reference mean f̄ is the pre-transfer one.

    References
    ----------
    .. [1] Boadway and Shah (2007), *Intergovernmental Fiscal Transfers*,
       ch. 1 (fiscal-capacity equalisation).

    Examples
    --------
    Revenue per head 1000, 3000 yuan; 100 people each: mean 2000, the first
    city needs (2000 - 1000) x 100 = 100,000 yuan.

    >>> fiscal_transfers([1000.0, 3000.0], [100.0, 100.0], 50_000.0).tolist()
    [50000.0, 0.0]
    """
    need = fiscal_need(fiscal_capacity, population, threshold, mean)
    f = require_nonnegative(as_float_array(fund, "fund"), "fund")
    total_need = need.sum(axis=-1)
    amount = np.minimum(f, total_need) if cap_at_need else np.broadcast_to(f, total_need.shape)
    return _proportional(need, np.asarray(amount, dtype=np.float64))


def fiscal_levies(
    fiscal_capacity: ArrayLike,
    population: ArrayLike,
    amount: ArrayLike,
    threshold: ArrayLike = 1.0,
    *,
    mean: MeanKind = "population",
) -> NDArray[np.float64]:
    """Contributions to a regional fund from governments above the threshold [yuan].

    Parameters
    ----------
    fiscal_capacity, population, threshold, mean
        As in :func:`fiscal_transfers`.
    amount : array_like, broadcastable to (...)
        Money to raise [yuan], >= 0; at most the total surplus is raised.

    Returns
    -------
    numpy.ndarray, shape (..., N)
        Levy on each city [yuan], >= 0, in proportion to its surplus
        (:func:`fiscal_surplus`), summing to min(amount, total surplus).
    """
    surplus = fiscal_surplus(fiscal_capacity, population, threshold, mean)
    a = require_nonnegative(as_float_array(amount, "amount"), "amount")
    return _proportional(surplus, np.minimum(a, surplus.sum(axis=-1)))


def net_fiscal_transfers(
    fiscal_capacity: ArrayLike,
    population: ArrayLike,
    fund: ArrayLike,
    threshold: ArrayLike = 1.0,
    *,
    financing: Literal["regional", "central"] = "regional",
    mean: MeanKind = "population",
) -> NDArray[np.float64]:
    r"""Net transfer of each government (received minus paid) [yuan].

    Parameters
    ----------
    fiscal_capacity, population, threshold, mean
        As in :func:`fiscal_transfers`.
    fund : array_like, broadcastable to (...)
        Size of the fund [yuan], >= 0.
    financing : {"regional", "central"}, default "regional"
        "regional": budget-neutral, the fund is levied from governments above
        the threshold (:func:`fiscal_levies`); "central": the fund is new
        money and nobody pays.

    Returns
    -------
    numpy.ndarray, shape (..., N)
        Net transfer [yuan]: positive received, negative paid.  Sums to 0
        with regional financing.

    Notes
    -----
    With regional financing the amount moved is
    :math:`A = \min(F, \sum g_j, \sum s_j)`; weak cities receive
    :math:`A g_i / \sum g_j` and strong ones pay :math:`A s_i / \sum s_j`.

    Examples
    --------
    The fund of :func:`fiscal_transfers`, raised from the richer city:

    >>> net_fiscal_transfers([1000.0, 3000.0], [100.0, 100.0], 50_000.0).tolist()
    [50000.0, -50000.0]
    """
    if financing == "central":
        return fiscal_transfers(fiscal_capacity, population, fund, threshold, mean=mean)
    if financing != "regional":
        raise InputError("must be 'regional' or 'central'", field="financing", value=financing)
    need = fiscal_need(fiscal_capacity, population, threshold, mean)
    surplus = fiscal_surplus(fiscal_capacity, population, threshold, mean)
    f = require_nonnegative(as_float_array(fund, "fund"), "fund")
    moved = np.minimum(np.minimum(f, need.sum(axis=-1)), surplus.sum(axis=-1))
    return _proportional(need, moved) - _proportional(surplus, moved)
