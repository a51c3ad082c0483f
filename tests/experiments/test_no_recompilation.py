"""The ABM kernel has one specialisation whatever the caller's array flags; the benchmark
harness refuses a timed region in which a kernel compiles."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numba
import numpy as np
import pytest

from coopgov.dynamics import abm as abm_module
from coopgov.dynamics.abm import city_agents, run_abm_coef

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCH))

from harness import RecompiledError, timed  # noqa: E402


def _inputs(n=3, years=2):
    rng = np.random.default_rng(4)
    coef = rng.normal(0.0, 0.5, (5, years, n))
    p0 = rng.random((n, n))
    p0 /= p0.sum(axis=0)
    w = np.ones((n, n)) - np.eye(n)
    w /= w.sum(axis=1, keepdims=True)
    return coef, p0, w


def _variants(coef, p0, w):
    """The same inputs with every layout and flag a caller may hand over."""
    ro = [np.broadcast_to(a, a.shape) for a in (coef, p0, w)]  # read-only views
    assert not ro[0].flags.writeable
    fortran = [np.asfortranarray(a) for a in (coef, p0, w)]
    single = [a.astype(np.float32) for a in (coef, p0, w)]
    strided = [np.repeat(a, 2, axis=-1)[..., ::2] for a in (coef, p0, w)]
    assert not strided[0].flags.c_contiguous
    return [(coef, p0, w), tuple(ro), tuple(fortran), tuple(single), tuple(strided)]


def test_abm_kernel_has_one_signature_for_any_array_layout_or_flags():
    agents = city_agents([5, 6, 7])
    coef, p0, w = _inputs()
    kw = {"rate": 1.0, "lateral": 0.5, "decay": 0.1, "noise": 0.02, "replications": 1}
    first = run_abm_coef(agents, coef, p0, w, **kw)
    n_sig = len(abm_module._run.signatures)
    assert n_sig >= 1
    for c, p, ww in _variants(coef, p0, w):
        res = run_abm_coef(agents, c, p, ww, water_exposure_shares=p, **kw)
        assert len(abm_module._run.signatures) == n_sig, abm_module._run.signatures
        assert res.city_cooperation.shape == first.city_cooperation.shape
    # decay per city and year, read-only, and a read-only initial state
    run_abm_coef(
        agents,
        coef,
        p0,
        w,
        rate=np.broadcast_to(1.0, (2,)),
        lateral=0.5,
        decay=np.broadcast_to(0.1, (2, 3)),
        noise=0.02,
        replications=1,
        initial=np.broadcast_to(0.4, (3,)),
    )
    assert len(abm_module._run.signatures) == n_sig


def test_same_inputs_same_result_whatever_the_flags():
    agents = city_agents([5, 6, 7])
    coef, p0, w = _inputs()
    kw = {"rate": 1.0, "lateral": 0.5, "decay": 0.1, "noise": 0.02, "replications": 2, "seed": 9}
    ref = run_abm_coef(agents, coef, p0, w, **kw).city_cooperation
    for c, p, ww in _variants(coef, p0, w)[:3]:  # float64 variants: bit-identical results
        np.testing.assert_array_equal(run_abm_coef(agents, c, p, ww, **kw).city_cooperation, ref)


@numba.njit
def _square(x):
    return x * x


def test_harness_flags_a_specialisation_compiled_in_the_timed_region():
    arg = [2]

    def call():
        return _square(arg[0])

    timed(call, 2, kernels=[_square])  # same argument types: fine

    calls = iter([3, 3.0, 4.0])  # warm-up with an int, timed with floats

    def changing():
        return _square(next(calls))

    with pytest.raises(RecompiledError, match="_square"):
        timed(changing, 2, kernels=[_square])


def test_numpy_alternative_samples_the_same_chain():
    """The benchmark's NumPy program is the same rule: equal means within sampling error."""
    from abm_alternatives import ABMInputs, run_numpy

    agents = city_agents([40, 40, 40])
    coef, p0, w = _inputs()
    coef[0] += 0.3  # cooperation pays somewhat: the shares move
    inp = ABMInputs(
        coef=coef,
        p0=p0,
        w=w,
        pw=np.zeros((3, 3)),
        rate=np.full(2, 2.0),
        lateral=np.full(2, 1.0),
        noise=np.full(2, 0.05),
        decay=np.full((2, 3), 0.3),
        initial=np.full(3, 0.3),
    )
    reps = 60
    ours = run_abm_coef(
        agents, replications=reps, seed=5, config=None, **inp.kwargs()
    ).cooperation_rate[:, -1]
    theirs = np.array([run_numpy(agents, inp, 48, 1000 + r)[0][-1].mean() for r in range(reps)])
    se = math.sqrt(ours.var(ddof=1) / reps + theirs.var(ddof=1) / reps)
    assert abs(ours.mean() - theirs.mean()) < 4 * se
    assert 0.5 < theirs.std(ddof=1) / ours.std(ddof=1) < 2.0
