r"""Emission and policy baseline outside cooperation, and the PM2.5 observation model.

The regional mean PM2.5 concentration [ug/m3] of year t is

.. math::

    C(t) = B + (L - B)\, E(t)\, \bigl(1 - s\, \bar x(t)\bigr)\, e^{\sigma \varepsilon_t},
    \qquad \varepsilon_t \sim N(0, 1) \text{ i.i.d.},

with B the background (``pm25_background``), L the 2013 level had nobody
cooperated (``pm25_no_cooperation_2013``), s the share of the
anthropogenic PM2.5 that full cooperation removes (``attributable_share``),
x̄(t) the population-weighted mean cooperation of the cities over year t
and σ the meteorological noise (``met_noise_sd``).  E(t) is the emission
index outside cooperation: 1 up to 2013, then an exponential decline at
``emission_trend_2013_2017`` to 2017 and ``emission_trend_after_2017``
afterwards.  The 2013-2017 rate is anchored on the MEIC trends of Zheng et
al. (2018), *Atmos. Chem. Phys.* 18, 14095 (China 2013-2017: SO2 -59 %,
NOx -21 %, primary PM2.5 -33 %).  Before 2013 emissions are held flat (an
assumption: no regional PM2.5 was published before 2013 to fit a trend
to).  The meteorological factor is median-preserving (its median is 1).

Everything here is a pure function of arrays; nothing depends on how the
cooperation path was produced.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

__all__ = [
    "BASE_YEAR",
    "BREAK_YEAR",
    "emission_index",
    "annual_cooperation",
    "regional_pm25",
]

BASE_YEAR = 2013  # first year of published regional PM2.5 and of the national Action Plan
BREAK_YEAR = 2017  # end of the Action Plan period, start of the Blue Skies period


def emission_index(
    years: np.ndarray, trend_2013_2017: np.ndarray, trend_after_2017: np.ndarray
) -> np.ndarray:
    """Anthropogenic emission index outside cooperation, 1 in 2013 [1].

    ``E(t) = 1`` for t ≤ 2013; ``exp(-r1 (t - 2013))`` for 2013 < t ≤ 2017;
    ``exp(-4 r1 - r2 (t - 2017))`` afterwards (Zheng et al. 2018, ACP 18,
    14095, for the 2013-2017 rates).

    Parameters
    ----------
    years : ndarray, shape (T,)
        Calendar years.
    trend_2013_2017, trend_after_2017 : ndarray, shape (S,)
        Decline rates r1, r2 [1/yr].

    Returns
    -------
    ndarray, shape (S, T)
    """
    t = np.asarray(years, float)[None, :]
    r1 = np.asarray(trend_2013_2017, float).reshape(-1, 1)
    r2 = np.asarray(trend_after_2017, float).reshape(-1, 1)
    first = np.clip(t - BASE_YEAR, 0.0, BREAK_YEAR - BASE_YEAR)
    second = np.clip(t - BREAK_YEAR, 0.0, None)
    return np.exp(-r1 * first - r2 * second)


def annual_cooperation(cooperation: np.ndarray, population: np.ndarray) -> np.ndarray:
    """Population-weighted cooperation averaged over each simulated year [1].

    Parameters
    ----------
    cooperation : ndarray, shape (S, Y + 1, N)
        Cooperation at the start of each year and at the end
        (:attr:`coopgov.dynamics.engine.Simulation.cooperation`).
    population : ndarray, shape (N,)
        City populations [persons] (weights).

    Returns
    -------
    ndarray, shape (S, Y)
        Mean of the start and end state of each year (trapezoid rule).
    """
    w = np.asarray(population, float)
    w = w / w.sum()
    x = np.asarray(cooperation, float) @ w
    return 0.5 * (x[:, :-1] + x[:, 1:])


def regional_pm25(
    years: np.ndarray,
    cooperation: np.ndarray,
    params: Mapping[str, np.ndarray],
    shocks: np.ndarray | None = None,
) -> np.ndarray:
    """Regional mean annual PM2.5 [ug/m3] from a cooperation path (module formula).

    Parameters
    ----------
    years : ndarray, shape (T,)
        Calendar years.
    cooperation : ndarray, shape (S, T)
        Population-weighted cooperation over each year [1]
        (:func:`annual_cooperation`).
    params : mapping of str to ndarray, each shape (S,)
        ``pm25_no_cooperation_2013``, ``pm25_background`` [ug/m3],
        ``emission_trend_2013_2017``, ``emission_trend_after_2017`` [1/yr],
        ``attributable_share`` [1], ``met_noise_sd`` [1].
    shocks : ndarray, shape (S, T), optional
        Standard-normal meteorological anomalies; none (median year) when omitted.

    Returns
    -------
    ndarray, shape (S, T)
    """

    def col(name: str) -> np.ndarray:
        return np.asarray(params[name], float).reshape(-1, 1)

    level, background = col("pm25_no_cooperation_2013"), col("pm25_background")
    e = emission_index(
        years, params["emission_trend_2013_2017"], params["emission_trend_after_2017"]
    )
    x = np.asarray(cooperation, float)
    anthropogenic = np.maximum(level - background, 0.0) * e * (1.0 - col("attributable_share") * x)
    if shocks is not None:
        anthropogenic = anthropogenic * np.exp(col("met_noise_sd") * np.asarray(shocks, float))
    return background + anthropogenic
