"""Commands ``coopgov aqi`` and ``coopgov water-class`` (national standards)."""

from __future__ import annotations

import math
from typing import Annotated, Any

import typer
from rich.table import Table

from coopgov.cli._output import console, fail, print_json
from coopgov.cli.app import app
from coopgov.errors import InputError
from coopgov.standards.aqi import (
    CATEGORIES,
    DEFAULT_STANDARD,
    EDITIONS,
    POLLUTANTS,
    aqi_edition,
    aqi_report,
)
from coopgov.standards.plausibility import (
    AQI_PLAUSIBLE_MAX,
    AQI_TABLE_TOP,
    WATER_PLAUSIBLE_MAX,
    check_plausible,
)
from coopgov.standards.water import ASSESSED_INDICATORS, CLASS_LABELS, section_class

BoundOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--bound",
        metavar="NAME=VALUE",
        help="Replace an indicator's plausibility bound (an assumption; see "
        "coopgov.standards.plausibility), repeatable.",
    ),
]
ImplausibleOpt = Annotated[
    str,
    typer.Option(
        "--implausible", help="A value above its plausibility bound: error (exit 2) or warn."
    ),
]


def _bounds(defaults: dict[str, float], given: list[str] | None) -> dict[str, float]:
    out = dict(defaults)
    if given:
        out.update(_parse_pairs(given, tuple(defaults)))
    return out


def _warn(warnings: list[str]) -> None:
    for w in warnings:
        typer.echo(f"warning: {w}", err=True)


def _parse_pairs(pairs: list[str], allowed: tuple[str, ...]) -> dict[str, float]:
    """Parse ``NAME=VALUE`` arguments into a mapping of finite floats."""
    values: dict[str, float] = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        name = name.strip().lower()
        if not sep:
            raise InputError("expected NAME=VALUE", field="argument", value=pair)
        if name not in allowed:
            raise InputError(
                f"unknown name; expected one of {', '.join(allowed)}", field=name, value=name
            )
        if name in values:
            raise InputError("given more than once", field=name, value=text)
        try:
            number = float(text)
        except ValueError:
            raise InputError("must be a number", field=name, value=text) from None
        if not math.isfinite(number):
            raise InputError("must be a finite number", field=name, value=text)
        if number < 0:
            raise InputError("must be >= 0", field=name, value=text)
        values[name] = number
    if not values:
        raise InputError("give at least one NAME=VALUE", field="argument")
    return values


def _int_or_none(x: float) -> int | None:
    return None if math.isnan(x) else int(x)


# pollutants and the extra inputs some edition's report accepts (HJ 633-2012: so2_24h)
_AQI_NAMES = tuple(
    dict.fromkeys(
        POLLUTANTS
        + tuple(n for e in EDITIONS.values() for names in e.extra_inputs.values() for n in names)
    )
)


@app.command("aqi")
def aqi_command(
    values: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="NAME=VALUE...",
            help="Concentrations: so2 no2 co o3_1h o3_8h pm10 pm2_5 [µg/m³; co mg/m³] "
            "(2012 real-time report also so2_24h).",
        ),
    ] = None,
    standard: Annotated[
        str,
        typer.Option(
            "--standard",
            help="HJ 633 edition: "
            + ", ".join(f"{k} ({e.code}, in force {e.in_force})" for k, e in EDITIONS.items())
            + ".",
        ),
    ] = DEFAULT_STANDARD,
    period: Annotated[
        str, typer.Option("--period", help="day (daily) or hour (real-time).")
    ] = "day",
    bound: BoundOpt = None,
    implausible: ImplausibleOpt = "error",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Air quality index (HJ 633, an edition of coopgov.standards.aqi.EDITIONS) from concentrations.

    Values above a plausibility bound (10 x the table's top; an assumption) are
    refused; values above the table's top are indexed at its top, with a warning.
    """
    try:
        conc = _parse_pairs(values or [], _AQI_NAMES)
        warnings = check_plausible(
            conc,
            _bounds(dict(AQI_PLAUSIBLE_MAX), bound),
            table_top=AQI_TABLE_TOP.get(period),
            on_implausible=implausible,  # type: ignore[arg-type]
            units={n: "mg/m3" if n == "co" else "ug/m3" for n in conc},
        )
        report = aqi_report(conc, period=period, standard=standard)  # type: ignore[arg-type]
    except InputError as exc:
        fail(exc, as_json)
        return
    aqi = _int_or_none(float(report.aqi))
    level = int(report.category)
    cat = CATEGORIES[level - 1] if level else None
    given = [n for n in report.iaqi if n in conc]
    payload: dict[str, Any] = {
        "aqi": aqi,
        "iaqi": {n: _int_or_none(float(report.iaqi[n])) for n in given},
        "category": cat.name_en if cat else None,
        "category_zh": cat.name_zh if cat else None,
        "category_level": level or None,
        "colour": cat.colour_hex if cat else None,
        "primary_pollutants": report.primary_pollutants(),
        "non_attainment": report.non_attainment_pollutants(),
        "missing": report.missing_pollutants(),
        "standard": aqi_edition(report.standard).code,
        "period": report.period,
        "warnings": warnings,
    }
    if as_json:
        print_json(payload)
        return
    _warn(warnings)
    table = Table(title=f"AQI, {aqi_edition(report.standard).code}, {report.period} report")
    for col in ("indicator", "concentration", "IAQI", "primary", "non-attainment"):
        table.add_column(col)
    for name in report.iaqi:
        c = conc.get(name)
        table.add_row(
            name,
            "NA" if c is None else f"{c:g} {'mg/m³' if name == 'co' else 'µg/m³'}",
            str(payload["iaqi"].get(name) if name in given else "NA"),
            "yes" if name in payload["primary_pollutants"] else "",
            "yes" if name in payload["non_attainment"] else "",
        )
    console.print(table)
    if cat is None:
        console.print("AQI: NA")
    else:
        console.print(
            f"AQI: [bold]{aqi}[/] — {cat.name_en} ({cat.name_zh}), "
            f"primary: {', '.join(payload['primary_pollutants']) or '—'}"
        )


@app.command("water-class")
def water_class_command(
    values: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="NAME=VALUE...",
            help="Concentrations [mg/L]: do codmn cod bod5 nh3_n tp tn; and ph "
            "[dimensionless] (6-9 in every class; outside: inferior V).",
        ),
    ] = None,
    water: Annotated[
        str, typer.Option("--water", help="river or lake (lakes and reservoirs).")
    ] = "river",
    bound: BoundOpt = None,
    implausible: ImplausibleOpt = "error",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Surface-water class of GB 3838-2002 (worst indicator decides).

    Values above a plausibility bound (DO 2 x saturation at 0 degC, others
    100 x the class V limit; assumptions) are refused.
    """
    try:
        conc = _parse_pairs(values or [], ASSESSED_INDICATORS)
        warnings = check_plausible(
            conc,
            _bounds(dict(WATER_PLAUSIBLE_MAX), bound),
            on_implausible=implausible,  # type: ignore[arg-type]
            units={n: "" if n == "ph" else "mg/L" for n in conc},
        )
        result = section_class(conc, water=water)  # type: ignore[arg-type]
    except InputError as exc:
        fail(exc, as_json)
        return
    payload: dict[str, Any] = {
        "class": result.label,
        "class_zh": result.label_zh,
        "class_index": result.cls or None,
        "by_indicator": {n: CLASS_LABELS[int(c)] for n, c in result.by_indicator.items()},
        "limiting": list(result.limiting),
        "water": "lake" if water == "reservoir" else water,
        "standard": "GB 3838-2002",
        "warnings": warnings,
    }
    if as_json:
        print_json(payload)
        return
    _warn(warnings)
    table = Table(title=f"GB 3838-2002 class, {payload['water']}")
    for col in ("indicator", "value [mg/L; pH none]", "class"):
        table.add_column(col)
    for name, label in payload["by_indicator"].items():
        table.add_row(name, f"{conc[name]:g}", label or "not assessed")
    console.print(table)
    console.print(f"Section class: [bold]{result.label or 'NA'}[/] ({result.label_zh or 'NA'})")
