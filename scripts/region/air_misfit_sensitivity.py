"""How the air kernel's fit to the source-apportionment studies moves with its parameters.

Recomputes, from the bundled YRD region and the build inputs, the comparison of
``scripts/build_region_yrd.py`` (``coopgov.region.apportionment``) for other
values of the primary transport length, the primary share of PM2.5 and the
secondary-to-primary length ratio, and prints for each: the study comparisons
outside their range, the summed distance to the ranges [-] and the mean share of
YRD-sourced PM2.5 from other cities [-].  With ``--rows`` it prints, per
comparison outside its range at any of the lengths, the model and the distance
at each length (the region README, air, quotes this).

Run from the repository root::

    PYTHONPATH=src python scripts/region/air_misfit_sensitivity.py [--rows]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from coopgov.region import apportionment as appt
from coopgov.region import load_region
from coopgov.region.air import AirKernel, air_transfer_matrix, kernel_footprint, outside_share

INPUTS = Path(__file__).resolve().parent / "inputs"
LENGTHS_KM = (10.0, 11.0, 12.35, 13.0, 15.0)


def evaluate(
    length_km: float,
    primary_share: float = appt.PRIMARY_SHARE,
    ratio: float = appt.SECONDARY_LENGTH_RATIO,
) -> tuple[pd.DataFrame, float]:
    """Comparison table (with ``distance`` [-]) and mean other-city share [-] for one kernel."""
    region = load_region("yrd")
    c, em = region.cities, region.emissions
    lon, lat, area = (c[k].to_numpy(float) for k in ("lon", "lat", "area_km2"))
    air_e = (em["so2"] + em["nox"] + em["pm"]).to_numpy(float)
    cells = pd.read_csv(INPUTS / "yrd_outside_land.csv", comment="#")
    studies = appt.read_air_studies(INPUTS / "yrd_air_studies.csv")
    kernel = AirKernel(primary_share=primary_share, secondary_length_ratio=ratio).to_dict()
    params = {k: v for k, v in kernel.items() if k != "length_km"}
    footprint = kernel_footprint(
        lon,
        lat,
        cells["lon"],
        cells["lat"],
        cells["area_km2"],
        **{**params, "length_km": length_km, "winter_weight": 1.0},
    )
    outside = appt.outside_yrd_shares(footprint)
    shares = appt.model_shares(lon, lat, area, air_e, {**params, "length_km": length_km}, outside)
    cmp = appt.compare_with_studies(shares, region.adcodes, studies)
    cmp["distance"] = np.maximum(cmp["low"] - cmp["model"], 0) + np.maximum(
        cmp["model"] - cmp["high"], 0
    )
    t = air_transfer_matrix(lon, lat, area, length_km=length_km, **params)
    return cmp, float(outside_share(t, air_e).mean())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", action="store_true", help="per-comparison detail by length")
    args = ap.parse_args()
    print("primary_share ratio length_km outside_range distance mean_other_city_share")
    cases = [(appt.PRIMARY_SHARE, appt.SECONDARY_LENGTH_RATIO, L) for L in LENGTHS_KM]
    cases += [(p, appt.SECONDARY_LENGTH_RATIO, L) for p in (0.30, 0.45) for L in (10, 12.35, 15)]
    cases += [(appt.PRIMARY_SHARE, r, L) for r in (4.0, 7.0) for L in (10, 12.35, 15)]
    tables = {}
    for p, r, L in cases:
        cmp, mean_s = evaluate(L, p, r)
        if p == appt.PRIMARY_SHARE and r == appt.SECONDARY_LENGTH_RATIO:
            tables[L] = cmp
        print(
            f"{p:13.3f} {r:5.2f} {L:9.2f} {int((~cmp['inside']).sum()):13d} "
            f"{cmp['distance'].sum():8.3f} {mean_s:21.3f}"
        )
    if args.rows:
        keys = ["study", "model_adcode", "season", "quantity", "low", "high"]
        wide = None
        for L, cmp in tables.items():
            part = cmp[keys].copy()
            part[f"model@{L:g}"] = cmp["model"].round(3)
            part[f"dist@{L:g}"] = cmp["distance"].round(3)
            wide = part if wide is None else wide.merge(part, on=keys)
        assert wide is not None
        bad = wide[[c for c in wide.columns if c.startswith("dist@")]].gt(0).any(axis=1)
        print(wide[bad].to_string(index=False))


if __name__ == "__main__":
    main()
