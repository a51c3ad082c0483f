"""The swap of an output folder: a reader never finds it missing (Linux), or the fallback."""

from __future__ import annotations

import os
import threading

import pytest

import coopgov.io as cio
from coopgov.io import OUTPUT_MANIFEST, atomic_directory, exchange_paths


def _exchange_supported(tmp_path) -> bool:
    a, b = tmp_path / "probe-a", tmp_path / "probe-b"
    a.mkdir()
    b.mkdir()
    (a / "x").write_text("a", encoding="utf-8")
    ok = exchange_paths(a, b)
    if ok:
        assert (b / "x").read_text(encoding="utf-8") == "a" and not (a / "x").exists()
    for p in (a, b):
        for f in p.iterdir():
            f.unlink()
        p.rmdir()
    return ok


def test_exchange_paths_swaps_or_says_it_cannot(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "f").write_text("A", encoding="utf-8")
    (b / "f").write_text("B", encoding="utf-8")
    if exchange_paths(a, b):
        assert (a / "f").read_text(encoding="utf-8") == "B"
        assert (b / "f").read_text(encoding="utf-8") == "A"
    else:  # nothing changed where the system cannot exchange
        assert (a / "f").read_text(encoding="utf-8") == "A"
    with pytest.raises(OSError):
        if not exchange_paths(a, tmp_path / "missing"):
            raise OSError("no exchange on this system")  # same outcome: refused


def test_report_folder_never_missing_during_swaps(tmp_path):
    if not _exchange_supported(tmp_path):
        pytest.skip("no renameat2(RENAME_EXCHANGE) here: the documented fallback applies")
    out = tmp_path / "rep"
    with atomic_directory(out) as tmp:
        (tmp / "n.txt").write_text("0", encoding="utf-8")
    stop = threading.Event()
    seen: list[str] = []

    def reader() -> None:
        while not stop.is_set():
            try:
                seen.append((out / "n.txt").read_text(encoding="utf-8"))
            except FileNotFoundError:
                seen.append("missing")

    t = threading.Thread(target=reader)
    t.start()
    try:
        for k in range(1, 60):
            with atomic_directory(out) as tmp:
                (tmp / "n.txt").write_text(str(k), encoding="utf-8")
    finally:
        stop.set()
        t.join()
    assert "missing" not in seen and len(seen) > 0
    assert (out / "n.txt").read_text(encoding="utf-8") == "59"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rep"]  # nothing left beside


def test_fallback_two_renames_gives_the_same_result(tmp_path, monkeypatch):
    monkeypatch.setattr(cio, "exchange_paths", lambda a, b: False)
    out = tmp_path / "rep"
    for k in range(3):
        with atomic_directory(out) as tmp:
            (tmp / "n.txt").write_text(str(k), encoding="utf-8")
    assert (out / "n.txt").read_text(encoding="utf-8") == "2"
    assert (out / OUTPUT_MANIFEST).is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rep"]
    assert not any(".old-" in p.name for p in tmp_path.iterdir())
    assert os.path.isdir(out)
