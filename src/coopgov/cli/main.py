"""Entry point of the ``coopgov`` command.

Each command module adds its commands to :data:`coopgov.cli.app.app` when
imported.  To answer at once, this module imports a command's module only
when that command runs: :data:`COMMANDS` names the module of each top-level
command and the one-line help that ``coopgov --help`` lists, and
:class:`LazyGroup` imports the module on first use.  A test checks the table
against what the modules register.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from typer.core import TyperGroup

from coopgov.cli.app import app

if TYPE_CHECKING:  # the Click that Typer carries (typer._click), not the separate package
    from typer._click.core import Command, Context

#: Top-level command -> (module that registers it, one-line help for the listing).
COMMANDS: dict[str, tuple[str, str]] = {
    "aqi": ("coopgov.cli.standards", "Air Quality Index (HJ 633) of one set of concentrations."),
    "water-class": (
        "coopgov.cli.standards",
        "Surface-water class (GB 3838-2002) of one set of indicator values.",
    ),
    "compensate": ("coopgov.cli.compensate", "Ecological compensation calculators."),
    "region": ("coopgov.cli.region", "Show a region: cities, network, transfer matrices."),
    "games": ("coopgov.cli.games", "Games: emission game, coalitions."),
    "allocate": ("coopgov.cli.games", "Allocate a cost or gain among players."),
    "serve": ("coopgov.cli.platform", "Start the shared monitoring platform (HTTP API)."),
    "demo-data": ("coopgov.cli.platform", "Load synthetic demo monitoring data into a store."),
    "platform": ("coopgov.cli.platform", "Shared monitoring platform: store, tokens, ingest."),
    "run": (
        "coopgov.cli.run",
        "Run scenarios on the region, print a summary and write an HTML report and tables.",
    ),
    "experiment": (
        "coopgov.cli.experiment",
        "Policy experiments: sweeps, sensitivity analysis and scenario discovery.",
    ),
    "dashboard": (
        "coopgov.cli.dashboard",
        "Start the web dashboard: map, scenario builder, force field, compensation, monitoring.",
    ),
    "calibrate": (
        "coopgov.cli.calibrate",
        "Calibrate the model to observed YRD PM2.5 (ABC-SMC) and show the posterior.",
    ),
}


class LazyGroup(TyperGroup):
    """The root group: lists commands from :data:`COMMANDS`, imports one module per call."""

    def list_commands(self, ctx: Context) -> list[str]:
        """Every command of the table (and any registered beside it), sorted."""
        return sorted(set(COMMANDS) | set(self.commands))

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        """The command, importing its module on first use."""
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            import typer.main

            importlib.import_module(COMMANDS[cmd_name][0])
            built = typer.main.get_group(app)
            if cmd_name in built.commands:
                self.commands[cmd_name] = built.commands[cmd_name]
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: Context, formatter: Any) -> None:
        """List the commands with their one-line help without importing their modules."""
        rows = [
            (
                name,
                self.commands[name].get_short_help_str(80)
                if name in self.commands
                else COMMANDS[name][1],
            )
            for name in self.list_commands(ctx)
        ]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


app.info.cls = LazyGroup
# Plain click help: the rich formatter would import rich for every --help.
app.rich_markup_mode = None  # type: ignore[assignment]

__all__ = ["COMMANDS", "LazyGroup", "app", "main"]


def main() -> None:
    """Run the command line (the ``coopgov`` console script)."""
    from coopgov.cli.entry import run

    run()


if __name__ == "__main__":
    main()
