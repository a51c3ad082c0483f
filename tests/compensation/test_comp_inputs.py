"""Bad input names the file, the row, the field and the value."""

from __future__ import annotations

from pathlib import Path

import pytest

from coopgov.compensation import (
    example_path,
    list_presets,
    load_preset,
    load_scheme,
    per_tonne_assessment,
    read_measurements,
    xinan_assessment,
)
from coopgov.errors import InputError

XINAN_HEADER = "section,date,factor,value,unit\n"
GOOD_XINAN = (
    "Jiekou,2009-05-08,permanganate_index,2.0,mg/L\n"
    "Jiekou,2009-05-08,nh3_n,0.1,mg/L\n"
    "Jiekou,2009-05-08,tn,1.0,mg/L\n"
    "Jiekou,2009-05-08,tp,0.03,mg/L\n"
    "Jiekou,2012-05-08,permanganate_index,2.0,mg/L\n"
    "Jiekou,2012-05-08,nh3_n,0.1,mg/L\n"
    "Jiekou,2012-05-08,tn,1.0,mg/L\n"
    "Jiekou,2012-05-08,tp,0.03,mg/L\n"
)
PT_HEADER = "section,date,factor,value,unit,flow_m3s,downstream,contributions\n"
GOOD_PT = 'S1,2022-01-31,CODMn,7.5,mg/L,20,Changzhou,"A:60;B:40"\n'


def _csv(tmp_path: Path, text: str, name: str = "m.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _located(exc: InputError, path: Path, row, field, value) -> None:
    assert exc.file == str(path)
    assert exc.row == row
    assert exc.field == field
    assert exc.value == value
    # The message carries all four facts.
    text = str(exc)
    assert path.name in text and field in text
    if row is not None:
        assert f"row {row}" in text


def test_negative_concentration(tmp_path):
    # Data row 3 is line 5 of the file: the comment (line 1) and the header (line 2) count,
    # as an editor shows them.
    text = "# synthetic\n" + XINAN_HEADER + GOOD_XINAN.replace(",tn,1.0,", ",tn,-1.0,", 1)
    path = _csv(tmp_path, text)
    with pytest.raises(InputError) as err:
        xinan_assessment(path, "xinan-round1")
    _located(err.value, path, 5, "value", "-1.0")
    assert "negative" in err.value.reason


def test_missing_baseline(tmp_path):
    # No 2008-2010 rows for TP and no explicit baseline in the preset.
    text = XINAN_HEADER + GOOD_XINAN.replace("Jiekou,2009-05-08,tp,0.03,mg/L\n", "")
    path = _csv(tmp_path, text)
    with pytest.raises(InputError) as err:
        xinan_assessment(path, "xinan-round1")
    _located(err.value, path, None, "baseline", "tp")
    assert "missing baseline" in err.value.reason


def test_unknown_section_xinan(tmp_path):
    text = XINAN_HEADER + GOOD_XINAN + "Xiaoshan,2012-06-08,tp,0.03,mg/L\n"
    path = _csv(tmp_path, text)
    with pytest.raises(InputError) as err:
        xinan_assessment(path, "xinan-round1")
    _located(err.value, path, 10, "section", "Xiaoshan")  # data row 9 under the header


def test_unknown_section_per_tonne(tmp_path):
    # Line 3 (data row 2) has no contributions and the preset has no [sections.S9].
    path = _csv(tmp_path, PT_HEADER + GOOD_PT + "S9,2022-01-31,TP,0.3,mg/L,5,,\n")
    with pytest.raises(InputError) as err:
        per_tonne_assessment(path, "jiangsu-taihu")
    _located(err.value, path, 3, "section", "S9")
    assert "unknown section" in err.value.reason


def test_non_monotone_price_tiers_in_config(tmp_path):
    toml = """
scheme = "per_tonne"
name = "bad-tiers"
default_payee = "fund"
[factors.tp]
target = 0.2
tiers = [
  { up_to_multiple = 1.0, price = 100 },
  { up_to_multiple = 0.5, price = 200 },
  { price = 300 },
]
"""
    path = _csv(tmp_path, toml, "bad.toml")
    with pytest.raises(InputError) as err:
        load_scheme(path)
    _located(err.value, path, None, "factors.tp.tiers[1].up_to_multiple", 0.5)


def test_falling_tier_price_in_config(tmp_path):
    toml = """
scheme = "per_tonne"
name = "bad-prices"
default_payee = "fund"
[factors.nh3_n]
target = 1.0
tiers = [{ up_to_multiple = 1.0, price = 200 }, { price = 100 }]
"""
    path = _csv(tmp_path, toml, "bad.toml")
    with pytest.raises(InputError) as err:
        load_scheme(path)
    _located(err.value, path, None, "factors.nh3_n.tiers[1].price", 100.0)


@pytest.mark.parametrize(
    ("line", "field", "value", "reason"),
    [
        ("Jiekou,2012-13-40,tp,0.03,mg/L", "date", "2012-13-40", "not a date"),
        ("Jiekou,2012-06-08,chlorophyll,0.03,mg/L", "factor", "chlorophyll", "unknown factor"),
        ("Jiekou,2012-06-08,tp,abc,mg/L", "value", "abc", "not a finite number"),
        ("Jiekou,2012-06-08,tp,,mg/L", "value", "", "missing value"),
        ("Jiekou,2012-06-08,tp,0.03,g/m3x", "unit", "g/m3x", "unknown unit"),
        (",2012-06-08,tp,0.03,mg/L", "section", "", "missing section"),
    ],
)
def test_bad_rows_xinan(tmp_path, line, field, value, reason):
    path = _csv(tmp_path, XINAN_HEADER + GOOD_XINAN + line + "\n")
    with pytest.raises(InputError) as err:
        xinan_assessment(path, "xinan-round1")
    _located(err.value, path, 10, field, value)
    assert reason in err.value.reason


@pytest.mark.parametrize(
    ("line", "field", "value"),
    [
        ('S1,2022-02-28,TP,0.3,mg/L,-5,Changzhou,"A:1"', "flow_m3s", "-5"),
        ('S1,2022-02-28,TP,0.3,mg/L,,Changzhou,"A:1"', "flow_m3s", ""),
        ('S1,2022-02-28,TP,0.3,mg/L,5,Changzhou,"A:x"', "contributions", "A:x"),
        ('S1,2022-02-28,TP,0.3,mg/L,5,Changzhou,"A:-1;B:2"', "contributions", "A:-1;B:2"),
        ('S1,2022-02-28,TP,0.3,mg/L,5,Changzhou,"A:0;B:0"', "contributions", "A:0;B:0"),
        ('S1,2022-01-15,CODMn,7.0,mg/L,5,Changzhou,"A:1"', "date", "2022-01-15"),  # duplicate
    ],
)
def test_bad_rows_per_tonne(tmp_path, line, field, value):
    path = _csv(tmp_path, PT_HEADER + GOOD_PT + line + "\n")
    with pytest.raises(InputError) as err:
        per_tonne_assessment(path, "jiangsu-taihu")
    _located(err.value, path, 3, field, value)


def test_missing_column(tmp_path):
    path = _csv(tmp_path, "section,date,value\nJiekou,2012-01-01,1.0\n")
    with pytest.raises(InputError) as err:
        read_measurements(path)
    assert (err.value.file, err.value.row, err.value.field) == (str(path), 1, "factor")


def test_year_outside_round_and_missing_factor_in_year(tmp_path):
    path = _csv(tmp_path, XINAN_HEADER + GOOD_XINAN)
    with pytest.raises(InputError) as err:
        xinan_assessment(path, "xinan-round1", year=2016)
    assert (err.value.field, err.value.value) == ("year", 2016)
    path = _csv(tmp_path, XINAN_HEADER + GOOD_XINAN.replace("Jiekou,2012-05-08,tn,1.0,mg/L\n", ""))
    with pytest.raises(InputError) as err:
        xinan_assessment(path, "xinan-round1")
    assert (err.value.field, err.value.value) == ("factor", "tn")


def test_unknown_preset_and_wrong_scheme_kind():
    with pytest.raises(InputError) as err:
        load_preset("xinan-round9")
    assert (err.value.field, err.value.value) == ("preset", "xinan-round9")
    with pytest.raises(InputError) as err:
        xinan_assessment(example_path("xinan"), "jiangsu-taihu")
    assert err.value.field == "scheme"


def test_bad_toml_syntax_and_unreadable_file(tmp_path):
    path = _csv(tmp_path, "scheme = \n", "broken.toml")
    with pytest.raises(InputError) as err:
        load_scheme(path)
    assert err.value.file == str(path) and "TOML" in err.value.reason
    with pytest.raises(InputError) as err:
        read_measurements(tmp_path / "nope.csv")
    assert err.value.file == str(tmp_path / "nope.csv")


def test_every_preset_loads_and_documents_itself():
    names = list_presets()
    assert {"xinan-round1", "xinan-round2", "xinan-round3", "jiangsu-taihu"} <= set(names)
    for name in names:
        scheme = load_preset(name)
        assert scheme.name == name and scheme.sources and scheme.title


def test_microgram_unit_is_converted():
    import pandas as pd

    df = pd.DataFrame(
        [{"section": "Jiekou", "date": "2012-01-01", "factor": "TP", "value": 30.0, "unit": "µg/L"}]
    )
    assert read_measurements(df)["value_mg_l"].tolist() == [pytest.approx(0.03)]


def test_dataframe_errors_use_1_based_rows():
    import pandas as pd

    df = pd.DataFrame(
        [
            {"section": "Jiekou", "date": "2012-01-01", "factor": "TP", "value": 0.03},
            {"section": "Jiekou", "date": "2012-01-01", "factor": "TP", "value": -0.03},
        ]
    )
    with pytest.raises(InputError) as err:
        read_measurements(df)
    assert (err.value.file, err.value.row, err.value.field, err.value.value) == (
        None,
        2,
        "value",
        -0.03,
    )


def test_rows_are_file_lines_with_blank_and_comment_lines(tmp_path):
    # comment (1), blank (2), header (3), good rows (4-11), blank (12), bad row (13)
    text = "# synthetic\n\n" + XINAN_HEADER + GOOD_XINAN + "\n" + "Jiekou,2012-06-08,tp,abc,mg/L\n"
    path = _csv(tmp_path, text)
    with pytest.raises(InputError) as err:
        xinan_assessment(path, "xinan-round1")
    _located(err.value, path, 13, "value", "abc")
