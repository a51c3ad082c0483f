"""``--out`` never destroys a user's files (issue: outputs replace only what coopgov wrote)."""

from __future__ import annotations

import json
import os
import time

import pytest

from coopgov.io import (
    OUTPUT_MANIFEST,
    OutputRefused,
    atomic_directory,
    check_output_dir,
    claim_output_dir,
    clean_stale_temporaries,
)

RUN = ["run", "--builtin", "baseline", "--years", "2", "--replications", "0"]


def _user_folder(tmp_path):
    d = tmp_path / "d"
    (d / "sub").mkdir(parents=True)
    (d / "thesis.txt").write_text("x", encoding="utf-8")
    (d / "sub" / "notes.txt").write_text("y", encoding="utf-8")
    return d


def test_run_refuses_a_folder_it_did_not_write(tmp_path, coopgov):
    d = _user_folder(tmp_path)
    res = coopgov(*RUN, "--out", d)
    assert res.code == 2
    assert str(d) in res.err and "--force" in res.err and res.err.count("\n") == 1
    assert (d / "thesis.txt").read_text(encoding="utf-8") == "x"
    assert (d / "sub" / "notes.txt").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d"]  # no temporary left


def test_run_refuses_a_file_and_json_names_it(tmp_path, coopgov):
    f = tmp_path / "somefile"
    f.write_text("keep", encoding="utf-8")
    res = coopgov(*RUN, "--out", f, "--json")
    assert res.code == 2
    err = json.loads(res.out)
    assert err["file"] == str(f) and err["field"] == "out"
    assert f.read_text(encoding="utf-8") == "keep"


def test_run_out_dot_is_refused_clearly(tmp_path, coopgov, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine.txt").write_text("x", encoding="utf-8")
    for force in ([], ["--force"]):
        res = coopgov(*RUN, "--out", ".", *force)
        assert res.code == 2
        assert "current folder" in res.err and "empty name" not in res.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.txt"]


def test_force_replaces_and_marks_the_folder(tmp_path, coopgov):
    d = _user_folder(tmp_path)
    res = coopgov(*RUN, "--out", d, "--force", "--json")
    assert res.code == 0, res.err
    assert not (d / "thesis.txt").exists() and (d / "report.html").is_file()
    assert (d / OUTPUT_MANIFEST).is_file()
    # the folder is now coopgov's: a second run replaces it without --force
    assert coopgov(*RUN, "--out", d, "--json").code == 0


def test_check_output_dir_rules(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert check_output_dir(tmp_path / "new") == tmp_path / "new"
    (tmp_path / "empty").mkdir()
    check_output_dir(tmp_path / "empty")
    ours = tmp_path / "ours"
    ours.mkdir()
    (ours / "x.parquet").write_bytes(b"1")
    with pytest.raises(OutputRefused, match="did not write"):
        check_output_dir(ours)
    (ours / OUTPUT_MANIFEST).write_text("{}", encoding="utf-8")
    check_output_dir(ours)
    with pytest.raises(OutputRefused, match="above the current folder"):
        check_output_dir(tmp_path.parent, force=True)
    link = tmp_path / "link"
    link.symlink_to(ours)
    with pytest.raises(OutputRefused):
        check_output_dir(link)


def test_atomic_directory_writes_manifest_and_keeps_old_on_error(tmp_path):
    out = tmp_path / "rep"
    with atomic_directory(out) as tmp:
        (tmp / "a.txt").write_text("1", encoding="utf-8")
    assert (out / OUTPUT_MANIFEST).is_file() and (out / "a.txt").is_file()
    with pytest.raises(RuntimeError), atomic_directory(out) as tmp:
        (tmp / "a.txt").write_text("2", encoding="utf-8")
        raise RuntimeError
    assert (out / "a.txt").read_text(encoding="utf-8") == "1"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rep"]


def test_stale_temporaries_are_cleaned_by_manifest_and_age(tmp_path):
    out = tmp_path / "rep"
    stale = tmp_path / ".rep.killed.tmp"
    stale.mkdir()
    (stale / "report.html").write_text("half", encoding="utf-8")
    (stale / OUTPUT_MANIFEST).write_text(
        json.dumps({"pid": os.getpid(), "host": "elsewhere"}), encoding="utf-8"
    )
    old = time.time() - 2 * 3600
    os.utime(stale / OUTPUT_MANIFEST, (old, old))
    fresh = tmp_path / ".rep.running.tmp"  # another run, still writing
    fresh.mkdir()
    (fresh / OUTPUT_MANIFEST).write_text(
        json.dumps({"pid": os.getpid(), "host": "elsewhere"}), encoding="utf-8"
    )
    foreign = tmp_path / ".rep.user.tmp"  # not coopgov's: never touched
    foreign.mkdir()
    (foreign / "keep.txt").write_text("k", encoding="utf-8")
    os.utime(foreign, (old, old))
    assert clean_stale_temporaries(out) == [stale]
    assert fresh.is_dir() and (foreign / "keep.txt").is_file()
    with atomic_directory(out) as tmp:
        (tmp / "x").write_text("1", encoding="utf-8")
    assert not stale.exists()


def test_stale_temporary_of_a_dead_process_is_cleaned(tmp_path):
    import subprocess
    import sys

    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    import socket

    left = tmp_path / ".rep.x.tmp"
    left.mkdir()
    (left / OUTPUT_MANIFEST).write_text(
        json.dumps({"pid": int(dead), "host": socket.gethostname()}), encoding="utf-8"
    )
    assert clean_stale_temporaries(tmp_path / "rep") == [left]


def test_experiment_run_refuses_a_user_folder(tmp_path, coopgov):
    d = _user_folder(tmp_path)
    res = coopgov("experiment", "run", "abm-replications", "--out", d, "--processes", "0")
    assert res.code == 2 and str(d) in res.err
    assert sorted(p.name for p in d.iterdir()) == ["sub", "thesis.txt"]


def test_claim_output_dir_accepts_existing_experiment_results(tmp_path):
    legacy = tmp_path / "res"
    legacy.mkdir()
    (legacy / "manifest.json").write_text(
        json.dumps({"format": 1, "fingerprint": "abc", "n_chunks": 3}), encoding="utf-8"
    )
    claim_output_dir(legacy, legacy=("manifest.json",))
    assert (legacy / OUTPUT_MANIFEST).is_file()


def test_demo_data_refuses_user_csv_dir_and_non_duckdb_store(tmp_path, coopgov):
    d = _user_folder(tmp_path)
    res = coopgov("demo-data", "--store", tmp_path / "s.duckdb", "--csv-dir", d)
    assert res.code == 2 and str(d) in res.err
    assert not (tmp_path / "s.duckdb").exists()
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes", encoding="utf-8")
    for args in (
        ["demo-data", "--store", notes],
        ["platform", "init", "--store", notes],
        ["platform", "ingest", "examples/none.csv", "--store", notes],
    ):
        res = coopgov(*args)
        assert res.code == 2, args
        assert notes.read_text(encoding="utf-8") == "my notes"


def test_dashboard_refuses_non_duckdb_store(tmp_path, coopgov):
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes", encoding="utf-8")
    res = coopgov("dashboard", "--store", notes, "--port", "1")
    assert res.code == 2 and "not a DuckDB" in res.err
    assert notes.read_text(encoding="utf-8") == "my notes"
