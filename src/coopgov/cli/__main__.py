"""``python -m coopgov.cli ARGS``: the same as the ``coopgov`` command."""

from coopgov.cli.entry import run

run()
