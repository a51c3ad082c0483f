"""Reliability with real processes: SIGKILL in the middle of a batch, concurrent writers."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from coopgov.platform.store import Store

WRITER = str(Path(__file__).with_name("platform_writer.py"))


def _writer(url: str, station: str, first: int, count: int, rows: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, WRITER, url, station, str(first), str(count), str(rows)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _rows_per_batch(url: str) -> dict[str, int]:
    store = Store(url)
    with store.backend.read() as cur:
        cur.execute("SELECT source, count(*) FROM measurements GROUP BY source")
        out = {s: int(n) for s, n in cur.fetchall()}
    store.close()
    return out


def test_sigkill_mid_batch_keeps_whole_batches(store, store_url):
    rows = 60_000
    proc = _writer(store_url, "310100-A01", 0, 50, rows)
    acked = []
    deadline = time.monotonic() + 60
    while len(acked) < 2 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        acked.append(int(line.split()[1]))
    assert len(acked) == 2, proc.stderr.read()
    time.sleep(random.uniform(0.05, 0.4))  # somewhere inside the next batch's work
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    acked += [int(line.split()[1]) for line in proc.stdout.read().splitlines()]
    assert proc.returncode == -signal.SIGKILL
    store.close()
    counts = _rows_per_batch(store_url)
    for b in acked:  # nothing acknowledged is lost
        assert counts.get(f"batch-{b}") == rows
    for source, n in counts.items():  # every batch is whole or absent
        assert n == rows, (source, n)
    # The store is usable afterwards and the killed batch can be sent again.
    assert Store(store_url).ingest_csv("station_id,time,pollutant,value,unit\n").n_rows == 0


def test_concurrent_writers_from_several_processes(store, store_url):
    store.close()
    stations = ["310100-A01", "320500-A01", "330400-A01"]
    procs = [_writer(store_url, s, 10 * i, 4, 2_000) for i, s in enumerate(stations)]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        assert len(out.split("ACK")) == 5
    counts = _rows_per_batch(store_url)
    assert sorted(counts) == sorted(f"batch-{10 * i + b}" for i in range(3) for b in range(4))
    assert set(counts.values()) == {2_000}


@pytest.mark.parametrize("resends", [3])
def test_concurrent_resend_of_one_batch_stores_it_once(store, store_url, resends):
    store.close()
    procs = [_writer(store_url, "310100-A01", 0, 1, 3_000) for _ in range(resends)]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    assert _rows_per_batch(store_url) == {"batch-0": 3_000}
