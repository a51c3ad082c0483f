"""Shared dependencies of the routers: the store, the caller, the envelope."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader
from starlette.concurrency import run_in_threadpool

from coopgov.platform.auth import PUBLIC, Principal, Unauthorized, hash_token
from coopgov.platform.store import AuditContext, Store

__all__ = [
    "api_key",
    "get_store",
    "get_principal",
    "envelope",
    "audit_context",
    "StoreDep",
    "CallerDep",
    "run_read",
    "READ_THREADS",
]

#: Store reads computed at once in the thread pool (the others wait on the event loop).
#: Reads are mostly Python and pandas work under one interpreter lock: more threads
#: only slow each other and the writer down (benchmarks/bench_platform.py --mixed on a
#: loaded 2-core machine: DuckDB 49 -> 69 req/s, ingest p95 5.2 -> 3.3 s; PostgreSQL
#: within the run-to-run noise); writes are not limited by it.
READ_THREADS = 4
_read_limiter: Any = None


async def run_read(func: Any, *args: Any, **kwargs: Any) -> Any:
    """Run a store read in the thread pool, at most :data:`READ_THREADS` at a time."""
    import functools

    import anyio

    global _read_limiter
    if _read_limiter is None:
        _read_limiter = anyio.CapacityLimiter(READ_THREADS)
    return await anyio.to_thread.run_sync(
        functools.partial(func, *args, **kwargs), limiter=_read_limiter
    )


api_key = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    description="Token issued by `coopgov platform token issue`.",
)


async def get_store(request: Request) -> Store:
    """Return the application's store (on the event loop: no thread hop)."""
    return request.app.state.store


StoreDep = Annotated[Store, Depends(get_store)]


async def get_principal(
    request: Request, key: Annotated[str | None, Depends(api_key)] = None
) -> Principal:
    """Who is calling: the public without a token; 401 for an unknown token.

    Verified tokens are remembered for a few seconds
    (:class:`coopgov.platform.api.gate.TokenCache`) and answered on the event
    loop; only an unknown one is looked up in the store (in the thread pool).
    """
    if not key:
        return PUBLIC
    tokens = request.app.state.token_cache
    found, principal = tokens.known(hash_token(key))
    if not found:
        principal = await run_in_threadpool(tokens.principal_for, key)
    if principal is None:
        raise Unauthorized("unknown or revoked API token")
    request.state.principal = principal  # for the audit of a refused write
    return principal


CallerDep = Annotated[Principal, Depends(get_principal)]


def audit_context(request: Request, principal: Principal) -> AuditContext:
    """Who writes, from which request (for the audit log).

    The request id is the server's own (:class:`coopgov.platform.api.gate.Gate`),
    never the caller's ``X-Request-ID`` (kept apart, as ``client_request_id``);
    the client is the connection's peer address (forwarded headers count only
    when the server is told to trust a proxy, see ``coopgov serve --trusted-proxy``).
    """
    rid = getattr(request.state, "request_id", None) or uuid.uuid4().hex
    client = request.client.host if request.client else "unknown"
    return AuditContext(
        principal=principal,
        request_id=rid,
        client=client,
        client_request_id=getattr(request.state, "client_request_id", ""),
    )


def envelope(
    results: list[Any], *, page: int = 1, limit: int | None = None, found: int | None = None
) -> dict[str, Any]:
    """Wrap results in the uniform ``{meta, results}`` answer."""
    return {
        "meta": {
            "name": "coopgov-platform",
            "page": page,
            "limit": limit if limit is not None else len(results),
            "found": found if found is not None else len(results),
        },
        "results": results,
    }
