from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from coopgov.errors import InputError
from coopgov.experiments import SerialExecutor, run_experiment, spec_from_dict, unit_design
from coopgov.experiments.analysis import (
    analyze_experiment,
    kendall_w,
    lever_ranking,
    sobol_first_total,
    sobol_indices,
)
from coopgov.experiments.prim import prim
from coopgov.testing.strategies import bounded_arrays


def _ishigami(u):
    x = -np.pi + 2 * np.pi * u
    return np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])


def _ishigami_spec(n):
    return spec_from_dict(
        {
            "experiment": {"name": "ishigami"},
            "sampler": {"method": "sobol", "n": n, "seed": 5},
            "uncertainties": {"lateral_thrust": {}, "gdp_loss": {}, "bottom_up": {}},
            "outcomes": [{"name": "y"}],
        }
    )


def test_sobol_reproduces_ishigami_and_salib():
    # Ishigami a=7, b=0.1: analytic S1 = (0.3139, 0.4424, 0), ST = (0.5576, 0.4424, 0.2437)
    # (Saltelli et al. 2008, Global Sensitivity Analysis: The Primer, section 4.6)
    spec = _ishigami_spec(4096)
    y = _ishigami(unit_design(spec))
    first, second = sobol_indices(spec, y, num_resamples=50)
    np.testing.assert_allclose(first["S1"], [0.3139, 0.4424, 0.0], atol=0.03)
    np.testing.assert_allclose(first["ST"], [0.5576, 0.4424, 0.2437], atol=0.03)
    s13 = second.query("factor_i == 'lateral_thrust' and factor_j == 'bottom_up'")["S2"]
    assert abs(float(s13.iloc[0]) - 0.2437) < 0.06  # S13 = ST1 - S1 for Ishigami
    # the vectorised per-output estimator equals SALib's point estimates
    s1, st_ = sobol_first_total(np.column_stack([y, 3 * y + 1]), 3)
    np.testing.assert_allclose(s1[0], first["S1"], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(st_[0], first["ST"], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(s1[1], s1[0], atol=1e-12)  # invariant to affine rescaling


@st.composite
def scenario_outcomes(draw, sizes, planted):
    """Unit-cube inputs x (n, 3) and cases y = u < planted(x), u drawn in [0, 1].

    The probability of a case rises with ``planted(x)``, so that PRIM has a
    box to peel towards; repeated rows and the cube's faces are drawn too.
    """
    n = draw(sizes)
    x = draw(bounded_arrays((n, 3), 0.0, 1.0))
    u = draw(bounded_arrays(n, 0.0, 1.0))
    return x, u < planted(x)


def test_prim_finds_a_planted_box():
    rng = np.random.default_rng(0)
    x = rng.random((4000, 4))
    y = (x[:, 0] > 0.6) & (x[:, 2] < 0.3)  # 12 % of the space
    res = prim(x, y, names=list("abcd"), alpha=0.05, min_mass=0.02)
    assert res.coverage[0] == 1.0 and abs(res.density[0] - y.mean()) < 1e-12
    assert np.all(np.diff(res.mass) < 0)
    k = res.chosen
    assert res.density[k] > 0.9 and res.coverage[k] > 0.8
    box = res.box().set_index("factor")
    assert set(box.index) >= {"a", "c"}
    assert abs(box.loc["a", "low"] - 0.6) < 0.05 and abs(box.loc["c", "high"] - 0.3) < 0.05


@settings(max_examples=20, deadline=None)
@given(scenario_outcomes(st.integers(20, 150), lambda x: x[:, 1]), st.floats(0.05, 0.4))
def test_prim_trajectory_invariants(data, alpha):
    x, y = data
    n = y.size
    assume(y.any())
    res = prim(x, y, alpha=alpha, min_mass=0.1)
    assert np.all((res.coverage >= 0) & (res.coverage <= 1))
    assert np.all((res.density >= 0) & (res.density <= 1))
    assert np.all(res.mass[1:] >= 0.1 - 1e-12)
    assert np.all(res.lower <= res.upper)
    # coverage · K = density · mass · n (both count the cases inside the box)
    np.testing.assert_allclose(res.coverage * y.sum(), res.density * res.mass * n)


def test_prim_rejects_no_cases():
    with pytest.raises(InputError):
        prim(np.zeros((5, 2)), np.zeros(5, bool))


def test_kendall_w_hand_values():
    assert kendall_w(np.array([[1, 2, 3], [1, 2, 3], [1, 2, 3]])) == pytest.approx(1.0)
    assert kendall_w(np.array([[1, 2, 3], [3, 2, 1]])) == pytest.approx(0.0)
    # m=2, k=3, rankings (1,2,3),(2,1,3): R=(3,3,6), S=6, W=12*6/(4*24)=0.75
    assert kendall_w(np.array([[1, 2, 3], [2, 1, 3]])) == pytest.approx(0.75)


def test_lever_ranking_hand_example():
    t = pd.DataFrame(
        {"baseline": [0.1, 0.2, 0.3], "laws": [0.2, 0.2, 0.4], "enforcement": [0.4, 0.1, 0.6]}
    )
    table, shares, stab = lever_ranking(t)
    # effects: laws (0.1, 0, 0.1), enforcement (0.3, -0.1, 0.3): enforcement first in 2 of 3
    assert table["lever"].tolist() == ["enforcement", "laws"]
    assert table.loc[0, "mean_effect"] == pytest.approx(0.5 / 3)
    assert table.loc[0, "share_first"] == pytest.approx(2 / 3)
    assert stab["top_lever"] == "enforcement" and stab["top_share"] == pytest.approx(2 / 3)
    assert shares.loc["laws"].tolist() == pytest.approx([1 / 3, 2 / 3])
    with pytest.raises(InputError):
        lever_ranking(t.drop(columns="baseline"))


def test_analyze_lever_experiment_writes_report(tmp_path, tiny_dict):
    spec = spec_from_dict(tiny_dict)
    out = tmp_path / "r"
    run_experiment(spec, out, executor=SerialExecutor())
    an = analyze_experiment(out, num_resamples=10)
    s = json.loads((out / "analysis" / "analysis.json").read_text())
    assert s["lever_ranking"]["n_scenarios"] == 12
    assert {r["lever"] for r in s["lever_ranking"]["table"]} == {"enforcement", "joint_mechanism"}
    assert set(an.tables["city_effects"].index) == {"enforcement", "joint_mechanism"}
    html = (out / "analysis" / "report.html").read_text()
    assert html.count("plotly.js v") <= 2 and "cdn.plot.ly/plotly" not in html
    assert "Which cities respond to which lever" in html
    # the PRIM boxes: peeled, simplified and pasted, each with its table
    for key in ("prim_simplified", "prim_pasted"):
        assert 0.0 <= s[key]["density"] <= 1.0 and 0.0 <= s[key]["coverage"] <= 1.0
    assert s["prim_pasted"]["density"] >= s["prim"]["density"] - 1e-12
    assert {"prim_box", "prim_box_simplified", "prim_box_pasted"} <= set(an.tables)
    assert "Pasted (faces widened" in html


def test_analyze_sobol_and_morris(tmp_path):
    base = {
        "experiment": {"name": "s", "years": 5, "chunk_size": 64},
        "uncertainties": {"lateral_thrust": {}, "gdp_loss": {}, "central_penalty": {}},
        "outcomes": [{"name": "final_cooperation", "scope": "both"}],
    }
    out = tmp_path / "sobol"
    run_experiment(
        spec_from_dict({**base, "sampler": {"method": "sobol", "n": 16}}),
        out,
        executor=SerialExecutor(),
    )
    an = analyze_experiment(out, num_resamples=10)
    assert set(an.tables["sobol"].factor) == {"lateral_thrust", "gdp_loss", "central_penalty"}
    assert len(an.tables["sobol_city"]) == 41 * 3
    out = tmp_path / "morris"
    run_experiment(
        spec_from_dict({**base, "sampler": {"method": "morris", "n": 6}}),
        out,
        executor=SerialExecutor(),
    )
    an = analyze_experiment(out, report=False)
    m = an.tables["morris"]
    assert (m.mu_star >= m.mu.abs() - 1e-12).all()


def test_analyze_refuses_unfinished(tmp_path, tiny_dict):
    out = tmp_path / "r"
    run_experiment(spec_from_dict(tiny_dict), out, executor=SerialExecutor(), max_chunks=1)
    with pytest.raises(InputError, match="not finished"):
        analyze_experiment(out)


def test_simplify_box_drops_restrictions_that_add_nothing():
    from coopgov.experiments.prim import box_stats, simplify_box

    rng = np.random.default_rng(1)
    x = rng.random((3000, 3))
    y = x[:, 0] > 0.7
    # a box restricting the relevant x0 and, needlessly, x2
    lo, hi = simplify_box(x, y, np.array([0.7, 0.0, 0.0]), np.array([1.0, 1.0, 0.5]))
    assert lo[0] >= 0.69 and hi[2] == x[:, 2].max()
    cov, den, mass = box_stats(x, y, lo, hi)
    assert den == pytest.approx(1.0) and cov == pytest.approx(1.0)


def test_pasting_recovers_a_dense_strip_that_peeling_cut_off():
    # Cases: x0 > 0.5, plus every point with 0.8 < x1 <= 0.9.  The box
    # [0.3, 1] × [0, 0.8] has density 0.5/0.7 ≈ 0.71; the strip 0.8 < x1 <= 0.9
    # next to its upper x1 face is all cases, so pasting widens x1 to about 0.9 and
    # stops there (beyond 0.9 the density falls back to 0.71) (Friedman & Fisher
    # 1999, section 4: paste while the box mean rises).
    from coopgov.experiments.prim import box_stats, paste_box

    rng = np.random.default_rng(3)
    x = rng.random((20000, 2))
    y = (x[:, 0] > 0.5) | ((x[:, 1] > 0.8) & (x[:, 1] <= 0.9))
    lo0, hi0 = np.array([0.3, 0.0]), np.array([1.0, 0.8])
    lo, hi, steps = paste_box(x, y, lo0, hi0, alpha=0.02)
    assert steps > 0
    assert 0.88 <= hi[1] <= 0.92
    assert lo[0] == pytest.approx(0.3) and lo[1] == 0.0 and hi[0] == 1.0
    before, after = box_stats(x, y, lo0, hi0), box_stats(x, y, lo, hi)
    assert before[1] == pytest.approx(0.5 / 0.7, abs=0.02)
    # box density after: (0.7·0.8·(5/7) + 0.7·0.1) / (0.7·0.9) = 0.7460...
    assert after[1] == pytest.approx((0.56 * 5 / 7 + 0.07) / 0.63, abs=0.01)


@settings(max_examples=25, deadline=None)
@given(
    scenario_outcomes(st.integers(20, 200), lambda x: x[:, 1] * x[:, 2]),
    bounded_arrays(3, 0.0, 0.4),
    bounded_arrays(3, 0.6, 1.0),
    st.floats(0.02, 0.3),
)
def test_pasting_never_shrinks_the_box_nor_lowers_density_or_coverage(data, lo0, hi0, alpha):
    from coopgov.experiments.prim import box_stats, paste_box

    x, y = data
    assume(np.all((x >= lo0) & (x <= hi0), axis=1).any())
    lo, hi, _ = paste_box(x, y, lo0, hi0, alpha=alpha)
    assert np.all(lo <= lo0) and np.all(hi >= hi0)
    cov0, den0, _ = box_stats(x, y, lo0, hi0)
    cov, den, _ = box_stats(x, y, lo, hi)
    assert den >= den0 - 1e-12 and cov >= cov0 - 1e-12


def test_pasting_rejects_mismatched_inputs():
    from coopgov.experiments.prim import paste_box

    x = np.zeros((5, 2))
    with pytest.raises(InputError, match="one value per factor"):
        paste_box(x, np.zeros(5, bool), np.zeros(3), np.ones(3))
    with pytest.raises(InputError, match=r"\(n, D\)"):
        paste_box(x, np.zeros(4, bool), np.zeros(2), np.ones(2))
