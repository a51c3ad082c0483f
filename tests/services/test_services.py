"""The service layer: the functions the command line and the dashboard share."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from coopgov.cli.main import app
from coopgov.dynamics.outcomes import OUTCOMES, REGIONAL_SERIES, regional_series
from coopgov.errors import InputError
from coopgov.experiments.spec import VARIABLES
from coopgov.games.emission import calibrate_emission_game, solve_emission_game
from coopgov.io import OUTPUT_MANIFEST, OutputRefused
from coopgov.region import load_region
from coopgov.services.compensation import choose_bet_scheme
from coopgov.services.games import (
    emission_game_analysis,
    region_emission_game,
    river_parents,
    river_sharing,
)
from coopgov.services.run import run_payload, strict_json, write_run_outputs

runner = CliRunner()


# --------------------------------------------------------------------------- compensation
@pytest.mark.parametrize(
    ("year", "name"),
    [
        (2012, "xinan-round1"),
        (2014, "xinan-round1"),
        (2016, "xinan-round2"),
        (2020, "xinan-round3"),
    ],
)
def test_round_by_year(year, name):
    # the rounds' years: 2012-2014, 2015-2017, 2018-2020 (docs/compensation.md)
    assert choose_bet_scheme(year=year).name == name


def test_round_choice_refusals(tmp_path):
    with pytest.raises(InputError, match="no bundled round") as err:
        choose_bet_scheme(year=2030)
    assert (err.value.field, err.value.value) == ("year", 2030)
    with pytest.raises(InputError, match="1, 2 or 3"):
        choose_bet_scheme(round_=4)
    with pytest.raises(InputError, match="not both"):
        choose_bet_scheme(round_=1, config=tmp_path / "x.toml")
    with pytest.raises(InputError, match="give --round"):
        choose_bet_scheme()
    assert choose_bet_scheme(round_=2, year=2030).name == "xinan-round2"  # round wins


# --------------------------------------------------------------------------- games
def test_region_game_is_the_calibrated_game_of_the_region_data():
    reg = load_region("yrd")
    game = region_emission_game(reg, "so2")
    direct = calibrate_emission_game(
        reg.emissions["so2"].to_numpy(float),
        np.asarray(reg.air_transfer),
        reg.cities["population"].to_numpy(float),
        reg.cities["gdp"].to_numpy(float),
        names=tuple(reg.cities["name_en"]),
    )
    a, b = solve_emission_game(game), solve_emission_game(direct)
    np.testing.assert_array_equal(a.gain, b.gain)
    with pytest.raises(InputError, match="unknown pollutant") as err:
        region_emission_game(reg, "co2")
    assert err.value.value == "co2"


def test_emission_analysis_invariants():
    an = emission_game_analysis(load_region("yrd"), "nox", permutations=200, seed=1)
    res = an.result
    # Chander-Tulkens and equal-surplus transfers are budget-balanced, and every city
    # ends at least as well off as at Nash with them (Chander & Tulkens 1997)
    assert abs(an.chander_tulkens.sum()) <= 1e-6 * np.abs(res.payoff_nash).sum()
    assert abs(an.equal_surplus.sum()) <= 1e-6 * np.abs(res.payoff_nash).sum()
    assert np.all(res.gain + an.chander_tulkens >= -1e-6 * np.abs(res.payoff_nash).max())
    assert an.shapley is not None and an.shapley.n_permutations == 200
    # efficiency: the sampled Shapley values share out the whole cooperative gain
    assert an.shapley.value.sum() == pytest.approx(res.total_gain, rel=1e-9)
    assert emission_game_analysis(load_region("yrd"), "nox").shapley is None


def test_cli_and_dashboard_report_the_same_game():
    from coopgov.web.payloads import allocation_payload

    res = runner.invoke(
        app, ["games", "emissions", "--pollutant", "so2", "--permutations", "0"] + ["--json"]
    )
    assert res.exit_code == 0, res.output
    cli = json.loads(res.output)
    web = allocation_payload("chander_tulkens", pollutant="so2")
    assert [c["adcode"] for c in cli["cities"]] == web["adcodes"]
    np.testing.assert_allclose(
        [c["transfer_chander_tulkens_yuan"] for c in cli["cities"]], web["values"], atol=0.5
    )
    assert cli["total_gain_yuan"] == pytest.approx(web["total_gain"], rel=1e-12)


def test_river_sharing_on_a_line_by_hand():
    # Ni & Wang (2007) on a line source -> mouth with costs 6, 6, 6: UES shares each
    # segment's cost among it and every segment upstream: (6+3+2, 3+2, 2)
    parent = np.array([1, 2, -1])
    np.testing.assert_allclose(river_sharing(np.array([6.0, 6, 6]), parent, "ues"), [11, 5, 2])
    np.testing.assert_allclose(river_sharing(np.array([6.0, 6, 6]), parent, "des"), [2, 5, 11])
    np.testing.assert_allclose(river_sharing(np.array([6.0, 6, 6]), parent, "lrs"), [6, 6, 6])
    with pytest.raises(InputError, match="unknown river-sharing method"):
        river_sharing(np.ones(3), parent, "xyz")


@st.composite
def forests(draw):
    n = draw(st.integers(1, 12))
    # city k drains to a city of larger index (or is a mouth): a forest, no cycle
    parent = [draw(st.sampled_from([-1, *range(k + 1, n)])) for k in range(n)]
    costs = draw(st.lists(st.floats(0, 1e6), min_size=n, max_size=n))
    return np.array(costs), np.array(parent, dtype=np.int64)


@settings(max_examples=60, deadline=None)
@given(forest=forests(), method=st.sampled_from(["lrs", "ues", "des"]))
def test_river_sharing_shares_each_tree_exactly(forest, method):
    costs, parent = forest
    shares = river_sharing(costs, parent, method)
    assert np.all(shares >= -1e-9 * max(1.0, costs.sum()))
    root = np.arange(parent.size)
    for _ in range(parent.size):
        root = np.where(parent[root] >= 0, parent[root], root)
    for mouth in np.unique(root):
        tree = root == mouth
        assert shares[tree].sum() == pytest.approx(costs[tree].sum(), rel=1e-9, abs=1e-6)


def test_river_parents_of_the_region_form_a_forest():
    reg = load_region("yrd")
    parent = river_parents(reg)
    assert (
        parent.shape == (reg.n,) and np.all(parent < reg.n) and np.all(parent != np.arange(reg.n))
    )


# --------------------------------------------------------------------------- outcomes
def test_outcome_names_are_declared_once():
    assert set(VARIABLES) == set(OUTCOMES)
    assert all(VARIABLES[k] == OUTCOMES[k].aggregate for k in OUTCOMES)
    assert set(REGIONAL_SERIES) <= set(OUTCOMES)


# --------------------------------------------------------------------------- run outputs
@pytest.fixture(scope="module")
def small_run():
    from coopgov.scenarios import load_builtin
    from coopgov.scenarios.run import run_scenarios

    return run_scenarios([load_builtin("baseline")], years=2, replications=0)


def test_regional_series_are_the_tables_columns(small_run):
    r = small_run.results[0]
    series = regional_series(r.simulation, r.index)
    regional = small_run.tables()["regional"]
    for name in REGIONAL_SERIES:
        o = OUTCOMES[name]
        np.testing.assert_array_equal(regional[o.column].to_numpy(), series[o.regional])
    assert series["cooperation_rate"].shape == r.simulation.years.shape


def test_write_run_outputs(tmp_path, small_run):
    payload = run_payload(small_run, seed=1, replications=0)
    out = write_run_outputs(small_run, tmp_path / "rep", payload=payload)
    assert (out / OUTPUT_MANIFEST).is_file() and (out / "report.html").is_file()
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary == strict_json(payload) and summary["region"] == "yrd"
    regional = pd.read_parquet(out / "regional.parquet")
    assert {OUTCOMES[o].column for o in REGIONAL_SERIES} <= set(regional.columns)
    # a folder coopgov did not write is refused and left as it was
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep", encoding="utf-8")
    with pytest.raises(OutputRefused):
        write_run_outputs(small_run, mine, payload=payload)
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]


def test_strict_json_has_no_nan():
    got = strict_json({"a": np.float64("nan"), "b": np.arange(2), "c": (np.bool_(True), 1.5)})
    assert got == {"a": None, "b": [0, 1], "c": [True, 1.5]}
    json.dumps(got, allow_nan=False)
