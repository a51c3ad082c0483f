"""``coopgov region``: show a loaded region (bundled or from a folder)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.table import Table

from coopgov.cli._output import EncodingOpt, console, fail, print_json, utf8_copy
from coopgov.cli.app import app
from coopgov.errors import InputError
from coopgov.region import POLLUTANTS, PROVENANCE_STATUSES, Region, load_region

_EXTRA = ("lon", "lat", "area_km2", "population", "gdp", "secondary_share", "budget_revenue")


def _payload(region: Region) -> dict[str, Any]:
    cities = []
    fiscal = region.fiscal_capacity
    for k, row in enumerate(region.cities.itertuples(index=False)):
        rec: dict[str, Any] = {
            "adcode": int(row.adcode),
            "name_zh": row.name_zh,
            "name_en": row.name_en,
            "province": row.province,
            "neighbours": region.neighbours(int(row.adcode)),
        }
        for c in _EXTRA:
            v = getattr(row, c)
            integral = c in ("population", "gdp", "budget_revenue") and float(v).is_integer()
            rec[c] = int(v) if integral else v
        rec["fiscal_capacity"] = float(fiscal[k])
        rec["emissions_t_per_year"] = {p: float(region.emissions[p].iloc[k]) for p in POLLUTANTS}
        rec["air_self_share"] = float(region.air_transfer[k, k])
        cities.append(rec)
    return {
        "name": region.name,
        "n": region.n,
        "cities": cities,
        "river_edges": region.river_edges.drop(columns=["source"]).to_dict(orient="records"),
        "air_kernel": dict(region.air_kernel),
        "boundaries_path": None if region.boundaries_path is None else str(region.boundaries_path),
        "sources": dict(region.sources),
    }


def _table(region: Region) -> Table:
    t = Table(title=f"region {region.name} ({region.n} cities)")
    for col, just in (
        ("adcode", "right"),
        ("name", "left"),
        ("province", "left"),
        ("pop. (M)", "right"),
        ("GDP (bn yuan)", "right"),
        ("2nd ind.", "right"),
        ("fiscal cap.", "right"),
        ("SO2 (kt)", "right"),
        ("neighbours", "left"),
    ):
        t.add_column(col, justify=just)  # type: ignore[arg-type]
    fiscal = region.fiscal_capacity
    for k, row in enumerate(region.cities.itertuples(index=False)):
        t.add_row(
            str(row.adcode),
            f"{row.name_zh} {row.name_en}",
            row.province,
            f"{row.population / 1e6:.2f}",
            f"{row.gdp / 1e9:,.0f}",
            f"{row.secondary_share:.1%}",
            f"{fiscal[k]:.2f}",
            f"{region.emissions['so2'].iloc[k] / 1e3:.1f}",
            " ".join(str(a) for a in region.neighbours(int(row.adcode))),
        )
    return t


def _sources_payload(region: Region) -> dict[str, Any]:
    prov = region.provenance
    rows: list[dict[str, Any]] = []
    if prov is not None:
        for r in prov.itertuples(index=False):
            value = None if pd.isna(r.value) else float(r.value)
            rows.append(
                {
                    "adcode": int(r.adcode),
                    "field": r.field,
                    "value": value,
                    "unit": getattr(r, "unit", ""),
                    "year": int(r.year),
                    "status": r.status,
                    "source": r.source,
                    "note": getattr(r, "note", ""),
                }
            )
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    return {
        "name": region.name,
        "statuses": list(PROVENANCE_STATUSES),
        "counts": counts,
        "figures": rows,
    }


def _sources_table(payload: dict[str, Any]) -> Table:
    t = Table(
        title=f"region {payload['name']}: {len(payload['figures'])} figures "
        + ", ".join(f"{k} {v}" for k, v in sorted(payload["counts"].items()))
    )
    for col in ("adcode", "field", "value", "unit", "year", "status", "source"):
        t.add_column(col, overflow="fold")
    for r in payload["figures"]:
        v = "" if r["value"] is None else f"{r['value']:.6g}"
        t.add_row(
            str(r["adcode"]), r["field"], v, r["unit"], str(r["year"]), r["status"], r["source"]
        )
    return t


@app.command("region")
def region_command(
    name: Annotated[str, typer.Option("--name", help="bundled region name")] = "yrd",
    path: Annotated[Path | None, typer.Option("--path", help="region folder (CSV files)")] = None,
    transfer: Annotated[
        Path | None, typer.Option("--transfer", help="air transfer matrix CSV")
    ] = None,
    encoding: EncodingOpt = "auto",
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    sources: Annotated[
        bool,
        typer.Option("--sources", help="list every figure with value, year, status and source"),
    ] = False,
) -> None:
    """Show a region: its cities, neighbours, figures and sources."""
    try:
        with utf8_copy(transfer, encoding) as transfer_csv:
            region = load_region(path if path is not None else name, transfer_csv=transfer_csv)
    except InputError as exc:
        fail(exc, as_json)
        return
    if sources:
        payload = _sources_payload(region)
        if as_json:
            print_json(payload)
        else:
            console.print(_sources_table(payload))
        return
    if as_json:
        print_json(_payload(region))
    else:
        console.print(_table(region))
