"""Shared timing and reporting of coopgov's benchmarks.

Every figure is printed as one row: the figure, its accuracy at equal
settings, the best alternative measured beside it and the ratio, the floor
(the least this machine can spend on the work, measured or derived) and the
distance to the floor (how many times the floor the figure costs).

Timing on a shared machine
--------------------------
Each measurement is repeated and the median reported, with the load
averages (``os.getloadavg``) before and after.  Both wall time and the
thread's CPU time (``time.thread_time``) are taken: on a loaded machine
the CPU time counts only the time the measured thread ran, so it is the
steadier of the two for single-threaded work; the wall time is what a user
waits.  The warm-up call and the timed calls pass the very same argument
objects, and :func:`timed` can check that a Numba kernel compiled (or
loaded from its cache) no new specialisation during the timed calls.
"""

from __future__ import annotations

import math
import os
import platform
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = [
    "Timing",
    "Row",
    "RecompiledError",
    "timed",
    "timed_interleaved",
    "signature_count",
    "load",
    "machine",
    "print_rows",
    "fmt",
    "dgemm_gflops",
]


class RecompiledError(RuntimeError):
    """A kernel compiled or loaded a new specialisation inside a timed region."""


def signature_count(kernel: Any) -> int:
    """Number of compiled specialisations of a Numba dispatcher."""
    return len(kernel.signatures)


def load() -> tuple[float, float, float]:
    """Load averages over 1, 5 and 15 minutes."""
    return tuple(round(v, 2) for v in os.getloadavg())  # type: ignore[return-value]


@dataclass
class Timing:
    """Repeated timings of one call [s]."""

    wall: list[float]
    cpu: list[float]
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]

    @property
    def wall_s(self) -> float:
        """Median wall time [s]."""
        return statistics.median(self.wall)

    @property
    def cpu_s(self) -> float:
        """Median CPU time of the calling thread [s]."""
        return statistics.median(self.cpu)

    def spread(self) -> str:
        """Range of the wall times, as text."""
        return f"{min(self.wall):.3g}-{max(self.wall):.3g} s over {len(self.wall)}"


def timed(
    fn: Callable[[], Any],
    repeat: int = 5,
    *,
    warm: bool = True,
    kernels: Sequence[Any] = (),
    clock: str = "thread",
) -> Timing:
    """Time ``fn()`` ``repeat`` times after one warm-up call.

    Parameters
    ----------
    fn : callable
        Called with no arguments; close over the arguments so that the warm-up
        and the timed calls see the same objects (same layout and flags).
    repeat : int
    warm : bool
        Make one untimed call first.
    kernels : sequence of numba dispatchers
        Kernels that must not gain a specialisation during the timed calls.
    clock : {"thread", "process"}
        CPU time of the calling thread, or of the whole process (for libraries
        that compute on threads of their own, such as JAX).

    Raises
    ------
    RecompiledError
        One of ``kernels`` compiled or loaded a new specialisation while timed.
    """
    if warm:
        fn()
    before = [signature_count(k) for k in kernels]
    cpu_clock = {"thread": time.thread_time, "process": time.process_time}[clock]
    wall, cpu = [], []
    lb = load()
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), cpu_clock()
        fn()
        cpu.append(cpu_clock() - c0)
        wall.append(time.perf_counter() - t0)
    after = [signature_count(k) for k in kernels]
    for k, b, a in zip(kernels, before, after, strict=True):
        if a != b:
            raise RecompiledError(
                f"{getattr(k, '__name__', k)} gained {a - b} specialisation(s) in the timed "
                f"region: {k.signatures[b:]}"
            )
    return Timing(wall, cpu, lb, load())


def timed_interleaved(
    calls: dict[str, Callable[[], Any]], repeat: int = 7, *, kernels: Sequence[Any] = ()
) -> dict[str, Timing]:
    """Time several calls in alternation (a, b, a, b, ...) after one warm-up each.

    On a shared machine the load changes from one second to the next; calls
    timed in alternation see the same load, so their ratio is steadier than
    that of calls timed one after the other.  Same no-recompilation check as
    :func:`timed`.
    """
    for fn in calls.values():
        fn()
    before = [signature_count(k) for k in kernels]
    out = {name: Timing([], [], load(), load()) for name in calls}
    for _ in range(repeat):
        for name, fn in calls.items():
            t0, c0 = time.perf_counter(), time.thread_time()
            fn()
            out[name].cpu.append(time.thread_time() - c0)
            out[name].wall.append(time.perf_counter() - t0)
    after = [signature_count(k) for k in kernels]
    for k, b, a in zip(kernels, before, after, strict=True):
        if a != b:
            raise RecompiledError(
                f"{getattr(k, '__name__', k)} gained {a - b} specialisation(s) in the timed "
                f"region: {k.signatures[b:]}"
            )
    end = load()
    for t in out.values():
        t.load_after = end
    return out


def machine() -> dict[str, Any]:
    """Python, library versions, CPU model and count."""
    import numba
    import numpy as np

    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next(
                line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")
            )
    except (OSError, StopIteration):
        pass
    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": numba.__version__,
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "load": load(),
    }


@dataclass
class Row:
    """One figure with what it is compared with.

    Attributes
    ----------
    figure : str
        What is measured.
    value : float
        The figure, in ``unit``.
    unit : str
    higher_is_better : bool
        Rates (updates/s) are; times are not.
    accuracy : str
        Accuracy of the figure at equal settings (or why none applies).
    alternative : str
        The best alternative measured beside it, with its value.
    alternative_value : float or None
    floor : float or None
        The floor in ``unit`` (measured or derived).
    floor_note : str
        What the floor is.
    target : str
    ok : bool or None
    load : tuple
        Load averages before and after the measurement.
    note : str
    """

    figure: str
    value: float
    unit: str
    higher_is_better: bool = False
    accuracy: str = "-"
    alternative: str = "-"
    alternative_value: float | None = None
    floor: float | None = None
    floor_note: str = ""
    target: str = ""
    ok: bool | None = None
    load: tuple = ()
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        """How many times better than the alternative (> 1: coopgov is better)."""
        if self.alternative_value is None or not self.value or not self.alternative_value:
            return None
        r = self.value / self.alternative_value
        return r if self.higher_is_better else 1.0 / r

    @property
    def distance(self) -> float | None:
        """How many times the floor's cost the figure costs (1 = at the floor)."""
        if self.floor is None or not self.value:
            return None
        r = self.floor / self.value
        return r if self.higher_is_better else 1.0 / r

    def to_dict(self) -> dict[str, Any]:
        """JSON form, with the ratio and the distance."""
        return {**asdict(self), "ratio": self.ratio, "distance": self.distance}


def fmt(v: float | None, unit: str = "") -> str:
    """Three significant digits, scientific outside [0.01, 1e5)."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-"
    if v != 0 and (abs(v) >= 1e5 or abs(v) < 0.01):
        s = f"{v:.3g}"
    else:
        s = f"{v:.3g}" if abs(v) < 100 else f"{v:,.0f}"
    return f"{s} {unit}".strip()


def print_rows(rows: Sequence[Row], title: str) -> None:
    """Print the rows as a plain-text table (one block per row, then a summary)."""
    print(f"\n{title}\n" + "=" * len(title))
    for r in rows:
        ok = {True: "met", False: "MISSED", None: ""}[r.ok]
        print(
            f"\n* {r.figure}: {fmt(r.value, r.unit)}"
            + (f"   target {r.target}: {ok}" if r.target else "")
        )
        print(f"    accuracy    : {r.accuracy}")
        print(
            f"    alternative : {r.alternative}"
            + (f" -> coopgov {r.ratio:.3g}x" if r.ratio is not None else "")
        )
        print(
            f"    floor       : {fmt(r.floor, r.unit)} {r.floor_note}".rstrip()
            + (f" -> distance {r.distance:.2f}x the floor" if r.distance is not None else "")
        )
        if r.load:
            print(f"    load avg    : {r.load}")
        if r.note:
            print(f"    note        : {r.note}")


def dgemm_gflops(n: int = 2000, repeat: int = 5, *, batch: int | None = None) -> dict[str, float]:
    """Measured double-precision matrix-product rate of one core [GFLOP/s].

    ``n`` x ``n`` by ``n`` x ``n`` (2 n^3 FLOP) on one BLAS thread; with
    ``batch`` given, ``batch`` x ``n`` by ``n`` x ``n`` instead (the shape of a
    batched engine step, e.g. 128 scenarios x 41 cities).  Returns the median
    over ``repeat`` of the CPU-time and the wall-time rates.
    """
    import numpy as np
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(0)
    rows = n if batch is None else batch
    a = rng.random((rows, n))
    b = rng.random((n, n))
    out = np.empty((rows, n))
    inner = 1 if batch is None else max(1, int(2e8 // (2 * rows * n * n)))
    flop = 2.0 * rows * n * n * inner
    with threadpool_limits(limits=1, user_api="blas"):

        def call():
            for _ in range(inner):
                np.matmul(a, b, out=out)

        t = timed(call, repeat)
    return {"cpu": flop / t.cpu_s / 1e9, "wall": flop / t.wall_s / 1e9}
