"""Region data: cities, neighbours, emissions and transfer matrices.

The Yangtze River Delta (41 cities, keyed by adcode) is bundled; any other
region loads from a folder of CSV files (see :mod:`coopgov.region.loader`).

>>> from coopgov.region import load_region
>>> yrd = load_region("yrd")
>>> yrd.n
41
"""

from coopgov.region.air import (
    LITERATURE_OUTSIDE_SHARE,
    AirKernel,
    air_transfer_matrix,
    calibrate_length_scale,
    outside_share,
    validate_transfer_matrix,
)
from coopgov.region.derive import apportion_by_weight
from coopgov.region.geodesy import gcj02_to_wgs84, haversine_km, wgs84_to_gcj02
from coopgov.region.loader import (
    CITY_COLUMNS,
    POLLUTANTS,
    PROVENANCE_STATUSES,
    Region,
    bundled_regions,
    load_region,
)
from coopgov.region.water import water_transfer_matrix

__all__ = [
    "AirKernel",
    "CITY_COLUMNS",
    "LITERATURE_OUTSIDE_SHARE",
    "POLLUTANTS",
    "PROVENANCE_STATUSES",
    "Region",
    "air_transfer_matrix",
    "apportion_by_weight",
    "bundled_regions",
    "calibrate_length_scale",
    "gcj02_to_wgs84",
    "haversine_km",
    "load_region",
    "outside_share",
    "validate_transfer_matrix",
    "water_transfer_matrix",
    "wgs84_to_gcj02",
]
