"""The lazy command table of ``coopgov`` matches what the command modules register."""

from __future__ import annotations

import importlib
import subprocess
import sys

import typer.main

from coopgov.cli.main import COMMANDS, app


def test_table_names_every_registered_command_and_its_module():
    for module in sorted({m for m, _ in COMMANDS.values()}):
        importlib.import_module(module)
    registered = typer.main.get_group(app).commands
    assert set(registered) == set(COMMANDS)
    for name, command in registered.items():
        module = COMMANDS[name][0]
        callback = command.callback
        if callback is not None and name not in ("compensate", "games", "platform", "experiment"):
            assert callback.__module__ == module, name


def test_help_imports_no_command_module():
    code = (
        "import sys; from coopgov.cli.main import app; sys.argv = ['coopgov', '--help'];\n"
        "try:\n    app()\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('numpy', 'pandas', 'numba', 'plotly', 'coopgov.cli.standards',"
        " 'coopgov.region') if m in sys.modules]\nprint(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"
    assert "aqi" in out.stdout and "region" in out.stdout


def test_aqi_imports_neither_pandas_nor_numba():
    code = (
        "import sys; from coopgov.cli.main import app;"
        " sys.argv = ['coopgov', 'aqi', 'pm2_5=60', '--json'];\n"
        "try:\n    app()\nexcept SystemExit:\n    pass\n"
        "print([m for m in ('pandas', 'numba', 'plotly', 'scipy') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"
    assert '"pm2_5": 100' in out.stdout
