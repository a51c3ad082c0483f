"""The HTTP API: rights on every write route, public and token reads, audit, episodes."""

from __future__ import annotations

import socket
import threading
import time
from datetime import date
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from platform_helpers import JX, SH, SZ, hourly_csv

from coopgov.platform.api import create_app
from coopgov.platform.store import Station


@pytest.fixture
def api(store, small_region):
    app = create_app(store, region=small_region)
    tokens = {
        "sh": store.issue_token(role="city", adcode=SH)[1],
        "sz": store.issue_token(role="city", adcode=SZ)[1],
        "admin": store.issue_token(role="admin")[1],
        "reader": store.issue_token(role="reader")[1],
    }
    store.issue_token(role="reader", label="spare")  # a token the admin routes act on
    with TestClient(app) as client:
        yield client, tokens, store


def _h(token: str | None) -> dict[str, str]:
    return {"X-API-Key": token} if token else {}


# A request of each write route that would succeed for Shanghai's token (or the
# administrator's, "owner"); the parametrised test below fails when a write route has no
# entry here.  "{spare}" is the id of a reader token issued by the fixture.
SH_CSV = hourly_csv("310100-A01", hours=2)
WRITE_REQUESTS = {
    ("post", "/v1/tokens"): dict(
        url="/v1/tokens", json={"role": "reader", "label": "x"}, owner="admin"
    ),
    ("post", "/v1/tokens/{token_id}/rotate"): dict(url="/v1/tokens/{spare}/rotate", owner="admin"),
    ("delete", "/v1/tokens/{token_id}"): dict(url="/v1/tokens/{spare}", owner="admin"),
    ("put", "/v1/stations/{station_id}"): dict(
        url="/v1/stations/310100-A09",
        json={"adcode": SH, "name": "new", "kind": "air", "lon": 121.4, "lat": 31.2},
    ),
    ("post", "/v1/measurements"): dict(
        url="/v1/measurements",
        json={
            "measurements": [
                {
                    "station_id": "310100-A01",
                    "time": "2025-01-01T01:00:00+08:00",
                    "pollutant": "NO2",
                    "value": 40,
                    "unit": "ug/m3",
                }
            ]
        },
    ),
    ("post", "/v1/measurements/csv"): dict(
        url="/v1/measurements/csv", content=SH_CSV, headers={"content-type": "text/csv"}
    ),
}


def _write_routes() -> list[tuple[str, str]]:
    from coopgov.platform.store import Store

    schema = create_app(Store(":memory:")).openapi()
    return sorted(
        (m, p)
        for p, ops in schema["paths"].items()
        for m in ops
        if m in ("post", "put", "patch", "delete")
    )


@pytest.mark.parametrize("route", _write_routes())
def test_every_write_route_refuses_no_token_and_other_city(api, route):
    client, tokens, store = api
    assert route in WRITE_REQUESTS, f"write route {route} lacks an authorisation test"
    req = dict(WRITE_REQUESTS[route])
    method, headers = route[0], dict(req.pop("headers", {}))
    owner = req.pop("owner", "sh")
    spare = [t["token_id"] for t in store.tokens() if t["label"] == "spare"][0]
    req["url"] = req["url"].format(spare=spare)
    before = store.count("audit")
    assert client.request(method, headers=headers, **req).status_code == 401
    bad = client.request(method, headers={**headers, "X-API-Key": "cg_forged"}, **req)
    assert bad.status_code == 401
    other = client.request(method, headers={**headers, **_h(tokens["sz"])}, **req)
    assert other.status_code == 403, other.text
    reader = client.request(method, headers={**headers, **_h(tokens["reader"])}, **req)
    assert reader.status_code == 403
    # Nothing written, but every refusal audited (who, what, why).
    refused = store.audit_log(limit=4)
    assert store.count("audit") == before + 4
    assert [e["action"] for e in refused] == ["refused"] * 4
    assert [e["actor"] for e in refused] == [
        store.principal_for(tokens["reader"]).token_id,
        store.principal_for(tokens["sz"]).token_id,
        "unknown-token",
        "public",
    ]
    assert all(e["detail"]["attempted"].startswith(method.upper()) for e in refused)
    own = client.request(method, headers={**headers, **_h(tokens[owner])}, **req)
    assert own.status_code == 200, own.text
    assert store.count("audit") == before + 5


def test_station_of_another_city_cannot_be_taken_over(api):
    client, tokens, _ = api
    body = {"adcode": SH, "name": "hijack", "kind": "air"}
    r = client.put("/v1/stations/320500-A01", json=body, headers=_h(tokens["sh"]))
    assert r.status_code == 403


def test_csv_and_json_ingest_report_rejected_rows(api):
    client, tokens, store = api
    bad = SH_CSV + "310100-A01,2025-01-01T05:00:00+08:00,PM2.5,-3,ug/m3,,\n"
    r = client.post(
        "/v1/measurements/csv",
        content=bad,
        headers={"content-type": "text/csv", **_h(tokens["sh"])},
    )
    report = r.json()["results"][0]
    assert r.status_code == 200 and report["n_inserted"] == 12 and report["n_quarantined"] == 1
    assert report["rejected"][0]["reason"] == "value is negative"
    again = client.post(
        "/v1/measurements/csv",
        content=bad,
        headers={"content-type": "text/csv", **_h(tokens["sh"])},
    ).json()["results"][0]
    # Sent again without an idempotency key: a new batch whose rows are all unchanged.
    assert not again["replayed"] and again["n_unchanged"] == 12
    assert store.count("measurements") == 12
    q = client.get("/v1/quarantine", headers=_h(tokens["sh"])).json()
    assert q["meta"]["name"] == "coopgov-platform" and len(q["results"]) == 2
    assert client.get("/v1/quarantine", headers=_h(tokens["sz"])).json()["results"] == []


def test_public_reads_only_published_indices(api):
    client, tokens, _ = api
    client.post(
        "/v1/measurements/csv",
        content=hourly_csv("310100-A01"),
        headers={"content-type": "text/csv", **_h(tokens["sh"])},
    )
    daily = client.get("/v1/cities/310100/aqi/daily?date_from=2025-01-01&date_to=2025-01-01")
    assert daily.status_code == 200
    assert daily.json()["results"][0]["aqi"] == 119  # PM2.5 80 µg/m³, see test_store
    assert (
        client.get(
            "/v1/stations/310100-A01/aqi/daily?date_from=2025-01-01&date_to=2025-01-02"
        ).status_code
        == 200
    )
    hourly = client.get(
        "/v1/cities/310100/aqi/hourly",
        params={
            "datetime_from": "2025-01-01T01:00:00+08:00",
            "datetime_to": "2025-01-01T03:00:00+08:00",
        },
    ).json()["results"]
    assert [h["time"] for h in hourly] == ["2025-01-01T01:00:00+08:00", "2025-01-01T02:00:00+08:00"]
    # HJ 633-2026 real-time report, PM2.5 indexed on the 24 h column: 80 µg/m³ lies in
    # 60..115 -> (150-100)/(115-60)*(80-60)+100 = 118.2 -> ceil 119 (the largest IAQI).
    assert [(h["aqi"], h["category"]["level"], h["primary_pollutants"]) for h in hourly] == [
        (119, 3, ["pm2_5"])
    ] * 2
    assert client.get("/v1/stations/310100-A01/measurements").status_code == 401
    assert (
        client.get("/v1/stations/310100-A01/measurements", headers=_h(tokens["sz"])).status_code
        == 200
    )  # shared data
    assert client.get("/v1/audit", headers=_h(tokens["sh"])).status_code == 403
    log = client.get("/v1/audit", headers=_h(tokens["admin"])).json()["results"]
    assert log[0]["action"] == "measurements.ingest" and log[0]["request_id"]
    assert client.get("/openapi.json").status_code == 200


def test_bad_query_is_422_not_500(api):
    client, _, _ = api
    r = client.get("/v1/cities/310100/aqi/daily?date_from=2025-02-01&date_to=2025-01-01")
    assert r.status_code == 422 and r.json()["error"]
    assert client.get("/v1/cities/999999/aqi/daily").status_code == 404


def test_warnings_and_episodes(api):
    client, tokens, store = api
    # Four days of PM2.5 200 µg/m³ (2026 IAQI: (300-200)/(250-150)*(200-150)+200 = 250 > 200)
    # in Shanghai and Suzhou, clean air in Jiaxing.
    dirty = {"PM2.5": 200.0, "PM10": 100.0, "SO2": 10.0, "NO2": 40.0, "CO": 1.0, "O3": 50.0}
    for sid in ("310100-A01", "320500-A01"):
        store.ingest_csv(hourly_csv(sid, hours=96, values=dirty))
    store.ingest_csv(hourly_csv("330400-A01", hours=96))
    w = client.get("/v1/cities/310100/warnings?date_from=2025-01-01&date_to=2025-01-04").json()
    # Days 1-4 > 200 and none > 300 (national rules, docs/standards.md Table L1; 4-day outlook): the
    # outlook from day 1 has 4 heavy days, from day 3 two -> yellow (>= 2 days; orange and
    # red also need days > 300); from day 4 one heavy day -> blue.
    assert [d["level"] for d in w["results"]] == [2, 2, 2, 1]
    eps = client.get("/v1/episodes?date_from=2025-01-01&date_to=2025-01-01").json()["results"]
    assert [c["adcode"] for c in eps[0]["cities"]] == [SH, SZ]
    # Imported into {SH, SZ} from outside: only Jiaxing, T[JX, SH] + T[JX, SZ] = 0.1 -> 100 %.
    assert eps[0]["linked_action"] == [
        {
            "adcode": JX,
            "name_en": "Jiaxing",
            "share_of_imported": 1.0,
            "recommended_level": 2,
            "recommended_level_name": "yellow",
        }
    ]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_end_to_end_on_uvicorn(store, small_region):
    import uvicorn

    token = store.issue_token(role="city", adcode=SH)[1]
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(store, region=small_region), host="127.0.0.1", port=port, log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            if server.started:
                break
            time.sleep(0.05)
        with httpx.Client(base_url=base, timeout=30) as http:
            r = http.post(
                "/v1/measurements/csv",
                content=hourly_csv("310100-A01"),
                headers={"content-type": "text/csv", "X-API-Key": token, "X-Request-ID": "e2e-1"},
            )
            # The server's own request id, never the caller's.
            rid = r.headers["x-request-id"]
            assert r.status_code == 200 and rid != "e2e-1" and len(rid) == 32
            daily = http.get(
                "/v1/cities/310100/aqi/daily",
                params={"date_from": "2025-01-01", "date_to": "2025-01-01"},
            )
            assert daily.json()["results"][0]["aqi"] == 119
            assert http.post("/v1/measurements/csv", content="x").status_code == 401
    finally:
        server.should_exit = True
        thread.join(timeout=10)


# ------------------------------------------------------------- the gate in front
def test_rate_limit_headers_and_429(store):
    client = TestClient(create_app(store, rate_limit_per_min=3))
    url = "/v1/cities/310100/aqi/daily?date_from=2025-01-01&date_to=2025-01-02"
    remaining = [client.get(url).headers["x-ratelimit-remaining"] for _ in range(3)]
    assert remaining == ["2", "1", "0"]  # 3 a minute: 3 - 1, 3 - 2, 3 - 3
    over = client.get(url)
    assert over.status_code == 429 and over.headers["x-ratelimit-limit"] == "3"
    assert 1 <= int(over.headers["retry-after"]) <= 60
    # Another caller (a token) has its own window; pages outside /v1/ are not counted.
    token = store.issue_token(role="reader")[1]
    assert client.get(url, headers=_h(token)).status_code == 200
    assert client.get("/openapi.json").status_code == 200


def test_cached_answer_keeps_auth_and_documented_shape(api):
    from coopgov.platform.api.routers.aqi import DailyAQIPage

    client, tokens, store = api
    store.ingest_csv(hourly_csv("310100-A01"))
    url = "/v1/cities/310100/aqi/daily?date_from=2025-01-01&date_to=2025-01-01"
    first = client.get(url)
    assert DailyAQIPage.model_validate(first.json()).results[0].aqi == 119  # see test_store
    # The answer written as JSON text is the store's rows with their category labels.
    from coopgov.platform.aggregates import category_label

    rows = store.daily_aqi("city", SH, date(2025, 1, 1), date(2025, 1, 1))
    assert first.json()["results"] == [
        {**r, "day": r["day"].isoformat(), "category": category_label(r["category"])} for r in rows
    ]
    # From the cache now: a forged token is still refused, a valid one answered.
    assert client.get(url, headers=_h("cg_forged")).status_code == 401
    hit = client.get(url, headers={**_h(tokens["reader"]), "X-Request-ID": "r-7"})
    assert hit.content == first.content and hit.headers["x-request-id"] != "r-7"
    # A write through this process is seen by the next request (120 µg/m³ PM2.5 lies in
    # 115..150 -> IAQI 150..200 under HJ 633-2026: (200-150)/(150-115)*(120-115)+150 =
    # 157.1 -> ceil 158).
    store.ingest_csv(hourly_csv("310100-A01", values={"PM2.5": 120.0}))
    assert client.get(url).json()["results"][0]["aqi"] == 158


def test_a_batch_of_one_city_leaves_other_cities_cached(api):
    client, tokens, store = api
    for sid in ("310100-A01", "320500-A01"):
        store.ingest_csv(hourly_csv(sid))
    sz = "/v1/cities/320500/aqi/daily?date_from=2025-01-01&date_to=2025-01-01"
    sh = "/v1/cities/310100/aqi/daily?date_from=2025-01-01&date_to=2025-01-01"
    cache = client.app.state.response_cache
    assert client.get(sz).status_code == client.get(sh).status_code == 200
    store.ingest_csv(hourly_csv("310100-A01", values={"PM2.5": 120.0}))
    assert cache.current(sz) is not None  # Suzhou's answer is still current
    assert cache.current(sh) is None  # Shanghai's is not
    assert client.get(sh).json()["results"][0]["aqi"] == 158
    # A station write may change any city: everything is recomputed.
    store.upsert_stations([Station("320500-A02", SZ, "new", "air")])
    assert cache.current(sz) is None


def test_write_by_another_process_is_seen_at_once(tmp_path):
    import subprocess
    import sys

    from platform_helpers import STATIONS

    from coopgov.platform.store import Store

    url = str(tmp_path / "s.duckdb")
    store = Store(url)  # idle_release_s=0: the file is free between requests
    store.upsert_stations(STATIONS)
    store.ingest_csv(hourly_csv("310100-A01"))
    client = TestClient(create_app(store, response_cache_s=3600))
    path = "/v1/cities/310100/aqi/daily?date_from=2025-01-01&date_to=2025-01-01"
    assert client.get(path).json()["results"][0]["aqi"] == 119
    code = (
        "import sys; from platform_helpers import hourly_csv; "
        "from coopgov.platform.store import Store; "
        "Store(sys.argv[1]).ingest_csv(hourly_csv('310100-A01', values={'PM2.5': 120.0}))"
    )
    subprocess.run(
        [sys.executable, "-c", code, url], check=True, timeout=120, cwd=str(Path(__file__).parent)
    )
    assert client.get(path).json()["results"][0]["aqi"] == 158  # not the cached 119


def test_concurrent_misses_compute_once():
    import asyncio
    from types import SimpleNamespace

    from coopgov.platform.api.gate import ResponseCache

    store = SimpleNamespace(generation=0)
    store.published_version = lambda scope=None: (store.generation,)
    cache = ResponseCache(store, ttl_s=60)
    calls = []

    def build():
        calls.append(1)
        time.sleep(0.05)
        return {"n": len(calls)}

    async def burst():
        return await asyncio.gather(*(cache.fetch("k", build) for _ in range(20)))

    assert set(asyncio.run(burst())) == {b'{"n":1}'} and len(calls) == 1
    store.generation = 1  # a write: the next request waits for a fresh answer
    assert asyncio.run(burst())[0] == b'{"n":2}' and len(calls) == 2
    # Older than the TTL, same version: answered at once, recomputed behind it.
    cache.ttl_s = 0.01
    time.sleep(0.02)

    async def stale():
        body = cache.current("k")
        cache.ttl_s = 60
        for _ in range(1000):  # the refresh runs in the thread pool
            await asyncio.sleep(0.01)
            if len(calls) == 3 and cache.current("k") != body:
                break
        return body, cache.current("k")

    assert asyncio.run(stale()) == (b'{"n":2}', b'{"n":3}')
    store.generation = 2
    assert cache.current("k") is None  # never an answer of an older version
