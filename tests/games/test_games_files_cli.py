"""Game files, transfer-matrix files and the command line."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from coopgov.cli.main import app
from coopgov.errors import InputError
from coopgov.games.gamefile import read_game, read_transfer_matrix

runner = CliRunner()


def test_read_json_and_csv_games(tmp_path):
    p = tmp_path / "g.json"
    p.write_text(json.dumps({"players": ["A", "B"], "values": {"A": 1, "B": 2, "A,B": 5}}))
    g = read_game(p)
    np.testing.assert_allclose(g.values, [0, 1, 2, 5])
    q = tmp_path / "g.csv"
    q.write_text("coalition,value\nA,1\nB,2\nA+B,5\n")
    np.testing.assert_allclose(read_game(q).values, [0, 1, 2, 5])


def test_game_file_errors_name_the_place(tmp_path):
    p = tmp_path / "g.json"
    p.write_text(json.dumps({"players": ["A", "B"], "values": {"A": 1, "A,C": 2}}))
    with pytest.raises(InputError) as err:
        read_game(p)
    assert err.value.file == str(p) and err.value.value == "C"
    p.write_text(json.dumps({"players": ["A", "B"], "values": {"A": 1, "A,B": 2}}))
    with pytest.raises(InputError, match="no value"):
        read_game(p)


def test_read_transfer_matrix(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("source,310100,320100\n310100,0.3,0.1\n320100,0.2,0.4\n")
    m, labels = read_transfer_matrix(p)
    np.testing.assert_allclose(m, [[0.3, 0.1], [0.2, 0.4]])
    assert labels == ["310100", "320100"]
    p.write_text("source,a,b\na,0.3,0.1\nb,0.2,-0.4\n")
    with pytest.raises(InputError) as err:
        read_transfer_matrix(p)
    assert (err.value.row, err.value.field, err.value.value) == (3, "b", "-0.4")


def test_unlabelled_transfer_matrix_is_refused(tmp_path):
    # a bare table of numbers cannot be aligned: its labels are required
    p = tmp_path / "t.csv"
    p.write_text("0.3,0.1\n0.2,0.4\n")
    with pytest.raises(InputError) as err:
        read_transfer_matrix(p)
    assert err.value.file == str(p) and err.value.row == 1


def _write(path, t, labels, rows, cols, corner="source"):
    lines = [corner + "," + ",".join(labels[j] for j in cols)]
    lines += [labels[i] + "," + ",".join(repr(float(t[i, j])) for j in cols) for i in rows]
    path.write_text("# shares [-]\n" + "\n".join(lines) + "\n", encoding="utf-8")


def test_shuffled_transfer_matrix_gives_the_same_matrix(tmp_path):
    """Rows and columns in another order (each its own) give the identical matrix."""
    rng = np.random.default_rng(7)
    n = 12
    t = rng.uniform(0, 1, (n, n))
    t /= t.sum(axis=1, keepdims=True) * 1.25  # each source keeps 80 % in the region
    labels = [f"{310100 + 100 * k}" for k in range(n)]
    _write(tmp_path / "fwd.csv", t, labels, range(n), range(n))
    _write(tmp_path / "shuf.csv", t, labels, rng.permutation(n), rng.permutation(n))
    fwd, _ = read_transfer_matrix(tmp_path / "fwd.csv", labels=labels)
    shuf, got = read_transfer_matrix(tmp_path / "shuf.csv", labels=labels)
    assert got == labels
    np.testing.assert_array_equal(fwd, t)
    np.testing.assert_array_equal(shuf, t)
    # without expected labels: rows in file order, columns put in the same order
    m, order = read_transfer_matrix(tmp_path / "shuf.csv")
    idx = [labels.index(x) for x in order]
    np.testing.assert_array_equal(m, t[np.ix_(idx, idx)])


def test_inconsistent_transfer_labels_are_refused(tmp_path):
    p = tmp_path / "t.csv"
    # a column label that is no row label
    p.write_text("source,a,c\na,0.3,0.1\nb,0.2,0.4\n")
    with pytest.raises(InputError, match="row and column labels differ") as err:
        read_transfer_matrix(p)
    assert (err.value.row, err.value.value) == (3, "b")
    # a label given twice
    p.write_text("source,a,b\na,0.3,0.1\na,0.2,0.4\n")
    with pytest.raises(InputError, match="given twice") as err:
        read_transfer_matrix(p)
    assert (err.value.row, err.value.field, err.value.value) == (3, "source", "a")
    # labels other than the expected ones
    p.write_text("source,a,b\na,0.3,0.1\nb,0.2,0.4\n")
    with pytest.raises(InputError, match="unknown row label") as err:
        read_transfer_matrix(p, labels=["a", "z"])
    assert (err.value.row, err.value.value) == (3, "b")
    # a source whose shares sum to more than one
    p.write_text("source,a,b\na,0.7,0.4\nb,0.2,0.4\n")
    with pytest.raises(InputError, match="sum to more than 1") as err:
        read_transfer_matrix(p)
    assert (err.value.row, err.value.field, err.value.value) == (2, "row sum", 1.1)


def test_game_csv_rows_are_lines_of_the_file(tmp_path):
    q = tmp_path / "g.csv"
    q.write_text("#players: A,B\ncoalition,value\nA,1\n\nB,x\nA+B,5\n")
    with pytest.raises(InputError) as err:
        read_game(q)
    assert (err.value.row, err.value.value) == (5, "x")
    q.write_text("#players: B,A\ncoalition,value\nA,1\nB,2\nA+B,5\n")
    g = read_game(q)
    assert g.players == ("B", "A")
    np.testing.assert_allclose(g.values, [0, 2, 1, 5])


def _json(args):
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    return json.loads(res.output)


def test_cli_coalitions():
    out = _json(
        [
            "games",
            "coalitions",
            "--model",
            "linear-quadratic",
            "--players",
            "10",
            "--benefit",
            "1",
            "--cost",
            "2",
            "--json",
        ]
    )
    assert out["stable_sizes"] == [2, 3]
    out = _json(
        [
            "games",
            "coalitions",
            "--model",
            "barrett",
            "--players",
            "100",
            "--benefit",
            "1",
            "--cost",
            "0.1",
            "--intercept",
            "100",
            "--json",
        ]
    )
    assert out["stable_sizes"] == [11]
    res = runner.invoke(app, ["games", "coalitions", "--model", "nope", "--json"])
    assert res.exit_code == 2 and json.loads(res.output)["field"] == "model"


def test_cli_allocate_river_and_game(tmp_path):
    assert _json(["allocate", "--method", "ues", "--costs", "6,6,6", "--json"])["allocation"] == [
        11.0,
        5.0,
        2.0,
    ]
    assert _json(["allocate", "--method", "des", "--costs", "6,6,6", "--json"])["allocation"] == [
        2.0,
        5.0,
        11.0,
    ]
    out = _json(
        [
            "allocate",
            "--method",
            "ambec-sprumont",
            "--inflows",
            "10,0,0",
            "--benefits",
            "10:1,10:1,10:1",
            "--json",
        ]
    )
    np.testing.assert_allclose(out["allocation"], [50, 25, 25 / 3])
    p = tmp_path / "glove.json"
    p.write_text(
        json.dumps(
            {
                "players": ["L", "R1", "R2"],
                "missing": "zero",
                "values": {"L,R1": 1, "L,R2": 1, "L,R1,R2": 1},
            }
        )
    )
    out = _json(["allocate", "--method", "shapley", "--game", str(p), "--json"])
    np.testing.assert_allclose(out["allocation"], [2 / 3, 1 / 6, 1 / 6])
    out = _json(["allocate", "--method", "nucleolus", "--game", str(p), "--json"])
    np.testing.assert_allclose(out["allocation"], [1, 0, 0], atol=1e-9)
    res = runner.invoke(app, ["allocate", "--method", "shapley", "--json"])
    assert res.exit_code == 2


def test_cli_emissions_default_region():
    pytest.importorskip("coopgov.region")
    out = _json(["games", "emissions", "--permutations", "500", "--json"])
    assert len(out["cities"]) == 41
    assert out["total_gain_yuan"] > 0
    gains = np.array([c["gain_yuan"] + c["transfer_chander_tulkens_yuan"] for c in out["cities"]])
    assert np.all(gains >= -1e-6)
    # calibration: the Nash equilibrium reproduces the region's SO2 emissions
    from coopgov.region import load_region

    so2 = load_region("yrd").emissions["so2"].to_numpy(float)
    np.testing.assert_allclose([c["emissions_nash_t"] for c in out["cities"]], so2)


def test_cli_emissions_with_a_shuffled_matrix(tmp_path):
    """`games emissions --transfer`: rows and columns shuffled each their own way give the
    identical game; a matrix whose labels do not match the region's is refused."""
    from coopgov.region import load_region

    reg = load_region("yrd")
    t = np.array(reg.air_transfer)
    ad = [str(int(a)) for a in reg.adcodes]
    rng = np.random.default_rng(2026)
    _write(tmp_path / "fwd.csv", t, ad, range(len(ad)), range(len(ad)), "adcode")
    perm = rng.permutation(len(ad)), rng.permutation(len(ad))
    _write(tmp_path / "shuf.csv", t, ad, *perm, "adcode")
    base = ["games", "emissions", "--permutations", "0", "--json", "--transfer"]
    fwd = _json([*base, str(tmp_path / "fwd.csv")])
    shuf = _json([*base, str(tmp_path / "shuf.csv")])
    assert fwd == shuf
    # the columns relabelled in another order than the values: receptor 0 is no longer 0
    text = (tmp_path / "fwd.csv").read_text(encoding="utf-8").splitlines()
    header = text[1].split(",")
    header[1], header[2] = header[2], header[1]
    text[1] = ",".join(header)
    (tmp_path / "swapped.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    swapped = _json([*base, str(tmp_path / "swapped.csv")])
    assert swapped != fwd  # read by label: the swap is seen, not ignored
    # an unknown label and a repeated one are refused, naming file, row and value
    header[1] = "999999"
    text[1] = ",".join(header)
    (tmp_path / "bad.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    res = runner.invoke(app, [*base, str(tmp_path / "bad.csv")])
    assert res.exit_code == 2
    err = json.loads(res.output)
    assert err["value"] == "999999" and err["file"].endswith("bad.csv")
    assert err["error"] == "unknown adcode (not in cities.csv)" and err["row"] == 2
    header[1] = header[3]
    text[1] = ",".join(header)
    (tmp_path / "dup.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    res = runner.invoke(app, [*base, str(tmp_path / "dup.csv")])
    assert res.exit_code == 2 and "twice" in json.loads(res.output)["error"]
