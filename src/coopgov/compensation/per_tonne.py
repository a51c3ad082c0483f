"""Per-tonne compensation for exceedance at a monitoring section.

When a factor's concentration at a cross-boundary section exceeds its
target, the upstream jurisdictions pay for the excess load that crossed:
excess concentration x flow x time x unit price, per factor, with the cost
split among them by their contribution to the pollution.  This is the
Jiangsu scheme, begun in the Taihu basin in 2007, made province-wide by the
2013 implementation measures and revised in 2021 ([1]_ [2]_ [3]_ [4]_).

Pure functions over NumPy arrays, broadcasting, usable inside a simulation
loop.  Reading tables and presets lives in
:mod:`coopgov.compensation.schemes`.

Units
-----
concentration in mg/L, flow in m^3/s, time in s, price in yuan/t.  Since
1 mg/L = 1e-3 kg/m^3,

    excess [mg/L] x flow [m^3/s] x seconds [s]
        = excess x 1e-3 [kg/m^3] x flow x seconds [m^3]   -> kg
        = excess x flow x seconds x 1e-3 x 1e-3           -> t

so tonnes = excess x flow x seconds x 1e-6 (:data:`TONNES_PER_MG_L_M3`).
Example: 1 mg/L over target at 10 m^3/s for a 30-day month
(2,592,000 s) is 1 x 10 x 2,592,000 x 1e-6 = 25.92 t.

References
----------
.. [1] Jiangsu Provincial Government General Office (2013), 苏政办发〔2013〕195号,
   《江苏省水环境区域补偿实施办法(试行)》 (Jiangsu water-environment regional
   compensation implementation measures, trial).
.. [2] Zhenjiang Municipal Government General Office, 《镇江市太湖流域环境资源
   区域补偿方案》: unit prices permanganate index 15,000 yuan/t, NH3-N and TP
   100,000 yuan/t each; single-factor payment = (section value - target) x
   monthly section water volume x unit price; contribution shares as cost
   shares.
.. [3] Jiangsu Department of Ecology and Environment and Department of
   Finance (2021), 苏环办〔2021〕131号, 《江苏省水环境区域补偿工作方案
   (2020年修订)》, in force 2021-05-01.
.. [4] Xinhua Daily (新华日报), 2021-05-02, "我省调整水环境区域补偿制度":
   sections 112 -> 245; TN added for the Taihu basin; standards raised by
   exceedance multiple to 500,000, 750,000 and 1,250,000 yuan, about 60 %
   above the former scheme.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from coopgov.compensation._validate import (
    as_float_array,
    require_finite,
    require_nonnegative,
    require_positive,
)
from coopgov.errors import InputError

__all__ = [
    "TONNES_PER_MG_L_M3",
    "PriceTiers",
    "excess_load",
    "exceedance_multiple",
    "per_tonne_payment",
    "split_by_contribution",
]

#: Tonnes per (mg/L x m^3): 1 mg/L = 1e-3 kg/m^3 and 1 kg = 1e-3 t.
TONNES_PER_MG_L_M3 = 1e-6

TierMode = Literal["step", "marginal"]


@dataclass(frozen=True)
class PriceTiers:
    """Unit prices graded by how many times the target a concentration exceeds.

    Parameters
    ----------
    prices : array_like, shape (..., K)
        Unit price of each tier [yuan/t], >= 0 and non-decreasing along the
        last axis.  Leading axes broadcast against the concentrations (for
        example one row per factor).
    bounds : array_like, shape (..., K - 1), optional
        Upper edges of the first K - 1 tiers as exceedance multiples
        (C - target) / target [dimensionless], > 0 and strictly increasing;
        the last tier is open-ended.  Omit for a single price.
    mode : {"step", "marginal"}, default "step"
        "step": the whole excess is priced at the tier the exceedance multiple
        falls in ("按超标倍数" grading, [1]_); "marginal": each band of excess
        is priced at its own tier, like income-tax brackets.

    Raises
    ------
    coopgov.errors.InputError
        Negative or decreasing prices, bounds not strictly increasing or not
        positive, or shapes that do not match.

    References
    ----------
    .. [1] Xinhua Daily (2021-05-02) on the 2021 Jiangsu revision.
    """

    prices: NDArray[np.float64]
    bounds: NDArray[np.float64]
    mode: TierMode = "step"

    def __init__(
        self, prices: ArrayLike, bounds: ArrayLike | None = None, mode: TierMode = "step"
    ) -> None:
        p = require_nonnegative(as_float_array(prices, "prices"), "prices")
        if p.ndim == 0:
            p = p[np.newaxis]
        b = np.zeros(p.shape[:-1] + (0,)) if bounds is None else as_float_array(bounds, "bounds")
        if b.ndim == 0:
            b = b[np.newaxis]
        require_finite(b, "bounds")
        if b.shape[-1] != p.shape[-1] - 1:
            raise InputError(
                f"need one bound fewer than prices, got {b.shape[-1]} bounds "
                f"and {p.shape[-1]} prices",
                field="bounds",
            )
        if np.any(b <= 0):
            raise InputError(
                "tier bounds are exceedance multiples and must be > 0",
                field="bounds",
                value=float(b[b <= 0].flat[0]),
            )
        if np.any(np.diff(b, axis=-1) <= 0):
            bad = np.argwhere(np.diff(b, axis=-1) <= 0)[0]
            idx = (*bad[:-1], bad[-1] + 1)
            raise InputError(
                f"tier bounds must be strictly increasing (tier {int(bad[-1]) + 1})",
                field="bounds",
                value=float(b[tuple(idx)]),
            )
        if np.any(np.diff(p, axis=-1) < 0):
            bad = np.argwhere(np.diff(p, axis=-1) < 0)[0]
            idx = (*bad[:-1], bad[-1] + 1)
            raise InputError(
                f"tier prices must not decrease with exceedance (tier {int(bad[-1]) + 1})",
                field="prices",
                value=float(p[tuple(idx)]),
            )
        if mode not in ("step", "marginal"):
            raise InputError("must be 'step' or 'marginal'", field="mode", value=mode)
        object.__setattr__(self, "prices", p)
        object.__setattr__(self, "bounds", b)
        object.__setattr__(self, "mode", mode)

    @property
    def n_tiers(self) -> int:
        """Number of tiers K."""
        return int(self.prices.shape[-1])

    def tier_of(self, multiple: ArrayLike) -> NDArray[np.intp]:
        """0-based tier index of each exceedance multiple (tier k covers (b_{k-1}, b_k])."""
        r = np.asarray(multiple, dtype=np.float64)
        return np.sum(r[..., np.newaxis] > self.bounds, axis=-1)

    def unit_price(self, multiple: ArrayLike) -> NDArray[np.float64]:
        """Average unit price [yuan/t] applying to the whole excess at ``multiple``."""
        r = np.maximum(np.asarray(multiple, dtype=np.float64), 0.0)
        if self.mode == "step":
            tier = self.tier_of(r)
            prices = np.broadcast_to(self.prices, tier.shape + (self.n_tiers,))
            return np.take_along_axis(prices, tier[..., np.newaxis], axis=-1)[..., 0]
        lower = np.concatenate([np.zeros(self.bounds.shape[:-1] + (1,)), self.bounds], axis=-1)
        upper = np.concatenate(
            [self.bounds, np.full(self.bounds.shape[:-1] + (1,), np.inf)], axis=-1
        )
        band = np.clip(r[..., np.newaxis], lower, upper) - lower
        paid = np.sum(band * self.prices, axis=-1)
        first = np.broadcast_to(self.prices[..., 0], paid.shape)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(r > 0, paid / np.where(r > 0, r, 1.0), first)


def exceedance_multiple(concentration: ArrayLike, target: ArrayLike) -> NDArray[np.float64]:
    """How many times the target a concentration exceeds it, floored at 0.

    Parameters
    ----------
    concentration : array_like
        Section concentration [mg/L], >= 0.
    target : array_like
        Target (control) concentration [mg/L], > 0.

    Returns
    -------
    numpy.ndarray
        max(C - target, 0) / target [dimensionless].

    Examples
    --------
    >>> exceedance_multiple([3.0, 6.0, 12.0], 4.0).tolist()  # (C - target) / target, >= 0
    [0.0, 0.5, 2.0]
    """
    c = require_nonnegative(as_float_array(concentration, "concentration"), "concentration")
    t = require_positive(as_float_array(target, "target"), "target")
    return np.maximum(c - t, 0.0) / t


def excess_load(
    concentration: ArrayLike,
    target: ArrayLike,
    flow_m3s: ArrayLike,
    seconds: ArrayLike,
) -> NDArray[np.float64]:
    r"""Pollutant load carried across a section above its target [t].

    Parameters
    ----------
    concentration : array_like
        Section concentration over the period [mg/L], >= 0.
    target : array_like
        Target concentration [mg/L], > 0.
    flow_m3s : array_like
        Mean section flow over the period [m^3/s], >= 0.
    seconds : array_like
        Length of the period [s], >= 0 (a 30-day month is 2,592,000 s).

    Returns
    -------
    numpy.ndarray
        Excess load [t], broadcast shape; 0 where the target is met.

    Notes
    -----
    .. math::

        L = \max(C - C^*, 0) \cdot Q \cdot t \cdot 10^{-6}

    with C, C* in mg/L (= g/m^3), Q in m^3/s, t in s: g/m^3 x m^3 = g and
    1 g = 1e-6 t.

    Examples
    --------
    1 mg/L (1e-6 t/m3) over target at 10 m3/s for 30 days (2,592,000 s):

    >>> round(float(excess_load(5.0, 4.0, 10.0, 30 * 86400)), 6)
    25.92
    """
    c = require_nonnegative(as_float_array(concentration, "concentration"), "concentration")
    t = require_positive(as_float_array(target, "target"), "target")
    q = require_nonnegative(as_float_array(flow_m3s, "flow_m3s"), "flow_m3s")
    s = require_nonnegative(as_float_array(seconds, "seconds"), "seconds")
    return np.maximum(c - t, 0.0) * q * s * TONNES_PER_MG_L_M3


def per_tonne_payment(
    concentration: ArrayLike,
    target: ArrayLike,
    flow_m3s: ArrayLike,
    seconds: ArrayLike,
    price_tiers: PriceTiers | ArrayLike,
) -> NDArray[np.float64]:
    r"""Compensation owed for the excess load at a section [yuan].

    Parameters
    ----------
    concentration : array_like
        Section concentration over the period [mg/L], >= 0.
    target : array_like
        Target concentration [mg/L], > 0.
    flow_m3s : array_like
        Mean section flow over the period [m^3/s], >= 0.
    seconds : array_like
        Length of the period [s], >= 0.
    price_tiers : PriceTiers or array_like
        Unit prices [yuan/t]: a :class:`PriceTiers`, or a plain price (one
        tier) broadcastable to the concentrations.

    Returns
    -------
    numpy.ndarray
        Payment [yuan] from the upstream side, broadcast shape; 0 where the
        target is met.

    Notes
    -----
    .. math::

        Y = \max(C - C^*, 0) \cdot Q \cdot t \cdot 10^{-6} \cdot
            \bar p\!\left(\frac{\max(C - C^*, 0)}{C^*}\right)

    where :math:`\bar p` is the tier price ("step") or the band-weighted
    average price ("marginal").  Jiangsu 2013 / Zhenjiang Taihu scheme:
    permanganate index 15,000 yuan/t, NH3-N and TP 100,000 yuan/t ([2]_).

    References
    ----------
    .. [1] 苏政办发〔2013〕195号, 《江苏省水环境区域补偿实施办法(试行)》.
    .. [2] 《镇江市太湖流域环境资源区域补偿方案》, sections (三) and (四).

    Examples
    --------
    1 mg/L over a 4 mg/L target at 10 m^3/s for 30 days, 15,000 yuan/t:
    25.92 t x 15,000 = 388,800 yuan.

    >>> round(float(per_tonne_payment(5.0, 4.0, 10.0, 30 * 86400, 15000.0)), 6)
    388800.0
    """
    load = excess_load(concentration, target, flow_m3s, seconds)
    if isinstance(price_tiers, PriceTiers):
        multiple = exceedance_multiple(concentration, target)
        return load * price_tiers.unit_price(multiple)
    price = require_nonnegative(as_float_array(price_tiers, "price"), "price")
    return load * price


def split_by_contribution(
    total: ArrayLike,
    contributions: ArrayLike,
    *,
    decimals: int | None = None,
) -> NDArray[np.float64]:
    r"""Split an amount among jurisdictions in proportion to their contributions.

    Parameters
    ----------
    total : array_like, shape (...)
        Amount to split [yuan] (any sign).
    contributions : array_like, shape (..., J)
        Each jurisdiction's contribution to the pollution (shares, percent or
        loads; only proportions matter) [any consistent unit], >= 0, with a
        positive sum along the last axis.
    decimals : int, optional
        Round each part to this many decimals (2 = fen) by the
        largest-remainder method so that the parts still add up exactly to
        the rounded total.

    Returns
    -------
    numpy.ndarray, shape (..., J)
        Each jurisdiction's part [yuan]; the parts sum to ``total`` (to
        floating-point precision, exactly in units of 10**-decimals when
        rounding).

    Raises
    ------
    coopgov.errors.InputError
        A negative contribution, or contributions that sum to zero.

    Notes
    -----
    .. math::

        y_j = Y \, \frac{c_j}{\sum_k c_k}

    The rounding residue of the floating-point split is given to the
    largest contributor.  Contribution shares are the cost shares in the
    Zhenjiang Taihu scheme ([1]_, e.g. Danyang 85.78 % and Dantu 14.22 % of
    the permanganate index at the Jiuli section).

    References
    ----------
    .. [1] 《镇江市太湖流域环境资源区域补偿方案》, part 2 (补偿资金分担系数).

    Examples
    --------
    >>> split_by_contribution(1000.0, [85.78, 14.22], decimals=2).tolist()
    [857.8, 142.2]
    """
    y = require_finite(as_float_array(total, "total"), "total")
    c = require_nonnegative(as_float_array(contributions, "contributions"), "contributions")
    if c.ndim == 0:
        raise InputError("needs a jurisdiction axis (the last axis)", field="contributions")
    s = c.sum(axis=-1)
    if np.any(s <= 0):
        raise InputError(
            "contributions sum to zero: nobody to charge", field="contributions", value=0.0
        )
    shares = c / s[..., np.newaxis]
    y_b = np.broadcast_to(y, np.broadcast_shapes(y.shape, s.shape))
    if decimals is not None:
        return _largest_remainder(y_b, shares, int(decimals))
    parts = y_b[..., np.newaxis] * shares
    residue = y_b - parts.sum(axis=-1)
    largest = np.argmax(shares, axis=-1)[..., np.newaxis]
    np.put_along_axis(
        parts, largest, np.take_along_axis(parts, largest, axis=-1) + residue[..., None], axis=-1
    )
    return parts


def _largest_remainder(
    total: NDArray[np.float64], shares: NDArray[np.float64], decimals: int
) -> NDArray[np.float64]:
    scale = 10.0**decimals
    units = np.round(total * scale)
    sign = np.where(units < 0, -1.0, 1.0)
    magnitude = np.abs(units)
    exact = magnitude[..., np.newaxis] * shares
    floor = np.floor(exact)
    short = (magnitude - floor.sum(axis=-1)).astype(np.int64)
    # Rank jurisdictions by their remainder (stable: earlier wins ties).
    order = np.argsort(-(exact - floor), axis=-1, kind="stable")
    rank = np.argsort(order, axis=-1, kind="stable")
    floor += rank < short[..., np.newaxis]
    return sign[..., np.newaxis] * floor / scale
