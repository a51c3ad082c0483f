"""Bidirectional water-quality "bet" compensation of the Xin'an River type.

Upstream and downstream governments agree on an index P of the water quality
at their border section.  If the water is at least as good as agreed
(P <= 1) the downstream government pays the upstream one; if it is worse
(P > 1) the upstream government pays the downstream one.  The Xin'an River
pilot (Anhui upstream, Zhejiang downstream, Jiekou section) is the model,
run in rounds of three years since 2012 [1]_ [2]_ [3]_.

Everything here is a pure function over NumPy arrays with arbitrary leading
(batch) axes, so that a simulation can call it once per time step for all
scenarios at once.  Reading measurement tables and presets lives in
:mod:`coopgov.compensation.schemes`.

References
----------
.. [1] Ministry of Finance and Ministry of Environmental Protection (2011),
   《新安江流域水环境补偿试点实施方案》 (Xin'an River basin water-environment
   compensation pilot implementation plan), September 2011; as summarised by
   Chang Wenting et al. (2023), Hangzhou Research Academy of Ecological and
   Environmental Sciences.
.. [2] Anhui and Zhejiang provincial governments, agreements on horizontal
   ecological compensation in the Xin'an River basin, round 2 (2016) and
   round 3 (October 2018).  Not read in the original; terms as reported in
   coopgov ``docs/compensation.md`` (Xin'an River two-way bet).
.. [3] Zhang Wenping and Wu Shi (2022), on the calculation of the
   compensation index P at the Jiekou provincial-border section (Anhui
   Water Conservancy and Hydropower Survey and Design Institute).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from coopgov.compensation._validate import (
    as_float_array,
    require_finite,
    require_nonnegative,
    require_positive,
)
from coopgov.errors import InputError

__all__ = ["bet_index", "bet_transfer", "banded_transfer"]


def bet_index(
    concentrations: ArrayLike,
    baseline: ArrayLike,
    weights: ArrayLike,
    k0: ArrayLike,
) -> NDArray[np.float64]:
    r"""Compensation index P of a Xin'an-type water-quality bet.

    Parameters
    ----------
    concentrations : array_like, shape (..., F)
        Annual mean concentration C_i of each assessed factor (last axis)
        [mg/L].  Leading axes (scenarios, years, ...) are kept.
    baseline : array_like, broadcastable to (..., F)
        Baseline concentration C_i0 of each factor [mg/L], > 0.  In the
        Xin'an pilot the 2008-2010 mean at the Jiekou section [1]_.
    weights : array_like, broadcastable to (..., F)
        Weight k_i of each factor [dimensionless], >= 0.  In the pilot
        0.25 each for permanganate index, NH3-N, TN and TP at first
        (**unconfirmed**, see [2]_).
    k0 : array_like, broadcastable to (...)
        Stability coefficient [dimensionless], > 0.  0.85 in round 1, raised
        later (**unconfirmed**, see [2]_).  A larger k0 is a stricter test.

    Returns
    -------
    numpy.ndarray, shape (...)
        The index P [dimensionless]; P <= 1 means the water met the agreed
        quality (downstream pays), P > 1 that it did not (upstream pays).

    Raises
    ------
    coopgov.errors.InputError
        A negative or non-finite concentration, a baseline <= 0, a negative
        weight or a k0 <= 0.

    Notes
    -----
    .. math::

        P = k_0 \sum_{i} k_i \, \frac{C_i}{C_{i0}}

    The form of the index is taken from the pilot's implementation plan as
    reported in [1]_ and [3]_; which factors, weights and k0 each round used
    is **unconfirmed** in the sources read (``docs/compensation.md``) and is
    therefore configuration (see the presets).

    References
    ----------
    .. [1] Ministry of Finance and Ministry of Environmental Protection
       (2011), 《新安江流域水环境补偿试点实施方案》.
    .. [2] coopgov ``docs/compensation.md``, Xin'an River two-way bet
       (index marked unconfirmed).
    .. [3] Zhang Wenping and Wu Shi (2022), compensation index P at the
       Jiekou section.

    Examples
    --------
    >>> float(bet_index([2.0, 0.1, 1.0, 0.02], [2.0, 0.1, 1.0, 0.02], 0.25, 0.85))
    0.85
    """
    c = require_nonnegative(as_float_array(concentrations, "concentrations"), "concentrations")
    c0 = require_positive(as_float_array(baseline, "baseline"), "baseline")
    w = require_nonnegative(as_float_array(weights, "weights"), "weights")
    k = require_positive(as_float_array(k0, "k0"), "k0")
    if c.ndim == 0:
        raise InputError("needs a factor axis (the last axis)", field="concentrations")
    ratio = c / c0
    if w.ndim <= 1:
        # One weight vector for all: a matrix-vector product is several times faster
        # than a reduction over a short last axis.
        return k * (ratio @ np.broadcast_to(w, ratio.shape[-1:]))
    return k * np.sum(w * ratio, axis=-1)


def bet_transfer(
    p: ArrayLike,
    amount_downstream_pays: ArrayLike,
    amount_upstream_pays: ArrayLike,
    threshold: ArrayLike = 1.0,
) -> NDArray[np.float64]:
    r"""Signed transfer of a two-way water-quality bet.

    Parameters
    ----------
    p : array_like
        Compensation index P [dimensionless] (see :func:`bet_index`).
    amount_downstream_pays : array_like
        What the downstream government pays the upstream one when
        P <= threshold [yuan per assessment year], >= 0.
    amount_upstream_pays : array_like
        What the upstream government pays the downstream one when
        P > threshold [yuan per assessment year], >= 0.
    threshold : array_like, default 1.0
        Index value at which the direction flips [dimensionless]; P equal to
        the threshold counts as "met" (downstream pays).

    Returns
    -------
    numpy.ndarray
        Signed transfer [yuan]: positive = downstream pays upstream,
        negative = upstream pays downstream.  NaN where P is NaN.

    Notes
    -----
    .. math::

        T = \begin{cases} +A_d & P \le P^* \\ -A_u & P > P^* \end{cases}

    Round 1 of the Xin'an pilot (2012-2014): A_d = A_u = 100 million yuan;
    rounds 2 and 3: 200 million yuan each ([1]_, via ``docs/compensation.md``).

    References
    ----------
    .. [1] Ministry of Finance and Ministry of Environmental Protection
       (2011), 《新安江流域水环境补偿试点实施方案》; Anhui-Zhejiang agreements
       of 2016 and October 2018.

    Examples
    --------
    >>> bet_transfer([0.9, 1.0, 1.2], 1e8, 1e8).tolist()
    [100000000.0, 100000000.0, -100000000.0]
    """
    pp = as_float_array(p, "P")
    down = require_nonnegative(
        as_float_array(amount_downstream_pays, "amount_downstream_pays"), "amount_downstream_pays"
    )
    up = require_nonnegative(
        as_float_array(amount_upstream_pays, "amount_upstream_pays"), "amount_upstream_pays"
    )
    thr = require_finite(as_float_array(threshold, "threshold"), "threshold")
    out = np.where(pp <= thr, down, -up)
    return np.where(np.isnan(pp), np.nan, out)


def banded_transfer(
    p: ArrayLike,
    p_edges: ArrayLike,
    transfers: ArrayLike,
) -> NDArray[np.float64]:
    """Signed transfer from a schedule of index bands.

    A generalisation of :func:`bet_transfer` for agreements that grade the
    payment by how far P is from 1 (for example a smaller payment for
    0.95 < P <= 1 than for P <= 0.95).

    Parameters
    ----------
    p : array_like
        Compensation index P [dimensionless], any shape.
    p_edges : array_like, shape (K,)
        Upper edges of the first K bands [dimensionless], strictly
        increasing.  Band 0 is P <= p_edges[0]; band k is
        p_edges[k-1] < P <= p_edges[k]; band K is P > p_edges[-1].
    transfers : array_like, shape (K + 1,)
        Signed transfer of each band [yuan]: positive = downstream pays
        upstream.

    Returns
    -------
    numpy.ndarray
        Signed transfer [yuan], shape of ``p``; NaN where P is NaN.

    Raises
    ------
    coopgov.errors.InputError
        Edges not strictly increasing, or ``transfers`` not one longer than
        ``p_edges``.

    Notes
    -----
    With one edge at 1.0 and transfers (A_d, -A_u) this equals
    :func:`bet_transfer`.

    Examples
    --------
    >>> banded_transfer([0.9, 0.97, 1.1], [0.95, 1.0], [2e8, 1e8, -2e8]).tolist()
    [200000000.0, 100000000.0, -200000000.0]
    """
    pp = as_float_array(p, "P")
    edges = require_finite(as_float_array(p_edges, "p_edges"), "p_edges")
    amounts = require_finite(as_float_array(transfers, "transfers"), "transfers")
    if edges.ndim != 1 or amounts.ndim != 1 or amounts.size != edges.size + 1:
        raise InputError(
            f"need K edges and K + 1 transfers, got {edges.size} and {amounts.size}",
            field="transfers",
        )
    steps = np.diff(edges)
    if np.any(steps <= 0):
        k = int(np.argmax(steps <= 0)) + 1
        raise InputError(
            f"band edges must be strictly increasing (edge {k})",
            field="p_edges",
            value=float(edges[k]),
        )
    band = np.searchsorted(edges, np.nan_to_num(pp, nan=0.0), side="left")
    out = amounts[band]
    return np.where(np.isnan(pp), np.nan, out)
