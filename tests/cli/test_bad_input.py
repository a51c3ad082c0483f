"""Bad input is refused with one located line, never changed silently (issue points 4-5)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from cli_helpers import strict_json

from coopgov.region import load_region


def test_empty_list_entry_is_refused(coopgov):
    res = coopgov("allocate", "--method", "ues", "--costs", "6,,6")
    assert res.code == 2
    assert "row 2" in res.err and "empty" in res.err and res.err.count("\n") == 1
    for text in ("6,6,", ",6,6", "6, ,6"):
        assert coopgov("allocate", "--method", "lrs", "--costs", text).code == 2


def test_vector_entries_are_numbered_from_one(coopgov):
    res = coopgov("allocate", "--method", "ues", "--costs", "6,-1,6", "--json")
    assert res.code == 2
    err = json.loads(res.out)
    assert (err["row"], err["field"], err["value"]) == (2, "costs", -1.0)
    res = coopgov(
        "allocate",
        "--method",
        "ambec-sprumont",
        "--inflows",
        "1,2,-1",
        "--benefits",
        "4:1,4:1,4:1",
        "--json",
    )
    assert json.loads(res.out)["row"] == 3
    res = coopgov(
        "allocate",
        "--method",
        "ambec-sprumont",
        "--inflows",
        "1,2",
        "--benefits",
        "4:1,4",
        "--json",
    )
    assert res.code == 2 and json.loads(res.out)["row"] == 2
    res = coopgov("allocate", "--method", "ues", "--costs", "6,6,6", "--parent", "1,2.5,-1")
    assert res.code == 2 and "not an integer" in res.err


def _write_matrix(path, t, adcodes, order):
    lines = ["adcode," + ",".join(str(adcodes[j]) for j in order)]
    for i in order:
        lines.append(str(adcodes[i]) + "," + ",".join(repr(float(t[i, j])) for j in order))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_emissions_transfer_goes_through_the_region_checks(tmp_path, coopgov):
    reg = load_region("yrd")
    t = np.array(reg.air_transfer)
    ad = [int(a) for a in reg.cities["adcode"]]
    bad = t.copy()
    bad[0] *= 2.05 / bad[0].sum()  # row sums to 2.05
    _write_matrix(tmp_path / "bad.csv", bad, ad, range(len(ad)))
    for cmd in (["games", "emissions", "--permutations", "0"], ["region"]):
        res = coopgov(*cmd, "--transfer", tmp_path / "bad.csv", "--json")
        assert res.code == 2, cmd
        err = json.loads(res.out)
        assert "sum to more than 1" in err["error"]
        # the first city's row is line 2 of the file (the header is line 1)
        assert (err["row"], err["field"]) == (2, "row sum"), cmd
    # an adcode that is no city of the region, after a comment line: named by its line
    text = (tmp_path / "bad.csv").read_text(encoding="utf-8").splitlines()
    head, first, rest = text[0], text[1], text[2:]
    first = "999999" + first[first.index(",") :]
    (tmp_path / "unknown.csv").write_text(
        "\n".join(["# shares [-]", head, first, *rest]) + "\n", encoding="utf-8"
    )
    for cmd in (["games", "emissions", "--permutations", "0"], ["region"]):
        res = coopgov(*cmd, "--transfer", tmp_path / "unknown.csv", "--json")
        assert res.code == 2, cmd
        err = json.loads(res.out)
        assert err["error"] == "unknown adcode (not in cities.csv)", cmd
        assert (err["row"], err["field"], err["value"]) == (3, "adcode", "999999"), cmd
    # read by adcode: the same matrix with rows and columns reversed gives the same game
    _write_matrix(tmp_path / "rev.csv", t, ad, range(len(ad) - 1, -1, -1))
    _write_matrix(tmp_path / "fwd.csv", t, ad, range(len(ad)))
    got = [
        strict_json(
            coopgov(
                "games", "emissions", "--permutations", "0", "--json", "--transfer", tmp_path / name
            ).out
        )
        for name in ("fwd.csv", "rev.csv")
    ]
    assert got[0]["total_gain_yuan"] == pytest.approx(got[1]["total_gain_yuan"], rel=1e-12)
    assert got[0]["cities"] == got[1]["cities"]


@pytest.mark.parametrize(
    ("cmd", "name"),
    [
        (["aqi", "pm2_5=1e12"], "pm2_5"),
        (["water-class", "do=1e12"], "do"),
        (["aqi", "--period", "hour", "co=1e6"], "co"),
        (["water-class", "nh3_n=5000"], "nh3_n"),
    ],
)
def test_implausible_values_are_refused(cmd, name, coopgov):
    res = coopgov(*cmd, "--json")
    assert res.code == 2
    err = json.loads(res.out)
    assert err["field"] == name and "implausible" in err["error"]


def test_plausibility_is_configurable_and_table_top_warns(coopgov):
    res = coopgov("aqi", "pm2_5=1e12", "--implausible", "warn", "--json")
    assert res.code == 0 and "implausible" in strict_json(res.out)["warnings"][0]
    res = coopgov("water-class", "do=25", "--bound", "do=20")
    assert res.code == 2
    res = coopgov("aqi", "pm2_5=800", "--json")
    assert res.code == 0
    payload = strict_json(res.out)
    assert payload["aqi"] == 500 and "capped" in payload["warnings"][0]
    assert coopgov("aqi", "pm2_5=80", "--json").code == 0


def test_token_revoke_of_unknown_token_exits_nonzero(tmp_path, coopgov):
    store = tmp_path / "p.duckdb"
    res = coopgov("platform", "token", "revoke", "nosuch", "--store", store)
    assert res.code == 1 and "no such token" in res.err
    issued = strict_json(
        coopgov("platform", "token", "issue", "--reader", "--store", store, "--json").out
    )
    res = coopgov("platform", "token", "revoke", issued["token_id"], "--store", store)
    assert res.code == 0 and "revoked" in res.out


def test_token_for_an_unknown_city_is_refused(tmp_path, coopgov):
    store = tmp_path / "p.duckdb"
    res = coopgov("platform", "token", "issue", "--city", "999999", "--store", store, "--json")
    assert res.code == 2 and json.loads(res.out)["value"] == 999999
    res = coopgov("platform", "token", "issue", "--city", "310100", "--store", store, "--json")
    assert res.code == 0 and strict_json(res.out)["adcode"] == 310100


def test_ingest_numbers_rows_as_lines_of_the_file(tmp_path, coopgov):
    csv = tmp_path / "m.csv"
    csv.write_text(
        "station_id,time,pollutant,value,unit\n"  # line 1
        "S1,2025-01-01T08:00:00+08:00,pm2_5,10,ug/m3\n"  # line 2
        "S1,2025-01-01T09:00:00+08:00,pm2_5,10,ug/m3,extra\n"  # line 3: malformed
        "\n"  # line 4: blank
        "S1,2025-01-01T10:00:00+08:00,pm2_5,-5,ug/m3\n"  # line 5
        "S1,2025-01-01T11:00:00+08:00,pm2_5,abc,ug/m3\n",
        encoding="utf-8",
    )  # line 6
    res = coopgov("platform", "ingest", csv, "--store", tmp_path / "p.duckdb", "--json")
    assert res.code == 0, res.err
    rows = [r["row"] for r in strict_json(res.out)["rejected"]]
    assert rows == [2, 3, 5, 6]
    res = coopgov("platform", "ingest", csv, "--store", tmp_path / "q.duckdb")
    assert "line 3: row: malformed" in res.out and "None" not in res.out


def test_help_keeps_bracketed_units(coopgov):
    res = coopgov("games", "emissions", "--help")
    assert res.code == 0
    assert "[yuan/t]" in res.out.replace("\n", " ").replace("  ", " ")
    assert "[yuan/yr]" in coopgov("allocate", "--help").out
