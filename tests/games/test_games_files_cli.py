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
    p.write_text("0.3,0.1\n0.2,-0.4\n")
    with pytest.raises(InputError) as err:
        read_transfer_matrix(p)
    assert err.value.row == 2


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
