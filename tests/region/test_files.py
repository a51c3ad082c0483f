"""Loading a region from files, and the located errors for bad files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from coopgov.cli.main import app
from coopgov.errors import InputError
from coopgov.region import load_region

CITIES = (
    "adcode,name_zh,name_en,province,lon,lat,area_km2,population,gdp,secondary_share,"
    "budget_revenue\n"
    """1,甲,Alpha,P1,118.0,31.0,5000,1000000,5e10,0.4,4e9
2,乙,Beta,P1,118.6,31.2,4000,2000000,8e10,0.5,5e9
3,丙,Gamma,P2,119.2,31.0,6000,1500000,3e10,0.3,2e9
"""
)
ADJ = "a,b\n1,2\n2,3\n"
EMIS = "adcode,so2,nox,pm,cod,nh3n\n1,100,200,50,300,10\n2,150,250,60,400,12\n3,80,90,20,100,5\n"


def write_region(tmp_path: Path, **files: str) -> Path:
    base = {"cities.csv": CITIES, "adjacency.csv": ADJ, "emissions.csv": EMIS}
    base.update({k[::-1].replace("_", ".", 1)[::-1]: v for k, v in files.items()})
    for name, text in base.items():
        if text is not None:
            (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_valid_region(tmp_path):
    rivers = "upstream,downstream,river,decay\n1,2,R,0.1\n2,3,R,0.2\n"
    r = load_region(write_region(tmp_path, rivers_csv=rivers))
    assert r.n == 3 and r.name == tmp_path.name
    assert r.neighbours(2) == [1, 3]
    assert r.water_transfer[0, 2] == pytest.approx(0.9 * 0.8)
    assert (r.air_transfer.sum(1) <= 1).all()
    # fiscal capacity by hand: revenue per head 4000, 2500, 1333.3; regional 11e9/4.5e6
    np.testing.assert_allclose(r.fiscal_capacity, np.array([4000, 2500, 4000 / 3]) / (11e9 / 4.5e6))


def test_transfer_csv_matrix_and_long(tmp_path):
    root = write_region(tmp_path)
    m = tmp_path / "T.csv"
    m.write_text("adcode,1,2,3\n1,0.5,0.2,0\n2,0.1,0.6,0.1\n3,0,0,0.9\n")
    r = load_region(root, transfer_csv=m)
    assert r.air_transfer[1, 2] == pytest.approx(0.1) and r.air_kernel == {}
    long = tmp_path / "L.csv"
    long.write_text("source,receptor,share\n1,1,0.5\n1,2,0.3\n3,2,0.2\n")
    r = load_region(root, transfer_csv=long)
    assert r.air_transfer[0, 1] == pytest.approx(0.3) and r.air_transfer[2, 2] == 0


def test_emissions_in_cities_csv(tmp_path):
    cities = CITIES.splitlines()
    emis = EMIS.splitlines()
    merged = [c + "," + ",".join(e.split(",")[1:]) for c, e in zip(cities, emis, strict=True)]
    write_region(tmp_path, cities_csv="\n".join(merged) + "\n", emissions_csv=None)
    r = load_region(tmp_path)
    assert r.emissions["cod"].tolist() == [300, 400, 100]


def check(exc: InputError, file: str, row: int | None, field: str | None, value) -> None:
    assert exc.file is not None and exc.file.endswith(file)
    assert exc.row == row
    assert exc.field == field
    assert exc.value == value
    msg = str(exc)
    assert file in msg
    if row is not None:
        assert f"row {row}" in msg
    if field is not None:
        assert repr(field) in msg
    if value is not None:
        assert repr(value) in msg


def load_err(root: Path, **kw) -> InputError:
    with pytest.raises(InputError) as exc:
        load_region(root, **kw)
    return exc.value


def test_unknown_adcode_in_adjacency(tmp_path):
    e = load_err(write_region(tmp_path, adjacency_csv="a,b\n1,2\n2,9\n"))
    check(e, "adjacency.csv", 3, "b", "9")  # line 3 of the file (header = line 1)


def test_duplicate_adcode(tmp_path):
    bad = CITIES + "2,丁,Delta,P2,119.0,30.0,100,10,1,0.1,1\n"
    e = load_err(write_region(tmp_path, cities_csv=bad))
    check(e, "cities.csv", 5, "adcode", "2")  # the 4th city, line 5
    assert "duplicate" in e.reason and "row 3" in e.reason


def test_asymmetric_adjacency(tmp_path):
    m = "adcode,1,2,3\n1,0,1,0\n2,1,0,1\n3,0,0,0\n"
    e = load_err(write_region(tmp_path, adjacency_csv=m))
    check(e, "adjacency.csv", 3, "3", 1)  # row of city 2 = line 3
    assert "asymmetric" in e.reason


def test_symmetric_matrix_adjacency_loads(tmp_path):
    m = "adcode,1,2,3\n1,0,1,0\n2,1,0,1\n3,0,1,0\n"
    r = load_region(write_region(tmp_path, adjacency_csv=m))
    assert r.adjacency.sum() == 4


def test_negative_value(tmp_path):
    bad = CITIES.replace("2,乙,Beta,P1,118.6,31.2,4000,2000000", "2,乙,Beta,P1,118.6,31.2,4000,-5")
    e = load_err(write_region(tmp_path, cities_csv=bad))
    check(e, "cities.csv", 3, "population", "-5")


def test_negative_emission(tmp_path):
    e = load_err(write_region(tmp_path, emissions_csv=EMIS.replace("3,80,90", "3,80,-90")))
    check(e, "emissions.csv", 4, "nox", "-90")


def test_transfer_row_over_one(tmp_path):
    root = write_region(
        tmp_path, transfer_csv="adcode,1,2,3\n1,0.5,0.2,0\n2,0.5,0.6,0.1\n3,0,0,0.9\n"
    )
    e = load_err(root)
    check(e, "transfer.csv", 3, "row sum", 1.2)


def test_transfer_negative_share(tmp_path):
    root = write_region(
        tmp_path, transfer_csv="adcode,1,2,3\n1,0.5,0.2,0\n2,0.1,0.6,0.1\n3,0,-0.1,0.9\n"
    )
    check(load_err(root), "transfer.csv", 4, "2", "-0.1")


def test_comment_and_blank_lines_count_as_rows(tmp_path):
    # line 1 comment, 2 blank, 3 header, 4 city 1, 5 comment, 6 city 2 (bad), 7 city 3
    lines = CITIES.splitlines()
    bad = ["# a comment", "", lines[0], lines[1], "# note", lines[2].replace("8e10", "x"), lines[3]]
    e = load_err(write_region(tmp_path, cities_csv="\n".join(bad) + "\n"))
    check(e, "cities.csv", 6, "gdp", "x")


@given(
    before=st.lists(st.sampled_from(["# c", "", "  ", "#,x,y"]), max_size=4),
    between=st.lists(st.sampled_from(["# c", ""]), max_size=4),
)
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_row_is_the_line_of_the_file(tmp_path, before, between):
    # the bad emission row is named by its line whatever comments and blanks precede it
    lines = EMIS.splitlines()
    text = [*before, lines[0], lines[1], *between, lines[2].replace(",250,", ",-250,"), lines[3]]
    root = write_region(tmp_path, emissions_csv="\n".join(text) + "\n")
    line = len(before) + 3 + len(between)
    check(load_err(root), "emissions.csv", line, "nox", "-250")


def test_transfer_matrix_in_any_order(tmp_path):
    root = write_region(tmp_path)
    m = tmp_path / "T.csv"
    m.write_text("# shares\nadcode,3,1,2\n2,0.1,0.1,0.6\n3,0.9,0,0\n1,0,0.5,0.2\n")
    r = load_region(root, transfer_csv=m)
    np.testing.assert_allclose(r.air_transfer, [[0.5, 0.2, 0], [0.1, 0.6, 0.1], [0, 0, 0.9]])


@pytest.mark.parametrize(
    ("text", "row", "field", "value", "reason"),
    [
        # an unknown adcode as a row label (line 4) and as a column label (header, line 2)
        ("#\nadcode,1,2,3\n1,0,0,0\n9,0,0,0\n3,0,0,0\n", 4, "adcode", "9", "unknown adcode"),
        ("#\nadcode,1,9,3\n1,0,0,0\n2,0,0,0\n3,0,0,0\n", 2, "column 3", "9", "unknown adcode"),
        ("adcode,1,2,3\n1,0,0,0\n1,0,0,0\n3,0,0,0\n", 3, "adcode", "1", "given twice"),
        ("adcode,1,2,2.0\n1,0,0,0\n2,0,0,0\n3,0,0,0\n", 1, "column 4", "2.0", "given twice"),
        ("adcode,1,2,3\n1,0,0,0\n3,0,0,0\n", None, "adcode", 2, "no row"),
        ("adcode,1,3\n1,0,0\n2,0,0\n3,0,0\n", 1, "adcode", 2, "no column"),
        ("adcode,1,2,3\n1,0,0,0\n\n2,0,x,0\n3,0,0,0\n", 4, "2", "x", "not a number"),
    ],
)
def test_transfer_matrix_errors_are_located(tmp_path, text, row, field, value, reason):
    root = write_region(tmp_path)
    (tmp_path / "T.csv").write_text(text)
    e = load_err(root, transfer_csv=tmp_path / "T.csv")
    check(e, "T.csv", row, field, value)
    assert reason in e.reason


@pytest.mark.parametrize(
    ("text", "row", "field", "value", "reason"),
    [
        ("source,receptor,share\n1,1,0.5\n# c\n1,9,0.3\n", 4, "receptor", "9", "unknown adcode"),
        ("source,receptor,share\n1,1,0.5\n8,2,0.3\n", 3, "source", "8", "unknown adcode"),
        ("source,receptor,share\n1,1,0.5\n\n1,1,0.3\n", 4, "receptor", "1", "duplicate pair"),
        ("source,receptor,share\n1,1,0.5\n2,2,0.3\n1,3,0.7\n", 4, "share", 1.2, "more than 1"),
        ("source,receptor,share\n1,1,-0.5\n", 2, "share", "-0.5", ">= 0"),
    ],
)
def test_long_transfer_errors_are_located(tmp_path, text, row, field, value, reason):
    root = write_region(tmp_path)
    (tmp_path / "L.csv").write_text(text)
    e = load_err(root, transfer_csv=tmp_path / "L.csv")
    check(e, "L.csv", row, field, value)
    assert reason in e.reason


def test_matrix_and_long_transfer_name_unknown_adcodes_alike(tmp_path):
    root = write_region(tmp_path)
    (tmp_path / "T.csv").write_text("adcode,1,2,3\n1,0,0,0\n9,0,0,0\n3,0,0,0\n")
    (tmp_path / "L.csv").write_text("source,receptor,share\n9,1,0.5\n")
    a = load_err(root, transfer_csv=tmp_path / "T.csv")
    b = load_err(root, transfer_csv=tmp_path / "L.csv")
    assert a.reason == b.reason == "unknown adcode (not in cities.csv)"


def test_adjacency_matrix_labels(tmp_path):
    m = "adcode,1,2,7\n1,0,1,0\n2,1,0,1\n3,0,1,0\n"
    check(load_err(write_region(tmp_path, adjacency_csv=m)), "adjacency.csv", 1, "column 4", "7")


def test_missing_column(tmp_path):
    bad = "\n".join(",".join(line.split(",")[:-1]) for line in CITIES.splitlines()) + "\n"
    e = load_err(write_region(tmp_path, cities_csv=bad))
    check(e, "cities.csv", 1, "budget_revenue", None)  # the header's line
    assert "missing column" in e.reason


def test_non_numeric_value(tmp_path):
    bad = CITIES.replace("5e10", "lots")
    check(load_err(write_region(tmp_path, cities_csv=bad)), "cities.csv", 2, "gdp", "lots")


def test_share_out_of_range(tmp_path):
    bad = CITIES.replace(",0.5,5e9", ",1.5,5e9")
    check(
        load_err(write_region(tmp_path, cities_csv=bad)), "cities.csv", 3, "secondary_share", "1.5"
    )


def test_bad_rivers(tmp_path):
    root = write_region(
        tmp_path, rivers_csv="upstream,downstream,river,decay\n1,2,R,0.1\n2,3,R,abc\n"
    )
    check(load_err(root), "rivers.csv", 3, "decay", "abc")
    (tmp_path / "rivers.csv").write_text("upstream,downstream,river,decay\n1,7,R,0.1\n")
    check(load_err(root), "rivers.csv", 2, "downstream", "7")


def test_missing_emissions(tmp_path):
    e = load_err(write_region(tmp_path, emissions_csv=None))
    assert "emissions" in e.reason and e.file.endswith("cities.csv")


def test_unknown_region_name():
    with pytest.raises(InputError, match="no bundled region"):
        load_region("atlantis")


# ------------------------------------------------------------------ CLI

runner = CliRunner()


def test_cli_json():
    res = runner.invoke(app, ["region", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["name"] == "yrd" and len(data["cities"]) == 41
    sh = next(c for c in data["cities"] if c["adcode"] == 310100)
    assert sh["name_zh"] == "上海" and set(sh["neighbours"]) >= {320500, 330400, 320600}
    assert isinstance(sh["population"], int)


def test_cli_table_and_path(tmp_path):
    res = runner.invoke(app, ["region"])
    assert res.exit_code == 0 and "310100" in res.output and "上海" in res.output
    res = runner.invoke(app, ["region", "--path", str(write_region(tmp_path)), "--json"])
    assert res.exit_code == 0 and json.loads(res.output)["n"] == 3


def test_cli_bad_file(tmp_path):
    root = write_region(tmp_path, adjacency_csv="a,b\n1,2\n2,9\n")
    res = runner.invoke(app, ["region", "--path", str(root), "--json"])
    assert res.exit_code == 2
    err = json.loads(res.output)
    assert err["row"] == 3 and err["field"] == "b" and err["value"] == "9"


def test_undocumented_status_is_located(tmp_path):
    stats = (
        "adcode,field,value,unit,year,status,source,note\n"
        "1,gdp,5e10,yuan,2022,secondary,a text,\n"
        "2,gdp,8e10,yuan,2022,unverified,a text,\n"
    )
    root = write_region(tmp_path, statistics_csv=stats)
    with pytest.raises(InputError) as e:
        load_region(root)
    msg = str(e.value)
    assert "statistics.csv" in msg and "row 3" in msg and "status" in msg and "unverified" in msg


def test_figure_without_source_is_located(tmp_path):
    stats = "adcode,field,value,unit,year,status,source,note\n1,gdp,5e10,yuan,2022,official,,\n"
    with pytest.raises(InputError, match="source"):
        load_region(write_region(tmp_path, statistics_csv=stats))


def test_outlets_over_the_load_are_located(tmp_path):
    rivers = "upstream,downstream,river,decay,share\n1,2,R,0.1,0.8\n"
    outlets = "adcode,outlet,river,share\n1,sea,R,0.3\n"
    with pytest.raises(InputError) as e:
        load_region(write_region(tmp_path, rivers_csv=rivers, river_outlets_csv=outlets))
    assert "river_outlets.csv" in str(e.value) and "row 2" in str(e.value)


def test_outlets_count_as_own_reach(tmp_path):
    rivers = "upstream,downstream,river,decay,share\n1,2,R,0.1,0.5\n"
    outlets = "adcode,outlet,river,share\n1,sea,R,0.5\n3,sea,S,1\n"
    r = load_region(write_region(tmp_path, rivers_csv=rivers, river_outlets_csv=outlets))
    assert r.water_transfer[2, 2] == 1.0 and r.water_transfer[0, 1] == pytest.approx(0.45)
    assert list(r.river_outlets["adcode"]) == [1, 3]


def test_cli_sources_json():
    res = CliRunner().invoke(app, ["region", "--sources", "--json"])
    assert res.exit_code == 0
    d = json.loads(res.output)
    assert set(d["counts"]) <= set(d["statuses"])
    cities = [
        f
        for f in d["figures"]
        if f["field"] == "gdp" and 310000 < f["adcode"] < 350000 and f["adcode"] % 10000
    ]
    assert len(cities) == 41
    assert all(f["source"] and f["year"] == 2022 for f in cities)
    res = CliRunner().invoke(app, ["region", "--sources"])
    assert res.exit_code == 0 and "status" in res.output
