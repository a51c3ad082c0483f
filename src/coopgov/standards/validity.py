"""Data validity of GB 3095-2012 Table 4: daily, 8-hour and annual statistics.

All functions take NumPy arrays (any leading batch shape) and return NaN
where the validity requirement is not met; NaN in the input is a missing
value.

Array convention
----------------
Hourly values of one day are an array ``(..., 24)`` in *hour-ending*
order, the Chinese monitoring convention: index 0 is the mean of 00:00-01:00
(labelled 01:00), index 23 the mean of 23:00-24:00 (labelled 24:00).
:func:`day_matrix` turns a pandas Series with a DatetimeIndex into that
shape.  Long hourly series are ``(..., n_hours)``.

References
----------
.. [1] GB 3095-2012, Ambient air quality standards, Table 4 (minimum data
   for each statistic) and section 3 (definitions), with the 2018 amendment.
.. [2] HJ 663-2013, Technical regulation for ambient air quality assessment
   (on trial), section on the O3 daily maximum 8-hour mean (windows ending
   08:00-24:00, 14 valid windows; **unconfirmed**: not read in the primary
   text, so every number is a keyword argument).
.. [3] coopgov ``docs/standards.md``, Table V1 (the rules above, with their
   sources).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from coopgov.errors import InputError

__all__ = [
    "ANNUAL_MIN_DAYS",
    "DAILY_MIN_HOURS",
    "FEBRUARY_MIN_DAYS",
    "HOURLY_MIN_MINUTES",
    "MONTH_MIN_DAYS",
    "O3_8H_LIMIT",
    "O3_8H_MIN_VALUES",
    "O3_MAX8H_MIN_WINDOWS",
    "annual_mean",
    "daily_max_1h",
    "daily_mean",
    "day_matrix",
    "hourly_valid",
    "o3_8h_moving_average",
    "o3_daily_max_8h",
]

#: Minimum sampling minutes for a valid hourly value, GB 3095-2012 Table 4.
HOURLY_MIN_MINUTES = 45
#: Minimum hourly values for a 24 h mean (SO2, NO2, CO, PM10, PM2.5),
#: GB 3095-2012 Table 4 as amended 2018 (20 h).
DAILY_MIN_HOURS = 20
#: Minimum hourly values in an O3 8 h window, GB 3095-2012 Table 4.
O3_8H_MIN_VALUES = 6
#: Minimum valid 8 h windows for the O3 daily max 8 h, HJ 663-2013 (unconfirmed).
O3_MAX8H_MIN_WINDOWS = 14
#: O3 8 h limit, grade II, GB 3095-2012 Table 1 [µg/m³] (160; grade I is 100).
O3_8H_LIMIT = 160.0
#: Annual mean: minimum daily values a year, GB 3095-2012 Table 4.
ANNUAL_MIN_DAYS = 324
#: Annual mean: minimum daily values each month, GB 3095-2012 Table 4.
MONTH_MIN_DAYS = 27
#: Annual mean: minimum daily values in February, GB 3095-2012 Table 4.
FEBRUARY_MIN_DAYS = 25


def _array(values: ArrayLike, name: str) -> np.ndarray:
    try:
        return np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError("must be numeric", field=name) from exc


def _check_hours(a: np.ndarray, name: str) -> None:
    if a.ndim == 0 or a.shape[-1] != 24:
        raise InputError(
            f"last axis must hold the 24 hourly values of a day, got shape {a.shape}",
            field=name,
        )


def hourly_valid(
    minutes_sampled: ArrayLike, *, min_minutes: float = HOURLY_MIN_MINUTES
) -> np.ndarray:
    """Whether an hourly value is valid (enough sampling time).

    Parameters
    ----------
    minutes_sampled : array_like
        Sampling time within the hour [min].
    min_minutes : float
        Minimum [min]; 45 per GB 3095-2012 Table 4.

    Returns
    -------
    numpy.ndarray of bool

    References
    ----------
    .. [1] GB 3095-2012, Table 4.
    """
    m = _array(minutes_sampled, "minutes_sampled")
    return m >= min_minutes


def daily_mean(hourly: ArrayLike, *, min_hours: int = DAILY_MIN_HOURS) -> np.ndarray:
    r"""24-hour mean from hourly values, NaN unless enough hours are valid.

    Parameters
    ----------
    hourly : array_like, shape (..., 24)
        Hourly means of one day [µg/m³ or mg/m³]; NaN = missing.
    min_hours : int
        Minimum valid hours; 20 per GB 3095-2012 Table 4 (SO2, NO2, CO,
        PM10, PM2.5).

    Returns
    -------
    numpy.ndarray, shape (...)
        Daily mean [unit of ``hourly``].

    Notes
    -----
    .. math:: \bar c = \frac{1}{n} \sum_{h \in valid} c_h, \quad n \ge n_{min}

    References
    ----------
    .. [1] GB 3095-2012, Table 4.

    Examples
    --------
    20 valid hours are enough (GB 3095-2012 Table 4), 19 are not:

    >>> import numpy as np
    >>> hours = np.arange(24.0)
    >>> hours[:4] = np.nan
    >>> float(daily_mean(hours))  # mean of 4 .. 23
    13.5
    >>> hours[4] = np.nan
    >>> float(daily_mean(hours))
    nan
    """
    a = _array(hourly, "hourly")
    _check_hours(a, "hourly")
    valid = ~np.isnan(a)
    n = valid.sum(axis=-1)
    total = np.where(valid, a, 0.0).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / n
    return np.where(n >= min_hours, mean, np.nan)


def daily_max_1h(hourly: ArrayLike, *, min_hours: int = DAILY_MIN_HOURS) -> np.ndarray:
    """Daily maximum of hourly values (O3 1 h daily maximum of HJ 633-2012).

    Parameters
    ----------
    hourly : array_like, shape (..., 24)
        Hourly means of one day [µg/m³]; NaN = missing.
    min_hours : int
        Minimum valid hours.  Assumption: GB 3095-2012 Table 4 states no
        minimum for a daily maximum of hourly values; 20 (as for daily means)
        is used by default.

    Returns
    -------
    numpy.ndarray, shape (...)
        Daily maximum [unit of ``hourly``], NaN if fewer than ``min_hours``.

    References
    ----------
    .. [1] GB 3095-2012, Table 4; HJ 633-2012, section 5 (daily report).
    """
    a = _array(hourly, "hourly")
    _check_hours(a, "hourly")
    n = (~np.isnan(a)).sum(axis=-1)
    mx = np.fmax.reduce(a, axis=-1)
    return np.where(n >= min_hours, mx, np.nan)


def o3_8h_moving_average(
    hourly: ArrayLike, *, min_values: int = O3_8H_MIN_VALUES, history: ArrayLike | None = None
) -> np.ndarray:
    r"""O3 8-hour moving average ending at each hour.

    Parameters
    ----------
    hourly : array_like, shape (..., n_hours)
        Consecutive hourly O3 means [µg/m³]; NaN = missing.
    min_values : int
        Minimum valid hours in a window; 6 per GB 3095-2012 Table 4.
    history : array_like, shape (..., 7), optional
        The 7 hours before ``hourly[..., 0]`` [µg/m³], so that the first
        windows are complete; without it those hours count as missing.

    Returns
    -------
    numpy.ndarray, shape (..., n_hours)
        Mean of the window of hours ``t-7 .. t`` [µg/m³]; NaN where fewer
        than ``min_values`` are valid.

    Notes
    -----
    .. math:: c^{8h}_t = \frac{1}{n_t}\sum_{k=t-7}^{t} c_k, \quad n_t \ge 6

    References
    ----------
    .. [1] GB 3095-2012, section 3 (8-hour mean) and Table 4.
    """
    a = _array(hourly, "hourly")
    if a.ndim == 0:
        raise InputError("needs an hourly axis", field="hourly")
    n_hours = a.shape[-1]
    if history is None:
        pad = np.full(a.shape[:-1] + (7,), np.nan)
    else:
        pad = np.broadcast_to(_array(history, "history"), a.shape[:-1] + (7,))
    full = np.concatenate([pad, a], axis=-1)
    valid = ~np.isnan(full)
    zero = np.zeros(a.shape[:-1] + (1,))
    csum = np.concatenate([zero, np.cumsum(np.where(valid, full, 0.0), axis=-1)], axis=-1)
    ccnt = np.concatenate([zero, np.cumsum(valid, axis=-1)], axis=-1)
    # window ending at original hour t covers full[t .. t+7]
    s = csum[..., 8 : 8 + n_hours] - csum[..., 0:n_hours]
    n = ccnt[..., 8 : 8 + n_hours] - ccnt[..., 0:n_hours]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = s / n
    return np.where(n >= min_values, mean, np.nan)


def o3_daily_max_8h(
    hourly: ArrayLike,
    *,
    min_values: int = O3_8H_MIN_VALUES,
    min_windows: int = O3_MAX8H_MIN_WINDOWS,
    limit: float = O3_8H_LIMIT,
    keep_if_exceeds: bool = True,
) -> np.ndarray:
    r"""O3 daily maximum 8-hour mean (windows ending 08:00 to 24:00).

    Parameters
    ----------
    hourly : array_like, shape (..., 24)
        Hour-ending hourly O3 means of one day [µg/m³]; NaN = missing.
    min_values : int
        Minimum valid hours in a window (6, GB 3095-2012 Table 4).
    min_windows : int
        Minimum valid windows for a valid day (14, HJ 663-2013;
        **unconfirmed**).
    limit : float
        O3 8 h limit [µg/m³] (160, grade II, GB 3095-2012 Table 1).
    keep_if_exceeds : bool
        Keep a day with fewer than ``min_windows`` valid windows when its
        maximum exceeds ``limit`` (HJ 663-2013; **unconfirmed**).

    Returns
    -------
    numpy.ndarray, shape (...)
        Daily maximum 8 h mean [µg/m³], NaN where not valid.

    Notes
    -----
    The 17 windows end at 08:00, 09:00, ..., 24:00, i.e. cover hour indices
    ``t-7 .. t`` for ``t = 7 .. 23``; all lie within the day.

    .. math:: c^{max8h} = \max_{t=7}^{23} c^{8h}_t

    References
    ----------
    .. [1] GB 3095-2012, Table 4.
    .. [2] HJ 663-2013, O3 daily maximum 8-hour mean (unconfirmed details).
    """
    a = _array(hourly, "hourly")
    _check_hours(a, "hourly")
    windows = o3_8h_moving_average(a, min_values=min_values)[..., 7:]
    n = (~np.isnan(windows)).sum(axis=-1)
    mx = np.fmax.reduce(windows, axis=-1)
    ok = n >= min_windows
    if keep_if_exceeds:
        ok |= mx > limit
    return np.where(ok, mx, np.nan)


def annual_mean(
    daily: ArrayLike,
    dates: ArrayLike,
    *,
    min_days: int = ANNUAL_MIN_DAYS,
    min_per_month: int = MONTH_MIN_DAYS,
    min_february: int = FEBRUARY_MIN_DAYS,
) -> np.ndarray:
    r"""Annual mean of daily values, NaN unless the year is covered enough.

    Parameters
    ----------
    daily : array_like, shape (..., n_days)
        Daily means of one calendar year [µg/m³ or mg/m³]; NaN = missing.
    dates : array_like of datetime64, shape (n_days,)
        The day of each value (anything ``numpy.datetime64`` accepts).
    min_days : int
        Minimum valid days in the year (324, GB 3095-2012 Table 4).
    min_per_month : int
        Minimum valid days in every month (27, GB 3095-2012 Table 4).
    min_february : int
        Minimum valid days in February (25, GB 3095-2012 Table 4).

    Returns
    -------
    numpy.ndarray, shape (...)
        Annual mean [unit of ``daily``].

    Notes
    -----
    .. math:: \bar c = \frac{1}{n}\sum_d c_d, \quad n \ge 324,\ n_m \ge 27\ (25)\ \forall m

    References
    ----------
    .. [1] GB 3095-2012, Table 4.
    """
    a = _array(daily, "daily")
    try:
        d = np.asarray(dates, dtype="datetime64[D]")
    except (TypeError, ValueError) as exc:
        raise InputError("must be dates", field="dates") from exc
    if a.ndim == 0 or d.shape != (a.shape[-1],):
        raise InputError(
            f"dates must have shape ({a.shape[-1] if a.ndim else '?'},), got {d.shape}",
            field="dates",
        )
    month = d.astype("datetime64[M]").astype(np.int64) % 12  # 0 = January
    onehot = (month[None, :] == np.arange(12)[:, None]).astype(np.float64)  # (12, n_days)
    valid = ~np.isnan(a)
    per_month = valid.astype(np.float64) @ onehot.T  # (..., 12)
    need = np.full(12, float(min_per_month))
    need[1] = min_february
    n = valid.sum(axis=-1)
    ok = (n >= min_days) & np.all(per_month >= need, axis=-1)
    total = np.where(valid, a, 0.0).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / n
    return np.where(ok, mean, np.nan)


def day_matrix(series, *, label: str = "end") -> tuple[np.ndarray, np.ndarray]:
    """Arrange an hourly pandas Series into ``(n_days, 24)`` hour-ending rows.

    Parameters
    ----------
    series : pandas.Series
        Hourly values [any unit] with a DatetimeIndex (local time, China
        Standard Time; a timezone-aware index is converted to it).
    label : {'end', 'start'}
        Whether a timestamp labels the end of its hour (Chinese monitoring
        convention: 01:00 = mean of 00:00-01:00; 00:00 belongs to the day
        before) or its start.

    Returns
    -------
    dates : numpy.ndarray of datetime64[D], shape (n_days,)
        Consecutive days covered.
    values : numpy.ndarray, shape (n_days, 24)
        Hourly values, NaN where the hour is absent.

    Raises
    ------
    coopgov.errors.InputError
        Index is not a DatetimeIndex, holds duplicates, or ``label`` is bad.

    References
    ----------
    .. [1] GB 3095-2012, section 3 (1-hour mean; hours labelled by their end).
    """
    import pandas as pd

    if label not in ("end", "start"):
        raise InputError("must be 'end' or 'start'", field="label", value=label)
    idx = series.index
    if not isinstance(idx, pd.DatetimeIndex):
        raise InputError("index must be a DatetimeIndex", field="index")
    if idx.tz is not None:
        idx = idx.tz_convert("Asia/Shanghai").tz_localize(None)
    start = idx - pd.Timedelta(hours=1) if label == "end" else idx
    start = start.floor("h")
    if start.has_duplicates:
        dup = start[start.duplicated()][0]
        raise InputError("duplicate hour", field="index", value=str(dup))
    values = np.asarray(series.to_numpy(), dtype=np.float64)
    if len(start) == 0:
        return np.array([], dtype="datetime64[D]"), np.empty((0, 24))
    day = start.to_numpy().astype("datetime64[D]")
    first, last = day.min(), day.max()
    dates = np.arange(first, last + np.timedelta64(1, "D"), dtype="datetime64[D]")
    out = np.full((len(dates), 24), np.nan)
    row = (day - first).astype(np.int64)
    out[row, start.hour.to_numpy()] = values
    return dates, out
