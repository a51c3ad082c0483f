"""``coopgov dashboard``: the web dashboard (with the platform API beside it)."""

from __future__ import annotations

from typing import Annotated

import typer

from coopgov.cli._output import console, fail, require_loopback
from coopgov.cli.app import app
from coopgov.errors import InputError


@app.command("dashboard")
def dashboard(
    host: Annotated[str, typer.Option(help="Loopback address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535)] = 8050,
    store: Annotated[
        str | None,
        typer.Option(
            "--store",
            help="Monitoring store for the Monitoring page: DuckDB file or "
            "postgresql:// URL (default $COOPGOV_STORE or ./coopgov-platform.duckdb).",
        ),
    ] = None,
    platform: Annotated[
        bool,
        typer.Option(
            "--platform/--no-platform",
            help="Serve the platform API (and its store) beside the dashboard.",
        ),
    ] = True,
    region: Annotated[str, typer.Option(help="Region shown and simulated.")] = "yrd",
) -> None:
    """Start the web dashboard: map, scenario builder, force field, compensation, monitoring."""
    require_loopback(host)
    import uvicorn

    from coopgov.cli.platform import check_store_path
    from coopgov.io import OutputRefused
    from coopgov.web import DEFAULT_PREFIX, create_dashboard_app

    try:
        if platform:
            check_store_path(store)  # never turn a user's file into a database
        web = create_dashboard_app(store, platform=platform, region_name=region)
    except (InputError, OutputRefused) as exc:
        fail(exc)
    console.print(
        f"coopgov dashboard on http://{host}:{port}{DEFAULT_PREFIX}/"
        + ("  (platform API: /docs)" if platform else "")
    )
    uvicorn.run(web, host=host, port=port, log_level="warning")
