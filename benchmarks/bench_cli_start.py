"""Start-up time of the ``coopgov`` command, beside ``python -c pass``.

Each case runs in a fresh interpreter, as the installed ``coopgov`` script
does (``from coopgov.cli.main import app; app()``), several times; the
median wall time is reported.
Targets: ``coopgov --help`` and ``coopgov aqi ...`` within 0.4 s wall,
``coopgov region --json`` within 1 s, on the development machine.

    python benchmarks/bench_cli_start.py [--json] [--repeat N]
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time

CASES: list[tuple[str, list[str] | None, float | None]] = [
    ("python -c pass", None, None),
    ("coopgov --help", ["--help"], 0.4),
    ("coopgov aqi pm2_5=60 --json", ["aqi", "pm2_5=60", "--json"], 0.4),
    ("coopgov region --json", ["region", "--json"], 1.0),
]

ENTRY = "import sys; from coopgov.cli.main import app; sys.argv[0] = 'coopgov'; app()"


def _run(args: list[str] | None) -> float:
    """Wall time [s] of one fresh run."""
    cmd = [sys.executable, "-c", "pass"] if args is None else [sys.executable, "-c", ENTRY, *args]
    t0 = time.perf_counter()
    done = subprocess.run(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=os.environ, check=False
    )
    wall = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {done.stderr.decode()[-500:]}")
    return wall


def main() -> None:
    repeat = int(sys.argv[sys.argv.index("--repeat") + 1]) if "--repeat" in sys.argv else 7
    rows = []
    for label, args, target in CASES:
        _run(args)  # warm the file cache (and numba's cache, where used)
        walls = [_run(args) for _ in range(repeat)]
        rows.append(
            {
                "case": label,
                "median_s": round(statistics.median(walls), 3),
                "min_s": round(min(walls), 3),
                "target_s": target,
                "ok": None if target is None else statistics.median(walls) <= target,
            }
        )
    base = rows[0]["median_s"]
    for r in rows:
        r["over_python_s"] = round(r["median_s"] - base, 3)
    if "--json" in sys.argv:
        print(json.dumps({"repeat": repeat, "cases": rows}, indent=2))
        return
    print(f"{'case':32s} {'median s':>9s} {'min s':>7s} {'- python':>9s} {'target':>7s}")
    for r in rows:
        tgt = (
            "" if r["target_s"] is None else f"{r['target_s']:.1f}" + (" ok" if r["ok"] else " !!")
        )
        print(
            f"{r['case']:32s} {r['median_s']:9.3f} {r['min_s']:7.3f} "
            f"{r['over_python_s']:9.3f} {tgt:>7s}"
        )


if __name__ == "__main__":
    main()
