"""The FastAPI application: routers, error answers, request ids.

Errors answer with JSON ``{"error", "field", "value", ...}``: 401 without a
valid token, 403 for a token without the right, 422 for invalid input, 413
for an oversized body, 503 when the embedded store is held by another
process.  No internal error text leaks to the caller.
"""

from __future__ import annotations

import logging
import uuid
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

__all__ = ["create_app", "MAX_BODY_BYTES"]

#: Largest request body accepted, bytes (a year of hourly data of one city's stations
#: as CSV is about 30 MB).
MAX_BODY_BYTES = 64 * 1024 * 1024

log = logging.getLogger("coopgov.platform")


class BodyTooLarge(Exception):
    """Request body above :data:`MAX_BODY_BYTES`."""


def create_app(store: Store | str | Path | None = None, *, region: Any = None,
               region_name: str = "yrd") -> FastAPI:
    """Build the API over a store.

    Parameters
    ----------
    store : Store or str or Path, optional
        Store or its URL (default: :func:`coopgov.platform.store.default_store_url`).
    region : coopgov.region.Region, optional
        Region for episodes; loaded lazily with ``load_region(region_name)``.
    region_name : str
        Region loaded when ``region`` is not given.
    """
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
    app.state.token_cache = {}
    app.state.response_cache = {}
    for module in (stations, measurements, aqi, water, episodes, audit):
        app.include_router(module.router)

    @app.middleware("http")
    async def _request_id(request: Request, call_next: Any) -> Any:
        rid = request.headers.get("x-request-id") or uuid.uuid4().hex
        request.state.request_id = rid
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > MAX_BODY_BYTES:
            return JSONResponse({"error": f"body larger than {MAX_BODY_BYTES} bytes"},
                                status_code=413)
        response = await call_next(request)
        response.headers["X-Request-ID"] = rid
        return response

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
