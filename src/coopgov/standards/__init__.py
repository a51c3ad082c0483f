"""National environmental standards as pure, vectorised functions.

The modules:

- ``aqi``: AQI and IAQI per HJ 633-2012 and HJ 633-2026 (default), categories;
- ``validity``: GB 3095-2012 Table 4 data validity (daily, O3 8 h, annual);
- ``reference_state``: gases at the 2018 reference state of GB 3095-2012;
- ``water``: GB 3838-2002 surface-water classes (single-factor method);
- ``warning``: heavy-pollution warning levels (national rules of 2017-2018).

The tables these modules implement are reproduced, with their sources, in
the project's ``docs/standards.md``.  AQI editions are records of the
registry :data:`coopgov.standards.aqi.EDITIONS`.

This package imports nothing of coopgov beyond :mod:`coopgov.errors`.
"""

from coopgov.standards.aqi import (
    CATEGORIES,
    DEFAULT_STANDARD,
    EDITIONS,
    POLLUTANTS,
    AQIEdition,
    AQIReport,
    aqi_category,
    aqi_edition,
    aqi_report,
    iaqi,
)
from coopgov.standards.reference_state import harmonise_gas
from coopgov.standards.warning import WarningConfig, rolling_daily_aqi, warning_level
from coopgov.standards.water import indicator_class, section_class

__all__ = [
    "AQIEdition",
    "AQIReport",
    "CATEGORIES",
    "DEFAULT_STANDARD",
    "EDITIONS",
    "POLLUTANTS",
    "WarningConfig",
    "aqi_category",
    "aqi_edition",
    "aqi_report",
    "harmonise_gas",
    "iaqi",
    "indicator_class",
    "rolling_daily_aqi",
    "section_class",
    "warning_level",
]
