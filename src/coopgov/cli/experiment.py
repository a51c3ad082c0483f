"""``coopgov experiment``: run, resume and analyse policy experiments."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from coopgov.cli._output import console, fail, print_json
from coopgov.cli.app import app
from coopgov.errors import InputError
from coopgov.io import OutputRefused

experiment_app = typer.Typer(
    name="experiment",
    help="Policy experiments: sweeps, sensitivity analysis and scenario discovery.",
    no_args_is_help=True,
)
app.add_typer(experiment_app, name="experiment")


@contextlib.contextmanager
def _runs_bar(total: int, *, enabled: bool) -> Iterator[Callable[[int], None] | None]:
    """A progress bar of runs (rich, on stderr); yields the callback that advances it."""
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    with Progress(
        TextColumn("[bold]runs"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("elapsed"),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=False,
    ) as bar:
        task = bar.add_task("runs", total=total)
        yield lambda runs: bar.advance(task, runs)


@experiment_app.command("run")
def run_command(
    spec: Annotated[str, typer.Argument(help="Spec TOML file, or a built-in spec name.")],
    out: Annotated[
        Path | None, typer.Option("--out", help="Results folder (default: results/<name>).")
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option("--workers", min=1, help="Run on a local Dask cluster of N worker processes."),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler", help="Run on the Dask cluster at this address (tcp://host:port)."
        ),
    ] = None,
    processes: Annotated[
        int | None,
        typer.Option(
            "--processes", min=0, help="Size of the default process pool (0: in-process)."
        ),
    ] = None,
    chunk_size: Annotated[
        int | None, typer.Option("--chunk-size", min=1, help="Runs per chunk.")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Write into --out even if coopgov did not create it.")
    ] = False,
    encoding: Annotated[
        str,
        typer.Option(
            "--encoding",
            help="Encoding of the spec file: auto (UTF-8, else GB18030) or a name such as gbk.",
        ),
    ] = "auto",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Run an experiment (or resume it: finished chunks are skipped)."""
    from coopgov.experiments import load_spec, run_experiment
    from coopgov.io import claim_output_dir

    try:
        if workers is not None and scheduler is not None:
            raise InputError("give either --workers or --scheduler, not both", field="workers")
        parsed = load_spec(spec, encoding=encoding)
        folder = out if out is not None else Path("results") / parsed.experiment.name
        claim_output_dir(folder, force=force, kind="experiment", legacy=("manifest.json",))
        with _runs_bar(parsed.n_runs, enabled=not as_json) as advance:
            summary = run_experiment(
                parsed,
                folder,
                workers=workers,
                scheduler=scheduler,
                processes=processes,
                chunk_size=chunk_size,
                progress=advance,
            )
    except (InputError, OutputRefused) as exc:
        fail(exc, as_json)
        return
    payload = summary.to_dict()
    if as_json:
        print_json(payload)
        return
    table = Table(title=f"experiment {parsed.experiment.name}")
    table.add_column("item")
    table.add_column("value", justify="right")
    for key in (
        "out",
        "n_runs",
        "n_chunks",
        "chunks_run",
        "chunks_skipped",
        "executor",
        "seconds",
        "runs_per_second",
        "complete",
    ):
        table.add_row(key, str(payload.get(key)))
    console.print(table)
    console.print(f"next: coopgov experiment analyze {folder}")


@experiment_app.command("analyze")
def analyze_command(
    folder: Annotated[Path, typer.Argument(help="Results folder of `experiment run`.")],
    no_report: Annotated[bool, typer.Option("--no-report", help="Skip the HTML report.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Analyse a finished experiment: indices, lever ranking, PRIM, report."""
    from coopgov.experiments.analysis import analyze_experiment

    try:
        an = analyze_experiment(folder, report=not no_report)
    except InputError as exc:
        fail(exc, as_json)
        return
    from coopgov.experiments.analysis import _finite

    s = _finite(an.summary)
    s["report"] = None if no_report else str(folder / "analysis" / "report.html")
    if as_json:
        print_json(s)
        return
    console.print(f"[bold]{s['name']}[/]: {s['n_runs']:,} runs, main outcome {s['main_outcome']}")
    if "lever_ranking" in s:
        r = s["lever_ranking"]
        t = Table(
            title=f"lever ranking (Kendall W {r['kendall_w']:.2f}, mean Spearman "
            f"{r['mean_spearman']:.2f})"
        )
        for col in ("rank", "lever", "mean effect", "5-95 %", "first in", "mean rank"):
            t.add_column(col, justify="left" if col == "lever" else "right")
        for row in r["table"]:
            t.add_row(
                str(row["rank"]),
                row["lever"],
                f"{row['mean_effect']:+.3f}",
                f"{row['p05']:+.3f} .. {row['p95']:+.3f}",
                f"{row['share_first']:.0%}",
                f"{row['mean_rank']:.2f}",
            )
        console.print(t)
    for key, cols in (
        ("sobol", ("S1", "S1_conf", "ST", "ST_conf")),
        ("morris", ("mu_star", "sigma", "mu_star_conf")),
    ):
        if key in s:
            t = Table(title=f"{key} indices of {s['main_outcome']}")
            t.add_column("factor")
            for c in cols:
                t.add_column(c, justify="right")
            rows = sorted(
                s[key].items(), key=lambda kv: -(kv[1][cols[2 if key == "sobol" else 0]] or 0)
            )
            for name, vals in rows:
                t.add_row(name, *(f"{vals[c]:.3f}" if vals[c] is not None else "-" for c in cols))
            console.print(t)
    if "prim" in s:
        p = s["prim"]
        q = s.get("prim_simplified", p)
        console.print(
            f"PRIM ({p['cases_of_interest']}): coverage {q['coverage']:.2f}, "
            f"density {q['density']:.2f}, box: "
            + "; ".join(f"{b['factor']} in [{b['low']:.3g}, {b['high']:.3g}]" for b in q["box"])
        )
        if "prim_pasted" in s:
            q = s["prim_pasted"]
            console.print(
                f"PRIM box after pasting ({q['pastes']} pastes): coverage "
                f"{q['coverage']:.2f}, density {q['density']:.2f}"
            )
    if s["report"]:
        console.print(f"report: {s['report']}")


@experiment_app.command("specs")
def specs_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the built-in experiment specs."""
    from coopgov.experiments import builtin_spec_path, builtin_specs, load_spec

    rows: list[dict[str, Any]] = []
    for name, description in builtin_specs().items():
        spec = load_spec(name)
        rows.append(
            {
                "name": name,
                "description": description,
                "runs": spec.n_runs,
                "sampler": spec.sampler.method,
                "path": str(builtin_spec_path(name)),
            }
        )
    if as_json:
        print_json(rows)
        return
    t = Table(title="built-in experiment specs (coopgov experiment run NAME)")
    for col in ("name", "sampler", "runs", "description"):
        t.add_column(col, justify="right" if col == "runs" else "left")
    for r in rows:
        t.add_row(r["name"], r["sampler"], f"{r['runs']:,}", r["description"])
    console.print(t)
