import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coopgov.calibration.abc import abc_smc, effective_sample_size, weighted_quantile
from coopgov.calibration.baseline import annual_cooperation, emission_index, regional_pm25
from coopgov.calibration.observed import load_events, load_observed, pm25_series
from coopgov.calibration.posterior import calibrate, load_posterior, posterior_parameter_sets
from coopgov.calibration.problem import HistoryProblem, MilestoneWindow
from coopgov.errors import InputError
from coopgov.model.parameters import PARAMETER_INFO, ModelParameters

# --- observed data ---------------------------------------------------------------------------


def test_observed_series_have_source_status_and_no_interpolated_years():
    obs = load_observed()
    assert set(obs["status"]) <= {"confirmed", "secondary"}
    assert (obs["source_title"].str.len() > 0).all()
    pm = pm25_series()
    # published values (MEE releases): 2016 46, 2017 44, 2020 35, 2022 31 ug/m3
    assert pm[2016] == 46 and pm[2017] == 44 and pm[2020] == 35 and pm[2022] == 31
    # 2014 and 2023 were not found: they stay missing, never filled in
    assert 2014 not in pm.index and 2023 not in pm.index
    # every derived figure says how it was derived
    derived = obs[obs["derivation"].str.len() > 0]
    assert (derived["status"] == "secondary").all()


def test_derived_figures_reproduce_their_formula():
    # 2016 = 46 is 13.2 % below 2015 and 31.3 % below 2013 (MEP release 2017-01-04)
    assert round(46 / (1 - 0.132)) == pm25_series()[2015]
    assert round(46 / (1 - 0.313)) == pm25_series()[2013]
    assert round(35 / (1 - 0.146)) == pm25_series()[2019]


def test_events_dates_and_members():
    ev = {e.id: e for e in load_events()}
    assert ev["air_group_2014"].date == "2014-01-07"
    assert "Anhui" in ev["air_group_2014"].members
    assert "Anhui" not in ev["agreement_2008"].members
    assert ev["action_plan_2013"].month == 9


def test_bad_observed_file_is_located(tmp_path):
    f = tmp_path / "bad.csv"
    src = (load_observed().drop(columns="file").head(3)).astype(str)
    src.loc[1, "value"] = "n/a"
    src.to_csv(f, index=False)
    with pytest.raises(InputError) as exc:
        load_observed(f)
    assert exc.value.row == 2 and exc.value.field == "value" and exc.value.value == "n/a"


def test_bad_event_date_is_located(tmp_path):
    f = tmp_path / "e.toml"
    f.write_text('[[event]]\nid="x"\ndate="2014-13"\ntitle="t"\nstatus="confirmed"\nsource="s"\n')
    with pytest.raises(InputError) as exc:
        load_events(f)
    assert exc.value.field == "date" and exc.value.value == "2014-13"


# --- baseline --------------------------------------------------------------------------------


def test_emission_index_reproduces_zheng_2018_primary_pm25():
    # Zheng et al. 2018 (ACP 18, 14095): primary PM2.5 -33 % over 2013-2017
    r1 = -math.log(1 - 0.33) / 4
    e = emission_index(np.array([2010, 2013, 2017, 2019]), np.array([r1]), np.array([0.05]))
    assert e[0, 0] == 1.0 and e[0, 1] == 1.0
    assert e[0, 2] == pytest.approx(0.67)
    assert e[0, 3] == pytest.approx(0.67 * math.exp(-0.10))


def _params(**kw):
    base = {k: np.array([PARAMETER_INFO[k].default]) for k in PARAMETER_INFO}
    base.update({k: np.array([v]) for k, v in kw.items()})
    return base


def test_regional_pm25_hand_value():
    # B=10, L=70, 2013, E=1, s=0.2, x=0.5: 10 + 60 * 0.9 = 64
    p = _params(pm25_background=10.0, pm25_no_cooperation_2013=70.0, attributable_share=0.2)
    c = regional_pm25(np.array([2013]), np.array([[0.5]]), p)
    assert c[0, 0] == pytest.approx(64.0)


@settings(max_examples=60, deadline=None)
@given(
    x1=st.floats(0, 1),
    x2=st.floats(0, 1),
    s=st.floats(0, 0.5),
    bg=st.floats(3, 20),
    year=st.integers(2005, 2040),
)
def test_more_cooperation_never_raises_pm25_and_stays_above_background(x1, x2, s, bg, year):
    p = _params(attributable_share=s, pm25_background=bg)
    lo, hi = sorted((x1, x2))
    c = regional_pm25(
        np.array([year]), np.array([[lo], [hi]]), {k: np.repeat(v, 2) for k, v in p.items()}
    )
    assert c[1, 0] <= c[0, 0] + 1e-12
    assert c.min() >= bg - 1e-12


def test_annual_cooperation_is_population_weighted_trapezoid():
    coop = np.array([[[0.0, 1.0], [1.0, 1.0]]])  # S=1, Y+1=2, N=2
    x = annual_cooperation(coop, np.array([3.0, 1.0]))
    assert x[0, 0] == pytest.approx(0.5 * (0.25 + 1.0))


# --- ABC-SMC ---------------------------------------------------------------------------------


def _gaussian_mean_problem(seed=1, n=10):
    y = np.random.default_rng(seed).normal(1.3, 1.0, n)
    ybar = y.mean()

    def f(theta, rng):
        return np.abs(rng.normal(theta[:, :1], 1.0, (theta.shape[0], n)).mean(axis=1) - ybar)

    return f, ybar, 1 / math.sqrt(n)


def test_abc_smc_recovers_known_gaussian_posterior():
    # y_i ~ N(mu, 1), flat prior: posterior N(ybar, 1/n) (the sample mean is sufficient)
    f, mean, sd = _gaussian_mean_problem()
    r = abc_smc(f, [-10], [10], n_particles=1000, n_generations=10, seed=5)
    w, th = r.weights, r.particles[:, 0]
    m = w @ th
    assert m == pytest.approx(mean, abs=0.05)
    assert math.sqrt(w @ (th - m) ** 2) == pytest.approx(sd, rel=0.15)
    assert [g.epsilon for g in r.generations][1:] == sorted(
        [g.epsilon for g in r.generations][1:], reverse=True
    )


def test_abc_smc_rejects_bad_bounds():
    f, _, _ = _gaussian_mean_problem()
    with pytest.raises(ValueError):
        abc_smc(f, [1.0], [0.0])


def test_weighted_helpers():
    assert effective_sample_size(np.ones(10)) == pytest.approx(10)
    assert weighted_quantile(np.array([0.0, 1.0]), np.array([1.0, 1.0]), [0.5])[0] == 0.5


# --- the history problem and the posterior ----------------------------------------------------


def test_problem_uses_only_observations_up_to_until():
    p = HistoryProblem(until=2016)
    assert list(p.observed.index) == [2013, 2015, 2016]
    with pytest.raises(InputError):
        HistoryProblem(parameters=("no_such_parameter",))


def test_milestone_window_counts_years_outside():
    m = MilestoneWindow(first=2014, last=2018)
    miss = m.miss(np.array([2012.0, 2016.0, 2021.0]), until=2022)
    assert list(miss) == [2.0, 0.0, 3.0]
    # a crossing after `until` counts only the years knowable by then
    assert m.miss(np.array([2030.0]), until=2016)[0] == 1.0


@pytest.fixture(scope="module")
def small_calibration():
    return calibrate(until=2018, n_particles=150, n_generations=4, seed=3)


def test_small_calibration_outputs(small_calibration, tmp_path):
    cal = small_calibration
    pred = cal.predictive_table()
    assert set(pred["year"]) == set(range(2005, 2031))
    assert (pred["q05"] <= pred["q50"]).all() and (pred["q50"] <= pred["q95"]).all()
    payload = cal.to_json()
    json.dumps(payload, default=float)
    assert set(payload["posterior"]) == set(cal.problem.parameters)
    for q in payload["posterior"].values():
        assert q["q05"] <= q["q50"] <= q["q95"]
    # posterior round trip
    f = tmp_path / "posterior.parquet"
    cal.posterior_table().to_parquet(f)
    draws = load_posterior(tmp_path)
    assert draws["weight"].sum() == pytest.approx(1.0)
    sets = posterior_parameter_sets(draws, 7, seed=1)
    assert len(sets) == 7 and all(isinstance(s, ModelParameters) for s in sets)
    lo, hi = PARAMETER_INFO["attributable_share"].bounds
    assert all(lo <= s["attributable_share"] <= hi for s in sets)


def test_small_calibration_holdout_coverage(small_calibration):
    # fast version of the slow hold-out test: 2019-2022 inside the 90 % band
    hold = small_calibration.holdout()
    assert list(hold["year"]) == [2019, 2020, 2021, 2022]
    assert hold["inside"].sum() >= 3


def test_load_posterior_locates_bad_input(tmp_path):
    with pytest.raises(InputError):
        load_posterior(tmp_path / "missing.parquet")
    f = tmp_path / "p.parquet"
    pd.DataFrame({"not_a_parameter": [1.0], "weight": [1.0]}).to_parquet(f)
    with pytest.raises(InputError) as exc:
        load_posterior(f)
    assert exc.value.field == "not_a_parameter"
    pd.DataFrame({"noise": [0.01, 0.02], "weight": [1.0, -1.0]}).to_parquet(f)
    with pytest.raises(InputError) as exc:
        load_posterior(f)
    assert exc.value.row == 2 and exc.value.field == "weight"


@pytest.mark.slow
def test_holdout_2019_2022_inside_90_percent_predictive():
    cal = calibrate(until=2018, n_particles=1000, n_generations=10)
    hold = cal.holdout()
    assert len(hold) == 4
    assert hold["inside"].all(), hold
    assert cal.milestone_check()["probability_in_window"] > 0.5


@pytest.mark.slow
def test_own_abc_smc_agrees_with_pyabc_on_gaussian_mean():
    pyabc = pytest.importorskip("pyabc")
    import tempfile

    f, mean, sd = _gaussian_mean_problem()
    y = np.random.default_rng(1).normal(1.3, 1.0, 10)

    def model(p):
        return {"m": np.random.normal(p["mu"], 1.0, 10).mean()}  # noqa: NPY002

    abc = pyabc.ABCSMC(
        model,
        pyabc.Distribution(mu=pyabc.RV("uniform", -10, 20)),
        lambda a, b: abs(a["m"] - b["m"]),
        population_size=1000,
        sampler=pyabc.sampler.SingleCoreSampler(),
    )
    with tempfile.TemporaryDirectory() as d:
        abc.new(f"sqlite:///{d}/g.db", {"m": y.mean()})
        hist = abc.run(max_nr_populations=10)
        df, w = hist.get_distribution()
    pm = float(np.sum(df["mu"].to_numpy() * w))
    psd = float(np.sqrt(np.sum(w * (df["mu"].to_numpy() - pm) ** 2)))
    r = abc_smc(f, [-10], [10], n_particles=1000, n_generations=10, seed=5)
    om = float(r.weights @ r.particles[:, 0])
    osd = float(np.sqrt(r.weights @ (r.particles[:, 0] - om) ** 2))
    assert om == pytest.approx(pm, abs=0.06) and om == pytest.approx(mean, abs=0.05)
    assert osd == pytest.approx(psd, rel=0.2) and psd == pytest.approx(sd, rel=0.2)
