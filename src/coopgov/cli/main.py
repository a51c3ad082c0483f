"""Entry point of the ``coopgov`` command.

Each command module adds its commands to :data:`coopgov.cli.app.app` when
imported; this module imports them all.  One line per module.
"""

from __future__ import annotations

from coopgov.cli.app import app

# Command modules (imported for their side effect of registering commands).
# isort: off
import coopgov.cli.standards  # noqa: F401
import coopgov.cli.compensate  # noqa: F401
import coopgov.cli.region  # noqa: F401
import coopgov.cli.games  # noqa: F401
import coopgov.cli.platform  # noqa: F401
import coopgov.cli.run  # noqa: F401
import coopgov.cli.experiment  # noqa: F401
import coopgov.cli.dashboard  # noqa: F401
import coopgov.cli.calibrate  # noqa: F401
# isort: on

__all__ = ["app"]


def main() -> None:
    """Run the command line (the ``coopgov`` console script)."""
    from coopgov.cli.entry import run

    run()


if __name__ == "__main__":
    main()
