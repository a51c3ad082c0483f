"""``coopgov run``: the main job — built-in (or given) scenarios on the YRD, a report."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from coopgov.cli._output import console, fail, print_json
from coopgov.cli.app import app
from coopgov.errors import CoopgovError
from coopgov.io import OutputRefused, atomic_directory, atomic_write_text, check_output_dir


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


@app.command("run")
def run_command(
    scenario: list[Path] = typer.Option(  # noqa: B008
        None, "--scenario", "-s", help="Scenario TOML file (repeatable); default: the built-ins."),
    builtin: list[str] = typer.Option(  # noqa: B008
        None, "--builtin", "-b", help="Built-in scenario by name (repeatable)."),
    years: int = typer.Option(None, "--years", min=1, max=500,
                              help="Horizon in years (overrides the scenarios')."),
    replications: int = typer.Option(10, "--replications", min=0,
                                     help="Agent-based replications per scenario."),
    seed: int = typer.Option(20081201, "--seed", help="Root random seed."),
    out: Path = typer.Option(Path("coopgov-report"), "--out",  # noqa: B008
                             help="Output folder: new, empty, or one coopgov wrote before "
                                  "(it is replaced as a whole)."),
    force: bool = typer.Option(False, "--force",
                               help="Replace --out even if coopgov did not write it."),
    encoding: str = typer.Option("auto", "--encoding",
                                 help="Encoding of --scenario files: auto (UTF-8, else "
                                      "GB18030), or a name such as gbk."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    lang: str = typer.Option("en", "--lang", help="Language of the HTML report: en or zh."),
) -> None:
    """Run scenarios on the region, print a summary and write an HTML report and tables."""
    import json

    from coopgov.region import load_region
    from coopgov.report import write_run_report
    from coopgov.scenarios import builtin_scenarios, load_builtin
    from coopgov.scenarios.run import run_scenarios

    try:
        if lang not in ("en", "zh"):
            raise ValueError(f"--lang must be 'en' or 'zh', got {lang!r}")
        check_output_dir(out, force=force)  # refuse before minutes of simulation
        chosen = [_read_scenario(p, encoding) for p in scenario or []]
        chosen += [load_builtin(n) for n in builtin or []]
        if not chosen:
            chosen = builtin_scenarios()
        with Progress(TextColumn("[bold]{task.description}"), BarColumn(),
                      TextColumn("{task.completed}/{task.total} scenarios"),
                      TimeRemainingColumn(), console=console, transient=True,
                      disable=as_json) as progress:
            task = progress.add_task("simulating", total=len(chosen))
            results = run_scenarios(chosen, years=years, replications=replications, seed=seed,
                                    progress=lambda k: progress.advance(task, k))
            progress.update(task, description="writing report")
            region = load_region(results.region_name)
            tables = results.tables()
            with atomic_directory(out, force=force, kind="run") as tmp:
                for name, frame in tables.items():
                    frame.to_parquet(tmp / f"{name}.parquet", index=False)
                write_run_report(results, tmp / "report.html", region=region, lang=lang)
                atomic_write_text(tmp / "summary.json", json.dumps(
                    {"scenarios": results.summary(), "seed": seed,
                     "replications": replications, "region": results.region_name},
                    indent=2, ensure_ascii=False))
    except (CoopgovError, ValueError, OutputRefused) as exc:
        fail(exc, as_json)
        return

    summary = results.summary()
    if as_json:
        print_json({"scenarios": summary, "out": str(out), "report": str(out / "report.html"),
                    "seed": seed, "replications": replications})
        return
    first = summary[0]
    table = Table(title=f"coopgov run — {results.region_name.upper()}, {results.city.n} cities, "
                        f"end of horizon")
    table.add_column("scenario", no_wrap=True)
    for col in ("coop.", "ABM ± sd", "PM2.5", "cost", "transfers"):
        table.add_column(col, justify="right", no_wrap=True)
    for s in summary:
        abm = (f"{s['abm_cooperation_rate']:.2f}±{s['abm_cooperation_sd']:.2f}"
               if "abm_cooperation_rate" in s else "–")
        table.add_row(str(s["name"]), f"{s['cooperation_rate']:.3f}", abm,
                      f"{100 * s['pm25_change']:+.1f}%", f"{s['cost'] / 1e8:.1f}",
                      f"{s['transfers'] / 1e8:.2f}")
    table.caption = (f"coop.: regional cooperation rate in {first['end_year']}; PM2.5: change of "
                     "population-weighted PM2.5 proxy against no cooperation; cost and transfers "
                     "in 亿元 (10^8 yuan) per year")
    console.print(table)
    console.print(f"report: [bold]{out / 'report.html'}[/]  tables: {out}/*.parquet")
