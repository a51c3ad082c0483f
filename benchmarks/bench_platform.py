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
3. Mixed load (``--mixed``), on the embedded store and on PostgreSQL
   (``--pg DSN`` or ``$COOPGOV_TEST_PG_DSN``): 50 keep-alive clients, 20 % ingest of
   36-row JSON batches (one city's station, 6 pollutants x 6 hours, its own token)
   and 80 % reads (a city's daily AQI over the stored quarter, published; a day of a
   station's measurements, token; a day of a city's hourly AQI, published).  Targets:
   >= 200 req/s, read p95 <= 100 ms, ingest p95 <= 500 ms (on an idle machine).
   Beside it, the same operations straight on the store, one at a time in this
   process (what one thread can do without HTTP), and the machine's load average.

Usage: python benchmarks/bench_platform.py [--json] [--rows N] [--requests N]
       python benchmarks/bench_platform.py --mixed [--seconds S] [--pg DSN]
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
    for p, unit in (
        ("PM2.5", "ug/m3"),
        ("PM10", "ug/m3"),
        ("SO2", "ug/m3"),
        ("NO2", "ug/m3"),
        ("CO", "mg/m3"),
        ("O3", "ug/m3"),
    ):
        parts.append(
            pd.DataFrame(
                {
                    "station_id": np.tile(ids, hours),
                    "time": np.repeat(labels, n_stations),
                    "pollutant": p,
                    "value": np.round(rng.gamma(3, 12, hours * n_stations), 1),
                    "unit": unit,
                }
            )
        )
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
        warm = "\n".join(text.splitlines()[: 41 * 24 * 6 + 1]).replace("2024-", "2019-")
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
        con.execute(
            "CREATE TABLE m (station_id TEXT, time TIMESTAMPTZ, pollutant TEXT, "
            "revision INTEGER, value DOUBLE, unit TEXT, "
            "PRIMARY KEY (station_id, time, pollutant, revision))"
        )
        reader = csv.reader(io.StringIO(text))
        next(reader)
        records = [
            (r[0], r[1], r[2], 0, float(r[3]), r[4])
            for _, r in zip(range(n_naive), reader, strict=False)
        ]
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


def bench_api(store_path: Path, clients: int, requests: int, seconds: float, cache: bool) -> dict:
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
    return {
        "requests": len(lat),
        "p50_ms": float(np.percentile(lat, 50) * 1e3),
        "p95_ms": float(np.percentile(lat, 95) * 1e3),
        "p99_ms": float(np.percentile(lat, 99) * 1e3),
        "throughput_rps": len(lat) / wall,
    }


def _server_stack() -> str:
    import importlib.util

    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    return f"uvicorn, 1 worker, {loop} loop, {http} parser"


# ----------------------------------------------------------------- mixed load
_POLLUTANTS = (
    ("PM2.5", "ug/m3"),
    ("PM10", "ug/m3"),
    ("SO2", "ug/m3"),
    ("NO2", "ug/m3"),
    ("CO", "mg/m3"),
    ("O3", "ug/m3"),
)


def _prepare_mixed(url: str, days: int) -> dict:
    """A quarter of hourly data for one air station per YRD city, and a token per city."""
    import pandas as pd

    from coopgov.platform.store import Station, Store
    from coopgov.region import load_region

    adcodes = [int(a) for a in load_region("yrd").adcodes]
    store = Store(url)
    store.upsert_stations([Station(f"{a}-A01", a, f"bench {a}", "air") for a in adcodes])
    times = pd.date_range("2025-01-01T01:00", periods=days * 24, freq="h", tz="Asia/Shanghai")
    labels = np.asarray(times.strftime("%Y-%m-%dT%H:%M:%S+08:00"), dtype=object)
    ids = np.array([f"{a}-A01" for a in adcodes], dtype=object)
    rng = np.random.default_rng(7)
    parts = [
        pd.DataFrame(
            {
                "station_id": np.tile(ids, len(labels)),
                "time": np.repeat(labels, len(ids)),
                "pollutant": p,
                "value": np.round(rng.gamma(3, 12, len(ids) * len(labels)), 1),
                "unit": u,
            }
        )
        for p, u in _POLLUTANTS
    ]
    t0 = time.perf_counter()
    report = store.ingest_csv(pd.concat(parts, ignore_index=True).to_csv(index=False))
    load_s = time.perf_counter() - t0
    tokens = {a: store.issue_token(role="city", adcode=a)[1] for a in adcodes}
    reader = store.issue_token(role="reader")[1]
    store.close()
    return {
        "adcodes": adcodes,
        "tokens": tokens,
        "reader": reader,
        "rows": report.n_inserted,
        "load_s": load_s,
        "days": days,
        "next_batch": {},
    }


def _batch(adcode: int, k: int, rng: np.random.Generator) -> bytes:
    """36 rows: 6 pollutants x 6 hours of the city's station, hours after the stored quarter."""
    import pandas as pd

    start = pd.Timestamp("2025-06-01T01:00", tz="Asia/Shanghai") + pd.Timedelta(hours=6 * k)
    rows = [
        {
            "station_id": f"{adcode}-A01",
            "time": (start + pd.Timedelta(hours=h)).isoformat(),
            "pollutant": p,
            "value": float(np.round(rng.gamma(3, 12), 1)),
            "unit": u,
        }
        for h in range(6)
        for p, u in _POLLUTANTS
    ]
    return json.dumps({"measurements": rows}).encode()


async def _mixed_client(
    port: int, plan: dict, deadline: float, budget: list, lat: dict, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.monotonic() < deadline and budget[0] > 0:
            budget[0] -= 1
            adcode = int(rng.choice(plan["adcodes"]))
            u = rng.random()
            if u < 0.2:
                kind = "ingest"
                k = plan["next_batch"][adcode] = plan["next_batch"].get(adcode, 0) + 1
                body = _batch(adcode, k, rng)
                head = (
                    f"POST /v1/measurements HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    f"X-API-Key: {plan['tokens'][adcode]}\r\n"
                    f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
                )
                request = head.encode() + body
            else:
                day = 1 + int(rng.integers(0, plan["days"] - 1))
                d = (np.datetime64("2025-01-01") + np.timedelta64(day, "D")).astype(str)
                if u < 0.6:
                    kind, path, key = (
                        "daily_aqi",
                        (f"/v1/cities/{adcode}/aqi/daily?date_from=2025-01-01&date_to=2025-03-31"),
                        None,
                    )
                elif u < 0.8:
                    kind, key = "measurements", plan["reader"]
                    path = (
                        f"/v1/stations/{adcode}-A01/measurements?datetime_from={d}T00:00:00"
                        f"%2B08:00&datetime_to={d}T23:00:00%2B08:00&limit=1000"
                    )
                else:
                    kind, key = "hourly_aqi", None
                    path = (
                        f"/v1/cities/{adcode}/aqi/hourly?datetime_from={d}T00:00:00"
                        f"%2B08:00&datetime_to={d}T23:00:00%2B08:00"
                    )
                auth = f"X-API-Key: {key}\r\n" if key else ""
                request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}\r\n".encode()
            t0 = time.perf_counter()
            writer.write(request)
            head_b = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head_b.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            await reader.readexactly(length)
            if not head_b.startswith(b"HTTP/1.1 200"):
                raise RuntimeError(f"{kind}: {head_b[:60]!r}")
            lat.setdefault(kind, []).append(time.perf_counter() - t0)
    finally:
        writer.close()


def _start_server(url: str, extra: str = "") -> tuple[subprocess.Popen, int]:
    port = _free_port()
    code = (
        "import sys, uvicorn; from coopgov.platform.api import create_app; "
        f"app = create_app(sys.argv[1], rate_limit_per_min=0{extra}); "
        f"uvicorn.run(app, host='127.0.0.1', port={port}, log_level='warning', "
        "access_log=False, proxy_headers=False)"
    )
    log = open(Path(tempfile.gettempdir()) / f"coopgov-bench-{port}.log", "wb")  # noqa: SIM115
    server = subprocess.Popen([sys.executable, "-c", code, url], stderr=log)
    for _ in range(600):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if server.poll() is not None:
                raise RuntimeError("server exited") from None
            time.sleep(0.05)
    return server, port


def _direct(url: str, plan: dict, n: int = 30) -> dict:
    """The same operations straight on the store, one at a time (no HTTP, no concurrency)."""
    from datetime import date, datetime, timedelta, timezone

    from coopgov.platform.auth import Principal
    from coopgov.platform.store import AuditContext, Store

    store = Store(url, idle_release_s=30)
    rng = np.random.default_rng(3)
    out: dict = {}
    cst = timezone(timedelta(hours=8))
    for kind in ("ingest", "daily_aqi", "measurements"):
        times = []
        for i in range(n):
            adcode = int(rng.choice(plan["adcodes"]))
            t0 = time.perf_counter()
            if kind == "ingest":
                body = json.loads(_batch(adcode, 5_000 + i, rng))["measurements"]
                store.ingest_records(
                    body, context=AuditContext(Principal(f"city-{adcode}", "city", adcode))
                )
            elif kind == "daily_aqi":
                store.daily_aqi("city", adcode, date(2025, 1, 1), date(2025, 3, 31))
            else:
                d = datetime(2025, 1, 2 + i % 60, tzinfo=cst)
                store.measurements(f"{adcode}-A01", start=d, end=d + timedelta(hours=23))
            times.append(time.perf_counter() - t0)
        out[kind] = {
            "median_ms": float(np.median(times) * 1e3),
            "ops_per_s_one_thread": float(1 / np.median(times)),
        }
    store.close()
    return out


def _pg_connections(url: str) -> int:
    """Connections of this database's user open now, this one excluded (the server's pool)."""
    import psycopg

    with psycopg.connect(url) as con:
        return int(
            con.execute(
                "SELECT count(*) - 1 FROM pg_stat_activity WHERE "
                "usename = current_user AND datname = current_database()"
            ).fetchone()[0]
        )


def bench_mixed(url: str, clients: int, seconds: float, requests: int, days: int) -> dict:
    """Mixed load against one store (see the module docstring, item 3)."""
    import os

    plan = _prepare_mixed(url, days)
    direct = _direct(url, plan)
    server, port = _start_server(url)
    try:
        warm: dict = {}  # every kind of request once or more (compiles the AQI kernels)
        asyncio.run(_run_mixed(port, plan, 8, 400, 15, warm))
        lat: dict = {}
        load_before = os.getloadavg()
        t0 = time.perf_counter()
        asyncio.run(_run_mixed(port, plan, clients, requests, seconds, lat))
        wall = time.perf_counter() - t0
        load_after = os.getloadavg()
        connections = _pg_connections(url) if url.startswith("postgres") else None
    finally:
        server.terminate()
        server.wait(timeout=30)
    out = {
        "store": "postgres" if url.startswith("postgres") else "duckdb",
        "clients": clients,
        "seconds": wall,
        "rows_stored": plan["rows"],
        "requests": int(sum(len(v) for v in lat.values())),
        "load_average_before": load_before,
        "load_average_after": load_after,
        "direct": direct,
        "pg_connections_open_after": connections,
    }
    out["throughput_rps"] = out["requests"] / wall
    reads = np.concatenate([np.array(v) for k, v in lat.items() if k != "ingest"])
    out["read_p95_ms"] = float(np.percentile(reads, 95) * 1e3)
    out["ingest_p95_ms"] = float(np.percentile(lat.get("ingest", [np.nan]), 95) * 1e3)
    out["by_kind"] = {
        k: {
            "n": len(v),
            "p50_ms": float(np.percentile(v, 50) * 1e3),
            "p95_ms": float(np.percentile(v, 95) * 1e3),
        }
        for k, v in lat.items()
    }
    return out


async def _run_mixed(
    port: int, plan: dict, clients: int, requests: int, seconds: float, lat: dict
) -> None:
    budget = [requests]
    deadline = time.monotonic() + seconds
    await asyncio.gather(
        *(_mixed_client(port, plan, deadline, budget, lat, seed=1000 + i) for i in range(clients))
    )


def _print_mixed(m: dict) -> None:
    la = ", ".join(f"{x:.2f}" for x in m["load_average_before"])
    print(
        f"mixed load on {m['store']}: {m['clients']} clients, {m['requests']:,} requests in "
        f"{m['seconds']:.1f} s, {m['rows_stored']:,} rows stored "
        f"(load average before: {la})"
    )
    print(f"  throughput         {m['throughput_rps']:8,.0f} req/s      target >= 200")
    print(f"  read p95           {m['read_p95_ms']:8.1f} ms         target <= 100")
    print(f"  ingest p95         {m['ingest_p95_ms']:8.1f} ms         target <= 500")
    for k, v in m["by_kind"].items():
        print(f"    {k:<14} n {v['n']:6,}  p50 {v['p50_ms']:7.1f} ms  p95 {v['p95_ms']:7.1f} ms")
    if m.get("pg_connections_open_after") is not None:
        print(
            f"  PostgreSQL connections open after the run: {m['pg_connections_open_after']} "
            "(the server's pool; at most $COOPGOV_PG_POOL_SIZE = 16)"
        )
    print("  beside it, straight on the store (one thread, no HTTP):")
    for k, v in m["direct"].items():
        print(
            f"    {k:<14} median {v['median_ms']:7.2f} ms  ({v['ops_per_s_one_thread']:,.0f} ops/s)"
        )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--rows", type=int, default=500_000)
    ap.add_argument("--requests", type=int, default=20_000)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument(
        "--store",
        type=Path,
        default=None,
        help="Existing store with the demo year (else built, about a minute).",
    )
    ap.add_argument(
        "--mixed",
        action="store_true",
        help="Only the mixed-load benchmark (item 3), on both stores.",
    )
    ap.add_argument(
        "--pg",
        default=None,
        help="PostgreSQL URL for the mixed load (default $COOPGOV_TEST_PG_DSN; "
        "a private schema is created and dropped).",
    )
    ap.add_argument("--days", type=int, default=90, help="Days of data stored (mixed).")
    args = ap.parse_args()
    if args.mixed:
        main_mixed(args)
        return
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
                store_path, args.clients, args.requests, args.seconds, cache
            )
    if args.json:
        print(json.dumps(results, indent=2))
        return
    ing = results["ingest"]
    print(f"bulk CSV ingest, {ing['rows']:,} rows, embedded DuckDB:")
    print(
        f"  rows only          {ing['bulk_rows_only_rows_per_s']:>12,.0f} rows/s"
        "   target >= 200,000"
    )
    print(f"  + daily AQI        {ing['bulk_with_daily_aqi_rows_per_s']:>12,.0f} rows/s")
    print(
        f"  corrections        {ing['corrections_rows_per_s']:>12,.0f} rows/s"
        f"   (every key again, {ing['stored_rows']:,} rows stored)"
    )
    print(
        f"  naive row-by-row   {ing['naive_row_by_row_rows_per_s']:>12,.0f} rows/s"
        "   (baseline: executemany INSERT)"
    )
    if "demo_load" in results:
        d = results["demo_load"]
        print(
            f"demo year loaded: {d['rows']:,} rows, {d['stations']} stations, {d['seconds']:.0f} s"
        )
    print(f"city daily AQI for a year over HTTP, {args.clients} clients ({_server_stack()}):")
    for key, label in (("api_cached", "cached"), ("api_uncached", "no cache (baseline)")):
        a = results[key]
        print(
            f"  {label:<20} p50 {a['p50_ms']:6.1f} ms  p95 {a['p95_ms']:6.1f} ms "
            f"(target <= 50)  p99 {a['p99_ms']:6.1f} ms  {a['throughput_rps']:7,.0f} req/s "
            f"over {a['requests']:,} requests"
        )


def main_mixed(args: argparse.Namespace) -> None:
    """Mixed load on the embedded store and, when a DSN is given, on PostgreSQL."""
    import os
    import uuid

    results = []
    requests = min(args.requests, 200_000)
    with tempfile.TemporaryDirectory() as tmp:
        results.append(
            bench_mixed(
                str(Path(tmp) / "mixed.duckdb"), args.clients, args.seconds, requests, args.days
            )
        )
    dsn = args.pg or os.environ.get("COOPGOV_TEST_PG_DSN")
    if dsn:
        import psycopg

        schema = f"bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(dsn, autocommit=True) as con:
            con.execute(f"CREATE SCHEMA {schema}")
        try:
            url = f"{dsn}{'&' if '?' in dsn else '?'}options=-csearch_path%3D{schema}"
            results.append(bench_mixed(url, args.clients, args.seconds, requests, args.days))
        finally:
            with psycopg.connect(dsn, autocommit=True) as con:
                con.execute(f"DROP SCHEMA {schema} CASCADE")
    if args.json:
        print(json.dumps(results, indent=2))
        return
    for m in results:
        _print_mixed(m)


if __name__ == "__main__":
    main()
