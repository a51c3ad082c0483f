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
    r"""Share group totals (e.g. emission totals) out to members by weight.

    Parameters
    ----------
    totals : array_like, shape (G,) or (G, P)
        Total of each group, per quantity (e.g. tonnes/yr of P pollutants;
        the YRD build uses one group, the YRD's part of the national totals)
        [any unit].
    group : array_like of int, shape (N,)
        Group index (0..G-1) of each member city.
    weight : array_like, shape (N,)
        Non-negative weight of each member (e.g. a mix of proxy shares
        [-], or secondary-industry value added [yuan]).

    Returns
    -------
    ndarray, shape (N,) or (N, P)
        Member values [unit of ``totals``]; they sum to the group totals.

    Notes
    -----
    .. math:: x_{c} = X_{g(c)}\,\frac{w_c}{\sum_{c' \in g(c)} w_{c'}}

    Used for the YRD city emission bases (``scripts/build_region_yrd.py``,
    ``derive_emissions``) with one group: the YRD's part of the **national**
    2020 totals of each pollutant (2020 China Ecological and Environmental
    Statistics Annual Report; provincial totals per pollutant were not found
    in a public text) is shared out over the 41 cities with the weight
    :math:`w_c = \sum_k a_k\,y_{ck} / Y_k`, a pollutant-specific mix of
    proxies *k* (industry = GDP × secondary share, population, area) with
    weights :math:`a_k` stated in the region README.  The function accepts
    several groups (e.g. provinces) for when provincial totals are used.
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
