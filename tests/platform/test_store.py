"""The store on every backend: harmonisation, revisions, idempotence, quarantine, rights."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from platform_helpers import SH, SZ, hourly_csv

from coopgov.errors import InputError
from coopgov.platform.auth import Forbidden, Principal, Unauthorized
from coopgov.platform.store import AuditContext, IngestReport, Station, Store

SH_WRITER = AuditContext(Principal("city-sh", "city", SH))


def _one(store, **row):
    base = {
        "station_id": "310100-A01",
        "time": "2025-01-01T01:00:00+08:00",
        "pollutant": "NO2",
        "value": 100,
        "unit": "ug/m3",
    }
    return store.ingest_records([{**base, **row}])


def _current(store, station="310100-A01", pollutant="NO2"):
    return store.measurements(station, pollutant=pollutant)


def test_units_are_harmonised(store):
    # SO2 10 ppb at 298.15 K: 10 * 64.064 / 24.465 = 26.186 µg/m³ (molar volume R*T/p).
    _one(store, pollutant="SO2", value=10, unit="ppb")
    row = _current(store, pollutant="SO2")[0]
    assert row["value"] == pytest.approx(26.186, abs=1e-3)
    assert (row["unit"], row["value_as_sent"], row["unit_as_sent"]) == ("ug/m3", 10.0, "ppb")
    # CO 1200 µg/m³ -> 1.2 mg/m³ (canonical CO unit, HJ 633 Table 1).
    _one(store, pollutant="CO", value=1200, unit="µg/m³")
    assert _current(store, pollutant="CO")[0]["value"] == pytest.approx(1.2)


def test_reference_state_is_harmonised(store):
    # Standard state (273 K) -> reference state (298.15 K): 100 * 273 / 298.15 = 91.565.
    _one(store, value=100, reference_state="273K")
    assert _current(store)[0]["value"] == pytest.approx(91.565, abs=1e-3)
    # No state given before 2018-09-01 (Beijing time): the standard state is inferred.
    _one(store, time="2017-06-01T01:00:00+08:00", value=100)
    old = store.measurements(
        "310100-A01", pollutant="NO2", end=pd.Timestamp("2018-01-01", tz="UTC").to_pydatetime()
    )
    assert old[0]["value"] == pytest.approx(91.565, abs=1e-3)
    assert old[0]["reference_state"] == "reference"


@pytest.mark.parametrize(
    ("row", "field", "reason"),
    [
        ({"station_id": "999999-X"}, "station_id", "unknown station"),
        ({"time": "2025-01-01T01:00:00"}, "time", "UTC offset"),
        ({"time": "yesterday+08:00"}, "time", "not a valid"),
        ({"time": "2999-01-01T00:00:00+08:00"}, "time", "future"),
        ({"pollutant": "radon"}, "pollutant", "unknown pollutant"),
        ({"pollutant": "TP", "unit": "mg/L"}, "pollutant", "kind of station"),
        ({"value": "n/a"}, "value", "not a number"),
        ({"value": -1}, "value", "negative"),
        ({"value": "inf"}, "value", "not finite"),
        ({"unit": "furlongs"}, "unit", "unit"),
        ({"pollutant": "PM2.5", "reference_state": "273K"}, "reference_state", "actual"),
    ],
)
def test_bad_rows_are_quarantined_with_reason(store, row, field, reason):
    report = _one(store, **row)
    assert report.n_quarantined == 1 and report.n_inserted == 0
    rejected = report.rejected[0]
    assert rejected["field"] == field and reason in rejected["reason"]
    kept = store.quarantine()
    assert len(kept) == 1 and kept[0]["reason"] == rejected["reason"]
    assert kept[0]["record"]["station_id"] == row.get("station_id", "310100-A01")


def test_resending_a_batch_creates_nothing(store):
    csv = hourly_csv("310100-A01")
    first = store.ingest_csv(csv)
    assert (first.n_rows, first.n_inserted, first.replayed) == (144, 144, False)
    # Without a key: a new batch, every row equal to the current revision.
    again = store.ingest_csv(csv)
    assert (again.replayed, again.n_inserted, again.n_unchanged) == (False, 0, 144)
    assert store.count("measurements") == 144 and store.count("batches") == 2
    # With a key: stored once, the first report answered again.
    keyed = store.ingest_csv(csv, batch_key="k-1")
    assert store.ingest_csv(csv, batch_key="k-1") == IngestReport(
        **{**keyed.to_dict(), "replayed": True}
    )
    assert store.count("measurements") == 144 and store.count("batches") == 3


def test_correction_is_a_new_revision(store):
    _one(store, value=100)
    report = _one(store, value=120)
    assert report.n_revised == 1
    assert [
        r["value"]
        for r in store.revisions(
            "310100-A01", pd.Timestamp("2025-01-01T01:00+08:00").to_pydatetime(), "NO2"
        )
    ] == [100.0, 120.0]
    assert _current(store)[0]["value"] == 120.0
    history = store.measurements("310100-A01", pollutant="NO2", history=True)
    assert [(r["revision"], r["value"]) for r in history] == [(0, 100.0), (1, 120.0)]


def test_conflicting_key_within_batch_is_quarantined(store):
    rows = [
        {
            "station_id": "310100-A01",
            "time": "2025-01-01T01:00:00+08:00",
            "pollutant": "NO2",
            "value": v,
            "unit": "ug/m3",
        }
        for v in (100, 100, 90)
    ]
    report = store.ingest_records(rows)
    assert (report.n_inserted, report.n_unchanged, report.n_quarantined) == (1, 1, 1)
    assert report.rejected[0]["row"] == 3


def test_city_writes_only_its_own_stations(store):
    with pytest.raises(Forbidden):
        store.ingest_csv(hourly_csv("320500-A01"), context=SH_WRITER)
    with pytest.raises(Forbidden):
        store.upsert_stations([Station("320500-A02", SZ, "x", "air")], context=SH_WRITER)
    with pytest.raises(Unauthorized):
        store.ingest_csv(
            hourly_csv("310100-A01"), context=AuditContext(Principal("public", "public"))
        )
    assert store.count("measurements") == 0
    assert store.ingest_csv(hourly_csv("310100-A01"), context=SH_WRITER).n_inserted == 144


def test_daily_aqi_is_materialised_on_ingest(store):
    store.ingest_csv(hourly_csv("310100-A01", hours=24))
    # HJ 633-2026: PM2.5 80 µg/m³ lies in 60..115 -> IAQI 100..150:
    # (150-100)/(115-60)*(80-60)+100 = 118.18 -> ceil 119; the largest IAQI.
    day = store.daily_aqi("city", SH, date(2025, 1, 1), date(2025, 1, 1))
    assert [(d["aqi"], d["primary_pollutants"]) for d in day] == [(119, ["pm2_5"])]
    # A correction of every PM2.5 hour to 35 µg/m³ (IAQI 50) recomputes the day:
    # PM10 100 µg/m³ in 50..120 -> (100-50)/(120-50)*(100-50)+50 = 85.7 -> 86.
    store.ingest_csv(hourly_csv("310100-A01", values={"PM2.5": 35.0}))
    assert store.daily_aqi("station", "310100-A01")[0]["aqi"] == 86


def test_day_needs_twenty_hours(store):
    # GB 3095-2012 Table 4: a 24 h mean needs at least 20 hourly values.
    store.ingest_csv(hourly_csv("310100-A01", hours=19, values={"PM2.5": 80.0}))
    row = store.daily_aqi("station", "310100-A01")[0]
    assert row["detail"]["concentrations"]["pm2_5"] is None


def test_audit_records_every_write(store):
    ctx = AuditContext(Principal("city-sh", "city", SH), request_id="req-1", client="1.2.3.4")
    store.ingest_csv(hourly_csv("310100-A01"), context=ctx)
    event = store.audit_log(limit=1)[0]
    assert (event["actor"], event["action"], event["request_id"], event["client"]) == (
        "city-sh",
        "measurements.ingest",
        "req-1",
        "1.2.3.4",
    )
    assert event["detail"]["inserted"] == 144


def test_tokens_are_stored_hashed(store):
    token_id, token = store.issue_token(role="city", adcode=SH)
    assert store.principal_for(token) == Principal(token_id, "city", SH)
    assert all(token not in json.dumps(r, default=str) for r in store.tokens())
    assert store.revoke_token(token_id)
    assert store.principal_for(token) is None
    with pytest.raises(InputError):
        store.issue_token(role="city")


def test_missing_column_rejects_the_batch(store):
    with pytest.raises(InputError, match="value"):
        store.ingest_csv("station_id,time,pollutant,unit\n")


# ---------------------------------------------------------------- fuzzing
_FUZZ: dict[str, Store] = {}


def _fuzz_store(factory) -> Store:
    """One embedded store per test run, kept open between examples."""
    if "store" not in _FUZZ:
        _FUZZ["store"] = Store(factory.mktemp("fuzz") / "s.duckdb", idle_release_s=30)
        _FUZZ["store"].upsert_stations([Station("310100-A01", SH, "a", "air")])
    return _FUZZ["store"]


_cell = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "310100-A01",
            "320500-A01",
            "PM2.5",
            "NO2",
            "ug/m3",
            "ppb",
            "1e3",
            "-0",
            "nan",
            "",
            "2025-01-01T01:00:00+08:00",
            "2025-13-01T01:00:00+08:00",
            '"',
            ",",
            "\n",
        ]
    ),
)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(rows=st.lists(st.lists(_cell, min_size=4, max_size=7), max_size=8))
def test_fuzzed_csv_never_loses_a_row(tmp_path_factory, rows):
    store = _fuzz_store(tmp_path_factory)
    before = {t: store.count(t) for t in ("measurements", "quarantine")}
    header = "station_id,time,pollutant,value,unit,reference_state,source"
    body = header + "\n" + "\n".join(",".join(r) for r in rows)
    try:
        report = store.ingest_csv(body)
    except InputError:
        assert store.count("measurements") == before["measurements"]
        return
    accounted = report.n_inserted + report.n_revised + report.n_unchanged + report.n_quarantined
    assert accounted == report.n_rows
    if not report.replayed:
        assert store.count("quarantine") - before["quarantine"] == report.n_quarantined
        assert (
            store.count("measurements") - before["measurements"]
            == report.n_inserted + report.n_revised
        )


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    records=st.lists(
        st.dictionaries(
            st.sampled_from(
                ["station_id", "time", "pollutant", "value", "unit", "reference_state", "extra"]
            ),
            st.one_of(st.none(), st.integers(), st.floats(allow_nan=True), _cell, st.booleans()),
        ),
        max_size=6,
    )
)
def test_fuzzed_json_never_loses_a_row(tmp_path_factory, records):
    store = _fuzz_store(tmp_path_factory)
    try:
        report = store.ingest_records(records)
    except InputError:
        return
    assert (
        (report.n_inserted + report.n_revised + report.n_unchanged + report.n_quarantined)
        == report.n_rows
        == len(records)
    )
    values = [r["value"] for r in store.measurements("310100-A01", history=True)]
    assert all(np.isfinite(values)) and all(v >= 0 for v in values)


# ------------------------------------------------------- embedded files, validation
def test_in_memory_store_writes_no_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    mem = Store(":memory:")
    mem.upsert_stations([Station("310100-A01", SH, "a", "air")])
    assert mem.ingest_csv(hourly_csv("310100-A01", hours=2)).n_inserted == 12
    assert Store(":memory:").count("stations") == 0  # each ":memory:" store is private
    mem.close()
    disk = Store(tmp_path / "sub" / "s.duckdb")
    disk.close()
    # The only files: the database and its lock, beside each other.
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == [
        "s.duckdb",
        "s.duckdb.lock",
    ]


def test_respelled_and_padded_keys_are_one_key(store):
    # One key written three ways: padded id, another offset, another spelling and unit
    # (0.08 mg/m³ = 80 µg/m³); a fourth row changes the value -> refused.
    rows = [
        {
            "station_id": " 310100-A01 ",
            "time": "2025-01-01T01:00:00+08:00",
            "pollutant": "PM2.5",
            "value": "80",
            "unit": "ug/m3",
        },
        {
            "station_id": "310100-A01",
            "time": "2024-12-31T17:00:00Z",
            "pollutant": "pm25",
            "value": " 0.08 ",
            "unit": "MG/M3",
        },
        {
            "station_id": "310100-A01",
            "time": "2025-01-01 01:00:00+0800",
            "pollutant": "PM2.5",
            "value": "81",
            "unit": "µg/m³",
        },
    ]
    report = store.ingest_records(rows)
    assert (report.n_inserted, report.n_unchanged, report.n_quarantined) == (1, 1, 1)
    assert report.rejected[0]["row"] == 3 and report.rejected[0]["field"] == "value"
    stored = _current(store, pollutant="PM2.5")
    assert [(r["station_id"], r["value"]) for r in stored] == [("310100-A01", 80.0)]


_KINDS = {"310100-A01": "air", "310100-W01": "water"}
_row = st.fixed_dictionaries(
    {
        "station_id": st.sampled_from(["310100-A01", " 310100-W01", "nope", ""]),
        "time": st.sampled_from(
            [
                "2025-01-01T01:00:00+08:00",
                "2017-01-01T01:00:00+08:00",
                "2025-01-01T01:00:00",
                "2025-13-01T01:00:00+08:00",
                "2999-01-01T00:00:00Z",
                " 2025-01-01T02:00:00Z ",
            ]
        ),
        "pollutant": st.sampled_from(["PM2.5", "so2", "NO2", "TP", "CODMn", "pH", "radon"]),
        "value": st.sampled_from(["1.5", " 2 ", "-1", "nan", "inf", "x", "1e3", ""]),
        "unit": st.sampled_from(["ug/m3", "ppb", "mg/m3", "mg/L", "1", "furlong", ""]),
        "reference_state": st.sampled_from(["", "273K", "reference", "actual", "none", "?"]),
        "source": st.sampled_from(["", "s1"]),
    }
)


def _validated(rows, dictionary=False, plausible=None):
    from coopgov.platform.ingest import parse_records, validate_batch

    raw = parse_records(rows)
    if dictionary:
        raw = raw.cast(
            pa.schema([(c, pa.dictionary(pa.int32(), pa.string())) for c in raw.column_names])
        )
    return validate_batch(
        raw,
        _KINDS,
        default_source="me",
        now_utc=np.datetime64("2026-01-01T00:00:00", "us"),
        plausible=plausible,
    )


@settings(max_examples=40, deadline=None)
@given(rows=st.lists(_row, min_size=1, max_size=12))
def test_batch_validation_is_row_by_row(rows):
    # The vectorised checks of a batch give each row what validating it alone gives
    # (save a key repeated within the batch), and the column encoding does not matter.
    batch = _validated(rows)
    assert batch.accepted.equals(_validated(rows, dictionary=True).accepted)
    verdict = {r["row"]: (r["field"], r["reason"]) for r in batch.rejected}
    accepted = {r["row_number"]: r for r in batch.accepted.to_pylist()}
    assert len(verdict) + len(accepted) <= len(rows)
    for i, row in enumerate(rows, start=1):
        alone = _validated([row])
        if alone.rejected:
            assert verdict[i] == (alone.rejected[0]["field"], alone.rejected[0]["reason"])
        elif i in accepted:
            single = alone.accepted.to_pylist()[0]
            assert {**single, "row_number": i} == accepted[i]
        else:  # collapsed or refused as a repeated key
            assert i in verdict or any(
                (a["station_id"], a["time"], a["pollutant"])
                == (
                    alone.accepted["station_id"][0].as_py(),
                    alone.accepted["time"][0].as_py(),
                    alone.accepted["pollutant"][0].as_py(),
                )
                for a in accepted.values()
            )


def test_batch_harmonisation_matches_per_pollutant_function():
    # Every (pollutant, unit, state, before/after 2018-09-01) combination: the batch path
    # gives harmonise_values' value and reason (the one-pollutant reference function).
    import itertools

    from coopgov.platform.vocabulary import (
        AIR_POLLUTANTS,
        WATER_INDICATORS,
        harmonise_values,
    )

    units = ["ug/m3", "µg/m³", "mg/m3", "ppb", "ppm", "mg/L", "ug/L", "1", "", "furlong"]
    states = ["", "reference", "298K", "standard", "273K", "actual", "none", "bogus"]
    starts = [pd.Timestamp("2017-06-01T01:00:00+08:00"), pd.Timestamp("2025-06-01T01:00+08:00")]
    combos = [
        (p, u, s, t + pd.Timedelta(hours=i))  # a distinct hour each: no repeated key
        for i, (p, u, s, t) in enumerate(
            itertools.product(AIR_POLLUTANTS + WATER_INDICATORS, units, states, starts)
        )
    ]
    rows = [
        {
            "station_id": "310100-A01" if p in AIR_POLLUTANTS else "310100-W01",
            "time": t.isoformat(),
            "pollutant": p,
            "value": "10",
            "unit": u,
            "reference_state": s,
        }
        for (p, u, s, t) in combos
    ]
    # No plausibility bound here (10 ppm of SO2 is 26,200 µg/m³, above the default bound).
    batch = _validated(rows, plausible={p: np.inf for p in AIR_POLLUTANTS + WATER_INDICATORS})
    got = {r["row_number"]: r["value"] for r in batch.accepted.to_pylist()}
    why = {r["row"]: r["reason"] for r in batch.rejected}
    for i, (p, u, s, t) in enumerate(combos, start=1):
        utc = np.array([t.tz_convert("UTC").tz_localize(None)], dtype="datetime64[us]")
        value, _, reason = harmonise_values(
            p, np.array([10.0]), np.array([u], dtype=object), np.array([s], dtype=object), utc
        )
        if reason[0] is None:
            assert got[i] == pytest.approx(value[0], rel=1e-12), (p, u, s, t)
        else:
            assert why[i] == reason[0], (p, u, s, t)


def test_concurrent_batches_share_a_commit_but_are_judged_alone(store):
    # Many threads at once: their batches may be written in one group commit, yet each
    # gets its own report, batch row and audit event, and a refused one writes nothing.
    import threading

    sz_writer = AuditContext(Principal("city-sz", "city", SZ))
    jobs = [
        (SH_WRITER, hourly_csv("310100-A01", start=f"2025-01-{d:02d}T01:00", hours=24))
        for d in range(1, 9)
    ]
    jobs.append((SH_WRITER, hourly_csv("320500-A01")))  # another city's station
    jobs.append((sz_writer, hourly_csv("320500-A01")))
    out: dict[int, object] = {}
    barrier = threading.Barrier(len(jobs))

    def send(i, ctx, csv):
        barrier.wait()
        try:
            out[i] = store.ingest_csv(csv, context=ctx)
        except Exception as exc:  # noqa: BLE001 - the outcome is what is checked
            out[i] = exc

    threads = [threading.Thread(target=send, args=(i, *j)) for i, j in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert isinstance(out[8], Forbidden)
    reports = [out[i] for i in (*range(8), 9)]
    assert [r.n_inserted for r in reports] == [144] * 9
    assert len({r.batch_id for r in reports}) == 9
    assert store.count("measurements") == 9 * 144 and store.count("batches") == 9
    assert len(store.audit_log(action="measurements.ingest", limit=100)) == 9
    # Each day's index is there, as if every batch had been written alone.
    assert [r["day"] for r in store.daily_aqi("station", "310100-A01")] == [
        date(2025, 1, d) for d in range(1, 9)
    ]


def _grouped(store, calls):
    """Run ingest calls so that they queue together and are written by one group commit."""
    import threading
    import time as _time

    out: dict[int, object] = {}

    def send(i, kwargs):
        try:
            out[i] = store.ingest_records(**kwargs)
        except Exception as exc:  # noqa: BLE001 - the outcome is what is checked
            out[i] = exc

    threads = [threading.Thread(target=send, args=(i, c)) for i, c in enumerate(calls)]
    with store._group_lock:  # hold the writer: every batch queues behind it
        for t in threads:
            t.start()
        deadline = _time.monotonic() + 60
        while len(store._pending) < len(calls) and _time.monotonic() < deadline:
            _time.sleep(0.01)
        assert len(store._pending) == len(calls)
    for t in threads:
        t.join(timeout=60)
    return [out[i] for i in range(len(calls))]


def _rec(hour, value, pollutant="NO2"):
    return {
        "station_id": "310100-A01",
        "time": f"2025-01-01T{hour:02d}:00:00+08:00",
        "pollutant": pollutant,
        "value": value,
        "unit": "ug/m3",
    }


def test_group_commit_counts_each_batch_as_if_alone(store):
    store.ingest_records([_rec(1, 10), _rec(2, 20)], context=SH_WRITER)
    reports = _grouped(
        store,
        [
            dict(records=[_rec(1, 11), _rec(2, 20)], context=SH_WRITER),  # 1 revised, 1 same
            dict(records=[_rec(3, 30), _rec(4, 40)], context=SH_WRITER),  # 2 new
            dict(records=[_rec(5, 50)], context=SH_WRITER, batch_key="k"),
            dict(records=[_rec(5, 50)], context=SH_WRITER, batch_key="k"),  # same key, same group
        ],
    )
    got = [(r.n_inserted, r.n_revised, r.n_unchanged, r.replayed) for r in reports]
    assert got[:2] == [(0, 1, 1, False), (2, 0, 0, False)]
    assert sorted(got[2:]) == [(1, 0, 0, False), (1, 0, 0, True)]
    assert [(m["revision"], m["value"]) for m in store.measurements("310100-A01", history=True)][
        :3
    ] == [(0, 10.0), (1, 11.0), (0, 20.0)]
    assert store.count("measurements") == 6 and store.count("batches") == 4


def test_group_commit_with_one_key_in_two_batches_keeps_revisions_apart(store):
    reports = _grouped(
        store,
        [
            dict(records=[_rec(1, 10)], context=SH_WRITER),
            dict(records=[_rec(1, 12)], context=SH_WRITER),
        ],
    )
    assert sorted((r.n_inserted, r.n_revised) for r in reports) == [(0, 1), (1, 0)]
    history = store.measurements("310100-A01", history=True)
    assert [h["revision"] for h in history] == [0, 1]


def test_bare_carriage_return_ends_a_line(tmp_path):
    """A bare CR ends a line for Arrow's reader; the line numbers agree with it.

    Found by the fuzz test above: ``,,,\\r0`` is two malformed rows (lines 2
    and 3), and the empty row after them is line 4.  Line numbers counted on
    LF alone named that row "line 2", and its quarantine record replaced the
    first malformed row's.
    """
    store = Store(tmp_path / "s.duckdb")
    header = "station_id,time,pollutant,value,unit,reference_state,source"
    report = store.ingest_csv(header + "\n,,,\r0\n,,,,,,")
    assert report.n_quarantined == 3
    assert sorted(r["row"] for r in report.rejected)[:2] == [2, 3]
    assert store.count("quarantine") == 3
