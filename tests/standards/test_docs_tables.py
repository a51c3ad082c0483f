"""docs/standards.md shows the numbers the code uses: its tables are read and compared."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from coopgov.standards.aqi import BREAKPOINTS, CATEGORIES, EDITIONS, IAQI_LEVELS
from coopgov.standards.validity import (
    ANNUAL_MIN_DAYS,
    DAILY_MIN_HOURS,
    FEBRUARY_MIN_DAYS,
    HOURLY_MIN_MINUTES,
    MONTH_MIN_DAYS,
    O3_8H_MIN_VALUES,
    O3_MAX8H_MIN_WINDOWS,
)
from coopgov.standards.water import LIMITS, PH_RANGE

DOC = Path(__file__).parents[2] / "docs" / "standards.md"


def _section(title: str) -> list[list[str]]:
    """Rows (cells) of the first Markdown table after the heading ``title``."""
    text = DOC.read_text(encoding="utf-8")
    start = text.index(title)
    rows = []
    for line in text[start:].splitlines()[1:]:
        if line.startswith("|"):
            rows.append([c.strip() for c in line.strip().strip("|").split("|")])
        elif rows:
            break
    return [r for r in rows[1:] if not set("".join(r)) <= set("-")]


def _number(cell: str) -> float | None:
    m = re.fullmatch(r"\**([0-9.]+)\**", cell)
    return float(m.group(1)) if m else None


def test_table_a1_is_the_2012_table_of_the_code():
    header = _section("### Table A1")
    columns = [
        "so2_24h", "so2_1h", "no2_24h", "no2_1h", "pm10_24h",
        "co_24h", "co_1h", "o3_1h", "o3_8h", "pm2_5_24h",
    ]  # fmt: skip
    assert [int(r[0]) for r in header] == list(IAQI_LEVELS)
    for k, name in enumerate(columns, start=1):
        doc = [_number(r[k]) for r in header]
        doc = [v for v in doc if v is not None]
        assert tuple(doc) == BREAKPOINTS["2012"][name].concentration, name


def test_table_a2_lists_every_change_of_2026():
    changed = {
        (name, i, b)
        for name, col in BREAKPOINTS["2026"].items()
        for i, (a, b) in enumerate(
            zip(BREAKPOINTS["2012"][name].concentration, col.concentration, strict=True)
        )
        if a != b
    }
    assert changed == {("pm10_24h", 2, 120), ("pm2_5_24h", 2, 60)}
    text = " ".join(" ".join(r) for r in _section("### Table A2"))
    assert "**120 µg/m³**" in text and "**60 µg/m³**" in text
    assert "**IAQI = 200**" in text and BREAKPOINTS["2026"]["so2_1h"].above_top == 200
    assert "**IAQI = 300**" in text and BREAKPOINTS["2026"]["o3_8h"].above_top == 300
    for key, ed in EDITIONS.items():
        assert f"`{key}`" in DOC.read_text(encoding="utf-8") and ed.in_force in DOC.read_text(
            encoding="utf-8"
        )


def test_table_a4_categories():
    rows = _section("### Table A4")
    assert [r[3] for r in rows] == [c.name_zh for c in CATEGORIES]
    for r, c in zip(rows, CATEGORIES, strict=True):
        assert str(c.colour).replace(" ", "") in r[4].replace(" ", "")


def test_table_w1_is_the_water_table_of_the_code():
    rows = {r[1]: r[2:] for r in _section("## Table W1")}
    assert rows["pH [dimensionless]"] == [f"{PH_RANGE[0]:g}–{PH_RANGE[1]:g}"] * 5
    names = {
        "dissolved oxygen (DO) ≥": ("do", "river"),
        "permanganate index (CODMn) ≤": ("codmn", "river"),
        "chemical oxygen demand (COD) ≤": ("cod", "river"),
        "five-day biochemical oxygen demand (BOD5) ≤": ("bod5", "river"),
        "ammonia nitrogen (NH3-N) ≤": ("nh3_n", "river"),
        "total phosphorus (TP), rivers ≤": ("tp", "river"),
        "TP, lakes and reservoirs ≤": ("tp", "lake"),
        "total nitrogen (TN), lakes and reservoirs ≤": ("tn", "lake"),
    }
    for label, (name, water) in names.items():
        assert tuple(float(v) for v in rows[label]) == LIMITS[water][name], label


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("45 minutes of sampling", HOURLY_MIN_MINUTES),
        (f"| {DAILY_MIN_HOURS} hourly values |", DAILY_MIN_HOURS),
        (f"| {O3_8H_MIN_VALUES} hourly values in the window |", O3_8H_MIN_VALUES),
        (f"{ANNUAL_MIN_DAYS} daily values a year", ANNUAL_MIN_DAYS),
        (f"at least {MONTH_MIN_DAYS} in each month ({FEBRUARY_MIN_DAYS} in February)", 0),
        (f"at least {O3_MAX8H_MIN_WINDOWS} valid", O3_MAX8H_MIN_WINDOWS),
    ],
)
def test_table_v1_numbers(text, value):
    assert text in DOC.read_text(encoding="utf-8")
