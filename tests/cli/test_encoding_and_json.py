"""Non-UTF-8 input, random bytes, strict JSON and Ctrl-C (issue points 2, 3 and 5)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_helpers import strict_json
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def _gbk(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("gbk"))
    return path


def test_gbk_measurements_are_read_like_utf8(tmp_path, coopgov):
    src = (EXAMPLES / "compensate" / "xinan_jiekou_synthetic.csv").read_text(encoding="utf-8")
    src = src.replace("Jiekou,", "街口,")  # an alias of the section in Chinese
    utf8 = tmp_path / "u.csv"
    utf8.write_text(src, encoding="utf-8")
    gbk = _gbk(tmp_path / "g.csv", src)
    got = [
        strict_json(
            coopgov("compensate", "xinan", "--measurements", f, "--round", "1", "--json").out
        )
        for f in (utf8, gbk)
    ]
    assert got[0]["payments"] == got[1]["payments"] and got[0]["index"] == got[1]["index"]
    res = coopgov(
        "compensate", "xinan", "--measurements", gbk, "--round", "1", "--encoding", "utf-8"
    )
    assert res.code == 2 and str(gbk) in res.err and "utf-8" in res.err


def test_gbk_game_file_and_named_encoding(tmp_path, coopgov):
    game = (
        '{"players": ["湖州", "嘉兴"], "kind": "cost", "values": '
        '{"湖州": 6, "嘉兴": 6, "湖州,嘉兴": 10}}'
    )
    f = _gbk(tmp_path / "g.json", game)
    res = coopgov("allocate", "--game", f, "--json")
    assert res.code == 0, res.err
    assert strict_json(res.out)["players"] == ["湖州", "嘉兴"]
    big5 = tmp_path / "b.json"
    big5.write_bytes(game.replace("湖州", "台北").replace("嘉兴", "新竹").encode("big5"))
    res = coopgov("allocate", "--game", big5, "--encoding", "big5", "--json")
    assert res.code == 0 and strict_json(res.out)["players"] == ["台北", "新竹"]
    res = coopgov("allocate", "--game", big5, "--encoding", "nosuch")
    assert res.code == 2 and "unknown encoding" in res.err


def test_gbk_scenario_is_read_and_bad_bytes_name_the_file(tmp_path, coopgov):
    bad = tmp_path / "s.toml"
    bad.write_bytes(b'name = "x"\n\x00\x01\x02')
    res = coopgov("run", "--scenario", bad, "--out", tmp_path / "o")
    assert res.code == 2 and str(bad) in res.err and res.err.count("\n") == 1
    spec = tmp_path / "spec.toml"
    spec.write_bytes(b"\xff\xfe\xfa")
    res = coopgov("experiment", "run", spec, "--out", tmp_path / "e")
    assert res.code == 2 and str(spec) in res.err


def _commands(tmp: Path, f: Path) -> list[list[str]]:
    """Every command that reads a file, with ``f`` as that file."""
    j = f.with_suffix(".json")
    j.write_bytes(f.read_bytes())
    t = f.with_suffix(".toml")
    t.write_bytes(f.read_bytes())
    return [
        ["allocate", "--game", str(f)],
        ["allocate", "--game", str(j)],
        ["games", "emissions", "--permutations", "0", "--transfer", str(f)],
        ["region", "--transfer", str(f)],
        ["compensate", "xinan", "--measurements", str(f), "--round", "1"],
        ["compensate", "per-tonne", "--measurements", str(f)],
        [
            "compensate",
            "xinan",
            "--measurements",
            str(EXAMPLES / "compensate" / "xinan_jiekou_synthetic.csv"),
            "--config",
            str(t),
        ],
        [
            "run",
            "--scenario",
            str(t),
            "--years",
            "1",
            "--replications",
            "0",
            "--out",
            str(tmp / "o"),
        ],
        ["experiment", "run", str(t), "--out", str(tmp / "e"), "--processes", "0"],
        ["platform", "ingest", str(f), "--store", str(tmp / "p.duckdb")],
    ]


_counter = iter(range(10**9))


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(min_size=0, max_size=300))
def test_random_bytes_give_exit_2_and_one_line(tmp_path, coopgov, data):
    tmp = tmp_path / f"case{next(_counter)}"
    tmp.mkdir()
    f = tmp / "input.csv"
    f.write_bytes(data)
    for cmd in _commands(tmp, f):
        res = coopgov(*cmd)
        if cmd[:2] == ["platform", "ingest"] and res.code == 0:
            continue  # a parsable batch: its rows are quarantined, nothing to refuse
        assert res.code == 2, (cmd, data, res.err, res.out)
        assert res.err.endswith("\n") and res.err.count("\n") == 1, (cmd, data, res.err)
        assert "Traceback" not in res.err


def test_gb18030_bytes_and_binary(tmp_path, coopgov):
    from coopgov.io import decode_text

    assert decode_text("站点,数值\n".encode("gb18030")) == "站点,数值\n"
    assert decode_text(b"\xef\xbb\xbfa,b\n") == "a,b\n"
    from coopgov.errors import InputError

    with pytest.raises(InputError, match="binary"):
        decode_text(b"PK\x03\x04zip", file="x.csv")


def _json_commands() -> list[list[str]]:
    comp = EXAMPLES / "compensate"
    return [
        ["games", "coalitions", "--json"],
        ["games", "coalitions", "--model", "barrett", "--players", "5", "--json"],
        ["games", "coalitions", "--model", "quadratic-quadratic", "--json"],
        ["aqi", "pm2_5=80", "--json"],
        ["aqi", "so2=10", "--period", "hour", "--json"],
        ["water-class", "do=6", "--json"],
        ["allocate", "--method", "ues", "--costs", "6,6,6", "--json"],
        ["allocate", "--game", str(EXAMPLES / "allocate" / "three-cities.json"), "--json"],
        [
            "allocate",
            "--method",
            "nucleolus",
            "--game",
            str(EXAMPLES / "allocate" / "three-cities.csv"),
            "--json",
        ],
        ["compensate", "presets", "--json"],
        ["compensate", "examples", "--json"],
        [
            "compensate",
            "xinan",
            "-m",
            str(comp / "xinan_jiekou_synthetic.csv"),
            "--round",
            "2",
            "--json",
        ],
        ["compensate", "per-tonne", "-m", str(comp / "taihu_sections_synthetic.csv"), "--json"],
        ["region", "--json"],
        ["experiment", "specs", "--json"],
        ["allocate", "--method", "nosuch", "--json"],  # an error is JSON too
    ]


@pytest.mark.parametrize("cmd", _json_commands(), ids=lambda c: " ".join(c[:3]))
def test_every_json_output_is_strict(cmd, coopgov):
    res = coopgov(*cmd)
    assert res.code in (0, 2)
    strict_json(res.out)


def test_coalitions_json_has_null_not_nan(coopgov):
    res = coopgov("games", "coalitions", "--json")
    assert "NaN" not in res.out
    payload = strict_json(res.out)
    assert any(v is None for s in payload["sizes"] for v in s.values())


def test_keyboard_interrupt_prints_one_line_and_exits_130(monkeypatch, capsys):
    from coopgov.cli import entry

    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    import coopgov.standards.aqi

    monkeypatch.setattr(coopgov.standards.aqi, "aqi_report", boom)
    monkeypatch.setattr("coopgov.cli.standards.aqi_report", boom)
    code = entry.main(["aqi", "pm2_5=10"])
    captured = capsys.readouterr()
    assert code == 130, captured
    assert captured.err == "interrupted\n", captured


def test_sigint_during_start_up_prints_one_line(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "coopgov.cli", "run", "--out", str(tmp_path / "r")],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(0.4)  # the command modules (NumPy, pandas, ...) are still loading
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert err == "interrupted\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == []
