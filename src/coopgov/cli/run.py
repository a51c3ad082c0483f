"""``coopgov run``: the main job — built-in (or given) scenarios on the YRD, a report.

By default the scenarios run over draws of the posterior shipped with
coopgov (calibrated on observed PM2.5); ``--posterior DIR`` takes another,
``--no-posterior`` makes one point run at the parameters' values.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from coopgov.cli._output import console, err_console
from coopgov.cli.app import app
from coopgov.errors import CoopgovError, InputError
from coopgov.io import OutputRefused, check_output_dir
from coopgov.services.run import dumps_strict, strict_json

__all__ = ["run_command", "strict_json"]


def _read_scenario(path: Path, encoding: str):  # noqa: ANN202 - Scenario, imported lazily
    """Read a scenario TOML file in UTF-8 or GB18030 (or ``encoding``), errors naming it."""
    import tomllib

    from coopgov.errors import InputError
    from coopgov.io import read_text
    from coopgov.scenarios.spec import scenario_from_dict

    text = read_text(path, encoding=encoding)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", file=str(path)) from None
    return scenario_from_dict(data, file=path)


# = coopgov.scenarios.run.DEFAULT_DRAWS (not imported here: it would load the
# engine for every command); a test keeps the two equal.
DEFAULT_DRAWS = 40


def _dumps(payload: Any) -> str:
    return dumps_strict(payload)


def _fail_one_line(error: Exception, as_json: bool) -> None:
    """Exit 2 with the located error: strict JSON on stdout, or one unwrapped line on stderr."""
    if as_json:
        to_dict = getattr(error, "to_dict", None)  # InputError and OutputRefused locate it
        typer.echo(_dumps(to_dict() if callable(to_dict) else {"error": str(error)}))
    else:
        from rich.markup import escape

        err_console.print(
            f"[bold red]error:[/] {escape(str(error))}", soft_wrap=True, highlight=False
        )
    raise typer.Exit(code=2)


def _band(s: dict, key: str, fmt: str, scale: float = 1.0) -> str:
    """``median [q05, q95]`` when the summary has a band, else the value."""
    v = s.get(key)
    if v is None:
        return "–"
    text = format(v * scale, fmt)
    if f"{key}_q05" in s:
        lo, hi = format(s[key + "_q05"] * scale, fmt), format(s[key + "_q95"] * scale, fmt)
        text += f"\n[dim]{lo}…{hi}[/]" if lo != hi else ""
    return text


@app.command("run")
def run_command(
    scenario: list[Path] = typer.Option(
        None, "--scenario", "-s", help="Scenario TOML file (repeatable); default: the built-ins."
    ),
    builtin: list[str] = typer.Option(
        None, "--builtin", "-b", help="Built-in scenario by name (repeatable)."
    ),
    years: int = typer.Option(
        None, "--years", min=1, max=500, help="Horizon in years (overrides the scenarios')."
    ),
    replications: int = typer.Option(
        10, "--replications", min=0, help="Agent-based replications per scenario."
    ),
    seed: int = typer.Option(20081201, "--seed", help="Root random seed (draws and agents)."),
    posterior: Path = typer.Option(
        None,
        "--posterior",
        help="Posterior to run over: a folder written by `coopgov calibrate --out` or its "
        "posterior.parquet; default: the posterior shipped with coopgov.",
    ),
    draws: int = typer.Option(
        DEFAULT_DRAWS,
        "--draws",
        min=1,
        max=100_000,
        help="Posterior draws (resampled by weight, seeded).",
    ),
    no_posterior: bool = typer.Option(
        False, "--no-posterior", help="One point run at the parameters' values, no band."
    ),
    out: Path = typer.Option(
        Path("coopgov-report"),
        "--out",
        help="Output folder: new, empty, or one coopgov wrote before (it is replaced as a whole).",
    ),
    force: bool = typer.Option(
        False, "--force", help="Replace --out even if coopgov did not write it."
    ),
    encoding: str = typer.Option(
        "auto",
        "--encoding",
        help="Encoding of --scenario files: auto (UTF-8, else GB18030), or a name such as gbk.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    lang: str = typer.Option("en", "--lang", help="Language of the HTML report: en or zh."),
) -> None:
    """Run scenarios on the region, print a summary and write an HTML report and tables.

    Each figure is the median over posterior draws with its 90 % band
    (5-95 %), and the countermeasures are ranked by the probability that each
    is the most effective per yuan.
    """
    from coopgov.calibration.posterior import bundled_posterior_path, load_posterior
    from coopgov.scenarios import builtin_scenarios, load_builtin
    from coopgov.scenarios.run import run_scenarios
    from coopgov.services.run import run_payload, write_run_outputs

    try:
        if lang not in ("en", "zh"):
            raise ValueError(f"--lang must be 'en' or 'zh', got {lang!r}")
        if no_posterior and posterior is not None:
            raise InputError(
                "--posterior and --no-posterior exclude each other",
                field="posterior",
                value=str(posterior),
            )
        check_output_dir(out, force=force)  # refuse before minutes of simulation
        chosen = [_read_scenario(p, encoding) for p in scenario or []]
        chosen += [load_builtin(n) for n in builtin or []]
        if not chosen:
            chosen = builtin_scenarios()
        source = None if no_posterior else (posterior or bundled_posterior_path())
        draws_table = None if source is None else load_posterior(source)
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total} scenarios"),
            TimeRemainingColumn(),
            console=console,
            transient=True,
            disable=as_json,
        ) as progress:
            task = progress.add_task("simulating", total=len(chosen))
            results = run_scenarios(
                chosen,
                years=years,
                replications=replications,
                seed=seed,
                progress=lambda k: progress.advance(task, k),
                posterior=draws_table,
                draws=draws,
                posterior_source=None if source is None else str(source),
            )
            progress.update(task, description="writing report")
            payload = run_payload(results, seed=seed, replications=replications)
            write_run_outputs(results, out, payload=payload, force=force, lang=lang)
    except (CoopgovError, ValueError, OutputRefused) as exc:
        _fail_one_line(exc, as_json)
        return

    summary = payload["scenarios"]
    if as_json:
        payload.pop("region")
        typer.echo(_dumps({**payload, "out": str(out), "report": str(out / "report.html")}))
        return
    first = summary[0]
    banded = results.draws > 0
    title = f"coopgov run — {results.region_name.upper()}, {results.city.n} cities, end of horizon"
    if banded:
        title += f": median and 90 % band over {results.draws} posterior draws"
    table = Table(title=title, show_lines=banded)
    table.add_column("scenario", no_wrap=True)
    for col in ("coop.", "ABM ± sd", "PM2.5 µg/m³", "PM2.5 proxy", "cost", "transfers"):
        table.add_column(col, justify="right", no_wrap=True)
    for s in summary:
        abm = (
            f"{s['abm_cooperation_rate']:.2f}±{s['abm_cooperation_sd']:.2f}"
            if "abm_cooperation_rate" in s
            else "–"
        )
        table.add_row(
            str(s["name"]),
            _band(s, "cooperation_rate", ".3f"),
            abm,
            _band(s, "pm25_ugm3", ".1f"),
            _band(s, "pm25_change", "+.1%"),
            _band(s, "cost", ".1f", 1e-8),
            _band(s, "transfers", ".2f", 1e-8),
        )
    table.caption = (
        f"coop.: regional cooperation rate in {first['end_year']}; PM2.5 µg/m³: "
        "regional mean (calibrated observation model, median weather year); "
        "PM2.5 proxy: change of population-weighted PM2.5 against no cooperation; "
        "cost and transfers in 亿元 (10^8 yuan) per year"
        + ("" if banded else "; point run at the parameters' values")
    )
    console.print(table)
    ranking = payload["ranking"]
    if ranking and banded:
        rank = Table(title="Which countermeasure is the most effective per yuan?")
        for col in ("countermeasure", "P(best)", "rank 5–95 %", "Δcoop. per 亿元/yr"):
            rank.add_column(col, justify="left" if col == "countermeasure" else "right")
        for r in ranking:
            span = (
                str(r["rank_q05"])
                if r["rank_q05"] == r["rank_q95"]
                else f"{r['rank_q05']}–{r['rank_q95']}"
            )
            rank.add_row(
                r["countermeasure"],
                f"{r['probability_best']:.2f}",
                span,
                _band(r, "gain_per_1e8_yuan", ".4f"),
            )
        rank.caption = (
            "cooperation gained against current policy per 10^8 yuan/yr beyond "
            f"current policy's cost, over {results.draws} posterior draws"
        )
        console.print(rank)
    console.print(f"report: [bold]{out / 'report.html'}[/]  tables: {out}/*.parquet")
