"""Self-contained HTML pages: plotly.js inlined once, no network needed."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from coopgov.io import atomic_write_text
from coopgov.report.figures import (
    band_figure,
    city_map_figure,
    force_figure,
    line_figure,
    rank_probability_figure,
    ranking_figure,
)

__all__ = ["html_page", "write_run_report"]

_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI','Noto Sans CJK SC',sans-serif;margin:0;
color:#222;background:#fafafa}
header{background:#0b4f6c;color:white;padding:18px 28px}header h1{margin:0;font-size:1.6em}
main{max-width:1200px;margin:0 auto;padding:10px 28px 40px}
section{background:white;border:1px solid #e3e3e3;border-radius:6px;padding:14px 18px;margin:18px 0}
table{border-collapse:collapse;font-size:.92em}td,th{padding:4px 10px;border-bottom:1px solid #eee;
text-align:right}th{background:#f0f4f7}td:first-child,th:first-child{text-align:left}
.note{color:#666;font-size:.88em}
.grid{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:12px}
.scroll{overflow-x:auto}
@media (max-width:700px){header{padding:12px 14px}header h1{font-size:1.2em}
main{padding:6px 8px 24px}section{padding:10px 8px;margin:10px 0}
.grid{grid-template-columns:minmax(0,1fr)}table{font-size:.8em}}
"""

#: Plotly toolbar without the buttons that upload to Plotly's cloud or link out.
PLOT_CONFIG = {
    "displaylogo": False,
    "responsive": True,
    "showSendToCloud": False,
    "modeBarButtonsToRemove": ["sendDataToCloud"],
}

#: Texts of the run report, English and Chinese.
TEXT: dict[str, tuple[str, str]] = {
    "why": ("Why each countermeasure moves cooperation", "各项对策为何改变合作"),
    "why_note": (
        "Each countermeasure is added to current policy (the baseline continues the "
        "history from its end state, with the institutions then in force). The forces "
        "named are those whose mean over the cities changes most against the baseline "
        "at the end of the horizon, in units of the yearly abatement cost c0; the "
        "lateral thrust is the imitation of successful neighbours, shown as the payoff "
        "difference that would drive the same flow.",
        "每项对策叠加在现行政策之上（基准情景从历史进程的终态出发，保留当时已有的制度）。"
        "所列各力为期末相对基准情景、城市平均值变化最大的力，单位为年度减排成本 c0；"
        "横向推力为对成功邻市的模仿，以产生相同流量的收益差表示。",
    ),
    "explain": (
        "{levers}: {direction} end cooperation to {rate:.3f} (current policy {base:.3f});"
        " largest force changes: {terms}.",
        "{levers}：期末合作率{direction}至 {rate:.3f}（现行政策 {base:.3f}）；"
        "变化最大的力：{terms}。",
    ),
    "raises": ("raises", "提高"),
    "lowers": ("lowers", "降低"),
    "leaves": ("leaves", "保持"),
    "rest": ("Rest points and basins", "平衡点与吸引域"),
    "rest_points": ("rest points (cooperation rate)", "平衡点（合作率）"),
    "heading": ("heading for", "趋向"),
    "bistable": ("bistable", "双稳态"),
    "stable": ("stable", "稳定"),
    "unstable": ("unstable", "不稳定"),
    "yes": ("yes", "是"),
    "no": ("no", "否"),
    "rest_note": (
        "Rest points of the mean-field dynamics under each scenario's last-year "
        "parameters, with their linear stability (Jacobian eigenvalues); the run "
        "heads for the stable rest point it approaches when integrated on.",
        "各情景末年参数下平均场动力学的平衡点及其线性稳定性（雅可比矩阵特征值）；"
        "继续积分时轨道趋近的稳定平衡点即其所在吸引域。",
    ),
    "title": ("coopgov — cooperation dynamics report", "coopgov — 地方政府合作动力学报告"),
    "generated": ("generated", "生成于"),
    "summary": ("Summary", "概要"),
    "scenario": ("scenario", "情景"),
    "year": ("year", "年份"),
    "coop": ("cooperation rate", "合作率"),
    "abm_mean": ("ABM mean", "主体模型均值"),
    "abm_sd": ("ABM sd", "主体模型标准差"),
    "pm25": ("PM2.5 proxy change %", "PM2.5 代理指标变化 %"),
    "cost": ("lever cost 亿元/yr", "杠杆成本 亿元/年"),
    "transfers": ("transfers 亿元/yr", "转移支付 亿元/年"),
    "summary_note": (
        "Region {region}, {n} cities; "
        "{reps} agent-based replications per scenario, seed "
        "{seed}. Cooperation rate: mean propensity "
        "to cooperate over cities at the end "
        "of the horizon. PM2.5 proxy: population-weighted PM2.5 relative to no "
        "cooperation.",
        "区域 {region}，{n} 个城市；每个情景 "
        "{reps} 次多主体重复运行，随机种子 {seed}。"
        "合作率：期末各城市合作倾向的平均值。PM2.5 "
        "代理指标：相对无合作情形的人口加权 PM2.5。",
    ),
    "coop_time": ("Cooperation over time", "合作率随时间变化"),
    "coop_title": ("Regional cooperation rate", "区域合作率"),
    "pm_time": ("PM2.5 proxy over time", "PM2.5 代理指标随时间变化"),
    "pm_title": (
        "Change of population-weighted PM2.5 against no cooperation",
        "人口加权 PM2.5 相对无合作的变化",
    ),
    "change": ("change", "变化"),
    "xyear": ("year", "年份"),
    "map": ("Map of cooperation", "合作度地图"),
    "map_title": ("{name}: cooperation in {year}", "{name}：{year} 年合作度"),
    "cooperation": ("cooperation", "合作度"),
    "forces": ("Force decomposition ({name})", "力的分解（{name}）"),
    "forces_note": (
        "Each bar is one named force term of the study, coloured by its family "
        "(attraction green, pressure blue, thrust purple, resistance orange), in units "
        "of the city's yearly abatement cost c0; the black line is their sum, the "
        "payoff difference of cooperating; the panel below shows the city's "
        "cooperation (0–1).",
        "每个柱段是研究中的一个力，按类别着色（"
        "吸引力绿色、压力蓝色、推力紫色、阻力橙色），"
        "单位为城市年度减排成本 c0；黑线为各力之和，"
        "即合作的收益差；下方面板为该城市的合作度（0–1）。",
    ),
    "delta": ("payoff difference Δ = U(C) − U(D)", "收益差 Δ = U(C) − U(D)"),
    "c0": ("units of c0 (yearly abatement cost)", "单位：c0（年度减排成本）"),
    "ranked": ("Countermeasures ranked by effect per yuan", "按单位成本效果排序的对策"),
    "per_coop": ("Cooperation gained per 亿元/yr", "每亿元/年提高的合作率"),
    "per_coop_x": ("Δ cooperation rate per 10^8 yuan/yr", "每 10^8 元/年的合作率变化"),
    "per_pm": ("PM2.5 proxy cut per 亿元/yr", "每亿元/年降低的 PM2.5 代理指标"),
    "per_pm_x": ("percentage points per 10^8 yuan/yr", "每 10^8 元/年的百分点"),
    "ranked_note": (
        "Effect at the end of the horizon against the baseline, divided by the "
        "lever's yearly fiscal cost (assumed costs: see coopgov.model.levers).",
        "期末相对基准情景的效果除以该杠杆的年度财政成本（成本为假设值，见 coopgov.model.levers）。",
    ),
    "data": ("Data and assumptions", "数据与假设"),
    "data_text": (
        "City figures, boundaries and the transfer matrices come from the bundled "
        "region data, each figure with its year and source (see the region's README "
        "and <code>sources.toml</code>). The behavioural parameters of the model are "
        "assumptions: the study names the forces without measuring them. Their "
        "defaults, units and provenance are listed by "
        "<code>coopgov.model.parameters.PARAMETER_INFO</code>; vary them with "
        "<code>coopgov experiment</code>.",
        "城市数据、边界和传输矩阵来自内置区域数据，"
        "每个数字均注明年份和来源（见区域的 README 与 "
        "<code>sources.toml</code>）。"
        "模型的行为参数是假设值：研究指出了这些力，但没有测量它们。"
        "其默认值、单位和出处列于 <code>coopgov.model.parameters.PARAMETER_INFO</code>；"
        "可用 <code>coopgov experiment</code> 改变它们。",
    ),
}


def _explain(s: dict, lang: str) -> str:
    """One sentence: what a countermeasure does to cooperation, and through which forces."""
    from coopgov.model.levers import LEVERS
    from coopgov.report.labels import force_term_label

    k = 0 if lang == "en" else 1
    levers = "、".join if k else ", ".join
    names = (
        levers(
            [
                (LEVERS[n].label_en, LEVERS[n].label_zh)[k]
                for n in s.get("levers", [])
                if n in LEVERS
            ]
        )
        or s["name"]
    )
    terms = ("; " if k == 0 else "；").join(
        f"{force_term_label(t, lang)} {v:+.2f}" for t, v in s["explanation_terms"]
    )
    return _tx(
        "explain",
        lang,
        levers=names,
        direction=_tx(s["explanation_direction"], lang),
        rate=s["cooperation_rate"],
        base=s["explanation_baseline"],
        terms=terms,
    )


def _tx(key: str, lang: str, **kw: object) -> str:
    text = TEXT[key][0 if lang == "en" else 1]
    return text.format(**kw) if kw else text


def html_page(
    title: str, sections: Sequence[tuple[str, str]], *, subtitle: str = "", lang: str = "en"
) -> str:
    """A page of titled sections (HTML fragments) with plotly.js inlined once.

    The page scales to the device width (viewport tag; one column below 700 px).
    """
    body = "\n".join(
        f"<section><h2>{html.escape(h)}</h2>\n{content}</section>" for h, content in sections
    )
    code = "zh-CN" if lang == "zh" else "en"
    return (
        f"<!DOCTYPE html><html lang='{code}'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{html.escape(title)}</title><style>{_CSS}</style>"
        f"<script type='text/javascript'>{get_plotlyjs()}</script></head><body>"
        f"<header><h1>{html.escape(title)}</h1><div>{html.escape(subtitle)}</div></header>"
        f"<main>{body}</main></body></html>"
    )


def _fig(fig: go.Figure) -> str:
    # toolbar on the side: on a phone it would otherwise cover the title
    fig.update_layout(autosize=True, width=None, modebar={"orientation": "v"})
    return fig.to_html(
        full_html=False, include_plotlyjs=False, config=PLOT_CONFIG, default_width="100%"
    )


def _table(rows: list[dict], columns: list[tuple[str, str, str]]) -> str:
    head = "".join(f"<th>{html.escape(label)}</th>" for _, label, _ in columns)
    body = []
    for row in rows:
        cells = []
        for key, _, fmt in columns:
            v = row.get(key)
            cells.append(f"<td>{html.escape(format(v, fmt) if v is not None else '–')}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f"<div class='scroll'><table><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def write_run_report(
    results,
    path: str | Path,
    *,
    region=None,
    focus_adcodes: Sequence[int] = (310100, 340100, 341000),
    lang: str = "en",
) -> Path:
    """Write the HTML report of ``coopgov run`` atomically.

    Sections: summary table; cooperation over time per scenario; maps of
    cities coloured by cooperation (baseline and package, last year); the
    force decomposition of chosen cities; countermeasures ranked by effect
    per yuan; notes on data and assumptions.

    Parameters
    ----------
    results : coopgov.scenarios.run.RunResults
        Simulated scenarios.
    path : path
        HTML file written.
    region : coopgov.region.Region, optional
        For the maps (its boundaries) and unique city labels.
    focus_adcodes : sequence of int
        Cities whose force decomposition is drawn.
    lang : {"en", "zh"}
        Language of every text of the report.
    """
    if lang not in ("en", "zh"):
        raise ValueError(f"lang must be 'en' or 'zh', got {lang!r}")
    summary = results.summary()
    by_name = {r.scenario.name: r for r in results.results}
    labels = _report_city_labels(results.city, region, lang)
    title_of = _scenario_title_function(by_name, lang)
    banded = getattr(results, "draws", 0) > 0

    sections: list[tuple[str, str]] = [_summary_section(results, summary, title_of, lang)]
    if banded:
        sections.append(_bands_section(results))
        sections.extend(_band_line_sections(results))
    else:
        sections.extend(_time_sections(results, title_of, lang))
    if region is not None and region.boundaries_path is not None:
        sections.append(_map_section(results, region, summary, by_name, labels, title_of, lang))
    sections.extend(
        _force_sections(results, summary, by_name, labels, title_of, focus_adcodes, lang)
    )
    if banded and results.ranking():
        sections.append(_ranking_probability_section(results))
    else:
        sections.extend(_per_yuan_sections(by_name, lang))
    sections.extend(_explanation_sections(summary, lang))
    sections.extend(_rest_point_sections(summary, lang))
    sections.append(_calibrated_section(results))
    sections.append((_tx("data", lang), "<p>" + _tx("data_text", lang) + "</p>"))
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    page = html_page(
        _tx("title", lang),
        sections,
        lang=lang,
        subtitle=f"{results.region_name.upper()} · {_tx('generated', lang)} {stamp}",
    )
    return atomic_write_text(path, page)


def _report_city_labels(city, region, lang: str) -> dict[int, str]:
    """City names by adcode: the region's unique labels, else the results' own names."""
    from coopgov.report.labels import city_labels

    if region is not None:
        return city_labels(region.cities, lang)
    return {int(a): str(n) for a, n in zip(city.adcode, city.name, strict=True)}


def _scenario_title_function(by_name: dict, lang: str) -> Callable[[str], str]:
    """Title of a scenario in ``lang``: its Chinese title or lever label, else its own title."""
    from coopgov.model.levers import LEVERS
    from coopgov.report.labels import SCENARIO_TITLES_ZH

    lever_zh = {lv.name: lv.label_zh for lv in LEVERS.values()}

    def title_of(name: str) -> str:
        r = by_name.get(name)
        if lang == "zh":
            return SCENARIO_TITLES_ZH.get(name) or lever_zh.get(name) or name
        return r.scenario.title if r is not None and r.scenario.title else name

    return title_of


def _summary_section(
    results, summary: list[dict], title_of: Callable[[str], str], lang: str
) -> tuple[str, str]:
    """Summary table: cooperation, PM2.5 change, cost and transfers of every scenario."""
    rows = [
        dict(
            s,
            title=title_of(s["name"]),
            pm25_pct=100 * s["pm25_change"],
            cost_e8=s["cost"] / 1e8,
            transfers_e8=s["transfers"] / 1e8,
        )
        for s in summary
    ]
    cols = [
        ("title", _tx("scenario", lang), ""),
        ("end_year", _tx("year", lang), "d"),
        ("cooperation_rate", _tx("coop", lang), ".3f"),
        ("abm_cooperation_rate", _tx("abm_mean", lang), ".3f"),
        ("abm_cooperation_sd", _tx("abm_sd", lang), ".3f"),
        ("pm25_pct", _tx("pm25", lang), ".2f"),
        ("cost_e8", _tx("cost", lang), ".1f"),
        ("transfers_e8", _tx("transfers", lang), ".2f"),
    ]
    return (
        _tx("summary", lang),
        _table(rows, cols)
        + "<p class='note'>"
        + html.escape(
            _tx(
                "summary_note",
                lang,
                region=results.region_name,
                n=results.city.n,
                reps=results.replications,
                seed=results.seed,
            )
        )
        + "</p>",
    )


def _time_sections(results, title_of: Callable[[str], str], lang: str) -> list[tuple[str, str]]:
    """Cooperation rate and PM2.5 change over time, one line per scenario."""
    from coopgov.report.labels import category_colours

    styles = dict(
        zip(
            [r.scenario.name for r in results.results],
            category_colours(len(results.results)),
            strict=True,
        )
    )
    sections = []
    for key, variable, title, ylabel in (
        ("coop_time", "cooperation_rate", "coop_title", "coop"),
        ("pm_time", "pm25_change", "pm_title", "change"),
    ):
        series = {
            r.scenario.name: (r.years, getattr(r.simulation, variable)[r.index])
            for r in results.results
        }
        sections.append(
            (
                _tx(key, lang),
                _fig(
                    line_figure(
                        series,
                        title=_tx(title, lang),
                        ylabel=_tx(ylabel, lang),
                        percent=True,
                        styles=styles,
                        names={n: title_of(n) for n in series},
                        xlabel=_tx("xyear", lang),
                    )
                ),
            )
        )
    return sections


def _map_section(
    results,
    region,
    summary: list[dict],
    by_name: dict,
    labels: dict[int, str],
    title_of: Callable[[str], str],
    lang: str,
) -> tuple[str, str]:
    """Maps of the cities coloured by cooperation in the last year (baseline and package)."""
    city = results.city
    prov = region.boundaries_path.parent / "provinces.geojson"
    maps = []
    for name in [n for n in ("baseline", "package") if n in by_name] or [summary[0]["name"]]:
        r = by_name[name]
        vals = dict(
            zip(
                [int(a) for a in city.adcode],
                r.simulation.cooperation[r.index, -1].tolist(),
                strict=True,
            )
        )
        maps.append(
            _fig(
                city_map_figure(
                    region.boundaries_path,
                    vals,
                    labels=labels,
                    vmin=0.0,
                    vmax=1.0,
                    colorscale="Viridis",
                    title=_tx("map_title", lang, name=title_of(name), year=int(r.years[-1])),
                    value_label=_tx("cooperation", lang),
                    provinces=prov if prov.exists() else None,
                )
            )
        )
    return (_tx("map", lang), "<div class='grid'>" + "".join(maps) + "</div>")


def _force_sections(
    results,
    summary: list[dict],
    by_name: dict,
    labels: dict[int, str],
    title_of: Callable[[str], str],
    focus_adcodes: Sequence[int],
    lang: str,
) -> list[tuple[str, str]]:
    """Force decomposition of the focus cities under the package (none if none is present)."""
    from coopgov.model.forces import FORCE_TERMS
    from coopgov.report.labels import force_term_colours, force_term_label

    city = results.city
    focus_name = "package" if "package" in by_name else summary[0]["name"]
    r = by_name[focus_name]
    dec = r.simulation.decomposition(slice(r.index, r.index + 1))
    colours = force_term_colours([(t.name, t.family) for t in FORCE_TERMS])
    families = {t.name: t.family for t in FORCE_TERMS}
    figs = []
    for adcode in focus_adcodes:
        hits = np.flatnonzero(city.adcode == adcode)
        if not hits.size:
            continue
        i = int(hits[0])
        terms = {t.name: dec[t.name][0, :, i] for t in FORCE_TERMS}
        total = sum(terms.values())
        figs.append(
            _fig(
                force_figure(
                    r.years,
                    terms,
                    total,
                    title=f"{labels.get(adcode, adcode)} — {title_of(focus_name)}",
                    colours=colours,
                    families=families,
                    lang=lang,
                    cooperation=r.simulation.cooperation[r.index, :, i],
                    labels={n: force_term_label(n, lang) for n in terms},
                    total_label=_tx("delta", lang),
                    ylabel=_tx("c0", lang),
                    coop_label=_tx("cooperation", lang),
                )
            )
        )
    if not figs:
        return []
    return [
        (
            _tx("forces", lang, name=title_of(focus_name)),
            "".join(figs) + "<p class='note'>" + html.escape(_tx("forces_note", lang)) + "</p>",
        )
    ]


def _per_yuan_sections(by_name: dict, lang: str) -> list[tuple[str, str]]:
    """Single levers ranked by effect per yuan against the baseline (none without both)."""
    from coopgov.model.levers import LEVERS

    base = by_name.get("baseline")
    if base is None:
        return []
    names, per_yuan, pm_per_yuan = [], [], []
    b = base.summary()
    for lever in LEVERS.values():
        if lever.name not in by_name:
            continue
        s = by_name[lever.name].summary()
        cost_e8 = max(s["cost"], 1.0) / 1e8
        names.append(lever.label_en if lang == "en" else lever.label_zh)
        per_yuan.append((s["cooperation_rate"] - b["cooperation_rate"]) / cost_e8)
        pm_per_yuan.append(-100 * (s["pm25_change"] - b["pm25_change"]) / cost_e8)
    if not names:
        return []
    return [
        (
            _tx("ranked", lang),
            "<div class='grid'>"
            + _fig(
                ranking_figure(
                    names,
                    per_yuan,
                    title=_tx("per_coop", lang),
                    xlabel=_tx("per_coop_x", lang),
                )
            )
            + _fig(
                ranking_figure(
                    names,
                    pm_per_yuan,
                    title=_tx("per_pm", lang),
                    xlabel=_tx("per_pm_x", lang),
                )
            )
            + "</div><p class='note'>"
            + html.escape(_tx("ranked_note", lang))
            + "</p>",
        )
    ]


def _explanation_sections(summary: list[dict], lang: str) -> list[tuple[str, str]]:
    """Why each explained scenario ends where it does (none when no scenario is explained)."""
    why = [s for s in summary if s.get("explanation_terms")]
    if not why:
        return []
    items = "".join(f"<li>{html.escape(_explain(s, lang))}</li>" for s in why)
    return [
        (
            _tx("why", lang),
            f"<ul>{items}</ul><p class='note'>" + html.escape(_tx("why_note", lang)) + "</p>",
        )
    ]


def _rest_point_sections(summary: list[dict], lang: str) -> list[tuple[str, str]]:
    """Rest points, their stability and the basin reached (none without rest points)."""
    stab = [s for s in summary if s.get("rest_points")]
    if not stab:
        return []
    rows = []
    for s in stab:
        pts = ", ".join(
            f"{p['cooperation_rate']:.3f} ({_tx('stable' if p['stable'] else 'unstable', lang)})"
            for p in s["rest_points"]
        )
        basin = s.get("basin")
        rows.append(
            {
                "name": s["name"],
                "points": pts,
                "basin": "—"
                if basin is None
                else f"{s['rest_points'][basin]['cooperation_rate']:.3f}",
                "bistable": _tx("yes" if s.get("bistable") else "no", lang),
            }
        )
    return [
        (
            _tx("rest", lang),
            _table(
                rows,
                [
                    ("name", _tx("scenario", lang), ""),
                    ("points", _tx("rest_points", lang), ""),
                    ("basin", _tx("heading", lang), ""),
                    ("bistable", _tx("bistable", lang), ""),
                ],
            )
            + "<p class='note'>"
            + html.escape(_tx("rest_note", lang))
            + "</p>",
        )
    ]


# --- results with uncertainty (posterior runs) -------------------------------------------------

_BANDED_COLUMNS = [
    ("cooperation_rate", "cooperation rate", ".3f", 1.0),
    ("pm25_ugm3", "PM2.5 µg/m³", ".1f", 1.0),
    ("pm25_change", "PM2.5 proxy change %", ".2f", 100.0),
    ("abatement_cost", "abatement cost 亿元/yr", ".1f", 1e-8),
    ("gdp_effect", "GDP effect 亿元/yr", ".1f", 1e-8),
    ("transfers", "transfers 亿元/yr", ".2f", 1e-8),
    ("cost", "lever cost 亿元/yr", ".1f", 1e-8),
    ("abm_cooperation_rate", "ABM cooperation", ".3f", 1.0),
]


def _band_text(s: dict, key: str, fmt: str, scale: float) -> str | None:
    if s.get(key) is None:
        return None
    mid = format(s[key] * scale, fmt)
    if f"{key}_q05" not in s:
        return mid
    lo, hi = format(s[f"{key}_q05"] * scale, fmt), format(s[f"{key}_q95"] * scale, fmt)
    return mid if lo == hi else f"{mid} [{lo}, {hi}]"


def _bands_section(results) -> tuple[str, str]:
    """Every summary figure as median [5 %, 95 %] over the posterior draws."""
    rows = []
    for s in results.summary():
        row = {"name": s["name"], "end_year": s["end_year"]}
        for key, _, fmt, scale in _BANDED_COLUMNS:
            row[key] = _band_text(s, key, fmt, scale)
        rows.append(row)
    cols = [("name", "scenario", ""), ("end_year", "year", "d")] + [
        (key, label, "") for key, label, _, _ in _BANDED_COLUMNS
    ]
    return (
        "Results with 90 % bands",
        _table(rows, cols)
        + (
            f"<p class='note'>Median over {results.draws} parameter sets drawn from the posterior "
            f"<code>{html.escape(str(results.posterior_source))}</code> (by weight, seed "
            f"{results.seed}), with the 5-95 % band in brackets; the figures of the summary above "
            "are these medians. The ABM band mixes the posterior with the agents' randomness "
            "(each replication runs on its own draw). Lever costs follow from the nominal lever "
            "intensities, an assumption: they have no band. The maps, the force decomposition and "
            "the rest points show the median draw (the draw whose end cooperation rate is nearest "
            "the median).</p>"
        ),
    )


def _band_line_sections(results) -> list[tuple[str, str]]:
    """Cooperation rate and PM2.5 over time, median and 90 % band per scenario."""
    regional = results.tables()["regional"]
    out = []
    for col, head, title, ylabel, percent in (
        (
            "cooperation_rate",
            "Cooperation over time",
            "Regional cooperation rate",
            "cooperation rate",
            True,
        ),
        (
            "pm25_ugm3",
            "PM2.5 over time (µg/m³)",
            "Regional mean PM2.5 (observation model fitted to observed PM2.5)",
            "µg/m³",
            False,
        ),
        (
            "pm25_change",
            "PM2.5 proxy over time",
            "Change of population-weighted PM2.5 against no cooperation",
            "change",
            True,
        ),
    ):
        series = {
            name: (g["year"], g[f"{col}_q05"], g[col], g[f"{col}_q95"])
            for name, g in regional.groupby("scenario", sort=False)
        }
        out.append(
            (
                head,
                _fig(band_figure(series, title=title, ylabel=ylabel, percent=percent))
                + (
                    "<p class='note'>Line: posterior median; shaded: 90 % band "
                    "(5-95 % over the draws).</p>"
                ),
            )
        )
    return out


def _ranking_probability_section(results) -> tuple[str, str]:
    """The countermeasure ranking as probabilities: a table and a chart."""
    ranking = results.ranking()
    rows = []
    for r in ranking:
        rows.append(
            {
                "name": f"{r['label_en']} {r['label_zh']}",
                "p": f"{r['probability_best']:.0%}",
                "rank": (
                    str(r["rank_q05"])
                    if r["rank_q05"] == r["rank_q95"]
                    else f"{r['rank_q05']}–{r['rank_q95']}"
                ),
                "median_rank": r["rank_q50"],
                "gain": _band_text(r, "cooperation_gain", ".4f", 1.0),
                "per_yuan": _band_text(r, "gain_per_1e8_yuan", ".4f", 1.0),
                "cost": r["extra_cost"] / 1e8,
            }
        )
    table = _table(
        rows,
        [
            ("name", "countermeasure", ""),
            ("p", "P(most effective per yuan)", ""),
            ("rank", "rank 5-95 %", ""),
            ("median_rank", "median rank", "d"),
            ("gain", "Δ cooperation vs current policy", ""),
            ("per_yuan", "Δ cooperation per 亿元/yr", ""),
            ("cost", "extra cost 亿元/yr", ".2f"),
        ],
    )
    fig = rank_probability_figure(
        [r["label_en"] for r in ranking],
        [r["probability_best"] for r in ranking],
        [r["rank_q05"] for r in ranking],
        [r["rank_q50"] for r in ranking],
        [r["rank_q95"] for r in ranking],
        title=f"Countermeasures per yuan over {results.draws} posterior draws",
    )
    return (
        "Countermeasures ranked by effect per yuan, with probabilities",
        table
        + _fig(fig)
        + (
            "<p class='note'>For each posterior draw, each countermeasure's end-of-horizon "
            "cooperation gain against current policy (the same draw's baseline) is divided by its "
            "yearly cost beyond current policy (10^8 yuan/yr, assumed costs: see "
            "coopgov.model.levers). P is the share of draws in which it comes first (the shares "
            "sum to 1); the rank interval holds its rank in 90 % of the draws. Payments between "
            "cities (the compensation bets, shown under transfers) are not lever costs: only the "
            "regional fiscal cost of running each countermeasure counts.</p>"
        ),
    )


def _calibrated_section(results) -> tuple[str, str]:
    """Which figures are calibrated to observed PM2.5 and which remain assumptions."""
    post = getattr(results, "posterior_summary", None)
    if not getattr(results, "draws", 0) or post is None:
        return (
            "What is calibrated and what is assumed",
            (
                "<p><strong>Nothing in this run is calibrated.</strong> It is a point run at the "
                "parameters' values (defaults and the scenarios' overrides), every one of them an "
                "assumption or a bundled figure; no figure has a band. Run without "
                "<code>--no-posterior</code> to draw the fitted parameters from the posterior "
                "calibrated on observed PM2.5.</p>"
            ),
        )
    fitted = set(post["parameter"])
    rows = [
        {
            "parameter": r.parameter,
            "unit": r.unit,
            "prior": f"[{r.prior_low:g}, {r.prior_high:g}]",
            "posterior": f"{r.q50:.3g} [{r.q05:.3g}, {r.q95:.3g}]",
            "identified": (
                "yes: narrowed by the data" if r.identified else "no: about as wide as its prior"
            ),
        }
        for r in post.itertuples()
    ]
    table = _table(
        rows,
        [
            ("parameter", "fitted parameter", ""),
            ("unit", "unit", ""),
            ("prior", "prior (declared bounds)", ""),
            ("posterior", "posterior median [5 %, 95 %]", ""),
            ("identified", "identified", ""),
        ],
    )
    from coopgov.model.parameters import PARAMETER_INFO

    assumed = len([p for p in PARAMETER_INFO if p not in fitted])
    efficacy = (
        "Every lever intensity, the history's and the countermeasures', is scaled by "
        "the draw's <code>lever_efficacy</code>; that the efficacy fitted on the "
        "history's institutions also holds for new countermeasures is an assumption. "
        if "lever_efficacy" in fitted
        else ""
    )
    return (
        "What is calibrated and what is assumed",
        (
            f"<p><strong>Calibrated</strong> (fitted by ABC-SMC to the observed YRD annual mean "
            f"PM2.5 and the milestone timing; posterior "
            f"<code>{html.escape(str(results.posterior_source))}</code>): the {len(fitted)} "
            "parameters below. Every figure that depends on them carries its 90 % band: the "
            "cooperation rates, the PM2.5 concentration in µg/m³, abatement cost, GDP effect, "
            "transfers, the ABM's cooperation and the ranking probabilities. A parameter the data "
            "do not identify keeps a band about as wide as its prior: the figures it drives are "
            "bounded by the declared range, not by the observations. "
            + _identified_sentence(post)
            + "</p>"
            + table
            + f"<p><strong>Assumptions</strong> (no band): the other {assumed} model parameters at "
            "their declared values (<code>coopgov.model.parameters.PARAMETER_INFO</code>), the "
            "mapping of each lever onto the parameters and its yearly cost (so the lever cost "
            "column has no band), the history's lever intensities and dates (scaled as a whole "
            f"by the fitted efficacy), the PM2.5 proxy's abatement rate and background share. "
            f"{efficacy}The emission trend outside cooperation is fitted on 2013-2022 and "
            "extrapolated beyond the last observation: far into the horizon it, not cooperation, "
            "sets the PM2.5 level in µg/m³, and the scenarios hardly differ there.</p>"
        ),
    )


def _identified_sentence(post) -> str:
    """Which fitted parameters the data narrow, in words."""
    narrowed = [str(p) for p, ok in zip(post["parameter"], post["identified"], strict=True) if ok]
    wide = [str(p) for p, ok in zip(post["parameter"], post["identified"], strict=True) if not ok]
    if not wide:
        return "The data narrow every fitted parameter."
    return (
        f"Here the data narrow {len(narrowed)} of the {len(post)} fitted parameters ("
        + (", ".join(f"<code>{html.escape(p)}</code>" for p in narrowed) or "none")
        + "); the bands of figures driven by the others ("
        + ", ".join(f"<code>{html.escape(p)}</code>" for p in wide)
        + ") mostly reflect those parameters' declared ranges."
    )
