"""Documented rules for deriving city figures that are not published.

A derived figure is always computed from published ones by a rule stated
here, and marked ``derived`` in the provenance.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from coopgov.errors import InputError

__all__ = ["apportion_by_weight"]


def apportion_by_weight(
    totals: ArrayLike, group: ArrayLike, weight: ArrayLike
) -> NDArray[np.float64]:
    r"""Share group totals (e.g. provincial emissions) out to members by weight.

    Parameters
    ----------
    totals : array_like, shape (G,) or (G, P)
        Total of each group, per quantity (e.g. tonnes/yr of P pollutants
        per province) [any unit].
    group : array_like of int, shape (N,)
        Group index (0..G-1) of each member city.
    weight : array_like, shape (N,)
        Non-negative weight of each member (e.g. secondary-industry value
        added [yuan]).

    Returns
    -------
    ndarray, shape (N,) or (N, P)
        Member values [unit of ``totals``]; they sum to the group totals.

    Notes
    -----
    .. math:: x_{c} = X_{g(c)}\,\frac{w_c}{\sum_{c' \in g(c)} w_{c'}}

    Used for the YRD city emission bases: provincial emissions (China
    Statistical Yearbook on Environment) shared out by secondary-industry
    value added, :math:`w_c = \mathrm{GDP}_c \times s_c`, the usual proxy when
    only provincial inventories are published (industry dominates SO2,
    NOx, particulate and, with domestic sewage, COD/NH3-N emissions).
    This is a modelling rule (assumption), not a measurement.
    """
    x = np.asarray(totals, dtype=float)
    g = np.asarray(group, dtype=int)
    w = np.asarray(weight, dtype=float)
    if np.any(w < 0) or not np.all(np.isfinite(w)):
        raise InputError("weights must be finite and >= 0", field="weight")
    if g.size and (g.min() < 0 or g.max() >= x.shape[0]):
        raise InputError("group index out of range", field="group")
    wsum = np.bincount(g, weights=w, minlength=x.shape[0])
    if np.any((wsum == 0) & np.isin(np.arange(x.shape[0]), g)):
        raise InputError("a group has zero total weight", field="weight")
    share = w / wsum[g]
    return x[g] * (share[:, None] if x.ndim == 2 else share)
