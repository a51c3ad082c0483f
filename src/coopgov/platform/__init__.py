"""Shared monitoring-data platform: store, HTTP API, demonstration data.

:mod:`coopgov.platform.store` keeps stations and measurements (DuckDB by
default, PostgreSQL for shared deployments); :mod:`coopgov.platform.api`
serves them over HTTP with per-city write rights; :mod:`coopgov.platform.demo`
writes a synthetic year for the Yangtze River Delta.
"""

from coopgov.platform.store import IngestReport, Station, Store, open_store

__all__ = ["Store", "Station", "IngestReport", "open_store"]
