"""Air quality indices (published, public): daily and hourly AQI per station and per city."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from coopgov.errors import InputError
from coopgov.platform.aggregates import category_label, hourly_aqi_table
from coopgov.platform.api.deps import CallerDep, StoreDep, envelope
from coopgov.platform.api.gate import cache_key
from coopgov.platform.api.models import READ_ERRORS
from coopgov.platform.api.queries import MAX_DAYS, MAX_HOURLY_DAYS, DailyAQIQuery, HourlyAQIQuery
from coopgov.platform.store import EARLIEST_DAY, Store

router = APIRouter(tags=["aqi"])

#: Default age after which a computed answer is recomputed, s (see
#: :class:`coopgov.platform.api.gate.ResponseCache`: a write through this process or,
#: on the embedded store, by any process, invalidates it at once).
CACHE_S = 2.0


class Category(BaseModel):
    """HJ 633 AQI category."""

    level: int = Field(ge=1, le=6, description="1 excellent ... 6 severely polluted.")
    name_en: str
    name_zh: str
    colour: str = Field(description="Display colour, #rrggbb.")


class AQIDetail(BaseModel):
    """Indicator concentrations (µg/m³; CO mg/m³) and their IAQI (null: not valid)."""

    concentrations: dict[str, float | None]
    iaqi: dict[str, int | None]


class DailyAQI(BaseModel):
    """HJ 633 daily report of one day (China Standard Time)."""

    day: date
    aqi: int | None = Field(description="AQI, null when not published (NA).")
    category: Category | None
    primary_pollutants: list[str]
    detail: AQIDetail


class HourlyAQI(BaseModel):
    """HJ 633 real-time report of one hour (hour-ending label, +08:00)."""

    time: datetime
    aqi: int | None
    category: Category | None
    primary_pollutants: list[str]
    detail: AQIDetail


class Meta(BaseModel):
    """Envelope metadata."""

    name: str
    page: int
    limit: int
    found: int


class DailyAQIPage(BaseModel):
    """Daily AQI answer."""

    meta: Meta
    results: list[DailyAQI]


class HourlyAQIPage(BaseModel):
    """Hourly AQI answer."""

    meta: Meta
    results: list[HourlyAQI]


# The routes answer prepared JSON bytes (no response-model validation per request);
# the models above document the answers in the OpenAPI schema.
_DAILY_DOC: dict[int | str, dict[str, Any]] = {
    200: {"model": DailyAQIPage, "description": "Daily AQI rows."},
    **READ_ERRORS,
}
_HOURLY_DOC: dict[int | str, dict[str, Any]] = {
    200: {"model": HourlyAQIPage, "description": "Hourly AQI rows."},
    **READ_ERRORS,
}

Adcode = Annotated[int, Path(ge=100000, le=999999)]
StationId = Annotated[str, Path(min_length=1, max_length=64)]


async def _cached(request: Request, store: Store, build: Any, scope: int) -> Response:
    """Serve the JSON bytes of ``build()``, computed once per store version.

    ``build`` queries the store in the thread pool; later requests for the same
    path and query are answered from the cache in front of the routes
    (:class:`coopgov.platform.api.gate.Gate`).
    """
    body = await request.app.state.response_cache.fetch(cache_key(request.scope), build, scope)
    return Response(body, media_type="application/json")


def _days(query: DailyAQIQuery) -> tuple[date, date]:
    end = query.date_to or (datetime.now(UTC) + timedelta(hours=8)).date()
    start = query.date_from or max(end - timedelta(days=364), EARLIEST_DAY)
    if start > end:
        raise InputError("date_from must not be after date_to", field="date_from", value=str(start))
    if (end - start).days > MAX_DAYS:
        raise InputError(
            f"at most {MAX_DAYS} days per request", field="date_from", value=str(start)
        )
    return start, end


_CATEGORY_JSON = {
    level: json.dumps(category_label(level), ensure_ascii=False, separators=(",", ":"))
    for level in range(7)
}


def _daily(store: Store, scope: str, key: str, query: DailyAQIQuery) -> bytes:
    """JSON bytes of the daily answer, written around the stored ``detail`` JSON text."""
    start, end = _days(query)
    rows = store.daily_aqi(scope, key, start, end, detail_json=True)
    meta = json.dumps(envelope([], limit=len(rows), found=len(rows))["meta"], separators=(",", ":"))
    items = [
        f'{{"day":"{r["day"].isoformat()}","aqi":{"null" if r["aqi"] is None else r["aqi"]},'
        f'"category":{_CATEGORY_JSON[int(r["category"])]},'
        f'"primary_pollutants":{json.dumps(r["primary_pollutants"], separators=(",", ":"))},'
        f'"detail":{r["detail"]}}}'
        for r in rows
    ]
    return f'{{"meta":{meta},"results":[{",".join(items)}]}}'.encode()


def _known_city(store: Store, adcode: int) -> list[str]:
    ids = [s["station_id"] for s in store.stations(adcode=adcode, kind="air")]
    if not ids:
        raise HTTPException(404, "no air station in this city")
    return ids


@router.get(
    "/v1/stations/{station_id}/aqi/daily",
    summary="Daily AQI of a station (public)",
    response_class=Response,
    responses=_DAILY_DOC,
)
async def station_daily(
    station_id: StationId,
    request: Request,
    store: StoreDep,
    caller: CallerDep,
    query: Annotated[DailyAQIQuery, Query()],
) -> Response:
    """HJ 633 daily report of a station (default: the last 365 days)."""
    station = (await run_in_threadpool(store.station_index)).get(station_id)
    if station is None:
        raise HTTPException(404, "unknown station")
    return await _cached(
        request, store, lambda: _daily(store, "station", station_id, query), int(station["adcode"])
    )


@router.get(
    "/v1/cities/{adcode}/aqi/daily",
    summary="Daily AQI of a city (public)",
    response_class=Response,
    responses=_DAILY_DOC,
)
async def city_daily(
    adcode: Adcode,
    request: Request,
    store: StoreDep,
    caller: CallerDep,
    query: Annotated[DailyAQIQuery, Query()],
) -> Response:
    """HJ 633 daily report of a city from the mean of its stations (default: last 365 days)."""
    await run_in_threadpool(_known_city, store, adcode)
    return await _cached(request, store, lambda: _daily(store, "city", str(adcode), query), adcode)


def _hourly(store: Store, station_ids: list[str], query: HourlyAQIQuery) -> bytes | dict[str, Any]:
    end = query.datetime_to or datetime.now(UTC)
    start = query.datetime_from or end - timedelta(days=1)
    if end - start > timedelta(days=MAX_HOURLY_DAYS):
        raise InputError(
            f"at most {MAX_HOURLY_DAYS} days of hourly AQI per request",
            field="datetime_from",
            value=start.isoformat(),
        )
    frame = store.hourly_frame(station_ids, start, end)
    if frame.empty:
        return envelope([])
    table = hourly_aqi_table(frame, standard=store.standard)
    # JSON written around the detail JSON text (as the daily answer), not parsed again.
    items = [
        f'{{"time":"{t.tz_convert("Asia/Shanghai").isoformat()}",'
        f'"aqi":{"null" if np.isnan(a) else int(a)},'
        f'"category":{_CATEGORY_JSON[int(c)]},'
        f'"primary_pollutants":{json.dumps([x for x in p.split(",") if x], separators=(",", ":"))},'
        f'"detail":{d}}}'
        for t, a, c, p, d in zip(
            table["time"],
            table["aqi"],
            table["category"],
            table["primary_pollutants"],
            table["detail"],
            strict=True,
        )
    ]
    meta = json.dumps(
        envelope([], limit=len(items), found=len(items))["meta"], separators=(",", ":")
    )
    return f'{{"meta":{meta},"results":[{",".join(items)}]}}'.encode()


@router.get(
    "/v1/stations/{station_id}/aqi/hourly",
    summary="Hourly AQI of a station (public)",
    response_class=Response,
    responses=_HOURLY_DOC,
)
async def station_hourly(
    station_id: StationId,
    request: Request,
    store: StoreDep,
    caller: CallerDep,
    query: Annotated[HourlyAQIQuery, Query()],
) -> Response:
    """HJ 633 real-time report of a station (default: the last 24 hours; at most 31 days)."""
    station = (await run_in_threadpool(store.station_index)).get(station_id)
    if station is None:
        raise HTTPException(404, "unknown station")
    return await _cached(
        request, store, lambda: _hourly(store, [station_id], query), int(station["adcode"])
    )


@router.get(
    "/v1/cities/{adcode}/aqi/hourly",
    summary="Hourly AQI of a city (public)",
    response_class=Response,
    responses=_HOURLY_DOC,
)
async def city_hourly(
    adcode: Adcode,
    request: Request,
    store: StoreDep,
    caller: CallerDep,
    query: Annotated[HourlyAQIQuery, Query()],
) -> Response:
    """HJ 633 real-time report of a city (hourly mean over its stations)."""
    ids = await run_in_threadpool(_known_city, store, adcode)
    return await _cached(request, store, lambda: _hourly(store, ids, query), adcode)
