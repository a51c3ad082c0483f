"""The ``coopgov`` console script: runs the command line, one line on Ctrl-C.

Kept free of heavy imports so that an interrupt that arrives while the
command modules (NumPy, pandas, ...) are still loading is caught too: it
prints ``interrupted`` on one line and exits with status 130 (128 + SIGINT),
as shells do.  Outputs being written are left as they were (see
:func:`coopgov.io.atomic_directory`).
"""

from __future__ import annotations

import signal
import sys

__all__ = ["Interrupted", "main", "EXIT_INTERRUPTED"]

#: Exit status after Ctrl-C (128 + SIGINT).
EXIT_INTERRUPTED = 130


class Interrupted(BaseException):
    """Raised by the SIGINT handler of the console script.

    Not a :class:`KeyboardInterrupt`, so that the command-line framework does
    not turn it into its own multi-line abort; cleanup code that catches
    ``BaseException`` still runs.
    """


def _on_sigint(signum: int, frame: object) -> None:
    raise Interrupted


def main(argv: list[str] | None = None) -> int:
    """Run ``coopgov`` with ``argv`` (default ``sys.argv[1:]``); return the exit status."""
    previous = signal.signal(signal.SIGINT, _on_sigint)
    try:
        import click

        from coopgov.cli.main import app

        try:
            rv = app(args=argv, prog_name="coopgov", standalone_mode=False)
        except click.exceptions.Abort:
            raise Interrupted from None
        except click.exceptions.ClickException as exc:
            exc.show()
            return exc.exit_code
        if rv == EXIT_INTERRUPTED:  # the framework turns KeyboardInterrupt into a silent 130
            raise Interrupted
        return rv if isinstance(rv, int) else 0
    except (Interrupted, KeyboardInterrupt):
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not print more
        sys.stderr.write("interrupted\n")
        sys.stderr.flush()
        return EXIT_INTERRUPTED
    finally:
        if signal.getsignal(signal.SIGINT) is _on_sigint:
            signal.signal(signal.SIGINT, previous)


def run() -> None:
    """Console-script entry point: :func:`main`, then exit with its status."""
    sys.exit(main())


if __name__ == "__main__":
    run()
