"""Attacks and faults found by the platform audit, each reproduced against the API.

One test (or a few) per finding: ownership across processes, revocation on a live
server, rate-limit and audit forgery, idempotency, extreme dates, body limits,
implausible data, single-process embedded store, faults, and the API contract.
Servers are real ``coopgov serve`` processes on loopback ports where the finding
needs one (keep-alive, streaming, several processes); always stopped afterwards.
"""

from __future__ import annotations

import json
import resource
import select
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from platform_helpers import SH, STATIONS, SZ, hourly_csv
from platform_servers import serving, start_process, stop

from coopgov.platform.api import create_app
from coopgov.platform.store import Station, Store


def _h(token: str) -> dict[str, str]:
    return {"X-API-Key": token}


def _row(**kw) -> dict:
    return {
        "station_id": "310100-A01",
        "time": "2025-01-01T08:00:00+08:00",
        "pollutant": "PM2.5",
        "value": 35.0,
        "unit": "ug/m3",
        **kw,
    }


def _prepared(url: str) -> dict[str, str]:
    """Stations and tokens written before a server starts (the file is released after)."""
    store = Store(url)
    store.upsert_stations([*STATIONS, Station("shared-A01", SH, "shared", "air")])
    tokens = {
        "admin": store.issue_token(role="admin")[1],
        "sh": store.issue_token(role="city", adcode=SH)[1],
        "sz": store.issue_token(role="city", adcode=SZ)[1],
        "reader": store.issue_token(role="reader")[1],
    }
    store.close()
    return tokens


@pytest.fixture
def api(store):
    tokens = {
        "admin": store.issue_token(role="admin")[1],
        "sh": store.issue_token(role="city", adcode=SH)[1],
        "sz": store.issue_token(role="city", adcode=SZ)[1],
    }
    with TestClient(create_app(store, rate_limit_per_min=0, access_log=False)) as client:
        yield client, tokens, store


# ------------------------------------------------ 1. ownership across processes
@pytest.mark.postgres
def test_ownership_is_current_across_two_server_processes(tmp_path):
    import uuid

    import psycopg
    from platform_helpers import pg_dsn_or_skip

    dsn = pg_dsn_or_skip()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(dsn, autocommit=True) as con:
        con.execute(f"CREATE SCHEMA {schema}")
    url = f"{dsn}{'&' if '?' in dsn else '?'}options=-csearch_path%3D{schema}"
    try:
        tokens = _prepared(url)
        batch = {"measurements": [_row(station_id="shared-A01")]}
        with (
            serving(url, tmp_path / "p1.log") as p1,
            serving(url, tmp_path / "p2.log") as p2,
            p1.client() as one,
            p2.client() as two,
        ):
            # Shanghai writes its station through process 1 (its caches are warm now).
            assert (
                one.post("/v1/measurements", json=batch, headers=_h(tokens["sh"])).status_code
                == 200
            )
            # The administrator gives the station to Suzhou through process 2 ...
            moved = two.put(
                "/v1/stations/shared-A01",
                headers=_h(tokens["admin"]),
                json={"adcode": SZ, "name": "shared", "kind": "air"},
            )
            assert moved.status_code == 200, moved.text
            # ... and process 1 refuses Shanghai at once, and lets Suzhou write.
            batch = {"measurements": [_row(station_id="shared-A01", value=36.0)]}
            late = one.post("/v1/measurements", json=batch, headers=_h(tokens["sh"]))
            assert late.status_code == 403, late.text
            assert (
                one.post("/v1/measurements", json=batch, headers=_h(tokens["sz"])).json()[
                    "results"
                ][0]["n_revised"]
                == 1
            )
            # A station created through process 2 is known to process 1's next write.
            assert (
                two.put(
                    "/v1/stations/320500-A77",
                    headers=_h(tokens["sz"]),
                    json={"adcode": SZ, "name": "new", "kind": "air"},
                ).status_code
                == 200
            )
            report = one.post(
                "/v1/measurements",
                headers=_h(tokens["sz"]),
                json={"measurements": [_row(station_id="320500-A77")]},
            ).json()["results"][0]
            assert (report["n_inserted"], report["n_quarantined"]) == (1, 0), report
            # Revoked through process 2: refused by process 1 within a second.
            reader = Store(url).principal_for(tokens["reader"]).token_id
            assert (
                one.get(
                    "/v1/stations/shared-A01/measurements", headers=_h(tokens["reader"])
                ).status_code
                == 200
            )
            assert (
                two.delete(f"/v1/tokens/{reader}", headers=_h(tokens["admin"])).status_code == 200
            )
            t0 = time.monotonic()
            while (
                one.get(
                    "/v1/stations/shared-A01/measurements", headers=_h(tokens["reader"])
                ).status_code
                != 401
            ):
                assert time.monotonic() - t0 < 1.0
                time.sleep(0.05)
    finally:
        with psycopg.connect(dsn, autocommit=True) as con:
            con.execute(f"DROP SCHEMA {schema} CASCADE")


def test_station_moved_by_another_process_is_seen_by_the_server(tmp_path):
    # Embedded store: the server and an administrator's command in another process.
    url = str(tmp_path / "s.duckdb")
    tokens = _prepared(url)
    server_store = Store(url, idle_release_s=0.1)
    client = TestClient(create_app(server_store, rate_limit_per_min=0, access_log=False))
    batch = {"measurements": [_row(station_id="shared-A01")]}
    assert client.post("/v1/measurements", json=batch, headers=_h(tokens["sh"])).status_code == 200
    assert client.get("/v1/stations/shared-A01").json()["results"][0]["adcode"] == SH
    code = (
        "import sys; from coopgov.platform.store import Store, Station; "
        "Store(sys.argv[1]).upsert_stations([Station('shared-A01', 320500, 's', 'air'), "
        "Station('320500-A77', 320500, 'n', 'air')])"
    )
    subprocess.run([sys.executable, "-c", code, url], check=True, timeout=120)
    assert client.get("/v1/stations/shared-A01").json()["results"][0]["adcode"] == SZ
    batch = {"measurements": [_row(station_id="shared-A01", value=36.0)]}
    assert client.post("/v1/measurements", json=batch, headers=_h(tokens["sh"])).status_code == 403
    report = client.post(
        "/v1/measurements",
        headers=_h(tokens["sz"]),
        json={"measurements": [_row(station_id="320500-A77")]},
    ).json()["results"][0]
    assert (report["n_inserted"], report["n_quarantined"]) == (1, 0)


# ------------------------------------------------ 2. tokens on a live server
def test_tokens_are_administered_on_a_busy_live_server(store_url, tmp_path):
    tokens = _prepared(store_url)
    with serving(store_url, tmp_path / "server.log") as server, server.client() as http:
        admin = _h(tokens["admin"])
        issued = http.post(
            "/v1/tokens", headers=admin, json={"role": "reader", "label": "researcher"}
        )
        assert issued.status_code == 200, issued.text
        new = issued.json()["results"][0]
        listed = http.get("/v1/tokens", headers=admin).json()["results"]
        assert new["token_id"] in [t["token_id"] for t in listed]
        assert new["token"] not in json.dumps(listed)  # never a secret in the list
        path = "/v1/stations/310100-A01/measurements"
        # Light traffic the whole time: the embedded file is never released.
        for _ in range(5):
            assert http.get(path, headers=_h(new["token"])).status_code == 200
        rotated = http.post(f"/v1/tokens/{new['token_id']}/rotate", headers=admin).json()
        fresh = rotated["results"][0]["token"]
        assert http.get(path, headers=_h(new["token"])).status_code == 401
        assert http.get(path, headers=_h(fresh)).status_code == 200
        t0 = time.monotonic()
        assert http.delete(f"/v1/tokens/{new['token_id']}", headers=admin).status_code == 200
        while http.get(path, headers=_h(fresh)).status_code != 401:
            assert time.monotonic() - t0 < 1.0
        actions = [e["action"] for e in http.get("/v1/audit", headers=admin).json()["results"]]
        assert actions[:3] == ["tokens.revoke", "tokens.rotate", "tokens.issue"]
        assert (
            http.post("/v1/tokens", headers=_h(tokens["sh"]), json={"role": "admin"}).status_code
            == 403
        )


# ------------------------------------------------ 3. rate limits and forged audit
def test_duplicated_api_key_header_is_refused(api):
    client, tokens, _ = api
    r = client.get(
        "/v1/stations", headers=[("X-API-Key", tokens["sh"]), ("X-API-Key", "cg_rotating_1")]
    )
    assert r.status_code == 400 and "more than once" in r.json()["error"]


def test_forwarded_for_is_not_trusted_by_default(tmp_path):
    url = str(tmp_path / "s.duckdb")
    tokens = _prepared(url)
    with (
        serving(url, tmp_path / "server.log", env={"COOPGOV_RATE_LIMIT_PER_MIN": "3"}) as server,
        server.client() as http,
    ):
        codes = [
            http.get("/v1/stations", headers={"X-Forwarded-For": f"10.0.0.{i}"}).status_code
            for i in range(4)
        ]
        assert codes == [200, 200, 200, 429]  # one caller, whatever address it claims
        # Invented tokens are no way around the limit either.
        assert http.get("/v1/stations", headers=_h("cg_invented_x")).status_code == 429
        r = http.post(
            "/v1/measurements",
            json={"measurements": [_row()]},
            headers={**_h(tokens["sh"]), "X-Forwarded-For": "6.6.6.6", "X-Request-ID": "forged"},
        )
        assert r.status_code == 200, r.text
        event = http.get("/v1/audit", headers=_h(tokens["admin"])).json()["results"][0]
    assert event["action"] == "measurements.ingest"
    assert event["client"] == "127.0.0.1" and event["request_id"] == r.headers["x-request-id"]
    assert event["request_id"] != "forged" and event["detail"]["client_request_id"] == "forged"


# ------------------------------------------------ 4. idempotency
def test_idempotency_key_with_other_content_is_409(api):
    client, tokens, store = api
    key = {"Idempotency-Key": "batch-2025-01-01", **_h(tokens["sh"])}
    first = client.post("/v1/measurements", json={"measurements": [_row(value=10.0)]}, headers=key)
    assert first.status_code == 200 and first.json()["results"][0]["n_inserted"] == 1
    same = client.post("/v1/measurements", json={"measurements": [_row(value=10.0)]}, headers=key)
    assert same.json()["results"][0]["replayed"] is True
    other = client.post("/v1/measurements", json={"measurements": [_row(value=99.0)]}, headers=key)
    assert other.status_code == 409 and "other content" in other.json()["error"]
    assert [r["value"] for r in store.measurements("310100-A01")] == [10.0]


@pytest.mark.parametrize("keys", [(None, None, None), ("a", "b", "c")])
def test_correction_back_to_an_earlier_value_is_a_new_revision(api, keys):
    client, tokens, store = api
    for value, key in zip((10.0, 12.0, 10.0), keys, strict=True):
        headers = {**_h(tokens["sh"]), **({"Idempotency-Key": key} if key else {})}
        r = client.post(
            "/v1/measurements", json={"measurements": [_row(value=value)]}, headers=headers
        )
        assert r.status_code == 200 and not r.json()["results"][0]["replayed"]
    history = store.measurements("310100-A01", history=True)
    assert [(h["revision"], h["value"]) for h in history] == [(0, 10.0), (1, 12.0), (2, 10.0)]
    assert [r["value"] for r in store.measurements("310100-A01")] == [10.0]


# ------------------------------------------------ 5. extreme dates
EXTREME_GETS = [
    "/v1/cities/310100/aqi/daily?date_to=0001-01-01",
    "/v1/cities/310100/aqi/daily?date_from=9999-12-31",
    "/v1/stations/310100-A01/aqi/daily?date_to=1969-12-31",
    "/v1/cities/310100/aqi/hourly?datetime_to=0001-01-01T00:00:00Z",
    "/v1/stations/310100-A01/aqi/hourly?datetime_from=0001-01-01T01:00:00%2B08:00",
    "/v1/cities/310100/warnings?date_to=0001-01-01",
    "/v1/episodes?date_to=0001-01-01",
    "/v1/water/sections?date_from=0001-01-01",
    "/v1/cities/310100/aqi/daily?date_from=1700000000",  # no Unix-timestamp coercion
    "/v1/stations/310100-A01/measurements?datetime_from=0001-01-01T00:00:00Z",
]


@pytest.mark.parametrize("path", EXTREME_GETS)
def test_extreme_dates_are_422(api, small_region, path):
    client, tokens, store = api
    client.app.state.region = small_region
    r = client.get(path, headers=_h(tokens["sh"]) if "measurements" in path else {})
    assert r.status_code == 422, (path, r.status_code, r.text[:200])
    assert r.json()["error"] and r.json()["field"]


def test_dashboard_monitoring_with_extreme_date_is_not_500(store, small_region):
    from coopgov.web import mount_dashboard

    app = create_app(store, region=small_region, access_log=False)
    mount_dashboard(app, region_name="yrd")
    r = TestClient(app, raise_server_exceptions=False).get(
        "/dashboard/api/monitoring?date=0001-01-01"
    )
    assert r.status_code < 500, r.text[:300]


def test_extreme_times_are_quarantined_and_keep_alive_survives(tmp_path):
    url = str(tmp_path / "s.duckdb")
    tokens = _prepared(url)
    with serving(url, tmp_path / "server.log") as server, server.client() as http:
        for t in ("0001-01-01T01:00:00Z", "1677-09-21T00:00:00Z", "1969-12-31T23:00:00Z"):
            r = http.post(
                "/v1/measurements", json={"measurements": [_row(time=t)]}, headers=_h(tokens["sh"])
            )
            assert r.status_code == 200, r.text[:300]
            rejected = r.json()["results"][0]["rejected"]
            assert rejected[0]["field"] == "time" and "earliest" in rejected[0]["reason"]
        # The same keep-alive connection still takes a valid write.
        ok = http.post(
            "/v1/measurements", json={"measurements": [_row()]}, headers=_h(tokens["sh"])
        )
        assert ok.status_code == 200 and ok.json()["results"][0]["n_inserted"] == 1


# ------------------------------------------------ 6. body limit and bounded strings
def test_chunked_upload_is_cut_at_the_limit(tmp_path):
    url = str(tmp_path / "s.duckdb")
    tokens = _prepared(url)
    limit = 1 << 20
    with serving(
        url, tmp_path / "server.log", env={"COOPGOV_MAX_BODY_BYTES": str(limit)}
    ) as server:
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=30)
        sock.sendall(
            b"POST /v1/measurements/csv HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: text/csv\r\nTransfer-Encoding: chunked\r\n"
            b"X-API-Key: " + tokens["sh"].encode() + b"\r\n\r\n"
        )
        chunk = b"a" * 65536
        sent = 0
        answer = b""
        try:
            while sent < 200 * limit:  # at most 200 MB, stopped by the answer
                if select.select([sock], [], [], 0)[0]:
                    break
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        sock.settimeout(10)
        while b"\r\n\r\n" not in answer:
            part = sock.recv(65536)
            if not part:
                break
            answer += part
        sock.close()
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
        assert sent < 50 * limit  # reading stopped near the limit, not at 200 MB


def test_string_fields_are_bounded(api):
    client, tokens, store = api
    r = client.post(
        "/v1/measurements",
        headers=_h(tokens["sh"]),
        json={"measurements": [_row(source="x" * 100_000)]},
    )
    assert r.status_code == 422 and store.count("measurements") == 0


# ------------------------------------------------ 7. implausible data
@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ({"value": 1e300}, "plausible maximum 5000 ug/m3 for PM2.5"),
        ({"value": 1e300, "pollutant": "CO", "unit": "mg/m3"}, "plausible maximum 200 mg/m3"),
        ({"time": "1969-12-31T16:00:00Z"}, "earliest time"),
        ({"time": "2025-01-01T08:17:33+08:00"}, "not on the hour"),
        ({"time": "2025-01-01T08:00:00.123456+08:00"}, "not on the hour"),
    ],
)
def test_implausible_rows_are_quarantined_with_reason(api, row, reason):
    client, tokens, store = api
    r = client.post(
        "/v1/measurements", json={"measurements": [_row(**row)]}, headers=_h(tokens["sh"])
    )
    report = r.json()["results"][0]
    assert report["n_quarantined"] == 1 and reason in report["rejected"][0]["reason"]
    assert store.count("measurements") == 0
    assert (
        client.get("/v1/cities/310100/aqi/daily?date_from=2025-01-01&date_to=2025-01-01").json()[
            "results"
        ]
        == []
    )


def test_off_hour_correction_does_not_create_a_second_key(api):
    client, tokens, store = api
    client.post(
        "/v1/measurements", json={"measurements": [_row(value=35.0)]}, headers=_h(tokens["sh"])
    )
    r = client.post(
        "/v1/measurements",
        headers=_h(tokens["sh"]),
        json={"measurements": [_row(time="2025-01-01T08:00:00.5+08:00", value=40.0)]},
    )
    assert r.json()["results"][0]["n_quarantined"] == 1
    assert [(m["value"]) for m in store.measurements("310100-A01")] == [35.0]


@pytest.mark.parametrize("value", [True, False, {"v": 1}, [1]])
def test_non_numeric_json_value_is_refused(api, value):
    client, tokens, store = api
    r = client.post(
        "/v1/measurements", json={"measurements": [_row(value=value)]}, headers=_h(tokens["sh"])
    )
    assert r.status_code == 422 and store.count("measurements") == 0


def test_plausibility_bounds_are_configuration(tmp_path, monkeypatch):
    from coopgov.errors import InputError

    store = Store(tmp_path / "s.duckdb", plausible_max={"PM2.5": 50})
    store.upsert_stations(STATIONS)
    report = store.ingest_records([_row(value=80)])
    assert "plausible maximum 50 ug/m3" in report.rejected[0]["reason"]
    monkeypatch.setenv("COOPGOV_PLAUSIBLE_MAX", '{"PM2.5": 60}')
    assert Store(":memory:").plausible["PM2.5"] == 60
    with pytest.raises(InputError, match="unknown indicator"):
        Store(":memory:", plausible_max={"radon": 1})


# ------------------------------------------------ 8. one server per embedded file
_WIDE = {**__import__("os").environ, "COLUMNS": "1000"}  # no wrapping of the one line


def _serve_cli(url: str, log: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "from coopgov.cli.main import app; app()",
            "serve",
            "--store",
            url,
            "--port",
            "0",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=_WIDE,
    )


def test_second_server_on_one_duckdb_file_is_refused(tmp_path):
    url = str(tmp_path / "s.duckdb")
    _prepared(url)
    with serving(url, tmp_path / "first.log") as first:
        second = _serve_cli(url, tmp_path / "second.log")
        assert second.returncode == 2
        lines = [x for x in second.stderr.splitlines() if x.strip()]
        assert len(lines) == 1 and "already serves" in lines[0], second.stderr
        assert f"pid {first.proc.pid}" in second.stderr and "Traceback" not in second.stderr


def test_busy_store_answer_names_no_path(tmp_path):
    url = str(tmp_path / "s.duckdb")
    _prepared(url)
    store = Store(url)
    app = create_app(store, access_log=False)
    store.backend.lock_timeout_s = 0.3
    store._station_cache = None
    with open(url + ".lock", "a+") as fh:  # another process's hold, as far as flock goes
        holder = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import fcntl, sys, time; f = open(sys.argv[1], 'a+'); "
                "fcntl.flock(f, fcntl.LOCK_EX); print('held', flush=True); "
                "time.sleep(60)",
                fh.name,
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert holder.stdout.readline().strip() == "held"
            r = TestClient(app).get("/v1/stations")
        finally:
            holder.kill()
            holder.wait()
    assert r.status_code == 503 and r.headers["retry-after"]
    assert str(tmp_path) not in r.text and ".duckdb" not in r.text
    assert r.json() == {"error": "the store is held by another process; retry later"}


# ------------------------------------------------ 9. faults
def _file_size_limit(limit: int):
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_disk_full_answers_503_json_and_the_server_lives_on(tmp_path):
    url = str(tmp_path / "s.duckdb")
    tokens = _prepared(url)
    size = Path(url).stat().st_size
    with (
        serving(
            url,
            tmp_path / "server.log",
            "--no-access-log",
            preexec=_file_size_limit(size + 400_000),
        ) as server,
        server.client() as http,
    ):
        answers = []
        for month in range(1, 13):  # bounded: a month of hourly data per request
            r = http.post(
                "/v1/measurements/csv",
                headers={**_h(tokens["sh"]), "content-type": "text/csv"},
                content=hourly_csv("310100-A01", start=f"2024-{month:02d}-01T01:00", hours=24 * 28),
            )
            answers.append(r)
            if r.status_code != 200:
                break
        last = answers[-1]
        assert last.status_code == 503, [a.status_code for a in answers]
        assert last.json() == {"error": "the store's disk is full"}
        assert str(tmp_path) not in last.text
        assert http.get("/v1/stations").status_code == 200  # still serving reads


def test_unusable_store_gives_one_line_at_start(tmp_path):
    for args in (["serve", "--port", "0"], ["platform", "init"]):
        r = subprocess.run(
            [
                sys.executable,
                "-c",
                "from coopgov.cli.main import app; app()",
                *args,
                "--store",
                "/proc/coopgov-no/s.duckdb",
            ],
            capture_output=True,
            text=True,
            timeout=120,
            env=_WIDE,
        )
        assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
        assert len([x for x in r.stderr.splitlines() if x.strip()]) == 1, r.stderr


def test_refused_cross_city_write_is_audited(api):
    client, tokens, store = api
    r = client.post(
        "/v1/measurements",
        json={"measurements": [_row(station_id="320500-A01")]},
        headers=_h(tokens["sh"]),
    )
    assert r.status_code == 403
    event = store.audit_log(limit=1)[0]
    assert (event["action"], event["role"], event["adcode"]) == ("refused", "city", SH)
    assert "320500" in event["detail"]["reason"] and event["target"] == "/v1/measurements"


def test_access_log_is_on_and_holds_no_token(tmp_path):
    url = str(tmp_path / "s.duckdb")
    tokens = _prepared(url)
    with serving(url, tmp_path / "server.log") as server, server.client() as http:
        http.get("/v1/stations/310100-A01/measurements", headers=_h(tokens["reader"]))
        time.sleep(0.2)
        log = server.stderr()
    line = [x for x in log.splitlines() if "/v1/stations/310100-A01/measurements" in x][0]
    assert '"GET /v1/stations/310100-A01/measurements" 200' in line and "caller=reader-" in line
    assert tokens["reader"] not in log and tokens["reader"][-20:] not in log


# ------------------------------------------------ 10. the contract
def test_openapi_declares_every_error_with_the_error_body(api):
    client, _, _ = api
    schema = client.get("/openapi.json").json()
    for path, ops in schema["paths"].items():
        if not path.startswith("/v1/"):
            continue
        for method, op in ops.items():
            declared = set(op["responses"])
            need = {"200", "400", "401", "403", "404", "413", "422", "429", "503"}
            if method in ("post", "put", "delete"):
                need.add("409")
            assert need <= declared, (method, path, need - declared)
            for status in need - {"200"}:
                ref = op["responses"][status]["content"]["application/json"]["schema"]["$ref"]
                assert ref.endswith("/ErrorBody"), (method, path, status)
            ok = op["responses"]["200"]["content"]["application/json"]["schema"]
            assert ok.get("$ref", "").endswith("Page"), (method, path, ok)


def test_framework_errors_use_the_error_body_and_security_headers(api):
    client, tokens, _ = api
    for r, status in (
        (client.get("/v1/nothing-here"), 404),
        (client.delete("/v1/stations"), 405),
        (client.get("/v1/stations/nope"), 404),
    ):
        assert r.status_code == status and set(r.json()) == {"error"}, r.text
    r = client.get("/v1/stations")
    assert r.headers["cache-control"] == "no-store"
    assert r.headers["x-content-type-options"] == "nosniff"


def test_city_cannot_claim_another_citys_id_prefix(api):
    client, tokens, store = api
    r = client.put(
        "/v1/stations/320500-A99",
        headers=_h(tokens["sh"]),
        json={"adcode": SH, "name": "squatter", "kind": "air"},
    )
    assert r.status_code == 403 and "320500" in r.json()["error"]
    assert "320500-A99" not in store.station_index()
    r = client.put(
        "/v1/stations/320500-A99",
        headers=_h(tokens["admin"]),
        json={"adcode": SH, "name": "mismatch", "kind": "air"},
    )
    assert r.status_code == 422 and r.json()["field"] == "station_id"


def test_started_server_process_is_always_stopped(tmp_path):
    # The helpers kill their servers: a server started and stopped leaves no process.
    url = str(tmp_path / "s.duckdb")
    _prepared(url)
    proc, _ = start_process(url, tmp_path / "x.log")
    stop(proc)
    assert proc.poll() is not None
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"http://127.0.0.1:{_}/openapi.json", timeout=1)


def test_read_only_store_answers_503_json(tmp_path, monkeypatch):
    import duckdb

    url = str(tmp_path / "s.duckdb")
    tokens = _prepared(url)
    real_connect = duckdb.connect
    # The file opened read-only, as on a read-only mount (root ignores file modes).
    monkeypatch.setattr(
        duckdb, "connect", lambda path, **kw: real_connect(path, read_only=True, **kw)
    )
    client = TestClient(create_app(Store(url), access_log=False))
    r = client.put(
        "/v1/stations/310100-A55",
        headers=_h(tokens["admin"]),
        json={"adcode": SH, "name": "x", "kind": "air"},
    )
    assert r.status_code == 503 and r.json() == {"error": "the store is read-only"}
    assert client.get("/v1/stations").status_code == 200  # reads still served


def test_chunked_json_body_is_cut_at_the_limit(store):
    token = store.issue_token(role="city", adcode=SH)[1]
    client = TestClient(create_app(store, access_log=False, max_body_bytes=10_000))
    sent = [0]

    def body():  # no Content-Length: sent chunked, at most 2 MB
        yield b'{"measurements": ['
        for _ in range(20_000):
            sent[0] += 100
            yield b'{"station_id": "310100-A01", "source": "' + b"x" * 56 + b'"},'
        yield b"{}]}"

    r = client.post(
        "/v1/measurements",
        content=body(),
        headers={**_h(token), "content-type": "application/json"},
    )
    assert r.status_code == 413 and "larger than 10000 bytes" in r.json()["error"]
    assert store.count("measurements") == 0
