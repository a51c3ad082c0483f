"""Plausibility bounds of measured concentrations (configurable assumptions).

An index computed from an impossible value is worse than no index:
``pm2_5=1e12`` gives AQI 500 and ``do=1e12`` (dissolved oxygen) gives class
I, both without complaint from the standards, which only define breakpoints.
This module gives every indicator an upper plausibility bound and checks
values against it: above the bound is an error (or a warning, on request);
above the top of a standard's table, a warning that the index is capped.

The bounds are **assumptions**, not part of any standard (see
``docs/standards.md``, "Plausibility bounds"), and every one can
be replaced by the caller (``bounds=``; on the command line ``--bound
NAME=VALUE``):

- AQI pollutants: 10 x the concentration at IAQI 500 in HJ 633 Table 1
  (2012 and 2026 alike; the highest hourly PM2.5 reported in Chinese cities
  lies well below, about 1,000-1,500 ug/m3).
- Dissolved oxygen: 2 x its saturation in fresh water at 0 degC and
  1 atm, 14.6 mg/L (Benson and Krause 1984), i.e. about 200 % saturation,
  the upper end reported for algal supersaturation.
- pH: 14, the end of the scale (GB 3838-2002 Table 1 item 2 sets 6-9).
- Other GB 3838-2002 indicators: 100 x the class V limit of Table 1.

References
----------
.. [1] HJ 633-2012 / HJ 633-2026, Technical regulation on ambient air
   quality index, Table 1 (IAQI 500 breakpoints).
.. [2] GB 3838-2002, Environmental quality standards for surface water,
   Table 1 (class V limits).
.. [3] Benson, B. B. and Krause, D. (1984). The concentration and isotopic
   fractionation of oxygen dissolved in freshwater and seawater in
   equilibrium with the atmosphere. Limnology and Oceanography 29(3),
   620-632 (saturation 14.6 mg/L at 0 degC, 1 atm).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal

from coopgov.errors import InputError

__all__ = [
    "AQI_TABLE_TOP",
    "AQI_PLAUSIBLE_MAX",
    "WATER_PLAUSIBLE_MAX",
    "DO_SATURATION_0C",
    "check_plausible",
]

#: Highest concentration HJ 633 Table 1 indexes, by report period
#: [ug/m3; co mg/m3]: the IAQI 500 breakpoint, except SO2 1h (its column ends
#: at IAQI 200, 800 ug/m3) and O3 8h (ends at IAQI 300, 800 ug/m3).  The
#: daily report uses the 24h columns, the hourly (real-time) one the 1h
#: columns of SO2, NO2, CO (HJ 633-2012 and 2026 alike).
AQI_TABLE_TOP: Mapping[str, Mapping[str, float]] = MappingProxyType(
    {
        "day": MappingProxyType(
            {
                "so2": 2620.0,
                "no2": 940.0,
                "co": 60.0,
                "o3_1h": 1200.0,
                "o3_8h": 800.0,
                "pm10": 600.0,
                "pm2_5": 500.0,
            }
        ),
        "hour": MappingProxyType(
            {
                "so2": 800.0,
                "so2_24h": 2620.0,
                "no2": 3840.0,
                "co": 150.0,
                "o3_1h": 1200.0,
                "o3_8h": 800.0,
                "pm10": 600.0,
                "pm2_5": 500.0,
            }
        ),
    }
)

#: Upper plausibility bound of each AQI input, assumption: 10 x the largest
#: table top of the two periods.
AQI_PLAUSIBLE_MAX: Mapping[str, float] = MappingProxyType(
    {
        k: 10.0 * max(AQI_TABLE_TOP[p].get(k, 0.0) for p in AQI_TABLE_TOP)
        for k in AQI_TABLE_TOP["hour"]
    }
)

#: Saturation of dissolved oxygen in fresh water at 0 degC, 1 atm [mg/L]
#: (Benson and Krause 1984).
DO_SATURATION_0C = 14.6

#: Upper plausibility bound of each water indicator [mg/L], assumption:
#: DO 2 x saturation at 0 degC; others 100 x the GB 3838-2002 class V limit
#: (rivers; the lake TP limit is lower).
WATER_PLAUSIBLE_MAX: Mapping[str, float] = MappingProxyType(
    {
        "ph": 14.0,  # the end of the pH scale [dimensionless]
        "do": 2.0 * DO_SATURATION_0C,
        "codmn": 100.0 * 15.0,
        "cod": 100.0 * 40.0,
        "bod5": 100.0 * 10.0,
        "nh3_n": 100.0 * 2.0,
        "tp": 100.0 * 0.4,
        "tn": 100.0 * 2.0,
    }
)


def check_plausible(
    values: Mapping[str, float],
    bounds: Mapping[str, float],
    *,
    table_top: Mapping[str, float] | None = None,
    on_implausible: Literal["error", "warn"] = "error",
    units: Mapping[str, str] | None = None,
) -> list[str]:
    """Check concentrations against upper plausibility bounds.

    Parameters
    ----------
    values : mapping of str to float
        Indicator name to concentration [the indicator's unit].
    bounds : mapping of str to float
        Upper plausibility bound per indicator [same unit]; indicators not
        listed are not checked.
    table_top : mapping of str to float, optional
        Highest concentration a standard's table indexes [same unit]; a
        value above it gets a warning (the index is capped there).
    on_implausible : {"error", "warn"}
        Raise, or return a warning, for a value above its bound.
    units : mapping of str to str, optional
        Unit per indicator, for messages.

    Returns
    -------
    list of str
        Warnings, one per value (empty when all is plausible).

    Raises
    ------
    InputError
        A value above its bound when ``on_implausible="error"``, naming the
        indicator, the value and the bound.
    """
    if on_implausible not in ("error", "warn"):
        raise InputError("must be 'error' or 'warn'", field="on_implausible", value=on_implausible)
    warnings = []
    for name, value in values.items():
        unit = (units or {}).get(name, "")
        bound = bounds.get(name)
        if bound is not None and math.isfinite(value) and value > bound:
            reason = (
                f"implausible: above the plausibility bound {bound:g} {unit}".rstrip()
                + " (an assumption; change it with --bound NAME=VALUE)"
            )
            if on_implausible == "error":
                raise InputError(reason, field=name, value=value)
            warnings.append(f"{name}={value:g}: {reason}")
            continue
        top = None if table_top is None else table_top.get(name)
        if top is not None and value > top:
            warnings.append(
                f"{name}={value:g}: above the top of the table ({top:g} {unit}".rstrip()
                + "); the index is capped there"
            )
    return warnings
