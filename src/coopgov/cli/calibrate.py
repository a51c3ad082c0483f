"""``coopgov calibrate``: fit the model to observed YRD PM2.5 and the milestones (ABC-SMC)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from coopgov.cli._output import console, fail, print_json
from coopgov.cli.app import app
from coopgov.errors import CoopgovError


@app.command("calibrate")
def calibrate_command(
    until: int = typer.Option(
        2022, "--until", min=2013, max=2100, help="Use only observations up to this year."
    ),
    out: Path = typer.Option(
        None,
        "--out",
        help="Write posterior.parquet, predictive.parquet and report.html.",
    ),
    as_json: bool = typer.Option(
        False, "--json", help="Print posterior, predictive and observed as JSON."
    ),
    particles: int = typer.Option(1000, "--particles", min=10, help="ABC-SMC population size."),
    generations: int = typer.Option(10, "--generations", min=1, help="ABC-SMC generations."),
    seed: int = typer.Option(20140107, "--seed", help="Root random seed."),
    end_year: int = typer.Option(
        2030, "--end-year", min=2014, max=2100, help="Last year predicted."
    ),
) -> None:
    """Calibrate the cooperation model on what happened (observed PM2.5, milestone timing)."""
    from coopgov.calibration.posterior import calibrate
    from coopgov.io import atomic_directory, atomic_write_text

    try:
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total} generations"),
            TextColumn("{task.fields[info]}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=as_json,
        ) as progress:
            task = progress.add_task("ABC-SMC", total=generations, info="")
            cal = calibrate(
                until=until,
                end_year=end_year,
                n_particles=particles,
                n_generations=generations,
                seed=seed,
                progress=lambda g: progress.update(
                    task,
                    advance=1,
                    info=f"ε={g.epsilon:.4f} acc={g.acceptance_rate:.3f} ESS={g.ess:.0f}",
                ),
            )
            payload = cal.to_json()
            if out is not None:
                import json

                from coopgov.report.calibration import write_diagnostics

                progress.update(task, description="writing")
                with atomic_directory(out) as tmp:
                    cal.posterior_table().to_parquet(tmp / "posterior.parquet", index=False)
                    cal.predictive_table().to_parquet(tmp / "predictive.parquet", index=False)
                    cal.generations_table().to_parquet(tmp / "generations.parquet", index=False)
                    cal.identifiability().to_parquet(tmp / "identifiability.parquet", index=False)
                    write_diagnostics(cal, tmp / "report.html")
                    atomic_write_text(
                        tmp / "calibration.json", json.dumps(payload, indent=2, default=float)
                    )
    except (CoopgovError, ValueError) as exc:
        fail(exc, as_json)
        return

    if as_json:
        print_json(payload | ({"out": str(out)} if out is not None else {}))
        return
    table = Table(
        title=f"coopgov calibrate — fitted to YRD PM2.5 up to {until}, "
        f"{payload['simulations']} simulations in {payload['wall_s']:.0f} s"
    )
    for col in ("parameter", "q05", "q50", "q95", "width/prior", "identified"):
        table.add_column(col, justify="left" if col == "parameter" else "right")
    for name, q in payload["posterior"].items():
        table.add_row(
            name,
            f"{q['q05']:.4g}",
            f"{q['q50']:.4g}",
            f"{q['q95']:.4g}",
            f"{q['width_ratio']:.2f}",
            "yes" if q["identified"] else "[red]no[/]",
        )
    console.print(table)
    hold = payload["holdout"]
    if hold:
        inside = sum(h["inside"] for h in hold)
        console.print(
            f"hold-out: {inside}/{len(hold)} observed years after {until} inside the "
            "90 % predictive interval"
        )
    ms = payload["milestone"]
    console.print(
        f"milestone: cooperation reaches {ms['threshold']} in {ms['q50']:.0f} "
        f"(90 %: {ms['q05']:.0f}-{ms['q95']:.0f}); P(in window) "
        f"{ms['probability_in_window']:.2f}"
    )
    if out is not None:
        console.print(f"report: [bold]{out / 'report.html'}[/]  posterior: {out}/posterior.parquet")
