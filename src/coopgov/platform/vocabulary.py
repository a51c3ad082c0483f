"""Pollutants, units and reference states the platform accepts, and their harmonisation.

Every measurement is stored in one canonical unit and one canonical reference
state per pollutant, so that series sent by different cities, in different
units, before and after the 2018 change of reference state, compare directly.
The value, unit and state *as sent* are kept beside the harmonised value.

Canonical units (HJ 633-2012/2026 Table 1): µg/m³ for SO2, NO2, O3, PM10 and
PM2.5; mg/m³ for CO; mg/L for the GB 3838-2002 water indicators (pH has no
unit).

Canonical reference states (GB 3095-2012, amendment of 2018, in force
2018-09-01): gases at the *reference state* 298.15 K, 1013.25 hPa;
particulates at *actual* ambient conditions; water has no reference state.

References
----------
.. [1] HJ 633-2026, Technical regulation on ambient air quality index, Table 1.
.. [2] GB 3095-2012 with its 2018 amendment (Ministry of Ecology and
   Environment announcement 2018 No. 29), reference state of gases.
.. [3] GB 3838-2002, Environmental quality standards for surface water, Table 1.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "AIR_POLLUTANTS",
    "WATER_INDICATORS",
    "GASES",
    "CANONICAL_UNIT",
    "REFERENCE_STATES",
    "MOLAR_VOLUME_L_PER_MOL",
    "MOLAR_MASS_G_PER_MOL",
    "STATE_CHANGE_DATE_UTC",
    "PLAUSIBLE_MAX",
    "EARLIEST_TIME_UTC",
    "plausible_max",
    "UNIT_SPELLINGS",
    "canonical_pollutant",
    "unit_factor",
    "standard_to_reference",
    "harmonise_values",
]

#: Air pollutants of the AQI (HJ 633-2026 Table 1).
AIR_POLLUTANTS = ("SO2", "NO2", "CO", "O3", "PM10", "PM2.5")
#: Surface-water indicators assessed by the platform (GB 3838-2002 Table 1).
WATER_INDICATORS = ("DO", "CODMn", "COD", "BOD5", "NH3-N", "TP", "TN", "pH")
#: Pollutants reported at the reference state 298.15 K / 1013.25 hPa since 2018-09-01 [2].
GASES = frozenset({"SO2", "NO2", "CO", "O3"})

CANONICAL_UNIT = {
    **{p: "ug/m3" for p in AIR_POLLUTANTS},
    "CO": "mg/m3",
    **{p: "mg/L" for p in WATER_INDICATORS},
    "pH": "1",
}

#: Accepted spellings, lower-cased, mapped to the canonical pollutant name.
_ALIASES = {
    **{p.lower(): p for p in AIR_POLLUTANTS + WATER_INDICATORS},
    "pm25": "PM2.5",
    "pm2_5": "PM2.5",
    "pm2.5": "PM2.5",
    "o3_1h": "O3",
    "codmn": "CODMn",
    "permanganate": "CODMn",
    "permanganate_index": "CODMn",
    "nh3n": "NH3-N",
    "nh3_n": "NH3-N",
    "ammonia_nitrogen": "NH3-N",
    "bod": "BOD5",
    "do": "DO",
    "dissolved_oxygen": "DO",
    "tp": "TP",
    "tn": "TN",
    "ph": "pH",
}

#: Accepted unit spellings (lower-cased), mapped to a canonical spelling.
UNIT_SPELLINGS = {
    "ug/m3": "ug/m3",
    "µg/m3": "ug/m3",
    "μg/m3": "ug/m3",
    "µg/m³": "ug/m3",
    "μg/m³": "ug/m3",
    "ug/m³": "ug/m3",
    "mg/m3": "mg/m3",
    "mg/m³": "mg/m3",
    "ppb": "ppb",
    "ppm": "ppm",
    "mg/l": "mg/L",
    "ug/l": "ug/L",
    "µg/l": "ug/L",
    "μg/l": "ug/L",
    "1": "1",
    "": "1",
    "ph": "1",
}

#: Molar volume of an ideal gas at 298.15 K and 101.325 kPa, L/mol
#: (R·T/p = 8.314462618 × 298.15 / 101325 m³/mol; CODATA 2018 value of R).
MOLAR_VOLUME_L_PER_MOL = 24.465
#: Molar masses, g/mol (IUPAC 2021 standard atomic weights).
MOLAR_MASS_G_PER_MOL = {"SO2": 64.064, "NO2": 46.006, "O3": 47.997, "CO": 28.010}

#: Reference states a sender may name, mapped to the canonical label.
REFERENCE_STATES = {
    "reference": "reference",
    "298k": "reference",
    "298.15k": "reference",
    "standard": "standard",
    "273k": "standard",
    "273.15k": "standard",
    "actual": "actual",
    "ambient": "actual",
    "none": "none",
    "": "",
}

#: The 2018 amendment of GB 3095 took effect on 2018-09-01 00:00 Beijing time [2].
STATE_CHANGE_DATE_UTC = np.datetime64("2018-08-31T16:00:00", "us")

#: Earliest measurement time accepted, UTC (assumption, a platform choice rather than a
#: standard: China's automated air monitoring network and the records cities hold start
#: decades later; anything earlier is a typo or a Unix-epoch artefact).  Rows before it
#: are quarantined.
EARLIEST_TIME_UTC = np.datetime64("1970-01-01T00:00:00", "us")

#: Largest plausible harmonised value of each indicator, in its canonical unit
#: (:data:`CANONICAL_UNIT`).  **Assumption** (configuration, not a standard): well
#: above the highest hourly values reported in China (the dust storm of 15 March 2021
#: gave hourly PM10 above 8,000 µg/m³ in Beijing, as widely reported), and for water
#: well above values of heavily polluted rivers; the bounds catch unit slips and
#: corrupt numbers (1e300), not real extremes.  A value above it goes to quarantine with
#: its reason, never into the published indices.  Override per store
#: (``Store(plausible_max=...)``) or with ``$COOPGOV_PLAUSIBLE_MAX`` (JSON object,
#: e.g. ``{"PM10": 15000}``).
PLAUSIBLE_MAX = {
    "SO2": 10_000.0,
    "NO2": 5_000.0,
    "CO": 200.0,
    "O3": 2_000.0,  # µg/m³; CO mg/m³
    "PM10": 20_000.0,
    "PM2.5": 5_000.0,  # µg/m³
    "DO": 25.0,
    "CODMn": 500.0,
    "COD": 5_000.0,
    "BOD5": 2_000.0,  # mg/L
    "NH3-N": 500.0,
    "TP": 100.0,
    "TN": 500.0,  # mg/L
    "pH": 14.0,  # pH scale
}


def plausible_max(overrides: dict[str, float] | None = None) -> dict[str, float]:
    """Plausibility bounds in effect: :data:`PLAUSIBLE_MAX`, ``$COOPGOV_PLAUSIBLE_MAX``, overrides.

    Parameters
    ----------
    overrides : dict of str to float, optional
        Bounds replacing the defaults, by canonical indicator name, in the
        indicator's canonical unit.

    Raises
    ------
    InputError
        For an unknown indicator or a bound that is not a positive finite number.
    """
    import json
    import os

    from coopgov.errors import InputError

    bounds = dict(PLAUSIBLE_MAX)
    sources = []
    env = os.environ.get("COOPGOV_PLAUSIBLE_MAX")
    if env:
        try:
            sources.append(("$COOPGOV_PLAUSIBLE_MAX", dict(json.loads(env))))
        except (ValueError, TypeError):
            raise InputError(
                "not a JSON object", field="COOPGOV_PLAUSIBLE_MAX", value=env
            ) from None
    if overrides:
        sources.append(("plausible_max", dict(overrides)))
    for where, mapping in sources:
        for name, bound in mapping.items():
            if name not in bounds:
                raise InputError("unknown indicator", field=where, value=name)
            try:
                b = float(bound)
            except (TypeError, ValueError):
                b = float("nan")
            if not (np.isfinite(b) and b > 0):
                raise InputError(
                    "a plausibility bound is a positive number",
                    field=f"{where}.{name}",
                    value=bound,
                )
            bounds[name] = b
    return bounds


def canonical_pollutant(name: str) -> str | None:
    """Return the canonical name of a pollutant spelling, or None if unknown.

    Parameters
    ----------
    name : str
        Pollutant as sent ("pm25", "PM2.5", "NH3-N", ...), case-insensitive.
    """
    return _ALIASES.get(str(name).strip().lower())


def unit_factor(pollutant: str, unit: str) -> float | None:
    r"""Factor converting ``unit`` into the pollutant's canonical unit (None: incompatible).

    Parameters
    ----------
    pollutant : str
        Canonical pollutant name (a key of :data:`CANONICAL_UNIT`).
    unit : str
        Canonical unit spelling (a value of :data:`UNIT_SPELLINGS`).

    Returns
    -------
    float or None
        Multiplier from ``unit`` to the canonical unit (dimensionless ratio of
        the two units), None when no conversion exists.

    Notes
    -----
    Gas mixing ratios become mass concentrations at the reference state
    (298.15 K, 1013.25 hPa): :math:`c\\,[\\mu g/m^3] = x\\,[ppb] \\cdot M / V_m`
    with :math:`V_m` = 24.465 L/mol.
    """
    target = CANONICAL_UNIT[pollutant]
    if unit == target:
        return 1.0
    if target == "ug/m3":
        if unit == "mg/m3":
            return 1000.0
        if unit in ("ppb", "ppm") and pollutant in MOLAR_MASS_G_PER_MOL:
            f = MOLAR_MASS_G_PER_MOL[pollutant] / MOLAR_VOLUME_L_PER_MOL
            return f if unit == "ppb" else f * 1000.0
    if target == "mg/m3":  # CO
        if unit == "ug/m3":
            return 1e-3
        if unit in ("ppb", "ppm"):
            f = MOLAR_MASS_G_PER_MOL[pollutant] / MOLAR_VOLUME_L_PER_MOL
            return f if unit == "ppm" else f * 1e-3
    if target == "mg/L" and unit == "ug/L":
        return 1e-3
    return None


def standard_to_reference(values: np.ndarray, pollutant: str) -> np.ndarray:
    r"""Convert gas concentrations from the standard (273 K) to the reference state (298.15 K).

    Uses :func:`coopgov.standards.reference_state.harmonise_gas` when the
    standards package provides it, so that the platform and the standards
    share one conversion.

    Parameters
    ----------
    values : ndarray of float
        Concentrations at 273 K, 101.325 kPa, in the pollutant's canonical unit.
    pollutant : str
        Canonical gas name ("SO2", "NO2", "CO", "O3").

    Returns
    -------
    ndarray of float
        Concentrations at 298.15 K, 101.325 kPa, same unit.

    Notes
    -----
    At equal pressure a mass concentration scales as 1/T:
    :math:`c_{298} = c_{273} \\cdot 273 / 298.15` (GB 3095-2012 amendment 2018).
    """
    try:
        from coopgov.standards.reference_state import harmonise_gas
    except ImportError:  # standards not installed: same formula, written here
        return values * (273.0 / 298.15)
    return np.asarray(harmonise_gas(values, pollutant.lower(), state="standard"), dtype=float)


def _lookup(values: np.ndarray, table: dict[str, str]) -> np.ndarray:
    """Map spellings through ``table`` (case- and space-insensitive); "?" when unknown."""
    codes, uniq = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=False)
    mapped = np.array([table.get(str(u).strip().lower(), "?") for u in uniq] + ["?"], dtype=object)
    return mapped[codes]


def harmonise_values(
    pollutant: str,
    values: np.ndarray,
    units: np.ndarray,
    states: np.ndarray,
    times_utc: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Harmonise one pollutant's values to its canonical unit and reference state.

    Parameters
    ----------
    pollutant : str
        Canonical pollutant name (see :data:`CANONICAL_UNIT`).
    values : ndarray of float
        Values as sent, in ``units``.
    units : ndarray of str
        Units as sent (µg/m³, mg/m³, ppb, ppm, mg/L, µg/L; spellings tolerated).
    states : ndarray of str
        Reference state as sent: "reference" (298.15 K), "standard" (273 K),
        "actual", or "" to infer: gases measured before 2018-09-01 (Beijing
        time) are taken to be at the standard state, later ones at the
        reference state (GB 3095 amendment 2018).
    times_utc : ndarray of datetime64[us]
        Measurement times in UTC (used to infer a missing state).

    Returns
    -------
    value : ndarray of float
        Harmonised values in the canonical unit and state (NaN where rejected).
    state : ndarray of str
        Canonical state of each harmonised value.
    reason : ndarray of object
        None where accepted, otherwise why the row is rejected.
    """
    n = len(values)
    reason = np.full(n, None, dtype=object)
    out = np.full(n, np.nan)
    unit_key = _lookup(units, UNIT_SPELLINGS)
    state_key = _lookup(states, REFERENCE_STATES)
    factor = np.full(n, np.nan)
    for u in pd.unique(unit_key):
        sel = unit_key == u
        f = None if u == "?" else unit_factor(pollutant, u)
        if f is None:
            reason[sel] = f"unit not convertible to {CANONICAL_UNIT[pollutant]} for {pollutant}"
        else:
            factor[sel] = f
    out = values * factor
    bad_state = state_key == "?"
    reason[bad_state & (reason == None)] = "unknown reference state"  # noqa: E711
    if pollutant in GASES:
        inferred = np.where(times_utc < STATE_CHANGE_DATE_UTC, "standard", "reference")
        eff = np.where(state_key == "", inferred, state_key)
        wrong = (eff == "actual") | (eff == "none")
        reason[wrong & (reason == None)] = "gases are reported at the reference or standard state"  # noqa: E711
        std = eff == "standard"
        if std.any():
            out[std] = standard_to_reference(out[std], pollutant)
        canon = "reference"
    elif pollutant in WATER_INDICATORS:
        wrong = ~pd.Series(state_key).isin(["", "none"]).to_numpy()
        reason[wrong & (reason == None)] = "water indicators have no reference state"  # noqa: E711
        canon = "none"
    else:  # particulates: actual conditions, no conversion possible without T and p
        wrong = ~pd.Series(state_key).isin(["", "actual"]).to_numpy()
        reason[wrong & (reason == None)] = (  # noqa: E711
            "particulates are reported at actual conditions; no temperature/pressure to convert"
        )
        canon = "actual"
    out[reason != None] = np.nan  # noqa: E711
    return out, np.full(n, canon, dtype=object), reason
