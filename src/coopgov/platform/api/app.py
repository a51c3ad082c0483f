"""The FastAPI application: routers, error answers, request ids.

Every error answers with JSON ``{"error", "field", "value", ...}``
(:class:`coopgov.platform.api.models.ErrorBody`): 400 for a malformed request
(a header sent twice), 401 without a valid token, 403 for a token without the
right, 404 for an unknown resource, 409 for an idempotency key re-used with
other content, 413 for an oversized body, 422 for invalid input, 429 beyond
the rate limit, 503 when the store is unavailable (busy, disk full,
read-only, database down; the reason never names a file or a server).  No
internal error text leaks to the caller.  Every refused write (401 or 403 on
a write route) is recorded in the audit log.

Request ids, the body limit, the rate limit, the access log and the cached
answers of the published indices are handled in front of the routes by
:class:`coopgov.platform.api.gate.Gate`.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from coopgov import __version__
from coopgov.errors import InputError
from coopgov.platform.auth import PUBLIC, Forbidden, Principal, Unauthorized
from coopgov.platform.backends import StoreUnavailable
from coopgov.platform.store import AuditContext, IdempotencyConflict, Store

__all__ = ["create_app", "MAX_BODY_BYTES", "RATE_LIMIT_PER_MIN"]

_WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

#: Largest request body accepted, bytes (a year of hourly data of one city's stations
#: as CSV is about 30 MB).
MAX_BODY_BYTES = 64 * 1024 * 1024
#: Requests per caller (token, or client address) and minute on ``/v1/`` (assumption:
#: OpenAQ allows 60 a minute to a free key; a city's own dashboards need more).
#: ``$COOPGOV_RATE_LIMIT_PER_MIN`` overrides it; 0 turns limiting off.
RATE_LIMIT_PER_MIN = 1200

log = logging.getLogger("coopgov.platform")


def create_app(
    store: Store | str | Path | None = None,
    *,
    region: Any = None,
    region_name: str = "yrd",
    response_cache_s: float | None = None,
    rate_limit_per_min: int | None = None,
    access_log: bool = True,
    max_body_bytes: int | None = None,
) -> FastAPI:
    """Build the API over a store.

    Parameters
    ----------
    store : Store or str or Path, optional
        Store or its URL (default: :func:`coopgov.platform.store.default_store_url`).
    region : coopgov.region.Region, optional
        Region for episodes; loaded lazily with ``load_region(region_name)``.
    region_name : str
        Region loaded when ``region`` is not given.
    response_cache_s : float, optional
        Age after which a cached published answer is recomputed, s (default
        :data:`coopgov.platform.api.routers.aqi.CACHE_S`; 0: no cache).
    rate_limit_per_min : int, optional
        Requests per caller and minute on ``/v1/`` (default
        ``$COOPGOV_RATE_LIMIT_PER_MIN`` or :data:`RATE_LIMIT_PER_MIN`; 0: off).
    access_log : bool
        One line per request on the ``coopgov.platform.access`` logger (to
        standard error unless the logger is configured otherwise); tokens are
        never written.
    max_body_bytes : int, optional
        Largest request body accepted, bytes (default ``$COOPGOV_MAX_BODY_BYTES``
        or :data:`MAX_BODY_BYTES`).

    Notes
    -----
    On an embedded (DuckDB) store the application claims the file for its
    process: a second server process on the same file is refused
    (:class:`coopgov.platform.backends.ServerAlreadyRunning`).
    """
    from coopgov.platform.api.gate import Gate, RateLimiter, ResponseCache, TokenCache
    from coopgov.platform.api.routers import (
        aqi,
        audit,
        episodes,
        measurements,
        stations,
        tokens,
        water,
    )

    if not isinstance(store, Store):
        store = Store(store, idle_release_s=2.0)
    store.backend.claim_server()
    if access_log:
        logger = logging.getLogger("coopgov.platform.access")
        if not logger.handlers:
            handler = logging.StreamHandler(sys.stderr)
            handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
            logger.addHandler(handler)
            logger.setLevel(logging.INFO)
            logger.propagate = False
    app = FastAPI(
        title="coopgov monitoring platform",
        version=__version__,
        description="Shared monitoring data of the cities of a region: each city writes its "
        "own stations, every token holder reads the shared data, the public reads "
        "the published indices. Send the token in the `X-API-Key` header.",
    )
    app.state.store = store
    app.state.region = region
    app.state.region_name = region_name
    app.state.token_cache = TokenCache(store)
    app.state.response_cache = ResponseCache(
        store, aqi.CACHE_S if response_cache_s is None else response_cache_s
    )
    if rate_limit_per_min is None:
        rate_limit_per_min = int(os.environ.get("COOPGOV_RATE_LIMIT_PER_MIN", RATE_LIMIT_PER_MIN))
    if max_body_bytes is None:
        max_body_bytes = int(os.environ.get("COOPGOV_MAX_BODY_BYTES", MAX_BODY_BYTES))
    for module in (stations, measurements, aqi, water, episodes, audit, tokens):
        app.include_router(module.router)
    app.add_middleware(
        Gate,
        responses=app.state.response_cache,
        tokens=app.state.token_cache,
        limiter=RateLimiter(rate_limit_per_min),
        max_body_bytes=max_body_bytes,
        access_log=access_log,
    )

    def _err(status: int, payload: dict[str, Any]) -> JSONResponse:
        return JSONResponse(payload, status_code=status)

    async def _audit_refusal(request: Request, principal: Principal, reason: str) -> None:
        """Record a refused write (its own transaction); never hides the refusal itself."""
        if request.method not in _WRITE_METHODS or not request.url.path.startswith("/v1/"):
            return
        ctx = AuditContext(
            principal=principal,
            request_id=getattr(request.state, "request_id", ""),
            client=request.client.host if request.client else "unknown",
            client_request_id=getattr(request.state, "client_request_id", ""),
        )
        try:
            await run_in_threadpool(
                store.record_refusal,
                ctx,
                f"{request.method} {request.url.path}",
                request.url.path,
                reason,
            )
        except Exception:  # the store may be the problem; the caller still gets the refusal
            log.exception("could not audit a refused write")

    @app.exception_handler(Unauthorized)
    async def _unauthorized(request: Request, exc: Unauthorized) -> JSONResponse:
        who = (
            PUBLIC
            if not request.headers.get("x-api-key")
            else Principal(token_id="unknown-token", role="public")
        )
        await _audit_refusal(request, who, str(exc))
        return JSONResponse(
            {"error": str(exc)}, status_code=401, headers={"WWW-Authenticate": "APIKey"}
        )

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden) -> JSONResponse:
        await _audit_refusal(request, getattr(request.state, "principal", PUBLIC), str(exc))
        return _err(403, {"error": str(exc)})

    @app.exception_handler(InputError)
    async def _input(request: Request, exc: InputError) -> JSONResponse:
        return _err(422, exc.to_dict())

    @app.exception_handler(IdempotencyConflict)
    async def _conflict(request: Request, exc: IdempotencyConflict) -> JSONResponse:
        return _err(409, {"error": str(exc), "field": "Idempotency-Key"})

    @app.exception_handler(StoreUnavailable)
    async def _unavailable(request: Request, exc: StoreUnavailable) -> JSONResponse:
        log.warning("store unavailable: %s", exc)  # the full text (paths) for the operator
        return JSONResponse({"error": exc.reason}, status_code=503, headers={"Retry-After": "5"})

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            {"error": str(exc.detail)},
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> JSONResponse:
        log.exception("internal error")
        return JSONResponse(
            {"error": "internal error", "request_id": getattr(request.state, "request_id", None)},
            status_code=500,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        first = errors[0] if errors else {}
        loc = [str(x) for x in first.get("loc", ())]
        return _err(
            422,
            {
                "error": first.get("msg", "invalid request"),
                "field": ".".join(loc[1:]) or None,
                "value": None,
                "file": None,
                "row": None,
                "errors": [
                    {"loc": [str(x) for x in e.get("loc", ())], "msg": e.get("msg")}
                    for e in errors[:20]
                ],
            },
        )

    return app
