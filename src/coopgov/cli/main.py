"""The ``coopgov`` command: one Typer app, one module per group of commands.

Each part of coopgov registers its commands in :func:`_register`; a module
adds commands to ``app`` (``app.command()``) or a sub-app
(``app.add_typer``).
"""

from __future__ import annotations

import typer

app = typer.Typer(
    name="coopgov",
    help="Cooperation dynamics of local governments in cross-regional "
    "environmental governance (Yangtze River Delta built in).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """coopgov: models, games, standards and a shared data platform for the YRD."""


def _register() -> None:
    # Imported for their side effect of adding commands to ``app``.
    # Keep one line per module; lower layers never import this file.
    import importlib

    for module in _COMMAND_MODULES:
        importlib.import_module(module)


_COMMAND_MODULES: list[str] = [
]

_register()
