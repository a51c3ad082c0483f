"""Commands of the monitoring platform: serve, demo-data, platform token/init/ingest."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from coopgov.cli._output import console, err_console, fail, print_json, require_loopback
from coopgov.cli.app import app
from coopgov.errors import CoopgovError, InputError
from coopgov.io import OutputRefused, claim_output_dir

platform_app = typer.Typer(help="Administer the shared monitoring platform.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens (stored hashed; shown once).", no_args_is_help=True)
platform_app.add_typer(token_app, name="token")
app.add_typer(platform_app, name="platform")

StoreOpt = Annotated[
    str | None,
    typer.Option(
        "--store",
        help="DuckDB file or postgresql:// URL (default $COOPGOV_STORE or "
        "./coopgov-platform.duckdb).",
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


def check_store_path(url: str | None) -> None:
    """Refuse a ``--store`` path that holds something other than a DuckDB database.

    The store is opened read-write and would be created at that path; coopgov
    never turns a user's file (or folder) into a database.  PostgreSQL URLs
    pass unchecked.

    Raises
    ------
    OutputRefused
        The path is a folder, or a non-empty file that is not a DuckDB database.
    """
    from coopgov.platform.store import default_store_url

    target = default_store_url() if url is None else str(url)
    if "://" in target and not target.startswith("duckdb://"):
        return
    path = Path(target.removeprefix("duckdb://"))
    if str(path) == ":memory:" or not path.exists():
        return
    if path.is_dir():
        raise OutputRefused(
            "is a folder, not a DuckDB store file; give a file name "
            "(for example --store coopgov-platform.duckdb)",
            path,
        )
    try:
        with path.open("rb") as fh:
            head = fh.read(12)
    except OSError as exc:
        raise OutputRefused(f"cannot be read ({exc.strerror or exc})", path) from None
    if head and head[8:12] != b"DUCK":
        raise OutputRefused(
            "exists and is not a DuckDB database; coopgov does not "
            "overwrite it (give another --store)",
            path,
        )


def _store(url: str | None):  # noqa: ANN202 - Store, imported lazily (optional extra)
    from coopgov.platform.store import Store

    check_store_path(url)
    return Store(url)


@app.command("serve")
def serve(
    store: StoreOpt = None,
    host: Annotated[str, typer.Option(help="Loopback address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535)] = 8000,
    region: Annotated[str, typer.Option(help="Region for episodes.")] = "yrd",
    trusted_proxy: Annotated[
        list[str] | None,
        typer.Option(
            "--trusted-proxy",
            help="Address of a reverse proxy whose X-Forwarded-For is believed (repeat "
            "for several; default none: the client is the connection's peer).",
        ),
    ] = None,
    access_log: Annotated[
        bool,
        typer.Option(
            "--access-log/--no-access-log",
            help="One line per request on standard error (never a token).",
        ),
    ] = True,
) -> None:
    """Start the platform's HTTP API (FastAPI on uvicorn) on the store.

    An embedded (DuckDB) store takes one server process: a second server on
    the same file is refused at start.  Use PostgreSQL for several servers.
    """
    require_loopback(host)
    import uvicorn

    from coopgov.platform.api import create_app
    from coopgov.platform.store import Store
    from coopgov.web import mount_dashboard

    try:
        check_store_path(store)
        api = create_app(
            Store(store, idle_release_s=2.0), region_name=region, access_log=access_log
        )
    except (OutputRefused, CoopgovError, OSError) as exc:  # busy, read-only, refused: one line
        fail(exc)
    mount_dashboard(api, region_name=region)  # one server: API and dashboard together
    console.print(
        f"coopgov platform on http://{host}:{port}  (OpenAPI: /docs, dashboard: /dashboard/)"
    )
    proxies = [p.strip() for p in (trusted_proxy or []) if p.strip()]
    # Forwarded headers are believed only from configured proxies (uvicorn trusts
    # 127.0.0.1 by default, which would let any local client choose its address).
    uvicorn.run(
        api,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        proxy_headers=bool(proxies),
        forwarded_allow_ips=proxies or None,
    )


@app.command("demo-data")
def demo_data(
    store: StoreOpt = None,
    year: Annotated[int, typer.Option(min=2000, max=2100)] = 2025,
    seed: int = 2025,
    csv_dir: Annotated[
        Path | None,
        typer.Option(
            help="Also keep each city's batch as CSV here (a new folder, or one coopgov wrote)."
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option("--force", help="Write into --csv-dir even if coopgov did not create it."),
    ] = False,
    region: str = "yrd",
    as_json: JsonOpt = False,
) -> None:
    """Write a synthetic year of hourly data for the region's stations (source synthetic-demo)."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    try:
        from coopgov.io import atomic_write_text
        from coopgov.platform.demo import DEMO_SOURCE, DemoConfig, demo_frames, demo_stations
        from coopgov.region import load_region

        if csv_dir is not None:
            csv_dir = claim_output_dir(csv_dir, force=force, kind="demo-data")
        target = _store(store)
        reg = load_region(region)
        stations = demo_stations(reg)
        n_cities = len({s.adcode for s in stations})
        counts = {"stations": len(stations), "rows": 0, "inserted": 0, "quarantined": 0}
        # The steps of coopgov.platform.demo.load_demo, one city at a time, with progress.
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total} cities"),
            TimeRemainingColumn(),
            console=err_console,
            transient=True,
            disable=as_json,
            redirect_stdout=False,
            redirect_stderr=False,
        ) as progress:
            task = progress.add_task("demo data", total=n_cities)
            target.upsert_stations(stations)
            for adcode, frame in demo_frames(reg, DemoConfig(year=year, seed=seed)):
                text = frame.to_csv(index=False)
                if csv_dir is not None:
                    atomic_write_text(csv_dir / f"{adcode}.csv", text)
                report = target.ingest_csv(text, default_source=DEMO_SOURCE)
                counts["rows"] += report.n_rows
                counts["inserted"] += report.n_inserted
                counts["quarantined"] += report.n_quarantined
                progress.advance(task)
    except (CoopgovError, OSError) as exc:
        fail(exc, as_json)
    if as_json:
        print_json(counts)
    else:
        console.print(
            f"synthetic demo data written: {counts['stations']} stations, "
            f"{counts['rows']:,} rows ({counts['quarantined']} quarantined)"
        )


@platform_app.command("init")
def init(store: StoreOpt = None) -> None:
    """Create the store's tables (idempotent)."""
    try:
        s = _store(store)
    except (CoopgovError, OSError) as exc:
        fail(exc)
    console.print(f"store ready: {s.url} ({s.kind})")


@token_app.command("issue")
def token_issue(
    city: Annotated[
        int | None,
        typer.Option("--city", help="City adcode: a token writing this city's stations."),
    ] = None,
    admin: Annotated[bool, typer.Option("--admin", help="Administrator token.")] = False,
    reader: Annotated[bool, typer.Option("--reader", help="Read-only token.")] = False,
    label: str = "",
    store: StoreOpt = None,
    region: Annotated[str, typer.Option(help="Region whose cities may hold city tokens.")] = "yrd",
    as_json: JsonOpt = False,
) -> None:
    """Issue a token (shown once; only its hash is stored)."""
    try:
        if sum([city is not None, admin, reader]) != 1:
            raise InputError("give exactly one of --city ADCODE, --admin, --reader", field="role")
        if city is not None:
            from coopgov.region import load_region

            reg = load_region(region)
            if city not in {int(a) for a in reg.cities["adcode"]}:
                raise InputError(
                    f"no city of region {reg.name} has this adcode (see `coopgov region`)",
                    field="city",
                    value=city,
                )
        role = "admin" if admin else "reader" if reader else "city"
        token_id, token = _store(store).issue_token(role=role, adcode=city, label=label)
    except CoopgovError as exc:
        fail(exc, as_json)
    if as_json:
        print_json({"token_id": token_id, "role": role, "adcode": city, "token": token})
    else:
        console.print(
            f"token id: {token_id}\nrole: {role}  city: {city or '-'}\n"
            f"token (shown once, keep it secret):\n{token}"
        )


@token_app.command("revoke")
def token_revoke(token_id: str, store: StoreOpt = None, as_json: JsonOpt = False) -> None:
    """Revoke a token by its id (exit status 1 when no such token exists)."""
    try:
        s = _store(store)
        known = any(r["token_id"] == token_id for r in s.tokens())
        ok = known and s.revoke_token(token_id)
    except CoopgovError as exc:
        fail(exc, as_json)
    if as_json:
        print_json({"token_id": token_id, "revoked": bool(ok)})
    elif ok:
        console.print("revoked")
    else:
        typer.echo(
            f"error: no such token: {token_id!r} (see `coopgov platform token list`)", err=True
        )
    if not ok:
        raise typer.Exit(code=1)


@token_app.command("list")
def token_list(store: StoreOpt = None, as_json: JsonOpt = False) -> None:
    """List issued tokens (ids and roles, never the secrets)."""
    rows = _store(store).tokens()
    if as_json:
        print_json(rows)
        return
    table = Table("token id", "role", "city", "label", "created", "revoked")
    for r in rows:
        table.add_row(
            r["token_id"],
            r["role"],
            str(r["adcode"] or "-"),
            r["label"],
            str(r["created_at"])[:19],
            str(r["revoked_at"] or "")[:19],
        )
    console.print(table)


@platform_app.command("ingest")
def ingest(
    path: Path,
    store: StoreOpt = None,
    encoding: Annotated[
        str,
        typer.Option(
            "--encoding",
            help="Encoding of the CSV: auto (UTF-8, else GB18030) or a name such as gbk.",
        ),
    ] = "auto",
    as_json: JsonOpt = False,
) -> None:
    """Ingest a CSV file as the administrator (rejected rows are listed, and kept).

    Rejected rows are named by their line in the file (the header is line 1).
    """
    from coopgov.io import read_text

    try:
        text = read_text(path, encoding=encoding)
        report = _store(store).ingest_csv(text, file=str(path))
    except (CoopgovError, OSError) as exc:
        fail(exc, as_json)
    if as_json:
        print_json(report.to_dict())
        return
    console.print(
        f"{report.n_rows} rows: {report.n_inserted} new, {report.n_revised} "
        f"revised, {report.n_unchanged} unchanged, {report.n_quarantined} "
        f"quarantined{' (already received)' if report.replayed else ''}"
    )
    for r in report.rejected[:20]:
        console.print(
            f"  line {r['row']}: {r['field'] or 'row'}: {r['reason']}",
            markup=False,
            highlight=False,
        )
    if len(report.rejected) > 20:
        console.print(f"  ... and {len(report.rejected) - 20} more (--json lists them all)")
