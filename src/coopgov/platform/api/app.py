"""The FastAPI application: routers, error answers, request ids.

Errors answer with JSON ``{"error", "field", "value", ...}``: 401 without a
valid token, 403 for a token without the right, 422 for invalid input, 413
for an oversized body, 429 beyond the rate limit, 503 when the embedded store
is held by another process.  No internal error text leaks to the caller.

Request ids, the body limit, the rate limit and the cached answers of the
published indices are handled in front of the routes by
:class:`coopgov.platform.api.gate.Gate`.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from coopgov import __version__
from coopgov.errors import InputError
from coopgov.platform.auth import Forbidden, Unauthorized
from coopgov.platform.backends import StoreBusy
from coopgov.platform.store import Store

__all__ = ["create_app", "MAX_BODY_BYTES", "RATE_LIMIT_PER_MIN"]

#: Largest request body accepted, bytes (a year of hourly data of one city's stations
#: as CSV is about 30 MB).
MAX_BODY_BYTES = 64 * 1024 * 1024
#: Requests per caller (token, or client address) and minute on ``/v1/`` (assumption:
#: OpenAQ allows 60 a minute to a free key; a city's own dashboards need more).
#: ``$COOPGOV_RATE_LIMIT_PER_MIN`` overrides it; 0 turns limiting off.
RATE_LIMIT_PER_MIN = 1200

log = logging.getLogger("coopgov.platform")


class BodyTooLarge(Exception):
    """Request body above :data:`MAX_BODY_BYTES`."""


def create_app(store: Store | str | Path | None = None, *, region: Any = None,
               region_name: str = "yrd", response_cache_s: float | None = None,
               rate_limit_per_min: int | None = None) -> FastAPI:
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
    """
    from coopgov.platform.api.gate import Gate, RateLimiter, ResponseCache, TokenCache
    from coopgov.platform.api.routers import aqi, audit, episodes, measurements, stations, water

    if not isinstance(store, Store):
        store = Store(store, idle_release_s=2.0)
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
        store, aqi.CACHE_S if response_cache_s is None else response_cache_s)
    if rate_limit_per_min is None:
        rate_limit_per_min = int(os.environ.get("COOPGOV_RATE_LIMIT_PER_MIN",
                                                RATE_LIMIT_PER_MIN))
    for module in (stations, measurements, aqi, water, episodes, audit):
        app.include_router(module.router)
    app.add_middleware(Gate, responses=app.state.response_cache, tokens=app.state.token_cache,
                       limiter=RateLimiter(rate_limit_per_min), max_body_bytes=MAX_BODY_BYTES)

    def _err(status: int, payload: dict[str, Any]) -> JSONResponse:
        return JSONResponse(payload, status_code=status)

    @app.exception_handler(Unauthorized)
    async def _unauthorized(request: Request, exc: Unauthorized) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=401,
                            headers={"WWW-Authenticate": "APIKey"})

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden) -> JSONResponse:
        return _err(403, {"error": str(exc)})

    @app.exception_handler(InputError)
    async def _input(request: Request, exc: InputError) -> JSONResponse:
        return _err(422, exc.to_dict())

    @app.exception_handler(StoreBusy)
    async def _busy(request: Request, exc: StoreBusy) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=503, headers={"Retry-After": "5"})

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        first = errors[0] if errors else {}
        loc = [str(x) for x in first.get("loc", ())]
        return _err(422, {"error": first.get("msg", "invalid request"),
                          "field": ".".join(loc[1:]) or None,
                          "value": None, "file": None, "row": None,
                          "errors": [{"loc": [str(x) for x in e.get("loc", ())],
                                      "msg": e.get("msg")} for e in errors[:20]]})

    return app
