"""Scenarios over posterior draws: bands, paired continuations, ranking probabilities."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coopgov.calibration.posterior import resample_posterior
from coopgov.calibration.problem import scaled_intensity
from coopgov.dynamics.engine import simulate
from coopgov.model.cities import city_data
from coopgov.model.levers import LEVER_NAMES
from coopgov.model.parameters import PARAMETER_INFO
from coopgov.region import load_region
from coopgov.scenarios import load_builtin
from coopgov.scenarios.run import BANDED_FIGURES, countermeasure_ranking, run_scenarios

# deterministic figures (the ABM's are random, and not compared across runs)
MEAN_FIELD = [k for k in BANDED_FIGURES]


def _scenarios(*names, years=3):
    return [
        load_builtin(n).with_horizon(years) if n != "history" else load_builtin(n) for n in names
    ]


def _equal_posterior(values: dict[str, float], rows: int = 4) -> pd.DataFrame:
    frame = pd.DataFrame({k: [v] * rows for k, v in values.items()})
    frame["weight"] = 1.0 / rows
    return frame


def test_all_draws_equal_give_zero_width_bands_equal_to_the_point_run():
    # a posterior whose draws all hold the same (non-default) values is a point
    # run at those values: every band has zero width and equals it
    values = {
        "adjustment_rate": 2.0,
        "agreement_decay": 0.3,
        "noise": 0.02,
        "damage_gdp_share": 0.008,
        "pm25_background": 12.0,
        "lever_efficacy": 1.0,
    }
    names = ("baseline", "laws", "eco_compensation", "counterfactual")
    post = run_scenarios(
        _scenarios(*names), replications=0, posterior=_equal_posterior(values), draws=5
    )
    point_scenarios = [
        s.model_copy(update={"parameters": {**s.parameters, **values}}) for s in _scenarios(*names)
    ]
    point = run_scenarios(point_scenarios, replications=0)
    for p, q in zip(post.summary(), point.summary(), strict=True):
        assert p["draws"] == 5
        for key in MEAN_FIELD:
            assert p[f"{key}_q05"] == p[key] == p[f"{key}_q95"]
            assert p[key] == pytest.approx(q[key], rel=1e-9, abs=1e-9), key
    for p, q in zip(post.ranking(), point.ranking(), strict=True):
        assert p["countermeasure"] == q["countermeasure"]
        assert p["probability_best"] == q["probability_best"]
        assert p["rank_q05"] == p["rank_q95"] == q["rank_q50"]


def test_each_draw_continues_its_own_history_with_scaled_levers():
    post = pd.DataFrame(
        {
            "lever_efficacy": [0.4, 1.0, 1.8],
            "adjustment_rate": [0.5, 1.5, 2.5],
            "weight": [1.0, 1.0, 1.0],
        }
    )
    res = run_scenarios(
        _scenarios("history", "baseline"), replications=0, posterior=post, draws=6, seed=3
    )
    hist, base = res.results
    # paired: draw d of the baseline starts where draw d of the history ends
    np.testing.assert_allclose(
        base.simulation.cooperation[base.draws, 0],
        hist.simulation.cooperation[hist.draws, -1],
        rtol=1e-12,
    )
    # and the history of each draw is the history with its levers scaled by its efficacy
    city = city_data(load_region("yrd"))
    h = load_builtin("history")
    drawn = res.posterior_draws
    params = {k: np.full(len(drawn), v.default) for k, v in PARAMETER_INFO.items()}
    for c in drawn.columns:
        params[c] = drawn[c].to_numpy()
    inten = h.intensity(LEVER_NAMES, city=city)
    sim = simulate(
        city,
        params,
        scaled_intensity(inten[None], params["lever_efficacy"]),
        years=h.years,
        start_year=h.start_year,
    )
    np.testing.assert_allclose(
        hist.simulation.cooperation[hist.draws], sim.cooperation, rtol=1e-9, atol=1e-12
    )
    # the draws differ, so the bands are not empty
    s = {r["name"]: r for r in res.summary()}
    assert s["baseline"]["cooperation_rate_q95"] > s["baseline"]["cooperation_rate_q05"]
    # costs are those of the nominal intensities: no band
    assert (
        s["baseline"]["cost_q05"]
        == s["baseline"]["cost_q95"]
        == pytest.approx(float(res.results[1].nominal_cost[-1]))
    )


_bounded = {
    name: PARAMETER_INFO[name].bounds
    for name in (
        "adjustment_rate",
        "agreement_decay",
        "noise",
        "lever_efficacy",
        "technology_cost",
        "attributable_share",
    )
}


@st.composite
def posteriors(draw):
    rows = draw(st.integers(1, 4))
    data = {
        name: draw(st.lists(st.floats(lo, hi), min_size=rows, max_size=rows))
        for name, (lo, hi) in _bounded.items()
    }
    data["weight"] = draw(st.lists(st.floats(0.1, 1.0), min_size=rows, max_size=rows))
    return pd.DataFrame(data)


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(posteriors(), st.integers(1, 7))
def test_bands_contain_the_median_and_ranking_probabilities_sum_to_one(post, draws):
    names = ("baseline", "laws", "joint_mechanism", "eco_compensation")
    res = run_scenarios(
        _scenarios(*names, years=2), replications=2, posterior=post, draws=draws, seed=11
    )
    for s in res.summary():
        for key in [*BANDED_FIGURES, "abm_cooperation_rate"]:
            assert s[f"{key}_q05"] <= s[key] <= s[f"{key}_q95"] + 1e-15
            assert s[key] == s[f"{key}_q50"]
    ranking = res.ranking()
    assert len(ranking) == 3
    assert sum(r["probability_best"] for r in ranking) == pytest.approx(1.0)
    for r in ranking:
        assert 1 <= r["rank_q05"] <= r["rank_q50"] <= r["rank_q95"] <= 3
        assert r["gain_per_1e8_yuan_q05"] <= r["gain_per_1e8_yuan"] <= r["gain_per_1e8_yuan_q95"]
    tables = res.tables()
    reg = tables["regional"]
    assert (reg["cooperation_rate_q05"] <= reg["cooperation_rate"] + 1e-15).all()
    assert (reg["cooperation_rate"] <= reg["cooperation_rate_q95"] + 1e-15).all()
    assert len(tables["posterior_draws"]) == draws
    assert set(tables["abm"]["draw"]) <= set(range(draws))


def _fake(name, coop, cost):
    scenario = SimpleNamespace(name=name, start_year=2026, years=30)
    figures = {"cooperation_rate": np.asarray(coop, float), "cost": np.full(len(coop), float(cost))}
    return SimpleNamespace(scenario=scenario, n_draws=len(coop), draw_figures=lambda: figures)


def test_ranking_by_hand():
    # per 10^8 yuan/yr beyond current policy:
    # laws: extra cost 1e8, gains 0.1, 0, 0.2, 0.05 -> 0.1, 0, 0.2, 0.05
    # eco_compensation: extra cost 0.5e8, gains 0.02, 0.1, 0.12, 0 -> 0.04, 0.2, 0.24, 0
    # best: laws, eco, eco, laws -> P = 1/2 each; laws' ranks 1, 2, 2, 1
    base = _fake("baseline", [0.5] * 4, 1e8)
    laws = _fake("laws", [0.6, 0.5, 0.7, 0.55], 2e8)
    eco = _fake("eco_compensation", [0.52, 0.6, 0.62, 0.5], 1.5e8)
    rows = {r["countermeasure"]: r for r in countermeasure_ranking([base, laws, eco])}
    assert rows["laws"]["probability_best"] == 0.5
    assert rows["eco_compensation"]["probability_best"] == 0.5
    assert rows["laws"]["extra_cost"] == 1e8 and rows["eco_compensation"]["extra_cost"] == 0.5e8
    assert (rows["laws"]["rank_q05"], rows["laws"]["rank_q95"]) == (1, 2)
    assert rows["eco_compensation"]["gain_per_1e8_yuan"] == pytest.approx(
        np.median([0.04, 0.2, 0.24, 0.0])
    )
    # without a baseline there is nothing to rank against
    assert countermeasure_ranking([laws, eco]) == []


def test_resampling_is_systematic_and_seeded():
    post = pd.DataFrame({"noise": [0.01, 0.05], "weight": [0.25, 0.75]})
    a = resample_posterior(post, 8, seed=4)
    # systematic resampling gives each particle floor or ceil of n * weight copies: 2 and 6
    assert sorted(a["noise"].value_counts().to_dict().items()) == [(0.01, 2), (0.05, 6)]
    pd.testing.assert_frame_equal(a, resample_posterior(post, 8, seed=4))


def test_same_seed_same_posterior_run():
    post = _equal_posterior({"noise": 0.03}, rows=1)
    post = pd.concat([post, pd.DataFrame({"noise": [0.07], "weight": [1.0]})], ignore_index=True)
    a = run_scenarios(
        _scenarios("baseline", "laws", years=2), replications=2, posterior=post, draws=4, seed=5
    )
    b = run_scenarios(
        _scenarios("baseline", "laws", years=2), replications=2, posterior=post, draws=4, seed=5
    )
    assert a.summary() == b.summary()
