"""The Mesa baseline (benchmarks/mesa_model.py) and coopgov's ABM follow the same rules."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from coopgov.dynamics.abm_network import NetworkABMConfig as ABMConfig
from coopgov.dynamics.abm_network import run_network_abm as run_abm
from coopgov.dynamics.networks import watts_strogatz

pytest.importorskip("mesa")
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from mesa_model import CooperationModel  # noqa: E402


def _setup(m=300, n=3, years=2, seed=1):
    net = watts_strogatz(m, k=4, p=0.1, seed=seed, n_cities=n)
    coef = np.zeros((5, years, n))
    coef[0] = np.array([-1.0, 0.0, 1.5])[:n, None].T  # constant Δ per city [c0]
    return net, coef, np.eye(n), np.zeros((n, n))


def test_pure_logit_response_matches_the_closed_form():
    # revision 1, no imitation, no mutation: each agent cooperates with probability
    # 1/(1+exp(-Δ/K)) every step, whatever its past (hand-derived): 0.1192, 0.5, 0.9526
    net, coef, p0, w = _setup(m=3000)
    expected = 1 / (1 + np.exp(-np.array([-1.0, 0.0, 1.5]) / 0.5))
    cfg = dict(imitation=0.0, temperature=0.5, revision=1.0, mutation=0.0)
    ours = run_abm(
        net, coef, p0, w, replications=1, seed=3, config=ABMConfig(**cfg, steps_per_year=2)
    ).city_cooperation[0, -1]
    mesa = CooperationModel(net, coef, p0, w, steps_per_year=2, seed=3, **cfg).run_years(2)[-1]
    sd = np.sqrt(expected * (1 - expected) / 1000)  # 1000 agents per city
    assert np.all(np.abs(ours - expected) < 5 * sd)
    assert np.all(np.abs(mesa - expected) < 5 * sd)


def test_same_cooperation_statistics_with_imitation():
    net, coef, p0, w = _setup(m=300, years=2)
    cfg = dict(imitation=0.5, temperature=0.5, revision=0.3, mutation=0.01)
    reps = 30
    ours = run_abm(
        net,
        coef,
        p0,
        w,
        replications=reps,
        seed=7,
        initial=0.3,
        config=ABMConfig(**cfg, steps_per_year=6),
    ).cooperation_rate[:, -1]
    theirs = np.array(
        [
            CooperationModel(net, coef, p0, w, initial=0.3, steps_per_year=6, seed=100 + r, **cfg)
            .run_years(2)[-1]
            .mean()
            for r in range(reps)
        ]
    )
    se = np.sqrt(ours.var(ddof=1) / reps + theirs.var(ddof=1) / reps)
    assert abs(ours.mean() - theirs.mean()) < 4 * se  # equal means within sampling error
    assert 0.3 < theirs.std(ddof=1) / ours.std(ddof=1) < 3.0
