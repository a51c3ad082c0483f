"""A writer process for the reliability tests: sends numbered batches and acknowledges each.

Usage: python platform_writer.py STORE_URL STATION FIRST_BATCH N_BATCHES ROWS_PER_BATCH

Batch b holds ROWS_PER_BATCH distinct hours of NO2 at STATION, source "batch-b"; after
each commit the process prints "ACK b" (flushed), so a parent knows what was acknowledged.
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pyarrow as pa

from coopgov.platform.store import Store


def batch(station: str, b: int, rows: int) -> pa.Table:
    start = pd.Timestamp("2000-01-01T01:00", tz="Asia/Shanghai") + pd.Timedelta(hours=b * rows)
    times = pd.date_range(start, periods=rows, freq="h").strftime("%Y-%m-%dT%H:%M:%S+08:00")
    n = len(times)
    return pa.table(
        {
            "station_id": pa.array([station] * n),
            "time": pa.array(list(times)),
            "pollutant": pa.array(["NO2"] * n),
            "value": pa.array(np.full(n, "40.5")),
            "unit": pa.array(["ug/m3"] * n),
            "reference_state": pa.array(["reference"] * n),
            "source": pa.array([f"batch-{b}"] * n),
        }
    )


def main() -> None:
    url, station, first, count, rows = sys.argv[1:6]
    store = Store(url)
    for b in range(int(first), int(first) + int(count)):
        store.ingest(batch(station, b, int(rows)), refresh_indices=False)
        print(f"ACK {b}", flush=True)
    store.close()


if __name__ == "__main__":
    main()
