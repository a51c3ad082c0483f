"""Stations: list and read (public), create or update (the owning city or an admin)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from coopgov.platform.api.deps import CallerDep, StoreDep, audit_context, envelope
from coopgov.platform.api.models import READ_ERRORS, WRITE_ERRORS, StationPage
from coopgov.platform.api.queries import Paging
from coopgov.platform.auth import Forbidden
from coopgov.platform.store import _PREFIX, Station

router = APIRouter(prefix="/v1/stations", tags=["stations"])

StationId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]


class StationsQuery(Paging):
    """Filter stations."""

    adcode: int | None = Field(None, ge=100000, le=999999)
    kind: Literal["air", "water"] | None = None


class StationIn(BaseModel):
    """A station as written by its city."""

    model_config = ConfigDict(extra="forbid")

    adcode: int = Field(ge=100000, le=999999, description="City that owns the station.")
    name: str = Field(min_length=1, max_length=200)
    kind: Literal["air", "water"]
    lon: float | None = Field(None, ge=-180, le=180, description="WGS84 longitude, degrees.")
    lat: float | None = Field(None, ge=-90, le=90, description="WGS84 latitude, degrees.")
    water_body: str = Field("", max_length=200)
    water_type: Literal["", "river", "lake"] = ""
    synthetic: bool = False
    source: str = Field("", max_length=200)


@router.get("", summary="List stations (public)", response_model=StationPage, responses=READ_ERRORS)
def list_stations(
    store: StoreDep, caller: CallerDep, query: Annotated[StationsQuery, Query()]
) -> dict[str, Any]:
    """Stations with their city, kind and coordinates."""
    rows = store.stations(adcode=query.adcode, kind=query.kind)
    return envelope(
        rows[query.offset : query.offset + query.limit],
        page=query.page,
        limit=query.limit,
        found=len(rows),
    )


@router.get(
    "/{station_id}",
    summary="One station (public)",
    response_model=StationPage,
    responses=READ_ERRORS,
)
def get_station(station_id: StationId, store: StoreDep, caller: CallerDep) -> dict[str, Any]:
    """Return a station by id; 404 if unknown."""
    st = store.station_index().get(station_id)
    if st is None:
        raise HTTPException(404, "unknown station")
    return envelope([st])


@router.put(
    "/{station_id}",
    summary="Create or update a station (its city or an admin)",
    response_model=StationPage,
    responses=WRITE_ERRORS,
)
def put_station(
    station_id: StationId, body: StationIn, request: Request, store: StoreDep, caller: CallerDep
) -> dict[str, Any]:
    """Write a station of the caller's city.

    403 for another city's station, or for an id carrying another city's
    adcode as its prefix (e.g. ``320500-...`` written by Shanghai).
    """
    caller.require_reader()
    prefix = _PREFIX.match(station_id)
    if prefix and caller.role == "city" and int(prefix.group(1)) != caller.adcode:
        raise Forbidden(
            f"station ids starting with {prefix.group(1)}- belong to city {prefix.group(1)}"
        )
    station = Station(station_id=station_id, **body.model_dump())
    store.upsert_stations([station], context=audit_context(request, caller))
    return envelope([store.station_index()[station_id]])
