"""Levers applied in rounds equal the lever-by-lever definition."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coopgov.model import ModelParameters
from coopgov.model import levers as levers_module
from coopgov.model.levers import LEVER_NAMES, LEVERS, Lever, apply_levers, apply_levers_table
from coopgov.model.parameters import PARAMETER_INFO, parameter_table, stack_parameters
from coopgov.testing import strategies as cst
from coopgov.testing.reference import levers_one_at_a_time


@given(
    sets=st.lists(cst.parameter_sets(), min_size=1, max_size=3),
    seed=st.integers(0, 2**32 - 1),
    per_city=st.booleans(),
)
@settings(max_examples=60, deadline=None)
def test_rounds_equal_the_lever_by_lever_definition(sets, seed, per_city):
    rng = np.random.default_rng(seed)
    s_n, y_n, n, l_n = len(sets), 3, 4, len(LEVER_NAMES)
    shape = (s_n, y_n, l_n, n) if per_city else (s_n, y_n, l_n)
    on = rng.random(l_n) < 0.6  # some levers off
    intensity = rng.random(shape) * on.reshape((1, 1, l_n) + (1,) * (len(shape) - 3))
    params = stack_parameters([ModelParameters(p) for p in sets])
    want = levers_one_at_a_time(params, intensity, LEVER_NAMES)
    for got in (
        apply_levers(params, intensity),
        apply_levers_table(parameter_table([ModelParameters(p) for p in sets]), intensity),
    ):
        for k in PARAMETER_INFO:
            a, b = np.broadcast_arrays(got[k], want[k])
            np.testing.assert_array_equal(a, b, err_msg=k)


def test_two_levers_on_one_parameter_act_in_order():
    # enforcement (detection -> 0.8) then the 2013 campaign (detection -> 0.5): the campaign
    # never lowers what enforcement reached; in the other order both act upwards
    base = stack_parameters([ModelParameters({"detection": 0.1})])
    names = ["enforcement", "central_campaign"]
    got = apply_levers(base, np.full((1, 1, 2), 0.5), names)["detection"].item()
    first = 0.1 + 0.5 * (0.8 - 0.1)  # 0.45
    assert got == first + 0.5 * (0.5 - first)
    rev = apply_levers(base, np.full((1, 1, 2), 0.5), names[::-1])["detection"].item()
    first = 0.1 + 0.5 * (0.5 - 0.1)  # 0.3
    assert rev == first + 0.5 * (0.8 - first)


def test_a_changed_lever_declaration_is_read_afresh(monkeypatch):
    base = stack_parameters([ModelParameters()])
    inten = np.ones((1, 1, 1))
    assert apply_levers(base, inten, ["laws"])["law_completeness"].item() == 1.0
    changed = Lever("laws", "Laws", "法律", "5.2.1", targets={"law_completeness": 0.9})
    monkeypatch.setitem(levers_module.LEVERS, "laws", changed)
    assert apply_levers(base, inten, ["laws"])["law_completeness"].item() == pytest.approx(0.9)


def test_an_unknown_lever_or_parameter_is_a_located_error(monkeypatch):
    from coopgov.errors import InputError

    base = stack_parameters([ModelParameters()])
    with pytest.raises(InputError, match="unknown lever") as err:
        apply_levers(base, np.ones((1, 1, 1)), ["no_such_lever"])
    assert "no_such_lever" in str(err.value)
    typo = Lever("laws", "Laws", "法律", "5.2.1", targets={"law_completenes": 0.9})
    monkeypatch.setitem(levers_module.LEVERS, "laws", typo)
    with pytest.raises(InputError, match="unknown parameter") as err:
        apply_levers(base, np.ones((1, 1, 1)), ["laws"])
    assert "law_completenes" in str(err.value)


def test_a_lever_declaration_changed_in_place_is_read_afresh():
    base = stack_parameters([ModelParameters()])
    inten = np.ones((1, 1, 1))
    lever = LEVERS["laws"]
    assert apply_levers(base, inten, ["laws"])["law_completeness"].item() == 1.0
    saved = dict(lever.targets)
    try:
        lever.targets["law_completeness"] = 0.8  # type: ignore[index]
        assert apply_levers(base, inten, ["laws"])["law_completeness"].item() == pytest.approx(0.8)
    finally:
        lever.targets.clear()  # type: ignore[attr-defined]
        lever.targets.update(saved)  # type: ignore[attr-defined]
    assert apply_levers(base, inten, ["laws"])["law_completeness"].item() == 1.0


@pytest.mark.parametrize("bad", [np.nan, np.inf, -0.1, 1.5])
def test_intensities_outside_0_1_are_refused(bad):
    from coopgov.errors import InputError

    inten = np.full((1, 2, len(LEVER_NAMES)), 0.5)
    inten[0, 1, 3] = bad
    with pytest.raises(InputError, match=r"\[0, 1\]"):
        apply_levers_table(parameter_table([ModelParameters()]), inten)
