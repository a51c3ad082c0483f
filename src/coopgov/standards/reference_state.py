"""Reference-state conversion of gas concentrations (GB 3095-2012, 2018 amendment).

Until 2018-08-31 Chinese monitoring reported gases at the *standard state*
(273 K, 101.325 kPa); since 2018-09-01 gases (SO2, NO2, CO, O3, NOx) are
reported at the *reference state* (298.15 K, 1013.25 hPa) while particulate
matter (PM10, PM2.5, TSP and the Pb and BaP in it) is reported at actual
ambient conditions.  Series from before and after the switch are comparable
only after conversion.

References
----------
.. [1] GB 3095-2012, Ambient air quality standards, section 3 (standard
   state 273 K, 101.325 kPa).
.. [2] Ministry of Ecology and Environment, Amendment No. 1 to GB 3095-2012
   (2018, in force 2018-09-01): reference state 298.15 K, 1013.25 hPa for
   gaseous pollutants; actual conditions for particulates.
.. [3] coopgov ``docs/standards.md``, Table R1.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from coopgov.errors import InputError

__all__ = [
    "GASES",
    "PARTICULATES",
    "PRESSURE_KPA",
    "REFERENCE_STATE_SINCE",
    "REFERENCE_TEMPERATURE_K",
    "STANDARD_TEMPERATURE_K",
    "convert_gas_state",
    "harmonise_gas",
    "reporting_state",
]

#: Standard-state temperature of GB 3095-2012 section 3 [K] (273, as written there).
STANDARD_TEMPERATURE_K = 273.0
#: Reference-state temperature of the 2018 amendment to GB 3095-2012 [K].
REFERENCE_TEMPERATURE_K = 298.15
#: Pressure of both states [kPa] (101.325 kPa = 1013.25 hPa), GB 3095-2012 and 2018 amendment.
PRESSURE_KPA = 101.325
#: First day reported at the reference state (2018 amendment, in force 2018-09-01).
REFERENCE_STATE_SINCE = np.datetime64("2018-09-01T00:00:00", "s")
#: Gaseous pollutants converted by the 2018 amendment.
GASES: frozenset[str] = frozenset({"so2", "no2", "co", "o3", "o3_1h", "o3_8h", "nox"})
#: Particulates reported at actual conditions (no conversion).
PARTICULATES: frozenset[str] = frozenset({"pm10", "pm2_5", "tsp", "pb", "bap"})

State = Literal["standard", "reference"]


def convert_gas_state(
    value: ArrayLike,
    *,
    from_temperature_k: ArrayLike,
    to_temperature_k: ArrayLike,
    from_pressure_kpa: ArrayLike = PRESSURE_KPA,
    to_pressure_kpa: ArrayLike = PRESSURE_KPA,
) -> np.ndarray:
    r"""Convert a gas mass concentration between temperature/pressure states.

    Parameters
    ----------
    value : array_like
        Mass concentration at the "from" state [µg/m³ or mg/m³].
    from_temperature_k, to_temperature_k : array_like
        Temperatures of the two states [K].
    from_pressure_kpa, to_pressure_kpa : array_like
        Pressures of the two states [kPa].

    Returns
    -------
    numpy.ndarray
        Mass concentration at the "to" state [unit of ``value``].

    Notes
    -----
    For an ideal gas, a fixed amount fraction gives a mass concentration
    proportional to p / T:

    .. math:: c_{to} = c_{from} \frac{T_{from}}{T_{to}} \frac{p_{to}}{p_{from}}

    References
    ----------
    .. [1] GB 3095-2012 section 3 and its 2018 amendment.

    Examples
    --------
    100 ug/m3 at 273.15 K is 100 x 273.15 / 298.15 at the 2018 reference state:

    >>> c = convert_gas_state(100.0, from_temperature_k=273.15, to_temperature_k=298.15)
    >>> round(float(c), 3)
    91.615
    """
    c = np.asarray(value, dtype=np.float64)
    t_from = np.asarray(from_temperature_k, dtype=np.float64)
    t_to = np.asarray(to_temperature_k, dtype=np.float64)
    if np.any(t_from <= 0) or np.any(t_to <= 0):
        raise InputError("temperatures must be > 0 K", field="temperature_k")
    return c * (t_from / t_to) * (np.asarray(to_pressure_kpa) / np.asarray(from_pressure_kpa))


def _timestamps(when) -> np.ndarray:
    tz = getattr(when, "tz", None)
    if tz is None:
        tz = getattr(getattr(when, "dt", None), "tz", None)
        if tz is not None:
            when = when.dt.tz_convert("Asia/Shanghai").dt.tz_localize(None)
    elif tz is not None:
        when = when.tz_convert("Asia/Shanghai").tz_localize(None)
    try:
        return np.asarray(when, dtype="datetime64[s]")
    except (TypeError, ValueError) as exc:
        raise InputError("must be timestamps", field="when", value=when) from exc


def reporting_state(when) -> np.ndarray:
    """Which state gas data of a time were reported in.

    Parameters
    ----------
    when : datetime-like or array of them
        Start of each averaging interval, China Standard Time (timezone-aware
        values are converted to it).

    Returns
    -------
    numpy.ndarray of str
        ``"standard"`` before 2018-09-01T00:00, ``"reference"`` from then.

    References
    ----------
    .. [1] GB 3095-2012 amendment of 2018 (in force 2018-09-01).
    """
    t = _timestamps(when)
    return np.where(t >= REFERENCE_STATE_SINCE, "reference", "standard")


def harmonise_gas(
    value: ArrayLike,
    pollutant: str,
    when=None,
    *,
    state: State | ArrayLike | None = None,
) -> np.ndarray:
    r"""Express a concentration at the reference state (298.15 K, 101.325 kPa).

    Parameters
    ----------
    value : array_like
        Concentration as reported [µg/m³; CO mg/m³].
    pollutant : str
        Pollutant name: a gas of :data:`GASES` is converted, a particulate
        of :data:`PARTICULATES` returned unchanged.
    when : datetime-like or array of them, optional
        Start of each averaging interval (China Standard Time); data before
        2018-09-01 are taken as standard state.  Give ``when`` or ``state``.
    state : {'standard', 'reference'} or array of them, optional
        The state each value is reported in.

    Returns
    -------
    numpy.ndarray
        Concentration at the reference state [unit of ``value``].

    Raises
    ------
    coopgov.errors.InputError
        Unknown pollutant or state, or neither/both of ``when`` and ``state``.

    Notes
    -----
    .. math:: c_{ref} = c_{std} \cdot \frac{273}{298.15} \approx 0.9156\, c_{std}

    References
    ----------
    .. [1] GB 3095-2012 section 3; amendment of 2018 (reference state).

    Examples
    --------
    >>> float(harmonise_gas(100.0, "so2", "2017-06-01"))  # 100 * 273 / 298.15
    91.56464866677847
    """
    c = np.asarray(value, dtype=np.float64)
    if pollutant in PARTICULATES:
        return c.copy()
    if pollutant not in GASES:
        raise InputError(
            f"unknown pollutant; gases {sorted(GASES)}, particulates {sorted(PARTICULATES)}",
            field="pollutant",
            value=pollutant,
        )
    if (when is None) == (state is None):
        raise InputError("give exactly one of 'when' and 'state'", field="state")
    if when is not None:
        is_standard = _timestamps(when) < REFERENCE_STATE_SINCE
    else:
        s = np.asarray(state)
        bad = ~np.isin(s, ["standard", "reference"])
        if np.any(bad):
            raise InputError(
                "state must be 'standard' or 'reference'", field="state", value=str(s[bad][0])
            )
        is_standard = s == "standard"
    factor = STANDARD_TEMPERATURE_K / REFERENCE_TEMPERATURE_K
    return np.where(is_standard, c * factor, c)
