"""Region benchmarks: bundled YRD load time and the air kernel vs a pure-Python loop.

Run: python benchmarks/bench_region.py [--json]
"""

from __future__ import annotations

import json
import math
import sys
import time

import numpy as np

from coopgov.region import air_transfer_matrix
from coopgov.region.loader import _DATA_ROOT, _build


def best(f, n=20):
    ts = []
    for _ in range(n):
        t = time.perf_counter()
        f()
        ts.append(time.perf_counter() - t)
    return min(ts)


def kernel_python(lon, lat, area, length):
    """Naive pure-Python kernel (isotropic part only) for comparison."""
    n = len(lon)
    out = [[0.0] * n for _ in range(n)]
    for i in range(n):
        for j in range(n):
            p1, p2 = math.radians(lat[i]), math.radians(lat[j])
            dl = math.radians(lon[j] - lon[i])
            h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
            d = 2 * 6371.0088 * math.asin(math.sqrt(h))
            out[i][j] = area[j] * math.exp(-d / length) / (2 * math.pi * length**2)
    return out


def main() -> None:
    root = _DATA_ROOT / "yrd"
    load = best(lambda: _build(root, "yrd", None))
    r = _build(root, "yrd", None)
    lon, lat, area = (r.cities[c].to_numpy() for c in ("lon", "lat", "area_km2"))
    rng = np.random.default_rng(0)
    big = 400
    blon = rng.uniform(115, 122, big)
    blat = rng.uniform(27, 35, big)
    barea = rng.uniform(1000, 10000, big)
    vec = best(lambda: air_transfer_matrix(blon, blat, barea, length_km=50.0), 5)
    py = best(lambda: kernel_python(blon.tolist(), blat.tolist(), barea.tolist(), 50.0), 1)
    res = {
        "load_yrd_uncached_s": load,
        "load_target_s": 0.05,
        "kernel_400_numpy_s": vec,
        "kernel_400_pure_python_s": py,
        "kernel_speedup": py / vec,
    }
    if "--json" in sys.argv:
        print(json.dumps(res, indent=2))
    else:
        print(f"load_region('yrd') uncached: {load * 1e3:.1f} ms (target < 50 ms)")
        print(
            f"air kernel, 400 cities: numpy {vec * 1e3:.1f} ms vs pure Python {py * 1e3:.0f} ms "
            f"(x{py / vec:.0f})"
        )


if __name__ == "__main__":
    main()
