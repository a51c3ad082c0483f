"""The root Typer application that every command module adds to."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="coopgov",
    help="Cooperation dynamics of local governments in cross-regional "
    "environmental governance (Yangtze River Delta built in).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain help text: rich markup would eat bracketed units such as [yuan/t].
    rich_markup_mode=None,
)


@app.callback()
def _root() -> None:
    """coopgov: models, games, standards and a shared data platform for the YRD."""
