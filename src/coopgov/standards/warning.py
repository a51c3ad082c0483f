"""Heavy-air-pollution warning levels from a forecast of daily AQI.

China unified the warning levels of heavy air pollution nationally in
2017-2018 (blue, yellow, orange, red) on the forecast "daily AQI", the mean
AQI of any 24 consecutive hours.  Local plans differ (some have no blue
level, some use other durations), so every threshold is configuration
(:class:`WarningConfig`) with the national rules as defaults:

* blue (1): daily AQI > 200 forecast for at least 1 day;
* yellow (2): daily AQI > 200 for at least 2 consecutive days;
* orange (3): daily AQI > 200 for at least 3 consecutive days, with at least
  one day > 300;
* red (4): daily AQI > 200 for at least 4 consecutive days with at least 2
  days > 300, or any day with AQI reaching 500.

Levels are integers 0 (none) .. 4 (red); :data:`LEVEL_NAMES` and
:data:`LEVEL_NAMES_ZH` name them.

References
----------
.. [1] Ministry of Environmental Protection, letter on unifying the warning
   classification of heavy pollution weather (环办大气函〔2017〕1842号,
   2017-12) and the revised heavy-pollution emergency plans of 2018.
.. [2] HJ 633-2012 / HJ 633-2026 (AQI).
.. [3] coopgov ``docs/standards.md``, Table L1 (the levels above, with their
   sources).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from pydantic import BaseModel, ConfigDict, Field, model_validator

from coopgov.errors import InputError

__all__ = [
    "LEVEL_NAMES",
    "LEVEL_NAMES_ZH",
    "WarningConfig",
    "WarningRule",
    "rolling_daily_aqi",
    "warning_level",
]

#: Level names by integer (0 = no warning).
LEVEL_NAMES: tuple[str | None, ...] = (None, "blue", "yellow", "orange", "red")
#: Chinese level names by integer.
LEVEL_NAMES_ZH: tuple[str | None, ...] = (None, "蓝色", "黄色", "橙色", "红色")


class WarningRule(BaseModel):
    """Conditions for one warning level (all must hold within one episode).

    Attributes
    ----------
    level : int
        Level 1..4 (blue..red).
    min_days_heavy : int
        Minimum consecutive days with daily AQI above ``heavy_threshold``.
    min_days_severe : int
        Minimum days within that run with daily AQI above ``severe_threshold``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    level: int = Field(ge=1, le=4)
    min_days_heavy: int = Field(ge=1)
    min_days_severe: int = Field(default=0, ge=0)


class WarningConfig(BaseModel):
    """Warning thresholds; defaults are the national rules of 2017-2018.

    Attributes
    ----------
    heavy_threshold : float
        Daily AQI strictly above which a day is "heavily polluted" (200,
        HJ 633 category 5 starts at 201).
    severe_threshold : float
        Daily AQI strictly above which a day is "severely polluted" (300).
    extreme_threshold : float or None
        Daily AQI at or above which ``extreme_level`` is issued on its own
        (500, "AQI reaching 500"); None disables it.
    extreme_level : int
        Level issued for the extreme threshold (4, red).
    rules : tuple of WarningRule
        Level rules (national: blue 1/0, yellow 2/0, orange 3/1, red 4/2
        days heavy/severe).  Drop the blue rule for plans without blue.
    consecutive : bool
        Heavy days must be consecutive (one episode).  If False, heavy and
        severe days are counted over the whole forecast (assumption: the
        national text speaks of pollution "lasting" N days).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    heavy_threshold: float = 200.0
    severe_threshold: float = 300.0
    extreme_threshold: float | None = 500.0
    extreme_level: int = Field(default=4, ge=1, le=4)
    rules: tuple[WarningRule, ...] = (
        WarningRule(level=1, min_days_heavy=1),
        WarningRule(level=2, min_days_heavy=2),
        WarningRule(level=3, min_days_heavy=3, min_days_severe=1),
        WarningRule(level=4, min_days_heavy=4, min_days_severe=2),
    )
    consecutive: bool = True

    @model_validator(mode="after")
    def _check(self) -> WarningConfig:
        if self.severe_threshold < self.heavy_threshold:
            raise ValueError("severe_threshold must be >= heavy_threshold")
        return self


def warning_level(daily_aqi_forecast: ArrayLike, config: WarningConfig | None = None) -> np.ndarray:
    r"""Warning level (0 none, 1 blue .. 4 red) for a forecast of daily AQI.

    Parameters
    ----------
    daily_aqi_forecast : array_like, shape (..., n_days)
        Forecast daily AQI [dimensionless] of consecutive days (e.g. from
        :func:`rolling_daily_aqi`); NaN = no forecast (breaks a run).
    config : WarningConfig, optional
        Thresholds; national 2017-2018 defaults.

    Returns
    -------
    numpy.ndarray of int8, shape (...)
        Highest level whose rule is met.

    Notes
    -----
    For each run of consecutive days with AQI > heavy (length :math:`n_h`,
    of which :math:`n_s` days > severe), a rule (level, d_h, d_s) is met when
    :math:`n_h \ge d_h` and :math:`n_s \ge d_s`.  The level is the maximum
    over runs and rules, and ``extreme_level`` if any day >= extreme.

    References
    ----------
    .. [1] 环办大气函〔2017〕1842号 (national warning classification, 2017).

    Examples
    --------
    >>> int(warning_level([210, 250, 320]))  # 3 days > 200, one > 300
    3
    """
    cfg = WarningConfig() if config is None else config
    try:
        a = np.asarray(daily_aqi_forecast, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError("must be numeric", field="daily_aqi_forecast") from exc
    if a.ndim == 0:
        a = a[None]
    batch = a.shape[:-1]
    heavy = a > cfg.heavy_threshold
    severe = a > cfg.severe_threshold
    level = np.zeros(batch, dtype=np.int8)
    run_h = np.zeros(batch, dtype=np.int64)
    run_s = np.zeros(batch, dtype=np.int64)
    for d in range(a.shape[-1]):
        if cfg.consecutive:
            run_h = np.where(heavy[..., d], run_h + 1, 0)
            run_s = np.where(heavy[..., d], run_s + severe[..., d], 0)
        else:
            run_h = run_h + heavy[..., d]
            run_s = run_s + severe[..., d]
        for rule in cfg.rules:
            met = (run_h >= rule.min_days_heavy) & (run_s >= rule.min_days_severe)
            level = np.where(met, np.maximum(level, rule.level), level).astype(np.int8)
    if cfg.extreme_threshold is not None:
        extreme = np.any(a >= cfg.extreme_threshold, axis=-1)
        level = np.where(extreme, np.maximum(level, cfg.extreme_level), level).astype(np.int8)
    return level


def rolling_daily_aqi(hourly_aqi: ArrayLike, *, min_hours: int = 24) -> np.ndarray:
    r"""Forecast "daily AQI" per day: the largest 24-hour mean ending in the day.

    Parameters
    ----------
    hourly_aqi : array_like, shape (..., 24 * n_days)
        Hourly AQI [dimensionless] of consecutive whole days, hour-ending
        order (index 0 = 00:00-01:00 of the first day).
    min_hours : int
        Valid hours a window needs (24 by default: a NaN hour invalidates
        the windows containing it; assumption).

    Returns
    -------
    numpy.ndarray, shape (..., n_days)
        For day d, the maximum over the 24-hour windows whose last hour lies
        in day d of the window mean; windows reaching before the first hour
        are skipped (day 0 therefore has only its calendar-day window).  NaN
        if no window is valid.

    Notes
    -----
    The national rule defines the daily AQI as the mean of *any* 24
    consecutive hours; taking the maximum over windows ending in each day
    gives one value per day that is > 200 exactly when some 24-hour period
    ending that day is.

    .. math:: AQI^{day}_d = \max_{t \in d} \frac{1}{24}\sum_{k=t-23}^{t} AQI_k

    References
    ----------
    .. [1] 环办大气函〔2017〕1842号 (daily AQI as any 24 consecutive hours).

    Examples
    --------
    A day at 180, then 12 hours at 260 and 12 at 150: no calendar day exceeds
    200 on average (180 and 205), but the 24 hours ending at noon of day 2 do.

    >>> import numpy as np
    >>> hourly = np.r_[np.full(24, 180.0), np.full(12, 260.0), np.full(12, 150.0)]
    >>> rolling_daily_aqi(hourly).tolist()
    [180.0, 220.0]
    """
    a = np.asarray(hourly_aqi, dtype=np.float64)
    if a.ndim == 0 or a.shape[-1] % 24 or a.shape[-1] == 0:
        raise InputError(
            "last axis must hold whole days of hourly values (a multiple of 24)",
            field="hourly_aqi",
            value=a.shape,
        )
    n_days = a.shape[-1] // 24
    valid = ~np.isnan(a)
    zero = np.zeros(a.shape[:-1] + (1,))
    csum = np.concatenate([zero, np.cumsum(np.where(valid, a, 0.0), axis=-1)], axis=-1)
    ccnt = np.concatenate([zero, np.cumsum(valid, axis=-1)], axis=-1)
    s = csum[..., 24:] - csum[..., :-24]  # window ending at hour t = 23 .. end
    n = ccnt[..., 24:] - ccnt[..., :-24]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n >= min_hours, s / n, np.nan)
    # pad the 23 missing windows of day 0 and reshape into days
    full = np.concatenate([np.full(a.shape[:-1] + (23,), np.nan), mean], axis=-1)
    return np.fmax.reduce(full.reshape(a.shape[:-1] + (n_days, 24)), axis=-1)
