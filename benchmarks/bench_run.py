"""Wall and CPU time of ``coopgov run`` (the README's first command) over posterior draws.

    PYTHONPATH=src python benchmarks/bench_run.py [--repeat 3]

Runs the default command (all built-ins, 10 agent-based replications, the
shipped posterior at the default number of draws) beside the point run
(``--no-posterior``, what ``coopgov run`` computed before it drew from the
posterior) and ``--draws 200``, each in a fresh process, alternating, and
prints the median wall and CPU time (user + system) of each.  Target: the
default within 3 s of CPU of the point run.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

VARIANTS = {
    "point run (--no-posterior)": ["--no-posterior"],
    "default (shipped posterior, default draws)": [],
    "--draws 200": ["--draws", "200"],
}


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    times: dict[str, list[tuple[float, float]]] = {k: [] for k in VARIANTS}
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [
            sys.executable,
            "-c",
            "from coopgov.cli.main import app; app()",
            "run",
            "--out",
            os.path.join(tmp, "out"),
        ]
        subprocess.run(
            cmd + ["--years", "2", "--replications", "1"], check=True, capture_output=True
        )  # warm the compiled-code cache
        for _ in range(args.repeat):
            for name, extra in VARIANTS.items():
                cpu, t = _cpu(), time.perf_counter()
                subprocess.run(cmd + extra, check=True, capture_output=True)
                times[name].append((time.perf_counter() - t, _cpu() - cpu))
    point_cpu = statistics.median(c for _, c in times["point run (--no-posterior)"])
    print(f"load average {os.getloadavg()[0]:.1f}; {os.cpu_count()} cores; median of {args.repeat}")
    for name, runs in times.items():
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        print(f"{name:45s} wall {wall:5.1f} s  CPU {cpu:5.1f} s  (CPU {cpu - point_cpu:+.1f} s)")


if __name__ == "__main__":
    main()
