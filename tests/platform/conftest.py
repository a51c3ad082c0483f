"""Fixtures of the platform tests: a store on each backend, a small region, CSV helpers."""

from __future__ import annotations

import uuid
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from platform_helpers import JX, SH, STATIONS, SZ, pg_dsn_or_skip

from coopgov.platform.store import Store


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request, tmp_path):
    """A fresh, empty store URL on each backend (PostgreSQL: a private schema)."""
    if request.param == "duckdb":
        yield str(tmp_path / "store.duckdb")
        return
    import psycopg

    dsn = pg_dsn_or_skip()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(dsn, autocommit=True) as con:
        con.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in dsn else "?"
    yield f"{dsn}{sep}options=-csearch_path%3D{schema}"
    with psycopg.connect(dsn, autocommit=True) as con:
        con.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def store(store_url):
    s = Store(store_url, idle_release_s=5)
    s.upsert_stations(STATIONS)
    yield s
    s.close()


@pytest.fixture
def small_region():
    """Three neighbouring cities in a line (SZ - SH - JX) with a hand-made transfer matrix."""
    cities = pd.DataFrame(
        {
            "adcode": [SH, SZ, JX],
            "name_zh": ["上海", "苏州", "嘉兴"],
            "name_en": ["Shanghai", "Suzhou", "Jiaxing"],
            "province": ["Shanghai", "Jiangsu", "Zhejiang"],
            "lon": [121.47, 120.62, 120.76],
            "lat": [31.23, 31.30, 30.75],
        }
    )
    adjacency = np.array([[0, 1, 1], [1, 0, 0], [1, 0, 0]], dtype=bool)
    transfer = np.array([[0.6, 0.1, 0.1], [0.3, 0.6, 0.05], [0.05, 0.05, 0.6]])
    return SimpleNamespace(
        cities=cities,
        adjacency=adjacency,
        air_transfer=transfer,
        adcodes=np.array([SH, SZ, JX]),
        index_of=lambda a: [SH, SZ, JX].index(int(a)),
    )
