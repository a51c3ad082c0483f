"""Display labels (English and Chinese) and colour palettes shared by the report and the dashboard.

One table per kind of thing, each entry ``name -> (English, Chinese)``; the
dashboard reads them from ``/api/meta`` (see :func:`display_labels`), the
HTML report from here, so a label is written once.  Force terms and their
families are taken from :data:`coopgov.model.forces.FORCE_TERMS` and
:data:`~coopgov.model.forces.FAMILIES` at run time: a term without an entry
here is shown by its identifier, and a test fails until it gets one.

Palettes
--------
Categories use the Okabe–Ito palette (Okabe & Ito 2008, *Color Universal
Design*; Wong 2011, *Nature Methods* 8, 441), which stays distinguishable
under the common colour-vision deficiencies.  Force terms are grouped by
family into four hue families anchored on Okabe–Ito colours (attraction
bluish green, pressure blue, thrust reddish purple, resistance orange to
vermillion) with lightness steps inside a family.  Sequences of
non-negative values use viridis or cividis (Nuñez, Anderton & Renslow 2018,
*PLoS ONE* 13(7): e0199239).  AQI categories keep the colours HJ 633
fixes, and every display that colours by category also writes the
category's name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "FAMILY_LABELS",
    "FAMILY_PATTERNS",
    "FORCE_TERM_LABELS",
    "OKABE_ITO",
    "PARAMETER_LABELS_ZH",
    "PRESET_TITLES_ZH",
    "PROVINCE_LABELS",
    "SCENARIO_TITLES_ZH",
    "category_colours",
    "city_labels",
    "display_labels",
    "force_term_colours",
    "force_term_label",
    "warning_level_labels",
]

#: Okabe–Ito palette without black (Wong 2011): orange, sky blue, bluish green,
#: yellow, blue, vermillion, reddish purple, grey.
OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#999999")

#: Line dashes cycled with the palette when there are more series than colours.
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")

#: Force families of the study (section 3: attraction, pressure, thrust; section 4: resistance).
FAMILY_LABELS: dict[str, tuple[str, str]] = {
    "attraction": ("attraction", "吸引力"),
    "pressure": ("pressure", "压力"),
    "thrust": ("thrust", "推力"),
    "resistance": ("resistance", "阻力"),
}

#: Hue family of each force family, dark to light (anchored on Okabe–Ito colours).
FAMILY_SHADES: dict[str, tuple[str, ...]] = {
    "attraction": ("#00664a", "#009E73", "#5cc7a3", "#a6e3cc"),
    "pressure": ("#004a75", "#0072B2", "#4aa3d9", "#9ccbeb"),
    "thrust": ("#8a3f6c", "#CC79A7", "#e2abc9", "#f3d4e5"),
    "resistance": (
        "#8f3a00",
        "#D55E00",
        "#E69F00",
        "#f2c14e",
        "#f7dc8c",
        "#b07a3a",
        "#6b4a1f",
        "#fbe9bd",
        "#c45a1a",
        "#e8a45c",
    ),
}

#: Bar pattern of each family: under deuteranopia the green (attraction) and purple
#: (thrust) hues both turn grey (checked with the Machado, Oliveira & Fernandes 2009
#: simulation), so thrust is also hatched.
FAMILY_PATTERNS: dict[str, str] = {
    "attraction": "",
    "pressure": "",
    "thrust": "/",
    "resistance": "",
}

#: Readable names of the force terms (study sections 3 and 4).
FORCE_TERM_LABELS: dict[str, tuple[str, str]] = {
    "shared_interest": ("shared interest", "共同利益"),
    "promotion": ("promotion incentive", "晋升激励"),
    "public_opinion": ("public opinion", "公众舆论"),
    "legitimacy": ("legitimacy", "合法性"),
    "administrative_cost": ("shared administrative cost", "行政成本分担"),
    "vertical_thrust": ("vertical thrust (central)", "纵向推力（中央）"),
    "lateral_thrust": ("lateral thrust (neighbours)", "横向推力（邻市示范）"),
    "bottom_up_thrust": ("bottom-up thrust (NGOs, firms)", "自下而上推力（社会组织与企业）"),
    "economic_interest": ("economic interest", "经济利益"),
    "own_abatement_benefit": ("own abatement benefit", "自身减排收益"),
    "fiscal_transfer": ("fiscal transfers (if cooperating)", "财政转移（以合作为条件）"),
    "water_abatement": ("water abatement cost", "水污染治理成本"),
    "institutional": ("institutional gaps", "制度不完善"),
    "fiscal_imbalance": ("fiscal imbalance", "财政失衡"),
    "information": ("missing information", "信息缺失"),
    "monitoring_disunity": ("monitoring disunity", "监测标准不统一"),
    "technology": ("technology cost", "技术成本"),
    "compensation": ("ecological compensation", "生态补偿"),
}

#: What a level 0 (no warning) is called; levels 1-4 are named by the standard
#: (:data:`coopgov.standards.warning.LEVEL_NAMES`, ``LEVEL_NAMES_ZH``).
NO_WARNING_LABEL: tuple[str, str] = ("none", "无")


def warning_level_labels() -> dict[int, tuple[str, str]]:
    """Name of each heavy-pollution warning level (0 none .. 4 red) in English and Chinese."""
    from coopgov.standards.warning import LEVEL_NAMES, LEVEL_NAMES_ZH

    return {
        k: (en, zh) if en and zh else NO_WARNING_LABEL
        for k, (en, zh) in enumerate(zip(LEVEL_NAMES, LEVEL_NAMES_ZH, strict=True))
    }


PROVINCE_LABELS: dict[str, tuple[str, str]] = {
    "Shanghai": ("Shanghai", "上海"),
    "Jiangsu": ("Jiangsu", "江苏"),
    "Zhejiang": ("Zhejiang", "浙江"),
    "Anhui": ("Anhui", "安徽"),
}

#: Chinese titles of the built-in scenarios (countermeasure scenarios use the lever's label).
SCENARIO_TITLES_ZH: dict[str, str] = {
    "baseline": "现行政策（基准情景）",
    "history": "历史进程 2005–2025",
    "package": "全部对策组合",
    "counterfactual": "反事实：无制度起点",
}

#: Chinese titles of the bundled compensation presets.
PRESET_TITLES_ZH: dict[str, str] = {
    "xinan-round1": "新安江试点第一轮（2012–2014）",
    "xinan-round2": "新安江试点第二轮（2015–2017）",
    "xinan-round3": "新安江试点第三轮（2018–2020）",
    "jiangsu-taihu": "江苏太湖流域区域补偿（2013 年办法）",
    "jiangsu-taihu-2021": "江苏水环境区域补偿 2021 年修订（太湖流域）",
}

#: Parties and directions named in compensation results.
PARTY_LABELS: dict[str, tuple[str, str]] = {
    **PROVINCE_LABELS,
    "central government": ("central government", "中央政府"),
    "downstream pays upstream": ("downstream pays upstream", "下游补偿上游"),
    "upstream pays downstream": ("upstream pays downstream", "上游补偿下游"),
    "no payment": ("no payment", "不支付"),
    "Jiekou": ("Jiekou", "街口"),
    "bet": ("bet", "对赌"),
    "central": ("central", "中央"),
}

#: Chinese names of the model's behavioural parameters (identifiers as in PARAMETER_INFO).
PARAMETER_LABELS_ZH: dict[str, str] = {
    "abatement_rate": "合作时大气污染减排比例",
    "water_abatement_rate": "合作时水污染负荷削减比例",
    "background_share": "本底 PM2.5 比例",
    "unit_abatement_cost": "单位减排成本",
    "damage_gdp_share": "污染损害占 GDP 比例",
    "promotion_value": "晋升收益",
    "env_weight": "考核中环境权重",
    "jm_consultation": "联防联控：定期会商",
    "jm_information_exchange": "联防联控：信息通报",
    "jm_early_warning": "联防联控：预警",
    "jm_emergency_linkage": "联防联控：应急联动",
    "jm_dispute_coordination": "联防联控：纠纷协调",
    "jm_linked_enforcement": "联防联控：联合执法",
    "ngo_activity": "社会组织活跃度",
    "false_positive": "监测误判合作者概率",
    "false_negative": "监测漏判违约者概率",
    "unified_error_share": "统一标准后残余误差比例",
    "compensation_stake": "对赌补偿金额",
    "unit_water_abatement_cost": "单位水污染治理成本",
    "water_damage_gdp_share": "水污染损害占 GDP 比例",
    "pm25_no_cooperation_2013": "2013 年无合作 PM2.5 浓度",
    "pm25_background": "PM2.5 本底浓度",
    "emission_trend_2013_2017": "2013–2017 年排放下降速率",
    "emission_trend_after_2017": "2017 年后排放下降速率",
    "met_noise_sd": "气象波动标准差",
    "attributable_share": "合作可解释份额",
    "lever_efficacy": "政策杠杆效力系数",
    "public_opinion": "舆论压力",
    "disclosure": "信息公开程度",
    "legitimacy": "合法性（服务型政府）",
    "development_concept": "发展理念转变程度",
    "admin_saving": "行政成本节约",
    "central_reward": "中央奖励",
    "central_penalty": "问责处罚",
    "law_completeness": "法律完备程度",
    "detection": "违约查处概率",
    "lateral_thrust": "横向示范效应",
    "bottom_up": "自下而上的社会规范",
    "gdp_weight": "考核中 GDP 权重",
    "gdp_loss": "减排造成的 GDP 损失",
    "sucker_cost": "单方合作损失",
    "fiscal_burden": "财政负担权重",
    "information_cost": "信息交易成本",
    "information_sharing": "信息共享程度",
    "monitoring_unification": "监测标准统一程度",
    "technology_cost": "技术成本水平",
    "fiscal_fund": "区域财政转移基金",
    "compensation_coverage": "生态补偿覆盖比例",
    "compensation_target": "补偿允许负荷比例",
    "adjustment_rate": "调整速度",
    "agreement_decay": "协议衰减率",
    "initial_cooperation": "初始合作倾向",
    "noise": "随机探索率",
}


def _lang_index(lang: str) -> int:
    if lang not in ("en", "zh"):
        raise ValueError(f"lang must be 'en' or 'zh', got {lang!r}")
    return 0 if lang == "en" else 1


def force_term_label(name: str, lang: str = "en") -> str:
    """Readable name of a force term (its identifier when it has no entry)."""
    pair = FORCE_TERM_LABELS.get(name)
    return pair[_lang_index(lang)] if pair else name.replace("_", " ")


def _force_terms() -> list[tuple[str, str]]:
    from coopgov.model.forces import FORCE_TERMS

    return [(t.name, t.family) for t in FORCE_TERMS]


def force_term_colours(terms: Iterable[tuple[str, str]] | None = None) -> dict[str, str]:
    """Colour of each force term: its family's hue, one lightness step per term.

    Parameters
    ----------
    terms : iterable of (name, family), optional
        Default: :data:`coopgov.model.forces.FORCE_TERMS` in order.
    """
    used: dict[str, int] = {}
    out = {}
    for name, family in terms if terms is not None else _force_terms():
        shades = FAMILY_SHADES.get(family, ("#777777", "#aaaaaa"))
        k = used[family] = used.get(family, -1) + 1
        out[name] = shades[k % len(shades)]
    return out


def category_colours(n: int) -> list[tuple[str, str]]:
    """``n`` (colour, dash) pairs: Okabe–Ito colours, then the next dash style.

    Distinct for up to 48 series (8 colours x 6 dashes); beyond that they repeat.
    """
    return [
        (OKABE_ITO[k % len(OKABE_ITO)], DASHES[(k // len(OKABE_ITO)) % len(DASHES)])
        for k in range(n)
    ]


def city_labels(cities: Any, lang: str = "en") -> dict[int, str]:
    """Unique display label of each city, by adcode.

    Two pairs of YRD cities share an English name (Suzhou 320500 Jiangsu and
    341300 Anhui; Taizhou 321200 Jiangsu and 331000 Zhejiang): in English a
    name held by more than one city gets its province, "Suzhou (Jiangsu)".
    Chinese names are unique (苏州/宿州, 泰州/台州); a repeated one would get
    its province too.

    Parameters
    ----------
    cities : DataFrame or iterable of mappings
        Columns/keys ``adcode``, ``name_en``, ``name_zh``, ``province``.
    lang : {"en", "zh"}
        Language of the labels.
    """
    k = _lang_index(lang)
    records: list[Mapping[str, Any]] = (
        cities.to_dict(orient="records") if hasattr(cities, "to_dict") else list(cities)
    )
    key = "name_en" if k == 0 else "name_zh"
    counts: dict[str, int] = {}
    for r in records:
        counts[str(r[key])] = counts.get(str(r[key]), 0) + 1
    out = {}
    for r in records:
        name = str(r[key])
        if counts[name] > 1:
            prov = PROVINCE_LABELS.get(str(r["province"]), (r["province"], r["province"]))[k]
            name = f"{name} ({prov})" if k == 0 else f"{name}（{prov}）"
        out[int(r["adcode"])] = name
    return out


def display_labels() -> dict[str, Any]:
    """Every label table in both languages, for the dashboard (``/api/meta``)."""
    from coopgov.model.forces import FAMILIES

    terms = _force_terms()
    return {
        "force_terms": {
            n: list(FORCE_TERM_LABELS.get(n, (n.replace("_", " "),) * 2)) for n, _ in terms
        },
        "families": {f: list(FAMILY_LABELS.get(f, (f, f))) for f in FAMILIES},
        "warning_levels": {str(k): list(v) for k, v in warning_level_labels().items()},
        "force_colours": force_term_colours(terms),
        "force_patterns": {n: FAMILY_PATTERNS.get(f, "") for n, f in terms},
        "provinces": {k: list(v) for k, v in PROVINCE_LABELS.items()},
        "parties": {k: list(v) for k, v in PARTY_LABELS.items()},
        "scenario_titles_zh": dict(SCENARIO_TITLES_ZH),
        "preset_titles_zh": dict(PRESET_TITLES_ZH),
        "parameters_zh": dict(PARAMETER_LABELS_ZH),
        "palette": list(OKABE_ITO),
        "dashes": list(DASHES),
    }
