"""Commands of the monitoring platform: serve, demo-data, platform token/init/ingest."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from coopgov.cli._output import console, fail, print_json, require_loopback
from coopgov.cli.app import app
from coopgov.errors import CoopgovError, InputError

platform_app = typer.Typer(help="Administer the shared monitoring platform.",
                           no_args_is_help=True)
token_app = typer.Typer(help="API tokens (stored hashed; shown once).", no_args_is_help=True)
platform_app.add_typer(token_app, name="token")
app.add_typer(platform_app, name="platform")

StoreOpt = Annotated[str | None, typer.Option(
    "--store", help="DuckDB file or postgresql:// URL (default $COOPGOV_STORE or "
                    "./coopgov-platform.duckdb).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


def _store(url: str | None):  # noqa: ANN202 - Store, imported lazily (optional extra)
    from coopgov.platform.store import Store

    return Store(url)


@app.command("serve")
def serve(store: StoreOpt = None,
          host: Annotated[str, typer.Option(help="Loopback address to bind.")] = "127.0.0.1",
          port: Annotated[int, typer.Option(min=0, max=65535)] = 8000,
          region: Annotated[str, typer.Option(help="Region for episodes.")] = "yrd",
          trusted_proxy: Annotated[list[str] | None, typer.Option(
              "--trusted-proxy",
              help="Address of a reverse proxy whose X-Forwarded-For is believed (repeat "
                   "for several; default none: the client is the connection's peer).")]
          = None,
          access_log: Annotated[bool, typer.Option(
              "--access-log/--no-access-log", help="One line per request on standard "
                                                   "error (never a token).")] = True) -> None:
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
        api = create_app(Store(store, idle_release_s=2.0), region_name=region,
                         access_log=access_log)
    except (CoopgovError, OSError) as exc:  # busy, read-only, second server: one line
        fail(exc)
    mount_dashboard(api, region_name=region)  # one server: API and dashboard together
    console.print(f"coopgov platform on http://{host}:{port}  (OpenAPI: /docs, "
                  f"dashboard: /dashboard/)")
    proxies = [p.strip() for p in (trusted_proxy or []) if p.strip()]
    # Forwarded headers are believed only from configured proxies (uvicorn trusts
    # 127.0.0.1 by default, which would let any local client choose its address).
    uvicorn.run(api, host=host, port=port, log_level="warning", access_log=False,
                proxy_headers=bool(proxies), forwarded_allow_ips=proxies or None)


@app.command("demo-data")
def demo_data(store: StoreOpt = None,
              year: Annotated[int, typer.Option(min=2000, max=2100)] = 2025,
              seed: int = 2025,
              csv_dir: Annotated[Path | None, typer.Option(
                  help="Also keep each city's batch as CSV here.")] = None,
              region: str = "yrd", as_json: JsonOpt = False) -> None:
    """Write a synthetic year of hourly data for the region's stations (source synthetic-demo)."""
    try:
        from coopgov.platform.demo import DemoConfig, load_demo
        from coopgov.region import load_region

        counts = load_demo(_store(store), load_region(region), DemoConfig(year=year, seed=seed),
                           csv_dir=csv_dir)
    except (CoopgovError, OSError) as exc:
        fail(exc, as_json)
    if as_json:
        print_json(counts)
    else:
        console.print(f"synthetic demo data written: {counts['stations']} stations, "
                      f"{counts['rows']:,} rows ({counts['quarantined']} quarantined)")


@platform_app.command("init")
def init(store: StoreOpt = None) -> None:
    """Create the store's tables (idempotent)."""
    try:
        s = _store(store)
    except (CoopgovError, OSError) as exc:
        fail(exc)
    console.print(f"store ready: {s.url} ({s.kind})")


@token_app.command("issue")
def token_issue(city: Annotated[int | None, typer.Option(
                    "--city", help="City adcode: a token writing this city's stations.")] = None,
                admin: Annotated[bool, typer.Option("--admin", help="Administrator token.")]
                = False,
                reader: Annotated[bool, typer.Option("--reader", help="Read-only token.")]
                = False,
                label: str = "", store: StoreOpt = None, as_json: JsonOpt = False) -> None:
    """Issue a token (shown once; only its hash is stored)."""
    try:
        if sum([city is not None, admin, reader]) != 1:
            raise InputError("give exactly one of --city ADCODE, --admin, --reader",
                             field="role")
        role = "admin" if admin else "reader" if reader else "city"
        token_id, token = _store(store).issue_token(role=role, adcode=city, label=label)
    except CoopgovError as exc:
        fail(exc, as_json)
    if as_json:
        print_json({"token_id": token_id, "role": role, "adcode": city, "token": token})
    else:
        console.print(f"token id: {token_id}\nrole: {role}  city: {city or '-'}\n"
                      f"token (shown once, keep it secret):\n{token}")


@token_app.command("revoke")
def token_revoke(token_id: str, store: StoreOpt = None) -> None:
    """Revoke a token by its id."""
    try:
        ok = _store(store).revoke_token(token_id)
    except CoopgovError as exc:
        fail(exc)
    console.print("revoked" if ok else "no such active token")


@token_app.command("list")
def token_list(store: StoreOpt = None, as_json: JsonOpt = False) -> None:
    """List issued tokens (ids and roles, never the secrets)."""
    rows = _store(store).tokens()
    if as_json:
        print_json(rows)
        return
    table = Table("token id", "role", "city", "label", "created", "revoked")
    for r in rows:
        table.add_row(r["token_id"], r["role"], str(r["adcode"] or "-"), r["label"],
                      str(r["created_at"])[:19], str(r["revoked_at"] or "")[:19])
    console.print(table)


@platform_app.command("ingest")
def ingest(path: Path, store: StoreOpt = None, as_json: JsonOpt = False) -> None:
    """Ingest a CSV file as the administrator (rejected rows are listed, and kept)."""
    try:
        report = _store(store).ingest_csv(path.read_bytes(), file=str(path))
    except (CoopgovError, OSError) as exc:
        fail(exc, as_json)
    if as_json:
        print_json(report.to_dict())
        return
    console.print(f"{report.n_rows} rows: {report.n_inserted} new, {report.n_revised} "
                  f"revised, {report.n_unchanged} unchanged, {report.n_quarantined} "
                  f"quarantined{' (already received)' if report.replayed else ''}")
    for r in report.rejected[:20]:
        console.print(f"  row {r['row']}: {r['field']}: {r['reason']}")
