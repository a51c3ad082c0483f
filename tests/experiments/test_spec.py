from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coopgov.errors import InputError
from coopgov.experiments import builtin_specs, load_spec, spec_from_dict

GOOD = """
[experiment]
name = "x"
[sampler]
method = "sobol"
n = 64
[uncertainties.jm_consultation]
[uncertainties.env_weight]
low = 0.1
high = 0.3
[[outcomes]]
name = "final_cooperation"
"""


def test_builtin_specs_load_and_answer_the_study_question():
    names = builtin_specs()
    assert {"lever-ranking", "sobol-parameters", "morris-screening"} <= set(names)
    for name in names:
        load_spec(name)
    lr = load_spec("lever-ranking")
    # baseline + the ten countermeasures of coopgov.model.levers, each scenario under each
    assert len(lr.policy_list()) == 11
    assert lr.n_runs == 200 * 11
    # Saltelli with second order: N (2D + 2) = 1024 * 34 = 34,816 runs (the brief's figure)
    assert load_spec("sobol-parameters").n_runs == 34_816


def test_sample_sizes_by_method(tiny_dict):
    d = tiny_dict
    d["sampler"] = {"method": "sobol", "n": 8, "second_order": False}
    assert spec_from_dict(d).n_scenarios == 8 * (2 + 2)  # N (D + 2)
    d["sampler"] = {"method": "morris", "n": 5, "levels": 4}
    assert spec_from_dict(d).n_scenarios == 5 * 3  # N (D + 1)
    d["sampler"] = {"method": "full_factorial", "levels": 3}
    assert spec_from_dict(d).n_scenarios == 9  # 3^2
    d["uncertainties"]["lateral_thrust"] = {"values": [0.1, 0.2, 0.5, 1.0]}
    assert spec_from_dict(d).n_scenarios == 12  # 4 x 3


def _error(tmp_path, text):
    p = tmp_path / "bad.toml"
    p.write_text(text)
    with pytest.raises(InputError) as exc:
        load_spec(p)
    assert exc.value.file == str(p)
    return exc.value


@pytest.mark.parametrize(
    "old,new,field",
    [
        (
            "[uncertainties.jm_consultation]",
            "[uncertainties.jm_consultationn]",
            "uncertainties.jm_consultationn",
        ),
        ("low = 0.1\nhigh = 0.3", "low = 0.3\nhigh = 0.3", "uncertainties.env_weight"),
        ("low = 0.1\nhigh = 0.3", "low = 0.1\nhigh = 3.0", "uncertainties.env_weight"),
        ('method = "sobol"', 'method = "sobolx"', "sampler.method"),
        ("n = 64", "n = 100", "sampler.n"),
        ('name = "x"', 'name = "x"\nreplications = 3', "experiment.replications"),
        ('name = "x"', 'name = "x"\ncolour = 3', "experiment.colour"),
    ],
)
def test_bad_specs_name_file_and_field(tmp_path, old, new, field):
    err = _error(tmp_path, GOOD.replace(old, new))
    assert err.field == field
    assert "bad.toml" in str(err)


def test_other_errors(tmp_path):
    assert "TOML" in _error(tmp_path, GOOD + "\n[[[").reason
    err = _error(
        tmp_path, GOOD.replace('method = "sobol"\nn = 64', 'method = "morris"\nn = 4\nlevels = 5')
    )
    assert err.field == "sampler.levels"
    err = _error(tmp_path, GOOD.replace("[uncertainties.env_weight]\nlow = 0.1\nhigh = 0.3", ""))
    assert err.field == "sampler.method"  # Sobol needs >= 2 factors
    with pytest.raises(InputError, match="no such spec"):
        load_spec(tmp_path / "missing.toml")


def test_policy_errors(tiny_dict):
    d = tiny_dict
    d["policies"]["single_levers"] = ["enforcement", "lawz"]
    with pytest.raises(InputError) as exc:
        spec_from_dict(d, source="s.toml")
    assert exc.value.field == "policies.single_levers[1]" and exc.value.file == "s.toml"
    d["policies"]["single_levers"] = ["enforcement"]
    d["levers"] = {"enforcement": {}}
    with pytest.raises(InputError, match="either sampled"):
        spec_from_dict(d)


@given(st.floats(0.0, 2.0), st.floats(0.0, 2.0))
def test_bounds_must_be_a_non_empty_sub_range(low, high):
    d = {
        "experiment": {"name": "h"},
        "sampler": {"method": "lhs", "n": 4},
        "uncertainties": {"lateral_thrust": {"low": low, "high": high}},  # declared [0, 2]
        "outcomes": [{"name": "y"}],
    }
    if low < high:
        assert spec_from_dict(d).n_runs == 4
    else:
        with pytest.raises(InputError, match="empty bounds"):
            spec_from_dict(d)


def test_integrator_tolerance_is_declared_checked_and_fingerprinted(tiny_dict):
    d = tiny_dict
    plain = spec_from_dict(d)
    assert plain.experiment.tolerance is None
    d["experiment"]["tolerance"] = 1e-5
    tight = spec_from_dict(d)
    assert tight.experiment.tolerance == 1e-5
    # an unset tolerance keeps the fingerprint of specs written before the option existed
    # (lever-ranking's fingerprint as computed before the option was added)
    assert load_spec("lever-ranking").fingerprint() == (
        "e577bf65169a120d9b796ed9b85c156724e206363bed781b8f277971c26a355b"
    )
    assert tight.fingerprint() != plain.fingerprint()
    for bad in (0.0, -1.0, float("nan"), float("inf")):
        d["experiment"]["tolerance"] = bad
        with pytest.raises(InputError) as exc:
            spec_from_dict(d)
        assert exc.value.field == "experiment.tolerance"
    d["experiment"]["tolerance"] = 1e-4
    d["experiment"]["integrator"] = "rk4"
    with pytest.raises(InputError, match="riccati integrator only") as exc:
        spec_from_dict(d)
    assert exc.value.field == "experiment.tolerance"
    assert exc.value.value == 1e-4
