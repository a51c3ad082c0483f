"""Scenario files: format, built-ins, and located errors."""

import numpy as np
import pytest

from coopgov.errors import InputError
from coopgov.model.levers import COUNTERMEASURES, LEVER_NAMES
from coopgov.scenarios import builtin_names, builtin_scenarios, load_builtin, load_scenario


def _write(tmp_path, text):
    p = tmp_path / "s.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_schedule_is_a_step_function(tmp_path):
    p = _write(
        tmp_path,
        'name = "x"\nstart_year = 2020\nyears = 6\n'
        "[levers]\nlaws = 0.5\njoint_mechanism = { 2022 = 0.4, 2024 = 1.0 }\n",
    )
    s = load_scenario(p)
    m = s.intensity()
    np.testing.assert_allclose(m[:, LEVER_NAMES.index("laws")], [0.5] * 6)
    np.testing.assert_allclose(
        m[:, LEVER_NAMES.index("joint_mechanism")], [0, 0, 0.4, 0.4, 1.0, 1.0]
    )


def test_a_month_counts_in_its_year_by_the_months_in_force(tmp_path):
    # "2021-10" = 0.6: in force for October-December of 2021, i.e. 3/12 of the year
    p = _write(
        tmp_path, 'name = "x"\nstart_year = 2020\nyears = 3\n[levers]\nlaws = { "2021-10" = 0.6 }\n'
    )
    m = load_scenario(p).intensity()
    np.testing.assert_allclose(m[:, LEVER_NAMES.index("laws")], [0.0, 0.15, 0.6])


def test_scoped_lever_applies_to_its_provinces_and_cities_only(tmp_path):
    from coopgov.model import city_data
    from coopgov.region import load_region

    city = city_data(load_region("yrd"))
    p = _write(
        tmp_path,
        'name = "x"\nstart_year = 2020\nyears = 2\n'
        '[[levers.laws]]\nprovinces = ["Anhui"]\ncities = [310100]\n'
        "schedule = { 2021 = 1.0 }\n",
    )
    m = load_scenario(p).intensity(city=city)[:, LEVER_NAMES.index("laws")]
    inside = (city.province == "Anhui") | (city.adcode == 310100)
    np.testing.assert_allclose(m[1, inside], 1.0)
    np.testing.assert_allclose(m[1, ~inside], 0.0)
    np.testing.assert_allclose(m[0], 0.0)


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ('[[levers.laws]]\nprovinces = ["Atlantis"]\nschedule = 1.0\n', "levers.laws.provinces"),
        ("[[levers.laws]]\ncities = [999999]\nschedule = 1.0\n", "levers.laws.cities"),
    ],
)
def test_unknown_scope_names_the_field(tmp_path, text, field):
    from coopgov.model import city_data
    from coopgov.region import load_region

    p = _write(tmp_path, 'name = "x"\n' + text)
    with pytest.raises(InputError) as exc:
        load_scenario(p).intensity(city=city_data(load_region("yrd")))
    assert exc.value.field == field


def test_continuation_starts_where_its_base_ends():
    base = load_builtin("history")
    cur = load_builtin("baseline")
    assert cur.start_from == "history"
    assert cur.start_year == base.start_year + base.years


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [
        ('name = "x"\n[levers]\nbogus = 1.0\n', "levers", None),
        ('name = "x"\n[levers]\nlaws = 1.5\n', "levers", None),
        ('name = "x"\n[parameters]\nnot_a_parameter = 1\n', "parameters.not_a_parameter", 1),
        ('name = "x"\n[parameters]\nabatement_rate = -0.1\n', "parameters.abatement_rate", -0.1),
        ('name = "x"\nyears = 0\n', "years", 0),
        ('name = "x"\ncolour = "red"\n', "colour", "red"),
    ],
)
def test_bad_scenarios_name_file_field_and_value(tmp_path, text, field, value):
    p = _write(tmp_path, text)
    with pytest.raises(InputError) as exc:
        load_scenario(p)
    err = exc.value
    assert err.file == str(p)
    assert err.field is not None and err.field.startswith(field)
    if value is not None:
        assert err.value == value


def test_invalid_toml_names_the_file(tmp_path):
    p = _write(tmp_path, "name = \n")
    with pytest.raises(InputError, match="not valid TOML"):
        load_scenario(p)


def test_builtins_cover_every_countermeasure_history_and_package():
    names = builtin_names()
    assert {"baseline", "history", "package", "counterfactual", *COUNTERMEASURES} <= set(names)
    assert "central_campaign" not in names  # a historical institution, not a countermeasure
    assert len(builtin_scenarios()) == len(names)
    history = load_builtin("history")
    assert (history.start_year, history.start_year + history.years - 1) == (2005, 2025)
    m = history.intensity()  # per city: the 2008 agreement had three members
    jm = m[:, LEVER_NAMES.index("joint_mechanism")]
    years = history.calendar
    from coopgov.model import city_data
    from coopgov.region import load_region

    city = city_data(load_region("yrd"))
    anhui = city.province == "Anhui"
    assert np.all(jm[years == 2007] == 0)
    # signed in December 2008 by Shanghai, Jiangsu and Zhejiang: one month of 2008
    np.testing.assert_allclose(jm[years == 2008][0, ~anhui], 0.1 / 12)
    assert np.all(jm[years == 2008][0, anhui] == 0) and np.all(jm[years == 2014][0, anhui] > 0)
    assert np.all(np.diff(jm, axis=0) >= 0)
    # the 2013 Action Plan from September: 4/12 of 2013
    camp = m[:, LEVER_NAMES.index("central_campaign")]
    np.testing.assert_allclose(camp[years == 2013], 4 / 12)
    package = load_builtin("package").intensity(LEVER_NAMES)
    cm = [LEVER_NAMES.index(n) for n in COUNTERMEASURES]
    assert np.all(package[:, cm] == 1.0)


def test_unknown_builtin():
    with pytest.raises(InputError, match="no built-in scenario"):
        load_builtin("utopia")
