"""Commands ``coopgov compensate ...`` (ecological compensation).

``xinan``      two-way water-quality bet of the Xin'an River type;
``per-tonne``  per-tonne payment for exceedance at sections (Jiangsu type);
``presets``    the bundled schemes; ``examples`` the bundled synthetic tables.

Parses, calls :mod:`coopgov.compensation`, prints.  Amounts are yuan.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.table import Table

from coopgov.cli._output import EncodingOpt, console, fail, print_json, utf8_copy
from coopgov.cli.app import app
from coopgov.compensation import (
    BetScheme,
    PerTonneScheme,
    example_path,
    list_presets,
    load_preset,
    load_scheme,
    per_tonne_assessment,
    table_records,
    xinan_assessment,
)
from coopgov.errors import InputError
from coopgov.services.compensation import choose_bet_scheme

compensate_app = typer.Typer(
    name="compensate",
    help="Ecological compensation: Xin'an-type water-quality bet, per-tonne exceedance "
    "payments (amounts in yuan).",
    no_args_is_help=True,
)
app.add_typer(compensate_app, name="compensate")

MeasurementsOption = Annotated[
    Path,
    typer.Option(
        "--measurements",
        "-m",
        help="CSV of section measurements (see `coopgov compensate examples`).",
    ),
]
ConfigOption = Annotated[
    Path | None, typer.Option("--config", help="Scheme TOML file (instead of a preset).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _yuan(x: float) -> str:
    return f"{x:,.2f}"


def _scheme_summary(s: BetScheme | PerTonneScheme) -> dict[str, Any]:
    out: dict[str, Any] = {"name": s.name, "title": s.title, "kind": s.scheme}
    if isinstance(s, BetScheme):
        out.update(
            round=s.round,
            years=list(s.years),
            section=s.section,
            upstream=s.upstream,
            downstream=s.downstream,
            k0=s.k0,
            threshold=s.threshold,
            weights=dict(s.weights),
            downstream_pays=s.downstream_pays,
            upstream_pays=s.upstream_pays,
            central_to_upstream=s.central_to_upstream,
        )
    else:
        out.update(
            tier_mode=s.tier_mode,
            period=s.period,
            default_payee=s.default_payee,
            factors={
                f: dict(
                    zip(("prices", "tier_bounds"), r.price_arrays(), strict=True), target=r.target
                )
                for f, r in s.factors.items()
            },
        )
    return out


@compensate_app.command("xinan")
def xinan_command(
    measurements: MeasurementsOption,
    round_: Annotated[
        int | None, typer.Option("--round", help="Bundled Xin'an round: 1, 2 or 3.")
    ] = None,
    config: ConfigOption = None,
    year: Annotated[
        int | None,
        typer.Option(
            "--year",
            help="Assessment year (default: all of the round); "
            "without --round or --config it picks the bundled round "
            "covering it.",
        ),
    ] = None,
    encoding: EncodingOpt = "auto",
    as_json: JsonOption = False,
) -> None:
    """Two-way water-quality bet (Xin'an River type): index P and who pays whom.

    The scheme is one of --round 1|2|3 (bundled), --config FILE, or --year
    (the bundled round covering that year).
    """
    try:
        with utf8_copy(config, encoding) as config_file:
            scheme = choose_bet_scheme(round_, config_file, year)
        with utf8_copy(measurements, encoding) as measurements_file:
            result = xinan_assessment(measurements_file, scheme, year)
    except InputError as exc:
        fail(exc, as_json)
        return
    baseline = result.factors.drop_duplicates("factor").set_index("factor")["baseline"].to_dict()
    payload = {
        "scheme": _scheme_summary(scheme),
        "payments": table_records(result.payments),
        "index": table_records(result.index),
        "details": {
            "measurements": str(measurements),
            "amount_unit": "yuan",
            "concentration_unit": "mg/L",
            "baseline": baseline,
            "factors": table_records(result.factors),
            "ignored_factors": result.ignored_factors,
            "central_funds_unknown_years": [
                int(y) for y in result.index["year"] if scheme.central_for(int(y)) is None
            ],
            "unconfirmed": scheme.unconfirmed,
            "sources": scheme.sources,
            "notes": scheme.notes,
        },
    }
    if as_json:
        print_json(payload)
        return
    console.print(
        f"[bold]{scheme.title or scheme.name}[/] — section {scheme.section}, "
        f"{scheme.upstream} upstream, {scheme.downstream} downstream"
    )
    idx = Table("year", "P", "k0", "direction", title="Compensation index P = k0·Σ k_i·C_i/C_i0")
    for r in result.index.itertuples(index=False):
        idx.add_row(str(r.year), f"{r.P:.4f}", f"{r.k0:g}", r.direction)
    console.print(idx)
    fac = Table("year", "factor", "mean mg/L", "baseline mg/L", "weight", "term")
    for r in result.factors.itertuples(index=False):
        if r.weight > 0:
            fac.add_row(
                str(r.year),
                r.factor,
                f"{r.annual_mean:.4g}",
                f"{r.baseline:.4g}",
                f"{r.weight:g}",
                f"{r.term:.4f}",
            )
    console.print(fac)
    _print_payments(result.payments, extra=("kind", "year"))
    _print_unconfirmed(scheme.unconfirmed)
    if any(scheme.central_for(y) is None for y in result.index["year"]):
        console.print(
            "central funds: unknown for this round (sources differ); none reported. "
            "Set central_to_upstream in a --config file."
        )
    if result.ignored_factors:
        console.print(f"not assessed by this scheme: {', '.join(result.ignored_factors)}")


@compensate_app.command("per-tonne")
def per_tonne_command(
    measurements: MeasurementsOption,
    preset: Annotated[
        str | None,
        typer.Option("--preset", help="Bundled scheme: jiangsu-taihu or jiangsu-taihu-2021."),
    ] = None,
    config: ConfigOption = None,
    encoding: EncodingOpt = "auto",
    as_json: JsonOption = False,
) -> None:
    """Per-tonne payment for exceedance at sections (Jiangsu type), split by contribution."""
    try:
        if preset is not None and config is not None:
            raise InputError("give --preset or --config, not both", field="preset", value=preset)
        with utf8_copy(config, encoding) as config_file:
            scheme = (
                load_scheme(config_file)
                if config_file is not None
                else load_preset(preset or "jiangsu-taihu")
            )
        if not isinstance(scheme, PerTonneScheme):
            raise InputError(
                "not a per-tonne scheme (scheme = 'per_tonne' expected)",
                file=None if config is None else str(config),
                field="scheme",
                value=scheme.scheme,
            )
        with utf8_copy(measurements, encoding) as measurements_file:
            result = per_tonne_assessment(measurements_file, scheme)
    except InputError as exc:
        fail(exc, as_json)
        return
    rec = result.records
    summary = rec.groupby(["section", "factor"], as_index=False).agg(
        periods=("row", "size"),
        exceeding_periods=("tier", lambda t: int((t > 0).sum())),
        excess_load_t=("excess_load_t", "sum"),
        payment=("payment", "sum"),
    )
    summary["payment"] = summary["payment"].round(2)
    records = rec.assign(date=rec["date"].dt.strftime("%Y-%m-%d"))
    payload = {
        "scheme": _scheme_summary(scheme),
        "payments": table_records(result.payments),
        "totals": table_records(result.totals),
        "index": table_records(summary),
        "details": {
            "measurements": str(measurements),
            "amount_unit": "yuan",
            "concentration_unit": "mg/L",
            "load_unit": "t",
            "conversion": "t = (C - target) [mg/L] x flow [m3/s] x seconds x 1e-6",
            "records": table_records(records),
            "ignored_factors": result.ignored_factors,
            "unconfirmed": scheme.unconfirmed,
            "sources": scheme.sources,
            "notes": scheme.notes,
        },
    }
    if as_json:
        print_json(payload)
        return
    console.print(f"[bold]{scheme.title or scheme.name}[/]")
    tab = Table(
        "section",
        "factor",
        "periods",
        "exceeding",
        "excess t",
        "payment yuan",
        title="Exceedance by section and factor",
    )
    for r in summary.itertuples(index=False):
        tab.add_row(
            r.section,
            r.factor,
            str(r.periods),
            str(r.exceeding_periods),
            f"{r.excess_load_t:,.2f}",
            _yuan(r.payment),
        )
    console.print(tab)
    _print_payments(result.payments, extra=("section",))
    _print_unconfirmed(scheme.unconfirmed)
    if result.ignored_factors:
        console.print(f"not priced by this scheme: {', '.join(result.ignored_factors)}")


def _print_unconfirmed(names: list[str]) -> None:
    if names:
        console.print(f"[yellow]unconfirmed in the sources read:[/] {', '.join(names)}")


def _print_payments(payments: pd.DataFrame, extra: tuple[str, ...]) -> None:
    tab = Table("payer", "payee", "amount (yuan)", *extra, title="Payments")
    for rec in payments.to_dict(orient="records"):
        tab.add_row(
            rec["payer"], rec["payee"], _yuan(float(rec["amount"])), *[str(rec[c]) for c in extra]
        )
    if payments.empty:
        tab.add_row("—", "—", "0.00", *["" for _ in extra])
    console.print(tab)


@compensate_app.command("presets")
def presets_command(as_json: JsonOption = False) -> None:
    """List the bundled compensation schemes."""
    rows: list[dict[str, Any]] = []
    for name in list_presets():
        s = load_preset(name)
        rows.append(
            {"name": name, "kind": s.scheme, "title": s.title, "unconfirmed": list(s.unconfirmed)}
        )
    if as_json:
        print_json(rows)
        return
    tab = Table("name", "kind", "title", "unconfirmed")
    for r in rows:
        tab.add_row(str(r["name"]), str(r["kind"]), str(r["title"]), ", ".join(r["unconfirmed"]))
    console.print(tab)


@compensate_app.command("examples")
def examples_command(as_json: JsonOption = False) -> None:
    """Paths of the bundled SYNTHETIC example tables (not monitoring data)."""
    rows = {kind: str(example_path(kind)) for kind in ("xinan", "per-tonne")}
    if as_json:
        print_json(rows)
        return
    for kind, path in rows.items():
        typer.echo(f"{kind}: {path}")
    typer.echo("Synthetic, illustrative data. Try:")
    typer.echo(f"  coopgov compensate xinan --measurements {rows['xinan']} --round 1")
    typer.echo(
        f"  coopgov compensate per-tonne --measurements {rows['per-tonne']} --preset jiangsu-taihu"
    )
