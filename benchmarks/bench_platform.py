"""Benchmarks of the monitoring platform.

1. Bulk CSV ingest into the embedded store (target >= 2e5 rows/s), beside a naive
   row-by-row INSERT of the same rows into a DuckDB table with the same key.
   Also: the same ingest with the daily AQI recomputed, and a batch of corrections
   of every stored key (the anti-join path).
2. A city's daily AQI for a year over HTTP on loopback, 50 concurrent clients
   (target p95 <= 50 ms), with one year of hourly data for every YRD station loaded;
   beside it the same request with the response cache disabled (query every time).
   The server is a real uvicorn process (one worker; uvloop and httptools when
   installed), the load generator (asyncio keep-alive clients) runs in this process.

Usage: python benchmarks/bench_platform.py [--json] [--rows N] [--requests N]
Only 127.0.0.1 is ever used.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np


def _csv(rows: int, n_stations: int = 41, seed: int = 1) -> tuple[str, list]:
    import pandas as pd

    from coopgov.platform.store import Station

    stations = [Station(f"9{i:05d}-A01", 310100, f"bench {i}", "air") for i in range(n_stations)]
    hours = rows // (n_stations * 6) + 1
    times = pd.date_range("2024-01-01T01:00", periods=hours, freq="h", tz="Asia/Shanghai")
    labels = np.asarray(times.strftime("%Y-%m-%dT%H:%M:%S+08:00"), dtype=object)
    ids = np.array([s.station_id for s in stations], dtype=object)
    rng = np.random.default_rng(seed)
    parts = []
    for p, unit in (("PM2.5", "ug/m3"), ("PM10", "ug/m3"), ("SO2", "ug/m3"),
                    ("NO2", "ug/m3"), ("CO", "mg/m3"), ("O3", "ug/m3")):
        parts.append(pd.DataFrame({"station_id": np.tile(ids, hours),
                                   "time": np.repeat(labels, n_stations), "pollutant": p,
                                   "value": np.round(rng.gamma(3, 12, hours * n_stations), 1),
                                   "unit": unit}))
    frame = pd.concat(parts, ignore_index=True).iloc[:rows]
    return frame.to_csv(index=False), stations


def bench_ingest(rows: int) -> dict:
    from coopgov.platform.store import Store

    text, stations = _csv(rows)
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bulk.duckdb", idle_release_s=60)
        store.upsert_stations(stations)
        # Process warm-up (a running server has done this): the AQI kernels are loaded
        # once per process (numba cache), here with one day of another year.
        warm = "\n".join(text.splitlines()[:41 * 24 * 6 + 1]).replace("2024-", "2019-")
        store.ingest_csv(warm)
        for refresh in (False, True):
            tag = "with_daily_aqi" if refresh else "rows_only"
            body = text if not refresh else text.replace("2024-", "2020-")  # leap years both
            t0 = time.perf_counter()
            report = store.ingest_csv(body, refresh_indices=refresh)
            dt = time.perf_counter() - t0
            assert report.n_inserted == rows, (report.n_inserted, report.n_quarantined)
            out[f"bulk_{tag}_rows_per_s"] = rows / dt
        # Corrections: the same keys again with other values -> the anti-join path
        # (latest revision of each key looked up, changed rows stored as revision 1).
        corrected, _ = _csv(rows, seed=2)
        t0 = time.perf_counter()
        report = store.ingest_csv(corrected, refresh_indices=False)
        dt = time.perf_counter() - t0
        assert report.n_revised + report.n_unchanged == rows and report.n_inserted == 0
        out["corrections_rows_per_s"] = rows / dt
        out["stored_rows"] = store.count("measurements")
        store.close()
        # Naive baseline: parse with the csv module, one INSERT per row (executemany).
        import csv
        import io

        n_naive = min(rows, 10_000)
        con = duckdb.connect(str(Path(tmp) / "naive.duckdb"))
        con.execute("CREATE TABLE m (station_id TEXT, time TIMESTAMPTZ, pollutant TEXT, "
                    "revision INTEGER, value DOUBLE, unit TEXT, "
                    "PRIMARY KEY (station_id, time, pollutant, revision))")
        reader = csv.reader(io.StringIO(text))
        next(reader)
        records = [(r[0], r[1], r[2], 0, float(r[3]), r[4])
                   for _, r in zip(range(n_naive), reader, strict=False)]
        t0 = time.perf_counter()
        con.execute("BEGIN")
        con.executemany("INSERT INTO m VALUES (?, ?, ?, ?, ?, ?)", records)
        con.execute("COMMIT")
        out["naive_row_by_row_rows_per_s"] = n_naive / (time.perf_counter() - t0)
        con.close()
    out["rows"] = rows
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _client(port: int, path: str, deadline: float, budget: list, lat: list) -> None:
    """One keep-alive HTTP/1.1 client on asyncio streams; stops at the deadline or budget."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    request = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").encode()
    try:
        while time.monotonic() < deadline and budget[0] > 0:
            budget[0] -= 1
            t0 = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            await reader.readexactly(length)
            if not head.startswith(b"HTTP/1.1 200"):
                raise RuntimeError(head[:100])
            lat.append(time.perf_counter() - t0)
    finally:
        writer.close()


async def _load(port: int, path: str, clients: int, requests: int, seconds: float) -> list:
    lat: list = []
    budget = [requests]
    deadline = time.monotonic() + seconds
    await asyncio.gather(*(_client(port, path, deadline, budget, lat) for _ in range(clients)))
    return lat


def bench_api(store_path: Path, clients: int, requests: int, seconds: float,
              cache: bool) -> dict:
    port = _free_port()
    code = (
        "import sys, uvicorn; from coopgov.platform.api import create_app; "
        f"app = create_app(sys.argv[1], response_cache_s={2.0 if cache else 0.0}, "
        "rate_limit_per_min=10**9); "
        f"uvicorn.run(app, host='127.0.0.1', port={port}, log_level='warning', "
        "access_log=False)"
    )
    server = subprocess.Popen([sys.executable, "-c", code, str(store_path)])
    try:
        for _ in range(400):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        path = "/v1/cities/320500/aqi/daily?date_from=2025-01-01&date_to=2025-12-31"
        asyncio.run(_load(port, path, 4, 40, 10))  # warm-up
        t0 = time.perf_counter()
        lat = np.array(asyncio.run(_load(port, path, clients, requests, seconds)))
        wall = time.perf_counter() - t0
    finally:
        server.terminate()
        server.wait(timeout=20)
    return {"requests": len(lat), "p50_ms": float(np.percentile(lat, 50) * 1e3),
            "p95_ms": float(np.percentile(lat, 95) * 1e3),
            "p99_ms": float(np.percentile(lat, 99) * 1e3),
            "throughput_rps": len(lat) / wall}


def _server_stack() -> str:
    import importlib.util

    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    return f"uvicorn, 1 worker, {loop} loop, {http} parser"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--rows", type=int, default=500_000)
    ap.add_argument("--requests", type=int, default=20_000)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--store", type=Path, default=None,
                    help="Existing store with the demo year (else built, about a minute).")
    args = ap.parse_args()
    results = {"ingest": bench_ingest(args.rows)}
    with tempfile.TemporaryDirectory() as tmp:
        store_path = args.store
        if store_path is None:
            from coopgov.platform.demo import load_demo
            from coopgov.platform.store import Store
            from coopgov.region import load_region

            store_path = Path(tmp) / "demo.duckdb"
            t0 = time.perf_counter()
            counts = load_demo(Store(store_path), load_region("yrd"))
            results["demo_load"] = {**counts, "seconds": time.perf_counter() - t0}
        for cache in (True, False):
            results["api_cached" if cache else "api_uncached"] = bench_api(
                store_path, args.clients, args.requests, args.seconds, cache)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    ing = results["ingest"]
    print(f"bulk CSV ingest, {ing['rows']:,} rows, embedded DuckDB:")
    print(f"  rows only          {ing['bulk_rows_only_rows_per_s']:>12,.0f} rows/s"
          "   target >= 200,000")
    print(f"  + daily AQI        {ing['bulk_with_daily_aqi_rows_per_s']:>12,.0f} rows/s")
    print(f"  corrections        {ing['corrections_rows_per_s']:>12,.0f} rows/s"
          f"   (every key again, {ing['stored_rows']:,} rows stored)")
    print(f"  naive row-by-row   {ing['naive_row_by_row_rows_per_s']:>12,.0f} rows/s"
          "   (baseline: executemany INSERT)")
    if "demo_load" in results:
        d = results["demo_load"]
        print(f"demo year loaded: {d['rows']:,} rows, {d['stations']} stations, "
              f"{d['seconds']:.0f} s")
    print(f"city daily AQI for a year over HTTP, {args.clients} clients ({_server_stack()}):")
    for key, label in (("api_cached", "cached"), ("api_uncached", "no cache (baseline)")):
        a = results[key]
        print(f"  {label:<20} p50 {a['p50_ms']:6.1f} ms  p95 {a['p95_ms']:6.1f} ms "
              f"(target <= 50)  p99 {a['p99_ms']:6.1f} ms  {a['throughput_rps']:7,.0f} req/s "
              f"over {a['requests']:,} requests")


if __name__ == "__main__":
    main()
