"""Scenario files: format, built-ins, and located errors."""

import numpy as np
import pytest

from coopgov.errors import InputError
from coopgov.model.levers import LEVER_NAMES
from coopgov.scenarios import builtin_names, builtin_scenarios, load_builtin, load_scenario


def _write(tmp_path, text):
    p = tmp_path / "s.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_schedule_is_a_step_function(tmp_path):
    p = _write(tmp_path, 'name = "x"\nstart_year = 2020\nyears = 6\n'
                         '[levers]\nlaws = 0.5\njoint_mechanism = { 2022 = 0.4, 2024 = 1.0 }\n')
    s = load_scenario(p)
    m = s.intensity()
    assert m[:, LEVER_NAMES.index("laws")].tolist() == [0.5] * 6
    assert m[:, LEVER_NAMES.index("joint_mechanism")].tolist() == [0, 0, 0.4, 0.4, 1.0, 1.0]


@pytest.mark.parametrize(("text", "field", "value"), [
    ('name = "x"\n[levers]\nbogus = 1.0\n', "levers", None),
    ('name = "x"\n[levers]\nlaws = 1.5\n', "levers", None),
    ('name = "x"\n[parameters]\nnot_a_parameter = 1\n', "parameters.not_a_parameter", 1),
    ('name = "x"\n[parameters]\nabatement_rate = -0.1\n', "parameters.abatement_rate", -0.1),
    ('name = "x"\nyears = 0\n', "years", 0),
    ('name = "x"\ncolour = "red"\n', "colour", "red"),
])
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
    assert {"baseline", "history", "package", *LEVER_NAMES} <= set(names)
    assert len(builtin_scenarios()) == len(names)
    history = load_builtin("history")
    assert (history.start_year, history.start_year + history.years - 1) == (2005, 2025)
    m = history.intensity()
    jm = m[:, LEVER_NAMES.index("joint_mechanism")]
    years = history.calendar
    assert jm[years == 2007][0] == 0 and jm[years == 2008][0] > 0  # the 2008 agreement
    assert np.all(np.diff(jm) >= 0)
    package = load_builtin("package").intensity()
    assert np.all(package == 1.0)


def test_unknown_builtin():
    with pytest.raises(InputError, match="no built-in scenario"):
        load_builtin("utopia")
