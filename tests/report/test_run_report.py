"""The run report: built from a small run, its figures, numbers and language."""

from __future__ import annotations

import html
import json
import re

import pytest

from coopgov import load_builtin, load_region, run_scenarios
from coopgov.report import write_run_report

SCENARIOS = ("baseline", "package", "laws")
SECTIONS_EN = (
    "Summary",
    "Cooperation over time",
    "PM2.5 proxy over time",
    "Map of cooperation",
    "Force decomposition",
    "Countermeasures ranked by effect per yuan",
    "Rest points and basins",
)
SECTIONS_ZH = ("概要", "合作率随时间变化", "合作度地图", "力的分解")


@pytest.fixture(scope="module")
def run():
    results = run_scenarios(
        [load_builtin(n) for n in SCENARIOS], years=3, replications=2, agents_per_city=4
    )
    return results, load_region("yrd")


@pytest.fixture(scope="module")
def report_en(run, tmp_path_factory):
    results, region = run
    path = tmp_path_factory.mktemp("en") / "report.html"
    write_run_report(results, path, region=region)
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def report_zh(run, tmp_path_factory):
    results, region = run
    path = tmp_path_factory.mktemp("zh") / "report.html"
    write_run_report(results, path, region=region, lang="zh")
    return path.read_text(encoding="utf-8")


def _headings(page: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r"<h2[^>]*>(.*?)</h2>", page)]


def _summary_rows(page: str) -> dict[str, list[str]]:
    """Cells of the summary table by scenario title."""
    table = page[page.index("<table") : page.index("</table>")]
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]
    cells = [[html.unescape(c) for c in re.findall(r"<td>(.*?)</td>", r)] for r in rows]
    return {c[0]: c[1:] for c in cells}


def _without_plotly_library(page: str) -> str:
    """The page without the inlined plotly.js bundle (the largest script)."""
    scripts = re.findall(r"<script[^>]*>(.*?)</script>", page, re.S)
    return page.replace(max(scripts, key=len), "")


def test_report_has_every_section_and_its_figures(report_en):
    assert report_en.startswith("<!DOCTYPE html><html lang='en'>")
    heads = _headings(report_en)
    for section in SECTIONS_EN:
        assert any(h.startswith(section) for h in heads), section
    # two time series, two maps (baseline and package), force panels of the focus cities
    assert report_en.count('class="plotly-graph-div"') >= 5
    assert report_en.count("Plotly.newPlot(") == report_en.count('class="plotly-graph-div"')


def test_summary_numbers_match_the_runs_json(run, report_en):
    results, _ = run
    # what `coopgov run` writes as summary.json: the same rows, through JSON
    rows = json.loads(json.dumps(results.summary(), default=str))
    table = _summary_rows(report_en)
    assert len(table) == len(SCENARIOS)
    for row in rows:
        cells = table[row["title"]]
        assert cells[0] == str(row["end_year"])
        assert cells[1] == f"{row['cooperation_rate']:.3f}"
        assert cells[4] == f"{100 * row['pm25_change']:.2f}"
    cooperation = {r["name"]: r["cooperation_rate"] for r in rows}
    assert cooperation["package"] > cooperation["baseline"]  # the report's ranking premise


def test_chinese_variant_translates_every_heading(report_zh, report_en):
    assert report_zh.startswith("<!DOCTYPE html><html lang='zh-CN'>")
    heads = _headings(report_zh)
    for section in SECTIONS_ZH:
        assert any(h.startswith(section) for h in heads), section
    assert not any(h.startswith("Cooperation over time") for h in heads)
    assert len(heads) == len(_headings(report_en))
    # same numbers in both languages
    en = sorted(map(tuple, _summary_rows(report_en).values()))
    zh = sorted(map(tuple, _summary_rows(report_zh).values()))
    assert en == zh


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_report_loads_nothing_from_the_network(lang, report_en, report_zh):
    page = report_en if lang == "en" else report_zh
    assert not re.search(r"<script[^>]*\bsrc=", page)
    assert not re.search(r"<link\b", page)
    assert not re.search(r"<(img|iframe)\b", page)
    # outside the inlined plotly.js (whose strings name its own home page), no URL at all:
    # no CDN, no map tiles, no fonts
    assert not re.search(r"https?://", _without_plotly_library(page))
    assert "plotly.js v" in page  # the library itself is inlined


def test_unknown_language_is_refused(run, tmp_path):
    results, region = run
    with pytest.raises(ValueError, match="lang"):
        write_run_report(results, tmp_path / "r.html", region=region, lang="fr")
    assert not (tmp_path / "r.html").exists()
